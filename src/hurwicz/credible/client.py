"""A small HTTP client for rounds (used by ``hurwicz round`` and ``hurwicz bid``), which checks
every receipt it gets (signed by the round's operator, for exactly the entry it submitted) and
every set of rules it is shown (they must hash to the round id).

A bidder can never lock themselves out or leak their bid early (:func:`commit_bid`,
:func:`reveal_bid`): the report is checked against the mechanism before anything is sent; the
salt and the signed commit are written to the state file (mode 600) *before* the commit is
sent, so that a lost answer or a crash is repaired by sending the same signed commit again (the
server answers a repeat with the original receipt); and a reveal is never sent before the
commit deadline has passed, by the bidder's clock and by the server's.

Example:
    >>> RoundClient("http://127.0.0.1:1").server
    'http://127.0.0.1:1'
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hurwicz.core.errors import HurwiczError, InputError

from .canonical import canonical_bytes
from .clock import parse_absolute_time, utc_now
from .keys import public_hex
from .receipts import entry_leaf, receipt_problems
from .rules import check_report, round_id, round_mechanism
from .state import check_name, signed_commit, signed_payload, signed_reveal


class ServerError(HurwiczError):
    """The server refused a request or could not be reached.

    Example:
        >>> str(ServerError("late commit", "received", 409))
        'received: late commit (HTTP 409)'
    """

    def __init__(self, message: str, field: str | None = None, status: int = 0) -> None:
        super().__init__(f"{message} (HTTP {status})" if status else message, field)
        self.status = status


def check_rules(answer: Any, rid: str) -> dict[str, Any]:
    """The rules in a server's ``answer`` about round ``rid``, if they hash to ``rid``; else
    raise (a proxy or the server rewrote them, e.g. to show first price for a second-price
    round).

    Example:
        >>> try:
        ...     check_rules({"round": "r1", "rules": {"mechanism": {"name": "x"}}}, "r1")
        ... except ServerError as err:
        ...     print(err.message[:47])
        the rules shown for round r1 do not hash to its
    """
    rules = answer.get("rules") if isinstance(answer, Mapping) else None
    try:
        same = (isinstance(rules, dict) and answer.get("round") == rid
                and round_id(rules) == rid)
    except (HurwiczError, ValueError, TypeError):
        same = False
    if not same:
        raise ServerError(f"the rules shown for round {rid} do not hash to its id (a proxy or "
                          "the server rewrote them); nothing was sent", "rules")
    return rules


def check_receipt(answer: Mapping[str, Any], sent: Mapping[str, Any], operator: str) -> None:
    """Raise unless ``answer`` holds the entry we ``sent`` and a receipt for it signed by
    ``operator``.

    Example:
        >>> check_receipt({"entry": {"a": 2}, "receipt": {}}, {"a": 1}, "00" * 32)
        Traceback (most recent call last):
        ...
        hurwicz.credible.client.ServerError: receipt: the server logged a different entry ...
    """
    entry, receipt = answer.get("entry") or {}, answer.get("receipt") or {}
    if signed_payload(entry) != {**signed_payload(sent)}:
        raise ServerError("the server logged a different entry than the one sent", "receipt")
    problems = receipt_problems(receipt, operator)
    if problems:
        raise ServerError(problems[0], "receipt")
    if receipt["entry_hash"] != entry_leaf(entry).hex():
        raise ServerError("the receipt is for another entry", "receipt")


class RoundClient:
    """Calls a ``hurwicz serve`` server."""

    def __init__(self, server: str, token: str | None = None, timeout: float = 30.0) -> None:
        self.server = server.rstrip("/")
        self.token = token
        self.timeout = timeout
        self._http: Any = None

    def _client(self) -> Any:
        if self._http is None:
            try:
                import httpx
            except ImportError:
                raise HurwiczError("the client needs httpx: pip install 'hurwicz[server]'",
                                   "server") from None
            headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
            self._http = httpx.Client(base_url=self.server, timeout=self.timeout,
                                      headers=headers)
        return self._http

    def call(self, method: str, path: str, body: Any = None,
             params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """One request; a 4xx/5xx answer becomes a :class:`ServerError` with its message."""
        import httpx

        try:
            response = self._client().request(method, path, json=body, params=params)
        except httpx.HTTPError as err:
            raise ServerError(f"cannot reach {self.server}: {err}", "server") from None
        if response.status_code >= 400:
            try:
                error = response.json()["error"]
                raise ServerError(error["message"], error.get("field"), response.status_code)
            except (ValueError, KeyError, TypeError):
                raise ServerError(response.text[:200], None, response.status_code) from None
        return response.json()

    def info(self) -> dict[str, Any]:
        """Operator key and server version."""
        return self.call("GET", "/v1/info")

    def create_round(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        """Publish a round; returns its id, rules and the receipt of entry 0."""
        created = self.call("POST", "/v1/rounds", dict(spec))
        check_rules(created, str(created.get("round")))
        return created

    def status(self, rid: str) -> dict[str, Any]:
        """Rules, phase and counts; the rules are checked to hash to ``rid``."""
        answer = self.call("GET", f"/v1/rounds/{rid}")
        check_rules(answer, rid)
        return answer

    def submit(self, body: Mapping[str, Any], operator: str) -> dict[str, Any]:
        """Send a signed commit or reveal and return the checked receipt."""
        path = "commits" if body["kind"] == "commit" else "reveals"
        answer = self.call("POST", f"/v1/rounds/{body['round']}/{path}", dict(body))
        check_receipt(answer, body, operator)
        return answer["receipt"]

    def close(self, rid: str) -> dict[str, Any]:
        """Close the round (operator); returns the outcome and the receipt."""
        return self.call("POST", f"/v1/rounds/{rid}/close")

    def transcript(self, rid: str) -> dict[str, Any]:
        """The transcript."""
        return self.call("GET", f"/v1/rounds/{rid}/transcript")

    def check_receipt_online(self, receipt: Mapping[str, Any], operator: str) -> list[str]:
        """Problems with a receipt against the server's current log (empty if none): the
        receipt's tree head must be a prefix of the current signed head (RFC 6962 consistency
        proof) and its entry must be included in it (inclusion proof). Run it during a round to
        catch a fork or a dropped entry early."""
        from .merkle import verify_consistency, verify_inclusion
        from .receipts import head_problems

        problems = receipt_problems(receipt, operator)
        if problems:
            return problems
        rid, head = receipt["round"], receipt["tree_head"]
        current = self.call("GET", f"/v1/rounds/{rid}/tree-head")
        problems = head_problems(current, operator)
        if problems:
            return [f"current {problem}" for problem in problems]
        if current["size"] < head["size"]:
            return [f"censorship: the log shrank from {head['size']} to {current['size']} "
                    "entries"]
        proof = self.call("GET", f"/v1/rounds/{rid}/proofs/consistency",
                          params={"old": head["size"], "new": current["size"]})
        if not verify_consistency(head["size"], current["size"], bytes.fromhex(head["root"]),
                                  bytes.fromhex(current["root"]),
                                  [bytes.fromhex(p) for p in proof["proof"]]):
            return [f"fork: the tree head of size {head['size']} in the receipt is not a prefix "
                    f"of the current log of {current['size']} entries"]
        inclusion = self.call("GET", f"/v1/rounds/{rid}/proofs/inclusion",
                              params={"index": receipt["index"], "size": current["size"]})
        if not verify_inclusion(bytes.fromhex(receipt["entry_hash"]), receipt["index"],
                                current["size"], [bytes.fromhex(p) for p in inclusion["proof"]],
                                bytes.fromhex(current["root"])):
            return [f"censorship: entry #{receipt['index']} is not in the current log"]
        return []


# --- the bidder's side ------------------------------------------------------------------------
def write_private(path: str | os.PathLike[str], text: str, *, overwrite: bool = False,
                  field: str = "--out", exists_hint: str = "") -> None:
    """Write ``text`` to a file only its owner can read (mode 600, also when it replaces an
    existing file), atomically (a crash leaves the old file or the new one, never half of
    one) and durably (fsynced). Refuses to write through a symbolic link.

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "k.key")
        >>> write_private(path, "secret")
        >>> oct(os.stat(path).st_mode & 0o777)
        '0o600'
    """
    target = Path(path)
    if target.is_symlink():
        raise InputError(field, f"{target} is a symbolic link; refusing to write a private "
                         "file through it")
    if target.exists():
        if not overwrite:
            raise InputError(field, f"{target} exists{exists_hint}")
        if not target.is_file():
            raise InputError(field, f"{target} is not a regular file")
    directory = target.parent
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as err:
        raise InputError(field, f"cannot write {target}: {err.strerror}") from None
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def read_state(path: str | os.PathLike[str]) -> dict[str, Any]:
    """A bidder's state file (written by :func:`commit_bid`).

    Example:
        >>> read_state("/nonexistent/state.json")
        Traceback (most recent call last):
        ...
        hurwicz.core.errors.InputError: --state: no such file: /nonexistent/state.json
    """
    try:
        saved = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("--state", f"no such file: {path}") from None
    except (OSError, ValueError) as err:
        raise InputError("--state", f"{path} is not a state file: {err}") from None
    needed = {"server", "round", "name", "participant", "operator", "report", "salt",
              "receipts"}
    if not isinstance(saved, dict) or not needed <= set(saved):
        raise InputError("--state", f"{path} is not a state file written by hurwicz bid")
    return saved


def _save_state(path: str | os.PathLike[str], saved: Mapping[str, Any], new: bool = False
                ) -> None:
    write_private(path, json.dumps(saved, indent=1) + "\n", overwrite=not new,
                  field="--state", exists_hint=" (one state file per commitment)")


def commit_bid(client: RoundClient, key: Ed25519PrivateKey, rid: str, report: Any,
               state: str | os.PathLike[str], name: str | None = None,
               now: Callable[[], datetime] = utc_now) -> dict[str, Any]:
    """Commit to ``report`` in round ``rid``; returns the saved state (its ``receipts`` hold
    the commit's receipt).

    Before anything is sent: the round's rules must hash to ``rid``; the report must be valid
    for the round's mechanism and base input; the salt and the signed commit are written to
    ``state``. Run it again with the same ``state`` after a lost answer or a crash: it sends
    the same signed commit, and the server answers with the original receipt.
    """
    participant = public_hex(key)
    path = Path(state)
    if path.is_symlink():
        raise InputError("--state", f"{path} is a symbolic link; refusing to keep a salt "
                         "through it")
    if path.exists():
        saved = read_state(path)
        if saved["round"] != rid or saved["participant"] != participant:
            raise InputError("--state", f"{path} holds a commitment of another round or key; "
                             "use one state file per commitment")
        if canonical_bytes(saved["report"]) != canonical_bytes(report):
            raise InputError("--report", f"{path} holds a commitment to another report "
                             f"({json.dumps(saved['report'])}); once it may have been sent, "
                             "a commitment cannot change")
        if name is not None and name != saved["name"]:
            raise InputError("--name", f"{path} commits as {saved['name']!r}")
        if saved["receipts"]:
            return saved  # committed already
        if "commit" not in saved:
            raise InputError("--state", f"{path} has no signed commit to send again")
        body = saved["commit"]
    else:
        rules = client.status(rid)["rules"]  # checked: they hash to rid
        name = participant[:12] if name is None else name
        check_name(name)
        eligible = rules["eligibility"]
        if eligible != "open" and participant not in eligible["keys"]:
            raise InputError("--key", f"this key is not eligible in round {rid}")
        if now() > parse_absolute_time(rules["schedule"]["commit_deadline"]):
            raise InputError("--round", "the commit deadline "
                             f"{rules['schedule']['commit_deadline']} has passed")
        check_report(round_mechanism(rules), rules["input"], name, report, "--report")
        body, salt = signed_commit(key, rid, name, report)
        saved = {"server": client.server, "round": rid, "name": name,
                 "participant": participant, "operator": rules["operator"], "report": report,
                 "salt": salt, "commit": body, "receipts": []}
        _save_state(path, saved, new=True)  # before sending: nothing can be lost after this
    receipt = client.submit(body, saved["operator"])
    saved["receipts"] = [receipt]
    _save_state(path, saved)
    return saved


def reveal_bid(client: RoundClient, key: Ed25519PrivateKey, state: str | os.PathLike[str],
               wait: bool = False, now: Callable[[], datetime] = utc_now,
               sleep: Callable[[float], None] = time.sleep) -> dict[str, Any]:
    """Reveal the report and salt saved in ``state``; returns the saved state (its receipts:
    commit, reveal).

    Nothing is sent before the commit deadline has passed by this machine's clock *and* the
    server says the commit phase is over (``wait=True`` waits for that instead of refusing).
    If the commit's answer was lost, the saved signed commit is sent again first to get its
    receipt. Running it again after a lost answer gets the original reveal receipt.
    """
    saved = read_state(state)
    if public_hex(key) != saved["participant"]:
        raise InputError("--key", f"this is not the key that committed in {state}")
    rid, operator = saved["round"], saved["operator"]
    status = client.status(rid)
    if status["rules"]["operator"] != operator:
        raise ServerError("the round's rules name another operator than the one that "
                          "receipted the commit", "rules")
    receipts = saved["receipts"]
    if not receipts:
        if "commit" not in saved:
            raise InputError("--state", f"{state} has no signed commit to send again")
        receipts.append(client.submit(saved["commit"], operator))
        _save_state(state, saved)
    if len(receipts) >= 2:
        return saved  # revealed already
    schedule = status["rules"]["schedule"]
    deadline = parse_absolute_time(schedule["commit_deadline"])
    patience = 120.0  # seconds to wait for a server whose clock lags behind ours
    while True:
        left = (deadline - now()).total_seconds()
        if left < 0 and status["phase"] != "commit":
            break
        if not wait:
            when = f"in {left:.0f} s" if left >= 0 else "the server says it has not passed yet"
            raise InputError("--state", f"reveals open after the commit deadline "
                             f"{schedule['commit_deadline']} ({when}); nothing was sent: "
                             "reveal then, or pass --wait")
        if left < -patience:
            raise ServerError(f"the server still says the commit phase is open {patience:.0f}"
                              " s after the deadline; nothing was sent", "phase")
        sleep(left + 0.05 if left >= 0 else 0.5)
        status = client.status(rid)
    if status["phase"] != "reveal":
        raise InputError("--state", f"the reveal deadline {schedule['reveal_deadline']} has "
                         f"passed (phase {status['phase']}); nothing was sent")
    if "witnesses" in status["rules"]:
        check_phase_closed(client, status, receipts[0])
    body = signed_reveal(key, rid, saved["report"], saved["salt"])
    saved["reveal"] = body
    receipts.append(client.submit(body, operator))
    _save_state(state, saved)
    return saved


def check_phase_closed(client: RoundClient, status: Mapping[str, Any],
                       commit_receipt: Mapping[str, Any]) -> None:
    """Before a reveal in a witnessed round: the commit phase must have closed at a head
    cosigned by a quorum of the named witnesses (at their time, after the deadline) that
    includes our commit (RFC 6962 inclusion proof). Else nothing is sent: an operator could
    otherwise read the reveal and still add a shill commit."""
    from .merkle import verify_inclusion
    from .witness import check_cosignatures

    rules, rid, index = status["rules"], status["round"], status.get("commit_phase_closed_at")
    if index is None:
        raise ServerError("the commit phase has not closed at a witnessed tree head yet; "
                          "nothing was sent", "phase")
    entry = client.transcript(rid)["entries"][index]
    if not isinstance(entry, dict) or entry.get("kind") != "phase":
        raise ServerError(f"entry #{index} does not close the commit phase", "phase")
    problems = check_cosignatures(rules["witnesses"], rid, entry.get("size"), entry.get("root"),
                                  entry.get("cosignatures"),
                                  parse_absolute_time(rules["schedule"]["commit_deadline"]))
    if problems:
        raise ServerError(f"the commit phase's close is not witnessed: {problems[0]}; nothing "
                          "was sent", "phase")
    size, position = entry["size"], commit_receipt["index"]
    proof = client.call("GET", f"/v1/rounds/{rid}/proofs/inclusion",
                        params={"index": position, "size": size}) if position < size else None
    if proof is None or not verify_inclusion(
            bytes.fromhex(commit_receipt["entry_hash"]), position, size,
            [bytes.fromhex(p) for p in proof["proof"]], bytes.fromhex(entry["root"])):
        raise ServerError("our commit is not in the witnessed head that closed the commit "
                          "phase; nothing was sent", "phase")


def lodge_submission(client: RoundClient, witness_url: str, state: str | os.PathLike[str],
                     key: Ed25519PrivateKey | None = None) -> dict[str, Any]:
    """Lodge the submission the operator refuses with a witness: the saved signed commit if
    it has no receipt, else the reveal (signed with ``key``). The witness's acknowledgement
    is added to the state file's ``acks`` and returned."""
    from .witness import WitnessClient

    saved = read_state(state)
    rid = saved["round"]
    rules = client.status(rid)["rules"]  # checked: they hash to rid
    if not saved["receipts"]:
        body = saved.get("commit")
    elif len(saved["receipts"]) == 1:
        body = saved.get("reveal")
        if body is None:
            if key is None or public_hex(key) != saved["participant"]:
                raise InputError("--key", "the key that committed is needed to sign the "
                                 "reveal")
            body = signed_reveal(key, rid, saved["report"], saved["salt"])
    else:
        raise InputError("--state", "both commit and reveal are receipted: nothing to lodge")
    if not isinstance(body, dict):
        raise InputError("--state", "has no signed submission to lodge")
    ack = WitnessClient(witness_url).acknowledge({"rules": rules, "submission": body})
    saved.setdefault("acks", []).append(ack)
    _save_state(state, saved)
    return ack

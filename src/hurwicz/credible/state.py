"""The state machine of one round, shared by the server (to accept or refuse a submission) and
by the verifier (to replay a transcript): one implementation of the rules, two users.

Entries are JSON objects with a ``kind``: ``rules`` (always first), ``commit``, ``reveal`` and
``close`` (always last). Participants sign every field of their commit or reveal except
``signature`` and the server's ``received`` time.

Example:
    >>> from hurwicz.credible.keys import generate_key, public_hex
    >>> from hurwicz.credible.rules import make_rules
    >>> op = generate_key()
    >>> rules = make_rules({"mechanism": "auction.second_price",
    ...                     "commit_deadline": "2026-01-01T00:01:00Z",
    ...                     "reveal_deadline": "2026-01-01T00:02:00Z"},
    ...                    public_hex(op), "2026-01-01T00:00:00Z")
    >>> state = RoundState(rules)
    >>> _ = state.apply(state.rules_entry("2026-01-01T00:00:00Z"))
    >>> alice = generate_key()
    >>> body, salt = signed_commit(alice, state.round_id, "alice", 10)
    >>> _ = state.apply({**body, "received": "2026-01-01T00:00:30Z"})
    >>> _ = state.apply({**signed_reveal(alice, state.round_id, 10, salt),
    ...                  "received": "2026-01-01T00:01:30Z"})
    >>> state.close_entry("2026-01-01T00:02:00Z")["outcome"]["allocation"]
    {'alice': 1}
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hurwicz.core.errors import HurwiczError

from .canonical import canonical_bytes, commitment
from .clock import parse_absolute_time
from .keys import public_hex, sign, verify
from .rules import (
    check_json_data,
    check_report,
    check_rules_document,
    compute_outcome,
    round_id,
    round_mechanism,
    rules_hash,
)

_HEX64 = re.compile(r"[0-9a-f]{64}")  # always used with fullmatch ("$" allows a newline)
_NAME = re.compile(r"[A-Za-z0-9_.\-]{1,64}")
COMMIT_FIELDS = frozenset({"kind", "round", "participant", "name", "commitment", "signature"})
REVEAL_FIELDS = frozenset({"kind", "round", "participant", "report", "salt", "signature"})
PHASE_FIELDS = frozenset({"kind", "round", "phase", "size", "root", "cosignatures"})


class RoundError(HurwiczError):
    """A submission the round's rules refuse; ``status`` is the HTTP status to answer with.

    Example:
        >>> err = RoundError("commitment", "does not match", 422)
        >>> err.status, str(err)
        (422, 'commitment: does not match')
    """

    def __init__(self, field: str | None, message: str, status: int = 422) -> None:
        super().__init__(message, field)
        self.status = status


def check_name(name: Any) -> None:
    """Refuse a participant name that is not 1-64 characters from ``A-Z a-z 0-9 _ . -``.

    Example:
        >>> check_name("alice")
        >>> check_name("alice\\n")
        Traceback (most recent call last):
        ...
        hurwicz.credible.state.RoundError: name: must be 1-64 characters from A-Z a-z 0-9 _ . -
    """
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise RoundError("name", "must be 1-64 characters from A-Z a-z 0-9 _ . -")


def signed_payload(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a commit or reveal the participant signs.

    Example:
        >>> signed_payload({"kind": "commit", "signature": "x", "received": "t", "name": "a"})
        {'kind': 'commit', 'name': 'a'}
    """
    return {k: v for k, v in entry.items() if k not in ("signature", "received")}


def signed_commit(key: Ed25519PrivateKey, round_id: str, name: str, report: Any,
                  salt: str | None = None) -> tuple[dict[str, Any], str]:
    """A signed commit body for ``report`` and the salt to keep for the reveal.

    Example:
        >>> from hurwicz.credible.keys import generate_key
        >>> body, salt = signed_commit(generate_key(), "r1", "alice", 10)
        >>> sorted(body), len(salt)
        (['commitment', 'kind', 'name', 'participant', 'round', 'signature'], 64)
    """
    salt = salt or secrets.token_hex(32)
    body = {"kind": "commit", "round": round_id, "participant": public_hex(key), "name": name,
            "commitment": commitment(round_id, report, salt)}
    return {**body, "signature": sign(key, "commit", body)}, salt


def signed_reveal(key: Ed25519PrivateKey, round_id: str, report: Any,
                  salt: str) -> dict[str, Any]:
    """A signed reveal body.

    Example:
        >>> from hurwicz.credible.keys import generate_key
        >>> sorted(signed_reveal(generate_key(), "r1", 10, "s"))
        ['kind', 'participant', 'report', 'round', 'salt', 'signature']
    """
    body = {"kind": "reveal", "round": round_id, "participant": public_hex(key),
            "report": report, "salt": salt}
    return {**body, "signature": sign(key, "reveal", body)}



_SORTED_FIELDS: dict[frozenset[str], tuple[str, ...]] = {}


def _sorted_fields(fields: frozenset[str]) -> tuple[str, ...]:
    """``sorted(fields)``, computed once per field set (errors name the first field in order)."""
    known = _SORTED_FIELDS.get(fields)
    if known is None:
        known = _SORTED_FIELDS[fields] = tuple(sorted(fields))
    return known

@dataclass
class RoundState:
    """Everything the rules need to judge the next entry of one round.

    ``check_signatures=False`` skips re-checking participant signatures (for a server
    reloading its own durable log).
    """

    rules: dict[str, Any]
    check_signatures: bool = True
    round_id: str = ""
    commits: dict[str, dict[str, Any]] = field(default_factory=dict)  # participant -> entry
    names: dict[str, str] = field(default_factory=dict)  # name -> participant
    reveals: dict[str, dict[str, Any]] = field(default_factory=dict)
    indices: dict[tuple[str, str], int] = field(default_factory=dict)  # (kind, participant)
    closed: dict[str, Any] | None = None
    phase: dict[str, Any] | None = None  # witnessed rounds: the entry closing the commit phase
    phase_index: int | None = None
    last_time: datetime | None = None
    size: int = 0

    def __post_init__(self) -> None:
        check_rules_document(self.rules)
        self.round_id = round_id(self.rules)
        self.mechanism = round_mechanism(self.rules)
        schedule = self.rules["schedule"]
        self.commit_deadline = parse_absolute_time(schedule["commit_deadline"])
        self.reveal_deadline = parse_absolute_time(schedule["reveal_deadline"])
        elig = self.rules["eligibility"]
        self.eligible = None if elig == "open" else frozenset(elig["keys"])
        self.witnesses = self.rules.get("witnesses")

    # --- the first entry -----------------------------------------------------------------
    def rules_entry(self, received: str) -> dict[str, Any]:
        """Entry 0: the rules, their hash and the round id.

        Example:
            >>> RoundState.__name__
            'RoundState'
        """
        return {"kind": "rules", "round": self.round_id, "rules": self.rules,
                "rules_hash": rules_hash(self.rules), "received": received}

    # --- judging entries -----------------------------------------------------------------
    def _time(self, entry: Mapping[str, Any]) -> datetime:
        moment = parse_absolute_time(entry.get("received"), "received")
        self._parsed = (entry.get("received"), moment)  # for apply, which records it
        if self.last_time is not None and moment < self.last_time:
            raise RoundError("received", "time goes backwards in the log")
        return moment

    def _common(self, entry: Mapping[str, Any], fields: frozenset[str]) -> None:
        keys = entry.keys()
        if keys - {"received"} != fields:
            missing, extra = fields - keys, keys - fields - {"received"}
            if missing:
                raise RoundError(sorted(missing)[0], "is required")
            raise RoundError(str(sorted(map(str, extra))[0]), "is not a field of this entry")
        for name in _sorted_fields(fields):
            value = entry[name]
            if type(value) is str and value.isascii():  # plain JSON at once (the usual case)
                continue
            try:
                check_json_data(value, name)
            except HurwiczError as err:
                raise RoundError(err.field, err.message) from None
        if self.closed is not None:
            raise RoundError("round", "the round is closed", 409)
        if entry["round"] != self.round_id:
            raise RoundError("round", f"signed for round {entry['round']!r}, not "
                             f"{self.round_id!r} (replay from another round?)", 409)
        participant = entry["participant"]
        if not isinstance(participant, str) or not _HEX64.fullmatch(participant):
            raise RoundError("participant", "must be a 64-hex Ed25519 public key")
        if self.check_signatures and not verify(participant, entry["kind"],
                                                signed_payload(entry), str(entry["signature"])):
            raise RoundError("signature", "not a valid signature by the participant's key", 401)
        if self.eligible is not None and participant not in self.eligible:
            raise RoundError("participant", "is not eligible in this permissioned round", 403)

    def check(self, entry: Mapping[str, Any]) -> None:
        """Raise :class:`RoundError` if the rules refuse ``entry`` now; change nothing."""
        kind = entry.get("kind")
        if self.size == 0:
            if kind != "rules":
                raise RoundError("kind", "the first entry must be the rules")
            if entry.get("rules") != self.rules or entry.get("round") != self.round_id:
                raise RoundError("rules", "differ from the round's published rules")
            if entry.get("rules_hash") != rules_hash(self.rules):
                raise RoundError("rules_hash", "is not the hash of the rules")
            parse_absolute_time(entry.get("received"), "received")
            return
        if kind == "commit":
            self._common(entry, COMMIT_FIELDS)
            if self.phase is not None:
                raise RoundError("last_look", f"a commit logged after the commit phase closed "
                                 f"at the witnessed head of size {self.phase['size']} (entry "
                                 f"#{self.phase_index}): a late or shill commit", 409)
            moment = self._time(entry)
            if moment > self.commit_deadline:
                raise RoundError("received", "late commit: after the commit deadline "
                                 f"{self.rules['schedule']['commit_deadline']}", 409)
            if entry["participant"] in self.commits:
                raise RoundError("participant", "has already committed in this round "
                                 "(duplicate or replayed submission)", 409)
            name = entry["name"]
            check_name(name)
            if name in self.names:
                raise RoundError("name", f"{name!r} is taken in this round", 409)
            if (not isinstance(entry["commitment"], str)
                    or not _HEX64.fullmatch(entry["commitment"])):
                raise RoundError("commitment", "must be 64 hex digits (SHA-256)")
        elif kind == "reveal":
            self._common(entry, REVEAL_FIELDS)
            moment = self._time(entry)
            if moment <= self.commit_deadline:
                raise RoundError("received", "early reveal: reveals open after the commit "
                                 f"deadline {self.rules['schedule']['commit_deadline']}", 425)
            if moment > self.reveal_deadline:
                raise RoundError("received", "late reveal: after the reveal deadline "
                                 f"{self.rules['schedule']['reveal_deadline']}", 409)
            if self.witnesses is not None and self.phase is None:
                raise RoundError("phase", "early reveal: the commit phase has not closed at a "
                                 "witnessed tree head yet", 425)
            participant = entry["participant"]
            if participant not in self.commits:
                raise RoundError("participant", "has no commitment in this round", 409)
            if participant in self.reveals:
                raise RoundError("participant", "has already revealed (duplicate or replayed "
                                 "submission)", 409)
            if not isinstance(entry["salt"], str):
                raise RoundError("salt", "must be a string")
            try:
                expected = commitment(self.round_id, entry["report"], entry["salt"])
            except HurwiczError as err:
                raise RoundError("report", err.message) from None
            if expected != self.commits[participant]["commitment"]:
                raise RoundError("report", "report and salt do not match the commitment")
            name = self.commits[participant]["name"]
            try:
                check_report(self.mechanism, self.rules["input"], name, entry["report"])
            except HurwiczError as err:
                raise RoundError("report", err.message) from None
        elif kind == "phase":
            self.check_phase(entry)
        elif kind == "close":
            moment = self._time(entry)
            if self.closed is not None:
                raise RoundError("round", "the round is already closed", 409)
            if self.witnesses is not None and self.phase is None:
                raise RoundError("phase", "too early to close: the commit phase has not "
                                 "closed at a witnessed tree head", 425)
            if moment < self.reveal_deadline and not (
                    moment > self.commit_deadline and len(self.reveals) == len(self.commits)):
                raise RoundError("received", "too early to close: wait for the reveal deadline "
                                 "(or, after the commit deadline, for every reveal)", 425)
        else:
            raise RoundError("kind", f"unknown entry kind {kind!r}")

    def check_phase(self, entry: Mapping[str, Any]) -> None:
        """Judge the entry that closes the commit phase of a witnessed round: it stands at
        index ``size`` and carries ``quorum`` cosignatures, by named witnesses at their time
        no earlier than the commit deadline, of the tree head of that size (whose root the
        caller checks against the log: this state does not hash entries)."""
        from .witness import check_cosignatures

        if self.witnesses is None:
            raise RoundError("kind", "a phase entry in a round whose rules name no witnesses")
        missing, extra = PHASE_FIELDS - set(entry), set(entry) - PHASE_FIELDS - {"received"}
        if missing or extra:
            raise RoundError("phase", f"must have exactly the fields {sorted(PHASE_FIELDS)} "
                             "and received")
        self._time(entry)
        if self.closed is not None or self.phase is not None:
            raise RoundError("phase", "the commit phase is already closed", 409)
        if entry["round"] != self.round_id or entry["phase"] != "reveal":
            raise RoundError("phase", "must open the reveal phase of this round")
        if type(entry["size"]) is not int or entry["size"] != self.size:
            raise RoundError("phase", f"closes the commit phase at size {entry['size']!r}, but "
                             f"stands at index {self.size}")
        if not isinstance(entry["root"], str) or not _HEX64.fullmatch(entry["root"]):
            raise RoundError("phase", "root must be 64 hex digits")
        problems = check_cosignatures(self.witnesses, self.round_id, entry["size"],
                                      entry["root"], entry["cosignatures"],
                                      self.commit_deadline)
        if problems:
            raise RoundError("cosignatures", "; ".join(problems))

    def logged_index(self, body: Mapping[str, Any]) -> int | None:
        """The index of the logged commit or reveal that ``body`` repeats exactly (a retry, or
        an on-path replay of the participant's own submission), else ``None``.

        Example:
            >>> RoundState.logged_index.__name__
            'logged_index'
        """
        kind, participant = body.get("kind"), body.get("participant")
        logged = {"commit": self.commits, "reveal": self.reveals}.get(str(kind), {})
        if not isinstance(participant, str) or participant not in logged:
            return None
        previous = {k: v for k, v in logged[participant].items() if k != "received"}
        try:
            same = canonical_bytes(previous) == canonical_bytes(
                {k: v for k, v in body.items() if k != "received"})
        except (HurwiczError, ValueError, TypeError):
            return None
        return self.indices[(str(kind), participant)] if same else None

    def apply(self, entry: Mapping[str, Any]) -> dict[str, Any]:
        """Check ``entry`` and, if the rules accept it, record it.

        A close entry is also checked against a recomputation of the outcome.
        """
        self.check(entry)
        entry = dict(entry)
        kind = entry["kind"]
        if kind == "commit":
            self.commits[entry["participant"]] = entry
            self.names[entry["name"]] = entry["participant"]
            self.indices[("commit", entry["participant"])] = self.size
        elif kind == "reveal":
            self.reveals[entry["participant"]] = entry
            self.indices[("reveal", entry["participant"])] = self.size
        elif kind == "phase":
            self.phase, self.phase_index = entry, self.size
        elif kind == "close":
            expected = self.close_entry(entry["received"])
            if entry != expected:
                raise RoundError("outcome", _first_difference(entry, expected))
            self.closed = entry
        parsed = getattr(self, "_parsed", None)
        self.last_time = parsed[1] if parsed and parsed[0] == entry["received"] else \
            parse_absolute_time(entry["received"], "received")
        self.size += 1
        return entry

    # --- closing ---------------------------------------------------------------------------
    def counted_reports(self) -> tuple[dict[str, Any], list[str], list[str]]:
        """Reports by name that the outcome uses, plus the revealed and unrevealed names."""
        reports: dict[str, Any] = {}
        revealed, unrevealed = [], []
        for participant, commit in self.commits.items():
            name = commit["name"]
            if participant in self.reveals:
                reports[name] = self.reveals[participant]["report"]
                revealed.append(name)
            else:
                unrevealed.append(name)
                if isinstance(self.rules["unrevealed"], dict):
                    reports[name] = self.rules["unrevealed"]["default"]
        return reports, sorted(revealed), sorted(unrevealed)

    def close_entry(self, received: str) -> dict[str, Any]:
        """The close entry at time ``received``: the outcome from the revealed reports only
        (plus defaults for unrevealed commitments, if the rules say so). When the counted
        reports are no valid input (e.g. an election in which nobody voted), the round closes
        with ``outcome: null`` and the mechanism's reason in ``no_outcome``; verify recomputes
        that too."""
        reports, revealed, unrevealed = self.counted_reports()
        entry: dict[str, Any] = {"kind": "close", "round": self.round_id, "received": received,
                                 "revealed": revealed, "unrevealed": unrevealed,
                                 "unrevealed_rule": self.rules["unrevealed"]}
        try:
            entry["outcome"] = compute_outcome(self.rules, reports).to_dict()
        except HurwiczError as err:
            entry["outcome"] = None
            entry["no_outcome"] = str(err)
        return entry


def _first_difference(got: Any, want: Any, path: str = "close") -> str:
    """Where a recorded document first differs from the recomputed one."""
    if isinstance(got, dict) and isinstance(want, dict):
        for key in sorted(set(got) | set(want), key=str):
            if key not in got:
                return f"{path}.{key} is missing (recomputed: {want[key]!r})"
            if key not in want:
                return f"{path}.{key} should not be there"
            if got[key] != want[key]:
                return _first_difference(got[key], want[key], f"{path}.{key}")
        return f"{path} differs"
    if isinstance(got, list) and isinstance(want, list) and len(got) == len(want):
        for i, (a, b) in enumerate(zip(got, want)):
            if a != b:
                return _first_difference(a, b, f"{path}[{i}]")
    return f"{path} is {got!r} in the transcript but {want!r} when recomputed"

"""``hurwicz witness``: an independent service that cosigns a round's tree heads, publishes
proof when an operator equivocates, and acknowledges submissions an operator refuses.

A witness runs in its own process with its own Ed25519 key and SQLite database. For each round
(and operator) it keeps the last tree head it cosigned, stored durably *before* it answers.

* **Cosigning** (``POST /v1/cosign``): it cosigns a new operator-signed tree head only if the
  head extends the one it cosigned before, proven by an RFC 6962 consistency proof from the
  stored head (supplied in the request), and only for the operator that the round's rules
  (also in the request: they hash to the round id) name. The cosignature is signed as
  ``hurwicz/1 cosignature`` over ``{round, size, root, time}``, with the witness's *own*
  time: it attests that the log had this head no earlier than that time.
* **Equivocation** (``GET /v1/equivocations``): two operator-signed heads of one round with
  the same size and different roots are a self-contained proof that the operator showed two
  different logs; the witness refuses to cosign the second and publishes both.
* **Acknowledgements** (``POST /v1/acks``): a participant whose commit or reveal the operator
  refuses lodges it with a witness, which checks the participant's signature, the rules (they
  must hash to the round id and name this witness) and the deadline by its own clock, and signs
  ``hurwicz/1 ack`` over ``{round, submission, time}`` (``submission`` = SHA-256 of the
  canonical signed submission). ``hurwicz verify --ack FILE`` then reports ``censored`` if the
  acknowledged submission is missing from the transcript.

Example:
    >>> from hurwicz.credible.keys import generate_key, public_hex
    >>> from hurwicz.credible.receipts import sign_tree_head
    >>> from hurwicz.credible.rules import round_id
    >>> op, w = generate_key(), WitnessService(":memory:", generate_key())
    >>> rules = {"operator": public_hex(op)}  # a round's rules (their hash is its id)
    >>> rid = round_id(rules)
    >>> head = sign_tree_head(op, rid, 1, "aa" * 32, "2026-01-01T00:00:00.000000Z")
    >>> cos = w.cosign({"operator": public_hex(op), "rules": rules, "tree_head": head,
    ...                 "proof": []})
    >>> cosignature_problems(cos, rid, 1, "aa" * 32)
    []
    >>> fork = sign_tree_head(op, rid, 1, "bb" * 32, "2026-01-01T00:00:01.000000Z")
    >>> try:
    ...     w.cosign({"operator": public_hex(op), "rules": rules, "tree_head": fork})
    ... except WitnessError as err:
    ...     print(err.status, err.field)
    409 equivocation
    >>> equivocation_problems(w.equivocations(rid)[0])
    []
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Annotated, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hurwicz.core.errors import HurwiczError

from .canonical import canonical_bytes, document_hash
from .clock import format_time, parse_absolute_time, utc_now
from .keys import public_hex, sign, verify
from .merkle import verify_consistency
from .receipts import head_problems

try:  # the HTTP API needs the server extra; the checks above it do not
    from fastapi import Body, Query
except ImportError:  # pragma: no cover
    Body = Query = None  # type: ignore[assignment]

EQUIVOCATION_FORMAT = "hurwicz-equivocation/1"
ACK_FIELDS = ("round", "submission", "time")
COSIGNATURE_FIELDS = ("round", "size", "root", "time")


class WitnessError(HurwiczError):
    """A request the witness refuses; ``status`` is the HTTP status to answer with.

    Example:
        >>> WitnessError("proof", "does not verify", 409).status
        409
    """

    def __init__(self, field: str | None, message: str, status: int = 422) -> None:
        super().__init__(message, field)
        self.status = status


# --- documents anyone can check ----------------------------------------------------------------
def sign_cosignature(key: Ed25519PrivateKey, head: Mapping[str, Any], time: str
                     ) -> dict[str, Any]:
    """A witness's cosignature of an operator's tree head at the witness's ``time``.

    Example:
        >>> from hurwicz.credible.keys import generate_key
        >>> sorted(sign_cosignature(generate_key(), {"round": "r", "size": 1, "root": "00"},
        ...                         "t"))
        ['root', 'round', 'signature', 'size', 'time', 'witness']
    """
    body = {"round": head["round"], "size": head["size"], "root": head["root"], "time": time}
    return {**body, "witness": public_hex(key), "signature": sign(key, "cosignature", body)}


def cosignature_problems(cos: Any, rid: str, size: int, root: str) -> list[str]:
    """What is wrong with a cosignature of the head (``rid``, ``size``, ``root``).

    Example:
        >>> cosignature_problems({}, "r", 1, "00")
        ['a cosignature must be an object with round, size, root, time, witness, signature']
    """
    fields = {*COSIGNATURE_FIELDS, "witness", "signature"}
    if not isinstance(cos, Mapping) or set(cos) != fields or not all(
            isinstance(cos[f], str) for f in fields - {"size"}):
        return ["a cosignature must be an object with round, size, root, time, witness, "
                "signature"]
    if (cos["round"], cos["size"], cos["root"]) != (rid, size, root):
        return [f"the cosignature by {cos['witness'][:16]}… is for another tree head"]
    if not verify(cos["witness"], "cosignature", {f: cos[f] for f in COSIGNATURE_FIELDS},
                  cos["signature"]):
        return [f"the cosignature by {cos['witness'][:16]}… does not verify"]
    try:
        parse_absolute_time(cos["time"], "cosignature.time")
    except HurwiczError as err:
        return [str(err)]
    return []


def check_cosignatures(witnesses: Mapping[str, Any], rid: str, size: int, root: str,
                       cosignatures: Any, not_before: datetime) -> list[str]:
    """Problems with a phase close's cosignatures: at least ``quorum`` valid cosignatures of
    the head by distinct witnesses named in the rules, each at a witness time no earlier than
    ``not_before`` (the deadline). Empty if they are enough.

    Example:
        >>> from datetime import UTC
        >>> check_cosignatures({"keys": ["aa" * 32], "quorum": 1}, "r", 1, "00", [],
        ...                    datetime(2026, 1, 1, tzinfo=UTC))
        ['1 of the named witnesses must cosign, but 0 valid cosignatures are given']
    """
    if not isinstance(cosignatures, list):
        return ["cosignatures must be a list"]
    named, good, problems = set(witnesses["keys"]), set(), []
    for cos in cosignatures:
        found = cosignature_problems(cos, rid, size, root)
        if not found and cos["witness"] not in named:
            found = [f"the cosignature by {cos['witness'][:16]}… is not by a named witness"]
        if not found and parse_absolute_time(cos["time"], "cosignature.time") < not_before:
            found = [f"the cosignature by {cos['witness'][:16]}… was made at {cos['time']}, "
                     "before the commit deadline"]
        if found:
            problems.extend(found)
        else:
            good.add(cos["witness"])
    if len(good) < witnesses["quorum"]:
        return [f"{witnesses['quorum']} of the named witnesses must cosign, but {len(good)} "
                "valid cosignatures are given", *problems]
    return []


def submission_hash(submission: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of a signed submission (what an ack names).

    Example:
        >>> submission_hash({"a": 1})[:8]
        '015abd7f'
    """
    return document_hash(dict(submission))


def ack_problems(ack: Any, witnesses: Mapping[str, Any] | None, rid: str) -> list[str]:
    """What is wrong with an acknowledgement document ``{"ack": {...}, "submission": {...}}``
    on its own: shape, a named witness's signature over this round and the submission's hash.

    Example:
        >>> ack_problems({}, None, "r")
        ['an acknowledgement must hold "ack" and "submission"']
    """
    if not isinstance(ack, Mapping) or not isinstance(ack.get("ack"), Mapping) or \
            not isinstance(ack.get("submission"), Mapping):
        return ['an acknowledgement must hold "ack" and "submission"']
    body, submission = ack["ack"], ack["submission"]
    fields = {*ACK_FIELDS, "witness", "signature"}
    if set(body) != fields or not all(isinstance(body[f], str) for f in fields):
        return ["an ack must have round, submission, time, witness and signature strings"]
    if witnesses is None:
        return ["the rules of this round name no witnesses, so no acknowledgement counts"]
    if body["witness"] not in witnesses["keys"]:
        return [f"the ack is signed by {body['witness'][:16]}…, not a witness named in the "
                "rules"]
    if not verify(body["witness"], "ack", {f: body[f] for f in ACK_FIELDS}, body["signature"]):
        return ["the ack's signature does not verify"]
    if body["round"] != rid:
        return [f"the ack is for round {body['round'][:20]}…, not this one"]
    try:
        if submission_hash(submission) != body["submission"]:
            return ["the ack is for another submission"]
        parse_absolute_time(body["time"], "ack.time")
    except HurwiczError as err:
        return [str(err)]
    return []


def equivocation_problems(proof: Any) -> list[str]:
    """What is wrong with an equivocation proof (empty if it proves equivocation): two tree
    heads of one round, both signed by ``operator``, with the same size and different roots.

    Example:
        >>> equivocation_problems({"format": EQUIVOCATION_FORMAT})
        ['an equivocation proof needs operator and two heads']
    """
    if not isinstance(proof, Mapping) or proof.get("format") != EQUIVOCATION_FORMAT or \
            not isinstance(proof.get("operator"), str) or \
            not isinstance(proof.get("heads"), list) or len(proof["heads"]) != 2:
        return ["an equivocation proof needs operator and two heads"]
    a, b = proof["heads"]
    for head in (a, b):
        problems = head_problems(head, proof["operator"])
        if problems:
            return problems
    if a["round"] != b["round"] or a["size"] != b["size"] or a["root"] == b["root"]:
        return ["the two heads are not of one round and size with different roots"]
    return []


# --- the service -------------------------------------------------------------------------------
class WitnessService:
    """A witness's state: its key, its clock and a SQLite database (``synchronous=FULL``)."""

    def __init__(self, path: str, key: Ed25519PrivateKey,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self.key, self.clock, self.public = key, clock, public_hex(key)
        self.conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        if path != ":memory:":
            self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.execute("CREATE TABLE IF NOT EXISTS cosigned (round TEXT, operator TEXT, "
                          "body TEXT NOT NULL, PRIMARY KEY (round, operator))")
        self.conn.execute("CREATE TABLE IF NOT EXISTS seen (round TEXT, operator TEXT, "
                          "size INTEGER, root TEXT, body TEXT NOT NULL, "
                          "PRIMARY KEY (round, operator, size))")
        self.conn.execute("CREATE TABLE IF NOT EXISTS equivocations (round TEXT, "
                          "body TEXT NOT NULL)")
        self.lock = threading.Lock()

    def info(self) -> dict[str, Any]:
        """The witness's public key."""
        return {"witness": self.public}

    def head(self, rid: str, operator: str) -> dict[str, Any] | None:
        """The last head this witness cosigned for the round (``tree_head`` and
        ``cosignature``), or ``None``."""
        row = self.conn.execute("SELECT body FROM cosigned WHERE round = ? AND operator = ?",
                                (rid, operator)).fetchone()
        return json.loads(row[0]) if row else None

    def equivocations(self, rid: str | None = None) -> list[dict[str, Any]]:
        """Every equivocation proof published (for one round, if given)."""
        rows = self.conn.execute("SELECT body FROM equivocations WHERE ? IS NULL OR round = ?",
                                 (rid, rid)).fetchall()
        return [json.loads(body) for (body,) in rows]

    def _seen(self, head: Mapping[str, Any], operator: str) -> None:
        """Remember an operator-signed head; a different root at a size seen before is
        equivocation: published, then refused."""
        row = self.conn.execute("SELECT body FROM seen WHERE round = ? AND operator = ? AND "
                                "size = ?", (head["round"], operator, head["size"])).fetchone()
        if row is None:
            self.conn.execute("INSERT INTO seen VALUES (?, ?, ?, ?, ?)",
                              (head["round"], operator, head["size"], head["root"],
                               json.dumps(dict(head))))
            return
        earlier = json.loads(row[0])
        if earlier["root"] == head["root"]:
            return
        proof = {"format": EQUIVOCATION_FORMAT, "round": head["round"], "operator": operator,
                 "heads": [earlier, dict(head)]}
        self.conn.execute("INSERT INTO equivocations VALUES (?, ?)",
                          (head["round"], json.dumps(proof)))
        raise WitnessError("equivocation", f"the operator signed two tree heads of size "
                           f"{head['size']} with different roots; proof published at "
                           "/v1/equivocations", 409)

    @staticmethod
    def _check_operator(rules: Any, rid: str, operator: str) -> None:
        """Refuse unless ``rules`` hash to ``rid`` and name exactly ``operator``."""
        from .rules import round_id

        if not isinstance(rules, dict):
            raise WitnessError("rules", "the round's published rules are needed (they name "
                               "its operator)")
        try:
            matches = round_id(rules) == rid
        except HurwiczError as err:
            raise WitnessError("rules", f"cannot read the rules: {err}") from None
        if not matches:
            raise WitnessError("rules", "do not hash to the tree head's round id")
        if rules.get("operator") != operator:
            raise WitnessError("operator", "is not the operator the round's rules name", 403)

    def cosign(self, request: Mapping[str, Any]) -> dict[str, Any]:
        """Cosign ``request["tree_head"]`` (signed by ``request["operator"]``, the operator
        that the round's ``request["rules"]`` name) if it extends the last head cosigned for
        its round, by the consistency proof ``request["proof"]`` (hex hashes) from that head's
        size."""
        if not isinstance(request, Mapping):
            raise WitnessError(None, "the request must be a JSON object")
        operator, head, proof = (request.get("operator"), request.get("tree_head"),
                                 request.get("proof") or [])
        if not isinstance(operator, str):
            raise WitnessError("operator", "must be the operator's public key (hex)")
        problems = head_problems(head, operator)
        if problems:
            raise WitnessError("tree_head", problems[0], 401)
        if not isinstance(proof, list) or not all(isinstance(p, str) for p in proof):
            raise WitnessError("proof", "must be a list of hex hashes")
        # the cosignature does not name the operator, so the state it extends must be the
        # round's one operator's: else a second key (or another spelling of the key, e.g.
        # upper-case hex) would get a fresh state and a cosigned fork
        self._check_operator(request.get("rules"), head["round"], operator)
        with self.lock:
            self._seen(head, operator)
            last = self.head(head["round"], operator)
            if last is not None:
                old = last["tree_head"]
                if head["size"] < old["size"]:
                    raise WitnessError("tree_head", f"is older than the head of size "
                                       f"{old['size']} cosigned before", 409)
                if head["size"] > old["size"] or head["root"] != old["root"]:
                    try:
                        hashes = [bytes.fromhex(p) for p in proof]
                        ok = old["size"] == 0 or verify_consistency(
                            old["size"], head["size"], bytes.fromhex(old["root"]),
                            bytes.fromhex(head["root"]), hashes)
                    except ValueError:
                        ok = False
                    if not ok:
                        raise WitnessError("proof", f"no valid consistency proof from the "
                                           f"head of size {old['size']} cosigned before", 409)
            cos = sign_cosignature(self.key, head, format_time(self.clock()))
            self.conn.execute("INSERT OR REPLACE INTO cosigned VALUES (?, ?, ?)",
                              (head["round"], operator,
                               json.dumps({"tree_head": dict(head), "cosignature": cos})))
        return cos

    def acknowledge(self, request: Mapping[str, Any]) -> dict[str, Any]:
        """Acknowledge a signed submission the operator refused: ``request`` holds the round's
        ``rules`` and the ``submission`` (a signed commit or reveal). Checked: the rules hash
        to the submission's round and name this witness, the participant's signature, and the
        deadline by this witness's clock. Returns ``{"ack": {...}, "submission": {...}}``."""
        from .rules import round_id
        from .state import COMMIT_FIELDS, REVEAL_FIELDS, signed_payload

        if not isinstance(request, Mapping) or not isinstance(request.get("rules"), dict) \
                or not isinstance(request.get("submission"), dict):
            raise WitnessError(None, 'the request must hold "rules" and "submission"')
        rules, body = request["rules"], request["submission"]
        kind = body.get("kind")
        fields = {"commit": COMMIT_FIELDS, "reveal": REVEAL_FIELDS}.get(str(kind))
        if fields is None or set(body) != fields:
            raise WitnessError("submission", "must be a signed commit or reveal, exactly")
        try:
            rid = round_id(rules)
            deadlines = [parse_absolute_time(rules["schedule"][f"{w}_deadline"]) for w in
                         ("commit", "reveal")]
        except (HurwiczError, KeyError, TypeError) as err:
            raise WitnessError("rules", f"cannot read the rules: {err}") from None
        if body.get("round") != rid:
            raise WitnessError("rules", "do not hash to the submission's round id")
        if self.public not in (rules.get("witnesses") or {}).get("keys", []):
            raise WitnessError("rules", "do not name this witness", 403)
        if not verify(str(body.get("participant")), str(kind), signed_payload(body),
                      str(body.get("signature"))):
            raise WitnessError("signature", "not a valid signature by the participant's key",
                               401)
        now = self.clock()
        if kind == "commit" and now > deadlines[0]:
            raise WitnessError("time", "late commit: after the commit deadline by this "
                               "witness's clock", 409)
        if kind == "reveal" and not deadlines[0] < now <= deadlines[1]:
            raise WitnessError("time", "a reveal is in time only between the deadlines (by "
                               "this witness's clock)", 409)
        ack = {"round": rid, "submission": submission_hash(body), "time": format_time(now)}
        return {"ack": {**ack, "witness": self.public, "signature": sign(self.key, "ack", ack)},
                "submission": dict(body)}


# --- HTTP --------------------------------------------------------------------------------------
def create_witness_app(witness: WitnessService) -> Any:
    """The witness's HTTP API (FastAPI): ``GET /v1/info``, ``GET /v1/heads/{round}?operator=``,
    ``POST /v1/cosign``, ``GET /v1/equivocations[?round=]``, ``POST /v1/acks``.

    Example:
        >>> from hurwicz.credible.keys import generate_key
        >>> app = create_witness_app(WitnessService(":memory:", generate_key()))
        >>> sorted(app.openapi()["paths"])[:2]
        ['/v1/acks', '/v1/cosign']
    """
    from fastapi import FastAPI, Request
    from fastapi.responses import JSONResponse

    from hurwicz._version import __version__

    api = FastAPI(title="hurwicz witness", version=__version__)

    @api.exception_handler(WitnessError)
    async def refused(_: Request, err: WitnessError) -> JSONResponse:
        return JSONResponse({"error": {"field": err.field, "message": err.message}},
                            status_code=err.status)

    @api.get("/v1/info")
    def info() -> dict[str, Any]:
        """The witness's public key."""
        return {**witness.info(), "version": __version__}

    @api.get("/v1/heads/{rid}")
    def head(rid: str, operator: Annotated[str, Query()]) -> dict[str, Any]:
        """The last head cosigned for the round (``null`` fields if none)."""
        return witness.head(rid, operator) or {"tree_head": None, "cosignature": None}

    @api.post("/v1/cosign")
    def cosign(request: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
        """Cosign a tree head that extends the last one cosigned (consistency proof)."""
        return witness.cosign(request)

    @api.get("/v1/equivocations")
    def equivocations(round: str | None = None) -> dict[str, Any]:
        """Published proofs that an operator signed two heads of one size."""
        return {"equivocations": witness.equivocations(round)}

    @api.post("/v1/acks", status_code=201)
    def acks(request: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
        """Acknowledge a submission the operator refused (rules + signed submission)."""
        return witness.acknowledge(request)

    return api


class WitnessClient:
    """The same calls as :class:`WitnessService`, over HTTP.

    Example:
        >>> WitnessClient("http://127.0.0.1:1/").url
        'http://127.0.0.1:1'
    """

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self.url, self.timeout = url.rstrip("/"), timeout

    def _call(self, method: str, path: str, body: Any = None,
              params: Mapping[str, Any] | None = None) -> Any:
        import httpx

        try:
            answer = httpx.request(method, self.url + path, json=body, params=params,
                                   timeout=self.timeout)
        except httpx.HTTPError as err:
            raise WitnessError("witness", f"cannot reach {self.url}: {err}", 503) from None
        if answer.status_code >= 400:
            try:
                error = answer.json()["error"]
                raise WitnessError(error.get("field"), error["message"], answer.status_code)
            except (ValueError, KeyError, TypeError):
                raise WitnessError("witness", answer.text[:200], answer.status_code) from None
        return answer.json()

    def info(self) -> dict[str, Any]:
        """The witness's public key."""
        return self._call("GET", "/v1/info")

    def head(self, rid: str, operator: str) -> dict[str, Any] | None:
        """The last head cosigned for the round, or ``None``."""
        found = self._call("GET", f"/v1/heads/{rid}", params={"operator": operator})
        return found if found.get("tree_head") else None

    def cosign(self, request: Mapping[str, Any]) -> dict[str, Any]:
        """Ask for a cosignature."""
        return self._call("POST", "/v1/cosign", dict(request))

    def equivocations(self, rid: str | None = None) -> list[dict[str, Any]]:
        """Published equivocation proofs."""
        params = {"round": rid} if rid else None
        return self._call("GET", "/v1/equivocations", params=params)["equivocations"]

    def acknowledge(self, request: Mapping[str, Any]) -> dict[str, Any]:
        """Lodge a refused submission; returns the signed acknowledgement."""
        return self._call("POST", "/v1/acks", dict(request))


def serve_witness(witness: WitnessService, host: str, port: int
                  ) -> None:  # pragma: no cover - runs until stopped
    """Run the witness with uvicorn until interrupted."""
    import uvicorn

    uvicorn.run(create_witness_app(witness), host=host, port=port, log_level="warning",
                access_log=False)


def canonical_proof_bytes(proof: Mapping[str, Any]) -> bytes:
    """Canonical bytes of an equivocation proof (to publish or hash).

    Example:
        >>> canonical_proof_bytes({"b": 1, "a": 2})
        b'{"a":2,"b":1}'
    """
    return canonical_bytes(dict(proof))

"""The operator's side of rounds: accept entries under the rules, make them durable, then
issue signed receipts; build transcripts and Merkle proofs.

Concurrent submissions are made durable together (group commit): each request appends its entry
in memory under a lock, then one fsync covers every entry appended so far, and only then does
any of those requests get its receipt.

Submitting exactly the same signed commit or reveal again (a retry after a lost answer, or an
on-path replay of the participant's own submission) returns the receipt of the logged entry
(``existing: true``) instead of a refusal, so a participant can always recover its receipt.
Entries are stamped with :func:`~hurwicz.credible.clock.steady_time`: wall time that never goes
backwards within a round's log, whatever the wall clock does.

Example:
    >>> from hurwicz.credible.keys import generate_key
    >>> from hurwicz.credible.store import open_store
    >>> from hurwicz.credible.verify import verify_transcript
    >>> service = RoundService(open_store(":memory:"), generate_key())
    >>> created = service.create_round({"mechanism": "auction.second_price",
    ...     "commit_deadline": "+1h", "reveal_deadline": "+2h"})
    >>> created["receipt"]["index"], verify_transcript(service.transcript(created["round"])).ok
    (0, True)
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hurwicz.core.errors import HurwiczError

from .canonical import canonical_bytes
from .clock import format_time, parse_absolute_time, steady_time, utc_now
from .keys import public_hex
from .merkle import MerkleLog, leaf_hash
from .receipts import sign_receipt, sign_tree_head
from .rules import make_rules, round_id
from .state import RoundError, RoundState
from .store import Row, Store
from .verify import TRANSCRIPT_FORMAT


@dataclass
class _Round:
    state: RoundState
    log: MerkleLog = field(default_factory=MerkleLog)
    entries: list[dict[str, Any]] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)
    durable: int = 0  # entries known to be on disk
    stamp: datetime | None = None  # the time stamped on the last entry ...
    stamp_monotonic: float = 0.0  # ... and the monotonic clock then


class RoundService:
    """Rounds held in memory and in a durable :class:`~hurwicz.credible.store.Store`.

    ``clock`` is the wall clock (attested in entries and tree heads), ``monotonic`` a clock
    that never steps (seconds); tests replace both.
    """

    def __init__(self, store: Store, key: Ed25519PrivateKey,
                 clock: Callable[[], datetime] = utc_now,
                 monotonic: Callable[[], float] = time.monotonic,
                 witnesses: Sequence[Any] = ()) -> None:
        self.store, self.key, self.clock, self.monotonic = store, key, clock, monotonic
        self.operator = public_hex(key)
        self.rounds: dict[str, _Round] = {}
        #: witnesses this operator asks for cosignatures (a :class:`~.witness.WitnessClient`
        #: or :class:`~.witness.WitnessService` each): those a round's rules name are asked
        self.witnesses = list(witnesses)
        self._witness_keys: dict[int, str] = {}
        self._phase_lock = threading.Lock()
        self._state_lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._pending: list[Row] = []
        self._seq = self._durable_seq = 0
        self._failed: str | None = None
        for rid, bodies in store.load().items():
            self._reload(rid, bodies)

    def _reload(self, rid: str, bodies: list[str]) -> None:
        entries = [json.loads(b) for b in bodies]
        rnd = _Round(RoundState(entries[0]["rules"], check_signatures=False))
        if rnd.state.round_id != rid:
            raise RoundError("db", f"stored round {rid} does not match its rules")
        for entry in entries:
            self._record(rnd, rnd.state.apply(entry))
        rnd.durable = len(entries)
        rnd.stamp, rnd.stamp_monotonic = rnd.state.last_time, self.monotonic()
        self.rounds[rid] = rnd

    @staticmethod
    def _record(rnd: _Round, entry: dict[str, Any]) -> tuple[int, bytes, bytes]:
        data = canonical_bytes(entry)
        leaf = leaf_hash(data)
        index = rnd.log.size
        root = rnd.log.append(leaf)
        rnd.entries.append(entry)
        rnd.bodies.append(data)
        return index, leaf, root

    def _round(self, rid: str) -> _Round:
        try:
            return self.rounds[rid]
        except (KeyError, TypeError):
            raise RoundError("round", f"no round {rid!r} on this server", 404) from None

    def _now(self, rnd: _Round) -> tuple[datetime, float]:
        """The round's steady time now, and the monotonic reading it is based on."""
        monotonic = self.monotonic()
        return steady_time(self.clock(), monotonic, rnd.stamp, rnd.stamp_monotonic), monotonic

    # --- appending -------------------------------------------------------------------------
    def _append(self, rid: str, build: Callable[[_Round, str], dict[str, Any]],
                retry: Mapping[str, Any] | None = None
                ) -> tuple[dict[str, Any], dict[str, Any], bool]:
        """Append the entry ``build`` makes and return it with its receipt; if ``retry`` repeats
        a logged submission exactly, return that entry and its receipt instead (``True``)."""
        if self._failed:
            raise RoundError(None, f"storage failed earlier ({self._failed}); restart", 503)
        with self._state_lock:
            rnd = self._round(rid)
            logged = rnd.state.logged_index(retry) if retry is not None else None
            if logged is None:
                moment, monotonic = self._now(rnd)
                now = format_time(moment)
                entry = rnd.state.apply(build(rnd, now))
                rnd.stamp, rnd.stamp_monotonic = moment, monotonic
                index, leaf, root = self._record(rnd, entry)
                self._pending.append((rid, index, rnd.bodies[-1].decode("utf-8")))
                self._seq += 1
            else:  # the receipt is a function of the logged entry: sign it again, identically
                index, entry = logged, rnd.entries[logged]
                leaf, root, now = rnd.log.leaves[index], rnd.log.root(index + 1), entry["received"]
            seq = self._seq  # the logged entry may still wait for its fsync: wait with it
        self._make_durable(seq)
        head = sign_tree_head(self.key, rid, index + 1, root.hex(), now)
        return entry, sign_receipt(self.key, rid, index, leaf.hex(), head), logged is not None

    def _make_durable(self, seq: int) -> None:
        with self._flush_lock:
            if self._durable_seq >= seq:
                return
            with self._state_lock:
                batch, self._pending, upto = self._pending, [], self._seq
            try:
                self.store.write(batch)
            except Exception as err:
                self._failed = repr(err)
                raise RoundError(None, f"could not store the entry: {err}", 503) from err
            for rid, index, _ in batch:
                rnd = self.rounds[rid]
                rnd.durable = max(rnd.durable, index + 1)
            self._durable_seq = upto

    # --- the API ---------------------------------------------------------------------------
    def create_round(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        """Publish a round's rules (entry 0); returns the round id, rules and receipt.

        Example:
            >>> from hurwicz.credible.keys import generate_key
            >>> from hurwicz.credible.store import open_store
            >>> s = RoundService(open_store(":memory:"), generate_key())
            >>> s.create_round({"mechanism": "auction.nope", "commit_deadline": "+1m",
            ...                 "reveal_deadline": "+2m"})
            Traceback (most recent call last):
            ...
            hurwicz.core.errors.UnknownMechanismError: mechanism: unknown mechanism ...
        """
        created, monotonic = self.clock(), self.monotonic()
        rules = make_rules(spec, self.operator, format_time(created))
        rid = round_id(rules)
        with self._state_lock:
            if rid in self.rounds:
                raise RoundError("rules", f"round {rid} already exists", 409)
            rnd = _Round(RoundState(rules), stamp=created, stamp_monotonic=monotonic)
            self.rounds[rid] = rnd
        _, receipt, _ = self._append(rid, lambda r, now: r.state.rules_entry(now))
        return {"round": rid, "rules": rules, "receipt": receipt}

    def submit(self, rid: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """Accept a signed commit or reveal; returns the logged entry, its receipt and whether
        the very same submission had been logged before (``existing``: a retry gets the
        original receipt, not a refusal)."""
        if not isinstance(body, Mapping):
            raise RoundError(None, "a submission must be a JSON object")
        if body.get("kind") not in ("commit", "reveal"):
            raise RoundError("kind", 'must be "commit" or "reveal"')
        entry, receipt, existing = self._append(rid, lambda r, now: {**body, "received": now},
                                                retry=body)
        return {"entry": entry, "receipt": receipt, "existing": existing}

    def _witness_key(self, witness: Any) -> str | None:
        if id(witness) not in self._witness_keys:
            try:
                self._witness_keys[id(witness)] = str(witness.info()["witness"])
            except Exception:  # unreachable now: ask again next time
                return None
        return self._witness_keys[id(witness)]

    def close_commit_phase(self, rid: str) -> dict[str, Any]:
        """In a round whose rules name witnesses: once the commit deadline has passed, ask the
        named witnesses to cosign the tree head over every entry so far (each gets the
        consistency proof from the last head it cosigned) and, with ``quorum`` cosignatures at
        witness times no earlier than the deadline, append the ``phase`` entry that carries
        them. Reveals are accepted only after it. Returns the phase entry (the existing one if
        the phase is closed already).

        Example:
            >>> from hurwicz.credible.keys import generate_key
            >>> from hurwicz.credible.store import open_store
            >>> from hurwicz.credible.witness import WitnessService
            >>> from datetime import timedelta
            >>> w = WitnessService(":memory:", generate_key())
            >>> now = [utc_now()]
            >>> s = RoundService(open_store(":memory:"), generate_key(), lambda: now[0],
            ...                  witnesses=[w])
            >>> rid = s.create_round({"mechanism": "auction.second_price",
            ...     "commit_deadline": "+1m", "reveal_deadline": "+2m",
            ...     "witnesses": {"keys": [w.public], "quorum": 1}})["round"]
            >>> w.clock = s.clock = lambda: now[0] + timedelta(minutes=1, seconds=1)
            >>> entry = s.close_commit_phase(rid)
            >>> entry["kind"], entry["size"], len(entry["cosignatures"])
            ('phase', 1, 1)
        """
        rnd = self._round(rid)
        rules = rnd.state.rules
        named = rules.get("witnesses")
        if named is None:
            raise RoundError("round", "the rules of this round name no witnesses", 409)
        with self._phase_lock:
            if rnd.state.phase is not None:
                return rnd.state.phase
            if self._now(rnd)[0] <= rnd.state.commit_deadline:
                raise RoundError("phase", "the commit deadline has not passed yet", 425)
            with self._state_lock:
                size, seq = rnd.log.size, self._seq
            self._make_durable(seq)
            root = rnd.log.root(size).hex()
            cosignatures, refusals = self._cosign(rnd, rid, size, named["quorum"])
            if len(cosignatures) < named["quorum"]:
                raise RoundError("phase", f"only {len(cosignatures)} of the {named['quorum']} "
                                 "cosignatures needed (at witness times after the commit "
                                 f"deadline) could be had; try again: {'; '.join(refusals)}",
                                 503)

            def build(r: _Round, now: str) -> dict[str, Any]:
                return {"kind": "phase", "round": rid, "phase": "reveal", "size": size,
                        "root": root, "cosignatures": cosignatures, "received": now}

            entry, _, _ = self._append(rid, build)
            return entry

    def _cosign(self, rnd: _Round, rid: str, size: int, wanted: int
                ) -> tuple[list[dict[str, Any]], list[str]]:
        """Ask the round's named witnesses to cosign the head of ``size`` entries (each with
        the consistency proof from the head it cosigned last) until ``wanted`` cosignatures at
        witness times no earlier than the commit deadline are had."""
        from .witness import WitnessError

        named = rnd.state.rules["witnesses"]
        root = rnd.log.root(size).hex()
        head = sign_tree_head(self.key, rid, size, root, format_time(self._now(rnd)[0]))
        cosignatures: list[dict[str, Any]] = []
        refusals: list[str] = []
        for witness in self.witnesses:
            key = self._witness_key(witness)
            if key is None or key not in named["keys"]:
                continue
            try:
                last = witness.head(rid, self.operator)
                old = last["tree_head"]["size"] if last else 0
                proof = ([p.hex() for p in rnd.log.consistency_proof(old, size)]
                         if 0 < old < size else [])
                cos = witness.cosign({"operator": self.operator, "rules": rnd.state.rules,
                                      "tree_head": head, "proof": proof})
                if cos.get("witness") == key and parse_absolute_time(
                        cos.get("time"), "time") >= rnd.state.commit_deadline:
                    cosignatures.append(cos)
            except (WitnessError, HurwiczError, KeyError, TypeError, ValueError) as err:
                refusals.append(f"{key[:16]}…: {err}")
            if len(cosignatures) == wanted:
                break
        return cosignatures, refusals

    def close(self, rid: str) -> dict[str, Any]:
        """Compute the outcome from the revealed reports and append it (entry ``close``); in a
        witnessed round the commit phase is closed first if it is not yet."""
        rnd = self._round(rid)
        if rnd.state.witnesses is not None and rnd.state.phase is None:
            self.close_commit_phase(rid)
        entry, receipt, _ = self._append(rid, lambda r, now: r.state.close_entry(now))
        if rnd.state.witnesses is not None:
            # best effort: the witnesses keep the final head, so that a different close shown
            # to anyone later is equivocation
            self._cosign(rnd, rid, receipt["index"] + 1, len(self.witnesses))
        return {"receipt": receipt, "outcome": entry["outcome"], "revealed": entry["revealed"],
                "unrevealed": entry["unrevealed"]}

    def status(self, rid: str) -> dict[str, Any]:
        """Rules, phase and counts of a round."""
        rnd = self._round(rid)
        state = rnd.state
        now, _ = self._now(rnd)
        if state.closed is not None:
            phase = "closed"
        elif now <= state.commit_deadline or (state.witnesses is not None and state.phase is None
                                              and now <= state.reveal_deadline):
            phase = "commit"  # (a witnessed round: until the phase entry closes it)
        elif now <= state.reveal_deadline:
            phase = "reveal"
        else:
            phase = "closing"
        return {"round": rid, "rules": state.rules, "phase": phase, "size": rnd.durable,
                "commits": len(state.commits), "reveals": len(state.reveals),
                "commit_phase_closed_at": state.phase_index,
                "outcome": state.closed["outcome"] if state.closed else None}

    def tree_head(self, rid: str, size: int | None = None) -> dict[str, Any]:
        """A freshly signed tree head over the durable entries (or their first ``size``)."""
        rnd = self._round(rid)
        size = rnd.durable if size is None else size
        if not 0 <= size <= rnd.durable:
            raise RoundError("size", f"must be between 0 and {rnd.durable}", 400)
        return sign_tree_head(self.key, rid, size, rnd.log.root(size).hex(),
                              format_time(self._now(rnd)[0]))

    def transcript(self, rid: str) -> dict[str, Any]:
        """The transcript of every durable entry, with a signed tree head over them."""
        rnd = self._round(rid)
        with self._state_lock:
            size = rnd.durable
            entries = list(rnd.entries[:size])
        return {"format": TRANSCRIPT_FORMAT, "round": rid, "operator": self.operator,
                "entries": entries, "tree_head": self.tree_head(rid, size)}

    def inclusion(self, rid: str, index: int, size: int | None = None) -> dict[str, Any]:
        """An RFC 6962 inclusion proof of entry ``index`` in the tree of ``size`` entries, read
        off the stored tree in O(log n)."""
        rnd = self._round(rid)
        size = rnd.durable if size is None else size
        if not 0 <= index < size <= rnd.durable:
            raise RoundError("index", f"need 0 <= index < size <= {rnd.durable}", 400)
        proof = rnd.log.inclusion_proof(index, size)
        return {"index": index, "entry_hash": rnd.log.leaves[index].hex(),
                "proof": [p.hex() for p in proof], "tree_head": self.tree_head(rid, size)}

    def consistency(self, rid: str, old: int, new: int | None = None) -> dict[str, Any]:
        """An RFC 6962 consistency proof between the trees of ``old`` and ``new`` entries (in
        O(log n))."""
        rnd = self._round(rid)
        new = rnd.durable if new is None else new
        if not 0 < old <= new <= rnd.durable:
            raise RoundError("old", f"need 0 < old <= new <= {rnd.durable}", 400)
        proof = rnd.log.consistency_proof(old, new)
        return {"old": old, "new": new, "old_root": rnd.log.root(old).hex(),
                "proof": [p.hex() for p in proof], "tree_head": self.tree_head(rid, new)}


def deadline_passed(rules: Mapping[str, Any], which: str, now: datetime | None = None) -> bool:
    """Whether the round's ``commit`` or ``reveal`` deadline has passed.

    Example:
        >>> deadline_passed({"schedule": {"commit_deadline": "2000-01-01T00:00:00Z"}}, "commit")
        True
    """
    return (now or utc_now()) > parse_absolute_time(rules["schedule"][f"{which}_deadline"])

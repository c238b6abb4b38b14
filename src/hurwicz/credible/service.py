"""The operator's side of rounds: accept entries under the rules, make them durable, then
issue signed receipts; build transcripts and Merkle proofs.

Concurrent submissions are made durable together (group commit): each request appends its entry
in memory under a lock, then one fsync covers every entry appended so far, and only then does
any of those requests get its receipt.

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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .canonical import canonical_bytes
from .clock import format_time, parse_time, utc_now
from .keys import public_hex
from .merkle import MerkleLog, consistency_proof, inclusion_proof, leaf_hash
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


class RoundService:
    """Rounds held in memory and in a durable :class:`~hurwicz.credible.store.Store`."""

    def __init__(self, store: Store, key: Ed25519PrivateKey,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self.store, self.key, self.clock = store, key, clock
        self.operator = public_hex(key)
        self.rounds: dict[str, _Round] = {}
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
        except KeyError:
            raise RoundError("round", f"no round {rid!r} on this server", 404) from None

    # --- appending -------------------------------------------------------------------------
    def _append(self, rid: str, build: Callable[[_Round, str], dict[str, Any]]
                ) -> tuple[dict[str, Any], dict[str, Any]]:
        if self._failed:
            raise RoundError(None, f"storage failed earlier ({self._failed}); restart", 503)
        with self._state_lock:
            rnd = self._round(rid)
            now = format_time(self.clock())
            entry = rnd.state.apply(build(rnd, now))
            index, leaf, root = self._record(rnd, entry)
            self._seq += 1
            seq = self._seq
            self._pending.append((rid, index, rnd.bodies[-1].decode("utf-8")))
        self._make_durable(seq)
        head = sign_tree_head(self.key, rid, index + 1, root.hex(), now)
        return entry, sign_receipt(self.key, rid, index, leaf.hex(), head)

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
        created = format_time(self.clock())
        rules = make_rules(spec, self.operator, created)
        rid = round_id(rules)
        with self._state_lock:
            if rid in self.rounds:
                raise RoundError("rules", f"round {rid} already exists", 409)
            rnd = _Round(RoundState(rules))
            self.rounds[rid] = rnd
        _, receipt = self._append(rid, lambda r, now: r.state.rules_entry(now))
        return {"round": rid, "rules": rules, "receipt": receipt}

    def submit(self, rid: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """Accept a signed commit or reveal; returns the logged entry and its receipt."""
        if body.get("kind") not in ("commit", "reveal"):
            raise RoundError("kind", 'must be "commit" or "reveal"')
        entry, receipt = self._append(rid, lambda r, now: {**body, "received": now})
        return {"entry": entry, "receipt": receipt}

    def close(self, rid: str) -> dict[str, Any]:
        """Compute the outcome from the revealed reports and append it (entry ``close``)."""
        entry, receipt = self._append(rid, lambda r, now: r.state.close_entry(now))
        return {"receipt": receipt, "outcome": entry["outcome"], "revealed": entry["revealed"],
                "unrevealed": entry["unrevealed"]}

    def status(self, rid: str) -> dict[str, Any]:
        """Rules, phase and counts of a round."""
        rnd = self._round(rid)
        state = rnd.state
        now = self.clock()
        if state.closed is not None:
            phase = "closed"
        elif now <= state.commit_deadline:
            phase = "commit"
        elif now <= state.reveal_deadline:
            phase = "reveal"
        else:
            phase = "closing"
        return {"round": rid, "rules": state.rules, "phase": phase, "size": rnd.durable,
                "commits": len(state.commits), "reveals": len(state.reveals),
                "outcome": state.closed["outcome"] if state.closed else None}

    def tree_head(self, rid: str, size: int | None = None) -> dict[str, Any]:
        """A freshly signed tree head over the durable entries (or their first ``size``)."""
        rnd = self._round(rid)
        size = rnd.durable if size is None else size
        if not 0 <= size <= rnd.durable:
            raise RoundError("size", f"must be between 0 and {rnd.durable}", 400)
        return sign_tree_head(self.key, rid, size, rnd.log.root(size).hex(),
                              format_time(self.clock()))

    def transcript(self, rid: str) -> dict[str, Any]:
        """The transcript of every durable entry, with a signed tree head over them."""
        rnd = self._round(rid)
        with self._state_lock:
            size = rnd.durable
            entries = list(rnd.entries[:size])
        return {"format": TRANSCRIPT_FORMAT, "round": rid, "operator": self.operator,
                "entries": entries, "tree_head": self.tree_head(rid, size)}

    def inclusion(self, rid: str, index: int, size: int | None = None) -> dict[str, Any]:
        """An RFC 6962 inclusion proof of entry ``index`` in the tree of ``size`` entries."""
        rnd = self._round(rid)
        size = rnd.durable if size is None else size
        if not 0 <= index < size <= rnd.durable:
            raise RoundError("index", f"need 0 <= index < size <= {rnd.durable}", 400)
        proof = inclusion_proof(rnd.bodies[:size], index)
        return {"index": index, "entry_hash": rnd.log.leaves[index].hex(),
                "proof": [p.hex() for p in proof], "tree_head": self.tree_head(rid, size)}

    def consistency(self, rid: str, old: int, new: int | None = None) -> dict[str, Any]:
        """An RFC 6962 consistency proof between the trees of ``old`` and ``new`` entries."""
        rnd = self._round(rid)
        new = rnd.durable if new is None else new
        if not 0 < old <= new <= rnd.durable:
            raise RoundError("old", f"need 0 < old <= new <= {rnd.durable}", 400)
        proof = consistency_proof(rnd.bodies[:new], old)
        return {"old": old, "new": new, "old_root": rnd.log.root(old).hex(),
                "proof": [p.hex() for p in proof], "tree_head": self.tree_head(rid, new)}


def deadline_passed(rules: Mapping[str, Any], which: str, now: datetime | None = None) -> bool:
    """Whether the round's ``commit`` or ``reveal`` deadline has passed.

    Example:
        >>> deadline_passed({"schedule": {"commit_deadline": "2000-01-01T00:00:00Z"}}, "commit")
        True
    """
    return (now or utc_now()) > parse_time(rules["schedule"][f"{which}_deadline"])

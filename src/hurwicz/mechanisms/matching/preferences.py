"""Two-sided preference input, validation, and the integer-array encoding used by the solvers.

Input (DESIGN.md): ``{"proposers": {"s1": ["c1", "c2"]}, "receivers": {"c1": ["s2", "s1"]},
"capacities": {"c1": 2}}``. Lists may be truncated (unlisted partners are unacceptable —
except in school TTC, which completes each receiver's priority list with the unlisted proposers
as a last tie class; see :mod:`.ttc`).
A receiver's list may contain ties as nested lists, ``[["s1", "s2"], "s3"]``, broken by the
mechanism's ``tie_break``: ``"lowest_name"``, or a seed giving each proposer a lottery number
derived from the seed and its name (``lottery="single"``: the same number at every receiver) or
from the seed, the receiver's and the proposer's names (``"multiple"``) — never from the input's
order. Capacities default to 1 and may be 0; a tie group may not be empty.

Arrays: ``prefs[i, k]`` is the k-th choice (receiver index) of proposer i, −1 padded;
``pair_rank[i, k]`` is proposer i's rank at that receiver (a large number if unacceptable to the
receiver); ``capacity[j]``; ``priority[j]``, receiver j's listed proposers best first (ties
broken). Only listed pairs are stored, so memory is O(proposers × list length + receivers' list
lengths), not O(proposers × receivers).

Example:
    >>> m = encode(validate_two_sided({"proposers": {"a": ["x"], "b": ["x", "y"]},
    ...                                "receivers": {"x": ["b", "a"], "y": ["b"]}}))
    >>> m.prefs.tolist(), m.pair_rank[1].tolist(), m.capacity.tolist()
    ([[0, -1], [0, 1]], [0, 0], [1, 1])
    >>> int(m.pair_rank[0, 0]), bool(m.pair_rank[0, 1] == UNACCEPTABLE)
    (1, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from hurwicz.core.errors import InputError
from hurwicz.core.tie_break import seeded_priority
from hurwicz.core.types import Name
from hurwicz.core.validation import validate_model

UNACCEPTABLE = np.iinfo(np.int64).max // 4


class TwoSidedInput(BaseModel):
    """Proposers' and receivers' preference lists, receivers' capacities."""

    model_config = ConfigDict(strict=True, extra="forbid")
    proposers: dict[Name, list[Name]]
    receivers: dict[Name, list[Name | list[Name]]]
    capacities: dict[Name, Annotated[int, Field(ge=0)]] = Field(default_factory=dict)


def _flat(entries: list[Any]) -> list[str]:
    return [x for e in entries for x in (e if isinstance(e, list) else [e])]


def validate_two_sided(data: Any) -> TwoSidedInput:
    """Validate names, duplicates and capacities; every problem names its field.

    Example:
        >>> try:
        ...     validate_two_sided({"proposers": {"a": ["x", "x"]}, "receivers": {"x": []}})
        ... except InputError as err:
        ...     print(err)
        proposers.a: lists 'x' twice
    """
    if isinstance(data, dict) and isinstance(data.get("capacities"), dict):
        for name, cap in data["capacities"].items():
            if isinstance(cap, int) and not isinstance(cap, bool) and cap < 0:
                raise InputError(f"capacities.{name}", f"must be >= 0, got {cap}")
    inp = validate_model(TwoSidedInput, data)
    both = set(inp.proposers) & set(inp.receivers)
    if both:
        raise InputError("receivers", f"{sorted(both)[0]!r} is on both sides")
    for who, prefs in inp.proposers.items():
        seen: set[str] = set()
        for r in prefs:
            if r not in inp.receivers:
                raise InputError(f"proposers.{who}", f"unknown receiver {r!r}")
            if r in seen:
                raise InputError(f"proposers.{who}", f"lists {r!r} twice")
            seen.add(r)
    for who, prefs in inp.receivers.items():
        for k, entry in enumerate(prefs):
            if isinstance(entry, list) and not entry:
                raise InputError(f"receivers.{who}.{k}", "is an empty tie group")
        seen = set()
        for p in _flat(prefs):
            if p not in inp.proposers:
                raise InputError(f"receivers.{who}", f"unknown proposer {p!r}")
            if p in seen:
                raise InputError(f"receivers.{who}", f"lists {p!r} twice")
            seen.add(p)
    for name in inp.capacities:
        if name not in inp.receivers:
            raise InputError(f"capacities.{name}", "is not a receiver")
    return inp


@dataclass
class Market:
    """Integer-array view of a two-sided market, with the tie-break that encoded it."""

    proposers: list[str]
    receivers: list[str]
    prefs: np.ndarray
    pair_rank: np.ndarray
    capacity: np.ndarray
    #: receiver j's listed proposers (indices), best first, ties broken
    priority: list[list[int]] = field(default_factory=list)
    tie_break: Any = "lowest_name"
    lottery: str = "single"


def break_ties(tie_break: Any, lottery: str, receiver: str,
               members: list[str]) -> list[str]:
    """Members of one tie class at ``receiver`` in the order the tie-break ranks them: by name
    (``"lowest_name"``), or by seeded lottery numbers of the proposers' names (``"single"``) or
    of the receiver's and proposers' names (``"multiple"``) — never by input order.

    Example:
        >>> break_ties("lowest_name", "single", "x", ["b", "a"])
        ['a', 'b']
        >>> break_ties(3, "single", "x", ["b", "a"]) == break_ties(3, "single", "y", ["a", "b"])
        True
    """
    if tie_break == "lowest_name":
        return sorted(members)
    keys = members if lottery == "single" else [f"{receiver}\x1f{m}" for m in members]
    prio = seeded_priority(int(tie_break), keys)
    return [m for _, m in sorted(zip(prio.tolist(), members))]


def encode(inp: TwoSidedInput, tie_break: Any = 0, lottery: str = "single") -> Market:
    """Encode names as indices; break receivers' ties (``"lowest_name"``, or a seeded lottery:
    ``single`` — one number per proposer shared by every receiver; ``multiple`` — one per
    receiver and proposer), from names only.

    Example:
        >>> inp = validate_two_sided({"proposers": {"a": ["x"], "b": ["x"]},
        ...                           "receivers": {"x": [["a", "b"]]}})
        >>> sorted(encode(inp, 0, "single").pair_rank[:, 0].tolist())
        [0, 1]
        >>> encode(inp, "lowest_name").pair_rank[:, 0].tolist()
        [0, 1]
    """
    proposers = sorted(inp.proposers)
    receivers = sorted(inp.receivers)
    pi = {p: i for i, p in enumerate(proposers)}
    rj = {r: j for j, r in enumerate(receivers)}
    n = len(proposers)
    length = max([len(v) for v in inp.proposers.values()] + [1])
    prefs = np.full((n, length), -1, dtype=np.int64)
    for p, lst in inp.proposers.items():
        prefs[pi[p], :len(lst)] = [rj[r] for r in lst]
    # receiver-side ranks for listed pairs: rank = (tie class, lottery)
    keys, ranks = [], []
    priority: list[list[int]] = []
    for r in receivers:
        j = rj[r]
        position = 0
        listed: list[int] = []
        for entry in inp.receivers[r]:
            members = entry if isinstance(entry, list) else [entry]
            ordered = break_ties(tie_break, lottery, r, members) if len(members) > 1 else members
            for m in ordered:
                keys.append(j * n + pi[m])
                ranks.append(position)
                listed.append(pi[m])
                position += 1
        priority.append(listed)
    key_arr = np.array(keys, dtype=np.int64)
    rank_arr = np.array(ranks, dtype=np.int64)
    sort = np.argsort(key_arr)
    key_arr, rank_arr = key_arr[sort], rank_arr[sort]
    pair_keys = np.where(prefs >= 0, prefs * n + np.arange(n)[:, None], -1)
    pos = np.searchsorted(key_arr, pair_keys)
    pos_c = np.minimum(pos, max(len(key_arr) - 1, 0))
    found = (prefs >= 0) & (len(key_arr) > 0) & (key_arr[pos_c] == pair_keys) if len(key_arr) \
        else np.zeros_like(prefs, bool)
    pair_rank = np.where(found, rank_arr[pos_c] if len(key_arr) else 0, UNACCEPTABLE)
    capacity = np.array([inp.capacities.get(r, 1) for r in receivers], dtype=np.int64)
    return Market(proposers, receivers, prefs, pair_rank, capacity, priority, tie_break, lottery)

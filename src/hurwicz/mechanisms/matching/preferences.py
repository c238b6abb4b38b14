"""Two-sided preference input, validation, and the integer-array encoding used by the solvers.

Input (DESIGN.md): ``{"proposers": {"s1": ["c1", "c2"]}, "receivers": {"c1": ["s2", "s1"]},
"capacities": {"c1": 2}}``. Lists may be truncated (unlisted partners are unacceptable).
A receiver's list may contain ties as nested lists, ``[["s1", "s2"], "s3"]``, broken by the
mechanism's ``tie_break`` (single or multiple tie-breaking with a seed). Capacities default to 1
and may be 0.

Arrays: ``prefs[i, k]`` is the k-th choice (receiver index) of proposer i, −1 padded;
``pair_rank[i, k]`` is proposer i's rank at that receiver (a large number if unacceptable to the
receiver); ``capacity[j]``. Only the pairs in proposers' lists are stored, so memory is
O(proposers × list length), not O(proposers × receivers).

Example:
    >>> m = encode(validate_two_sided({"proposers": {"a": ["x"], "b": ["x", "y"]},
    ...                                "receivers": {"x": ["b", "a"], "y": ["b"]}}))
    >>> m.prefs.tolist(), m.pair_rank[1].tolist(), m.capacity.tolist()
    ([[0, -1], [0, 1]], [0, 0], [1, 1])
    >>> int(m.pair_rank[0, 0]), bool(m.pair_rank[0, 1] == UNACCEPTABLE)
    (1, True)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from hurwicz.core.errors import InputError
from hurwicz.core.validation import validate_model

Name = Annotated[str, StringConstraints(min_length=1, max_length=256)]
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
    """Integer-array view of a two-sided market."""

    proposers: list[str]
    receivers: list[str]
    prefs: np.ndarray
    pair_rank: np.ndarray
    capacity: np.ndarray


def encode(inp: TwoSidedInput, tie_break: str = "single", seed: int = 0) -> Market:
    """Encode names as indices; break receivers' ties (``single``: one random order of the
    proposers shared by every receiver; ``multiple``: an independent order per receiver).

    Example:
        >>> inp = validate_two_sided({"proposers": {"a": ["x"], "b": ["x"]},
        ...                           "receivers": {"x": [["a", "b"]]}})
        >>> sorted(encode(inp, "single", 0).pair_rank[:, 0].tolist())
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
    rng = np.random.default_rng(seed)
    lottery = rng.permutation(n)  # single tie-breaking: lower lottery number wins ties
    # receiver-side ranks for listed pairs: rank = (tie class, lottery)
    keys, ranks = [], []
    for r, lst in inp.receivers.items():
        j = rj[r]
        order = lottery if tie_break == "single" else rng.permutation(n)
        position = 0
        for cls, entry in enumerate(lst):
            members = entry if isinstance(entry, list) else [entry]
            ids = sorted((pi[m] for m in members), key=lambda i: order[i])
            for i in ids:
                keys.append(j * n + i)
                ranks.append(position)
                position += 1
            del cls
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
    return Market(proposers, receivers, prefs, pair_rank, capacity)

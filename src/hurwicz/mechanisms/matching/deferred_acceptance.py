"""Deferred acceptance (Gale & Shapley 1962, "College Admissions and the Stability of
Marriage", AMM 69(1)), proposer-optimal for either side, one-to-one or many-to-one.

The proposer-proposing algorithm is vectorised over integer arrays: in each round every
rejected proposer proposes to its next acceptable choice at once, and each receiver keeps its
best ``capacity`` applicants among those it holds and the new ones — the held ones stay sorted
by (receiver, rank), new ones are merged in, the worst beyond capacity drop out. Memory is
O(proposers × list length).

Example:
    >>> import numpy as np
    >>> prefs = np.array([[0, 1], [0, 1], [0, -1]])
    >>> rank = np.array([[1, 0], [0, 1], [2, 0]])
    >>> da_arrays(prefs, rank, np.array([1, 1])).tolist()
    [1, 0, -1]
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from hurwicz.core.claims import Claim
from hurwicz.core.mechanism import Mechanism
from hurwicz.core.outcome import Outcome
from hurwicz.core.registry import register
from hurwicz.core.tie_break import TIE_BREAK_DOC, AgentTieBreak

from .audit import TwoSidedAudit
from .preferences import UNACCEPTABLE, Market, TwoSidedInput, encode, validate_two_sided


def da_arrays(prefs: np.ndarray, pair_rank: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Proposer-proposing DA; returns each proposer's receiver index (−1: unmatched).

    Every round, each free proposer proposes to its next acceptable choice. A receiver's held
    proposals are kept as one sorted array of (receiver, rank) keys: a proposal that does not
    beat a full receiver's worst held one is refused at once; the others are merged in
    (``searchsorted`` + ``insert``) and each receiver over capacity drops its worst. A round
    costs O(held + proposals · log proposals): nothing already held is sorted again.

    Example:
        >>> da_arrays(np.array([[0]]), np.array([[0]]), np.array([0])).tolist()
        [-1]
        >>> da_arrays(np.array([[0, 1], [0, 1], [0, -1]]), np.array([[1, 0], [0, 1], [2, 0]]),
        ...           np.array([1, 1])).tolist()
        [1, 0, -1]
    """
    n, length = prefs.shape
    m = len(capacity)
    prefs, pair_rank = compact_acceptable(prefs, pair_rank)
    acceptable = pair_rank[pair_rank < UNACCEPTABLE]
    span = int(acceptable.max()) + 1 if acceptable.size else 1
    cap = capacity.astype(np.int64)
    nxt = np.zeros(n, dtype=np.int64)
    match = np.full(n, -1, dtype=np.int64)
    held_key = np.zeros(0, dtype=np.int64)  # receiver * span + rank, sorted
    held_who = np.zeros(0, dtype=np.int64)
    count = np.zeros(m, dtype=np.int64)  # proposals held per receiver
    free = np.arange(n)
    while free.size:
        k = nxt[free]
        free, k = free[k < length], k[k < length]
        choice = prefs[free, k]
        free, k, choice = free[choice >= 0], k[choice >= 0], choice[choice >= 0]
        if not free.size:
            break
        nxt[free] += 1
        key = choice * span + pair_rank[free, k]
        end = np.cumsum(count)
        worst = held_key[np.maximum(end - 1, 0)] if held_key.size else np.zeros(m, np.int64)
        # a full receiver (capacity 0 included) takes only what beats its worst held proposal
        enter = (count < cap)[choice] | ((count > 0)[choice] & (key < worst[choice]))
        refused = free[~enter]
        order = np.argsort(key[enter])
        who, key = free[enter][order], key[enter][order]
        at = np.searchsorted(held_key, key)
        held_key = np.insert(held_key, at, key)
        held_who = np.insert(held_who, at, who)
        school = key // span
        match[who] = school
        count += np.bincount(school, minlength=m)
        over = np.maximum(count - cap, 0)
        full = np.flatnonzero(over)
        if full.size:  # each such receiver drops the last `over` proposals of its segment
            drop = over[full]
            first = np.cumsum(count)[full] - drop
            idx = np.repeat(first - (np.cumsum(drop) - drop), drop) + np.arange(drop.sum())
            evicted = held_who[idx]
            held_key = np.delete(held_key, idx)
            held_who = np.delete(held_who, idx)
            count -= over
            match[evicted] = -1
            free = np.concatenate([refused, evicted])
        else:
            free = refused
    return match


def compact_acceptable(prefs: np.ndarray, pair_rank: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Drop from each list the receivers that find the proposer unacceptable (order kept).

    Example:
        >>> p, r = compact_acceptable(np.array([[0, 1]]), np.array([[UNACCEPTABLE, 3]]))
        >>> p.tolist(), int(r[0, 0]), bool(r[0, 1] == UNACCEPTABLE)
        ([[1, -1]], 3, True)
    """
    acceptable = (prefs >= 0) & (pair_rank < UNACCEPTABLE)
    order = np.argsort(~acceptable, axis=1, kind="stable")
    prefs_c = np.take_along_axis(np.where(acceptable, prefs, -1), order, axis=1)
    rank_c = np.take_along_axis(np.where(acceptable, pair_rank, UNACCEPTABLE), order, axis=1)
    return prefs_c, rank_c


def da_receivers_propose(market: Market) -> np.ndarray:
    """Receiver-proposing DA (receivers make offers down their lists, ``capacity`` at a time;
    proposers hold their best offer). Returns each proposer's receiver index.

    Example:
        >>> from hurwicz.mechanisms.matching.preferences import validate_two_sided, encode
        >>> mk = encode(validate_two_sided({"proposers": {"a": ["x", "y"], "b": ["x", "y"]},
        ...                                 "receivers": {"x": ["b", "a"], "y": ["a", "b"]}}))
        >>> da_receivers_propose(mk).tolist()
        [1, 0]
    """
    n = len(market.proposers)
    m = len(market.receivers)
    # proposer-side rank of each receiver, and receiver lists in order
    prop_rank = [dict() for _ in range(n)]
    for i in range(n):
        for k, j in enumerate(market.prefs[i]):
            if j >= 0:
                prop_rank[i][int(j)] = k
    lists: list[list[int]] = [[] for _ in range(m)]
    rows, cols = np.nonzero(market.pair_rank < UNACCEPTABLE)
    entries = sorted(zip(market.prefs[rows, cols], market.pair_rank[rows, cols], rows))
    for j, _, i in entries:
        lists[int(j)].append(int(i))
    pointer = [0] * m
    held: list[set[int]] = [set() for _ in range(m)]
    match = np.full(n, -1, dtype=np.int64)
    active = list(range(m))
    while active:
        j = active.pop()
        while len(held[j]) < market.capacity[j] and pointer[j] < len(lists[j]):
            i = lists[j][pointer[j]]
            pointer[j] += 1
            current = int(match[i])
            if current == -1 or prop_rank[i][j] < prop_rank[i][current]:
                if current != -1:
                    held[current].discard(i)
                    active.append(current)
                match[i] = j
                held[j].add(i)
    return match


class TieBreakParams(BaseModel):
    """How ties in receivers' priority lists are broken."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)
    tie_break: AgentTieBreak = Field(
        0, description="ties in receivers' lists: " + TIE_BREAK_DOC + "; default: the lottery "
        "with seed 0")
    lottery: Literal["single", "multiple"] = Field(
        "single", description="with a seeded tie_break: one lottery number per proposer "
        "shared by every receiver (single tie-breaking) or one per receiver and proposer "
        "(multiple)")


class DAParams(TieBreakParams):
    """Which side proposes, and how receivers' ties are broken."""

    proposing: Literal["proposers", "receivers"] = Field(
        "proposers", description="the side whose optimal stable matching is produced")


class TwoSidedMechanism(Mechanism):
    """Shared input and outcome of two-sided matching mechanisms."""

    family: ClassVar[str] = "matching"
    Input = TwoSidedInput
    Audit = TwoSidedAudit
    Params: ClassVar[type[BaseModel]] = TieBreakParams

    def parse_input(self, data: Any) -> TwoSidedInput:
        return validate_two_sided(data)

    def match_indices(self, market: Market) -> np.ndarray:
        raise NotImplementedError

    def run_parsed(self, inp: TwoSidedInput) -> Outcome:
        market = encode(inp, self.params.tie_break, self.params.lottery)
        return two_sided_outcome(self, market, self.match_indices(market))


def two_sided_outcome(mech: Mechanism, market: Market, match: np.ndarray) -> Outcome:
    """The Outcome of a two-sided matching, built with array operations: ``matching`` and
    ``unmatched`` in proposers' name order, ``assigned[receiver]`` in name order too.

    Example:
        >>> import hurwicz as hz
        >>> from hurwicz.mechanisms.matching.preferences import encode, validate_two_sided
        >>> mk = encode(validate_two_sided({"proposers": {"b": ["x"], "a": ["x"]},
        ...                                 "receivers": {"x": ["b", "a"]}}))
        >>> two_sided_outcome(hz.mechanism("matching.boston"), mk, np.array([0, 0])).result
        {'matching': {'a': 'x', 'b': 'x'}, 'assigned': {'x': ['a', 'b']}, 'unmatched': []}
    """
    proposers, receivers = market.proposers, market.receivers
    partner = [*receivers, None]  # index -1: unmatched
    matching = dict(zip(proposers, map(partner.__getitem__, match.tolist())))
    by_receiver = np.argsort(match, kind="stable")  # stable: names in order within a receiver
    bounds = np.searchsorted(match[by_receiver], np.arange(len(receivers) + 1)).tolist()
    ordered = list(map(proposers.__getitem__, by_receiver.tolist()))
    assigned = {r: ordered[bounds[j]:bounds[j + 1]] for j, r in enumerate(receivers)}
    unmatched = ordered[:bounds[0]]
    allocation: dict[str, Any] = {**matching, **assigned}
    payments = dict.fromkeys(allocation, 0.0)
    return Outcome(mech.name, mech.param_dict(), allocation, payments,
                   {"matching": matching, "assigned": assigned, "unmatched": unmatched},
                   {"matched": len(matching) - len(unmatched)})


@register
class DeferredAcceptance(TwoSidedMechanism):
    """Deferred acceptance: stable, and optimal for the proposing side; strategy-proof for
    the proposing side (Dubins & Freedman 1981; Roth 1982).

    Example:
        >>> import hurwicz as hz
        >>> data = {"proposers": {"m1": ["w1", "w2"], "m2": ["w2", "w1"]},
        ...         "receivers": {"w1": ["m2", "m1"], "w2": ["m1", "m2"]}}
        >>> hz.mechanism("matching.deferred_acceptance").run(data).result["matching"]
        {'m1': 'w1', 'm2': 'w2'}
        >>> hz.mechanism("matching.deferred_acceptance", proposing="receivers").run(
        ...     data).result["matching"]
        {'m1': 'w2', 'm2': 'w1'}
    """

    name = "matching.deferred_acceptance"
    version = "2"
    summary = "Gale–Shapley deferred acceptance (either side proposing, capacities, ties)."
    Params = DAParams
    # strategy-proofness holds for the proposing side only (Dubins & Freedman 1981), and the
    # audited reports are the proposers' lists
    claims = ("stable", Claim("strategyproof", when=lambda p: p.proposing == "proposers",
                              condition="proposing = proposers"))

    def match_indices(self, market: Market) -> np.ndarray:
        if self.params.proposing == "proposers":
            return da_arrays(market.prefs, market.pair_rank, market.capacity)
        return da_receivers_propose(market)

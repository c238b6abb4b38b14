"""More ranked rules: two-round runoff, Coombs, Baldwin, Nanson and Bucklin.

Example:
    >>> import hurwicz as hz
    >>> data = {"candidates": ["a", "b", "c"], "ballots": [
    ...     {"ranking": ["a", "b", "c"], "count": 4}, {"ranking": ["b", "c", "a"], "count": 3},
    ...     {"ranking": ["c", "b", "a"], "count": 2}]}
    >>> [hz.mechanism(r).run(data).result["winners"][0] for r in
    ...  ("voting.runoff", "voting.coombs", "voting.baldwin", "voting.nanson", "voting.bucklin")]
    ['b', 'b', 'b', 'b', 'b']

Tallies are compared exactly. ``result.tied`` is the parallel-universe winner set for the
elimination rules (Coombs, Baldwin: every branch where the tie-break picks whom to eliminate is
followed, as for IRV in :mod:`.ranked`; the runoff: every pair of finalists some tie-break
admits, and either finalist of a tied head-to-head), the candidates left when Nanson stops, and
the top counts for Bucklin; ``result.tie_broken`` says whether the tie-break decided anything.
"""

from __future__ import annotations

import itertools
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, Field

from hurwicz.core.errors import InputError
from hurwicz.core.registry import register

from .profile import Profile, exact_bincount
from .ranked import RankedParams, RankedRule, Round, _mask, count_value, eliminate


def active_borda(p: Profile, active: np.ndarray) -> np.ndarray:
    """Borda scores over the active candidates only (positions among them; unranked active
    candidates score 0).

    Example:
        >>> p = Profile.from_arrays(["a", "b", "c"], np.array([[2, 0, 1]]))
        >>> active_borda(p, np.array([True, True, False])).tolist()
        [1, 0, 0]
    """
    # a ranked candidate earns one point per active candidate below it (ranked lower, or
    # unranked): the row sums of the pairwise support matrix over the active columns
    support = p.support()[:, active]
    if p.voters * max(int(active.sum()) - 1, 1) >= 2**63:  # Python integers beyond int64
        support = support.astype(object)
    return np.where(active, support.sum(axis=1), 0)


def _majority(tally: np.ndarray, left: Any) -> int | None:
    """The candidate with more than half of the (exact) first choices among ``left``."""
    values = {int(c): tally[c] for c in left}
    live = sum(values.values())
    top = max(values, key=values.__getitem__)
    return top if values[top] * 2 > live else None


def _duel(p: Profile, a: int, b: int) -> tuple[int, int]:
    """Voters ranking a above b, and b above a."""
    return p.prefer(a, b), p.prefer(b, a)


#: How many of a ballot's preferences count in the runoff, per ``voting.runoff`` variant.
RUNOFF_DEPTH: dict[str, int | None] = {"two_round": None, "supplementary": 2, "sri_lankan": 3}


def _duel_within(p: Profile, a: int, b: int, depth: int | None) -> tuple[int, int]:
    """Ballots whose first ``depth`` preferences name a before b (or a and not b), and the
    reverse (strict ballots)."""
    r = p.rankings if depth is None else p.rankings[:, :depth]
    width = r.shape[1]
    at_a, at_b = r == a, r == b
    pos_a = np.where(at_a.any(axis=1), at_a.argmax(axis=1), width)
    pos_b = np.where(at_b.any(axis=1), at_b.argmax(axis=1), width)
    return int(p.counts[pos_a < pos_b].sum()), int(p.counts[pos_b < pos_a].sum())


class RunoffParams(RankedParams):
    """Which top-two runoff."""

    variant: Literal["two_round", "supplementary", "sri_lankan"] = Field(
        "two_round", description="runoff count: every preference (two_round, the contingent "
        "vote), only the first two (supplementary) or the first three (sri_lankan)")


@register
class TwoRoundRunoff(RankedRule):
    """Top-two runoff: a first-choice majority wins; otherwise the two candidates with the
    most first choices meet head to head (ties by the tie-break). ``variant`` says which
    preferences count in that runoff:

    * ``"two_round"`` (default): each ballot goes to the finalist it ranks higher — a sincere
      second round, which on ranked ballots is the *contingent vote* (all lower preferences
      transfer);
    * ``"supplementary"``: the supplementary vote (London mayoral elections 2000–2021,
      Greater London Authority Act 1999, Sch. 2): only a ballot's first two preferences
      count, so a ballot whose first choice is out transfers only if its second choice is a
      finalist;
    * ``"sri_lankan"``: the Sri Lankan contingent vote (Constitution of Sri Lanka, Art. 94):
      the first three preferences count.

    The limited variants accept strict (possibly truncated) ballots only.

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("voting.runoff").summary.startswith("Top two")
        True
    """

    name = "voting.runoff"
    summary = "Top two by first choices meet in a majority runoff."
    claims = ("anonymous",)
    #: 4: ``variant`` (the default, two_round, counts as before; params now list it)
    version: ClassVar[str] = "4"
    Params: ClassVar[type[BaseModel]] = RunoffParams

    def parse_input(self, data: Any) -> Profile:
        profile = super().parse_input(data)
        if profile.tiers is not None and self.params.variant != "two_round":
            raise InputError("ballots", f"the {self.params.variant} runoff reads ballots "
                             "preference by preference: give strict (possibly truncated) "
                             "rankings")
        return profile

    def decide(self, p: Profile, prio: list[int]) -> dict[str, Any]:
        m = len(p.candidates)
        rank = {c: k for k, c in enumerate(prio)}
        depth = RUNOFF_DEPTH[self.params.variant]

        def duel(x: int, y: int) -> tuple[int, int]:
            return _duel(p, x, y) if depth is None else _duel_within(p, x, y, depth)

        tally = p.first_choices()
        rounds = [{"tally": {c: count_value(tally[c]) for c in range(m)}, "eliminated": None}]
        direct = _majority(tally, range(m))
        if direct is not None or m == 1:
            winner = 0 if direct is None else direct
            return {"winner": winner, "tied": [winner], "tie_broken": False, "rounds": rounds}
        values = tally.tolist()
        a, b = sorted(range(m), key=lambda c: (-values[c], rank[c]))[:2]
        votes_a, votes_b = duel(a, b)
        winner = a if votes_a > votes_b or (votes_a == votes_b and rank[a] < rank[b]) else b
        rounds.append({"tally": {a: votes_a, b: votes_b}, "eliminated": b if winner == a else a})
        # every pair of finalists some tie-break admits, and both finalists of a tied duel
        tops = [c for c in range(m) if values[c] == values[a]]
        pairs = (list(itertools.combinations(tops, 2)) if len(tops) > 1 else
                 [(a, c) for c in range(m) if c != a and values[c] == values[b]])
        tied: set[int] = set()
        for x, y in pairs:
            vx, vy = duel(x, y)
            tied |= {x} if vx > vy else {y} if vy > vx else {x, y}
        return {"winner": winner, "tied": sorted(tied),
                "tie_broken": len(pairs) > 1 or votes_a == votes_b, "rounds": rounds}


@register
class Coombs(RankedRule):
    """Coombs: until someone has a first-choice majority, eliminate the candidate ranked last
    by the most voters (complete rankings required).

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("voting.coombs").family
        'voting'
    """

    name = "voting.coombs"
    summary = "Eliminate the most last places until a majority."
    claims = ("anonymous",)
    supports_ties = False

    def decide(self, p: Profile, prio: list[int]) -> dict[str, Any]:
        m = len(p.candidates)
        if (p.rankings < 0).any():
            raise InputError("ballots", "Coombs needs complete rankings (every candidate "
                             "ranked)")
        rev = Profile(p.candidates, p.rankings[:, ::-1], p.counts)

        def count_round(left: frozenset[int]) -> Round:
            active = _mask(m, left)
            winner = _majority(p.first_choices(active), sorted(left))
            if winner is not None or len(left) == 1:
                return (min(left) if winner is None else winner), {}, [], False
            lasts = rev.first_choices(active)
            values = {c: int(lasts[c]) for c in sorted(left)}
            most = max(values.values())
            return None, values, [c for c, v in values.items() if v == most], False

        return eliminate(m, prio, count_round)


@register
class Baldwin(RankedRule):
    """Baldwin: repeatedly eliminate the lowest Borda score among the remaining candidates.

    Example:
        >>> import hurwicz as hz
        >>> "condorcet" in hz.mechanism("voting.baldwin").claims
        True
    """

    name = "voting.baldwin"
    summary = "Eliminate the lowest Borda score, recomputed each round."
    claims = ("anonymous", "condorcet")
    supports_ties = False

    def decide(self, p: Profile, prio: list[int]) -> dict[str, Any]:
        m = len(p.candidates)

        def count_round(left: frozenset[int]) -> Round:
            if len(left) == 1:
                (last,) = left
                return last, {last: 0}, [], False
            scores = active_borda(p, _mask(m, left))
            values = {c: int(scores[c]) for c in sorted(left)}
            low = min(values.values())
            return None, values, [c for c, v in values.items() if v == low], False

        return eliminate(m, prio, count_round)


@register
class Nanson(RankedRule):
    """Nanson: repeatedly eliminate every candidate whose Borda score (among those left) is
    below the average; if all are equal, the tie-break decides.

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("voting.nanson").name
        'voting.nanson'
    """

    name = "voting.nanson"
    summary = "Eliminate all below-average Borda scores, recomputed each round."
    claims = ("anonymous", "condorcet")
    supports_ties = False

    def decide(self, p: Profile, prio: list[int]) -> dict[str, Any]:
        rank = {c: k for k, c in enumerate(prio)}
        active = np.ones(len(p.candidates), bool)
        rounds = []
        while active.sum() > 1:
            scores = active_borda(p, active)
            live = [int(c) for c in np.nonzero(active)[0]]
            total = sum(int(scores[c]) for c in live)
            below = [c for c in live if int(scores[c]) * len(live) < total]  # below the mean
            if not below:
                break
            rounds.append({"tally": {c: int(scores[c]) for c in live}, "eliminated": below[0]})
            active[below] = False
        left = [int(c) for c in np.nonzero(active)[0]]
        winner = min(left, key=rank.__getitem__)
        rounds.append({"tally": {}, "eliminated": None})
        return {"winner": winner, "tied": left, "tie_broken": len(left) > 1, "rounds": rounds}


@register
class Bucklin(RankedRule):
    """Bucklin: for k = 1, 2, ..., count each candidate's appearances in the top k; the first
    time some candidate reaches a majority of voters, the largest such count wins.

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("voting.bucklin").claims
        ('anonymous',)
    """

    name = "voting.bucklin"
    summary = "Widen the ranks counted until someone has a majority."
    claims = ("anonymous",)
    supports_ties = False

    def decide(self, p: Profile, prio: list[int]) -> dict[str, Any]:
        m = len(p.candidates)
        rank = {c: k for k, c in enumerate(prio)}
        total = p.voters
        counts = np.zeros(m, dtype=np.int64)
        rounds = []
        for k in range(m):
            column = p.rankings[:, k]
            has = column >= 0
            counts += exact_bincount(column[has], p.counts[has], m)
            rounds.append({"tally": {c: int(counts[c]) for c in range(m)}, "eliminated": None})
            if int(counts.max()) * 2 > total:
                break
        top = int(counts.max())
        tied = [c for c in range(m) if int(counts[c]) == top]
        winner = min(tied, key=rank.__getitem__)
        return {"winner": winner, "tied": tied, "rounds": rounds, "scores": counts}

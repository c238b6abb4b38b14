"""More ranked rules: two-round runoff, Coombs, Baldwin, Nanson and Bucklin.

Example:
    >>> import hurwicz as hz
    >>> data = {"candidates": ["a", "b", "c"], "ballots": [
    ...     {"ranking": ["a", "b", "c"], "count": 4}, {"ranking": ["b", "c", "a"], "count": 3},
    ...     {"ranking": ["c", "b", "a"], "count": 2}]}
    >>> [hz.mechanism(r).run(data).result["winners"][0] for r in
    ...  ("voting.runoff", "voting.coombs", "voting.baldwin", "voting.nanson", "voting.bucklin")]
    ['b', 'b', 'b', 'b', 'b']
"""

from __future__ import annotations

from typing import Any

import numpy as np

from hurwicz.core.errors import InputError
from hurwicz.core.registry import register

from .profile import Profile
from .ranked import RankedRule, count_value


def active_borda(p: Profile, active: np.ndarray) -> np.ndarray:
    """Borda scores over the active candidates only (positions among them; unranked active
    candidates score 0).

    Example:
        >>> p = Profile.from_arrays(["a", "b", "c"], np.array([[2, 0, 1]]))
        >>> active_borda(p, np.array([True, True, False])).tolist()
        [1, 0, 0]
    """
    m = len(p.candidates)
    k = int(active.sum())
    r = p.rankings
    keep = (r >= 0) & active[np.maximum(r, 0)]
    pos = np.cumsum(keep, axis=1) - 1
    scores = np.zeros(m, dtype=np.int64)
    rows, cols = np.nonzero(keep)
    np.add.at(scores, r[rows, cols], (k - 1 - pos[rows, cols]) * p.counts[rows])
    return scores


def _loser(scores: dict[int, float], rank: dict[int, int]) -> int:
    low = min(scores.values())
    return max((c for c, s in scores.items() if s == low), key=rank.__getitem__)


def _majority(p: Profile, active: np.ndarray) -> int | None:
    tally = p.first_choices(active)
    top = int(np.argmax(np.where(active, tally, -1)))
    live = tally[active].sum()
    return top if tally[top] * 2 > live + 1e-9 * max(live, 1.0) else None


@register
class TwoRoundRunoff(RankedRule):
    """Two-round runoff: a first-choice majority wins; otherwise the two candidates with the
    most first choices meet head to head (ties by the tie-break).

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("voting.runoff").summary.startswith("Top two")
        True
    """

    name = "voting.runoff"
    summary = "Top two by first choices meet in a majority runoff."
    claims = ("anonymous",)

    def decide(self, p: Profile, prio: list[int]) -> dict[str, Any]:
        m = len(p.candidates)
        rank = {c: k for k, c in enumerate(prio)}
        everyone = np.ones(m, bool)
        direct = _majority(p, everyone)
        tally = p.first_choices()
        rounds = [{"tally": {c: count_value(tally[c]) for c in range(m)}, "eliminated": None}]
        if direct is not None:
            return {"winner": direct, "tied": [direct], "rounds": rounds}
        finalists = sorted(range(m), key=lambda c: (-tally[c], rank[c]))[:2]
        a, b = finalists
        pos = p.positions()
        votes_a = int(p.counts[pos[:, a] < pos[:, b]].sum())
        votes_b = int(p.counts[pos[:, b] < pos[:, a]].sum())
        winner = a if votes_a > votes_b or (votes_a == votes_b and rank[a] < rank[b]) else b
        rounds.append({"tally": {a: votes_a, b: votes_b}, "eliminated": b if winner == a else a})
        return {"winner": winner, "tied": [winner], "rounds": rounds}


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
        rank = {c: k for k, c in enumerate(prio)}
        active = np.ones(m, bool)
        rounds = []
        while True:
            winner = _majority(p, active)
            if winner is not None or active.sum() == 1:
                winner = winner if winner is not None else int(np.nonzero(active)[0][0])
                rounds.append({"tally": {}, "eliminated": None})
                return {"winner": winner, "tied": [winner], "rounds": rounds}
            reversed_rankings = p.rankings[:, ::-1]
            rev = Profile(p.candidates, reversed_rankings, p.counts)
            lasts = rev.first_choices(active)
            scores = {int(c): -float(lasts[c]) for c in np.nonzero(active)[0]}
            out = _loser(scores, rank)
            rounds.append({"tally": {c: int(lasts[c]) for c in np.nonzero(active)[0]},
                           "eliminated": out})
            active[out] = False


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
        rank = {c: k for k, c in enumerate(prio)}
        active = np.ones(len(p.candidates), bool)
        rounds = []
        while active.sum() > 1:
            scores = active_borda(p, active)
            live = {int(c): float(scores[c]) for c in np.nonzero(active)[0]}
            out = _loser(live, rank)
            rounds.append({"tally": {c: int(v) for c, v in live.items()}, "eliminated": out})
            active[out] = False
        winner = int(np.nonzero(active)[0][0])
        rounds.append({"tally": {winner: 0}, "eliminated": None})
        return {"winner": winner, "tied": [winner], "rounds": rounds}


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
            live = np.nonzero(active)[0]
            mean = scores[live].mean()
            below = [int(c) for c in live if scores[c] < mean]
            if not below:
                break
            rounds.append({"tally": {int(c): int(scores[c]) for c in live},
                           "eliminated": below[0]})
            active[below] = False
        left = [int(c) for c in np.nonzero(active)[0]]
        winner = min(left, key=rank.__getitem__)
        rounds.append({"tally": {}, "eliminated": None})
        return {"winner": winner, "tied": left, "rounds": rounds}


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
            counts += np.bincount(column[has], weights=p.counts[has], minlength=m).astype(
                np.int64)
            rounds.append({"tally": {c: int(counts[c]) for c in range(m)}, "eliminated": None})
            if counts.max() * 2 > total:
                break
        top = counts.max()
        tied = [c for c in range(m) if counts[c] == top]
        winner = min(tied, key=rank.__getitem__)
        return {"winner": winner, "tied": tied, "rounds": rounds, "scores": counts}

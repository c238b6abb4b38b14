"""Kemeny–Young: the ranking that agrees with the most pairwise preferences, exactly, as an
integer program on HiGHS (``scipy.optimize.milp``).

Variables x_ab ∈ {0, 1} (a above b) with x_ab + x_ba = 1 and x_ab + x_bc + x_ca ≤ 2 for every
triple (no cycles); maximise Σ support(a over b)·x_ab (solved with a zero MIP gap). Among
optimal rankings the tie-break picks the first in lexicographic priority order: place by place,
the highest-priority candidate that some optimal ranking puts there (one small feasibility ILP
per try, constrained to the optimal score), so the result is deterministic and independent of
how the solver explores the optimal face.
The problem is NP-hard: at most ``MAX_CANDIDATES`` candidates are accepted, with a clear message.

Example:
    >>> import hurwicz as hz
    >>> out = hz.mechanism("voting.kemeny_young").run({"candidates": ["a", "b", "c"],
    ...     "ballots": [{"ranking": ["a", "b", "c"], "count": 2}, {"ranking": ["b", "c", "a"]}]})
    >>> out.result["ranking"], out.result["kemeny_score"]
    (['a', 'b', 'c'], 7.0)
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from hurwicz.core.errors import InputError, SolverError
from hurwicz.core.registry import register

from .profile import Profile
from .ranked import RankedRule

MAX_CANDIDATES = 12


def kemeny_ranking(p: Profile, prio: list[int]) -> tuple[list[int], float]:
    """The Kemeny ranking (candidate indices, best first) and its agreement score.

    Example:
        >>> p = Profile.from_arrays(["a", "b"], np.array([[1, 0], [1, 0], [0, 1]]))
        >>> kemeny_ranking(p, [0, 1])
        ([1, 0], 2.0)
    """
    m = len(p.candidates)
    if m > MAX_CANDIDATES:
        raise InputError("candidates", f"Kemeny–Young is NP-hard: the exact ILP accepts at most "
                         f"{MAX_CANDIDATES} candidates (got {m})")
    if m == 1:
        return [0], 0.0
    margins = p.margins()
    support = (margins + np.abs(margins)) // 2  # only the net support matters for the optimum
    pairs = [(a, b) for a in range(m) for b in range(m) if a != b]
    col = {pr: k for k, pr in enumerate(pairs)}
    cost = -np.array([support[a, b] for a, b in pairs], float)
    rows, cols, vals, lo, hi = [], [], [], [], []
    r = 0
    for a, b in itertools.combinations(range(m), 2):
        rows += [r, r]
        cols += [col[(a, b)], col[(b, a)]]
        vals += [1.0, 1.0]
        lo.append(1.0)
        hi.append(1.0)
        r += 1
    for a, b, c in itertools.permutations(range(m), 3):
        if a < b and a < c:  # each directed triangle once per orientation
            rows += [r, r, r]
            cols += [col[(a, b)], col[(b, c)], col[(c, a)]]
            vals += [1.0, 1.0, 1.0]
            lo.append(-np.inf)
            hi.append(2.0)
            r += 1
    matrix = sparse.csr_matrix((vals, (rows, cols)), shape=(r, len(pairs)))
    base = [LinearConstraint(matrix, lo, hi)]
    exact = {"mip_rel_gap": 0.0}

    def solve(extra: list, lower: np.ndarray) -> Any:
        res = milp(cost, integrality=np.ones(len(pairs)), bounds=Bounds(lower, 1),
                   constraints=base + extra, options=exact)
        return res if res.status == 0 and res.x is not None else None

    first = solve([], np.zeros(len(pairs)))
    if first is None:
        raise SolverError("HiGHS found no Kemeny ranking", "kemeny_young")
    # supports are whole numbers: keep every later solve on the optimal face
    optimal = [LinearConstraint(-cost[None, :], -first.fun - 0.5, np.inf)]
    # tie-break: the first optimal ranking in lexicographic priority order, fixed place by place
    order: list[int] = []
    lower = np.zeros(len(pairs))
    remaining = list(prio)
    while len(remaining) > 1:
        for c in remaining:
            trial = lower.copy()
            for d in remaining:
                if d != c:
                    trial[col[(c, d)]] = 1.0
            if solve(optimal, trial) is not None:
                lower = trial
                order.append(c)
                remaining.remove(c)
                break
        else:  # pragma: no cover - the optimal face always has a next candidate
            raise SolverError("Kemeny tie-break found no candidate", "kemeny_young")
    order += remaining
    # agreement score: voters' pairwise preferences that the ranking respects
    pos = p.positions()
    score = 0.0
    for i, a in enumerate(order):
        for b in order[i + 1:]:
            score += float(p.counts[pos[:, a] < pos[:, b]].sum())
    return order, score


@register
class KemenyYoung(RankedRule):
    """Kemeny–Young (exact ILP on HiGHS, at most 12 candidates).

    Example:
        >>> import hurwicz as hz
        >>> "condorcet" in hz.mechanism("voting.kemeny_young").claims
        True
    """

    name = "voting.kemeny_young"
    summary = "Ranking agreeing with the most pairwise preferences (exact ILP)."
    claims = ("anonymous", "condorcet")

    def decide(self, p: Profile, prio: list[int]) -> dict[str, Any]:
        order, score = kemeny_ranking(p, prio)
        m = len(order)
        scores = np.zeros(m)
        for k, c in enumerate(order):
            scores[c] = m - k
        return {"winner": order[0], "tied": [order[0]], "scores": scores,
                "margins": p.margins(), "extra": {"kemeny_score": score}}

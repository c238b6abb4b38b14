"""Kemeny–Young: the ranking that agrees with the most pairwise preferences, exactly, as an
integer program on HiGHS (``scipy.optimize.milp``).

Variables x_ab ∈ {0, 1} (a above b) with x_ab + x_ba = 1 and x_ab + x_bc + x_ca ≤ 2 for every
triple (no cycles); maximise Σ support(a over b)·x_ab. Equal-score rankings are separated by a
bonus smaller than one vote that favours the tie-break order, so the result is deterministic.
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
    rank = {c: k for k, c in enumerate(prio)}
    eps = 1.0 / (m ** 3)
    cost = -np.array([support[a, b] + eps * (rank[b] > rank[a]) for a, b in pairs], float)
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
    res = milp(cost, integrality=np.ones(len(pairs)), bounds=Bounds(0, 1),
               constraints=[LinearConstraint(matrix, lo, hi)])
    if res.status != 0 or res.x is None:
        raise SolverError(f"HiGHS: {res.message}", "kemeny_young")
    x = np.round(res.x)
    above = np.zeros(m)
    for (a, _b), v in zip(pairs, x):
        above[a] += v
    order = sorted(range(m), key=lambda c: -above[c])
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

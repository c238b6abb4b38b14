"""Kemeny–Young: the ranking that agrees with the most pairwise preferences, exactly, as an
integer program on HiGHS (``scipy.optimize.milp``).

Variables x_ab ∈ {0, 1} (a above b) with x_ab + x_ba = 1 and x_ab + x_bc + x_ca ≤ 2 for every
triple (no cycles); maximise Σ support(a over b)·x_ab. Supports are whole numbers, so the
solve runs with a zero relative MIP gap and its optimality proof is checked (model status and a
final gap below 0.5: :func:`hurwicz.core.highs.milp_proof`); the chosen ranking's support is
then recomputed in integers and must equal the proven optimum exactly (``result.exact``). Among
optimal rankings the tie-break picks the first in lexicographic priority order: place by place,
the highest-priority candidate that some optimal ranking puts there (one small feasibility ILP
per try, constrained to the optimal score), so the result is deterministic and independent of
how the solver explores the optimal face. ``result.tied`` lists every candidate that tops some
optimal ranking (one more feasibility ILP on the optimal face per candidate, exact for the same
reason), so it is the set of winners over all tie-breaking orders; ``result.tie_broken`` is
true when it has more than one.
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

from hurwicz.core.errors import InputError, SolverError
from hurwicz.core.registry import register

from .profile import Profile
from .ranked import RankedRule

MAX_CANDIDATES = 12
#: The net pairwise supports must sum to less than this: every partial sum of the ILP's
#: objective is then an integer a double holds exactly, with room for the half-unit margins.
EXACT_TOTAL = 2**52


def kemeny_ranking(p: Profile, prio: list[int]) -> tuple[list[int], float]:
    """The Kemeny ranking (candidate indices, best first) and its agreement score.

    Example:
        >>> p = Profile.from_arrays(["a", "b"], np.array([[1, 0], [1, 0], [0, 1]]))
        >>> kemeny_ranking(p, [0, 1])
        ([1, 0], 2.0)
    """
    order, score, _ = kemeny_solve(p, prio)
    return order, score


def kemeny_solve(p: Profile, prio: list[int]) -> tuple[list[int], float, list[int]]:
    """The Kemeny ranking, its agreement score and every candidate that tops some optimal
    ranking (sorted).

    Example:
        >>> p = Profile.from_arrays(["a", "b"], np.array([[1, 0], [0, 1]]))
        >>> kemeny_solve(p, [1, 0])
        ([1, 0], 1.0, [0, 1])
    """
    m = len(p.candidates)
    if m > MAX_CANDIDATES:
        raise InputError("candidates", f"Kemeny–Young is NP-hard: the exact ILP accepts at most "
                         f"{MAX_CANDIDATES} candidates (got {m})")
    if m == 1:
        return [0], 0.0, [0]
    from scipy import sparse  # imported here: loading the voting rules stays quick
    from scipy.optimize import Bounds, LinearConstraint, milp

    from hurwicz.core.highs import INTEGER_ABS_GAP, milp_options, milp_proof

    margins = p.margins()
    support = (margins + np.abs(margins)) // 2  # only the net support matters for the optimum
    total = sum(int(v) for v in support.ravel())
    if total >= EXACT_TOTAL:
        raise InputError("ballots", "Kemeny–Young's exact ILP works in double precision: the "
                         f"net pairwise supports sum to {total}, at least 2**52, where sums of "
                         "them are no longer exact (use fewer voters or scale the counts)")
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
    options = milp_options()

    def solve(objective: np.ndarray, extra: list, lower: np.ndarray) -> Any:
        res = milp(objective, integrality=np.ones(len(pairs)), bounds=Bounds(lower, 1),
                   constraints=base + extra, options=options)
        if res.status == 2:  # infeasible: no optimal ranking with this prefix
            return None
        if res.status != 0 or res.x is None:
            raise SolverError(f"HiGHS: {res.message}", "kemeny_young")
        return res

    first = solve(cost, [], np.zeros(len(pairs)))
    proof = milp_proof(first, INTEGER_ABS_GAP) if first is not None else None
    if proof is None or not proof.exact:
        raise SolverError("HiGHS did not prove a Kemeny ranking optimal"
                          + (f" ({proof.status}, gap {proof.gap:.3g})" if proof else ""),
                          "kemeny_young")
    best = round(-first.fun)  # supports are whole numbers
    # keep every later solve on the optimal face; any ranking there will do (zero objective)
    optimal = [LinearConstraint(-cost[None, :], best - 0.5, np.inf)]
    feasible = np.zeros(len(pairs))
    # tie-break: the first optimal ranking in lexicographic priority order, fixed place by place
    order: list[int] = []
    lower = np.zeros(len(pairs))
    remaining = list(prio)

    def fixed_next(c: int) -> np.ndarray:
        trial = lower.copy()
        for d in remaining:
            if d != c:
                trial[col[(c, d)]] = 1.0
        return trial

    tops: list[int] = []
    while len(remaining) > 1:
        for c in remaining:
            trial = fixed_next(c)
            if solve(feasible, optimal, trial) is not None:
                if not order:  # which other candidates top some optimal ranking?
                    tops = [c] + [d for d in remaining if d != c and solve(
                        feasible, optimal, fixed_next(d)) is not None]
                lower = trial
                order.append(c)
                remaining.remove(c)
                break
        else:  # pragma: no cover - the optimal face always has a next candidate
            raise SolverError("Kemeny tie-break found no candidate", "kemeny_young")
    order += remaining
    net = sum(int(support[a, b]) for i, a in enumerate(order) for b in order[i + 1:])
    if net != best:  # exact integer check of the solver's answer
        raise SolverError(f"the Kemeny ranking's support {net} differs from the proven "
                          f"optimum {best}", "kemeny_young")
    # agreement score: voters' pairwise preferences that the ranking respects
    agree = p.support()  # voters ranking a above b, for every pair
    score = sum(int(agree[a, b]) for i, a in enumerate(order) for b in order[i + 1:])
    return order, float(score), sorted(tops)


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
        order, score, tops = kemeny_solve(p, prio)
        m = len(order)
        scores = np.zeros(m, dtype=np.int64)
        for k, c in enumerate(order):
            scores[c] = m - k
        # kemeny_solve raises unless the optimum is proven and matched in integers
        return {"winner": order[0], "tied": tops, "scores": scores,
                "margins": p.margins(), "extra": {"kemeny_score": score, "exact": True}}

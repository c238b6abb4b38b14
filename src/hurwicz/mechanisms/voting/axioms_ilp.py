"""Solver back ends of :mod:`hurwicz.mechanisms.voting.axioms`: feasibility ILPs on HiGHS that
search for a violating candidate set T (PJR, EJR, FJR, the core), and an exact LP for
priceability.

Every ILP here is a *feasibility* problem over 0/1 variables with integer coefficients: x_c
(c ∈ T), z_g (ballot group g joins the coalition, all its voters at once — adding more voters
with the same ballot never hurts a coalition in these axioms) and, for PJR, s_c (committee
members the coalition may approve). HiGHS either proves it infeasible (branch and bound
exhausted: the axiom holds) or returns a point whose T the caller turns into a coalition and
checks again in exact integers; a point that fails that check raises
:class:`~hurwicz.core.errors.SolverError` (never a wrong verdict).

Priceability (Lackner & Skowron 2023, Definition 4.8; Peters & Skowron 2020) is a linear
feasibility problem. HiGHS's simplex returns an optimal *basis*; the basic solution is then
recomputed exactly in Fractions (Gauss–Jordan on the basis columns) and every constraint is
checked exactly. When HiGHS says the LP is infeasible, a Farkas certificate y ≥ 0 with
Aᵀy ≥ 0 and bᵀy < 0 is found by a second LP and recomputed and checked the same way.

Example:
    >>> exact_vertex([{0: 1, 1: 1}], [Fraction(1)], [Fraction(1)], 2, [1, 2])
    [Fraction(1, 1), Fraction(0, 1)]
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import numpy as np

from hurwicz.core.errors import SolverError

ILP_TIME_LIMIT = 120.0  # seconds per ILP; beyond it the check raises SolverError


def _milp_feasible(n_var: int, entries: list[tuple[int, int, int]], lower: list[float],
                   upper: list[float]) -> np.ndarray | None:
    """A 0/1 point with lower ≤ A x ≤ upper (A given as (row, col, value) entries), or None
    when HiGHS proves there is none."""
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_matrix

    from hurwicz.core.highs import milp_options

    rows, cols, vals = zip(*entries, strict=True) if entries else ((), (), ())
    matrix = coo_matrix((np.array(vals, float), (np.array(rows, int), np.array(cols, int))),
                        shape=(len(lower), n_var)).tocsr()
    res = milp(np.zeros(n_var), constraints=[LinearConstraint(matrix, lower, upper)],
               integrality=np.ones(n_var), bounds=Bounds(0, 1),
               options=milp_options(ILP_TIME_LIMIT))
    if res.status == 2:  # proven infeasible
        return None
    if res.status != 0 or res.x is None:
        raise SolverError(f"HiGHS did not decide the ILP: {res.message}", "axioms")
    return np.round(res.x).astype(int)


def _coalition_rows(approvals: np.ndarray, allowed: Sequence[int], m: int, zoff: int
                    ) -> tuple[list[tuple[int, int, int]], list[float], list[float]]:
    """Rows z_g + x_c ≤ 1 for every allowed group g and candidate c ∉ A_g (the coalition
    approves every member of T)."""
    entries, lower, upper = [], [], []
    for j, g in enumerate(allowed):
        for c in np.nonzero(~approvals[g])[0].tolist():
            r = len(lower)
            entries += [(r, zoff + j, 1), (r, c, 1)]
            lower.append(-np.inf)
            upper.append(1.0)
    return entries, lower, upper


def _size_rows(entries: list, lower: list, upper: list, m: int, zoff: int,
               allowed: Sequence[int], counts: Sequence[int], n: int, k: int,
               margin: float = 0.0) -> None:
    """n·|T| − k·(coalition size) ≤ −margin and |T| ≥ 1 (a positive margin keeps HiGHS's
    feasibility tolerance from accepting a coalition a few voters short when counts are
    large: see :func:`size_margin`)."""
    r = len(lower)
    entries += [(r, c, n) for c in range(m)]
    entries += [(r, zoff + j, -k * int(counts[g])) for j, g in enumerate(allowed)]
    lower.append(-np.inf)
    upper.append(-float(margin))
    r += 1
    entries += [(r, c, 1) for c in range(m)]
    lower.append(1.0)
    upper.append(np.inf)


def size_margin(counts: Sequence[int], n: int, k: int, attempt: int) -> float:
    """The slack demanded of the size row on retry ``attempt`` (0: none): a multiple of the
    row's largest coefficient times HiGHS's feasibility tolerance, ×16 per attempt.

    Example:
        >>> size_margin([1, 2], 3, 2, 0), size_margin([2**40], 2**40, 2, 1) > 1
        (0.0, True)
    """
    if attempt == 0:
        return 0.0
    scale = max(n, k * max(int(c) for c in counts))
    return max(0.5, 4e-6 * scale * 16 ** (attempt - 1))


def ejr_ilp(approvals: np.ndarray, counts: Sequence[int], hits: Sequence[int], n: int,
            k: int, margin: float = 0.0) -> list[int] | None:
    """A candidate set T (ℓ = |T|) approved by ≥ ℓ·n/k voters who each approve < ℓ committee
    members, or None when HiGHS proves there is none.

    Example:
        >>> A = np.array([[1, 1, 0, 0], [0, 0, 1, 1]], bool)  # committee {2, 3}
        >>> ejr_ilp(A, [2, 1], [0, 2], 3, 2) in ([0], [1]), ejr_ilp(A, [1, 2], [0, 2], 3, 2)
        (True, None)
    """
    groups, m = approvals.shape
    allowed = [g for g in range(groups) if hits[g] < k]
    zoff = m
    entries, lower, upper = _coalition_rows(approvals, allowed, m, zoff)
    for j, g in enumerate(allowed):  # z_g = 1 ⇒ |T| ≥ hits_g + 1
        r = len(lower)
        entries += [(r, zoff + j, hits[g] + 1)] + [(r, c, -1) for c in range(m)]
        lower.append(-np.inf)
        upper.append(0.0)
    _size_rows(entries, lower, upper, m, zoff, allowed, counts, n, k, margin)
    x = _milp_feasible(m + len(allowed), entries, lower, upper)
    return None if x is None else np.nonzero(x[:m])[0].tolist()


def pjr_ilp(approvals: np.ndarray, counts: Sequence[int], committee: Sequence[int], n: int,
            k: int, margin: float = 0.0) -> tuple[list[int], list[int]] | None:
    """A candidate set T (ℓ = |T|) and committee members S (|S| ≤ ℓ − 1) such that the voters
    approving all of T and no committee member outside S number ≥ ℓ·n/k; None when HiGHS
    proves there are none.

    Example:
        >>> A = np.array([[1, 1, 0, 0], [0, 0, 1, 1]], bool)  # committee {2, 3}
        >>> pjr_ilp(A, [2, 1], [2, 3], 3, 2)[1], pjr_ilp(A, [1, 2], [2, 3], 3, 2)
        ([], None)
    """
    groups, m = approvals.shape
    allowed = list(range(groups))
    zoff, soff = m, m + groups
    sidx = {c: soff + i for i, c in enumerate(committee)}
    entries, lower, upper = _coalition_rows(approvals, allowed, m, zoff)
    for g in allowed:  # z_g ≤ s_c for the committee members g approves
        for c in committee:
            if approvals[g, c]:
                r = len(lower)
                entries += [(r, zoff + g, 1), (r, sidx[c], -1)]
                lower.append(-np.inf)
                upper.append(0.0)
    r = len(lower)  # |S| ≤ |T| − 1
    entries += [(r, s, 1) for s in sidx.values()] + [(r, c, -1) for c in range(m)]
    lower.append(-np.inf)
    upper.append(-1.0)
    _size_rows(entries, lower, upper, m, zoff, allowed, counts, n, k, margin)
    x = _milp_feasible(soff + len(committee), entries, lower, upper)
    if x is None:
        return None
    return (np.nonzero(x[:m])[0].tolist(), [c for c in committee if x[sidx[c]]])


def fjr_ilp(approvals: np.ndarray, counts: Sequence[int], hits: Sequence[int], n: int,
            k: int, margin: float = 0.0) -> tuple[list[int], int] | None:
    """A candidate set T and a level β such that the voters with ≥ β members of T and < β
    committee members number ≥ |T|·n/k (one ILP per β = 1..k); None when there is none.

    Example:
        >>> A = np.array([[1, 1, 0, 0], [0, 0, 1, 1]], bool)  # committee {2, 3}
        >>> fjr_ilp(A, [2, 1], [0, 2], 3, 2)[1], fjr_ilp(A, [1, 2], [0, 2], 3, 2)
        (1, None)
    """
    groups, m = approvals.shape
    for beta in range(1, k + 1):
        allowed = [g for g in range(groups) if hits[g] < beta]
        if not allowed:
            continue
        zoff = m
        entries, lower, upper = [], [], []
        for j, g in enumerate(allowed):  # z_g = 1 ⇒ |A_g ∩ T| ≥ β
            r = len(lower)
            entries += [(r, zoff + j, beta)]
            entries += [(r, c, -1) for c in np.nonzero(approvals[g])[0].tolist()]
            lower.append(-np.inf)
            upper.append(0.0)
        _size_rows(entries, lower, upper, m, zoff, allowed, counts, n, k, margin)
        x = _milp_feasible(m + len(allowed), entries, lower, upper)
        if x is not None:
            return np.nonzero(x[:m])[0].tolist(), beta
    return None


def core_ilp(approvals: np.ndarray, counts: Sequence[int], hits: Sequence[int], n: int,
             k: int, margin: float = 0.0) -> list[int] | None:
    """A candidate set T such that the voters with more members of T than of the committee
    number ≥ |T|·n/k; None when HiGHS proves there is none.

    Example:
        >>> A = np.array([[1, 1, 0, 0], [0, 0, 1, 1]], bool)  # committee {2, 3}
        >>> core_ilp(A, [2, 1], [0, 2], 3, 2) in ([0], [1]), core_ilp(A, [1, 2], [0, 2], 3, 2)
        (True, None)
    """
    groups, m = approvals.shape
    allowed = list(range(groups))
    zoff = m
    entries, lower, upper = [], [], []
    for g in allowed:  # z_g = 1 ⇒ |A_g ∩ T| ≥ hits_g + 1
        r = len(lower)
        entries += [(r, zoff + g, hits[g] + 1)]
        entries += [(r, c, -1) for c in np.nonzero(approvals[g])[0].tolist()]
        lower.append(-np.inf)
        upper.append(0.0)
    _size_rows(entries, lower, upper, m, zoff, allowed, counts, n, k, margin)
    x = _milp_feasible(m + groups, entries, lower, upper)
    return None if x is None else np.nonzero(x[:m])[0].tolist()


# --- exact linear programming -------------------------------------------------------------
def _solve_exact(equations: list[tuple[dict[int, Fraction], Fraction]], unknowns: list[int]
                 ) -> dict[int, Fraction] | None:
    """Gauss–Jordan in Fractions on sparse rows; None if the system is singular or
    inconsistent."""
    pivots: dict[int, tuple[dict[int, Fraction], Fraction]] = {}
    for row, rhs in equations:
        row, rhs = dict(row), Fraction(rhs)
        for col in [c for c in row if c in pivots]:
            factor = row.get(col)
            if not factor:
                continue
            prow, prhs = pivots[col]
            for c2, v in prow.items():
                nv = row.get(c2, 0) - factor * v
                if nv:
                    row[c2] = nv
                else:
                    row.pop(c2, None)
            rhs -= factor * prhs
        row = {c: v for c, v in row.items() if v}
        if not row:
            if rhs:
                return None
            continue
        col = min(row)
        scale = row[col]
        row = {c: v / scale for c, v in row.items()}
        rhs /= scale
        for other, (orow, orhs) in list(pivots.items()):
            factor = orow.get(col)
            if factor:
                for c2, v in row.items():
                    nv = orow.get(c2, 0) - factor * v
                    if nv:
                        orow[c2] = nv
                    else:
                        orow.pop(c2, None)
                pivots[other] = (orow, orhs - factor * rhs)
        pivots[col] = (row, rhs)
    if set(pivots) != set(unknowns):
        return None
    return {c: rhs for c, (_, rhs) in pivots.items()}


def exact_vertex(rows: list[dict[int, int | Fraction]], lower: list[Fraction | None],
                 upper: list[Fraction | None], n_col: int, cost: Sequence[float]
                 ) -> list[Fraction] | None:
    """Minimise cost·x over lower ≤ A x ≤ upper, x ≥ 0 with HiGHS's simplex, then recompute
    the optimal basic solution exactly in Fractions. None when HiGHS proves the LP
    infeasible; :class:`SolverError` when it stops otherwise or the basis is unusable. The
    caller checks the returned point exactly.

    Example:
        >>> exact_vertex([{0: 3, 1: 1}], [Fraction(1)], [None], 2, [1, 1])
        [Fraction(1, 3), Fraction(0, 1)]
    """
    import highspy
    from scipy.sparse import coo_matrix

    from hurwicz.core.highs import new_highs

    inf = highspy.kHighsInf
    n_row = len(rows)
    r_idx = [r for r, row in enumerate(rows) for _ in row]
    c_idx = [c for row in rows for c in row]
    vals = [float(v) for row in rows for v in row.values()]
    mat = coo_matrix((np.array(vals, float), (np.array(r_idx, int), np.array(c_idx, int))),
                     shape=(n_row, n_col)).tocsc()
    mat.sort_indices()
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n_col, n_row
    lp.col_cost_ = np.asarray(cost, float)
    lp.col_lower_ = np.zeros(n_col)
    lp.col_upper_ = np.full(n_col, inf)
    lp.row_lower_ = np.array([-inf if v is None else float(v) for v in lower])
    lp.row_upper_ = np.array([inf if v is None else float(v) for v in upper])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = mat.indptr.astype(np.int32)
    lp.a_matrix_.index_ = mat.indices.astype(np.int32)
    lp.a_matrix_.value_ = mat.data.astype(float)
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n_col, n_row
    h = new_highs(abs_gap=1e-9, time_limit=ILP_TIME_LIMIT)
    h.setOptionValue("solver", "simplex")
    h.setOptionValue("presolve", "off")
    h.passModel(lp)
    h.run()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kInfeasible:
        return None
    if status != highspy.HighsModelStatus.kOptimal:
        raise SolverError(f"HiGHS: {h.modelStatusToString(status)}", "axioms")
    basis = h.getBasis()
    basic = highspy.HighsBasisStatus.kBasic
    unknowns = [j for j in range(n_col) if basis.col_status[j] == basic]
    known = set(unknowns)
    equations = []
    for r in range(n_row):
        st = basis.row_status[r]
        if st == basic:
            continue
        bound = lower[r] if st == highspy.HighsBasisStatus.kLower else upper[r]
        if bound is None:
            bound = upper[r] if lower[r] is None else lower[r]
        equations.append(({c: Fraction(v) for c, v in rows[r].items() if c in known},
                          Fraction(bound)))
    solved = _solve_exact(equations, unknowns)
    if solved is None:
        raise SolverError("HiGHS's optimal basis could not be solved exactly", "axioms")
    return [solved.get(j, Fraction(0)) for j in range(n_col)]


def farkas(rows: list[dict[int, int | Fraction]], lower: list[Fraction | None],
           upper: list[Fraction | None], n_col: int) -> list[tuple[int, int, Fraction]] | None:
    """Exact proof that lower ≤ A x ≤ upper, x ≥ 0 has no solution: multipliers y ≥ 0 on the
    inequalities (row, sign, y) — sign +1 for a·x ≤ upper, −1 for −a·x ≤ −lower — with
    Σ y·sign·a ≥ 0 in every column and Σ y·sign·bound < 0, checked in Fractions. None if
    HiGHS finds no such proof (then the system is feasible).

    Example:
        >>> farkas([{0: 1}], [Fraction(2)], [Fraction(1)], 1)
        [(0, -1, Fraction(1, 1)), (0, 1, Fraction(1, 1))]
    """
    ineqs = [(r, 1) for r in range(len(rows)) if upper[r] is not None]
    ineqs += [(r, -1) for r in range(len(rows)) if lower[r] is not None]
    ineqs.sort()
    bound = [Fraction(upper[r]) if s == 1 else -Fraction(lower[r]) for r, s in ineqs]
    dual_rows: list[dict[int, int | Fraction]] = [{} for _ in range(n_col)]
    for i, (r, s) in enumerate(ineqs):
        for c, v in rows[r].items():
            dual_rows[c][i] = s * Fraction(v)
    dual_rows.append({i: b for i, b in enumerate(bound) if b})  # bᵀy ≥ −1
    lo: list[Fraction | None] = [Fraction(0)] * n_col + [Fraction(-1)]
    hi: list[Fraction | None] = [None] * (n_col + 1)
    y = exact_vertex(dual_rows, lo, hi, len(ineqs), [float(b) for b in bound])
    if y is None:
        raise SolverError("the Farkas LP is feasible by construction (y = 0)", "axioms")
    # the exact check of the proof
    if any(v < 0 for v in y) or sum(b * v for b, v in zip(bound, y, strict=True)) >= 0:
        return None
    for c in range(n_col):
        if sum(v * y[i] for i, v in dual_rows[c].items()) < 0:
            return None
    return [(r, s, y[i]) for i, (r, s) in enumerate(ineqs) if y[i]]

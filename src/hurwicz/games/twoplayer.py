"""Two-player (bimatrix) equilibria with exact rational arithmetic.

* :func:`vertex_enumeration` — every extreme Nash equilibrium. With the payoffs shifted to be
  positive, the best-response polytopes are ``P = {x ≥ 0 : Bᵀx ≤ 1}`` and
  ``Q = {y ≥ 0 : Ay ≤ 1}``; a pair of nonzero vertices that is *completely labelled* (every
  pure strategy is either unused or a best response) is, normalised, an extreme equilibrium,
  and every extreme equilibrium arises this way — degenerate games included, where a vertex
  may carry more labels than its dimension and a continuum of equilibria is the convex hull
  of such pairs (von Stengel, "Computing equilibria for two-person games", Handbook of Game
  Theory vol. 3, 2002, §3; Avis, Rosenberg, Savani & von Stengel, Economic Theory 42, 2010).
  Vertices are found by trying every basis (``m`` tight constraints of ``P``, ``n`` of
  ``Q``): a batched floating-point solve screens the bases, and every candidate is then solved
  and checked again with ``Fraction``s, so what is returned is exact.
* :func:`support_enumeration` — equal-size supports, exact; complete for nondegenerate games
  (it warns when it meets degeneracy, where it may miss equilibria).
* :func:`lemke_howson` — one equilibrium by complementary pivoting on exact tableaux, with the
  lexicographic ratio test so that degenerate games cannot make it cycle.

Example:
    >>> from hurwicz.games import Game
    >>> bos = Game([[[2, 0], [0, 1]], [[1, 0], [0, 2]]])     # battle of the sexes
    >>> [[str(p) for p in e.strategies[0]] for e in vertex_enumeration(bos)]
    [['0', '1'], ['2/3', '1/3'], ['1', '0']]
"""

from __future__ import annotations

import itertools
import math
import warnings
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np

from hurwicz.core.errors import InputError

if TYPE_CHECKING:
    from .game import Equilibrium, Game

#: Most bases (tight-constraint sets) per polytope vertex enumeration tries: C(m+n, m).
MAX_VERTEX_BASES = 300_000
#: Most support pairs support enumeration tries (exact solves): C(m+n, m) − 1.
MAX_SUPPORT_PAIRS = 20_000


class DegenerateGameWarning(UserWarning):
    """Support enumeration met a degenerate game and may have missed equilibria."""


def _shifted(game: Game) -> tuple[np.ndarray, np.ndarray]:
    A, B = game.exact_payoffs()
    A = A - min(A.flat) + 1
    B = B - min(B.flat) + 1
    return A, B


def _solve_exact(M: list[list[Fraction]], r: list[Fraction]) -> list[Fraction] | None:
    """Solve the square system ``M x = r`` exactly; None when ``M`` is singular."""
    n = len(M)
    a = [[*list(row), rhs] for row, rhs in zip(M, r)]
    for col in range(n):
        piv = next((i for i in range(col, n) if a[i][col] != 0), None)
        if piv is None:
            return None
        a[col], a[piv] = a[piv], a[col]
        pr = a[col]
        inv = 1 / pr[col]
        for i in range(n):
            if i != col and a[i][col] != 0:
                f = a[i][col] * inv
                row = a[i]
                for k in range(col, n + 1):
                    row[k] -= f * pr[k]
    return [a[i][n] / a[i][i] for i in range(n)]


def _solve_integer(M: list[list[int]], r: list[int]) -> tuple[list[int], int] | None:
    """Solve the square integer system ``M z = r`` exactly by fraction-free (Bareiss)
    elimination: ``z = num / den`` with ``den > 0`` the absolute determinant (not reduced);
    None when ``M`` is singular."""
    n = len(M)
    a = [[*row, rhs] for row, rhs in zip(M, r)]
    prev = 1
    for col in range(n):
        piv = next((i for i in range(col, n) if a[i][col] != 0), None)
        if piv is None:
            return None
        if piv != col:
            a[col], a[piv] = a[piv], a[col]
        pc = a[col]
        p = pc[col]
        for i in range(col + 1, n):
            ai = a[i]
            f = ai[col]
            for c in range(col + 1, n + 1):
                ai[c] = (ai[c] * p - f * pc[c]) // prev
            ai[col] = 0
        prev = p
    det = a[n - 1][n - 1]
    # back substitution with z_j = num_j / det: integers throughout
    num = [0] * n
    for i in range(n - 1, -1, -1):
        acc = a[i][n] * det - sum(a[i][j] * num[j] for j in range(i + 1, n))
        num[i] = acc // a[i][i]
    if det < 0:
        det, num = -det, [-v for v in num]
    return num, det


def _bases_limit(m: int, n: int, limit: int, what: str) -> None:
    count = math.comb(m + n, m)
    if count > limit:
        raise InputError("payoffs", f"{m}×{n} game: {what} would try {count:,} bases, more "
                         f"than its limit of {limit:,}; use method='lemke_howson' for one "
                         "equilibrium, or correlated() for a correlated equilibrium")


def polytope_vertices(M: np.ndarray, r: np.ndarray) -> list[tuple[tuple[Fraction, ...], int]]:
    """Every vertex of ``{z : M z ≤ r}`` (``M`` of Fractions, shape ``(k, d)``), exactly, with
    the bitmask of its tight constraints.

    Example:
        >>> M = np.array([[-1, 0], [0, -1], [1, 1]], dtype=object)
        >>> r = np.array([0, 0, 1], dtype=object)
        >>> sorted(tuple(map(int, v)) for v, _ in polytope_vertices(M, r))
        [(0, 0), (0, 1), (1, 0)]
    """
    M = np.vectorize(Fraction, otypes=[object])(M)
    r = np.vectorize(Fraction, otypes=[object])(r)
    k, d = M.shape
    # each row scaled by the common denominator of its entries: integer rows (Python ints),
    # the same polytope, and fraction-free arithmetic below
    Mi: list[list[int]] = []
    ri: list[int] = []
    for i in range(k):
        lcm = math.lcm(*(x.denominator for x in M[i]), r[i].denominator)
        Mi.append([int(x * lcm) for x in M[i]])
        ri.append(int(r[i] * lcm))
    seen: set[tuple[tuple[int, ...], int]] = set()
    combos = np.array(list(itertools.combinations(range(k), d)), dtype=np.int64)
    if combos.size == 0:
        return []
    out: dict[tuple[Fraction, ...], int] = {}

    def exact_check(basis: Any) -> None:
        solved = _solve_integer([Mi[i] for i in basis], [ri[i] for i in basis])
        if solved is None:
            return
        num, den = solved
        if (tuple(num), den) in seen:
            return
        seen.add((tuple(num), den))
        mask = 0
        for i in range(k):
            row = Mi[i]
            lhs = sum(row[j] * num[j] for j in range(d))
            rhs_i = ri[i] * den
            if lhs > rhs_i:
                return
            if lhs == rhs_i:
                mask |= 1 << i
        out[tuple(Fraction(v, den) for v in num)] = mask

    # Floats only *screen* the bases: a basis is dropped on floating-point evidence only when
    # its matrix is well conditioned (so the float solution is accurate) and that solution
    # clearly violates a constraint. Singular-looking or ill-conditioned bases (payoffs that
    # differ by less than a double resolves, huge payoff ranges) are decided exactly.
    # rows that are multiples of one another (duplicate strategies, constant payoffs) make
    # every basis holding two of them singular: known exactly without solving
    canon: dict[tuple[int, ...], int] = {}
    row_id = np.empty(k, dtype=np.int64)
    for i, row in enumerate(Mi):
        g = math.gcd(*row)
        if g == 0:
            key: tuple[int, ...] = ()
        else:
            lead = next(v for v in row if v != 0)
            key = tuple(v // (g if lead > 0 else -g) for v in row)
        row_id[i] = canon.setdefault(key, len(canon))
    zero_id = canon.get(())
    Mf = np.array([[float(v) for v in row] for row in Mi])
    rf = np.array([float(v) for v in ri])
    row_scale = np.maximum(np.abs(Mf).max(axis=1), np.abs(rf))
    row_scale[row_scale == 0] = 1.0
    Mf, rf = Mf / row_scale[:, None], rf / row_scale
    chunk = 20_000
    for start in range(0, len(combos), chunk):
        part = combos[start:start + chunk]
        ids = np.sort(row_id[part], axis=1)
        singular = (ids[:, 1:] == ids[:, :-1]).any(axis=1)
        if zero_id is not None:
            singular |= (ids == zero_id).any(axis=1)
        part = part[~singular]
        if not len(part):
            continue
        mats = Mf[part]                          # (c, d, d)
        rhs = rf[part]                           # (c, d)
        sv = np.linalg.svd(mats, compute_uv=False)
        with np.errstate(divide="ignore", invalid="ignore"):
            cond = np.where(sv[:, -1] > 0, sv[:, 0] / sv[:, -1], np.inf)
        trusted = cond < 1e8
        for basis in part[~trusted]:
            exact_check(basis)
        if not trusted.any():
            continue
        sols = np.linalg.solve(mats[trusted], rhs[trusted][..., None])[..., 0]
        slack = rf[None, :] - sols @ Mf.T        # (c', k) must be ≥ 0
        tol = 1e-6 * (1 + np.abs(sols).max(axis=1, initial=0.0))
        feasible = (slack >= -tol[:, None]).all(axis=1)
        for basis in part[trusted][feasible]:
            exact_check(basis)
    return list(out.items())


def _best_response_vertices(game: Game) -> tuple[list[Any], list[Any], int, int]:
    A, B = _shifted(game)
    m, n = A.shape
    _bases_limit(m, n, MAX_VERTEX_BASES, "vertex enumeration")
    one, zero = Fraction(1), Fraction(0)
    # P = {x ≥ 0, Bᵀx ≤ 1}: labels 0..m-1 are x_i ≥ 0, labels m..m+n-1 are (Bᵀx)_j ≤ 1
    MP = np.empty((m + n, m), dtype=object)
    MP[:m] = [[-one if i == j else zero for j in range(m)] for i in range(m)]
    MP[m:] = B.T
    rP = np.array([zero] * m + [one] * n, dtype=object)
    # Q = {Ay ≤ 1, y ≥ 0}: labels 0..m-1 are (Ay)_i ≤ 1, labels m..m+n-1 are y_j ≥ 0
    MQ = np.empty((m + n, n), dtype=object)
    MQ[:m] = A
    MQ[m:] = [[-one if i == j else zero for j in range(n)] for i in range(n)]
    rQ = np.array([one] * m + [zero] * n, dtype=object)
    P = [(x, mask) for x, mask in polytope_vertices(MP, rP) if any(x)]
    Q = [(y, mask) for y, mask in polytope_vertices(MQ, rQ) if any(y)]
    return P, Q, m, n


def _normalise(v: tuple[Fraction, ...]) -> tuple[Fraction, ...]:
    total = sum(v)
    return tuple(Fraction(x) / total for x in v)


def vertex_enumeration(game: Game) -> list[Equilibrium]:
    """Every extreme Nash equilibrium of a two-player game, exactly (degenerate games
    included). Sizes: up to ``C(m+n, m) ≤ 300 000`` bases per polytope (every game up to
    10×10, 8×12, 5×25, 3×80...); larger games are refused with a message pointing to
    Lemke–Howson or correlated equilibria.

    Example:
        >>> from hurwicz.games import Game
        >>> len(vertex_enumeration(Game.bimatrix([[1, -1], [-1, 1]])))
        1
    """
    P, Q, m, n = _best_response_vertices(game)
    full = (1 << (m + n)) - 1
    found = []
    for x, lx in P:
        for y, ly in Q:
            if lx | ly == full:
                found.append((_normalise(x), _normalise(y)))
    found = sorted(set(found))
    return [game.equilibrium(list(s), True, "vertex") for s in found]


def is_degenerate(game: Game) -> bool:
    """Whether a two-player game is degenerate: some vertex of a best-response polytope has
    more tight constraints than its dimension (a mixed strategy with support size k has more
    than k pure best responses).

    Example:
        >>> from hurwicz.games import Game
        >>> is_degenerate(Game([[[1, 1], [0, 0]], [[1, 1], [0, 0]]]))
        True
        >>> is_degenerate(Game([[[2, 0], [0, 1]], [[1, 0], [0, 2]]]))
        False
    """
    P, Q, m, n = _best_response_vertices(game)
    return (any(bin(mask).count("1") > m for _, mask in P)
            or any(bin(mask).count("1") > n for _, mask in Q))


def support_enumeration(game: Game) -> list[Equilibrium]:
    """Nash equilibria with supports of equal size, exactly (Porter, Nudelman & Shoham style,
    without their pruning). Complete on nondegenerate games; on a degenerate game it warns
    (:class:`DegenerateGameWarning`) because equilibria with unequal supports or continua can
    be missed — use :func:`vertex_enumeration` there.

    Example:
        >>> from hurwicz.games import Game
        >>> [e.profile for e in support_enumeration(Game([[[2, 0], [0, 1]], [[1, 0], [0, 2]]]))]
        [(0, 0), (1, 1), None]
    """
    A, B = game.exact_payoffs()
    m, n = A.shape
    _bases_limit(m, n, MAX_SUPPORT_PAIRS, "support enumeration")
    degenerate = False
    found: list[tuple[tuple[Fraction, ...], tuple[Fraction, ...]]] = []
    for k in range(1, min(m, n) + 1):
        for rows in itertools.combinations(range(m), k):
            for cols in itertools.combinations(range(n), k):
                y = _indifferent(A[np.ix_(rows, cols)])
                x = _indifferent(B[np.ix_(rows, cols)].T)
                if y is None or x is None:
                    degenerate = True
                    continue
                if min(y) < 0 or min(x) < 0:
                    continue
                xs = [Fraction(0)] * m
                ys = [Fraction(0)] * n
                for i, v in zip(rows, x):
                    xs[i] = v
                for j, v in zip(cols, y):
                    ys[j] = v
                row = [sum(A[i, j] * ys[j] for j in range(n)) for i in range(m)]
                col = [sum(B[i, j] * xs[i] for i in range(m)) for j in range(n)]
                best_row, best_col = row[rows[0]], col[cols[0]]
                if max(row) != best_row or max(col) != best_col:
                    continue
                if sum(v == best_row for v in row) > k or sum(v == best_col for v in col) > k:
                    degenerate = True
                if any(v == 0 for v in x) or any(v == 0 for v in y):
                    degenerate = True
                found.append((tuple(xs), tuple(ys)))
    if degenerate:
        warnings.warn("support enumeration: the game is degenerate, equilibria may be missed "
                      "(use method='vertex')", DegenerateGameWarning, stacklevel=3)
    unique = list(dict.fromkeys(found))
    return [game.equilibrium(list(s), True, "support") for s in unique]


def _indifferent(M: np.ndarray) -> tuple[Fraction, ...] | None:
    """The mix ``y`` on the columns of square ``M`` making every row indifferent and summing
    to one (None when that system is singular)."""
    k = M.shape[0]
    rows = [[M[i, j] for j in range(k)] + [Fraction(-1)] for i in range(k)]
    rows.append([Fraction(1)] * k + [Fraction(0)])
    sol = _solve_exact(rows, [Fraction(0)] * k + [Fraction(1)])
    return None if sol is None else tuple(sol[:k])


# --- Lemke–Howson ---------------------------------------------------------------------------
class _Tableau:
    """Rows ``basic = rhs − Σ coef · nonbasic`` kept as ``[coefs over all variables | rhs]``;
    variables are indexed by label (0..m+n−1)."""

    def __init__(self, matrix: list[list[Fraction]], basis: list[int], slack: list[int]):
        self.t = matrix
        self.basis = basis
        self.slack = slack  # the columns of the initial identity (for the lexicographic rule)

    def pivot_in(self, entering: int) -> int:
        rows = [i for i, row in enumerate(self.t) if row[entering] > 0]
        if not rows:
            raise ArithmeticError("unbounded ray in Lemke–Howson (should not happen)")

        def key(i: int) -> tuple[Fraction, ...]:
            row = self.t[i]
            piv = row[entering]
            return (row[-1] / piv, *(row[c] / piv for c in self.slack))

        best = min(rows, key=key)
        leaving = self.basis[best]
        prow = self.t[best]
        piv = prow[entering]
        self.t[best] = prow = [v / piv for v in prow]
        for i, row in enumerate(self.t):
            if i != best and row[entering] != 0:
                f = row[entering]
                self.t[i] = [a - f * b for a, b in zip(row, prow)]
        self.basis[best] = entering
        return leaving

    def values(self, variables: range) -> list[Fraction]:
        out = {v: Fraction(0) for v in variables}
        for i, b in enumerate(self.basis):
            if b in out:
                out[b] = self.t[i][-1]
        return [out[v] for v in variables]


def lemke_howson(game: Game, label: int = 0, max_pivots: int = 100_000) -> Equilibrium:
    """One Nash equilibrium of a two-player game by Lemke–Howson complementary pivoting with
    exact Fractions, starting by dropping ``label`` (0..m+n−1: row actions, then column
    actions). Different labels may reach different equilibria. Handles any size a dense
    rational tableau fits in memory for; degenerate games are handled by the lexicographic
    minimum-ratio rule.

    Example:
        >>> from hurwicz.games import Game
        >>> e = lemke_howson(Game([[[2, 0], [0, 1]], [[1, 0], [0, 2]]]))
        >>> e.profile, e.regret
        ((0, 0), (Fraction(0, 1), Fraction(0, 1)))
    """
    A, B = _shifted(game)
    m, n = A.shape
    if not 0 <= label < m + n:
        raise InputError("label", f"must be in 0..{m + n - 1}")
    one, zero = Fraction(1), Fraction(0)
    # Q-tableau (rows i): r_i + Σ_j A_ij y_j = 1; variables: r_i = label i, y_j = label m+j
    tq = [[one if c == i else zero for c in range(m)] + [A[i, j] for j in range(n)] + [one]
          for i in range(m)]
    # P-tableau (rows j): Σ_i B_ij x_i + s_j = 1; variables: x_i = label i, s_j = label m+j
    tp = [[B[i, j] for i in range(m)] + [one if c == j else zero for c in range(n)] + [one]
          for j in range(n)]
    Tq = _Tableau(tq, list(range(m)), list(range(m)))
    Tp = _Tableau(tp, list(range(m, m + n)), list(range(m, m + n)))
    # dropping label k: the variable with label k that is zero at the artificial equilibrium
    # enters — x_k (in P) for a row label, y_k (in Q) for a column label
    tab = Tp if label < m else Tq
    entering = label
    for _ in range(max_pivots):
        leaving = tab.pivot_in(entering)
        if leaving == label:
            break
        tab = Tq if tab is Tp else Tp
        entering = leaving
    else:
        raise ArithmeticError("Lemke–Howson did not terminate within max_pivots")
    x = Tp.values(range(m))
    y = Tq.values(range(m, m + n))
    return game.equilibrium([_normalise(tuple(x)), _normalise(tuple(y))], True, "lemke_howson")

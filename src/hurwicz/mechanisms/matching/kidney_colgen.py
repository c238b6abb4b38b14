"""Exact kidney exchange for large pools by column generation on HiGHS.

The model is the one of :mod:`hurwicz.mechanisms.matching.kidney` (cycle formulation for cycles,
position-indexed edges for chains, PICEF), but its columns are not all given to the solver:

1. every cycle of at most ``max_cycle`` pairs is enumerated with array operations (cycles of 2
   and 3 pairs from the adjacency matrix, each once from its smallest pair) and every chain
   edge variable is listed, but the LP starts with the 2-cycles and first chain edges only;
2. the LP relaxation is re-solved (warm-started simplex) after adding the columns with negative
   reduced cost under the current row duals, until none is left (a pool without 2-cycles and
   altruists starts from the empty LP, whose duals are 0);
3. from the final duals y (clipped to y ≤ 0) every feasible exchange x over *all* columns
   satisfies c·x ≥ L + max(d_k, 0) for each column k it uses, with d = c − Aᵀy and
   L = yᵀb + Σ_j min(d_j, 0) — Lagrangian duality, recomputed here so that it does not depend
   on the LP solver's tolerances;
4. the MIP over the generated columns (zero relative gap) gives an incumbent z_R; any better
   exchange (by at least 1 with whole-number weights) uses only columns with
   max(d_k, 0) ≤ z_R − L (− 1), so adding those and solving again — with status and final gap
   checked (:func:`hurwicz.core.highs.highs_proof`) — proves optimality over the full model.

Minimisation of −weight throughout; HiGHS's duals give reduced costs d_j = c_j − a_jᵀy.

Example:
    >>> import numpy as np
    >>> A = np.zeros((3, 3), bool); A[0, 1] = A[1, 2] = A[2, 0] = A[1, 0] = True
    >>> [c.tolist() for c in short_cycles(A, 3)]
    [[[0, 1]], [[0, 1, 2]]]
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import highspy
import numpy as np

from hurwicz.core.errors import SolverError
from hurwicz.core.highs import (
    Proof,
    abs_gap_for,
    highs_proof,
    is_integral,
    new_highs,
    warm_started_run,
)

MAX_ADD = 20_000  # columns added per pricing round


def short_cycles(adjacency: np.ndarray, max_cycle: int) -> list[np.ndarray]:
    """Cycles of 2..``max_cycle`` (≤ 3) pairs as arrays [count, length], each listed once
    starting from its smallest pair.

    Example:
        >>> A = np.array([[0, 1], [1, 0]], bool)
        >>> short_cycles(A, 2)[0].tolist()
        [[0, 1]]
    """
    n = adjacency.shape[0]
    out: list[np.ndarray] = []
    if max_cycle >= 2:
        u, v = np.nonzero(np.triu(adjacency & adjacency.T, 1))
        out.append(np.stack([u, v], axis=1) if len(u) else np.zeros((0, 2), dtype=np.int64))
    if max_cycle >= 3:
        parts = []
        for s in range(n):
            succ = np.nonzero(adjacency[s, s + 1:])[0] + s + 1
            pred = np.nonzero(adjacency[s + 1:, s])[0] + s + 1
            if len(succ) == 0 or len(pred) == 0:
                continue
            vi, wi = np.nonzero(adjacency[np.ix_(succ, pred)])
            v, w = succ[vi], pred[wi]
            keep = v != w
            if keep.any():
                parts.append(np.stack([np.full(keep.sum(), s), v[keep], w[keep]], axis=1))
        out.append(np.concatenate(parts) if parts else np.zeros((0, 3), dtype=np.int64))
    return out


@dataclass
class ColumnPool:
    """Candidate columns of one kind: their rows, coefficients and costs (dense arrays)."""

    rows: np.ndarray    # [count, width] row indices (−1 = unused slot)
    coefs: np.ndarray   # [count, width]
    costs: np.ndarray   # [count]
    added: np.ndarray   # [count] bool: already in the solver
    first_col: np.ndarray  # [count] solver column index, −1 if not added

    def reduced_costs(self, duals: np.ndarray) -> np.ndarray:
        y = np.append(duals, 0.0)  # index −1 → 0
        return self.costs - (self.coefs * y[self.rows]).sum(axis=1)


def _pool(rows: np.ndarray, coefs: np.ndarray, costs: np.ndarray) -> ColumnPool:
    count = len(costs)
    return ColumnPool(rows.astype(np.int64), coefs.astype(float), costs.astype(float),
                      np.zeros(count, bool), np.full(count, -1, dtype=np.int64))


@dataclass
class ColgenResult:
    """Chosen cycles (lists of pair indices) and chain edges (u, v, position); ``stats`` are
    deterministic (they go into the outcome), wall-clock ``timings`` are kept apart."""

    cycles: list[list[int]]
    chain_edges: list[tuple[int, int, int]]
    objective: float
    exact: bool
    gap: float
    status: str
    stats: dict
    timings: dict = field(default_factory=dict)


def solve(n_pairs: int, n_alts: int, weight: dict[tuple[int, int], float],
          cycles: list[list[int]] | None, max_cycle: int, max_chain: int,
          time_limit: float | None = None) -> ColgenResult:
    """Maximum-weight cycle and chain packing by column generation (see the module docstring).

    ``cycles`` may be given (any lengths, e.g. from a DFS for ``max_cycle`` > 3); otherwise
    cycles of up to 3 pairs are enumerated here. ``exact`` is true only when the final MIP was
    proven optimal and the reduced-cost argument covers every column.

    Example:
        >>> res = solve(3, 0, {(0, 1): 1.0, (1, 2): 1.0, (2, 0): 1.0}, None, 3, 0)
        >>> res.cycles, res.objective, res.exact
        ([[0, 1, 2]], 3.0, True)
    """
    started = time.perf_counter()
    timings: dict[str, float] = {}
    n, a, k_max = n_pairs, n_alts, max_chain
    adjacency = np.zeros((n, n), bool)
    w_matrix = np.zeros((n, n))
    for (u, v), w in weight.items():
        if u < n:
            adjacency[u, v] = True
            w_matrix[u, v] = w
    pools: list[tuple[str, ColumnPool, np.ndarray]] = []
    cycle_arrays = short_cycles(adjacency, max_cycle) if cycles is None else _by_length(cycles)
    for arr in cycle_arrays:
        if len(arr) == 0:
            continue
        length = arr.shape[1]
        wsum = sum(w_matrix[arr[:, i], arr[:, (i + 1) % length]] for i in range(length))
        pools.append(("cycle", _pool(arr, np.ones(arr.shape), -wsum), arr))
    # chain edge variables (u, v, k): reachable positions only
    n_rows = n + a + n * max(k_max - 1, 0)

    def flow_row(pair: np.ndarray, k: np.ndarray) -> np.ndarray:
        return n + a + pair * (k_max - 1) + (k - 2)

    edges = np.array([(u, v, w) for (u, v), w in weight.items()], dtype=float).reshape(-1, 3)
    eu, ev, ew = edges[:, 0].astype(np.int64), edges[:, 1].astype(np.int64), edges[:, 2]
    dist = _distances(n, a, eu, ev)
    chain_parts = []
    for k in range(1, k_max + 1):
        # position 1 starts at an altruist; later positions leave a pair that a chain from an
        # altruist can reach in k − 1 transplants
        ok = (eu >= n) if k == 1 else ((eu < n) & (dist[np.minimum(eu, n + a - 1)] <= k - 1))
        if not ok.any():
            continue
        u, v, w = eu[ok], ev[ok], ew[ok]
        kk = np.full(len(u), k)
        source = np.where(u >= n, u, 0)  # altruist row is its own index (n..n+a−1)
        if k > 1:
            source = flow_row(u, kk)
        nxt = flow_row(v, kk + 1) if k < k_max else np.full(len(u), -1)
        rows = np.stack([v, source, nxt], axis=1)
        coefs = np.stack([np.ones(len(u)), np.ones(len(u)),
                          np.where(nxt >= 0, -1.0, 0.0)], axis=1)
        chain_parts.append((np.stack([u, v, kk], axis=1), rows, coefs, -w))
    for triple, rows, coefs, costs in chain_parts:
        pools.append(("chain", _pool(rows, coefs, costs), triple))

    timings["enumerate_s"] = time.perf_counter() - started
    if not any(len(pool.costs) for _, pool, _ in pools):  # nothing can be transplanted
        return ColgenResult([], [], 0.0, True, 0.0, "no cycles or chains",
                            {"columns_generated": 0, "columns_total": 0, "pricing_rounds": 0,
                             "lp_bound": 0.0, "columns_added_for_proof": 0}, timings)
    integral = is_integral(ew)
    scale = _weight_bound(n, ev, ew)
    abs_gap = abs_gap_for(ew, scale=scale)
    h = new_highs(abs_gap)
    inf = highspy.kHighsInf
    upper = np.concatenate([np.ones(n + a), np.zeros(n_rows - n - a)])
    h.addRows(n_rows, np.full(n_rows, -inf), upper, 0, np.zeros(0, np.int32),
              np.zeros(0, np.int32), np.zeros(0))

    def add(pool: ColumnPool, which: np.ndarray, integer: bool) -> None:
        which = which[~pool.added[which]]
        if len(which) == 0:
            return
        start_col = h.getNumCol()
        rows, coefs = pool.rows[which], pool.coefs[which]
        mask = (rows >= 0) & (coefs != 0)
        counts = mask.sum(axis=1)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int32)
        h.addCols(len(which), pool.costs[which], np.zeros(len(which)), np.ones(len(which)),
                  int(counts.sum()), starts, rows[mask].astype(np.int32), coefs[mask])
        if integer:
            cols = np.arange(start_col, start_col + len(which), dtype=np.int32)
            h.changeColsIntegrality(len(cols), cols,
                                    np.full(len(cols), highspy.HighsVarType.kInteger))
        pool.added[which] = True
        pool.first_col[which] = np.arange(start_col, start_col + len(which))

    for kind, pool, data in pools:  # start: 2-cycles and first chain edges
        if (kind == "cycle" and data.shape[1] == 2) or (kind == "chain" and data[0, 2] == 1):
            add(pool, np.arange(len(pool.costs)), False)

    def remaining() -> float | None:
        if time_limit is None:
            return None
        return max(time_limit - (time.perf_counter() - started), 0.01)

    def run() -> highspy.HighsModelStatus:
        left = remaining()
        if left is not None:
            h.setOptionValue("time_limit", float(left))
        h.run()
        return h.getModelStatus()

    rounds = 0
    lp_optimal = True
    duals = np.zeros(n_rows)
    while True:
        if h.getNumCol():
            lp_optimal = run() == highspy.HighsModelStatus.kOptimal
            rounds += 1
            if not lp_optimal:
                break
            duals = np.asarray(h.getSolution().row_dual)
        else:  # no 2-cycle and no altruist: the empty LP, whose duals are all 0
            duals = np.zeros(n_rows)
        candidates = []
        for _, pool, _ in pools:
            rc = pool.reduced_costs(duals)
            rc[pool.added] = 0.0
            neg = np.nonzero(rc < -1e-9)[0]
            candidates.append((pool, neg, rc[neg]))
        total = sum(len(neg) for _, neg, _ in candidates)
        if total == 0:
            break
        if total > MAX_ADD:  # the most negative reduced costs, exactly MAX_ADD of them
            keys = np.concatenate([r for _, _, r in candidates])
            best = np.argsort(keys, kind="stable")[:MAX_ADD]
            keep = np.zeros(len(keys), bool)
            keep[best] = True
            offset = 0
            for pool, neg, _ in candidates:
                add(pool, neg[keep[offset:offset + len(neg)]], False)
                offset += len(neg)
        else:
            for pool, neg, _ in candidates:
                add(pool, neg, False)
    timings["lp_s"] = time.perf_counter() - started - timings["enumerate_s"]
    mip_started = time.perf_counter()
    # A lower bound on every exchange over *all* columns, valid for any row duals y ≤ 0 (rows
    # are Ax ≤ b, minimisation): c·x = dᵀx + yᵀAx ≥ Σ_j min(d_j, 0) + yᵀb =: L, with
    # d = c − Aᵀy. It needs no LP accuracy: it is recomputed here from the (clipped) duals,
    # those of the last LP solved to optimality (a bound even when pricing was cut short).
    y = np.minimum(duals, 0.0)
    reduced = [pool.reduced_costs(y) for _, pool, _ in pools]
    bound = float(y[:n + a].sum() + sum(np.minimum(d, 0.0).sum() for d in reduced))
    n_cols = h.getNumCol()
    extra = 0
    if n_cols == 0:  # no column has a negative cost: the empty exchange is optimal
        return ColgenResult([], [], 0.0, True, 0.0, "no improving cycles or chains",
                            {"columns_generated": 0,
                             "columns_total": int(sum(len(p.costs) for _, p, _ in pools)),
                             "pricing_rounds": rounds, "lp_bound": -bound,
                             "columns_added_for_proof": 0}, timings)
    all_cols = np.arange(n_cols, dtype=np.int32)
    h.changeColsIntegrality(n_cols, all_cols, np.full(n_cols, highspy.HighsVarType.kInteger))
    # first MIP on the columns on the LP's optimal face only (reduced cost ~ 0)
    col_reduced = np.zeros(n_cols)
    for (_, pool, _), d in zip(pools, reduced):
        col_reduced[pool.first_col[pool.added]] = d[pool.added]
    on_face = col_reduced <= 1e-9 * max(1.0, scale)
    parked = all_cols[~on_face] if lp_optimal else all_cols[:0]
    if len(parked):
        h.changeColsBounds(len(parked), parked, np.zeros(len(parked)), np.zeros(len(parked)))
    status = run()
    proof = highs_proof(h, abs_gap)
    if status == highspy.HighsModelStatus.kOptimal and lp_optimal:
        # a column k can be in an exchange of value v only if max(d_k, 0) ≤ v − L; better
        # than the incumbent z_r means v ≤ z_r − 1 for whole-number weights (use − 0.5: a
        # larger set is as good a proof), v < z_r otherwise (+ the gap: rounding allowance)
        z_r = h.getInfo().objective_function_value
        incumbent = np.asarray(h.getSolution().col_value)
        threshold = z_r - bound + (-0.5 if integral else abs_gap)
        if threshold >= 0:
            back = parked[col_reduced[parked] <= threshold]
            if len(back):
                h.changeColsBounds(len(back), back, np.zeros(len(back)), np.ones(len(back)))
            extra = len(back)
            for (_, pool, _), d in zip(pools, reduced):
                which = np.nonzero((~pool.added) & (np.maximum(d, 0.0) <= threshold))[0]
                extra += len(which)
                add(pool, which, True)
            if extra:
                left = remaining()  # the incumbent stays feasible: start there
                if left is not None:
                    h.setOptionValue("time_limit", float(left))
                status = warm_started_run(h, np.concatenate(
                    [np.round(incumbent), np.zeros(h.getNumCol() - len(incumbent))]))
                proof = highs_proof(h, abs_gap)
    elif proof.exact:  # the LP stopped early: the restricted MIP proves nothing globally
        proof = Proof(False, proof.gap, "LP time limit")
    timings["mip_s"] = time.perf_counter() - mip_started
    x = np.asarray(h.getSolution().col_value)
    if int(h.getInfo().primal_solution_status) != int(highspy.kSolutionStatusFeasible):
        if proof.exact:  # pragma: no cover - an optimal status always comes with a solution
            raise SolverError(f"HiGHS reported no exchange ({proof.status})", "kidney")
        x = np.zeros(h.getNumCol())  # stopped before any incumbent: the empty exchange
    chosen_cycles: list[list[int]] = []
    chosen_edges: list[tuple[int, int, int]] = []
    objective = 0.0
    for kind, pool, data in pools:
        picked = pool.added & (np.round(x[np.maximum(pool.first_col, 0)]) > 0.5)
        objective -= float(pool.costs[picked].sum())
        for row in data[picked]:
            if kind == "cycle":
                chosen_cycles.append([int(v) for v in row])
            else:
                chosen_edges.append((int(row[0]), int(row[1]), int(row[2])))
    stats = {"columns_generated": int(h.getNumCol()),
             "columns_total": int(sum(len(p.costs) for _, p, _ in pools)),
             "pricing_rounds": rounds, "lp_bound": -bound,
             "columns_added_for_proof": extra}
    timings["seconds"] = time.perf_counter() - started
    gap = proof.gap
    if not proof.exact:  # HiGHS's gap is over the generated columns only: use L, global
        gap = max(-bound - objective, 0.0) / objective if objective > 0 else math.inf
    return ColgenResult(sorted(chosen_cycles), chosen_edges, objective, proof.exact, gap,
                        proof.status, stats, timings)


def _weight_bound(n: int, ev: np.ndarray, ew: np.ndarray) -> float:
    """Σ over pairs of the heaviest edge into it: no exchange weighs more (each pair receives
    at most one kidney)."""
    best = np.zeros(n)
    np.maximum.at(best, ev, np.abs(ew))
    return float(best.sum())


def _by_length(cycles: list[list[int]]) -> list[np.ndarray]:
    lengths = sorted({len(c) for c in cycles})
    return [np.array([c for c in cycles if len(c) == L], dtype=np.int64) for L in lengths]


def _distances(n: int, a: int, eu: np.ndarray, ev: np.ndarray) -> np.ndarray:
    """Transplants from the nearest altruist to each node (inf if unreachable)."""
    dist = np.full(n + a, np.inf)
    dist[n:] = 0
    frontier = np.arange(n, n + a)
    step = 0
    reached = np.zeros(n + a, bool)
    reached[n:] = True
    while len(frontier):
        step += 1
        mask = np.isin(eu, frontier)
        nxt = np.unique(ev[mask])
        nxt = nxt[~reached[nxt]]
        reached[nxt] = True
        dist[nxt] = step
        frontier = nxt
    return dist

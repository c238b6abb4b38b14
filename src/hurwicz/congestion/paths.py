"""Path-based projected Newton for tight relative gaps, where Frank–Wolfe methods stall
(gradient projection on route flows, Bertsekas & Gafni 1982, scaled by the Hessian as in
Bertsekas' projected Newton method, 1982).

Every origin–destination pair keeps the routes it uses; each iteration adds the current
shortest routes, takes the cheapest route of each pair as its *basic* route, and moves flow off
the others along a Newton direction: it solves ``H d = −g`` by conjugate gradients, where
``g_p = c_p − c_basic`` is each route's excess cost and ``H = A diag(t') Aᵀ`` with ``A`` the
route-minus-basic link incidence — so overlapping routes share their moves instead of each
pair overshooting alone. The step follows the projection arc (flows stay ≥ 0) with an Armijo
test on Beckmann's function, so every iteration descends.

Example:
    >>> from hurwicz.congestion import Network
    >>> eq = Network.braess().equilibrium(method="gp", gap=1e-12)
    >>> eq.converged, eq.flow_array.round(6).tolist()
    (True, [4000.0, 0.0, 0.0, 4000.0, 4000.0])
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp

from .assignment import CostModel, RoutingGraph, SolverTrace

__all__ = ["solve_paths"]

#: networks with at most this many links keep route–link incidences as dense arrays (fast
#: for small networks), larger ones as sparse matrices
DENSE_LINKS = 1000
#: conjugate-gradient iterations per Newton step, and their relative residual target
CG_ITERATIONS, CG_TOLERANCE = 100, 1e-3


def _trace(graph: RoutingGraph, pred: np.ndarray, origin: int, dests: np.ndarray
           ) -> sp.csr_matrix:
    """Shortest routes (rows: ``dests``; columns: links) from one predecessor row."""
    n = graph.n_graph_nodes
    rows, cols = [], []
    cur = dests.copy()
    idx = np.arange(len(dests))
    while True:
        active = cur != origin
        if not active.any():
            break
        cur, idx = cur[active], idx[active]
        prev = pred[cur].astype(np.int64)
        if np.any(prev < 0):  # unreachable: the network's constructor rules this out
            raise RuntimeError("a destination with demand is unreachable")
        if graph.dense_lookup:
            links = graph.lookup[prev * n + cur]
        else:
            links = graph.key_link[np.searchsorted(graph.keys, prev * n + cur)]
        keep = links >= 0
        rows.append(idx[keep])
        cols.append(links[keep])
        cur = prev
    r = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    c = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    return sp.csr_matrix((np.ones(len(r)), (r, c)), shape=(len(dests), graph.n_links))


class _Routes:
    """All routes: incidence ``P`` (routes × links, dense or sparse), pair of each route,
    flow of each route."""

    def __init__(self, graph: RoutingGraph, rows: np.ndarray, od_row: np.ndarray,
                 od_col: np.ndarray, demand: np.ndarray) -> None:
        self.graph, self.rows, self.od_row, self.od_col = graph, rows, od_row, od_col
        self.dense = graph.n_links <= DENSE_LINKS
        self.demand = demand
        self.P: np.ndarray | sp.csr_matrix | None = None
        self.od = np.zeros(0, dtype=np.int64)
        self.f = np.zeros(0)

    def shortest_routes(self, pred: np.ndarray, pairs: np.ndarray):
        """Incidence of the current shortest route of each pair in ``pairs``."""
        blocks, order = [], []
        for i in np.unique(self.od_row[pairs]):
            sel = pairs[self.od_row[pairs] == i]
            origin = int(self.graph.origin_nodes[self.rows[i]])
            blocks.append(_trace(self.graph, pred[i], origin,
                                 self.graph.dest_nodes[self.od_col[sel]]))
            order.append(sel)
        S = sp.vstack(blocks, format="csr")
        S = S[np.argsort(np.concatenate(order), kind="stable")]  # back to the order of pairs
        return S.toarray() if self.dense else S

    def add(self, S, pairs: np.ndarray, flows: np.ndarray) -> None:
        if self.P is None:
            self.P = S
        else:
            self.P = np.vstack([self.P, S]) if self.dense else sp.vstack([self.P, S],
                                                                           format="csr")
        self.od = np.concatenate([self.od, pairs])
        self.f = np.concatenate([self.f, flows])

    def keep(self, mask: np.ndarray) -> None:
        self.P, self.od, self.f = self.P[mask], self.od[mask], self.f[mask]

    def link_flows(self, f: np.ndarray | None = None) -> np.ndarray:
        return np.asarray(self.P.T @ (self.f if f is None else f)).ravel()


def _conjugate_gradients(A, h: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Approximately solve ``(A diag(h) Aᵀ) d = b`` (truncated CG; the matrix is positive
    semi-definite, so the first iterate is already a descent direction)."""
    diag_scale = float(np.max(np.asarray(A.multiply(A) @ h if sp.issparse(A) else (A * A) @ h),
                              initial=0.0))
    ridge = 1e-12 * diag_scale if diag_scale > 0 else 1e-12

    def hessian_times(v: np.ndarray) -> np.ndarray:
        return np.asarray(A @ (h * np.asarray(A.T @ v).ravel())).ravel() + ridge * v

    d = np.zeros_like(b)
    r = b.copy()
    p = r.copy()
    rs = float(r @ r)
    target = CG_TOLERANCE * np.sqrt(rs)
    for _ in range(CG_ITERATIONS):
        Hp = hessian_times(p)
        curvature = float(p @ Hp)
        if curvature <= 0:
            break
        alpha = rs / curvature
        d += alpha * p
        r -= alpha * Hp
        rs_new = float(r @ r)
        if np.sqrt(rs_new) <= target:
            break
        p = r + (rs_new / rs) * p
        rs = rs_new
    return d


def solve_paths(graph: RoutingGraph, model: CostModel, demand: np.ndarray, *, gap: float,
                max_iter: int, time_limit: float | None = None) -> SolverTrace:
    """Equilibrium flows by path-based projected Newton, to relative gap ``gap`` (at most
    ``max_iter`` iterations).

    Example:
        >>> from hurwicz.congestion import Network
        >>> net = Network.pigou()
        >>> tr = solve_paths(net._graph, net._model("system"), net.demand, gap=1e-12,
        ...                  max_iter=100)
        >>> tr.flows.round(9).tolist()
        [0.5, 0.5]
    """
    start = time.perf_counter()
    rows = np.flatnonzero(demand.sum(axis=1) > 0)
    sub = demand[rows]
    od_row, od_col = np.nonzero(sub > 0)
    dem = sub[od_row, od_col]
    n_pairs = len(dem)
    routes = _Routes(graph, rows, od_row, od_col, dem)
    _, pred = graph.shortest(model.cost(np.zeros(graph.n_links)), rows)
    every = np.arange(n_pairs)
    routes.add(routes.shortest_routes(pred, every), every, dem.copy())
    x = routes.link_flows()
    gaps: list[float] = []
    rel = np.inf
    sptt = 0.0
    it = 0
    dest = graph.dest_nodes[od_col]
    while True:
        c = model.cost(x)
        dist, pred = graph.shortest(c, rows)
        sp_cost = dist[od_row, dest]
        sptt = float(dem @ sp_cost)
        tstt = float(x @ c)
        rel = (tstt - sptt) / tstt if tstt > 0 else 0.0
        gaps.append(rel)
        if rel <= gap or it >= max_iter or (
                time_limit is not None and time.perf_counter() - start > time_limit):
            break
        it += 1
        cost = np.asarray(routes.P @ c).ravel()
        best = np.full(n_pairs, np.inf)
        np.minimum.at(best, routes.od, cost)
        missing = np.flatnonzero(best > sp_cost * (1.0 + 1e-13) + 1e-300)
        if missing.size:
            routes.add(routes.shortest_routes(pred, missing), missing, np.zeros(missing.size))
            cost = np.concatenate([cost, sp_cost[missing]])
        x_new = _newton_step(routes, model, x, cost, n_pairs)
        if x_new is x:  # no descent step left at this precision: report the gap reached
            break
        x = x_new
    return SolverTrace(x, rel, it, gaps, time.perf_counter() - start, rel <= gap, sptt)


def _newton_step(routes: _Routes, model: CostModel, x: np.ndarray, cost: np.ndarray,
                 n_pairs: int) -> np.ndarray:
    od, f = routes.od, routes.f
    # the cheapest route of each pair is its basic route (the first one on ties)
    order = np.lexsort((cost, od))
    first = np.ones(len(order), dtype=bool)
    first[1:] = od[order][1:] != od[order][:-1]
    basic = np.empty(n_pairs, dtype=np.int64)
    basic[od[order][first]] = order[first]
    is_basic = np.zeros(len(f), dtype=bool)
    is_basic[basic] = True
    free = np.flatnonzero(~is_basic & (f > 0))
    if free.size == 0:
        return x
    b_of = basic[od[free]]
    P = routes.P
    A = P[free] - P[b_of]
    excess = cost[free] - cost[b_of]
    h = model.derivative(x)
    newton = np.minimum(_conjugate_gradients(A, h, -excess), 0.0)
    curvature = np.asarray(A.multiply(A) @ h if sp.issparse(A) else (A * A) @ h).ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        diagonal = -np.where(curvature > 0, excess / curvature, f[free])
    for direction in (newton, diagonal):  # the diagonal (GP) step if Newton's fails
        tau = 1.0
        for _ in range(40):
            moved = np.maximum(f[free] + tau * direction, 0.0) - f[free]
            gain = np.zeros(n_pairs)
            np.add.at(gain, od[free], -moved)
            g = f.copy()
            g[free] += moved
            g[basic] += gain
            # the change of link flows from the change of route flows alone, so that rounding
            # in re-adding every route cannot swamp a small step
            x_new = x + routes.link_flows(g - f)
            if model.change(x, x_new) <= 1e-4 * float(excess @ moved):
                routes.f = np.maximum(g, 0.0)
                routes.keep((routes.f > 0) | is_basic)
                return np.maximum(x_new, 0.0)
            tau *= 0.5
    return x

"""Traffic assignment: all-or-nothing loading on shortest-path trees, exact line search, and
Frank–Wolfe, conjugate and bi-conjugate Frank–Wolfe (Mitradjieva & Lindberg 2013).

Link cost functions are ``c(x) = const + a · x^p`` (BPR: ``const = t0 + fixed``,
``a = t0 · b / capacity^p``). The system optimum is the user equilibrium of the marginal costs
``c(x) + x c'(x) = const + (p + 1) a x^p``, so one solver does both.

Example:
    >>> import numpy as np
    >>> from hurwicz.congestion import Network
    >>> net = Network.pigou()
    >>> round(net.equilibrium().total_travel_time, 6)
    1.0
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from hurwicz.core.errors import InputError

__all__ = ["CostModel", "RoutingGraph", "SolverTrace", "solve"]

#: threads for the shortest-path searches of large networks (at most 2)
THREADS = min(2, os.cpu_count() or 1)
_POOL: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    """One thread pool for the process (starting threads every iteration costs more than the
    work on a busy machine)."""
    global _POOL
    if _POOL is None or _POOL._max_workers != THREADS:
        _POOL = ThreadPoolExecutor(THREADS, thread_name_prefix="hurwicz-assignment")
    return _POOL


@dataclass(frozen=True)
class CostModel:
    """Separable link costs ``c(x) = const + a · x^p`` (arrays over links).

    Example:
        >>> import numpy as np
        >>> m = CostModel(np.array([1.0]), np.array([2.0]), np.array([2.0]))
        >>> float(m.cost(np.array([3.0]))[0]), float(m.objective(np.array([3.0])))
        (19.0, 21.0)
    """

    const: np.ndarray
    a: np.ndarray
    power: np.ndarray

    def __post_init__(self) -> None:
        # BPR networks have power 4 everywhere: multiply instead of calling pow
        p = self.power
        kind = "4" if p.size and np.all(p == 4.0) else "1" if p.size and np.all(p == 1.0) \
            else "general"
        object.__setattr__(self, "_kind", kind)
        object.__setattr__(self, "_slope", self.a * p)  # c'(x) = a·p·x^(p−1)
        object.__setattr__(self, "_flat", (self.a == 0) | (p == 0))

    def cost(self, x: np.ndarray) -> np.ndarray:
        """Link costs at flows ``x``."""
        if self._kind == "4":
            x2 = x * x
            return self.const + self.a * (x2 * x2)
        if self._kind == "1":
            return self.const + self.a * x
        return self.const + self.a * np.power(np.maximum(x, 0.0), self.power)

    def derivative(self, x: np.ndarray) -> np.ndarray:
        """``c'(x)`` per link (0 where the cost does not depend on the flow)."""
        if self._kind == "4":
            return self._slope * (x * x * x)
        if self._kind == "1":
            return self._slope.copy()
        with np.errstate(divide="ignore", invalid="ignore"):
            d = self._slope * np.power(np.maximum(x, 0.0), self.power - 1.0)
        return np.where(self._flat, 0.0, d)

    def objective(self, x: np.ndarray) -> float:
        """Beckmann's function ``Σ ∫₀^x c`` (const·x + a·x^(p+1)/(p+1))."""
        xp = np.power(np.maximum(x, 0.0), self.power + 1.0)
        return float(np.sum(self.const * x + self.a * xp / (self.power + 1.0)))

    def change(self, x: np.ndarray, y: np.ndarray) -> float:
        """``objective(y) − objective(x)``, computed link by link from the differences so
        that tiny changes near an equilibrium are not lost to rounding.

        Example:
            >>> m = CostModel(np.array([1.0]), np.array([2.0]), np.array([4.0]))
            >>> m.change(np.array([1e4]), np.array([1e4 + 1e-6])) > 0
            True
        """
        d = y - x
        if self._kind == "4":  # y^5 − x^5 = d·(y^4 + y^3 x + y^2 x^2 + y x^3 + x^4)
            x2, y2 = x * x, y * y
            high = d * (y2 * y2 + y2 * y * x + y2 * x2 + y * x2 * x + x2 * x2) / 5.0
        elif self._kind == "1":  # (y^2 − x^2)/2 = d·(y + x)/2
            high = d * (y + x) / 2.0
        else:
            q = self.power + 1.0
            with np.errstate(divide="ignore", invalid="ignore"):
                rel = np.where(x > 0, np.expm1(q * np.log1p(np.where(x > 0, d / x, 0.0))), 0.0)
                high = np.where(x > 0, np.power(x, q) * rel, np.power(np.maximum(y, 0.0), q)) / q
        return float(np.sum(self.const * d + self.a * high))

    def marginal(self) -> CostModel:
        """The marginal-cost model ``c + x c'`` (its Beckmann function is the total cost)."""
        return CostModel(self.const, self.a * (self.power + 1.0), self.power)


class RoutingGraph:
    """The graph Dijkstra sees: parallel links get a dummy node (so every (tail, head) pair is
    one edge) and each zone that may not be passed through is split into a source copy that
    holds its out-links and the zone itself, which keeps its in-links only. Paths then start at
    the source copies and end at the zones, and no path can pass through a zone.

    Example:
        >>> g = RoutingGraph(3, np.array([0, 0, 1]), np.array([1, 1, 2]), [0, 2], {0})
        >>> g.n_graph_nodes, g.origin_nodes.tolist(), g.dest_nodes.tolist()
        (5, [3, 2], [0, 2])
    """

    def __init__(self, n_nodes: int, tail: np.ndarray, head: np.ndarray, zones: list[int],
                 no_through: set[int]) -> None:
        n = n_nodes
        source_of = {}
        for z in sorted(no_through):
            source_of[z] = n
            n += 1
        e_tail, e_head, e_link = [], [], []
        seen: set[tuple[int, int]] = set()
        for k, (u, v) in enumerate(zip(tail.tolist(), head.tolist())):
            u = source_of.get(u, u)
            if (u, v) in seen:  # a parallel link: u -> dummy (the link) -> v (free)
                e_tail += [u, n]
                e_head += [n, v]
                e_link += [k, -1]
                seen.add((u, n))
                seen.add((n, v))
                n += 1
            else:
                seen.add((u, v))
                e_tail.append(u)
                e_head.append(v)
                e_link.append(k)
        self.n_graph_nodes = n
        self.n_links = len(tail)
        e_tail_a, e_head_a = np.array(e_tail, dtype=np.int64), np.array(e_head, dtype=np.int64)
        self.edge_link = np.array(e_link, dtype=np.int64)
        order = np.lexsort((e_head_a, e_tail_a))
        self.csr_edges = order  # csr position -> edge
        self.indices = e_head_a[order].astype(np.int32)
        self.indptr = np.searchsorted(e_tail_a[order], np.arange(n + 1)).astype(np.int32)
        keys = e_tail_a[order] * n + e_head_a[order]
        self.dense_lookup = n * n <= 4_000_000
        if self.dense_lookup:
            table = np.full(n * n, -1, dtype=np.int64)
            table[keys] = self.edge_link[order]
            self.lookup = table
        else:
            self.keys = keys
            self.key_link = self.edge_link[order]
        self.zones = np.asarray(zones, dtype=np.int64)
        self.origin_nodes = np.array([source_of.get(z, z) for z in zones], dtype=np.int64)
        self.dest_nodes = self.zones.copy()

    def _csgraph(self, link_cost: np.ndarray) -> sp.csr_matrix:
        edge_cost = np.where(self.edge_link >= 0, link_cost[np.maximum(self.edge_link, 0)], 0.0)
        n = self.n_graph_nodes
        return sp.csr_matrix((edge_cost[self.csr_edges], self.indices, self.indptr),
                             shape=(n, n))

    def shortest(self, link_cost: np.ndarray, origin_rows: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
        """Distances and predecessors (graph nodes) from the given zones' origins."""
        return dijkstra(self._csgraph(link_cost), directed=True,
                        indices=self.origin_nodes[origin_rows], return_predecessors=True)

    def all_or_nothing(self, link_cost: np.ndarray, origin_rows: np.ndarray,
                       demand_rows: np.ndarray) -> tuple[np.ndarray, float]:
        """Link flows when every trip takes a shortest route, and the total cost of those
        routes (SPTT). Large networks split the origins over :data:`THREADS` threads (scipy's
        Dijkstra and numpy's array operations release the GIL)."""
        graph = self._csgraph(link_cost)

        def part(rows: np.ndarray, D: np.ndarray) -> tuple[np.ndarray, float]:
            dist, pred = dijkstra(graph, directed=True, indices=self.origin_nodes[rows],
                                  return_predecessors=True)
            dz = dist[:, self.dest_nodes]
            used = D > 0
            return self.load(pred, D), float(np.sum(D[used] * dz[used]))

        if len(origin_rows) < 64 or THREADS < 2:
            return part(origin_rows, demand_rows)
        chunks = np.array_split(np.arange(len(origin_rows)), THREADS)
        done = list(_pool().map(lambda c: part(origin_rows[c], demand_rows[c]), chunks))
        return sum(f for f, _ in done), sum(t for _, t in done)

    def load(self, pred: np.ndarray, demand_rows: np.ndarray) -> np.ndarray:
        """All-or-nothing link flows: ``demand_rows[i, z]`` trips from the i-th searched
        origin to zone z, each on its shortest-path tree (``pred``)."""
        n_origins, n = pred.shape
        size = n_origins * n
        if size == 0:  # no origin has trips: nothing to load
            return np.zeros(self.n_links)
        itype = np.int32 if size < 2**31 - 1 else np.int64
        base = (np.arange(n_origins, dtype=itype) * n)[:, None]
        F = np.zeros(size)
        F[(base + self.dest_nodes[None, :].astype(itype)).ravel()] = demand_rows.ravel()
        pred = pred.astype(itype, copy=False)
        valid = (pred >= 0).ravel()
        parent = np.where(pred >= 0, pred + base, base + np.arange(n, dtype=itype)[None, :]
                          ).ravel()
        # depth in the tree by pointer jumping: children sit one level below their parent, also
        # across zero-cost links where distances tie
        depth = valid.astype(np.int16 if n < 32_000 else np.int32)
        anc = parent
        while True:
            nxt = anc[anc]
            if np.array_equal(nxt, anc):
                break
            depth += depth[anc]
            anc = nxt
        top = int(depth.max())
        order = np.argsort(depth, kind="stable")  # a radix sort for small integers
        bounds = np.searchsorted(depth[order], np.arange(top + 2))
        for level in range(top, 0, -1):
            idx = order[bounds[level]:bounds[level + 1]]
            np.add.at(F, parent[idx], F[idx])
        child = np.flatnonzero(valid & (F > 0))
        tails = pred.ravel()[child].astype(np.int64)
        heads = child % n
        if self.dense_lookup:
            links = self.lookup[tails * n + heads]
        else:
            links = self.key_link[np.searchsorted(self.keys, tails * n + heads)]
        keep = links >= 0
        return np.bincount(links[keep], weights=F[child][keep], minlength=self.n_links)


@dataclass
class SolverTrace:
    """What a run did: flows, the relative gap after each iteration, and time."""

    flows: np.ndarray
    gap: float
    iterations: int
    gaps: list[float]
    seconds: float
    converged: bool
    sptt: float


def _line_search(model: CostModel, x: np.ndarray, d: np.ndarray) -> float:
    """argmin over τ in [0, 1] of Beckmann(x + τ d): the root of Σ c(x + τ d)·d, which
    increases in τ; safeguarded Newton inside a shrinking bracket."""
    def slope(t: float) -> float:
        return float(np.dot(model.cost(x + t * d), d))

    lo, hi = 0.0, 1.0
    g_lo = slope(0.0)
    if g_lo >= 0:
        return 0.0
    if slope(1.0) <= 0:
        return 1.0
    t = 0.5
    for _ in range(100):
        y = x + t * d
        g = float(np.dot(model.cost(y), d))
        if g > 0:
            hi = t
        else:
            lo = t
        if hi - lo <= 1e-15 or g == 0:
            break
        h = float(np.dot(model.derivative(y), d * d))
        t_new = t - g / h if h > 0 else -1.0
        if not lo < t_new < hi:
            t_new = 0.5 * (lo + hi)
        if abs(t_new - t) <= 1e-16:
            break
        t = t_new
    return t


def solve(graph: RoutingGraph, model: CostModel, demand: np.ndarray, *, gap: float,
          max_iter: int, method: str = "bfw", time_limit: float | None = None) -> SolverTrace:
    """Equilibrium flows for ``model`` (the user equilibrium of these costs) to a relative
    gap ``(TSTT − SPTT) / TSTT`` of ``gap`` or ``max_iter`` iterations.

    Example:
        >>> from hurwicz.congestion import Network
        >>> net = Network.braess()
        >>> tr = solve(net._graph, net._model(), net.demand, gap=1e-10, max_iter=200)
        >>> tr.converged, np.round(tr.flows, 6).tolist()
        (True, [4000.0, 0.0, 0.0, 4000.0, 4000.0])
    """
    if method not in ("fw", "cfw", "bfw", "gp"):
        raise InputError("method",
                         f"must be 'bfw', 'cfw', 'fw' or 'gp', got {method!r}")
    if not np.any(demand > 0):  # no trips: the empty flow is the equilibrium, gap 0
        return SolverTrace(np.zeros(graph.n_links), 0.0, 0, [], 0.0, True, 0.0)
    if method == "gp":
        from .paths import solve_paths

        return solve_paths(graph, model, demand, gap=gap, max_iter=max_iter,
                           time_limit=time_limit)
    if method not in ("fw", "cfw", "bfw"):
        raise InputError("method",
                         f"must be 'bfw', 'cfw', 'fw' or 'gp', got {method!r}")
    start = time.perf_counter()
    rows = np.flatnonzero(demand.sum(axis=1) > 0)
    D = demand[rows]

    def aon(x_cost: np.ndarray) -> tuple[np.ndarray, float]:
        return graph.all_or_nothing(x_cost, rows, D)

    x, _ = aon(model.cost(np.zeros(graph.n_links)))
    s1 = s2 = None
    tau_prev = 0.0
    gaps: list[float] = []
    rel = np.inf
    sptt = 0.0
    it = 0
    while True:
        c = model.cost(x)
        y, sptt = aon(c)
        tstt = float(np.dot(x, c))
        rel = (tstt - sptt) / tstt if tstt > 0 else 0.0
        gaps.append(rel)
        if rel <= gap or it >= max_iter or (
                time_limit is not None and time.perf_counter() - start > time_limit):
            break
        it += 1
        s = y
        if method != "fw" and s1 is not None and tau_prev < 1.0 - 1e-10:
            H = model.derivative(x)
            a = y - x
            b = s1 - x
            if method == "cfw" or s2 is None:
                num = float(np.dot(b, H * a))
                den = float(np.dot(b, H * (a - b)))
                alpha = num / den if den != 0 else 0.0
                alpha = min(max(alpha, 0.0), 1.0 - 1e-6)
                s = alpha * s1 + (1.0 - alpha) * y
            else:
                dbb = tau_prev * s1 - x + (1.0 - tau_prev) * s2
                den_mu = float(np.dot(dbb, H * (s2 - s1)))
                mu = -float(np.dot(dbb, H * a)) / den_mu if den_mu != 0 else 0.0
                mu = max(mu, 0.0)
                den_nu = float(np.dot(b, H * b))
                nu = (-float(np.dot(b, H * a)) / den_nu if den_nu != 0 else 0.0) \
                    + mu * tau_prev / (1.0 - tau_prev)
                nu = max(nu, 0.0)
                beta0 = 1.0 / (1.0 + mu + nu)
                s = beta0 * y + nu * beta0 * s1 + mu * beta0 * s2
            if np.dot(c, s - x) >= 0:  # not a descent direction: fall back to Frank–Wolfe
                s = y
        d = s - x
        tau = _line_search(model, x, d)
        x = x + tau * d
        # after a Frank–Wolfe step the next one is conjugate to it alone (CFW), else to both
        s2 = None if s is y else s1
        s1 = s
        tau_prev = tau
        if tau >= 1.0 - 1e-10:
            s1 = s2 = None  # restart the conjugation
    return SolverTrace(x, rel, it, gaps, time.perf_counter() - start, rel <= gap, sptt)

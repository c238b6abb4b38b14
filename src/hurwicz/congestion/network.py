"""Road networks with origin–destination demand: user equilibrium (Wardrop), system optimum,
marginal-cost tolls and the price of anarchy.

Example:
    >>> from hurwicz.congestion import Network
    >>> net = Network.pigou()
    >>> ue, so = net.equilibrium(), net.equilibrium(kind="system")
    >>> round(ue.total_cost, 6), round(so.total_cost, 6), round(net.price_of_anarchy(), 6)
    (1.0, 0.75, 1.333333)
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from hurwicz.core.errors import InputError

from .assignment import CostModel, RoutingGraph, solve
from .tntp import read_net, read_trips

__all__ = ["Equilibrium", "Network"]

_BPR_KEYS = {"free_flow_time", "capacity", "b", "power"}
_POLY_KEYS = {"t0", "a", "power"}
_COMMON_KEYS = {"tail", "head", "fixed_cost", "toll", "length"}


@dataclass
class Equilibrium:
    """A user equilibrium or system optimum.

    ``flows`` maps each link's key (``(tail, head)``, or ``(tail, head, k)`` for the k-th of
    parallel links) to its flow; ``flow_array`` holds the same in link order. ``objective`` is
    the function the solver minimised: Beckmann's ``Σ ∫₀^x c`` for the user equilibrium (fixed
    link costs and tolls included), the total cost ``Σ x·(t(x) + fixed)`` for the system
    optimum. ``total_travel_time`` is ``Σ x·t(x)``; ``total_cost`` adds the fixed link costs
    (tolls are transfers and are not in it; ``toll_revenue`` is ``Σ x·toll``).
    ``relative_gap`` is ``(TSTT − SPTT) / TSTT`` in the costs the travellers (user) or the
    planner (system: marginal costs) see.

    Example:
        >>> from hurwicz.congestion import Network
        >>> eq = Network.braess().equilibrium()
        >>> eq.flows[("A", "B")], eq.total_travel_time, eq.converged
        (4000.0, 320000.0, True)
    """

    kind: str
    method: str
    flows: dict[Any, float]
    flow_array: np.ndarray
    link_costs: np.ndarray
    objective: float
    total_travel_time: float
    total_cost: float
    toll_revenue: float
    relative_gap: float
    iterations: int
    converged: bool
    seconds: float
    gaps: list[float] = field(repr=False, default_factory=list)

    def to_dict(self, links: bool = True) -> dict[str, Any]:
        """A JSON-ready summary (link flows as a list of ``{tail, head, flow, cost}``).

        Example:
            >>> from hurwicz.congestion import Network
            >>> d = Network.pigou().equilibrium().to_dict()
            >>> d["kind"], d["links"][0]["flow"]
            ('user', 1.0)
        """
        out: dict[str, Any] = {
            "kind": self.kind, "method": self.method, "objective": self.objective,
            "total_travel_time": self.total_travel_time, "total_cost": self.total_cost,
            "toll_revenue": self.toll_revenue, "relative_gap": self.relative_gap,
            "iterations": self.iterations, "converged": self.converged,
            "seconds": round(self.seconds, 4)}
        if links:
            out["links"] = [
                {"tail": key[0], "head": key[1], **({"index": key[2]} if len(key) > 2 else {}),
                 "flow": float(f), "cost": float(c)}
                for key, f, c in zip(self.flows, self.flow_array, self.link_costs)]
        return out


class Network:
    """A directed road network with separable link costs and zone-to-zone demand.

    Link ``k`` costs ``t_k(x) + fixed_k + toll_k`` per trip, with travel time
    ``t(x) = t0 + a·x^p`` — BPR's ``t0·(1 + b·(x/capacity)^p)`` is ``a = t0·b/capacity^p``.
    Zones are the nodes trips start and end at; zones in ``no_through`` may not be passed
    through (TNTP's nodes below ``<FIRST THRU NODE>``).

    Build one with :meth:`from_tntp`, :meth:`from_links`, :meth:`from_arrays`, or the
    examples :meth:`pigou` and :meth:`braess`.

    Example:
        >>> net = Network.from_links(
        ...     [{"tail": "s", "head": "t", "t0": 0, "a": 1, "power": 1},
        ...      {"tail": "s", "head": "t", "t0": 1}], {("s", "t"): 1.0})
        >>> net.equilibrium(kind="system").flow_array.round(6).tolist()
        [0.5, 0.5]
    """

    def __init__(self, *, nodes: Sequence[Hashable], tail: Sequence[int], head: Sequence[int],
                 t0: Sequence[float], a: Sequence[float], power: Sequence[float],
                 zones: Sequence[int], demand: np.ndarray,
                 fixed_cost: Sequence[float] | None = None, toll: Sequence[float] | None = None,
                 no_through: Iterable[int] = (), capacity: Sequence[float] | None = None,
                 b: Sequence[float] | None = None, name: str = "network") -> None:
        self.name = name
        self.nodes = list(nodes)
        n = len(self.nodes)
        self.tail = np.asarray(tail, dtype=np.int64)
        self.head = np.asarray(head, dtype=np.int64)
        L = len(self.tail)
        if len(self.head) != L:
            raise InputError("links", "tail and head must have the same length")
        if L == 0:
            raise InputError("links", "the network has no links")
        for label, arr in (("tail", self.tail), ("head", self.head)):
            if arr.min() < 0 or arr.max() >= n:
                raise InputError(f"links.{label}", "refers to a node that is not in the network")

        def arr(values: Sequence[float] | None, what: str, default: float = 0.0) -> np.ndarray:
            out = np.full(L, default) if values is None else np.asarray(values, dtype=float)
            if out.shape != (L,):
                raise InputError(f"links.{what}", f"needs one value per link ({L})")
            if not np.all(np.isfinite(out)):
                k = int(np.flatnonzero(~np.isfinite(out))[0])
                raise InputError(f"links.{what}", f"link {self._key(k)}: must be finite")
            if np.any(out < 0):
                k = int(np.flatnonzero(out < 0)[0])
                raise InputError(f"links.{what}",
                                 f"link {self._key(k)}: must be >= 0, got {out[k]:g}")
            return out

        self.t0 = arr(t0, "t0")
        self.a = arr(a, "a")
        self.power = arr(power, "power")
        bad = (self.power > 0) & (self.power < 1)
        if np.any(bad):
            k = int(np.flatnonzero(bad)[0])
            raise InputError("links.power", f"link {self._key(k)}: must be 0 or >= 1 "
                             f"(convex link costs), got {self.power[k]:g}")
        self.fixed_cost = arr(fixed_cost, "fixed_cost")
        self.toll = arr(toll, "toll")
        self.capacity = None if capacity is None else np.asarray(capacity, dtype=float)
        self.b = None if b is None else np.asarray(b, dtype=float)
        self.zones = [int(z) for z in zones]
        if len(set(self.zones)) != len(self.zones):
            raise InputError("zones", "a zone is listed twice")
        if any(not 0 <= z < n for z in self.zones):
            raise InputError("zones", "a zone is not a node of the network")
        self.no_through = {int(z) for z in no_through}
        if not self.no_through <= set(self.zones):
            raise InputError("no_through", "only zones can be closed to through traffic")
        D = np.array(demand, dtype=float)
        Z = len(self.zones)
        if D.shape != (Z, Z):
            raise InputError("demand", f"must be a {Z}x{Z} matrix over the zones, "
                             f"got shape {D.shape}")
        if not np.all(np.isfinite(D)) or np.any(D < 0):
            raise InputError("demand", "trips must be finite and >= 0")
        np.fill_diagonal(D, 0.0)  # intrazonal trips use no link
        self.demand = D
        self._graph = RoutingGraph(n, self.tail, self.head, self.zones, self.no_through)
        self._check_reachable()

    # --- construction ------------------------------------------------------------------------
    def _key(self, k: int) -> tuple:
        keys = getattr(self, "_keys", None)
        if keys is not None:
            return keys[k]
        return (self.nodes[int(self.tail[k])], self.nodes[int(self.head[k])])

    @property
    def link_keys(self) -> list[tuple]:
        """``(tail, head)`` per link; ``(tail, head, k)`` for the k-th of parallel links.

        Example:
            >>> Network.pigou().link_keys
            [('s', 't', 0), ('s', 't', 1)]
        """
        if getattr(self, "_keys", None) is None:
            pairs = [(self.nodes[int(u)], self.nodes[int(v)])
                     for u, v in zip(self.tail, self.head)]
            count: dict[tuple, int] = {}
            for p in pairs:
                count[p] = count.get(p, 0) + 1
            seen: dict[tuple, int] = {}
            keys = []
            for p in pairs:
                if count[p] == 1:
                    keys.append(p)
                else:
                    keys.append((*p, seen.get(p, 0)))
                    seen[p] = seen.get(p, 0) + 1
            self._keys = keys
        return self._keys

    def _check_reachable(self) -> None:
        rows = np.flatnonzero(self.demand.sum(axis=1) > 0)
        if rows.size == 0:
            return
        dist, _ = self._graph.shortest(self.t0 + self.fixed_cost + self.toll + 1.0, rows)
        dz = dist[:, self._graph.dest_nodes]
        bad = np.argwhere((self.demand[rows] > 0) & ~np.isfinite(dz))
        if bad.size:
            i, j = bad[0]
            o, d = self.nodes[self.zones[rows[i]]], self.nodes[self.zones[j]]
            through = " (zones below the first through node may not be passed through)" \
                if self.no_through else ""
            raise InputError(f"demand.{o}.{d}",
                             f"zone {d} cannot be reached from zone {o}{through}; "
                             f"{len(bad)} origin–destination pair(s) with trips are unreachable")

    @classmethod
    def from_links(cls, links: Iterable[Mapping[str, Any]],
                   demand: Mapping[tuple[Hashable, Hashable], float], *,
                   no_through: Iterable[Hashable] = (), name: str = "network") -> Network:
        """A network from link records and ``{(origin, destination): trips}``.

        Each link has ``tail`` and ``head`` and either BPR fields (``free_flow_time``,
        ``capacity``, ``b`` = 0.15, ``power`` = 4) or polynomial fields (``t0`` = 0, ``a`` = 0,
        ``power`` = 1: ``t(x) = t0 + a·x^power``); optional ``fixed_cost`` and ``toll``.
        Zones are the nodes named in ``demand``.

        Example:
            >>> net = Network.from_links([{"tail": 1, "head": 2, "free_flow_time": 5,
            ...                            "capacity": 100}], {(1, 2): 100})
            >>> round(net.equilibrium().total_travel_time, 6)  # 100 · 5 · (1 + 0.15)
            575.0
        """
        nodes: list[Hashable] = []
        index: dict[Hashable, int] = {}

        def node(label: Hashable) -> int:
            if label not in index:
                index[label] = len(nodes)
                nodes.append(label)
            return index[label]

        cols: dict[str, list[float]] = {k: [] for k in ("t0", "a", "power", "fixed", "toll")}
        tail, head, cap, bs = [], [], [], []
        for i, link in enumerate(links):
            where = f"links[{i}]"
            if not isinstance(link, Mapping):
                raise InputError(where, "must be a mapping with tail, head and cost fields")
            keys = set(link)
            unknown = keys - _BPR_KEYS - _POLY_KEYS - _COMMON_KEYS
            if unknown:
                raise InputError(where, f"unknown field(s) {sorted(unknown)}")
            for k in ("tail", "head"):
                if k not in link:
                    raise InputError(f"{where}.{k}", "is required")
            bpr = bool(keys & {"free_flow_time", "capacity", "b"})
            if bpr and keys & {"t0", "a"}:
                raise InputError(where, "give BPR fields (free_flow_time, capacity, b, power) "
                                 "or polynomial ones (t0, a, power), not both")
            num = {k: _number(link[k], f"{where}.{k}") for k in keys - {"tail", "head"}}
            tail.append(node(link["tail"]))
            head.append(node(link["head"]))
            if bpr:
                if "free_flow_time" not in num or "capacity" not in num:
                    raise InputError(where, "BPR links need free_flow_time and capacity")
                t0, c = num["free_flow_time"], num["capacity"]
                b, p = num.get("b", 0.15), num.get("power", 4.0)
                _check_bpr(t0, c, b, p, where)
                cols["t0"].append(t0)
                cols["a"].append(_bpr_coefficient(t0, c, b, p, where))
                cols["power"].append(p)
                cap.append(c)
                bs.append(b)
            else:
                cols["t0"].append(num.get("t0", 0.0))
                cols["a"].append(num.get("a", 0.0))
                cols["power"].append(num.get("power", 1.0))
                cap.append(math.nan)
                bs.append(math.nan)
            cols["fixed"].append(num.get("fixed_cost", 0.0))
            cols["toll"].append(num.get("toll", 0.0))
        zone_labels: list[Hashable] = []
        for od in demand:
            if not (isinstance(od, tuple) and len(od) == 2):
                raise InputError("demand", f"keys must be (origin, destination) pairs, got {od!r}")
            for z in od:
                if z not in index:
                    raise InputError(f"demand.{z}", "is not a node of the network")
                if z not in zone_labels:
                    zone_labels.append(z)
        for z in no_through:
            if z not in index:
                raise InputError(f"no_through.{z}", "is not a node of the network")
            if z not in zone_labels:
                zone_labels.append(z)
        zpos = {z: i for i, z in enumerate(zone_labels)}
        D = np.zeros((len(zone_labels), len(zone_labels)))
        for (o, d), trips in demand.items():
            D[zpos[o], zpos[d]] += _number(trips, f"demand.{o}.{d}")
        return cls(nodes=nodes, tail=tail, head=head, t0=cols["t0"], a=cols["a"],
                   power=cols["power"], fixed_cost=cols["fixed"], toll=cols["toll"],
                   zones=[index[z] for z in zone_labels], demand=D,
                   no_through=[index[z] for z in no_through], capacity=cap, b=bs, name=name)

    @classmethod
    def from_arrays(cls, tail: Sequence[Hashable], head: Sequence[Hashable],
                    free_flow_time: Sequence[float], capacity: Sequence[float],
                    demand: Sequence[Sequence[float]] | np.ndarray, zones: Sequence[Hashable],
                    *, b: float | Sequence[float] = 0.15, power: float | Sequence[float] = 4.0,
                    fixed_cost: Sequence[float] | None = None,
                    no_through: Iterable[Hashable] = (), name: str = "network") -> Network:
        """A BPR network from link arrays and a zone-by-zone trip matrix
        (``demand[i][j]`` trips from ``zones[i]`` to ``zones[j]``).

        Example:
            >>> net = Network.from_arrays([1, 1, 2], [2, 3, 3], [1.0, 3.0, 1.0],
            ...                           [10.0, 10.0, 10.0], [[0, 20], [0, 0]], zones=[1, 3])
            >>> eq = net.equilibrium(gap=1e-10)
            >>> round(eq.flows[(1, 2)] + eq.flows[(1, 3)], 9)
            20.0
        """
        L = len(tail)
        if len(head) != L or len(free_flow_time) != L or len(capacity) != L:
            raise InputError("links", "tail, head, free_flow_time and capacity need one "
                             "value per link")
        bs = np.broadcast_to(np.asarray(b, dtype=float), (L,))
        ps = np.broadcast_to(np.asarray(power, dtype=float), (L,))
        links = []
        for k in range(L):
            link = {"tail": tail[k], "head": head[k],
                    "free_flow_time": _number(free_flow_time[k], f"free_flow_time[{k}]"),
                    "capacity": _number(capacity[k], f"capacity[{k}]"),
                    "b": float(bs[k]), "power": float(ps[k])}
            if fixed_cost is not None:
                link["fixed_cost"] = _number(fixed_cost[k], f"fixed_cost[{k}]")
            links.append(link)
        D = np.asarray(demand, dtype=float)
        Z = len(zones)
        if D.shape != (Z, Z):
            raise InputError("demand", f"must be a {Z}x{Z} matrix over the zones, "
                             f"got shape {D.shape}")
        trips = {(zones[i], zones[j]): float(D[i, j]) for i in range(Z) for j in range(Z)
                 if i != j}
        return cls.from_links(links, trips, no_through=no_through, name=name)

    @classmethod
    def from_tntp(cls, net_file: str | Path, trips_file: str | Path, *,
                  toll_factor: float | None = None,
                  distance_factor: float | None = None) -> Network:
        """Read a TNTP network and trip table (the "Transportation Networks for Research"
        format). Each link's fixed cost is ``toll_factor · toll + distance_factor · length``,
        the factors taken from the ``<TOLL FACTOR>`` / ``<DISTANCE FACTOR>`` tags when not
        given (0 when absent; Chicago Sketch's are 0.02 and 0.04 per its documentation).

        Example:
            >>> from hurwicz.congestion import sioux_falls_files
            >>> net = Network.from_tntp(*sioux_falls_files())
            >>> len(net.nodes), len(net.tail), float(net.demand.sum())
            (24, 76, 360600.0)
        """
        net_name, trips_name = Path(net_file).name, Path(trips_file).name
        meta, rows = read_net(net_file)
        tmeta, od = read_trips(trips_file)
        if not rows:
            raise InputError(net_name, "no links: a network file needs at least one link row")
        factors = {}
        for key, given, tag, name in (("toll", toll_factor, "TOLL FACTOR", "toll_factor"),
                                      ("length", distance_factor, "DISTANCE FACTOR",
                                       "distance_factor")):
            if given is None:
                given = _meta_number(meta, tag, net_name, 0.0)
            elif not (math.isfinite(float(given)) and float(given) >= 0):
                raise InputError(name, f"must be a finite number >= 0, got {given!r}")
            factors[key] = float(given)
        max_node = max(max(int(r.values[0]), int(r.values[1])) for r in rows) if rows else 0
        n_nodes = int(_meta_number(meta, "NUMBER OF NODES", net_name, max_node))
        n_zones = int(_meta_number(tmeta, "NUMBER OF ZONES", trips_name,
                                   _meta_number(meta, "NUMBER OF ZONES", net_name, 0)))
        first_thru = int(_meta_number(meta, "FIRST THRU NODE", net_name, 1))
        declared = meta.get("NUMBER OF LINKS")
        if declared is not None and int(float(declared)) != len(rows):
            raise InputError(f"{net_name}: NUMBER OF LINKS",
                             f"says {declared} but the file lists {len(rows)} links")
        tail, head, t0s, aa, pw, fixed, cap, bs = [], [], [], [], [], [], [], []
        for r in rows:
            v = r.values + [0.0] * (10 - len(r.values))
            where = f"{net_name}:{r.line}"
            u, w = v[0], v[1]
            for label, x in (("init_node", u), ("term_node", w)):
                if x != int(x) or not 1 <= x <= n_nodes:
                    raise InputError(f"{where}: {label}", f"node {x:g} is not in the network "
                                     f"(nodes are 1..{n_nodes})")
            c, length, t0, b, p, toll = v[2], v[3], v[4], v[5], v[6], v[8]
            _check_bpr(t0, c, b, p, where)
            if length < 0:
                raise InputError(f"{where}: length", f"must be >= 0, got {length:g}")
            tail.append(int(u) - 1)
            head.append(int(w) - 1)
            t0s.append(t0)
            aa.append(_bpr_coefficient(t0, c, b, p, where))
            pw.append(p)
            fixed.append(factors["toll"] * toll + factors["length"] * length)
            cap.append(c)
            bs.append(b)
        if n_zones <= 0:
            n_zones = max((max(o, d) for o, d in od), default=0)
        if n_zones > n_nodes:
            raise InputError(f"{trips_name}: NUMBER OF ZONES",
                             f"{n_zones} zones but only {n_nodes} nodes")
        D = np.zeros((n_zones, n_zones))
        for (o, d), (trips, line) in od.items():
            for label, z in (("origin", o), ("destination", d)):
                if not 1 <= z <= n_zones:
                    raise InputError(f"{trips_name}:{line}: {label}",
                                     f"zone {z} is not a zone (zones are 1..{n_zones})")
            D[o - 1, d - 1] = trips
        return cls(nodes=list(range(1, n_nodes + 1)), tail=tail, head=head, t0=t0s, a=aa,
                   power=pw, fixed_cost=fixed, zones=list(range(n_zones)), demand=D,
                   no_through=range(min(first_thru - 1, n_zones)), capacity=cap, b=bs,
                   name=net_name.removesuffix(".tntp").removesuffix("_net"))

    @classmethod
    def pigou(cls, power: float = 1.0) -> Network:
        """Pigou's network (Pigou 1920; Roughgarden & Tardos 2002): one unit of traffic from
        ``s`` to ``t`` over a link costing ``x^power`` and a link costing 1.

        Example:
            >>> round(Network.pigou().price_of_anarchy(), 9)
            1.333333333
        """
        return cls.from_links([{"tail": "s", "head": "t", "t0": 0.0, "a": 1.0, "power": power},
                               {"tail": "s", "head": "t", "t0": 1.0}], {("s", "t"): 1.0},
                              name="pigou")

    @classmethod
    def braess(cls, shortcut: bool = True) -> Network:
        """Braess's paradox (Braess 1968) in its textbook numbers: 4000 drivers from ``s`` to
        ``t``; links s→A and B→t cost x/100, A→t and s→B cost 45, and the shortcut A→B costs 0.
        With the shortcut everyone takes s→A→B→t at 80; without it they split and pay 65.

        Example:
            >>> Network.braess(shortcut=False).equilibrium().total_travel_time / 4000
            65.0
        """
        links = [{"tail": "s", "head": "A", "a": 0.01},
                 {"tail": "A", "head": "t", "t0": 45.0},
                 {"tail": "s", "head": "B", "t0": 45.0},
                 {"tail": "B", "head": "t", "a": 0.01}]
        if shortcut:
            links.append({"tail": "A", "head": "B", "t0": 0.0})
        return cls.from_links(links, {("s", "t"): 4000.0}, name="braess")

    # --- analysis ----------------------------------------------------------------------------
    def _model(self, kind: str = "user", tolls: bool = True) -> CostModel:
        const = self.t0 + self.fixed_cost + (self.toll if tolls else 0.0)
        model = CostModel(const, self.a, self.power)
        return model.marginal() if kind == "system" else model

    def travel_time(self, flows: np.ndarray) -> np.ndarray:
        """Travel time ``t(x)`` per link (no fixed cost, no toll).

        Example:
            >>> Network.pigou().travel_time(np.array([0.5, 0.5])).tolist()
            [0.5, 1.0]
        """
        return CostModel(self.t0, self.a, self.power).cost(np.asarray(flows, dtype=float))

    def equilibrium(self, kind: str = "user", gap: float = 1e-6, max_iter: int = 10_000,
                    method: str = "auto", time_limit: float | None = None) -> Equilibrium:
        """User equilibrium (``kind="user"``: Wardrop, every used route is a cheapest one) or
        system optimum (``kind="system"``: least total cost, the user equilibrium of marginal
        costs), to relative gap ``gap``. ``method``: ``"bfw"`` bi-conjugate Frank–Wolfe,
        ``"cfw"`` conjugate, ``"fw"`` plain Frank–Wolfe, ``"gp"`` path-based gradient
        projection (for tight gaps); ``"auto"`` (default) is bfw for gaps of 1e-6 and more,
        gp below. A result that stopped short of ``gap`` (``max_iter``, ``time_limit`` in
        seconds, or no descent step left at floating-point precision) says
        ``converged=False``. The system optimum
        ignores this network's tolls (they are transfers); the user equilibrium pays them.

        Example:
            >>> eq = Network.pigou().equilibrium(kind="system", gap=1e-12)
            >>> eq.flow_array.round(9).tolist(), round(eq.objective, 9)
            ([0.5, 0.5], 0.75)
        """
        if kind not in ("user", "system"):
            raise InputError("kind", f"must be 'user' or 'system', got {kind!r}")
        if not (isinstance(gap, int | float) and 0 < gap < 1):
            raise InputError("gap", f"must be a number in (0, 1), got {gap!r}")
        if not (isinstance(max_iter, int) and max_iter >= 1):
            raise InputError("max_iter", f"must be a positive integer, got {max_iter!r}")
        if method == "auto":
            method = "bfw" if gap >= 1e-6 else "gp"
        model = self._model(kind, tolls=kind == "user")
        trace = solve(self._graph, model, self.demand, gap=gap, max_iter=max_iter,
                      method=method, time_limit=time_limit)
        x = trace.flows
        t = self.travel_time(x)
        self._check_routed(x, model.cost(x))
        return Equilibrium(
            kind=kind, method=method, flows=dict(zip(self.link_keys, x.tolist())),
            flow_array=x, link_costs=t + self.fixed_cost + (self.toll if kind == "user" else 0),
            objective=model.objective(x), total_travel_time=float(np.dot(x, t)),
            total_cost=float(np.dot(x, t + self.fixed_cost)),
            toll_revenue=float(np.dot(x, self.toll)) if kind == "user" else 0.0,
            relative_gap=trace.gap, iterations=trace.iterations, converged=trace.converged,
            seconds=trace.seconds, gaps=trace.gaps)

    def _check_routed(self, x: np.ndarray, cost: np.ndarray) -> None:
        """Refuse a result whose link costs overflowed: infinite costs make links look
        impassable to the shortest paths, and the trips are then silently not routed."""
        n = len(self.nodes)
        balance = (np.bincount(self.head, weights=x, minlength=n)
                   - np.bincount(self.tail, weights=x, minlength=n))
        want = np.zeros(n)
        np.add.at(want, self.zones, self.demand.sum(axis=0) - self.demand.sum(axis=1))
        total = float(self.demand.sum())
        if not np.all(np.isfinite(cost)) or not np.all(np.isfinite(x)) or \
                np.abs(balance - want).max(initial=0.0) > 1e-6 * max(total, 1.0):
            raise InputError("demand", "link costs overflow floating point at these flows "
                             "(the trips could not all be routed); rescale the demand, the "
                             "capacities or the cost coefficients")

    def marginal_cost_tolls(self, gap: float = 1e-8, max_iter: int = 10_000,
                            method: str = "auto", system: Equilibrium | None = None
                            ) -> dict[Any, float]:
        """Pigouvian tolls: ``x·t'(x)`` at the system optimum, per link key. Charged on top
        of the link costs (see :meth:`with_tolls`), they make the system optimum a user
        equilibrium. ``system``: a system optimum already computed (else one is, to ``gap``).

        Example:
            >>> tolls = Network.pigou().marginal_cost_tolls(gap=1e-12)
            >>> {k: round(v, 9) for k, v in tolls.items()}
            {('s', 't', 0): 0.5, ('s', 't', 1): 0.0}
        """
        if system is None:
            system = self.equilibrium("system", gap=gap, max_iter=max_iter, method=method)
        elif system.kind != "system" or len(system.flow_array) != len(self.tail):
            raise InputError("system", "must be a system optimum of this network")
        x = system.flow_array
        tolls = x * CostModel(self.t0, self.a, self.power).derivative(x)
        return {k: float(v) for k, v in zip(self.link_keys, tolls)}

    def with_tolls(self, tolls: Mapping[Any, float] | Sequence[float] | np.ndarray) -> Network:
        """A copy of this network whose links also charge ``tolls`` (per link key, or an
        array in link order), replacing any tolls it had.

        Example:
            >>> net = Network.pigou()
            >>> tolled = net.with_tolls(net.marginal_cost_tolls(gap=1e-12))
            >>> tolled.equilibrium(gap=1e-12).flow_array.round(6).tolist()
            [0.5, 0.5]
        """
        if isinstance(tolls, Mapping):
            keys = {k: i for i, k in enumerate(self.link_keys)}
            arr = np.zeros(len(self.tail))
            for k, v in tolls.items():
                if k not in keys:
                    raise InputError(f"tolls.{k}", "is not a link of the network")
                arr[keys[k]] = _number(v, f"tolls.{k}")
        else:
            arr = np.asarray(tolls, dtype=float)
        return Network(nodes=self.nodes, tail=self.tail, head=self.head, t0=self.t0, a=self.a,
                       power=self.power, zones=self.zones, demand=self.demand,
                       fixed_cost=self.fixed_cost, toll=arr, no_through=self.no_through,
                       capacity=self.capacity, b=self.b, name=self.name)

    def price_of_anarchy(self, gap: float = 1e-8, max_iter: int = 10_000) -> float:
        """Total cost at the user equilibrium over total cost at the system optimum (tolls
        excluded); at least 1, at most 4/3 with linear costs (Roughgarden & Tardos 2002).

        Example:
            >>> round(Network.braess().price_of_anarchy(), 9)  # 320000 / 258750
            1.236714976
        """
        free = self.with_tolls(np.zeros(len(self.tail))) if np.any(self.toll) else self
        ue = free.equilibrium("user", gap=gap, max_iter=max_iter)
        so = free.equilibrium("system", gap=gap, max_iter=max_iter)
        return ue.total_cost / so.total_cost if so.total_cost > 0 else 1.0

    def __repr__(self) -> str:
        return (f"Network({self.name!r}: {len(self.nodes)} nodes, {len(self.tail)} links, "
                f"{len(self.zones)} zones, {self.demand.sum():g} trips)")


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(where, f"must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise InputError(where, f"must be finite, got {value!r}")
    return value


def _meta_number(meta: dict[str, str], tag: str, where: str, default: float) -> float:
    if tag not in meta or meta[tag] == "":
        return default
    try:
        return float(meta[tag])
    except ValueError:
        raise InputError(f"{where}: <{tag}>", f"not a number: {meta[tag]!r}") from None


def _bpr_coefficient(t0: float, capacity: float, b: float, power: float, where: str) -> float:
    """``t0 · b / capacity^power``, the coefficient of ``x^power`` in the BPR cost."""
    if b <= 0 or t0 <= 0:
        return 0.0
    try:
        a = t0 * b / capacity ** power
    except (ZeroDivisionError, OverflowError):
        a = math.inf
    if not math.isfinite(a):
        raise InputError(f"{where}: capacity", f"{capacity:g} is too small: free_flow_time · "
                         "b / capacity^power overflows a double; rescale the units")
    return a


def _check_bpr(t0: float, capacity: float, b: float, power: float, where: str) -> None:
    if capacity < 0:
        raise InputError(f"{where}: capacity", f"must be >= 0, got {capacity:g}")
    if t0 < 0:
        raise InputError(f"{where}: free_flow_time", f"must be >= 0, got {t0:g}")
    if b < 0:
        raise InputError(f"{where}: b", f"must be >= 0, got {b:g}")
    if power < 0 or 0 < power < 1:
        raise InputError(f"{where}: power", f"must be 0 or >= 1 (convex link costs), "
                         f"got {power:g}")
    if capacity == 0 and b > 0 and t0 > 0:
        raise InputError(f"{where}: capacity", "is 0 on a link whose cost depends on its flow")

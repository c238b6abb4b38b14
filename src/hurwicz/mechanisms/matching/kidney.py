"""Kidney exchange: cycles among incompatible pairs and chains started by altruistic donors,
solved exactly on HiGHS (``scipy.optimize.milp``).

Formulation: the cycle formulation for cycles of at most ``max_cycle`` pairs (every cycle is
enumerated from its smallest member) plus position-indexed edges for chains (the chain part of
PICEF, Dickerson, Manlove, Plaut, Sandholm & Trimble 2016, "Position-Indexed Formulations for
Kidney Exchange", EC'16): y_{e,k} = 1 when edge e is the k-th transplant of a chain (k ≤
``max_chain``); an altruist starts at most one chain, a pair donates at position k+1 only if it
received at position k, and every pair receives at most one kidney. Edges are only created at
positions reachable from an altruist. Objective: total weight (default 1 per transplant).

``result.exact`` is true only when HiGHS proved the optimum: zero relative MIP gap, optimal
status and a final gap within :func:`hurwicz.core.highs.proven_tolerance` (whole-number
weights: exactly optimal; else within max(1e-6, 1e-12 × Σ best incoming weight)).

Input: ``{"pairs": ["p1", "p2"], "altruists": ["n1"], "edges": [{"donor": "p1",
"recipient": "p2", "weight": 1}]}`` — an edge says the donor of ``donor`` can give to the
patient of ``recipient`` (recipients must be pairs).

Example:
    >>> import hurwicz as hz
    >>> out = hz.mechanism("matching.kidney").run({"pairs": ["a", "b", "c"], "altruists": ["n"],
    ...     "edges": [{"donor": "a", "recipient": "b"}, {"donor": "b", "recipient": "a"},
    ...               {"donor": "n", "recipient": "c"}]})
    >>> out.result["cycles"], out.result["chains"], out.metrics["transplants"]
    ([['a', 'b']], [['n', 'c']], 3)
"""

from __future__ import annotations

import itertools
from collections import deque
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from hurwicz.core.errors import InputError, SolverError
from hurwicz.core.highs import (
    abs_gap_for,
    milp_options,
    milp_proof,
    proven_tolerance,
    reported_gap,
)
from hurwicz.core.mechanism import Mechanism
from hurwicz.core.outcome import Outcome
from hurwicz.core.registry import register
from hurwicz.core.types import Name, PositiveWeight, Seconds
from hurwicz.core.validation import validate_model

from .audit import KidneyAudit


class Edge(BaseModel):
    """The donor of ``donor`` (pair or altruist) is compatible with the patient of
    ``recipient``."""

    model_config = ConfigDict(strict=True, extra="forbid")
    donor: Name
    recipient: Name
    weight: PositiveWeight = 1.0


class KidneyInput(BaseModel):
    """Pairs, altruistic donors and compatibility edges."""

    model_config = ConfigDict(strict=True, extra="forbid")
    pairs: list[Name]
    altruists: list[Name] = Field(default_factory=list)
    edges: list[Edge]


class KidneyParams(BaseModel):
    """Cycle and chain caps and the solver's time limit."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)
    max_cycle: int = Field(3, ge=0, le=6, description="longest cycle (pairs)")
    max_chain: int = Field(3, ge=0, le=10, description="longest chain (transplants)")
    time_limit: Seconds | None = Field(None, description="seconds for HiGHS")
    formulation: Literal["auto", "full", "column_generation"] = Field(
        "auto", description="all columns at once, or priced in by column generation (auto: "
        "column generation above 200 pairs with cycles of at most 3)")


def validate_kidney(data: Any) -> KidneyInput:
    """Validate names and edges.

    Example:
        >>> try:
        ...     validate_kidney({"pairs": ["a"], "edges": [{"donor": "a", "recipient": "z"}]})
        ... except InputError as err:
        ...     print(err)
        edges.0.recipient: unknown pair 'z'
    """
    inp = validate_model(KidneyInput, data)
    names = inp.pairs + inp.altruists
    if len(set(names)) != len(names):
        seen: set[str] = set()
        for i, name in enumerate(names):
            if name in seen:
                field = f"pairs.{i}" if i < len(inp.pairs) else f"altruists.{i - len(inp.pairs)}"
                raise InputError(field, f"{name!r} appears twice among pairs and altruists")
            seen.add(name)
    pairs, everyone = set(inp.pairs), set(names)
    seen = set()
    for k, e in enumerate(inp.edges):
        if e.donor not in everyone:
            raise InputError(f"edges.{k}.donor", f"unknown pair or altruist {e.donor!r}")
        if e.recipient not in pairs:
            raise InputError(f"edges.{k}.recipient", f"unknown pair {e.recipient!r}")
        if e.donor == e.recipient:
            raise InputError(f"edges.{k}", "a pair cannot donate to itself (it would not be "
                             "in the pool)")
        if (e.donor, e.recipient) in seen:
            raise InputError(f"edges.{k}", "duplicate edge")
        seen.add((e.donor, e.recipient))
    return inp


def enumerate_cycles(n: int, out: list[list[int]], max_len: int) -> list[list[int]]:
    """All simple cycles of at most ``max_len`` vertices, each listed once from its smallest
    vertex.

    Example:
        >>> enumerate_cycles(3, [[1], [2, 0], [0]], 3)
        [[0, 1], [0, 1, 2]]
    """
    cycles: list[list[int]] = []
    for s in range(n):
        stack = [(s, [s])]
        while stack:
            v, path = stack.pop()
            for w in out[v]:
                if w == s and len(path) >= 2:
                    cycles.append(path)
                elif w > s and w not in path and len(path) < max_len:
                    stack.append((w, [*path, w]))
    return sorted(cycles)


def weight_bound(weight: dict[tuple[int, int], float], n_pairs: int) -> float:
    """An upper bound on the total weight of any exchange: every pair receives at most one
    kidney, so Σ over pairs of its heaviest incoming edge.

    Example:
        >>> weight_bound({(0, 1): 2.0, (2, 1): 3.5, (1, 0): 1.0}, 3)
        4.5
    """
    best = np.zeros(max(n_pairs, 0))
    for (_, v), w in weight.items():
        if v < n_pairs:
            best[v] = max(best[v], abs(w))
    return float(best.sum())


@register
class KidneyExchange(Mechanism):
    """Maximum-weight kidney exchange with bounded cycles and chains, exact on HiGHS.

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("matching.kidney", max_cycle=2).params.max_chain
        3
    """

    name = "matching.kidney"
    version = "2"  # zero MIP gaps with a proof of optimality; no wall-clock times in results
    family = "matching"
    Audit = KidneyAudit
    summary = "Cycles and altruist chains (PICEF chains + cycle formulation) on HiGHS."
    claims = ()
    Input = KidneyInput
    Params = KidneyParams

    def parse_input(self, data: Any) -> KidneyInput:
        return validate_kidney(data)

    def run_parsed(self, inp: KidneyInput) -> Outcome:
        pairs, alts = inp.pairs, inp.altruists
        index = {name: i for i, name in enumerate(pairs + alts)}
        n_pairs = len(pairs)
        out_edges: list[list[int]] = [[] for _ in range(n_pairs)]
        weight: dict[tuple[int, int], float] = {}
        for e in inp.edges:
            u, v = index[e.donor], index[e.recipient]
            weight[(u, v)] = e.weight
            if u < n_pairs:
                out_edges[u].append(v)
        abs_gap = abs_gap_for(list(weight.values()), scale=weight_bound(weight, n_pairs))
        form = self.params.formulation
        if form == "column_generation" or (form == "auto" and n_pairs > 200
                                           and self.params.max_cycle <= 3):
            return self._column_generation(pairs, alts, weight, out_edges, abs_gap)
        cycles = enumerate_cycles(n_pairs, out_edges, self.params.max_cycle) \
            if self.params.max_cycle >= 2 else []
        # chain edge positions reachable from altruists (BFS distance in transplants)
        dist = np.full(n_pairs + len(alts), np.inf)
        queue = deque()
        for a in range(n_pairs, n_pairs + len(alts)):
            dist[a] = 0
            queue.append(a)
        adjacency: dict[int, list[int]] = {}
        for (u, v) in weight:
            adjacency.setdefault(u, []).append(v)
        while queue:
            u = queue.popleft()
            for v in adjacency.get(u, []):
                if dist[v] == np.inf:
                    dist[v] = dist[u] + 1
                    queue.append(v)
        chain_vars: list[tuple[int, int, int]] = []  # (u, v, position)
        for (u, v) in weight:
            for k in range(1, self.params.max_chain + 1):
                if (u >= n_pairs and k == 1) or (u < n_pairs and k >= 2 and dist[u] <= k - 1):
                    chain_vars.append((u, v, k))
        n_c, n_y = len(cycles), len(chain_vars)
        cost = np.concatenate([
            [-sum(weight[(c[i], c[(i + 1) % len(c)])] for i in range(len(c))) for c in cycles],
            [-weight[(u, v)] for u, v, _ in chain_vars]]) if n_c + n_y else np.zeros(0)
        rows, cols, vals = [], [], []
        # row v (< n_pairs): pair v receives at most once (cycles + chain edges into it);
        # row n_pairs + a: altruist a starts at most one chain
        for j, c in enumerate(cycles):
            rows += c
            cols += [j] * len(c)
            vals += [1.0] * len(c)
        for j, (u, w, _) in enumerate(chain_vars):
            rows.append(w)
            cols.append(n_c + j)
            vals.append(1.0)
            if u >= n_pairs:
                rows.append(u)
                cols.append(n_c + j)
                vals.append(1.0)
        r = n_pairs + len(alts)
        upper = [1.0] * r
        # flow: out of pair v at position k+1 <= into v at position k
        into = {}
        outof = {}
        for j, (u, w, k) in enumerate(chain_vars):
            into.setdefault((w, k), []).append(j)
            outof.setdefault((u, k), []).append(j)
        for (u, k1), js in outof.items():
            if u >= n_pairs:
                continue
            for j in js:
                rows.append(r)
                cols.append(n_c + j)
                vals.append(1.0)
            for j in into.get((u, k1 - 1), []):
                rows.append(r)
                cols.append(n_c + j)
                vals.append(-1.0)
            upper.append(0.0)
            r += 1
        exact, gap, status = True, 0.0, "empty"
        x = np.zeros(n_c + n_y)
        if n_c + n_y:
            matrix = sparse.csr_matrix((vals, (rows, cols)), shape=(r, n_c + n_y))
            res = milp(cost, integrality=np.ones(n_c + n_y),
                       bounds=Bounds(0, 1),
                       constraints=[LinearConstraint(matrix, -np.inf, np.array(upper))],
                       options=milp_options(self.params.time_limit))
            proof = milp_proof(res, abs_gap)
            exact, gap, status = proof.exact, proof.gap, proof.status
            if res.x is not None:
                x = np.round(res.x)
            elif res.status != 1:  # not a time limit: infeasible models cannot happen here
                raise SolverError(f"HiGHS: {proof.status} ({res.message})", "kidney")
            # else: stopped before any incumbent; the empty exchange (x = 0), not exact
        total = float(-cost @ x) if len(x) else 0.0
        return self._outcome(pairs, alts, [cycles[j] for j in range(n_c) if x[j] > 0.5],
                             [chain_vars[j] for j in range(n_y) if x[n_c + j] > 0.5], total,
                             {"exact": exact, "mip_gap": reported_gap(gap), "status": status,
                              "tolerance": proven_tolerance(abs_gap),
                              "cycles_enumerated": n_c, "chain_edge_variables": n_y})

    def _column_generation(self, pairs, alts, weight, out_edges, abs_gap) -> Outcome:
        from .kidney_colgen import solve

        n_pairs = len(pairs)
        given = None
        if self.params.max_cycle > 3:
            given = enumerate_cycles(n_pairs, out_edges, self.params.max_cycle)
        res = solve(n_pairs, len(alts), weight, given, self.params.max_cycle,
                    self.params.max_chain, self.params.time_limit)
        return self._outcome(pairs, alts, res.cycles, res.chain_edges, res.objective,
                             {"exact": res.exact, "mip_gap": reported_gap(res.gap),
                              "status": res.status,
                              "tolerance": proven_tolerance(abs_gap),
                              "formulation": "column_generation", **res.stats})

    def _outcome(self, pairs, alts, cycles, chain_edges, total, info) -> Outcome:
        n_pairs = len(pairs)
        names = pairs + alts
        chosen_cycles = [[names[v] for v in c] for c in cycles]
        next_in_chain = {(u, k): w for (u, w, k) in chain_edges}
        chains = []
        for a in range(n_pairs, n_pairs + len(alts)):
            if (a, 1) not in next_in_chain:
                continue
            chain, node, k = [names[a]], a, 1
            while (node, k) in next_in_chain:
                node = next_in_chain[(node, k)]
                chain.append(names[node])
                k += 1
            chains.append(chain)
        receives: dict[str, str | None] = dict.fromkeys(names, None)
        for c in chosen_cycles:
            for i, v in enumerate(c):
                receives[c[(i + 1) % len(c)]] = v
        for ch in chains:
            for giver, taker in itertools.pairwise(ch):
                receives[taker] = giver
        transplants = sum(len(c) for c in chosen_cycles) + sum(len(c) - 1 for c in chains)
        return Outcome(self.name, self.param_dict(), receives, dict.fromkeys(names, 0.0),
                       {"cycles": chosen_cycles, "chains": chains, **info},
                       {"transplants": transplants, "weight": total})

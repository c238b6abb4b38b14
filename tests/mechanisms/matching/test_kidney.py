"""Kidney exchange: feasibility and optimality against brute force on small pools.

Source for the formulation: Abraham, Blum & Sandholm (2007), EC'07 (cycle formulation);
Dickerson, Manlove, Plaut, Sandholm & Trimble (2016), EC'16 (position-indexed chains).
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hurwicz as hz
from hurwicz.core.errors import InputError
from hurwicz.mechanisms.matching.generators import abo_compatible, kidney_pool


def structures(pool: dict, max_cycle: int, max_chain: int) -> list[tuple[set, int]]:
    """Every cycle (≤ max_cycle pairs) and chain (≤ max_chain transplants) as (vertices,
    transplants)."""
    out = {}
    for e in pool["edges"]:
        out.setdefault(e["donor"], []).append(e["recipient"])
    found = []
    pairs = pool["pairs"]
    for length in range(2, max_cycle + 1):
        for cyc in itertools.permutations(pairs, length):
            if cyc[0] != min(cyc):
                continue
            if all(cyc[(i + 1) % length] in out.get(cyc[i], []) for i in range(length)):
                found.append((set(cyc), length))
    def extend(path):
        if len(path) - 1 >= 1:
            found.append((set(path), len(path) - 1))
        if len(path) - 1 == max_chain:
            return
        for nxt in out.get(path[-1], []):
            if nxt not in path:
                extend([*path, nxt])
    for a in pool["altruists"]:
        extend([a])
    return found


def best_packing(items: list[tuple[set, int]]) -> int:
    best = 0
    def go(i, used, total):
        nonlocal best
        best = max(best, total)
        for j in range(i, len(items)):
            verts, w = items[j]
            if used.isdisjoint(verts):
                go(j + 1, used | verts, total + w)
    go(0, frozenset(), 0)
    return best


@settings(max_examples=25)
@given(st.integers(0, 10_000), st.integers(2, 3), st.integers(0, 3),
       st.sampled_from(["full", "column_generation"]))
def test_optimal_and_feasible_on_small_pools(seed, max_cycle, max_chain, formulation) -> None:
    pool = kidney_pool(7, altruist_share=0.3, seed=seed)
    out = hz.mechanism("matching.kidney", max_cycle=max_cycle, max_chain=max_chain,
                       formulation=formulation).run(pool)
    edges = {(e["donor"], e["recipient"]) for e in pool["edges"]}
    used = []
    for c in out.result["cycles"]:
        assert 2 <= len(c) <= max_cycle
        assert all((c[i], c[(i + 1) % len(c)]) in edges for i in range(len(c)))
        used += c
    for ch in out.result["chains"]:
        assert ch[0] in pool["altruists"] and 1 <= len(ch) - 1 <= max_chain
        assert all((a, b) in edges for a, b in itertools.pairwise(ch))
        used += ch
    assert len(used) == len(set(used))  # nobody gives or receives twice
    assert out.metrics["transplants"] == best_packing(structures(pool, max_cycle, max_chain))
    assert out.result["exact"] is True


def test_known_small_instance() -> None:
    pool = {"pairs": ["a", "b", "c", "d"], "altruists": ["n"],
            "edges": [{"donor": "a", "recipient": "b"}, {"donor": "b", "recipient": "c"},
                      {"donor": "c", "recipient": "a"}, {"donor": "n", "recipient": "d"},
                      {"donor": "d", "recipient": "a"}]}
    out = hz.mechanism("matching.kidney").run(pool)
    # the 3-cycle a→b→c→a (3) plus n→d (1) beats the chain n→d→a→b (3) alone
    assert out.metrics["transplants"] == 4
    assert out.result["cycles"] == [["a", "b", "c"]] and out.result["chains"] == [["n", "d"]]
    assert out.allocation["b"] == "a" and out.allocation["d"] == "n"
    two = hz.mechanism("matching.kidney", max_cycle=2, max_chain=3).run(pool)
    # without 3-cycles the best is the chain n→d→a→b (3 transplants)
    assert two.result["chains"] == [["n", "d", "a", "b"]] and two.metrics["transplants"] == 3


def test_blood_types_and_errors() -> None:
    assert abo_compatible("O", "AB") and not abo_compatible("AB", "O")
    with pytest.raises(InputError, match="edges.0.recipient: unknown pair 'n'"):
        hz.mechanism("matching.kidney").run({"pairs": ["a"], "altruists": ["n"],
                                             "edges": [{"donor": "a", "recipient": "n"}]})


@settings(max_examples=12, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 3), st.integers(0, 3), st.booleans())
def test_column_generation_matches_the_full_model(seed, max_cycle, max_chain, weighted) -> None:
    """Column generation with the reduced-cost optimality proof reaches the optimum of the
    full cycle + PICEF-chain model, also with fractional weights (where the proof cannot round
    the bound)."""
    import numpy as np

    pool = kidney_pool(40, altruist_share=0.1, seed=seed)
    if weighted:
        rng = np.random.default_rng(seed)
        for e in pool["edges"]:
            e["weight"] = float(rng.choice([0.5, 1.0, 1.7, 2.25]))
    full = hz.mechanism("matching.kidney", max_cycle=max_cycle, max_chain=max_chain,
                        formulation="full").run(pool)
    colgen = hz.mechanism("matching.kidney", max_cycle=max_cycle, max_chain=max_chain,
                          formulation="column_generation").run(pool)
    assert colgen.result["exact"] and full.result["exact"]
    assert abs(colgen.metrics["weight"] - full.metrics["weight"]) < 1e-6
    assert colgen.result["lp_bound"] >= colgen.metrics["weight"] - 1e-6


"""Quadratic funding family: worked examples, pool/caps/saturation, invariants, variants.

Sources: Buterin, Hitzig & Weyl (2019), "A Flexible Design for Funding Public Goods",
Management Science 65(11) — funding (Σ√c)², §3; capital-constrained α, §4.2. Buterin (2019),
"Pairwise coordination subsidies" (ethresear.ch) — k_ij = M/(M + Σ√(c_i c_j)). Miller, Weyl &
Erichsen (2022), "Beyond Collusion Resistance", SSRN 4311507 — connection-oriented cluster match.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import sparse

import hurwicz as hz
from hurwicz.core.errors import InputError, ParameterError
from hurwicz.mechanisms.funding.pairwise import pairwise_matches, pairwise_matches_loop
from hurwicz.mechanisms.funding.pool import allocate_pool


def contributions(*triples):
    return [{"contributor": c, "project": p, "amount": a} for c, p, a in triples]


def test_many_small_donors_beat_one_large_donor() -> None:
    """BHW (2019) §3: four donors of 4 raise (4·√4)² = 64; one donor of 16 raises 16."""
    data = {"pool": 10_000, "contributions": contributions(
        ("a", "many", 4), ("b", "many", 4), ("c", "many", 4), ("d", "many", 4),
        ("e", "one", 16))}
    out = hz.mechanism("funding.quadratic").run(data)
    assert out.result["funding"] == {"many": 64.0, "one": 16.0}
    assert out.result["matching"] == {"many": 48.0, "one": 0.0}
    assert out.result["unspent"] == 10_000 - 48
    assert out.payments == {"a": 4.0, "b": 4.0, "c": 4.0, "d": 4.0, "e": 16.0}
    # each small donor attracts a quarter of the match
    assert out.allocation["a"] == pytest.approx(12.0)


def test_contributions_are_summed_per_contributor_before_the_root() -> None:
    split = {"pool": 100, "contributions": contributions(("a", "p", 1), ("a", "p", 3),
                                                         ("b", "p", 4))}
    whole = {"pool": 100, "contributions": contributions(("a", "p", 4), ("b", "p", 4))}
    m = hz.mechanism("funding.quadratic")
    assert m.run(split).result["matching"] == m.run(whole).result["matching"] == {"p": 8.0}


def test_scaled_to_the_pool_and_saturation_rules() -> None:
    data = {"pool": 4, "contributions": contributions(("a", "p", 1), ("b", "p", 1),
                                                      ("c", "q", 9), ("d", "q", 1))}
    # ideal: p = 2, q = (3+1)² − 10 = 6; pool 4 → scale 1/2
    out = hz.mechanism("funding.quadratic").run(data)
    assert out.result["matching"] == {"p": 1.0, "q": 3.0}
    assert out.result["scale"] == 0.5 and out.result["unspent"] == 0.0
    rich = {**data, "pool": 16}
    assert hz.mechanism("funding.quadratic").run(rich).result["unspent"] == 8.0
    spend = hz.mechanism("funding.quadratic", saturation="spend_pool").run(rich)
    assert spend.result["matching"] == {"p": 4.0, "q": 12.0}


def test_cap_redistributes_the_excess() -> None:
    data = {"pool": 10, "contributions": contributions(
        ("a", "p", 9), ("b", "p", 16), ("c", "q", 1), ("d", "q", 1), ("e", "r", 4),
        ("f", "r", 4))}
    # ideal p 24, q 2, r 8: total 34 > 10. Scaled: 7.06, 0.59, 2.35; p is cut to the cap
    # 0.4·10 = 4 and its excess flows to q and r in proportion 2 : 8 until r too hits 4 and
    # q its ideal 2: the pool is spent exactly
    out = hz.mechanism("funding.quadratic", cap=0.4).run(data)
    assert out.result["matching"] == pytest.approx({"p": 4.0, "q": 2.0, "r": 4.0})
    assert out.result["capped"] == ["p", "r"]
    # with a looser cap the redistribution stops part-way: p = 5, q : r = 2 : 8 share 5
    loose = hz.mechanism("funding.quadratic", cap=0.5).run(data).result["matching"]
    assert loose == pytest.approx({"p": 5.0, "q": 1.0, "r": 4.0})


amounts = st.floats(0.01, 1000, allow_nan=False)
rounds = st.lists(st.tuples(st.sampled_from(list("abcdefg")), st.sampled_from(list("pqrs")),
                            amounts), min_size=1, max_size=25)


@given(rounds, st.floats(1, 10_000), st.sampled_from([None, 0.2, 0.5, 1.0]),
       st.sampled_from(["ideal", "spend_pool"]))
def test_match_sums_to_the_pool_or_the_documented_saturated_total(triples, pool, cap,
                                                                 saturation) -> None:
    data = {"pool": pool, "contributions": contributions(*triples)}
    out = hz.mechanism("funding.quadratic", cap=cap, saturation=saturation).run(data)
    match = np.array(list(out.result["matching"].values()))
    ideal = np.array(list(out.result["ideal_matching"].values()))
    assert (match >= -1e-9).all()
    if cap is not None:
        assert (match <= cap * pool + 1e-7).all()
    bound = np.minimum(ideal, cap * pool if cap else np.inf) if saturation == "ideal" else \
        np.where(ideal > 0, cap * pool if cap else np.inf, 0.0)
    expected = min(pool, float(bound.sum()))
    assert match.sum() == pytest.approx(expected, rel=1e-9, abs=1e-7)
    assert match.sum() + out.result["unspent"] == pytest.approx(pool, rel=1e-9)
    assert sum(out.allocation.values()) == pytest.approx(match.sum(), rel=1e-7, abs=1e-7)


@given(rounds, st.randoms(use_true_random=False))
def test_contributor_names_and_order_do_not_matter(triples, rnd) -> None:
    data = {"pool": 500, "contributions": contributions(*triples)}
    shuffled = list(data["contributions"])
    rnd.shuffle(shuffled)
    renamed = [{**c, "contributor": "x" + c["contributor"]} for c in shuffled]
    m = hz.mechanism("funding.quadratic")
    a = m.run(data).result["matching"]
    b = m.run({"pool": 500, "contributions": renamed}).result["matching"]
    assert a.keys() == b.keys()
    for p in a:
        assert a[p] == pytest.approx(b[p], rel=1e-12, abs=1e-12)


def test_minimum_and_self_contributions_are_not_matched() -> None:
    data = {"pool": 100, "owners": {"p": ["a"]}, "contributions": contributions(
        ("a", "p", 100), ("b", "p", 1), ("c", "p", 1), ("d", "p", 0.5))}
    out = hz.mechanism("funding.quadratic", min_contribution=1).run(data)
    assert out.result["matching"] == {"p": 2.0}  # only b and c: (1 + 1)² − 2
    assert out.result["funding"]["p"] == 102.5 + 2.0
    off = hz.mechanism("funding.quadratic", exclude_self=False).run(data)
    assert off.result["matching"]["p"] > 2.0


def test_capital_constrained_alpha() -> None:
    data = {"pool": 3, "contributions": contributions(("a", "p", 1), ("b", "p", 1),
                                                      ("c", "q", 4), ("d", "q", 1))}
    out = hz.mechanism("funding.capital_constrained").run(data)
    # ideals 2 and 4: α = 3/6
    assert out.result["alpha"] == 0.5
    assert out.result["funding"] == {"p": 2 + 1.0, "q": 5 + 2.0}
    with pytest.raises(ParameterError):
        hz.mechanism("funding.capital_constrained", cap=0.5).run(data)


@given(st.lists(st.lists(st.sampled_from([0.0, 0.0, 1.0, 4.0, 2.5]), min_size=3, max_size=3),
                min_size=2, max_size=8), st.sampled_from([0.5, 10.0, 1e6]))
def test_sparse_pairwise_equals_the_per_pair_loop(rows, M) -> None:
    dense = np.array(rows)
    ideal, shares = pairwise_matches(sparse.csr_matrix(dense), M)
    assert np.allclose(ideal, pairwise_matches_loop(dense, M))
    assert np.allclose(np.asarray(shares.sum(axis=0)).ravel(), ideal)


def test_pairwise_bounds_and_limits() -> None:
    data = {"pool": 1e9, "contributions": contributions(
        ("a", "p", 4), ("b", "p", 9), ("a", "q", 4), ("b", "q", 9), ("c", "q", 1))}
    qf = hz.mechanism("funding.quadratic").run(data).result["ideal_matching"]
    pw = hz.mechanism("funding.pairwise", M=1.0).run(data).result["ideal_matching"]
    huge = hz.mechanism("funding.pairwise", M=1e12).run(data).result["ideal_matching"]
    for p in qf:
        assert pw[p] <= qf[p] + 1e-9
        assert huge[p] == pytest.approx(qf[p], rel=1e-6)
    # a and b overlap on p and q: √(4·9) + √(4·9) = 12, so k_ab = 1/13; on p the match is
    # 2 · k_ab · √36 = 12/13
    assert pw["p"] == pytest.approx(12 / 13)


def test_cluster_match_reduces_to_qf_for_strangers_and_to_zero_for_one_group() -> None:
    base = contributions(("a", "p", 1), ("b", "p", 4), ("c", "p", 9))
    singles = {"pool": 1e6, "groups": {"g1": ["a"], "g2": ["b"], "g3": ["c"]},
               "contributions": base}
    together = {"pool": 1e6, "groups": {"g": ["a", "b", "c"]}, "contributions": base}
    cm = hz.mechanism("funding.cluster_match")
    qf = hz.mechanism("funding.quadratic").run(singles).result["ideal_matching"]["p"]
    assert cm.run(singles).result["ideal_matching"]["p"] == pytest.approx(qf)  # (1+2+3)²−14
    assert qf == 22.0
    assert cm.run(together).result["ideal_matching"]["p"] == 0.0
    # no groups at all: everyone is a group of their own, i.e. QF
    assert cm.run({"pool": 1e6, "contributions": base}).result["ideal_matching"]["p"] == \
        pytest.approx(22.0)


def test_cocm_attenuates_connected_groups() -> None:
    """Two groups bridged by a member who is in both: the bridge's cross-group contribution
    enters as √c (attenuated) instead of c."""
    data = {"pool": 1e6, "groups": {"g": ["a", "b"], "h": ["b", "c"]},
            "contributions": contributions(("a", "p", 4), ("b", "p", 4), ("c", "p", 4))}
    # |T| = 1, 2, 1. Everyone is connected to both groups (b bridges them), so K = √c = 2:
    # A(g,h) = 2/1 + 2/2 = 3 = A(h,g); funding = 12 + 2·√(3·3) = 18, match 6
    out = hz.mechanism("funding.cluster_match").run(data)
    assert out.result["ideal_matching"]["p"] == pytest.approx(6.0)


def test_bad_inputs_name_the_field() -> None:
    m = hz.mechanism("funding.quadratic")
    with pytest.raises(InputError, match="pool: missing"):
        m.run({"contributions": contributions(("a", "p", 1))})
    with pytest.raises(InputError, match="contributions.0.amount"):
        m.run({"pool": 1, "contributions": contributions(("a", "p", -1))})
    with pytest.raises(InputError, match="owners.zz"):
        m.run({"pool": 1, "owners": {"zz": ["a"]}, "contributions": contributions(("a", "p",
                                                                                  1))})
    with pytest.raises(InputError, match="params.pool says"):
        hz.mechanism("funding.quadratic", pool=5).run({"pool": 6, "contributions": []})
    assert math.isclose(hz.mechanism("funding.quadratic", pool=5).run(
        {"contributions": contributions(("a", "p", 1), ("b", "p", 1))}).metrics["pool"], 5)


def test_pool_allocation_edge_cases() -> None:
    assert allocate_pool(np.zeros(3), 10)[0].tolist() == [0, 0, 0]
    assert allocate_pool(np.array([5.0]), 0.0)[0].tolist() == [0.0]
    match, _, unspent = allocate_pool(np.array([5.0, 5.0]), 100, cap=1.0,
                                      saturation="spend_pool")
    assert match.tolist() == [1.0, 1.0] and unspent == 98.0

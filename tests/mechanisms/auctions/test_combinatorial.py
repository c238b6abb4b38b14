"""Combinatorial auctions: VCG against brute force, pivot savings, inexact solves, and the LOS
greedy mechanism.

Sources: Vickrey (1961), Clarke (1971), Groves (1973) — VCG is efficient, DSIC and IR with
Clarke pivots; Lehmann, O'Callaghan & Shoham (2002), JACM 49(5) — greedy by v/√|S| with
critical payments is truthful for single-minded bidders.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hurwicz as hz
from hurwicz.core.errors import InputError, SolverError
from hurwicz.mechanisms.auctions.cats import generate

ITEMS = ["A", "B", "C", "D"]
bundle = st.lists(st.sampled_from(ITEMS), min_size=1, max_size=3, unique=True)
xor_bids = st.lists(st.fixed_dictionaries({"bundle": bundle,
                                           "value": st.integers(0, 30).map(float)}),
                    min_size=1, max_size=2)
instances = st.dictionaries(st.sampled_from(["p", "q", "r", "s"]), xor_bids, min_size=1)


def brute_force_welfare(data: dict, without: str | None = None) -> float:
    options = [[None, *bids] for who, bids in sorted(data["bids"].items()) if who != without]
    best = 0.0
    for combo in itertools.product(*options):
        chosen = [b for b in combo if b is not None]
        items = [i for b in chosen for i in b["bundle"]]
        if len(items) == len(set(items)):
            best = max(best, sum(b["value"] for b in chosen))
    return best


@settings(max_examples=40)
@given(instances)
def test_vcg_matches_brute_force(bids) -> None:
    data = {"items": ITEMS, "bids": bids}
    out = hz.mechanism("auction.vcg").run(data)
    assert out.metrics["welfare"] == pytest.approx(brute_force_welfare(data))
    for who, items in out.allocation.items():
        if not items:
            assert out.payments[who] == 0.0  # losers pay nothing
            continue
        value = max(b["value"] for b in bids[who] if set(b["bundle"]) == set(items))
        assert out.payments[who] <= value + 1e-9  # payments never exceed bids
        clarke = brute_force_welfare(data, who) - (out.metrics["welfare"] - value)
        assert out.payments[who] == pytest.approx(clarke, abs=1e-6)
    assert out.result["solves"] == 1 + len(out.result["winners"])


def test_pivots_only_for_winners_and_same_payments_as_naive() -> None:
    inst = generate("regions", items=16, bids=40, seed=3)
    out = hz.mechanism("auction.vcg").run(inst)
    assert out.result["exact"] is True
    assert out.result["solves"] == 1 + len(out.result["winners"])
    for who in out.result["winners"]:
        pivot = brute_force_welfare(inst, who) if len(inst["bids"]) <= 8 else None
        if pivot is not None:
            assert out.result["pivot_welfare"][who] == pytest.approx(pivot)


def test_time_limit_reports_gap_and_refuses_clarke_payments() -> None:
    inst = generate("arbitrary", items=60, bids=300, seed=4)
    with pytest.raises(SolverError, match="not truthful"):
        hz.mechanism("auction.vcg", time_limit=0.01).run(inst)
    m = hz.mechanism("auction.vcg", time_limit=0.01, allow_inexact=True)
    out = m.run(inst)
    assert out.result["exact"] is False and out.result["truthful"] is False
    assert "dsic" not in m.active_claims() and "ir" not in m.active_claims()


def test_greedy_los_critical_payments() -> None:
    data = {"items": ["A", "B"], "bids": {"a": [{"bundle": ["A", "B"], "value": 10}],
                                          "b": [{"bundle": ["A"], "value": 6}],
                                          "c": [{"bundle": ["B"], "value": 3}]}}
    out = hz.mechanism("auction.greedy_combinatorial").run(data)
    # a ranks first (10/√2 ≈ 7.07); without a, b wins next: a pays 6·√2
    assert out.allocation == {"a": ["A", "B"], "b": [], "c": []}
    assert out.payments["a"] == pytest.approx(6 * 2 ** 0.5)
    with pytest.raises(InputError, match="single-minded"):
        hz.mechanism("auction.greedy_combinatorial").run(
            {"items": ["A"], "bids": {"a": [{"bundle": ["A"], "value": 1},
                                            {"bundle": ["A"], "value": 2}]}})


single_minded = st.dictionaries(st.sampled_from(["p", "q", "r", "s", "t"]),
                                st.fixed_dictionaries({"bundle": bundle,
                                                       "value": st.integers(1, 30).map(float)}),
                                min_size=1)


@settings(max_examples=30)
@given(single_minded)
def test_greedy_is_individually_rational_and_truthful_on_values(bids) -> None:
    data = {"items": ITEMS, "bids": {w: [b] for w, b in bids.items()}}
    m = hz.mechanism("auction.greedy_combinatorial")
    out = m.run(data)
    for who, items in out.allocation.items():
        assert out.payments[who] <= bids[who]["value"] + 1e-9 if items else \
            out.payments[who] == 0.0
    # misreporting one's value (same bundle) never helps a single-minded bidder
    for who, bid in bids.items():
        truth = [bid]
        u0 = m.utility(who, truth, out)
        for factor in (0.0, 0.5, 0.9, 1.1, 2.0):
            dev = m.run(m.with_reports(data, {who: [{**bid, "value": bid["value"] * factor}]}))
            assert m.utility(who, truth, dev) <= u0 + 1e-9


def test_bad_bundles() -> None:
    with pytest.raises(InputError, match="unknown item 'Z'"):
        hz.mechanism("auction.vcg").run({"items": ["A"], "bids": {
            "a": [{"bundle": ["Z"], "value": 1}]}})


def test_generator_is_deterministic_and_valid() -> None:
    for dist in ("arbitrary", "regions"):
        a = generate(dist, items=20, bids=50, seed=7)
        assert a == generate(dist, items=20, bids=50, seed=7)
        assert sum(len(v) for v in a["bids"].values()) == 50
        known = set(a["items"])
        assert all(set(b["bundle"]) <= known for v in a["bids"].values() for b in v)

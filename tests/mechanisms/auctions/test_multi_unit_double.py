"""Multi-unit and double auctions.

Sources: Krishna, *Auction Theory*, 2nd ed. (2010), ch. 12–13 (uniform-price, discriminatory and
Vickrey multi-unit auctions; demand reduction in uniform-price auctions, Ausubel & Cramton 2002);
McAfee (1992), "A Dominant Strategy Double Auction", JET 56(2): trade reduction never runs a
deficit and loses at most one efficient trade.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import hurwicz as hz
from hurwicz.core.errors import InputError

marginals = st.lists(st.integers(0, 20).map(float), min_size=1, max_size=3).map(
    lambda xs: sorted(xs, reverse=True))
profiles = st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), marginals, min_size=1)


def test_textbook_multi_unit_payments() -> None:
    data = {"units": 3, "bids": {"a": [10, 6], "b": [8], "c": [5, 4]}}
    assert hz.mechanism("auction.uniform_price", price_rule="kth").run(data).payments == \
        {"a": 12.0, "b": 6.0, "c": 0.0}
    assert hz.mechanism("auction.uniform_price").run(data).payments == \
        {"a": 10.0, "b": 5.0, "c": 0.0}
    assert hz.mechanism("auction.pay_as_bid").run(data).payments == \
        {"a": 16.0, "b": 8.0, "c": 0.0}
    vcg = hz.mechanism("auction.vcg_multi_unit").run(data)
    assert vcg.allocation == {"a": 2, "b": 1, "c": 0}
    assert vcg.payments == {"a": 9.0, "b": 5.0, "c": 0.0}  # a displaces c's 5 and 4


def test_reserve_and_validation() -> None:
    out = hz.mechanism("auction.uniform_price", reserve=7).run(
        {"units": 3, "bids": {"a": [10, 6], "b": [8]}})
    assert out.allocation == {"a": 1, "b": 1} and out.result["price"] == 7.0
    with pytest.raises(InputError, match="bids.a: marginal values must be non-increasing"):
        hz.mechanism("auction.pay_as_bid").run({"units": 1, "bids": {"a": [1, 2]}})


@given(profiles, st.integers(0, 6))
def test_multi_unit_invariants(bids, k) -> None:
    data = {"units": k, "bids": bids}
    every = sorted((v for vs in bids.values() for v in vs), reverse=True)
    for name in ("auction.uniform_price", "auction.pay_as_bid", "auction.vcg_multi_unit"):
        out = hz.mechanism(name).run(data)
        assert sum(out.allocation.values()) == min(k, len(every))
        welfare = sum(sum(bids[a][:q]) for a, q in out.allocation.items())
        assert welfare == pytest.approx(sum(every[:k]))  # the k highest marginal bids win
        for who, q in out.allocation.items():
            assert out.payments[who] <= sum(bids[who][:q]) + 1e-9  # never above the bids
            if q == 0:
                assert out.payments[who] == 0.0


@given(st.lists(st.lists(st.lists(st.integers(0, 9).map(float), min_size=2, max_size=2).map(
    lambda xs: sorted(xs, reverse=True)), min_size=3, max_size=3), min_size=1, max_size=10),
    st.integers(0, 5))
def test_batch_agrees_with_run(rows, k) -> None:
    arr = np.array(rows)
    for name in ("auction.uniform_price", "auction.pay_as_bid", "auction.vcg_multi_unit"):
        m = hz.mechanism(name)
        batch = m.run_batch(arr, m.layout(["a", "b", "c"], {"units": k}))
        for i, row in enumerate(rows):
            out = m.run({"units": k, "bids": {"a": row[0], "b": row[1], "c": row[2]}})
            assert [out.allocation[x] for x in "abc"] == batch.allocation[i].tolist()
            assert [out.payments[x] for x in "abc"] == pytest.approx(batch.payments[i].tolist())


def test_demand_reduction_in_uniform_price_and_truthful_vcg() -> None:
    """Ausubel & Cramton (2002): a two-unit bidder gains by shading its second unit."""
    data = {"units": 2, "bids": {"a": [10, 10], "b": [6]}}
    up = hz.audit("auction.uniform_price", inputs=[data], properties=["dsic"])
    assert up.check("dsic").holds is False
    vcg = hz.audit("auction.vcg_multi_unit", inputs=[data], properties=["dsic"])
    assert vcg.check("dsic").holds is True


def test_mcafee_examples() -> None:
    data = {"buyers": {"b1": 10, "b2": 8, "b3": 3}, "sellers": {"s1": 2, "s2": 5, "s3": 9}}
    out = hz.mechanism("auction.mcafee").run(data)
    # p0 = (3 + 9)/2 = 6 lies in [s2, b2] = [5, 8]: both efficient trades happen at 6
    assert out.result["trades"] == 2 and out.result["price"] == 6.0
    assert sum(out.payments.values()) == 0.0
    reduced = hz.mechanism("auction.mcafee").run({"buyers": {"b1": 10, "b2": 9},
                                                  "sellers": {"s1": 1, "s2": 8}})
    assert reduced.result["trades"] == 1
    assert reduced.payments["b1"] == 9.0 and reduced.payments["s1"] == -8.0


traders = st.dictionaries(st.sampled_from([f"b{i}" for i in range(6)]),
                          st.integers(0, 30).map(float), min_size=0, max_size=6)
sellers = st.dictionaries(st.sampled_from([f"s{i}" for i in range(6)]),
                          st.integers(0, 30).map(float), min_size=0, max_size=6)


@given(traders, sellers, st.floats(0, 1))
def test_double_auction_invariants(buyers, sells, kappa) -> None:
    data = {"buyers": buyers, "sellers": sells}
    mc = hz.mechanism("auction.mcafee").run(data)
    kd = hz.mechanism("auction.k_double", k=kappa).run(data)
    efficient = mc.result["efficient_trades"]
    assert sum(mc.payments.values()) >= -1e-9  # never a deficit
    assert mc.result["trades"] >= efficient - 1
    assert kd.result["trades"] == efficient
    assert sum(kd.payments.values()) == pytest.approx(0.0, abs=1e-9)  # budget balanced
    for out in (mc, kd):  # individually rational for every trader
        for b, v in buyers.items():
            assert v * out.allocation[b] - out.payments[b] >= -1e-9
        for s, c in sells.items():
            assert -out.payments[s] + c * out.allocation[s] >= -1e-9


def test_mcafee_is_truthful_k_double_is_not() -> None:
    mc = hz.audit("auction.mcafee", agents=4, prior="uniform:0,1", properties=["dsic"],
                  samples=2000, context={"buyers": 2})
    assert mc.check("dsic").holds is True
    kd = hz.audit("auction.k_double", agents=4, prior="uniform:0,1", properties=["dsic"],
                  samples=500, context={"buyers": 2})
    assert kd.check("dsic").holds is False


def test_double_auction_input_errors() -> None:
    with pytest.raises(InputError, match="both a buyer and a seller"):
        hz.mechanism("auction.mcafee").run({"buyers": {"x": 1}, "sellers": {"x": 1}})

"""Transaction-fee mechanisms: the EIP-1559 base-fee rule, the three one-block mechanisms and
their incentive properties after Roughgarden, "Transaction Fee Mechanism Design" (EC 2021,
arXiv:2106.01340)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import hurwicz as hz
from hurwicz.auditing.spec import audit_spec
from hurwicz.core.errors import HurwiczError, InputError
from hurwicz.mechanisms.fees import next_base_fee, simulate_base_fee


# --- EIP-1559 base fee (https://eips.ethereum.org/EIPS/eip-1559, "Specification") ------------
def test_base_fee_rule_integer_arithmetic_as_in_the_eip():
    target = 15_000_000
    gwei = 1_000_000_000  # INITIAL_BASE_FEE of the EIP
    assert next_base_fee(gwei, target, target) == gwei                      # at target
    assert next_base_fee(gwei, 2 * target, target) == gwei + gwei // 8      # full: +12.5 %
    assert next_base_fee(gwei, 0, target) == gwei - gwei // 8               # empty: −12.5 %
    # delta = base_fee * gas_used_delta // target // 8, floor divisions in that order
    used = 20_000_001
    assert next_base_fee(gwei, used, target) == gwei + gwei * (used - target) // target // 8
    # above target the increase is at least 1 wei; below target it may round to 0
    assert next_base_fee(7, target + 1, target) == 8
    assert next_base_fee(7, target - 1, target) == 7
    assert isinstance(next_base_fee(gwei, used, target), int)


def test_base_fee_rule_real_valued():
    assert next_base_fee(100.0, 30, 20) == pytest.approx(100 * (1 + 10 / 20 / 8))
    with pytest.raises(InputError, match="gas_target"):
        next_base_fee(1, 1, 0)
    with pytest.raises(InputError, match="base_fee"):
        next_base_fee(float("nan"), 1, 1)


@given(st.integers(1, 10**12), st.integers(0, 30_000_000), st.integers(1, 15_000_000))
def test_base_fee_moves_at_most_one_eighth(base, used, target):
    used = min(used, 2 * target)
    new = next_base_fee(base, used, target)
    assert base - base // 8 <= new <= base + max(base // 8, 1)
    assert (new > base) == (used > target)


def test_simulation_demand_shock_raises_base_fee_then_settles():
    sim = simulate_base_fee(blocks=120, base_fee=10.0, shocks=[(30, 70, 3.0)], seed=1)
    before, during = np.mean(sim.base_fee[20:30]), np.mean(sim.base_fee[60:70])
    assert during > 1.2 * before
    ratios = np.array(sim.base_fee[1:]) / np.array(sim.base_fee[:-1])
    assert ratios.max() <= 1.125 + 1e-12 and ratios.min() >= 0.875 - 1e-12
    assert max(sim.gas_used) <= 30_000_000
    # once the base fee has adjusted, blocks are back near the target on average
    assert np.mean(sim.gas_used[55:70]) == pytest.approx(15_000_000, rel=0.35)
    again = simulate_base_fee(blocks=120, base_fee=10.0, shocks=[(30, 70, 3.0)], seed=1)
    assert again.base_fee == sim.base_fee


# --- the one-block mechanisms -----------------------------------------------------------------
BLOCK = {"transactions": {"a": {"bid": 30, "gas": 21000}, "b": {"bid": 20, "gas": 21000},
                          "c": {"bid": 10, "gas": 21000}}, "block_limit": 42000}


def test_first_price_pays_bids_and_packs_optimally():
    out = hz.mechanism("fees.first_price").run(BLOCK)
    assert out.allocation == {"a": 1, "b": 1, "c": 0}
    assert out.payments == {"a": 30 * 21000, "b": 20 * 21000, "c": 0.0}
    assert out.result["producer_revenue"] == 50 * 21000 and out.result["burned"] == 0
    # knapsack, not greedy: one big transaction worth more than the small high-ratio one
    out = hz.mechanism("fees.first_price").run({"transactions": {
        "small": {"bid": 3, "gas": 2}, "big": {"bid": 2.9, "gas": 3}}, "block_limit": 3})
    assert out.result["included"] == ["big"]


def test_second_price_is_the_k_plus_first_price():
    out = hz.mechanism("fees.second_price").run(BLOCK)
    assert out.result["price"] == 10.0
    assert out.payments == {"a": 10 * 21000, "b": 10 * 21000, "c": 0.0}
    everything = {**BLOCK, "block_limit": 63000}
    assert hz.mechanism("fees.second_price").run(everything).payments["a"] == 0.0


def test_eip1559_burns_base_fee_and_pays_tips():
    m = hz.mechanism("fees.eip1559")
    out = m.run({**BLOCK, "base_fee": 15, "block_limit": 60000})
    assert out.allocation == {"a": 1, "b": 1, "c": 0}          # c's fee cap is below the base fee
    assert out.result["burned"] == 15 * 42000
    assert out.result["producer_revenue"] == 0.0                # default tip = marginal cost 0
    assert out.result["next_base_fee"] == pytest.approx(15 * (1 + (42000 - 30000) / 30000 / 8))
    tipped = m.run({"transactions": {"a": {"bid": 30, "gas": 1, "tip": 20}}, "block_limit": 2,
                    "base_fee": 15})
    assert tipped.payments["a"] == 30.0                        # min(cap, base + tip)
    assert tipped.result["producer_revenue"] == 15.0


def test_input_errors_name_the_field():
    with pytest.raises(InputError, match=r"transactions\.a\.tip"):
        hz.mechanism("fees.first_price").run(
            {"transactions": {"a": {"bid": 1, "tip": 1}}, "block_limit": 1})
    with pytest.raises(HurwiczError, match="bid"):
        hz.mechanism("fees.first_price").run(
            {"transactions": {"a": {"bid": -1}}, "block_limit": 1})
    with pytest.raises(HurwiczError, match="base_fee"):
        hz.mechanism("fees.eip1559").run({"transactions": {}, "block_limit": 1})


# --- incentive properties (Roughgarden 2021) -------------------------------------------------
def _replays(spec, ce):
    m = spec.mech
    t_out, d_out = m.run(ce["input"]), m.run(ce["deviating_input"])
    agent = ce["agent"]
    truth = ce["truthful"].get("type", ce["truthful"]["report"])[agent]
    return (spec.utility(agent, truth, d_out) - spec.utility(agent, truth, t_out))


def test_first_price_is_not_uic_the_audit_finds_bid_shading():
    # Roughgarden §5.1: first price is MMIC and OCA-proof but not UIC
    rep = hz.audit("fees.first_price", properties=["uic", "mmic", "oca_proof", "ir"],
                   samples=20, seed=0)
    uic = rep.check("uic")
    assert uic.holds is False
    ce = uic.counterexample
    assert ce["deviation"]["report"] < ce["truthful"]["report"][ce["agent"]]  # shading
    assert _replays(audit_spec(hz.mechanism("fees.first_price")), ce) == pytest.approx(
        uic.max_gain)
    assert rep.check("mmic").holds is True
    assert rep.check("oca_proof").holds is True
    assert rep.check("ir").holds is True


def test_second_price_is_not_mmic_the_audit_finds_a_fake_transaction():
    # Roughgarden §5.2: the producer inserts a fake bid just below the included ones
    m = hz.mechanism("fees.second_price")
    rep = hz.audit(m, properties=["mmic"], inputs=[
        {"transactions": {"a": {"bid": 5.0, "gas": 1}, "b": {"bid": 4.0, "gas": 1}},
         "block_limit": 3}], seed=0)
    ce = rep.check("mmic").counterexample
    assert rep.check("mmic").holds is False and ce is not None
    assert ce["deviation"] == "fake transaction"  # worth more than leaving b out (4 < 7.99)
    out = m.run(ce["deviating_input"])
    assert out.result["producer_revenue"] - out.payment("~fake") == pytest.approx(
        ce["deviating_utility"])
    assert ce["deviating_utility"] > ce["truthful_utility"] == 0.0
    # and the fake transaction on its own: a bid of 3.99 of the whole block's size
    out = m.run({"transactions": {"a": {"bid": 5.0, "gas": 1}, "b": {"bid": 4.0, "gas": 1},
                                  "fake": {"bid": 3.99, "gas": 3}}, "block_limit": 3})
    assert out.allocation["fake"] == 0 and out.result["producer_revenue"] == pytest.approx(7.98)


def test_eip1559_claims_hold_in_the_audit():
    rep = hz.audit("fees.eip1559", claims=True, samples=40, seed=3)
    for check in rep.checks:
        assert check.holds is True, (check.property, check.counterexample)


unit_blocks = st.lists(st.integers(0, 12), min_size=1, max_size=5).flatmap(
    lambda bids: st.tuples(st.just(bids), st.integers(1, len(bids) + 1)))


@given(unit_blocks)
def test_second_price_uic_for_unit_size_transactions(block):
    bids, limit = block
    data = {"transactions": {f"t{i}": {"bid": float(b), "gas": 1} for i, b in enumerate(bids)},
            "block_limit": limit}
    m = hz.mechanism("fees.second_price")
    spec = audit_spec(m)
    truthful = m.run(data)
    for agent, value in spec.reports(data).items():
        base = spec.utility(agent, value, truthful)
        assert base >= 0  # IR
        for dev in (0.0, 0.5, value - 0.5, value + 0.5, 13.0):
            if dev < 0:
                continue
            out = m.run(spec.with_reports(data, {agent: dev}))
            assert spec.utility(agent, value, out) <= base + 1e-9


@given(st.lists(st.integers(0, 12), min_size=1, max_size=5), st.integers(0, 12))
def test_eip1559_uic_when_base_fee_not_excessively_low(bids, base):
    data = {"transactions": {f"t{i}": {"bid": float(b), "gas": 1} for i, b in enumerate(bids)},
            "block_limit": len(bids), "base_fee": float(base)}  # everyone willing fits
    m = hz.mechanism("fees.eip1559")
    spec = audit_spec(m)
    assert m.uic_applies(m.parse_input(data))
    truthful = m.run(data)
    for agent, value in spec.reports(data).items():
        base_u = spec.utility(agent, value, truthful)
        for dev in (0.0, base - 0.5, float(base), base + 0.5, value + 3.0):
            if dev < 0:
                continue
            out = m.run(spec.with_reports(data, {agent: dev}))
            assert spec.utility(agent, value, out) <= base_u + 1e-9


def test_eip1559_excessively_low_base_fee_rewards_tipping():
    # the condition matters: when more transactions are willing to pay the base fee than fit,
    # the block is a first-price auction on tips (Roughgarden §5.3) — a user gains by tipping
    m = hz.mechanism("fees.eip1559")
    data = {"transactions": {"a": {"bid": 5.0, "gas": 1}, "b": {"bid": 4.0, "gas": 1}},
            "block_limit": 1, "base_fee": 1.0}
    assert m.run(data).result["base_fee_excessively_low"]
    assert not m.uic_applies(m.parse_input(data))
    spec = audit_spec(m)
    before = spec.utility("b", 4.0, m.run(data))
    tipped = {**data, "transactions": {**data["transactions"],
                                        "b": {"bid": 4.0, "gas": 1, "tip": 0.5}}}
    after = spec.utility("b", 4.0, m.run(tipped))
    assert before == 0.0 and after == pytest.approx(2.5)

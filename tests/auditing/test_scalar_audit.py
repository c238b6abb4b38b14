"""The audit engine on auctions with numeric bids.

Known answers: truthful bidding is dominant in the second-price auction (Vickrey 1961) and in
posted prices; the first-price auction is not truthful (bid shading pays: Krishna, *Auction
Theory*, 2nd ed., §2.3); all-pay bids are sunk, so truthful all-pay bidders can lose money
(ex-post IR fails); second price is not collusion-proof (bidding rings: Graham & Marshall 1987,
J. Political Economy 95(6)).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import hurwicz as hz
from hurwicz.auditing.profiles import scalar_candidates
from hurwicz.auditing.spec import audit_spec
from hurwicz.core.errors import AuditError, ParameterError
from hurwicz.core.mechanism import Mechanism
from hurwicz.core.registry import register, unregister
from hurwicz.mechanisms.auctions.single_item import SecondPrice


def replays(mech: Mechanism, ce: dict) -> float:
    """Re-run both profiles of a counterexample and return the replayed gain."""
    spec = audit_spec(mech)
    agent = ce["agent"]
    truth = ce["truthful"]["report"][agent]
    data = mech.input_from_reports(ce["profile"])
    dev = spec.with_reports(data, {agent: ce["deviation"]["report"]})
    u_truth = spec.utility(agent, truth, mech.run(data))
    u_dev = spec.utility(agent, truth, mech.run(dev))
    assert u_truth == pytest.approx(ce["truthful_utility"])
    assert u_dev == pytest.approx(ce["deviating_utility"])
    return u_dev - u_truth


def test_first_price_dsic_violated_and_the_counterexample_replays() -> None:
    mech = hz.mechanism("auction.first_price")
    rep = hz.audit(mech, agents=3, prior="uniform:0,1", properties=["dsic"], samples=2000)
    rec = rep.check("dsic")
    assert rec.holds is False and rec.max_gain > 0.1
    assert replays(mech, rec.counterexample) == pytest.approx(rec.max_gain)


def test_second_price_dsic_holds_on_20000_profiles_with_breakpoint_search() -> None:
    rep = hz.audit("auction.second_price", agents=3, prior="uniform:0,1",
                   properties=["dsic", "ir"], samples=20_000, seed=3)
    dsic = rep.check("dsic")
    assert dsic.holds is True and dsic.exhaustive is False and dsic.counterexample is None
    assert dsic.budget["profiles"] == 20_000
    assert dsic.budget["deviations_per_profile"] >= 64
    assert {"breakpoints", "critical_values", "grid", "local"} <= set(dsic.budget["methods"])
    # the search on each profile is not exhaustive: no rule-of-three bound is claimed for dsic
    assert "violation_mass_bound" not in dsic.to_dict()
    # ir is one exhaustive check per profile on i.i.d. draws: the bound applies
    assert rep.check("ir").holds is True
    assert rep.check("ir").to_dict()["violation_mass_bound"] == pytest.approx(3 / 20_000)


def test_second_price_with_a_reserve_and_asymmetric_priors_is_still_truthful() -> None:
    mech = hz.mechanism("auction.second_price", reserve=0.4)
    rep = hz.audit(mech, agents=2, prior=["uniform:0,1", "uniform:0,2"],
                   properties=["dsic"], samples=3000)
    assert rep.check("dsic").holds is True


def test_all_pay_fails_ir_and_posted_price_is_truthful() -> None:
    ap = hz.audit("auction.all_pay", agents=3, prior="uniform:0,1", properties=["ir"],
                  samples=1000)
    assert ap.check("ir").holds is False and ap.check("ir").max_gain > 0
    ce = ap.check("ir").counterexample
    assert ce["truthful_utility"] < 0
    pp = hz.audit("auction.posted_price", agents=3, prior="uniform:0,1", properties=["dsic"],
                  samples=3000, params={"price": 0.5})
    assert pp.check("dsic").holds is True


def test_english_clock_is_only_epsilon_truthful() -> None:
    """With a discrete clock a bidder who wins ties can drop to the runner-up's level and
    save one increment: the audit finds a gain of exactly one increment, never more."""
    rep = hz.audit("auction.english", agents=2, prior="uniform:0,1", properties=["dsic"],
                   samples=2000, params={"increment": 0.05})
    rec = rep.check("dsic")
    assert rec.holds is False
    assert rec.max_gain == pytest.approx(0.05, abs=1e-6)


@register
class SneakyVickrey(SecondPrice):
    """Second price, except that a winner whose bid beats the runner-up by less than 1e-6 pays
    nothing: truthful everywhere but just above the critical bid."""

    name = "testaudit.sneaky_vickrey"
    family = "testaudit"

    def _kernel(self, bids, prio):
        k = super()._kernel(bids, prio)
        price = k["price"]
        winner = k["winner"]
        rows = np.arange(bids.shape[0])
        margin = bids[rows, np.maximum(winner, 0)] - np.nan_to_num(price, nan=0.0)
        free = (winner >= 0) & (margin > 0) & (margin < 1e-6)
        k["payments"] = np.where(free[:, None], 0.0, k["payments"])
        k["price"] = np.where(free, 0.0, price)
        return k


def test_a_single_critical_bid_violation_is_caught_where_a_grid_misses_it() -> None:
    mech = hz.mechanism("testaudit.sneaky_vickrey")
    rep = hz.audit(mech, agents=3, prior="uniform:0,1", properties=["dsic"], samples=500)
    rec = rep.check("dsic")
    assert rec.holds is False and rec.max_gain > 0.05
    assert replays(mech, rec.counterexample) > 0.05
    # a fixed grid of 1,001 bids on the same kind of profiles finds nothing
    values = np.random.default_rng(0).uniform(size=(200, 3))
    base = mech.run_batch(values)
    u0 = values * base.allocation - base.payments
    for bid in np.linspace(0, 1.5, 1001):
        dev = values.copy()
        dev[:, 0] = bid
        out = mech.run_batch(dev)
        assert ((values[:, 0] * out.allocation[:, 0] - out.payments[:, 0]) <= u0[:, 0] + 1e-12
                ).all()


def test_candidates_include_the_breakpoints() -> None:
    mech = hz.mechanism("auction.second_price", reserve=0.25)
    cands, labels = scalar_candidates(mech, np.array([[0.3, 0.7, 0.1]]), 0, 1.5)
    row = dict(zip(labels, cands[0]))
    assert row["truth"] == 0.3 and row["zero"] == 0.0
    assert row["other:a2"] == 0.7 and row["param:0.25"] == 0.25
    assert row["critical"] == pytest.approx(0.7, abs=1e-9)
    assert row["critical+1e-07"] > 0.7


def test_exhaustive_discrete_audit_is_a_proof() -> None:
    sp = hz.audit("auction.second_price", agents=3, prior="discrete:0,1,2,3",
                  properties=["dsic"])
    rec = sp.check("dsic")
    assert rec.holds is True and rec.exhaustive is True
    assert rec.budget["profiles"] == 4**3 and rec.budget["methods"] == ["exhaustive"]
    fp = hz.audit("auction.first_price", agents=2, prior="discrete:0,1,2,3",
                  properties=["dsic"])
    assert fp.check("dsic").holds is False and fp.check("dsic").exhaustive is False
    # with values {0,1,2,3} the best deviation is to bid 0 against a rival bid of 0 (gain 3)
    assert fp.check("dsic").max_gain == 3.0


def test_bic_first_price_truthful_is_not_an_equilibrium_second_price_is() -> None:
    fp = hz.audit("auction.first_price", agents=2, prior="uniform:0,1", properties=["bic"])
    rec = fp.check("bic")
    assert rec.holds is False
    # the interim best response of a type-v bidder against truthful rivals is v/2, worth
    # v²/4 instead of 0: the largest grid type 0.95 gains about 0.2256
    assert rec.max_gain == pytest.approx(0.95**2 / 4, abs=0.02)
    sp = hz.audit("auction.second_price", agents=2, prior="uniform:0,1", properties=["bic"])
    assert sp.check("bic").holds is True


def test_coalitions_and_participation() -> None:
    ring = hz.audit("auction.second_price", agents=3, prior="uniform:0,1",
                    adversary="coalition:2", samples=1000)
    rec = ring.check("coalition_strategyproof")
    assert rec.holds is False and rec.max_gain > 0.5
    ce = rec.counterexample
    assert ce["deviating_utility"] - ce["truthful_utility"] == pytest.approx(rec.max_gain)
    abstain = hz.audit("auction.all_pay", agents=2, prior="uniform:0,1", adversary="abstain",
                       samples=500)
    assert abstain.check("ir").holds is False


def test_revenue_welfare_efficiency_and_budget_balance() -> None:
    rep = hz.audit("auction.second_price", agents=2, prior="uniform:0,1",
                   properties=["revenue", "welfare", "efficient", "budget_balance"],
                   samples=40_000)
    rev, wel = rep.check("revenue"), rep.check("welfare")
    assert abs(rev.value - 1 / 3) < 4.5 * rev.stderr  # E[v_(2)] for n = 2
    assert abs(wel.value - 2 / 3) < 4.5 * wel.stderr  # E[v_(1)]
    assert rep.check("efficient").holds is True
    assert rep.check("budget_balance").holds is True
    reserve = hz.audit("auction.second_price", agents=2, prior="uniform:0,1",
                       properties=["efficient"], samples=2000, params={"reserve": 0.5})
    assert reserve.check("efficient").holds is False
    strong = hz.audit("auction.second_price", agents=2, prior="uniform:0,1",
                      properties=["budget_balance"], budget_balance="strong", samples=100)
    assert strong.check("budget_balance").holds is False


def test_claims_of_every_single_item_auction_hold() -> None:
    for name, params in [("auction.second_price", {}), ("auction.first_price", {}),
                         ("auction.posted_price", {"price": 0.3}),
                         ("auction.english", {"increment": 0.1}), ("auction.dutch", {})]:
        rep = hz.audit(name, agents=3, prior="uniform:0,1", claims=True, samples=1500,
                       params=params)
        assert rep.holds, (name, [(c.property, c.holds) for c in rep.checks])
        assert {c.property for c in rep.checks} == set(hz.mechanism(name, **params)
                                                       .active_claims())


def test_report_json_follows_the_design() -> None:
    rep = hz.audit("auction.first_price", agents=2, prior="uniform:0,1", properties=["dsic"],
                   samples=200)
    doc = json.loads(rep.to_json())
    assert doc["mechanism"] == "auction.first_price" and doc["agents"] == 2
    check = doc["checks"][0]
    assert {"property", "holds", "exhaustive", "max_gain", "counterexample", "budget",
            "seconds"} <= set(check)
    assert {"profile", "agent", "truthful", "deviation", "truthful_utility",
            "deviating_utility"} <= set(check["counterexample"])


def test_results_do_not_depend_on_the_number_of_workers() -> None:
    args = dict(agents=3, prior="uniform:0,1", properties=["dsic", "revenue"], samples=12_000,
                seed=5)
    one = hz.audit("auction.first_price", workers=1, **args).to_dict()
    two = hz.audit("auction.first_price", workers=2, **args).to_dict()
    for a, b in zip(one["checks"], two["checks"]):
        a.pop("seconds")
        b.pop("seconds")
        assert a == b


def test_bad_requests_are_clear_errors() -> None:
    with pytest.raises(ParameterError, match="adversary"):
        hz.audit("auction.first_price", agents=2, prior="uniform:0,1", adversary="gang:2")
    with pytest.raises(AuditError, match="sybil"):
        hz.audit("auction.first_price", agents=2, prior="uniform:0,1", adversary="sybil:2",
                 inputs=[{"bids": {"a": 1.0, "b": 0.5}}])
    with pytest.raises(AuditError, match="stable"):
        hz.audit("auction.first_price", agents=2, prior="uniform:0,1", properties=["stable"])
    with pytest.raises(ParameterError, match="agents"):
        hz.audit("auction.first_price", prior="uniform:0,1")


def teardown_module() -> None:
    unregister("testaudit.sneaky_vickrey")

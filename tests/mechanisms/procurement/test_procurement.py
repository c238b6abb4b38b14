"""Procurement mechanisms: known answers, the VCG payments against their definition, the
budget-feasible mechanism's guarantees (truthful, IR, budget, ratio 4 against the exact
knapsack optimum) as property tests, and audits that catch a non-truthful reverse auction."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hurwicz as hz
from hurwicz.auditing.spec import audit_spec
from hurwicz.core.errors import HurwiczError, InputError
from hurwicz.core.outcome import Outcome
from hurwicz.core.registry import register, unregister
from hurwicz.mechanisms.procurement.audit import optimal_budgeted_value
from hurwicz.mechanisms.procurement.budget_feasible import threshold
from hurwicz.mechanisms.procurement.reverse import KthPrice


def utility(out, seller, cost):
    return -out.payments[seller] - cost * out.allocation[seller]


# --- (k+1)-th price ---------------------------------------------------------------------------
def test_kth_price_known_answer():
    # Reverse Vickrey auction for k units (Vickrey 1961; Krishna, Auction Theory, 2nd ed.,
    # §13): the k cheapest sellers each receive the (k+1)-th lowest cost.
    m = hz.mechanism("procurement.kth_price")
    out = m.run({"costs": {"c1": 3.0, "c2": 1.0, "c3": 4.0, "c4": 6.0}, "units": 2})
    assert out.allocation == {"c1": 1, "c2": 1, "c3": 0, "c4": 0}
    assert out.payments == {"c1": -4.0, "c2": -4.0, "c3": 0.0, "c4": 0.0}
    assert out.metrics["spend"] == 8.0 and out.result["price"] == 4.0
    # a reserve caps the price and excludes dearer sellers
    capped = hz.mechanism("procurement.kth_price", reserve=3.5).run(
        {"costs": {"c1": 3.0, "c2": 1.0, "c3": 4.0}, "units": 2})
    assert capped.payments == {"c1": -3.5, "c2": -3.5, "c3": 0.0}
    # no competition and no reserve: the price is undetermined, nothing is bought
    none = m.run({"costs": {"c1": 3.0}, "units": 1})
    assert none.allocation == {"c1": 0} and none.result["price"] is None


@given(st.dictionaries(st.sampled_from(list("abcdef")), st.integers(0, 9), min_size=1),
       st.integers(0, 4), st.sampled_from([None, 4.0, 7.5]))
def test_kth_price_truthful_and_ir(costs, units, reserve):
    m = hz.mechanism("procurement.kth_price", reserve=reserve)
    costs = {k: float(v) for k, v in costs.items()}
    truthful = m.run({"costs": costs, "units": units})
    for s, c in costs.items():
        base = utility(truthful, s, c)
        assert base >= 0  # IR
        for lie in np.arange(0, 11, 0.5):
            out = m.run({"costs": {**costs, s: float(lie)}, "units": units})
            assert utility(out, s, c) <= base + 1e-12


# --- VCG with quality-weighted scores ----------------------------------------------------------
def best_welfare(scores: dict[str, float], units: int) -> float:
    return sum(sorted((v for v in scores.values() if v > 0), reverse=True)[:units])


@given(st.dictionaries(st.sampled_from(list("abcde")),
                       st.tuples(st.integers(0, 9), st.integers(1, 6)), min_size=1),
       st.integers(0, 3), st.sampled_from([0.5, 1.0, 2.0]))
def test_vcg_pays_clarke_pivot(sellers, units, w):
    # VCG (Clarke 1971): winner i is paid c_i + W(N) − W(N∖i), W the best welfare
    costs = {s: float(c) for s, (c, _) in sellers.items()}
    quality = {s: float(q) for s, (_, q) in sellers.items()}
    m = hz.mechanism("procurement.vcg", value_per_quality=w)
    out = m.run({"costs": costs, "units": units, "quality": quality})
    scores = {s: w * quality[s] - costs[s] for s in costs}
    welfare = sum(scores[s] for s in costs if out.allocation[s])
    assert welfare == pytest.approx(best_welfare(scores, units))
    for s in costs:
        if out.allocation[s]:
            without = {t: v for t, v in scores.items() if t != s}
            pivot = costs[s] + best_welfare(scores, units) - best_welfare(without, units)
            assert -out.payments[s] == pytest.approx(pivot)
        else:
            assert out.payments[s] == 0.0


def test_vcg_known_answer_and_errors():
    # a: score 3−1 = 2 wins the single unit; the best losing score is c's 2.5−2 = 0.5... and
    # b's 2−1 = 1, so a is paid 3 − 1 = 2 (its unit's value minus the score it had to beat)
    out = hz.mechanism("procurement.vcg").run(
        {"costs": {"a": 1.0, "b": 1.0, "c": 2.0}, "units": 1,
         "quality": {"a": 3.0, "b": 2.0, "c": 2.5}})
    assert out.allocation == {"a": 1, "b": 0, "c": 0} and out.payments["a"] == -2.0
    with pytest.raises(InputError, match="quality.z"):
        hz.mechanism("procurement.vcg").run({"costs": {"a": 1.0}, "units": 1,
                                             "quality": {"z": 1.0}})


# --- budget feasible ---------------------------------------------------------------------------
instances = st.integers(1, 7).flatmap(lambda n: st.tuples(
    st.lists(st.integers(0, 20), min_size=n, max_size=n),
    st.lists(st.integers(0, 20), min_size=n, max_size=n),
    st.integers(1, 60)))


def bf_input(inst):
    costs, values, budget = inst
    names = [f"s{i}" for i in range(len(costs))]
    budget = max(float(budget), float(min(costs)))
    return {"budget": budget, "costs": {s: float(c) / 2 for s, c in zip(names, costs)},
            "values": {s: float(v) / 2 for s, v in zip(names, values)}}


@settings(max_examples=60)
@given(instances)
def test_budget_feasible_guarantees(inst):
    m = hz.mechanism("procurement.budget_feasible")
    data = bf_input(inst)
    out = m.run(data)
    costs, values, budget = data["costs"], data["values"], data["budget"]
    assert out.metrics["spend"] <= budget + 1e-9  # never pays more than the budget
    for s in costs:
        assert utility(out, s, costs[s]) >= -1e-12  # individually rational
    bought = sum(values[s] for s in costs if out.allocation[s])
    assert 4.0 * bought >= optimal_budgeted_value(costs, values, budget) - 1e-9  # ratio 4


@settings(max_examples=40)
@given(instances)
def test_budget_feasible_is_truthful(inst):
    m = hz.mechanism("procurement.budget_feasible")
    data = bf_input(inst)
    truthful = m.run(data)
    for s, c in data["costs"].items():
        base = utility(truthful, s, c)
        lies = set(np.linspace(0, data["budget"], 21))
        theta = threshold(data["costs"], data["values"], data["budget"], s)
        if theta is not None:
            lies |= {theta * 0.99, theta * 1.01, theta - 1e-9}
        for lie in lies:
            if lie < 0 or lie > data["budget"]:
                continue
            out = m.run({**data, "costs": {**data["costs"], s: float(lie)}})
            assert utility(out, s, c) <= base + 1e-9


def test_budget_feasible_threshold_is_the_price():
    # a winner is paid the highest cost at which it would still be bought
    six = {s: 1.0 for s in "abcdef"}
    costs = {**six, "c": 0.25}
    m = hz.mechanism("procurement.budget_feasible")
    out = m.run({"budget": 4.0, "costs": costs, "values": six})
    assert out.result["branch"] == "proportional_share" and out.allocation["c"] == 1
    price = -out.payments["c"]
    assert m.run({"budget": 4.0, "costs": {**costs, "c": price * 0.999},
                  "values": six}).allocation["c"] == 1
    assert m.run({"budget": 4.0, "costs": {**costs, "c": price * 1.001},
                  "values": six}).allocation["c"] == 0


def test_budget_feasible_errors_name_the_field():
    m = hz.mechanism("procurement.budget_feasible")
    with pytest.raises(InputError, match=r"^budget: 1 is below every seller's cost"):
        m.run({"budget": 1.0, "costs": {"a": 2.0, "b": 3.0}, "values": {"a": 1.0, "b": 1.0}})
    with pytest.raises(InputError, match=r"values.b: missing"):
        m.run({"budget": 5.0, "costs": {"a": 2.0, "b": 3.0}, "values": {"a": 1.0}})
    with pytest.raises(HurwiczError, match="costs.a"):
        m.run({"budget": 5.0, "costs": {"a": -2.0}, "values": {"a": 1.0}})


def test_optimal_budgeted_value_by_hand():
    # knapsack with budget 5: {b, c} (cost 4, value 7) beats {a} (cost 5, value 6)
    assert optimal_budgeted_value({"a": 5, "b": 2, "c": 2}, {"a": 6, "b": 3, "c": 4}, 5) == 7.0


# --- audits ------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["procurement.kth_price", "procurement.vcg",
                                  "procurement.budget_feasible"])
def test_claims_hold_in_the_audit(name):
    m = hz.mechanism(name)
    spec = audit_spec(m)
    rng = np.random.default_rng(3)
    inputs = [d for d in (spec.sample(rng) for _ in range(15))
              if _valid(m, d)] + spec.edge_cases()
    report = hz.audit(m, inputs=inputs, properties=list(m.active_claims()), seed=0)
    for check in report.checks:
        assert check.holds is True, (check.property, check.counterexample)


def _valid(m, d):
    try:
        m.run(d)
    except HurwiczError:
        return False
    return True


@register
class PayAsBid(KthPrice):
    """Pays each of the k cheapest sellers its own reported cost (not truthful)."""

    name = "testprocurement.pay_as_bid"
    family = "testprocurement"

    def run_parsed(self, inp):
        base = super().run_parsed(inp)
        pay = {s: (-inp.costs[s] if base.allocation[s] else 0.0) for s in base.allocation}
        return Outcome(mechanism=self.name, params=self.param_dict(),
                       allocation=base.allocation, payments=pay, result=base.result,
                       metrics=base.metrics)


def test_audit_catches_a_lying_reverse_auction():
    try:
        inputs = [{"costs": {"a": 1.0, "b": 3.0, "c": 5.0}, "units": 1}]
        report = hz.audit(hz.mechanism("testprocurement.pay_as_bid"), inputs=inputs,
                          properties=["dsic"], seed=0)
        check = report.checks[0]
        assert check.holds is False and check.max_gain > 1.9  # a reports just under 3
    finally:
        unregister("testprocurement.pay_as_bid")


def test_approximation_property_catches_a_bad_selection():
    from hurwicz.mechanisms.procurement.audit import _approximation

    m = hz.mechanism("procurement.budget_feasible")
    data = {"budget": 4.0, "costs": {"a": 2.0, "b": 2.0, "c": 4.0},
            "values": {"a": 5.0, "b": 5.0, "c": 1.0}}
    fake = Outcome(mechanism=m.name, params={}, allocation={"a": 0, "b": 0, "c": 1},
                   payments={"a": 0.0, "b": 0.0, "c": -4.0})
    assert _approximation(m, data, fake)["optimal_value"] == 10.0
    assert _approximation(m, data, m.run(data)) is None


def test_every_subset_enumerated():
    # the brute-force optimum agrees with a direct enumeration
    rng = np.random.default_rng(0)
    for _ in range(20):
        c = rng.integers(1, 9, 5).astype(float)
        v = rng.integers(0, 9, 5).astype(float)
        costs = {f"s{i}": c[i] for i in range(5)}
        values = {f"s{i}": v[i] for i in range(5)}
        best = max(sum(v[list(S)]) if S else 0.0 for r in range(6)
                   for S in itertools.combinations(range(5), r) if sum(c[list(S)]) <= 10)
        assert optimal_budgeted_value(costs, values, 10.0) == best


def test_a_zero_price_is_paid_as_plus_zero():
    """A winner paid 0 (reserve 0, zero cost; Vickrey's price is the reserve) showed
    ``-0.0`` in payments and revenue; DESIGN's data contract writes no negative zeros."""
    out = hz.mechanism("procurement.kth_price", reserve=0.0).run(
        {"costs": {"a": 0.0, "b": 1.0}, "units": 1})
    assert out.allocation == {"a": 1, "b": 0}
    assert math.copysign(1.0, out.payments["a"]) == 1.0
    assert math.copysign(1.0, out.metrics["revenue"]) == 1.0
    assert math.copysign(1.0, out.metrics["welfare"]) == 1.0

"""Regression tests for auction defects fixed during the refactor (each test fails on the old
behaviour; the source of the expected answer is in its docstring).

a. ``auction.vcg_multi_unit`` with a reserve charged max(Σ displaced bids, q·reserve) and was
   manipulable; VCG with a reserve is the Clarke pivot rule with the seller as a bidder who
   values every unit at the reserve (Ausubel & Cramton 2004, "Vickrey auctions with reserve
   pricing", Economic Theory 23; Krishna, *Auction Theory*, 2nd ed., ch. 12–13).
b. Multi-unit auctions kept the ``efficient`` claim with a positive reserve.
c. A seeded ``tie_break`` drew priorities per batch row, so ``run`` and ``run_batch``
   disagreed and the exhaustive audit on a discrete prior raised.
e. McAfee and k-double ``run_batch`` accepted NaN, inf and negative reports.
f. Uniform price ``kth`` with fewer admissible bids than units charged 0 or the reserve.
"""

from __future__ import annotations

import itertools
import random
import zlib
from typing import Any

import numpy as np
import pytest

import hurwicz as hz
from hurwicz.auditing.spec import audit_spec
from hurwicz.core.errors import InputError
from hurwicz.core.tie_break import seeded_priority

# --- a. VCG for identical units with a reserve ------------------------------------------------


def clarke_payments(units: int, bids: dict[str, list[float]], reserve: float,
                    allocation: dict[str, int]) -> dict[str, float]:
    """Clarke pivot payments by brute force, the seller being one more bidder who values each
    of the ``units`` at ``reserve`` (it keeps what is not sold): p_i = max welfare of the
    others (seller included) without i − their welfare at the chosen allocation."""
    names = sorted(bids)

    def value(who: str, q: int) -> float:
        return float(sum(bids[who][:q]))

    def best_without(excluded: str) -> float:
        others = [n for n in names if n != excluded]
        best = -np.inf
        for qs in itertools.product(*[range(min(len(bids[n]), units) + 1) for n in others]):
            if sum(qs) <= units:
                w = sum(value(n, q) for n, q in zip(others, qs)) + reserve * (units - sum(qs))
                best = max(best, w)
        return best

    sold = sum(allocation.values())
    out = {}
    for i in names:
        others_now = sum(value(n, allocation[n]) for n in names if n != i)
        out[i] = best_without(i) - (others_now + reserve * (units - sold))
    return out


def optimal_welfare(units: int, bids: dict[str, list[float]], reserve: float) -> float:
    pool = sorted([v for vs in bids.values() for v in vs] + [reserve] * units, reverse=True)
    return float(sum(pool[:units]))


def test_vcg_reserve_issue_example() -> None:
    """Two units, reserve 3, a values [20, 9], b values [10]. Clarke with the seller bidding 3
    on each unit: without a, b and the seller keep 10 + 3 = 13 and with a they keep 10, so a
    pays 3; without b, a takes both units, 29, with b a has 20, so b pays 9. Reporting
    [20, 20], a wins both units and pays 13 (b's 10 and the seller's 3): utility 29 − 13 = 16 <
    17 = 20 − 3. The old rule charged max(10, 2·3) = 10 for the misreport: a gained 2."""
    m = hz.mechanism("auction.vcg_multi_unit", reserve=3)
    truthful = m.run({"units": 2, "bids": {"a": [20, 9], "b": [10]}})
    assert truthful.allocation == {"a": 1, "b": 1}
    assert truthful.payments == {"a": 3.0, "b": 9.0}
    lie = m.run({"units": 2, "bids": {"a": [20, 20], "b": [10]}})
    assert lie.allocation == {"a": 2, "b": 0} and lie.payments["a"] == 13.0
    true_utility, lie_utility = 20 - 3.0, 20 + 9 - 13.0
    assert lie_utility < true_utility
    old_rule_payment = max(10.0, 2 * 3.0)  # max(Σ displaced, q·reserve)
    assert (20 + 9 - old_rule_payment) - true_utility == 2.0  # the gain the old rule allowed


def _random_instance(rng: random.Random) -> dict[str, Any]:
    bids = {}
    for name in rng.sample(["a", "b", "c", "d"], rng.randint(1, 3)):
        bids[name] = sorted((float(rng.randint(0, 8)) for _ in range(rng.randint(0, 3))),
                            reverse=True)
    return {"units": rng.randint(1, 3), "bids": bids}


@pytest.mark.parametrize("reserve", [0.0, 2.5, 3.0])
def test_vcg_payments_equal_brute_force_clarke_with_the_seller_bidding_the_reserve(
        reserve: float) -> None:
    m = hz.mechanism("auction.vcg_multi_unit", reserve=reserve)
    rng = random.Random(int(reserve * 10))
    for _ in range(150):
        data = _random_instance(rng)
        out = m.run(data)
        bids = data["bids"]
        won = sum(sum(bids[n][:out.allocation[n]]) for n in bids)
        sold = sum(out.allocation.values())
        # the allocation is efficient once the seller's own value of unsold units counts
        assert won + reserve * (data["units"] - sold) == optimal_welfare(
            data["units"], bids, reserve)
        expected = clarke_payments(data["units"], bids, reserve, out.allocation)
        for n in bids:
            assert out.payments[n] == pytest.approx(expected[n], abs=1e-9), (data, n)
        # the batch path agrees
        reports, layout = m.batch_reports(data)
        batch = m.run_batch(reports, layout)
        assert batch.payments[0].tolist() == [out.payments[n] for n in layout.agents]


def _small_instances() -> list[dict[str, Any]]:
    values = [0.0, 2.0, 3.0, 4.0, 9.0, 10.0, 20.0]
    lists = [[]] + [[v] for v in values] + [
        [x, y] for x, y in itertools.combinations_with_replacement(values[::-1], 2)]
    rng = random.Random(3)
    out = [{"units": 2, "bids": {"a": [20.0, 9.0], "b": [10.0]}}]
    for _ in range(60):
        out.append({"units": rng.randint(1, 3),
                    "bids": {"a": rng.choice(lists), "b": rng.choice(lists)}})
    return out


def test_vcg_with_reserve_audit_finds_no_manipulation() -> None:
    instances = _small_instances()
    rep = hz.audit("auction.vcg_multi_unit", inputs=instances, properties=["dsic"],
                   params={"reserve": 3.0})
    rec = rep.check("dsic")
    assert rec.holds is True and rec.counterexample is None
    assert rec.budget["deviations"] > 0


def test_vcg_with_reserve_no_gain_over_every_report_on_a_grid() -> None:
    """Exhaustive over a grid: every non-increasing report of length 0–3 from {0, 1, 2, 3, 4,
    6, 9, 10, 20} (the truth's values included) for each bidder of each instance."""
    m = hz.mechanism("auction.vcg_multi_unit", reserve=3.0)
    spec = audit_spec(m)
    grid = [0.0, 1.0, 2.0, 3.0, 4.0, 6.0, 9.0, 10.0, 20.0]
    reports = [list(r) for k in range(4)
               for r in itertools.combinations_with_replacement(grid[::-1], k)]
    for data in _small_instances()[:25]:
        truthful = m.run(data)
        for who, truth in data["bids"].items():
            base = spec.utility(who, truth, truthful)
            for rep in reports:
                dev = m.run({**data, "bids": {**data["bids"], who: rep}})
                assert spec.utility(who, truth, dev) <= base + 1e-9, (data, who, rep)


# --- b. claims that depend on the reserve -----------------------------------------------------


@pytest.mark.parametrize("name", ["auction.uniform_price", "auction.pay_as_bid",
                                  "auction.vcg_multi_unit"])
def test_multi_unit_efficient_claim_needs_no_reserve(name: str) -> None:
    """A reserve withholds units from bidders who value them above zero (but below the
    reserve), so ``efficient`` is claimed only with reserve = 0."""
    assert "efficient" in hz.mechanism(name).active_claims()
    assert "efficient" not in hz.mechanism(name, reserve=1).active_claims()
    assert hz.describe(name)["claim_conditions"]["efficient"] == "reserve = 0"
    # and the reserve does cost efficiency: one unit, one bidder valuing it at 0.5
    out = hz.mechanism(name, reserve=1).run({"units": 1, "bids": {"a": [0.5]}})
    assert out.allocation == {"a": 0}


def test_uniform_price_with_reserve_active_claims() -> None:
    claims = hz.mechanism("auction.uniform_price", reserve=1).active_claims()
    assert "efficient" not in claims and {"ir", "budget_balance"} <= set(claims)


# --- c. seeded tie-breaks: one priority per (seed, name) -------------------------------------

SINGLE_ITEM = [("auction.first_price", {}), ("auction.second_price", {}),
               ("auction.all_pay", {}), ("auction.english", {"increment": 0.5}),
               ("auction.dutch", {"increment": 0.5}), ("auction.posted_price", {"price": 2.0}),
               ("auction.myerson", {"prior": "uniform:0,4"})]


@pytest.mark.parametrize(("name", "params"), SINGLE_ITEM)
@pytest.mark.parametrize("tie_break", ["lowest_name", 0, 1, 3, 12345])
def test_run_and_run_batch_agree_row_by_row_with_many_ties(name, params, tie_break) -> None:
    """Whole-number bids 0..3 among 2–5 bidders with arbitrary names: most rows have ties.
    Every row of ``run_batch`` equals ``run`` on that row (the old per-row priorities did
    not)."""
    m = hz.mechanism(name, tie_break=tie_break, **params)
    rng = np.random.default_rng(zlib.crc32(f"{name}:{tie_break}".encode()))
    for n in (2, 3, 5):
        names = [f"bidder_{x}" for x in rng.choice(list("qwertyuiopzx"), n, replace=False)]
        layout = m.layout(names)
        bids = rng.integers(0, 4, size=(120, n)).astype(float)
        batch = m.run_batch(bids, layout)
        for row in range(len(bids)):
            out = m.run({"bids": dict(zip(layout.agents, map(float, bids[row])))})
            assert [out.allocation[a] for a in layout.agents] == batch.allocation[row].tolist()
            assert [out.payments[a] for a in layout.agents] == batch.payments[row].tolist()
        # a row's outcome does not depend on the other rows of its batch
        single = m.run_batch(bids[7:8], layout)
        assert single.allocation[0].tolist() == batch.allocation[7].tolist()
        assert single.payments[0].tolist() == batch.payments[7].tolist()



@pytest.mark.parametrize(("name", "params"), SINGLE_ITEM)
def test_batch_of_zero_bidders_is_no_sale(name, params) -> None:
    """``run({"bids": {}})`` is a valid no-sale input; its batch form (zero columns) used to
    crash the clock auctions' kernels (IndexError)."""
    m = hz.mechanism(name, **params)
    assert m.run({"bids": {}}).result["winners"] == []
    batch = m.run_batch(np.zeros((3, 0)))
    assert batch.allocation.shape == (3, 0) and batch.payments.shape == (3, 0)

@pytest.mark.parametrize("seed", range(25))
def test_tie_priority_depends_on_seed_and_name_only(seed: int) -> None:
    """x and y tie at 5: the winner is the name with the lower SHA-256(seed, name) priority,
    whatever the input order and whoever else bids low."""
    m = hz.mechanism("auction.second_price", tie_break=seed)
    prio = seeded_priority(seed, ["x", "y"])
    expected = "x" if int(prio[0]) < int(prio[1]) else "y"
    for bids in ({"x": 5.0, "y": 5.0}, {"y": 5.0, "x": 5.0}, {"x": 5.0, "y": 5.0, "a": 1.0},
                 {"z": 1.0, "y": 5.0, "x": 5.0}, {"m": 0.0, "x": 5.0, "y": 5.0, "b": 2.0}):
        out = m.run({"bids": bids})
        assert out.result["winners"] == [expected], bids
        assert out.payments[expected] == 5.0


def test_seeded_tie_break_audit_runs_on_a_discrete_prior() -> None:
    """The exhaustive audit over every profile of a discrete prior used to raise with a seeded
    tie-break. Vickrey's second price is DSIC with any fixed tie-break (Vickrey 1961): proven
    over the 16 profiles; first price is not (a winner shades its bid)."""
    second = hz.audit("auction.second_price", agents=2, prior="discrete:0,1,2,3",
                      params={"tie_break": 3}, properties=["dsic"]).check("dsic")
    assert second.holds is True and second.exhaustive is True
    first = hz.audit("auction.first_price", agents=2, prior="discrete:0,1,2,3",
                     params={"tie_break": 3}, properties=["dsic"]).check("dsic")
    assert first.holds is False and first.max_gain > 0
    ce = first.counterexample
    m = hz.mechanism("auction.first_price", tie_break=3)
    spec = audit_spec(m)
    agent = ce["agent"]
    truth = ce["profile"][agent]
    gain = (spec.utility(agent, truth, m.run(ce["deviating_input"]))
            - spec.utility(agent, truth, m.run(ce["input"])))
    assert gain == pytest.approx(first.max_gain) and gain > 0
    # the default claims audit runs too
    rep = hz.audit("auction.first_price", agents=2, prior="discrete:0,1,2,3",
                   params={"tie_break": 3})
    assert all(rec.holds is not False for rec in rep.checks)


# --- e. double auctions refuse non-finite and negative batch reports -------------------------


@pytest.mark.parametrize("name", ["auction.mcafee", "auction.k_double"])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, -1.0])
def test_double_auction_batch_refuses_bad_reports(name: str, bad: float) -> None:
    """A NaN used to compare False everywhere and silently cancel its row's trades."""
    m = hz.mechanism(name)
    layout = m.layout(4, {"buyers": 2})
    good = np.array([[10.0, 8.0, 2.0, 5.0]])
    out = m.run({"buyers": {"b1": 10.0, "b2": 8.0}, "sellers": {"s1": 2.0, "s2": 5.0}})
    batch = m.run_batch(good, layout)
    assert batch.payments[0].tolist() == [out.payments[a] for a in layout.agents]
    for col in range(4):
        reports = np.vstack([good, good])
        reports[1, col] = bad
        with pytest.raises(InputError) as err:
            m.run_batch(reports, layout)
        assert err.value.field == "reports"


# --- f. uniform price with fewer admissible bids than units ----------------------------------


@pytest.mark.parametrize(("reserve", "rule", "price"), [
    # 3 units; admissible bids 10, 6 (and 1 when the reserve is 0): every unit that sells
    (0.0, "kth", 1.0),        # all three bids win; the lowest accepted is b's 1
    (2.0, "kth", 6.0),        # 1 is below the reserve: 10 and 6 win; lowest accepted 6
    (0.0, "k_plus_1", 0.0),   # no admissible bid is rejected: the reserve, 0
    (2.0, "k_plus_1", 2.0),   # no admissible bid is rejected: the reserve, 2
])
def test_uniform_price_with_more_units_than_admissible_bids(reserve, rule, price) -> None:
    """Hand-computed: kth is the lowest *accepted* marginal bid (the old rule charged 0 or the
    reserve here); k_plus_1 the highest *rejected admissible* bid, or the reserve."""
    m = hz.mechanism("auction.uniform_price", price_rule=rule, reserve=reserve)
    out = m.run({"units": 3, "bids": {"a": [10, 6], "b": [1]}})
    won = out.allocation
    assert out.result["price"] == price
    assert out.payments == {w: price * won[w] for w in won}
    reports, layout = m.batch_reports({"units": 3, "bids": {"a": [10, 6], "b": [1]}})
    assert m.run_batch(reports, layout).payments[0].tolist() == [out.payments["a"],
                                                                 out.payments["b"]]


@pytest.mark.parametrize(("rule", "price"), [("kth", 6.0), ("k_plus_1", 5.0)])
def test_uniform_price_with_a_rejected_admissible_bid(rule: str, price: float) -> None:
    """2 units, reserve 2; bids a [10, 6], b [5], c [1]: 10 and 6 win; 5 is the highest
    rejected admissible bid (1 is below the reserve)."""
    m = hz.mechanism("auction.uniform_price", price_rule=rule, reserve=2)
    out = m.run({"units": 2, "bids": {"a": [10, 6], "b": [5], "c": [1]}})
    assert out.allocation == {"a": 2, "b": 0, "c": 0}
    assert out.payments == {"a": 2 * price, "b": 0.0, "c": 0.0}


def test_uniform_price_nothing_sells() -> None:
    out = hz.mechanism("auction.uniform_price", price_rule="kth", reserve=5).run(
        {"units": 2, "bids": {"a": [4, 1]}})
    assert out.result["price"] is None and out.payments == {"a": 0.0}

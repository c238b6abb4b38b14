"""Evaluation under strategies, and scale-out that does not change the numbers.

Known answers (Krishna, *Auction Theory*, 2nd ed., §2.2–2.3, §3.1): with n i.i.d. U[0,1]
values, expected revenue is (n−1)/(n+1) for truthful second price and for first price and
all-pay at their symmetric equilibria β(v) = (n−1)/n·v and β(v) = (n−1)/n·v^n; expected
welfare E[max v] = n/(n+1) in all three, since each allocates efficiently.
"""

from __future__ import annotations

import numpy as np
import pytest

import hurwicz as hz
from hurwicz.core.errors import ParameterError
from hurwicz.simulate.strategies import best_response


def within(report: dict, key: str, exact: float, z: float = 4.5) -> bool:
    return abs(report[key]["mean"] - exact) < z * report[key]["stderr"]


@pytest.mark.parametrize("n", [2, 4])
def test_revenue_equivalence_at_equilibrium(n: int) -> None:
    common = dict(agents=n, prior="uniform:0,1", samples=200_000, seed=n)
    sp = hz.evaluate("auction.second_price", strategy="truthful", **common)
    fp = hz.evaluate("auction.first_price", strategy="bne", **common)
    ap = hz.evaluate("auction.all_pay", strategy="bne", **common)
    for rep in (sp, fp, ap):
        assert within(rep, "revenue", (n - 1) / (n + 1))
        assert within(rep, "welfare", n / (n + 1))
        assert rep["efficiency"]["mean"] == pytest.approx(1.0)
    # first-price revenue under truthful bidding is E[max v], visibly different
    truthful_fp = hz.evaluate("auction.first_price", strategy="truthful", **common)
    assert within(truthful_fp, "revenue", n / (n + 1))


def test_general_iid_prior_first_price_bne_matches_second_price() -> None:
    """Revenue equivalence holds for any i.i.d. regular prior (Myerson 1981)."""
    common = dict(agents=3, prior="beta:2,3", samples=200_000, seed=1)
    sp = hz.evaluate("auction.second_price", **common)
    fp = hz.evaluate("auction.first_price", strategy="bne", **common)
    diff = abs(sp["revenue"]["mean"] - fp["revenue"]["mean"])
    assert diff < 4.5 * np.hypot(sp["revenue"]["stderr"], fp["revenue"]["stderr"])


def test_shading_and_utilities() -> None:
    rep = hz.evaluate("auction.first_price", agents=2, prior="uniform:0,1",
                      strategy="shade:0.5", samples=100_000)
    # both shade to v/2 (the n = 2 equilibrium): each bidder's utility is 1/6
    for u in rep["utility"]:
        assert abs(u["mean"] - 1 / 6) < 4.5 * u["stderr"]
    custom = hz.evaluate("auction.first_price", agents=2, prior="uniform:0,1",
                         strategy=lambda v: v / 2, samples=100_000)
    assert custom["revenue"] == rep["revenue"]


def test_best_response_learns_the_first_price_equilibrium() -> None:
    s = best_response(hz.mechanism("auction.first_price"), hz.parse_priors("uniform:0,1", 2))
    mids = np.array([[0.2], [0.4], [0.6]])
    assert np.abs(s(mids) - mids / 2).max() < 0.05


def test_bad_strategies() -> None:
    with pytest.raises(ParameterError, match="strategy"):
        hz.evaluate("auction.second_price", agents=2, prior="uniform:0,1", strategy="greedy")
    with pytest.raises(ParameterError, match="no equilibrium"):
        hz.evaluate("auction.posted_price", agents=2, prior="uniform:0,1", strategy="bne",
                    params={"price": 0.5})


def test_same_seed_same_numbers_with_processes_and_dask() -> None:
    args = dict(agents=3, prior="uniform:0,1", strategy="bne", samples=120_000, seed=9)
    one = hz.evaluate("auction.first_price", workers=1, **args)
    procs = hz.evaluate("auction.first_price", workers=2, **args)
    assert procs == one
    dask = hz.evaluate("auction.first_price", workers=2, executor="dask:local", **args)
    assert dask == one
    audit_args = dict(agents=3, prior="uniform:0,1", properties=["dsic"], samples=10_000,
                      seed=2)
    a = hz.audit("auction.first_price", **audit_args).to_dict()
    b = hz.audit("auction.first_price", executor="dask:local", workers=2,
                 **audit_args).to_dict()
    for x, y in zip(a["checks"], b["checks"]):
        x.pop("seconds")
        y.pop("seconds")
        assert x == y

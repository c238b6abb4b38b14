"""Position auctions and Myerson's optimal auction.

Sources: Edelman, Ostrovsky & Schwarz (2007), AER 97(1), Theorem 1 (the lowest locally envy-free
equilibrium of GSP has the VCG outcome and payments); Varian (2007); VCG payment of slot j:
Σ_{t≥j} (CTR_t − CTR_{t+1}) v_{t+1}. Myerson (1981), Math. OR 6(1): with n i.i.d. U[0,1] bidders
the optimal reserve is 1/2 and the revenue 1/4, 5/12, 17/32 for n = 1, 2, 3 (Krishna 2010,
§5.2); Myerson's auction earns at least as much as any second-price auction with a reserve.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import hurwicz as hz
from hurwicz.core.errors import InputError, ParameterError
from hurwicz.mechanisms.auctions.position import eos_equilibrium_bids

# strictly decreasing CTRs and distinct values: at EOS bids a tie would otherwise be decided
# by the name tie-break rather than by the equilibrium
ctrs = st.lists(st.integers(1, 100), min_size=1, max_size=4, unique=True).map(
    lambda xs: [x / 100 for x in sorted(xs, reverse=True)])
values = st.lists(st.integers(1, 1000), min_size=1, max_size=6, unique=True).map(
    lambda xs: {name: x / 10 for name, x in zip("abcdef", xs)})


def test_position_textbook_example() -> None:
    data = {"slots": [1.0, 0.5], "bids": {"a": 10, "b": 8, "c": 5}}
    gsp = hz.mechanism("auction.gsp").run(data)
    vcg = hz.mechanism("auction.position_vcg").run(data)
    assert gsp.allocation == vcg.allocation == {"a": 0, "b": 1, "c": None}
    assert gsp.payments == {"a": 8.0, "b": 2.5, "c": 0.0}
    assert vcg.payments == {"a": 6.5, "b": 2.5, "c": 0.0}  # (1 − 0.5)·8 + 0.5·5


@given(values, ctrs)
def test_vcg_formula_and_eos_revenue_equals_vcg(vals, slots) -> None:
    names = sorted(vals, key=lambda n: (-vals[n], n))
    vcg = hz.mechanism("auction.position_vcg").run({"slots": slots, "bids": vals})
    m = min(len(slots), len(names))
    ext = list(slots[:m]) + [0.0] * (len(names) + 1)
    for j, who in enumerate(names[:m]):
        expected = sum((ext[t] - ext[t + 1]) * (vals[names[t + 1]] if t + 1 < len(names)
                                                  else 0.0)
                       for t in range(j, m))
        assert vcg.payments[who] == pytest.approx(expected, rel=1e-9, abs=1e-9)
    eos = eos_equilibrium_bids(vals, slots)
    gsp = hz.mechanism("auction.gsp").run({"slots": slots, "bids": eos})
    assert gsp.allocation == vcg.allocation
    assert gsp.metrics["revenue"] == pytest.approx(vcg.metrics["revenue"], rel=1e-9, abs=1e-9)
    # at EOS bids no advertiser bids above its value
    assert all(eos[n] <= vals[n] + 1e-9 for n in vals)


def test_quality_scores_rank_by_bid_times_quality() -> None:
    out = hz.mechanism("auction.gsp").run({"slots": [1.0], "bids": {"a": 4, "b": 3},
                                           "quality": {"a": 0.5}})
    assert out.allocation == {"a": None, "b": 0} and out.payments["b"] == 2.0
    with pytest.raises(InputError, match="CTRs must be non-increasing"):
        hz.mechanism("auction.gsp").run({"slots": [0.2, 0.5], "bids": {"a": 1}})


def test_position_vcg_is_truthful_gsp_is_not() -> None:
    common = dict(agents=3, prior="uniform:0,1", properties=["dsic"], samples=1000)
    assert hz.audit("auction.position_vcg", context={"slots": [1.0, 0.6]},
                    **common).check("dsic").holds is True
    assert hz.audit("auction.gsp", context={"slots": [1.0, 0.6]},
                    **common).check("dsic").holds is False


@pytest.mark.parametrize(("n", "exact"), [(1, 1 / 4), (2, 5 / 12), (3, 17 / 32)])
def test_myerson_revenue_uniform(n: int, exact: float) -> None:
    best = hz.design.optimal_auction("uniform:0,1", agents=n, samples=200_000, seed=n)
    assert best.reserves == [0.5] * n
    assert abs(best.expected_revenue - exact) < 4.5 * best.stderr
    vals = np.random.default_rng(10 + n).uniform(size=(200_000, n))
    rev = best.mechanism.run_batch(vals).revenue()
    assert abs(rev.mean() - exact) < 4.5 * rev.std(ddof=1) / math.sqrt(len(rev))


def test_myerson_asymmetric_priors() -> None:
    m = hz.mechanism("auction.myerson", prior=["uniform:0,1", "uniform:0,2"])
    out = m.run({"bids": {"a": 0.9, "b": 1.2}})
    # φ_a = 2·0.9 − 1 = 0.8 beats φ_b = 2·1.2 − 2 = 0.4, although b bid more
    assert out.allocation == {"a": 1, "b": 0}
    # a's threshold: 2x − 1 = 0.4 → x = 0.7
    assert out.payments["a"] == pytest.approx(0.7, abs=1e-9)
    assert out.result["reserves"] == {"a": 0.5, "b": 1.0}


def test_ironing_and_optimality_for_an_irregular_prior() -> None:
    prior = "mixture:1*uniform:0,1|1*uniform:4,5"
    m = hz.mechanism("auction.myerson", prior=prior)
    vv = m.virtual_values(1)[0]
    assert not vv.regular
    grid = np.linspace(0, 5, 501)
    assert (np.diff(vv(grid)) >= -1e-9).all()  # ironed: non-decreasing
    vals = vv.prior.sample(np.random.default_rng(0), (100_000, 2))
    myerson = m.run_batch(vals).revenue()
    se = myerson.std(ddof=1) / math.sqrt(len(myerson))
    for reserve in (0.0, 0.5, 1.0, 3.0, 4.0, 4.5):
        sp = hz.mechanism("auction.second_price", reserve=reserve).run_batch(vals).revenue()
        assert myerson.mean() >= sp.mean() - 4.5 * se


def test_myerson_is_truthful_and_rejects_discrete_priors() -> None:
    rep = hz.audit("auction.myerson", agents=2, prior="uniform:0,1", properties=["dsic", "ir"],
                   samples=500, params={"prior": "uniform:0,1"})
    assert rep.check("dsic").holds is True and rep.check("ir").holds is True
    with pytest.raises(ParameterError, match="params.prior"):
        hz.mechanism("auction.myerson", prior="discrete:1,2")
    with pytest.raises(InputError, match="2 priors but there are 3 bidders"):
        hz.mechanism("auction.myerson", prior=["uniform:0,1", "uniform:0,1"]).run(
            {"bids": {"a": 1, "b": 1, "c": 1}})

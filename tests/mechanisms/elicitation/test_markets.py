"""Market scoring rules: LMSR (Hanson 2003, "Combinatorial information market design", Inf.
Syst. Frontiers 5:107; Hanson 2007, J. Prediction Markets 1:3) and the liquidity-sensitive
LMSR (Othman, Pennock, Reeves & Sandholm 2013, ACM TEAC 1(3):14, §3–4).

Known answers: LMSR cost C(q) = b ln Σ e^{q_i/b}, prices the softmax of q/b, worst-case loss
b ln n (Hanson 2007 §4); LS-LMSR prices p_i = α ln Σ e^{q_j/b} + (Σ_j q_j e^{q_i/b} −
Σ_j q_j e^{q_j/b}) / (Σ_j q_j Σ_j e^{q_j/b}) with b = α Σ q (Othman et al. 2013, eq. in §3.1),
which sum to at most 1 + α n ln n.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hurwicz as hz
from hurwicz.cli import main
from hurwicz.core.errors import InputError
from hurwicz.mechanisms.elicitation.markets import (
    lmsr_cost,
    lmsr_prices,
    lmsr_trade_cost,
    ls_lmsr_cost,
    ls_lmsr_prices,
)


def market(trades, outcomes=("yes", "no"), resolution="yes", name="elicitation.lmsr",
           **params):
    data = {"outcomes": list(outcomes), "trades": trades}
    if resolution is not None:
        data["resolution"] = resolution
    return hz.mechanism(name, **params).run(data)


def trade(who, what, qty):
    return {"trader": who, "outcome": what, "quantity": qty}


def test_lmsr_cost_price_and_profit_by_hand() -> None:
    out = market([trade("t1", "yes", 10)], b=100)
    # C(10, 0) − C(0, 0) = 100 ln((e^0.1 + 1)/2)
    assert out.result["cost"][0] == pytest.approx(100 * math.log((math.exp(0.1) + 1) / 2),
                                                  rel=1e-15)
    assert out.result["prices"][0]["yes"] == pytest.approx(
        math.exp(0.1) / (math.exp(0.1) + 1), rel=1e-15)
    assert out.result["initial_prices"] == {"yes": 0.5, "no": 0.5}
    # resolved "yes": the 10 shares pay 10; a reward is a negative payment
    assert out.result["payout"]["t1"] == 10.0
    assert out.payments["t1"] == pytest.approx(out.result["cost"][0] - 10, rel=1e-15)
    assert out.result["scores"]["t1"] == pytest.approx(-out.payments["t1"])
    assert out.allocation["t1"] == {"yes": 10.0, "no": 0.0}
    assert out.result["max_loss"] == pytest.approx(100 * math.log(2), rel=1e-15)


def test_large_quantities_do_not_overflow() -> None:
    # 10^4 shares with b = 100: e^{100} would overflow a naive sum of exponentials in float32
    # and loses all precision in 1 + e^{-100}; the log-sum-exp value is exact to rounding
    out = market([trade("whale", "yes", 10_000.0)], b=100)
    expected = 10_000 + 100 * math.log1p(math.exp(-100)) - 100 * math.log(2)
    assert out.result["cost"][0] == pytest.approx(expected, rel=1e-15)
    assert out.result["prices"][0]["yes"] == pytest.approx(1.0, abs=1e-40)
    # the market maker loses (almost exactly) its worst case b ln 2
    loss = -out.result["market_maker"]["profit"]
    assert loss == pytest.approx(100 * math.log(2), rel=1e-12)
    assert loss <= out.result["max_loss"] + 1e-9
    assert float(lmsr_cost([1e6, 0.0, -1e6], 100.0)) == pytest.approx(1e6, rel=1e-15)


def test_selling_is_a_negative_quantity_and_pays_the_trader() -> None:
    out = market([trade("a", "yes", 20), trade("a", "yes", -20)], resolution="no", b=50)
    c_buy, c_sell = out.result["cost"]
    assert c_sell < 0
    assert c_buy + c_sell == pytest.approx(0.0, abs=1e-12)
    assert out.result["prices"][-1] == {"yes": 0.5, "no": 0.5}
    assert out.payments["a"] == pytest.approx(0.0, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.floats(-500, 500)), min_size=1,
                max_size=12), st.floats(1.0, 1000.0))
def test_total_cost_is_path_independent(trades, b) -> None:
    outs = ["a", "b", "c"]
    data = [trade(f"t{i % 3}", outs[k], qty) for i, (k, qty) in enumerate(trades)]
    out = market(data, outcomes=outs, resolution=None, b=b)
    q = np.zeros(3)
    for k, qty in trades:
        q[k] += qty
    want = float(lmsr_cost(q, b) - lmsr_cost(np.zeros(3), b))
    assert sum(out.result["cost"]) == pytest.approx(want, rel=1e-9, abs=1e-9)
    assert sum(out.result["prices"][-1].values()) == pytest.approx(1.0, abs=1e-12)
    # buy-then-sell nets exactly zero (to rounding), whatever the state
    for k, qty in trades:
        there = lmsr_trade_cost(q, k, qty, b)
        q2 = q.copy()
        q2[k] += qty
        assert there + lmsr_trade_cost(q2, k, -qty, b) == pytest.approx(0.0, abs=1e-9)


def test_myopic_trader_moves_the_price_to_its_belief() -> None:
    b, p = 80.0, np.array([0.2, 0.5, 0.3])
    target = b * np.log(p)
    delta = target - target.min()
    data = [trade("m", o, float(x)) for o, x in zip("xyz", delta) if x > 0]
    out = market(data, outcomes="xyz", resolution=None, b=b)
    assert [out.result["prices"][-1][o] for o in "xyz"] == pytest.approx(p.tolist(), rel=1e-12)
    rep = hz.audit("elicitation.lmsr", properties=["myopic", "path_independent",
                                                   "bounded_loss"], samples=10, seed=2)
    assert all(c.holds for c in rep.checks), rep.to_dict()


def test_ls_lmsr_prices_are_the_gradient_and_sum_above_one() -> None:
    alpha = 0.05
    for q in ([100.0, 100.0], [130.0, 90.0, 100.0], [5.0, 400.0]):
        q = np.array(q)
        p = ls_lmsr_prices(q, alpha)
        eps = 1e-5
        grad = [(float(ls_lmsr_cost(q + eps * e, alpha) - ls_lmsr_cost(q - eps * e, alpha)))
                / (2 * eps) for e in np.eye(len(q))]
        assert p.tolist() == pytest.approx(grad, rel=1e-6, abs=1e-7)
        n = len(q)
        assert 1.0 < p.sum() <= 1 + alpha * n * math.log(n) + 1e-12
    # at a uniform state the prices are 1/n + α ln n
    p = ls_lmsr_prices([100.0, 100.0, 100.0], alpha)
    assert p.tolist() == pytest.approx([1 / 3 + alpha * math.log(3)] * 3, rel=1e-14)


def test_ls_lmsr_worst_case_loss_bound() -> None:
    m = hz.mechanism("elicitation.ls_lmsr", alpha=0.05, initial=100)
    out = m.run({"outcomes": ["y", "n"], "trades": [trade("t", "y", 5000.0)],
                 "resolution": "y"})
    assert out.result["max_loss"] == pytest.approx(0.05 * 2 * 100 * math.log(2), rel=1e-12)
    assert -out.result["market_maker"]["profit"] <= out.result["max_loss"] + 1e-9
    with pytest.raises(InputError, match=r"trades\.0\.quantity"):
        m.run({"outcomes": ["y", "n"], "trades": [trade("t", "y", -250.0)]})


def test_market_errors_name_the_field() -> None:
    with pytest.raises(InputError, match=r"^trades\.1\.outcome"):
        market([trade("a", "yes", 1), trade("a", "maybe", 1)])
    with pytest.raises(InputError, match=r"^resolution"):
        market([trade("a", "yes", 1)], resolution="maybe")
    with pytest.raises(InputError, match=r"^outcomes"):
        market([], outcomes=["yes"])


def test_prices_vectorised() -> None:
    q = np.random.default_rng(0).normal(0, 100, size=(1000, 4))
    p = lmsr_prices(q, 50.0)
    assert np.allclose(p.sum(axis=1), 1.0)
    assert np.allclose(lmsr_cost(q, 50.0), [float(lmsr_cost(row, 50.0)) for row in q])


def test_cli_runs_a_trades_file(tmp_path, capsys) -> None:
    path = tmp_path / "trades.json"
    path.write_text(json.dumps({"outcomes": ["yes", "no"], "resolution": "yes",
                                "trades": [trade("t1", "yes", 10), trade("t2", "no", 5)]}))
    with pytest.raises(SystemExit) as done:
        main(["run", "elicitation.lmsr", str(path), "--json", "--param", "b=100"])
    assert done.value.code in (0, None)
    doc = json.loads(capsys.readouterr().out)
    assert len(doc["result"]["prices"]) == 2 and doc["params"] == {"b": 100.0}
    path.write_text(json.dumps({"outcomes": ["yes", "no"],
                                "trades": [trade("t1", "maybe", 10)]}))
    with pytest.raises(SystemExit) as done:
        main(["run", "elicitation.lmsr", str(path), "--json"])
    assert done.value.code == 2
    assert capsys.readouterr().err.startswith("error: trades.0.outcome")


@pytest.mark.parametrize("b", [1e-3, 0.01, 1.0])
def test_lmsr_keeps_b_ln_2_next_to_huge_quantities(b) -> None:
    """With q = (Q, Q), selling Q shares of the first outcome costs C(0, Q) − C(Q, Q)
    = Q − (Q + b ln 2) = −b ln 2 exactly (Hanson 2007 §4's cost function; by hand). Taking
    q/b before the log-sum-exp lost the b ln 2 once Q/b passed ~10^16 (the trade cost 0)."""
    q = np.array([1e15, 1e15])
    assert lmsr_trade_cost(q, 0, -1e15, b) == pytest.approx(-b * math.log(2), rel=1e-12)
    assert lmsr_trade_cost(q, 1, 1e15, b) == pytest.approx(1e15, rel=1e-15)
    assert lmsr_prices(q, b).tolist() == [0.5, 0.5]
    out = market([trade("t", "yes", 1e15), trade("u", "no", 1e15), trade("t", "yes", -1e15)],
                 b=b)
    assert out.result["cost"][1] == pytest.approx(b * math.log(2), rel=1e-12)
    assert out.result["cost"][2] == pytest.approx(-b * math.log(2), rel=1e-12)


def test_lmsr_tiny_b_does_not_overflow() -> None:
    """q/b overflowed for b = 1e-300: prices were nan and a purchase cost inf. With b → 0 the
    LMSR cost tends to max q (Hanson 2007 §4: b ln n → 0), so buying Q shares from q = 0 costs
    Q and moves the price of that outcome to 1."""
    out = market([trade("t", "yes", 1e15)], b=1e-300)
    assert out.result["cost"] == [pytest.approx(1e15, rel=1e-15)]
    assert out.result["prices"][0] == {"yes": 1.0, "no": 0.0}

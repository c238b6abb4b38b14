"""Market scoring rules: Hanson's LMSR and the liquidity-sensitive LMSR.

A market maker sells shares of n outcomes; a share of the outcome that happens pays 1. With
outstanding shares q, buying δ costs C(q + δ) − C(q) (selling: δ < 0, a negative cost is money
received). Holdings may go negative (a short position pays the market its size if that outcome
happens).

* LMSR (Hanson 2003/2007): C(q) = b ln Σ_i e^{q_i/b}, prices p_i = e^{q_i/b} / Σ_j e^{q_j/b}
  (a softmax; they sum to 1), worst-case loss of the market maker b ln n.
* LS-LMSR (Othman, Pennock, Reeves & Sandholm 2013, "A practical liquidity-sensitive automated
  market maker", ACM TEAC 1(3) §3): b(q) = α Σ_i q_i, C(q) = b(q) ln Σ_i e^{q_i/b(q)}, prices
  p_i = α ln Σ_j e^{q_j/b} + (Σ_j q_j e^{q_i/b} − Σ_j q_j e^{q_j/b}) / (Σ_j q_j Σ_j e^{q_j/b})
  (they sum to more than 1: the market maker's commission). The market starts at
  q⁰ = ``initial``·(1, …, 1) > 0 (b must stay positive), and its worst-case loss is
  C(q⁰) − min_i q⁰_i = α n x ln n for q⁰ = x·1.

Every cost is computed with log-sum-exp, so quantities like 10^4 with b = 100 (e^{100}) do not
overflow; a one-outcome LMSR trade uses b·log1p(p_k·expm1(δ/b)) for accuracy on small trades.

Example:
    >>> round(float(lmsr_cost([0.0, 0.0], 100.0)), 9)  # b ln 2
    69.314718056
    >>> lmsr_prices([10_000.0, 0.0], 100.0).round(6).tolist()
    [1.0, 0.0]
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from scipy.special import logsumexp, softmax

from hurwicz.core.errors import InputError
from hurwicz.core.mechanism import Mechanism
from hurwicz.core.outcome import Outcome
from hurwicz.core.registry import register
from hurwicz.core.types import Name

from .audit import MarketAudit
from .common import Quantity, check_member, check_support


# --- cost functions ----------------------------------------------------------------------------
def lmsr_cost(q: Any, b: float) -> np.ndarray:
    """C(q) = b ln Σ_i e^{q_i/b} (log-sum-exp; vectorised over leading axes).

    Example:
        >>> round(float(lmsr_cost([10_000.0, 0.0], 100.0)), 6)
        10000.0
    """
    q = np.asarray(q, dtype=float)
    top = q.max(axis=-1, keepdims=True)
    with np.errstate(over="ignore"):
        z = (q - top) / b
    # max q + b·LSE((q − max q)/b): no overflow of q/b for tiny b, no loss of b ln n next to
    # a huge max q/b
    return top[..., 0] + b * logsumexp(z, axis=-1)


def _log_prices(q: Any, b: float) -> np.ndarray:
    """ln p_i = z_i − LSE(z) with z = (q − max q)/b ≤ 0: exact however large q/b is (taking
    q/b first loses the log-prices' differences once q/b passes ~10^16)."""
    q = np.asarray(q, dtype=float)
    with np.errstate(over="ignore"):  # (q − max q)/b may underflow to −inf: price 0
        z = (q - q.max(axis=-1, keepdims=True)) / b
    return z - logsumexp(z, axis=-1, keepdims=True)


def lmsr_prices(q: Any, b: float) -> np.ndarray:
    """Instantaneous prices, the softmax of q/b.

    Example:
        >>> lmsr_prices([0.0, 0.0], 1.0).tolist()
        [0.5, 0.5]
    """
    q = np.asarray(q, dtype=float)
    with np.errstate(over="ignore"):
        return softmax((q - q.max(axis=-1, keepdims=True)) / b, axis=-1)


def lmsr_trade_cost(q: Any, outcome: int, quantity: float, b: float) -> float:
    """C(q + δ·e_k) − C(q): b·log1p(p_k·expm1(δ/b)) for |δ/b| ≤ 1, else the difference of
    log-sum-exps taken relative to the current log-prices (no overflow, no cancellation of two
    huge costs).

    Example:
        >>> c = lmsr_trade_cost([0.0, 0.0], 0, 10.0, 100.0)
        >>> round(c, 9), round(c + lmsr_trade_cost([10.0, 0.0], 0, -10.0, 100.0), 15)
        (5.124947951, 0.0)
    """
    logp = _log_prices(q, b)
    x = quantity / b
    if abs(x) <= 1.0:
        return float(b * math.log1p(math.exp(logp[outcome]) * math.expm1(x)))
    shifted = logp.copy()
    shifted[outcome] += x
    if shifted[outcome] >= shifted.max():  # the bought outcome dominates: b·(ln p_k + x) + …
        rest = (logp - logp[outcome]) - x
        rest[outcome] = 0.0
        return float(b * logp[outcome] + quantity + b * logsumexp(rest))
    return float(b * logsumexp(shifted))


def ls_lmsr_cost(q: Any, alpha: float) -> np.ndarray:
    """LS-LMSR cost b(q) ln Σ e^{q_i/b(q)} with b(q) = α Σ q_i.

    Example:
        >>> round(float(ls_lmsr_cost([1.0, 1.0], 0.05)), 12)  # α·2·ln 2 + 1
        1.069314718056
    """
    q = np.asarray(q, dtype=float)
    bq = alpha * q.sum(axis=-1)
    return bq * logsumexp(q / bq[..., None] if q.ndim > 1 else q / bq, axis=-1)


def ls_lmsr_prices(q: Any, alpha: float) -> np.ndarray:
    """LS-LMSR prices (Othman et al. 2013): α·LSE(q/b) + s_i − (q·s)/Σq, s = softmax(q/b).

    Example:
        >>> p = ls_lmsr_prices([1.0, 1.0], 0.05)
        >>> round(float(p[0]), 12), round(float(p.sum()), 12)  # 1/2 + α ln 2 each
        (0.534657359028, 1.069314718056)
    """
    q = np.asarray(q, dtype=float)
    total = q.sum()
    bq = alpha * total
    z = q / bq
    s = softmax(z)
    return alpha * logsumexp(z) + s - float(q @ s) / total


# --- the mechanisms ----------------------------------------------------------------------------
class Trade(BaseModel):
    """One trade: ``quantity`` shares of ``outcome`` (negative: selling)."""

    model_config = ConfigDict(strict=True, extra="forbid")
    trader: Name
    outcome: Name
    quantity: Quantity


class MarketInput(BaseModel):
    """``{"outcomes": [...], "trades": [{"trader", "outcome", "quantity"}], "resolution": y}``
    (``resolution`` optional: an open market pays nothing out yet)."""

    model_config = ConfigDict(strict=True, extra="forbid")
    outcomes: list[Name]
    trades: list[Trade] = Field(max_length=1_000_000)
    resolution: Name | None = None


class LmsrParams(BaseModel):
    """The liquidity parameter b."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)
    b: float = Field(100.0, gt=0, le=1e12, allow_inf_nan=False,
                     description="liquidity: larger b, prices move less per share; the market "
                                 "maker's worst-case loss is b ln n")


class LsLmsrParams(BaseModel):
    """α (the commission; b(q) = α Σq) and the initial shares per outcome."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)
    alpha: float = Field(0.05, gt=0, le=1, allow_inf_nan=False,
                         description="b(q) = α Σ_i q_i; prices sum to at most 1 + α n ln n")
    initial: float = Field(100.0, gt=0, le=1e12, allow_inf_nan=False,
                           description="the market maker's initial shares of each outcome "
                                       "(worst-case loss α n initial ln n)")


class _Market(Mechanism):
    family = "elicitation"
    Input = MarketInput
    Audit = MarketAudit

    def parse_input(self, data: Any) -> MarketInput:
        inp = super().parse_input(data)
        check_support(inp.outcomes, "outcomes", 2)
        for i, t in enumerate(inp.trades):
            check_member(t.outcome, inp.outcomes, f"trades.{i}.outcome")
        if inp.resolution is not None:
            check_member(inp.resolution, inp.outcomes, "resolution")
        return inp

    def start(self, n: int) -> np.ndarray:
        return np.zeros(n)

    def cost(self, q: np.ndarray, k: int, quantity: float, field: str) -> float:
        raise NotImplementedError

    def prices(self, q: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def max_loss(self, n: int) -> float:
        raise NotImplementedError

    def run_parsed(self, inp: MarketInput) -> Outcome:
        outs = inp.outcomes
        index = {o: i for i, o in enumerate(outs)}
        q = self.start(len(outs))
        q0 = q.copy()
        traders = sorted({t.trader for t in inp.trades})
        holdings = {a: dict.fromkeys(outs, 0.0) for a in traders}
        spent = dict.fromkeys(traders, 0.0)
        costs: list[float] = []
        prices: list[dict[str, float]] = []
        for i, t in enumerate(inp.trades):
            k = index[t.outcome]
            c = self.cost(q, k, t.quantity, f"trades.{i}.quantity")
            q[k] += t.quantity
            costs.append(c + 0.0)
            holdings[t.trader][t.outcome] += t.quantity
            spent[t.trader] += c
            prices.append(dict(zip(outs, map(float, self.prices(q)))))
        res = inp.resolution
        payout = {a: (holdings[a][res] + 0.0 if res is not None else 0.0) for a in traders}
        profit = {a: payout[a] - spent[a] + 0.0 for a in traders}
        collected = float(sum(costs))
        paid = float(sum(payout.values()))
        return Outcome(
            self.name, self.param_dict(),
            allocation={a: {o: v + 0.0 for o, v in holdings[a].items()} for a in traders},
            payments={a: spent[a] - payout[a] + 0.0 for a in traders},
            result={"scores": profit, "prices": prices, "cost": costs,
                    "initial_prices": dict(zip(outs, map(float, self.prices(q0)))),
                    "quantities": {o: float(q[i] - q0[i]) + 0.0 for i, o in enumerate(outs)},
                    "payout": payout, "spent": {a: v + 0.0 for a, v in spent.items()},
                    "resolution": res, "max_loss": self.max_loss(len(outs)),
                    "market_maker": {"collected": collected + 0.0, "paid_out": paid + 0.0,
                                     "profit": collected - paid + 0.0}},
            metrics={"revenue": collected - paid + 0.0, "trades": len(costs)})


@register
class Lmsr(_Market):
    """Hanson's logarithmic market scoring rule.

    Example:
        >>> import hurwicz as hz
        >>> out = hz.mechanism("elicitation.lmsr", b=100).run({"outcomes": ["yes", "no"],
        ...     "trades": [{"trader": "t1", "outcome": "yes", "quantity": 10}],
        ...     "resolution": "yes"})
        >>> round(out.result["cost"][0], 6), round(out.result["prices"][0]["yes"], 6)
        (5.124948, 0.524979)
        >>> round(out.payments["t1"], 6), round(out.result["max_loss"], 6)  # cost − 10
        (-4.875052, 69.314718)
    """

    name = "elicitation.lmsr"
    summary = "Logarithmic market scoring rule (Hanson): prices, cost per trade, payouts."
    Params = LmsrParams
    claims = ("path_independent", "bounded_loss", "myopic")

    def cost(self, q: np.ndarray, k: int, quantity: float, field: str) -> float:
        return lmsr_trade_cost(q, k, quantity, self.params.b)

    def prices(self, q: np.ndarray) -> np.ndarray:
        return lmsr_prices(q, self.params.b)

    def max_loss(self, n: int) -> float:
        return float(self.params.b * math.log(n))


@register
class LsLmsr(_Market):
    """Liquidity-sensitive LMSR (Othman, Pennock, Reeves & Sandholm 2013).

    Example:
        >>> import hurwicz as hz
        >>> out = hz.mechanism("elicitation.ls_lmsr", alpha=0.05, initial=100).run(
        ...     {"outcomes": ["yes", "no"], "trades": []})
        >>> round(out.result["initial_prices"]["yes"], 9), round(out.result["max_loss"], 9)
        (0.534657359, 6.931471806)
    """

    name = "elicitation.ls_lmsr"
    summary = "Liquidity-sensitive LMSR: b(q) = α Σq, prices sum above 1 (a commission)."
    Params = LsLmsrParams
    claims = ("path_independent", "bounded_loss")

    def start(self, n: int) -> np.ndarray:
        return np.full(n, float(self.params.initial))

    def cost(self, q: np.ndarray, k: int, quantity: float, field: str) -> float:
        after = q.copy()
        after[k] += quantity
        if after.sum() <= 0:
            raise InputError(field, "would leave no shares outstanding in total (LS-LMSR needs "
                             "b(q) = α Σ q > 0)")
        return float(ls_lmsr_cost(after, self.params.alpha) - ls_lmsr_cost(q,
                                                                             self.params.alpha))

    def prices(self, q: np.ndarray) -> np.ndarray:
        return ls_lmsr_prices(q, self.params.alpha)

    def max_loss(self, n: int) -> float:
        x = float(self.params.initial)
        return float(ls_lmsr_cost(np.full(n, x), self.params.alpha) - x)


"""Reverse auctions for recruiting sellers (data holders, FL clients): the (k+1)-th price
auction for k units and VCG procurement with quality-weighted scores.

Each seller supplies one unit (its data, its participation) at a private cost it reports.
``allocation[seller]`` is 1 if bought, 0 otherwise; ``payments[seller]`` is minus the price
paid to it (DESIGN: a negative payment is money received). A seller's utility is
``price − cost`` if bought, 0 otherwise. Ties are broken by seller name (lowest first).

Example:
    >>> import hurwicz as hz
    >>> out = hz.mechanism("procurement.kth_price").run(
    ...     {"costs": {"a": 3.0, "b": 1.0, "c": 4.0}, "units": 2})
    >>> out.allocation, out.payments
    ({'a': 1, 'b': 1, 'c': 0}, {'a': -4.0, 'b': -4.0, 'c': 0.0})
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from hurwicz.core.errors import InputError
from hurwicz.core.mechanism import Mechanism
from hurwicz.core.outcome import Outcome
from hurwicz.core.registry import register
from hurwicz.core.types import Money, Name, PositiveWeight

from .audit import KthPriceAudit, VcgAudit

MAX_UNITS = 10**9


class KthPriceInput(BaseModel):
    """``{"costs": {seller: cost}, "units": k}``."""

    model_config = ConfigDict(strict=True, extra="forbid")
    costs: dict[Name, Money]
    units: int = Field(ge=0, le=MAX_UNITS)


class KthPriceParams(BaseModel):
    """The buyer's reserve: the most it pays per unit (None: no limit)."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)
    reserve: Money | None = Field(
        None, description="highest price per unit; sellers costing more are not bought. "
        "Without a reserve nothing is bought unless more than k sellers compete (the price "
        "would be undetermined)", json_schema_extra={"examples": [5.0]})


def _outcome(mech: Mechanism, sellers: list[str], winners: list[str],
             prices: dict[str, float], result: dict[str, Any],
             metrics: dict[str, float]) -> Outcome:
    chosen = set(winners)
    allocation = {s: int(s in chosen) for s in sellers}
    payments = {s: -float(prices[s]) + 0.0 if s in chosen else 0.0 for s in sellers}
    spend = float(sum(prices[s] for s in winners))
    return Outcome(mechanism=mech.name, params=mech.param_dict(), allocation=allocation,
                   payments=payments, result={"winners": winners, **result},
                   metrics={"spend": spend, "revenue": -spend + 0.0, **metrics})


@register
class KthPrice(Mechanism):
    """(k+1)-th price procurement: buy one unit from each of the k cheapest sellers, each paid
    the (k+1)-th lowest cost (capped by the reserve).

    The price a winner receives does not depend on its own report, and it wins exactly when
    its cost is below that price: reporting the true cost is a dominant strategy and no winner
    is paid less than its cost (Vickrey 1961, the reverse form of the (k+1)-th price auction;
    Krishna, *Auction Theory*, 2nd ed., §13). With a reserve ``r``, sellers costing more than
    ``r`` are not eligible and the price is ``min(r, (k+1)-th lowest eligible cost)``; with no
    reserve and at most k sellers nothing is bought.

    Example:
        >>> import hurwicz as hz
        >>> m = hz.mechanism("procurement.kth_price", reserve=3.5)
        >>> m.run({"costs": {"a": 3.0, "b": 1.0, "c": 4.0}, "units": 2}).payments
        {'a': -3.5, 'b': -3.5, 'c': 0.0}
    """

    name = "procurement.kth_price"
    family = "procurement"
    summary = "(k+1)-th lowest cost reverse auction for k units"
    version = "1"
    claims = ("dsic", "ir")
    Params = KthPriceParams
    Input = KthPriceInput
    Audit = KthPriceAudit

    def run_parsed(self, inp: KthPriceInput) -> Outcome:
        reserve = self.params.reserve
        sellers = sorted(inp.costs)
        eligible = sorted((c, s) for s, c in inp.costs.items()
                          if reserve is None or c <= reserve)
        k = inp.units
        winners: list[str] = []
        price: float | None = None
        if k > 0 and eligible:
            if len(eligible) > k:
                price = eligible[k][0] if reserve is None else min(reserve, eligible[k][0])
                winners = [s for _, s in eligible[:k]]
            elif reserve is not None:
                price = float(reserve)
                winners = [s for _, s in eligible]
        prices = dict.fromkeys(winners, price if price is not None else 0.0)
        cost = float(sum(inp.costs[s] for s in winners))
        return _outcome(self, sellers, sorted(winners), prices,
                        {"price": price, "units_bought": len(winners)},
                        {"sellers_cost": cost, "welfare": -cost + 0.0})


class VcgInput(BaseModel):
    """``{"costs": {seller: cost}, "units": k, "quality": {seller: q}}`` (quality 1 if left
    out)."""

    model_config = ConfigDict(strict=True, extra="forbid")
    costs: dict[Name, Money]
    units: int = Field(ge=0, le=MAX_UNITS)
    quality: dict[Name, PositiveWeight] = Field(default_factory=dict)


class VcgParams(BaseModel):
    """The buyer's value of one unit of quality."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)
    value_per_quality: Money = Field(1.0, description="money the buyer gains per unit of "
                                     "quality bought: seller i's unit is worth this × quality_i")


@register
class Vcg(Mechanism):
    """VCG procurement with quality-weighted scores.

    The buyer values seller ``i``'s unit at ``w·q_i`` (``w`` = ``value_per_quality``,
    ``q_i`` = its public quality, e.g. measured data quality); its *score* is
    ``s_i = w·q_i − c_i``, the welfare its unit adds. The mechanism buys from the (at most
    ``units``) sellers with the highest positive scores — the welfare-maximising choice — and
    pays each winner its VCG (Clarke pivot) payment, which for unit supply is
    ``w·q_i − s'`` with ``s' = max(0, best score among the sellers not bought)``: the value of
    its unit minus the score it had to beat (Vickrey 1961; Clarke 1971; Groves 1973; the
    score-auction form of Che 1993). Truthful, individually rational and efficient.

    Example:
        >>> import hurwicz as hz
        >>> out = hz.mechanism("procurement.vcg").run(
        ...     {"costs": {"a": 1.0, "b": 1.0, "c": 2.0}, "units": 1,
        ...      "quality": {"a": 3.0, "b": 2.0, "c": 2.5}})
        >>> out.allocation, out.payments["a"], out.result["threshold_score"]
        ({'a': 1, 'b': 0, 'c': 0}, -2.0, 1.0)
    """

    name = "procurement.vcg"
    family = "procurement"
    summary = "VCG procurement: buy the best quality-weighted scores, Clarke payments"
    version = "1"
    claims = ("dsic", "ir", "efficient")
    Params = VcgParams
    Input = VcgInput
    Audit = VcgAudit

    def parse_input(self, data: Any) -> VcgInput:
        inp = super().parse_input(data)
        for s in inp.quality:
            if s not in inp.costs:
                raise InputError(f"quality.{s}", "no such seller in costs")
        return inp

    def quality(self, inp: VcgInput, seller: str) -> float:
        return float(inp.quality.get(seller, 1.0))

    def score(self, inp: VcgInput, seller: str) -> float:
        """``value_per_quality × quality − cost`` of one seller.

        Example:
            >>> import hurwicz as hz
            >>> m = hz.mechanism("procurement.vcg", value_per_quality=2.0)
            >>> m.score(m.parse_input({"costs": {"a": 1.0}, "units": 1}), "a")
            1.0
        """
        return self.params.value_per_quality * self.quality(inp, seller) - inp.costs[seller]

    def run_parsed(self, inp: VcgInput) -> Outcome:
        sellers = sorted(inp.costs)
        scores = {s: self.score(inp, s) for s in sellers}
        ranked = sorted(sellers, key=lambda s: (-scores[s], s))
        winners = [s for s in ranked[: inp.units] if scores[s] > 0]
        losers = [s for s in ranked if s not in set(winners)]
        threshold = max([0.0, *(scores[s] for s in losers)])
        w = self.params.value_per_quality
        prices = {s: w * self.quality(inp, s) - threshold for s in winners}
        value = float(sum(w * self.quality(inp, s) for s in winners))
        cost = float(sum(inp.costs[s] for s in winners))
        return _outcome(self, sellers, sorted(winners), prices,
                        {"scores": scores, "threshold_score": threshold},
                        {"value": value, "sellers_cost": cost, "welfare": value - cost})


__all__ = ["KthPrice", "Vcg"]

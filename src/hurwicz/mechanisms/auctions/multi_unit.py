"""Multi-unit auctions of k identical units with marginal-value bids.

Input: ``{"units": 3, "bids": {"a": [10, 6], "b": [8]}}`` — each bidder's marginal values, non-
increasing (its value for a 1st, 2nd, ... unit). The k highest marginal bids at or above the
reserve win (ties: lower name first, then earlier unit). Rules differ in payments:

- ``auction.uniform_price``: every unit sold sells at one price — the lowest winning bid
  (``kth``: the lowest accepted marginal bid, also when fewer bids than units are admissible)
  or the highest losing admissible bid (``k_plus_1``; when every admissible bid wins there is
  no losing bid and the price is the reserve) — or the reserve if higher;
- ``auction.pay_as_bid`` (discriminatory): each winning bid pays itself;
- ``auction.vcg_multi_unit``: a bidder winning q units pays its externality: the q highest
  marginal values its units displaced, where the seller keeps every unsold unit at the reserve
  (as if it bid the reserve on each unit), so each displaced unit costs max(displaced bid,
  reserve) — truthful (Vickrey 1961, §5; Krishna, *Auction Theory*, 2nd ed., ch. 12–13; the
  reserve as the seller's bids: Ausubel & Cramton 2004, "Vickrey auctions with reserve
  pricing", Economic Theory 23).

Batches (``run_batch``) take reports ``[batch, bidders, max units]`` (NaN pads bidders who want
fewer units) and a :class:`MultiUnitLayout` that says how many units are for sale.

Example:
    >>> import hurwicz as hz
    >>> data = {"units": 3, "bids": {"a": [10, 6], "b": [8], "c": [5, 4]}}
    >>> hz.mechanism("auction.uniform_price").run(data).payments  # price = 4th bid, 5
    {'a': 10.0, 'b': 5.0, 'c': 0.0}
    >>> hz.mechanism("auction.vcg_multi_unit").run(data).payments  # a displaces 5 and 4
    {'a': 9.0, 'b': 5.0, 'c': 0.0}
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from hurwicz.core.capabilities import BatchLayout, BatchPath
from hurwicz.core.errors import InputError
from hurwicz.core.mechanism import Mechanism
from hurwicz.core.outcome import BatchOutcome, Outcome
from hurwicz.core.registry import register
from hurwicz.core.types import MAX_AMOUNT, Money, Name

from .audit import MultiUnitAudit
from .single_item import efficient_unless_reserve

#: Most units an input may offer (arrays are sized by it).
MAX_UNITS = 10**6


class MultiUnitInput(BaseModel):
    """``{"units": k, "bids": {bidder: [marginal values, non-increasing]}}``."""

    model_config = ConfigDict(strict=True, extra="forbid")
    units: int = Field(ge=0, le=MAX_UNITS)
    bids: dict[Name, list[Money]]


@dataclass(frozen=True)
class MultiUnitLayout(BatchLayout):
    """Batch layout of multi-unit auctions: the bidders and the number of units for sale.

    Example:
        >>> MultiUnitLayout.for_agents(2, units=3)
        MultiUnitLayout(agents=('a1', 'a2'), units=3)
    """

    units: int = 1


class MultiUnitParams(BaseModel):
    """Reserve price per unit."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)
    reserve: Money = Field(0.0, description="minimum price per unit; lower marginal bids lose")


class UniformParams(MultiUnitParams):
    """Uniform-price rule."""

    price_rule: Literal["kth", "k_plus_1"] = Field(
        "k_plus_1", description="kth: lowest winning bid; k_plus_1: highest losing bid "
        "(the reserve when no admissible bid loses)")


def validate_multi_unit(data: Any) -> MultiUnitInput:
    """Validate and check that marginal values are non-increasing.

    Example:
        >>> try:
        ...     validate_multi_unit({"units": 1, "bids": {"a": [1, 2]}})
        ... except InputError as err:
        ...     print(err)
        bids.a: marginal values must be non-increasing, got [1.0, 2.0]
    """
    from hurwicz.core.validation import validate_model

    inp = validate_model(MultiUnitInput, data)
    for who, values in inp.bids.items():
        if any(b > a for a, b in itertools.pairwise(values)):
            raise InputError(f"bids.{who}", f"marginal values must be non-increasing, got "
                             f"{values}")
    return inp


def _as_array(reports: np.ndarray) -> np.ndarray:
    arr = np.asarray(reports, dtype=float)
    if arr.ndim != 3:
        raise InputError("reports", f"must have shape [batch, bidders, units], got {arr.shape}")
    present = ~np.isnan(arr)  # NaN pads bidders that want fewer units
    values = arr[present]
    if arr.size and not (np.isfinite(values).all() and (values >= 0).all()
                         and (values <= MAX_AMOUNT).all()):
        raise InputError("reports", f"marginal values must be finite, non-negative and at most "
                         f"{MAX_AMOUNT:g} (NaN pads missing units)")
    if arr.shape[2] > 1:
        # NaN may only pad the end of a bidder's list, and values must not increase
        if (np.isnan(arr[:, :, :-1]) & ~np.isnan(arr[:, :, 1:])).any():
            raise InputError("reports", "NaN may only pad the end of a bidder's values")
        with np.errstate(invalid="ignore"):
            if (np.diff(arr, axis=2) > 0).any():
                raise InputError("reports", "marginal values must be non-increasing along "
                                 "the last axis")
    return arr


class MultiUnitAuction(Mechanism, BatchPath):
    """Shared allocation (k highest marginal bids) and batch path."""

    family: ClassVar[str] = "auction"
    Input = MultiUnitInput
    Audit = MultiUnitAudit
    Params: ClassVar[type[BaseModel]] = MultiUnitParams
    claims: ClassVar[tuple] = ()

    def parse_input(self, data: Any) -> MultiUnitInput:
        return validate_multi_unit(data)

    def _payments(self, values: np.ndarray, won: np.ndarray, sorted_vals: np.ndarray,
                  k: int) -> np.ndarray:
        raise NotImplementedError

    def _solve(self, values: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """values [B, n, L] → units won [B, n], payments [B, n], clearing info [B, k+1]."""
        b, n, length = values.shape
        with np.errstate(invalid="ignore"):
            admissible = np.where(values >= self.params.reserve, values, -np.inf)
        flat = admissible.reshape(b, n * length)
        # descending by value; stable on (bidder, unit) order: lower name, earlier unit first
        order = np.argsort(-flat, axis=1, kind="stable")
        ranked = np.take_along_axis(flat, order, axis=1)
        take = min(k, n * length)
        winners = np.zeros((b, n * length), bool)
        if take:
            rows = np.arange(b)[:, None]
            chosen = order[:, :take]
            winners[rows, chosen] = np.isfinite(ranked[:, :take])
        won = winners.reshape(b, n, length).sum(axis=2)
        pad = np.full((b, k + 1), -np.inf)
        width = min(k + 1, n * length)
        pad[:, :width] = ranked[:, :width]
        return won, self._payments(values, won, pad, k), pad

    def run_batch(self, reports: np.ndarray, layout: BatchLayout | None = None) -> BatchOutcome:
        """Batch over ``reports`` of shape ``[batch, bidders, max units]`` (pad with NaN);
        ``layout`` (a :class:`MultiUnitLayout`) says how many units are for sale.

        Example:
            >>> import numpy as np, hurwicz as hz
            >>> m = hz.mechanism("auction.pay_as_bid")
            >>> m.run_batch(np.array([[[5.0, 1.0], [3.0, 0.0]]]),
            ...             m.layout(2, {"units": 2})).payments.tolist()
            [[5.0, 3.0]]
        """
        if not isinstance(layout, MultiUnitLayout):
            raise InputError("layout", "multi-unit batches need a layout with the number of "
                             "units: mech.layout(bidders, {\"units\": k})")
        values = _as_array(reports)
        if len(layout.agents) != values.shape[1]:
            raise InputError("layout.agents", f"names {len(layout.agents)} bidders but the "
                             f"reports have {values.shape[1]}")
        won, pay, _ = self._solve(values, layout.units)
        return BatchOutcome(won.astype(float), pay)

    def layout(self, agents: int | Sequence[str],
               context: Mapping[str, Any] | None = None) -> MultiUnitLayout:
        """A batch layout; ``context`` must give ``units`` (a whole number ≥ 0).

        Example:
            >>> import hurwicz as hz
            >>> hz.mechanism("auction.vcg_multi_unit").layout(2, {"units": 3}).units
            3
        """
        context = dict(context or {})
        units = context.pop("units", None)
        if context:
            raise InputError(f"context.{sorted(context)[0]}", "unknown (multi-unit batches "
                             "take units)")
        if isinstance(units, bool) or not isinstance(units, int) or not 0 <= units <= MAX_UNITS:
            raise InputError("context.units", f"a whole number of units from 0 to {MAX_UNITS} "
                             f"is needed, got {units!r}")
        return MultiUnitLayout.for_agents(agents, units=units)

    def batch_reports(self, data: Any) -> tuple[np.ndarray, MultiUnitLayout]:
        """One input as a batch row ``[1, bidders, longest list]`` (NaN padded) and its layout.

        Example:
            >>> import hurwicz as hz
            >>> r, lay = hz.mechanism("auction.pay_as_bid").batch_reports(
            ...     {"units": 2, "bids": {"a": [3.0, 1.0], "b": [2.0]}})
            >>> r.tolist()[0][1][1] != r.tolist()[0][1][1], lay.units
            (True, 2)
        """
        inp = self.parse_input(data)
        names = sorted(inp.bids)
        length = max([len(v) for v in inp.bids.values()] + [1])
        values = np.full((1, len(names), length), np.nan)
        for i, who in enumerate(names):
            values[0, i, :len(inp.bids[who])] = inp.bids[who]
        return values, MultiUnitLayout(tuple(names), units=inp.units)

    def optimal_welfare_batch(self, values: np.ndarray,
                              layout: BatchLayout | None = None) -> np.ndarray | None:
        """The ``units`` highest marginal values per profile (reserve ignored).

        Example:
            >>> import numpy as np, hurwicz as hz
            >>> m = hz.mechanism("auction.pay_as_bid")
            >>> m.optimal_welfare_batch(np.array([[[5.0, 1.0], [3.0, np.nan]]]),
            ...                         m.layout(2, {"units": 2})).tolist()
            [8.0]
        """
        if not isinstance(layout, MultiUnitLayout):
            return None
        flat = np.nan_to_num(np.asarray(values, dtype=float).reshape(len(values), -1), nan=0.0)
        top = -np.sort(-flat, axis=1)[:, :layout.units]
        return top.sum(axis=1)

    def run_parsed(self, inp: MultiUnitInput) -> Outcome:
        names = sorted(inp.bids)
        length = max([len(v) for v in inp.bids.values()] + [1])
        values = np.full((1, len(names), length), np.nan)
        for i, who in enumerate(names):
            values[0, i, :len(inp.bids[who])] = inp.bids[who]
        won, pay, clearing = self._solve(values, inp.units)
        allocation = {who: int(won[0, i]) for i, who in enumerate(names)}
        payments = {who: float(pay[0, i]) for i, who in enumerate(names)}
        welfare = float(sum(sum(inp.bids[w][:allocation[w]]) for w in names))
        return Outcome(
            self.name, self.param_dict(), allocation, payments,
            result={"units_sold": int(won.sum()), "winners": [w for w in names
                                                              if allocation[w] > 0],
                    **self._result_extra(clearing[0], inp.units)},
            metrics={"welfare": welfare, "revenue": float(sum(payments.values()))},
        )

    def _result_extra(self, clearing: np.ndarray, k: int) -> dict[str, Any]:
        return {}


@register
class UniformPrice(MultiUnitAuction):
    """Uniform-price auction: all k units at one clearing price.

    Example:
        >>> import hurwicz as hz
        >>> m = hz.mechanism("auction.uniform_price", price_rule="kth")
        >>> m.run({"units": 2, "bids": {"a": [10], "b": [8], "c": [5]}}).payments
        {'a': 8.0, 'b': 8.0, 'c': 0.0}
    """

    name = "auction.uniform_price"
    version = "2"
    summary = "k units at one price: the lowest winning or the highest losing marginal bid."
    claims = ("ir", efficient_unless_reserve(), "budget_balance")
    Params = UniformParams

    def _price(self, clearing: np.ndarray, k: int) -> np.ndarray:
        """Per profile: the price of every unit sold (NaN when nothing sells)."""
        rows = np.arange(clearing.shape[0])
        sold = np.isfinite(clearing[:, :k]).sum(axis=1)
        if self.params.price_rule == "kth":  # the lowest accepted marginal bid
            p = clearing[rows, np.maximum(sold - 1, 0)]
        else:  # the highest rejected admissible bid; none rejected: the reserve
            p = np.where(np.isfinite(clearing[:, k]), clearing[:, k], self.params.reserve)
        return np.where(sold > 0, np.maximum(p, self.params.reserve), np.nan)

    def _payments(self, values, won, sorted_vals, k):
        return won * np.nan_to_num(self._price(sorted_vals, k), nan=0.0)[:, None]

    def _result_extra(self, clearing, k):
        price = float(self._price(clearing[None], k)[0])
        return {"price": price if np.isfinite(price) else None}


@register
class PayAsBid(MultiUnitAuction):
    """Discriminatory (pay-as-bid) auction: each winning marginal bid pays itself.

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("auction.pay_as_bid").run({"units": 3, "bids": {
        ...     "a": [10, 6], "b": [8], "c": [5]}}).payments
        {'a': 16.0, 'b': 8.0, 'c': 0.0}
    """

    name = "auction.pay_as_bid"
    summary = "k units; each winning marginal bid pays itself."
    claims = ("ir", efficient_unless_reserve(), "budget_balance")

    def _payments(self, values, won, sorted_vals, k):
        length = values.shape[2]
        mask = np.arange(length)[None, None, :] < won[:, :, None]
        return np.where(mask, np.nan_to_num(values), 0.0).sum(axis=2)


@register
class VcgMultiUnit(MultiUnitAuction):
    """VCG for identical units: a bidder winning q units pays the others' welfare loss — the q
    highest marginal values its units displaced, where the seller values each unsold unit at
    the reserve, so each displaced unit costs max(displaced bid, reserve).

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("auction.vcg_multi_unit").run({"units": 2, "bids": {
        ...     "a": [10, 9], "b": [4], "c": [3]}}).payments
        {'a': 7.0, 'b': 0.0, 'c': 0.0}
        >>> hz.mechanism("auction.vcg_multi_unit", reserve=3).run({"units": 2, "bids": {
        ...     "a": [20, 9], "b": [10]}}).payments  # a displaces the seller's unit: 3
        {'a': 3.0, 'b': 9.0}
    """

    name = "auction.vcg_multi_unit"
    version = "2"
    summary = "VCG for identical units: pay the displaced marginal values (reserve included)."
    claims = ("dsic", "ir", efficient_unless_reserve(), "budget_balance")

    def _payments(self, values, won, sorted_vals, k):
        b, n, _length = values.shape
        r = float(self.params.reserve)
        pay = np.zeros((b, n))
        with np.errstate(invalid="ignore"):
            # bids below the reserve, and missing units, count as the seller's own value r
            admissible = np.where(values >= r, values, r)
        for i in range(n):
            others = np.delete(admissible, i, axis=1).reshape(b, -1)
            others = -np.sort(-others, axis=1)
            width = others.shape[1]
            padded = np.full((b, k + 1), r)
            padded[:, :min(k, width)] = others[:, :min(k, width)]
            # the others' (and the seller's) top k minus their top (k − q): what i displaced
            q = won[:, i]
            cums = np.concatenate([np.zeros((b, 1)), np.cumsum(padded[:, :k], axis=1)], axis=1)
            rows = np.arange(b)
            pay[:, i] = cums[rows, np.full(b, k)] - cums[rows, np.maximum(k - q, 0)]
        return pay

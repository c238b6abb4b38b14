"""Multi-unit auctions of k identical units with marginal-value bids.

Input: ``{"units": 3, "bids": {"a": [10, 6], "b": [8]}}`` — each bidder's marginal values, non-
increasing (its value for a 1st, 2nd, ... unit). The k highest marginal bids at or above the
reserve win (ties: lower name first, then earlier unit). Rules differ in payments:

- ``auction.uniform_price``: every unit sells at one price — the lowest winning bid (``kth``)
  or the highest losing bid (``k_plus_1``; 0 if none) — or the reserve if higher;
- ``auction.pay_as_bid`` (discriminatory): each winning bid pays itself;
- ``auction.vcg_multi_unit``: a bidder winning q units pays the q highest marginal bids of the
  others that its units displaced (its externality) — truthful (Vickrey 1961, §5; Krishna,
  *Auction Theory*, 2nd ed., ch. 12–13).

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
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from hurwicz.core.errors import InputError
from hurwicz.core.mechanism import Mechanism
from hurwicz.core.outcome import BatchOutcome, Outcome
from hurwicz.core.registry import register
from hurwicz.mechanisms import instances

Name = Annotated[str, StringConstraints(min_length=1, max_length=256)]
Value = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class MultiUnitInput(BaseModel):
    """``{"units": k, "bids": {bidder: [marginal values, non-increasing]}}``."""

    model_config = ConfigDict(strict=True, extra="forbid")
    units: int = Field(ge=0)
    bids: dict[Name, list[Value]]


class MultiUnitParams(BaseModel):
    """Reserve price per unit."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)
    reserve: Value = Field(0.0, description="minimum price per unit; lower marginal bids lose")


class UniformParams(MultiUnitParams):
    """Uniform-price rule."""

    price_rule: Literal["kth", "k_plus_1"] = Field(
        "k_plus_1", description="kth: lowest winning bid; k_plus_1: highest losing bid")


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
    if arr.size and (not np.isfinite(arr[present]).all() or (arr[present] < 0).any()):
        raise InputError("reports", "marginal values must be finite and non-negative")
    if arr.shape[2] > 1 and (np.diff(arr, axis=2) > 0).any():
        raise InputError("reports", "marginal values must be non-increasing along the last axis")
    return arr


class MultiUnitAuction(Mechanism):
    """Shared allocation (k highest marginal bids) and report hooks."""

    family: ClassVar[str] = "auction"
    report_kind: ClassVar[str] = "vector"
    Input = MultiUnitInput
    random_instance = instances.hook(instances.multi_unit)
    Params: ClassVar[type[BaseModel]] = MultiUnitParams
    units_param: ClassVar[bool] = True

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

    def run_batch(self, reports: np.ndarray) -> BatchOutcome:
        """Batch over ``reports`` of shape ``[batch, bidders, max units]`` (pad with NaN);
        the number of units is the ``units`` attribute set by :meth:`with_units`.

        Example:
            >>> import numpy as np, hurwicz as hz
            >>> m = hz.mechanism("auction.pay_as_bid").with_units(2)
            >>> m.run_batch(np.array([[[5.0, 1.0], [3.0, 0.0]]])).payments.tolist()
            [[5.0, 3.0]]
        """
        k = getattr(self, "_batch_units", None)
        if k is None:
            raise InputError("units", "call with_units(k) before run_batch")
        values = _as_array(reports)
        won, pay, _ = self._solve(values, k)
        return BatchOutcome(won.astype(float), pay)

    def with_units(self, k: int) -> MultiUnitAuction:
        """A copy configured for batches of ``k`` units.

        Example:
            >>> import hurwicz as hz
            >>> hz.mechanism("auction.vcg_multi_unit").with_units(3)._batch_units
            3
        """
        clone = type(self)(**self.params.model_dump())
        clone._batch_units = int(k)
        return clone

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

    # audit hooks
    def reports(self, data: Any) -> dict[str, list[float]]:
        return {k: list(v) for k, v in self.parse_input(data).bids.items()}

    def with_reports(self, data: Any, reports: Mapping[str, Any]) -> dict[str, Any]:
        bids = dict(data["bids"])
        for who, r in reports.items():
            if r is None:
                bids.pop(who, None)
            else:
                bids[who] = sorted((float(x) for x in r), reverse=True)
        return {**data, "bids": bids}

    def report_domain(self, data: Any, agent: str) -> dict[str, Any]:
        return {"kind": "vector", "length": len(data["bids"].get(agent, [])), "low": 0.0,
                "nonincreasing": True}

    def utility(self, agent: str, true_type: Any, outcome: Outcome) -> float:
        """Sum of the agent's true marginal values for the units it won, minus its payment."""
        units = int(outcome.allocation.get(agent, 0))
        return float(sum(list(true_type)[:units]) - outcome.payment(agent))


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
    summary = "k units at one price: the k-th or (k+1)-th highest marginal bid."
    claims = ("ir", "efficient", "budget_balance")
    Params = UniformParams

    def _price(self, clearing: np.ndarray, k: int) -> np.ndarray:
        idx = k - 1 if self.params.price_rule == "kth" else k
        if k == 0:
            return np.zeros(clearing.shape[0])
        p = clearing[:, idx]
        return np.maximum(np.where(np.isfinite(p), p, 0.0), self.params.reserve)

    def _payments(self, values, won, sorted_vals, k):
        return won * self._price(sorted_vals, k)[:, None]

    def _result_extra(self, clearing, k):
        return {"price": float(self._price(clearing[None], k)[0])}


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
    claims = ("ir", "efficient", "budget_balance")

    def _payments(self, values, won, sorted_vals, k):
        length = values.shape[2]
        mask = np.arange(length)[None, None, :] < won[:, :, None]
        return np.where(mask, np.nan_to_num(values), 0.0).sum(axis=2)


@register
class VcgMultiUnit(MultiUnitAuction):
    """VCG for identical units: a bidder winning q units pays the q highest marginal bids of
    the others that lose because of it (the others' welfare loss).

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("auction.vcg_multi_unit").run({"units": 2, "bids": {
        ...     "a": [10, 9], "b": [4], "c": [3]}}).payments
        {'a': 7.0, 'b': 0.0, 'c': 0.0}
    """

    name = "auction.vcg_multi_unit"
    summary = "VCG for identical units: pay the displaced marginal bids."
    claims = ("dsic", "ir", "efficient", "budget_balance")

    def _payments(self, values, won, sorted_vals, k):
        b, n, _length = values.shape
        pay = np.zeros((b, n))
        with np.errstate(invalid="ignore"):
            admissible = np.where(values >= self.params.reserve, values, 0.0)
        for i in range(n):
            others = np.delete(admissible, i, axis=1).reshape(b, -1)
            others = -np.sort(-others, axis=1)
            width = others.shape[1]
            padded = np.zeros((b, k + 1))
            padded[:, :min(k, width)] = others[:, :min(k, width)]
            # the others' top k minus their top (k − q): the units i displaced
            q = won[:, i]
            cums = np.concatenate([np.zeros((b, 1)), np.cumsum(padded[:, :k], axis=1)], axis=1)
            rows = np.arange(b)
            displaced = cums[rows, np.full(b, k)] - cums[rows, np.maximum(k - q, 0)]
            # with a reserve a displaced unit would have sold at no less than the reserve
            pay[:, i] = np.maximum(displaced, q * self.params.reserve)
        return pay

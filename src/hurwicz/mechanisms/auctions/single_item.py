"""Single-item auctions: first price, second price (Vickrey), all-pay, posted price,
and the English (ascending) and Dutch (descending) clock auctions.

All share one input schema, ``{"bids": {"alice": 10, "bob": 8}}``, a ``reserve``
(bids below it lose; no bid at or above it means no sale) and an explicit ``tie_break``
(``"lowest_name"`` or a seed: a seeded priority per bidder *name*). Each runs through one
vectorised kernel, so :meth:`run` and :meth:`run_batch` agree exactly: in a batch, column ``i``
is the agent whose name sorts ``i``-th (``layout.agents``; a1..an by default).

Example:
    >>> import hurwicz as hz
    >>> out = hz.mechanism("auction.second_price", reserve=9).run({"bids": {"a": 10, "b": 8}})
    >>> out.allocation, out.payments
    ({'a': 1, 'b': 0}, {'a': 9.0, 'b': 0.0})
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from hurwicz.core.capabilities import (
    BatchLayout,
    BatchPath,
    EquilibriumStrategies,
    ScalarReports,
)
from hurwicz.core.claims import Claim
from hurwicz.core.errors import InputError
from hurwicz.core.mechanism import Mechanism
from hurwicz.core.outcome import BatchOutcome, Outcome
from hurwicz.core.registry import register
from hurwicz.core.types import MAX_AMOUNT, Money, Name

from .audit import SingleItemAudit
from .tie_break import TIE_BREAK_DOC, TieBreak, column_priority, pick_tied

#: Most price levels a clock auction may walk through (exact integers in float64).
MAX_CLOCK_LEVELS = 2**53


class SingleItemInput(BaseModel):
    """``{"bids": {name: non-negative number}}``; an empty dict is allowed (no sale)."""

    model_config = ConfigDict(strict=True, extra="forbid")
    bids: dict[Name, Money]


class ReserveParams(BaseModel):
    """Parameters shared by the sealed-bid single-item auctions."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)
    reserve: Money = Field(0.0, description="minimum admissible bid; lower bids lose")
    tie_break: TieBreak = Field("lowest_name", description=TIE_BREAK_DOC)


class ClockParams(ReserveParams):
    """Parameters of the clock auctions (English, Dutch)."""

    increment: float = Field(
        0.01, gt=0, le=MAX_AMOUNT, allow_inf_nan=False,
        description="clock step; price levels are reserve + k·increment",
    )


class PostedPriceParams(BaseModel):
    """Parameters of the posted-price mechanism."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)
    price: Money = Field(description="take-it-or-leave-it price (it is also the reserve)",
                         json_schema_extra={"examples": [5.0]})
    tie_break: TieBreak = Field("lowest_name", description=TIE_BREAK_DOC)


def check_bid_array(reports: np.ndarray, ndim: int = 2,
                    shape_doc: str = "[batch, agents]") -> np.ndarray:
    """Batch reports as floats, or an error naming ``reports``: finite, ≥ 0, ≤ MAX_AMOUNT.

    Example:
        >>> try:
        ...     check_bid_array(np.array([[1.0, np.nan]]))
        ... except InputError as err:
        ...     print(err)
        reports: must be finite, non-negative numbers at most 1e+15
    """
    bids = np.asarray(reports, dtype=float)
    if bids.ndim != ndim:
        raise InputError("reports", f"must have shape {shape_doc}, got {bids.shape}")
    if bids.size and not (np.isfinite(bids).all() and (bids >= 0).all()
                          and (bids <= MAX_AMOUNT).all()):
        raise InputError("reports", f"must be finite, non-negative numbers at most "
                         f"{MAX_AMOUNT:g}")
    return bids


def batch_names(layout: BatchLayout | None, n: int) -> tuple[str, ...]:
    """The agent of each column: the layout's, or a1..an; the counts must agree.

    Example:
        >>> batch_names(None, 2)
        ('a1', 'a2')
    """
    if layout is None:
        return BatchLayout.for_agents(n).agents
    if len(layout.agents) != n:
        raise InputError("layout.agents", f"names {len(layout.agents)} agents but the reports "
                         f"have {n} columns")
    return layout.agents


def efficient_unless_reserve(field: str = "reserve") -> Claim:
    """``efficient`` only without a reserve (a reserve withholds the item from bidders who
    value it).

    Example:
        >>> efficient_unless_reserve().condition
        'reserve = 0'
    """
    return Claim("efficient", when=lambda p: getattr(p, field) == 0, condition=f"{field} = 0")


class SingleItemAuction(Mechanism, BatchPath, ScalarReports):
    """Shared machinery: schema, batch path and the batch-kernel-backed :meth:`run`."""

    family: ClassVar[str] = "auction"
    # 2: seeded tie-breaks draw priorities from (seed, bidder name), no longer per batch row
    version: ClassVar[str] = "2"
    Input = SingleItemInput
    Audit = SingleItemAudit
    Params: ClassVar[type[BaseModel]] = ReserveParams

    # kernel: bids [B, n] -> allocation [B, n], payments [B, n], price [B], winner [B] (-1: none)
    def _kernel(self, bids: np.ndarray, prio: np.ndarray | None) -> dict[str, np.ndarray]:
        raise NotImplementedError

    @property
    def _reserve(self) -> float:
        return float(self.params.reserve)

    def run_batch(self, reports: np.ndarray, layout: BatchLayout | None = None) -> BatchOutcome:
        """Vectorised run over ``reports`` of shape ``[batch, agents]``.

        Example:
            >>> import numpy as np, hurwicz as hz
            >>> b = hz.mechanism("auction.second_price").run_batch(np.array([[3.0, 5.0, 4.0]]))
            >>> b.allocation.tolist(), b.payments.tolist()
            ([[0.0, 1.0, 0.0]], [[0.0, 4.0, 0.0]])
        """
        bids = check_bid_array(reports)
        names = batch_names(layout, bids.shape[1])
        k = self._kernel(bids, column_priority(self.params.tie_break, names))
        extra = {key: val for key, val in k.items() if key not in ("allocation", "payments")}
        return BatchOutcome(k["allocation"], k["payments"], extra)

    def batch_reports(self, data: Any) -> tuple[np.ndarray, BatchLayout]:
        """One input as a batch row and its layout.

        Example:
            >>> import hurwicz as hz
            >>> r, lay = hz.mechanism("auction.first_price").batch_reports({"bids": {"b": 1,
            ...                                                                   "a": 2}})
            >>> r.tolist(), lay.agents
            ([[2.0, 1.0]], ('a', 'b'))
        """
        inp = self.parse_input(data)
        names = sorted(inp.bids)
        return (np.array([[inp.bids[n] for n in names]], dtype=float).reshape(1, len(names)),
                BatchLayout(tuple(names)))

    def input_from_reports(self, reports: Mapping[str, Any],
                           layout: BatchLayout | None = None) -> dict[str, Any]:
        """``{"bids": reports}`` (agents reporting ``None`` are left out).

        Example:
            >>> import hurwicz as hz
            >>> hz.mechanism("auction.first_price").input_from_reports({"a": 1.0})
            {'bids': {'a': 1.0}}
        """
        return {"bids": {k: v for k, v in reports.items() if v is not None}}

    def run_parsed(self, inp: SingleItemInput) -> Outcome:
        names = sorted(inp.bids)
        bids = np.array([[inp.bids[n] for n in names]], dtype=float).reshape(1, len(names))
        prio = column_priority(self.params.tie_break, names)
        k = self._kernel(bids, prio) if names else None
        allocation = {n: int(k["allocation"][0, i]) for i, n in enumerate(names)} if k else {}
        payments = {n: float(k["payments"][0, i]) for i, n in enumerate(names)} if k else {}
        winner_idx = int(k["winner"][0]) if k else -1
        winners = [names[winner_idx]] if winner_idx >= 0 else []
        price = float(k["price"][0]) if winners else None
        result: dict[str, Any] = {"winners": winners, "sold": bool(winners), "price": price}
        if k and "level" in k:
            result["clock_level"] = int(k["level"][0])
            result["clock_steps"] = int(k["level"][0]) + 1 if winners else 0
        welfare = float(inp.bids[winners[0]]) if winners else 0.0
        return Outcome(
            mechanism=self.name,
            params=self.param_dict(),
            allocation=allocation,
            payments=payments,
            result=result,
            metrics={"welfare": welfare, "revenue": float(sum(payments.values()))},
        )

    def optimal_welfare_batch(self, values: np.ndarray,
                              layout: BatchLayout | None = None) -> np.ndarray:
        """Best achievable welfare per profile: one item to the highest value.

        Example:
            >>> import numpy as np, hurwicz as hz
            >>> hz.mechanism("auction.first_price").optimal_welfare_batch(np.array([[1., 3.]]))
            array([3.])
        """
        if values.shape[1] == 0:
            return np.zeros(values.shape[0])
        return np.maximum(values.max(axis=1), 0.0)


def _highest(bids: np.ndarray, eligible: np.ndarray, prio: np.ndarray | None,
             need_second: bool = True):
    """Winner index (−1 if none), the top bid, and the highest competing eligible bid."""
    masked = np.where(eligible, bids, -np.inf)
    top = masked.max(axis=1) if bids.shape[1] else np.full(bids.shape[0], -np.inf)
    has = np.isfinite(top)
    winner = pick_tied(masked == top[:, None], prio)
    second = None
    if need_second:
        if bids.shape[1] > 1:
            masked[np.arange(bids.shape[0]), winner] = -np.inf
            second = masked.max(axis=1)
        else:
            second = np.full(bids.shape[0], -np.inf)
    return np.where(has, winner, -1), top, second


def _one_hot(winner: np.ndarray, n: int) -> np.ndarray:
    return (winner[:, None] == np.arange(n)[None, :]).astype(float)


@register
class FirstPrice(SingleItemAuction, EquilibriumStrategies):
    """First-price sealed-bid auction: the highest admissible bid wins and pays its bid.

    Not truthful: at the symmetric Bayes–Nash equilibrium with n i.i.d. U[0,1] values each
    bidder bids (n−1)/n of its value (Krishna, *Auction Theory*, 2nd ed., §2.3).

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("auction.first_price").run({"bids": {"a": 5, "b": 7}}).payments
        {'a': 0.0, 'b': 7.0}
    """

    name = "auction.first_price"
    summary = "Highest bid wins and pays its own bid."
    claims = ("ir", efficient_unless_reserve(), "budget_balance")

    def bne(self, priors):
        """Symmetric equilibrium bids for i.i.d. priors (see :mod:`.equilibrium`).

        Example:
            >>> import numpy as np, hurwicz as hz
            >>> b = hz.mechanism("auction.first_price").bne(hz.parse_priors("uniform:0,1", 2))
            >>> b(np.array([[0.8, 0.4]])).tolist()
            [[0.4, 0.2]]
        """
        from .equilibrium import symmetric_bne

        return symmetric_bne("first_price", priors, self._reserve)

    def _kernel(self, bids, prio):
        winner, top, _ = _highest(bids, bids >= self._reserve, prio, need_second=False)
        alloc = _one_hot(winner, bids.shape[1])
        price = np.where(winner >= 0, top, np.nan)
        pay = alloc * np.nan_to_num(price, nan=0.0)[:, None]
        return {"allocation": alloc, "payments": pay, "price": price, "winner": winner}


@register
class SecondPrice(SingleItemAuction):
    """Vickrey (second-price sealed-bid) auction: the highest bid wins and pays the highest
    other admissible bid, or the reserve if that is higher (Vickrey 1961). Truthful bidding is
    a dominant strategy.

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("auction.second_price").run({"bids": {"a": 5, "b": 7}}).payments
        {'a': 0.0, 'b': 5.0}
    """

    name = "auction.second_price"
    summary = "Highest bid wins and pays the second-highest bid (or the reserve)."
    claims = ("dsic", "ir", efficient_unless_reserve(), "budget_balance")

    def _kernel(self, bids, prio):
        r = self._reserve
        winner, _, second = _highest(bids, bids >= r, prio)
        alloc = _one_hot(winner, bids.shape[1])
        price = np.where(winner >= 0, np.maximum(second, r), np.nan)
        pay = alloc * np.nan_to_num(price, nan=0.0)[:, None]
        return {"allocation": alloc, "payments": pay, "price": price, "winner": winner}


@register
class AllPay(SingleItemAuction, EquilibriumStrategies):
    """All-pay auction: the highest bid wins; every admissible bidder pays its own bid.

    Bids below the reserve are not admitted: they neither win nor pay.

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("auction.all_pay").run({"bids": {"a": 5, "b": 7}}).payments
        {'a': 5.0, 'b': 7.0}
    """

    name = "auction.all_pay"
    summary = "Highest bid wins; every bidder pays its bid."
    claims = (efficient_unless_reserve(), "budget_balance")

    def bne(self, priors):
        """Symmetric equilibrium bids for i.i.d. priors (see :mod:`.equilibrium`).

        Example:
            >>> import numpy as np, hurwicz as hz
            >>> b = hz.mechanism("auction.all_pay").bne(hz.parse_priors("uniform:0,1", 2))
            >>> b(np.array([[0.5, 1.0]])).tolist()
            [[0.125, 0.5]]
        """
        from .equilibrium import symmetric_bne

        return symmetric_bne("all_pay", priors, self._reserve)

    def _kernel(self, bids, prio):
        eligible = bids >= self._reserve
        winner, top, _ = _highest(bids, eligible, prio, need_second=False)
        alloc = _one_hot(winner, bids.shape[1])
        price = np.where(winner >= 0, top, np.nan)
        return {"allocation": alloc, "payments": np.where(eligible, bids, 0.0),
                "price": price, "winner": winner}


@register
class PostedPrice(SingleItemAuction):
    """Posted price: the item is offered at ``price``; among the agents whose report is at
    least the price (willing to buy), one is chosen by the tie-break and pays the price.

    Truthful: an agent's report only decides whether it accepts the price.

    Example:
        >>> import hurwicz as hz
        >>> m = hz.mechanism("auction.posted_price", price=6)
        >>> m.run({"bids": {"a": 5, "b": 7, "c": 9}}).payments
        {'a': 0.0, 'b': 6.0, 'c': 0.0}
    """

    name = "auction.posted_price"
    summary = "Take-it-or-leave-it price; ties among willing buyers by the tie-break."
    claims = ("dsic", "ir", "budget_balance")
    Params = PostedPriceParams

    @property
    def _reserve(self) -> float:
        return float(self.params.price)

    def _kernel(self, bids, prio):
        willing = bids >= self._reserve
        has = willing.any(axis=1)
        winner = np.where(has, pick_tied(willing, prio), -1)
        alloc = _one_hot(winner, bids.shape[1])
        price = np.where(has, self._reserve, np.nan)
        return {"allocation": alloc, "payments": alloc * self._reserve,
                "price": price, "winner": winner}


def check_clock_levels(bids: Mapping[str, float], reserve: float, increment: float) -> None:
    """Refuse, naming the bid, a bid more than :data:`MAX_CLOCK_LEVELS` increments above the
    reserve (bids of 1e15 with an increment of 1e-300): its clock level could not be counted.

    Example:
        >>> try:
        ...     check_clock_levels({"a": 10.0, "b": 1.0}, 0.0, 1e-300)
        ... except InputError as err:
        ...     print(err)  # doctest: +ELLIPSIS
        bids.a: 10 lies more than 2^53 clock steps of 1e-300 above the reserve (0); raise ...
    """
    for name in sorted(bids):
        bid = bids[name]
        if bid >= reserve and (bid - reserve) / increment + 1e-9 > MAX_CLOCK_LEVELS:
            raise InputError(f"bids.{name}", f"{bid:g} lies more than 2^53 clock steps of "
                             f"{increment:g} above the reserve ({reserve:g}); raise "
                             "params.increment")


def _levels(bids: np.ndarray, reserve: float, increment: float) -> np.ndarray:
    """Last clock level ``k`` with ``reserve + k·increment <= bid`` (−1 below the reserve).

    A relative tolerance of 1e-9 of the increment absorbs float error in ``(b − r)/inc``. A bid
    more than :data:`MAX_CLOCK_LEVELS` increments above the reserve is refused: its level could
    not be counted exactly.
    """
    with np.errstate(over="ignore"):
        raw = np.floor((bids - reserve) / increment + 1e-9)
    if bids.size and np.nanmax(np.where(bids >= reserve, raw, 0.0)) > MAX_CLOCK_LEVELS:
        # run() names the bid first (check_clock_levels); a batch names the reports
        raise InputError("reports", f"a bid lies more than 2^53 clock steps of {increment:g} "
                         "above the reserve; raise params.increment")
    return np.where(bids >= reserve, raw, -1).astype(np.int64)


class ClockAuction(SingleItemAuction):
    """Shared input check of the clock auctions: every bid's clock level must be countable."""

    Params = ClockParams

    def parse_input(self, data: Any) -> SingleItemInput:
        inp = super().parse_input(data)
        check_clock_levels(inp.bids, self._reserve, float(self.params.increment))
        return inp


@register
class English(ClockAuction):
    """English (ascending clock) auction with proxy bids.

    The price starts at the reserve and rises by ``increment``; a bidder stays in while the
    price is at most its bid. When one bidder is left it wins at the current price; when the
    last bidders all drop at the same step, the tie-break picks one of them at the last price
    they all accepted. As ``increment → 0`` the outcome converges to the second-price auction's.

    Straightforward bidding is only ε-dominant (ε = one increment): a winner who knows it wins
    ties may drop to the runner-up's level and save one increment, which the audit finds; so
    ``dsic`` is not claimed.

    Example:
        >>> import hurwicz as hz
        >>> m = hz.mechanism("auction.english", increment=1.0)
        >>> m.run({"bids": {"a": 10.5, "b": 8.2}}).payments["a"]
        9.0
    """

    name = "auction.english"
    summary = "Ascending clock; converges to second price as the increment shrinks."
    claims = ("ir", "budget_balance")
    Params = ClockParams

    def _kernel(self, bids, prio):
        r, inc = self._reserve, float(self.params.increment)
        n = bids.shape[1]
        levels = _levels(bids, r, inc)
        top = levels.max(axis=1) if n else np.full(bids.shape[0], -1)
        tied = (levels == top[:, None]) & (levels >= 0)
        count = tied.sum(axis=1)
        winner = np.where(top >= 0, pick_tied(tied, prio), -1)
        rows = np.arange(bids.shape[0])
        others = levels.copy()
        if n:  # (a batch of zero bidders has no column to mask)
            others[rows, np.maximum(winner, 0)] = -1
        second = others.max(axis=1) if n > 1 else np.full(bids.shape[0], -1)
        # a single survivor pays the first level the runner-up rejected; a tie pays the last
        # level all tied bidders accepted
        level = np.where(count >= 2, top, second + 1)
        price = r + level * inc
        alloc = _one_hot(winner, n)
        win_bid = bids[rows, np.maximum(winner, 0)] if n else np.zeros(len(rows))
        price = np.where(winner >= 0, np.minimum(price, win_bid), np.nan)
        pay = alloc * np.nan_to_num(price, nan=0.0)[:, None]
        return {"allocation": alloc, "payments": pay, "price": price, "winner": winner,
                "level": np.where(winner >= 0, level, -1)}


@register
class Dutch(ClockAuction):
    """Dutch (descending clock) auction.

    The price falls from above in steps of ``increment`` along the levels
    ``reserve + k·increment``; the first bidder whose bid reaches the current price stops the
    clock and buys at that price (simultaneous stops go to the tie-break). The clock never goes
    below the reserve. As ``increment → 0`` it converges to the first-price auction.

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("auction.dutch", increment=0.5).run({"bids": {"a": 7.3, "b": 5}}).payments
        {'a': 7.0, 'b': 0.0}
    """

    name = "auction.dutch"
    summary = "Descending clock; converges to first price as the increment shrinks."
    claims = ("ir", "budget_balance")
    Params = ClockParams

    def _kernel(self, bids, prio):
        r, inc = self._reserve, float(self.params.increment)
        n = bids.shape[1]
        levels = _levels(bids, r, inc)
        top = levels.max(axis=1) if n else np.full(bids.shape[0], -1)
        tied = (levels == top[:, None]) & (levels >= 0)
        winner = np.where(top >= 0, pick_tied(tied, prio), -1)
        rows = np.arange(bids.shape[0])
        win_bid = bids[rows, np.maximum(winner, 0)] if n else np.zeros(len(rows))
        price = np.where(winner >= 0, np.minimum(r + top * inc, win_bid), np.nan)
        alloc = _one_hot(winner, n)
        pay = alloc * np.nan_to_num(price, nan=0.0)[:, None]
        return {"allocation": alloc, "payments": pay, "price": price, "winner": winner,
                "level": np.where(winner >= 0, top, -1)}

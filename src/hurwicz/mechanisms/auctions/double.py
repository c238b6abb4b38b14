"""Double auctions: buyers with values, sellers with costs, one unit each.

Buyers sorted by value b₁ ≥ b₂ ≥ …, sellers by cost s₁ ≤ s₂ ≤ …; the efficient number of trades
is the largest k with b_k ≥ s_k.

- ``auction.mcafee`` (McAfee 1992, "A Dominant Strategy Double Auction", JET 56(2)): try the
  price p₀ = (b_{k+1} + s_{k+1})/2; if s_k ≤ p₀ ≤ b_k all k pairs trade at p₀ (budget balanced);
  otherwise the k−1 first pairs trade, buyers paying b_k and sellers receiving s_k (trade
  reduction: the designer keeps the difference). DSIC, never runs a deficit, at most one
  efficient trade lost.
- ``auction.k_double`` (Chatterjee–Samuelson; Rustichini, Satterthwaite & Williams 1994): the k
  efficient pairs trade at p = κ·b_k + (1−κ)·s_k (κ = ``k`` ∈ [0, 1]); budget balanced, not DSIC.

Buyers get ``allocation = 1`` and pay ``payments > 0``; sellers give their unit
(``allocation = -1``) and receive money (``payments < 0``), so quasilinear utility
value × allocation − payment is right for both (a seller's value is its cost).

Example:
    >>> import hurwicz as hz
    >>> data = {"buyers": {"b1": 10, "b2": 8, "b3": 3}, "sellers": {"s1": 2, "s2": 5, "s3": 9}}
    >>> out = hz.mechanism("auction.mcafee").run(data)
    >>> out.result["trades"], out.result["price"]
    (2, 6.0)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from hurwicz.core.capabilities import BatchLayout, BatchPath, ScalarReports
from hurwicz.core.errors import InputError
from hurwicz.core.mechanism import Mechanism, NoParams
from hurwicz.core.outcome import BatchOutcome, Outcome
from hurwicz.core.registry import register
from hurwicz.core.types import Money, Name

from .audit import DoubleAudit
from .single_item import check_bid_array


class DoubleInput(BaseModel):
    """``{"buyers": {name: value}, "sellers": {name: cost}}`` (names must differ)."""

    model_config = ConfigDict(strict=True, extra="forbid")
    buyers: dict[Name, Money]
    sellers: dict[Name, Money]


@dataclass(frozen=True)
class DoubleLayout(BatchLayout):
    """Batch layout of double auctions: the first ``buyers`` columns are buyers (in name
    order), the rest sellers (in name order).

    Example:
        >>> DoubleLayout(("b1", "s1"), buyers=1).buyers
        1
    """

    buyers: int = 0


class KDoubleParams(BaseModel):
    """Price weight κ."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)
    k: float = Field(0.5, ge=0, le=1, allow_inf_nan=False,
                     description="price = k·b_k + (1−k)·s_k at the crossing")


class DoubleAuction(Mechanism, BatchPath, ScalarReports):
    """Shared sorting and batch layout."""

    family: ClassVar[str] = "auction"
    Input = DoubleInput
    Audit = DoubleAudit
    Params: ClassVar[type[BaseModel]] = NoParams

    def parse_input(self, data: Any) -> DoubleInput:
        inp = super().parse_input(data)
        both = set(inp.buyers) & set(inp.sellers)
        if both:
            raise InputError("sellers", f"{sorted(both)[0]!r} is both a buyer and a seller")
        return inp

    def _clear(self, bids: np.ndarray, asks: np.ndarray) -> tuple[np.ndarray, ...]:
        """→ buyer trades [B, nb], seller trades [B, ns], buyer price [B], seller price [B]."""
        raise NotImplementedError

    def run_batch(self, reports: np.ndarray, layout: BatchLayout | None = None) -> BatchOutcome:
        """Columns ``[0, layout.buyers)`` are buyers' values, the rest sellers' costs.

        Example:
            >>> import numpy as np, hurwicz as hz
            >>> m = hz.mechanism("auction.k_double")
            >>> m.run_batch(np.array([[10.0, 4.0]]), m.layout(2, {"buyers": 1})).payments.tolist()
            [[7.0, -7.0]]
        """
        if not isinstance(layout, DoubleLayout):
            raise InputError("layout", "double-auction batches need a layout saying which "
                             "columns are buyers: mech.layout(traders, {\"buyers\": k})")
        arr = check_bid_array(reports, shape_doc="[batch, buyers + sellers]")
        if len(layout.agents) != arr.shape[1]:
            raise InputError("layout.agents", f"names {len(layout.agents)} traders but the "
                             f"reports have {arr.shape[1]}")
        nb = layout.buyers
        bt, st, bp, sp = self._clear(arr[:, :nb], arr[:, nb:])
        alloc = np.concatenate([bt, -st], axis=1).astype(float)
        pay = np.concatenate([bt * bp[:, None], -st * sp[:, None]], axis=1)
        return BatchOutcome(alloc, pay, {"trades": bt.sum(axis=1)})

    def layout(self, agents: int | Sequence[str],
               context: Mapping[str, Any] | None = None) -> DoubleLayout:
        """A batch layout; ``context["buyers"]`` is how many of the traders buy. With a count
        the traders are named b1.. and s1..; with names, the first ``buyers`` names buy.

        Example:
            >>> import hurwicz as hz
            >>> hz.mechanism("auction.mcafee").layout(3, {"buyers": 2}).agents
            ('b1', 'b2', 's1')
        """
        context = dict(context or {})
        buyers = context.pop("buyers", None)
        if context:
            raise InputError(f"context.{sorted(context)[0]}", "unknown (double-auction "
                             "batches take buyers)")
        n = agents if isinstance(agents, int) else len(agents)
        if isinstance(buyers, bool) or not isinstance(buyers, int) or not 0 <= buyers <= n:
            raise InputError("context.buyers", f"how many of the {n} traders buy (0..{n}), got "
                             f"{buyers!r}")
        if isinstance(agents, int):
            names = [f"b{i + 1}" for i in range(buyers)] + [f"s{i + 1}"
                                                            for i in range(n - buyers)]
        else:
            names = sorted(agents[:buyers]) + sorted(agents[buyers:])
        return DoubleLayout(tuple(names), buyers=buyers)

    def batch_reports(self, data: Any) -> tuple[np.ndarray, DoubleLayout]:
        """One input as a batch row (buyers, then sellers, each in name order) and its layout.

        Example:
            >>> import hurwicz as hz
            >>> r, lay = hz.mechanism("auction.mcafee").batch_reports(
            ...     {"buyers": {"x": 5.0}, "sellers": {"a": 1.0}})
            >>> r.tolist(), lay.agents, lay.buyers
            ([[5.0, 1.0]], ('x', 'a'), 1)
        """
        inp = self.parse_input(data)
        buyers, sellers = sorted(inp.buyers), sorted(inp.sellers)
        row = [inp.buyers[b] for b in buyers] + [inp.sellers[s] for s in sellers]
        return (np.array([row], dtype=float).reshape(1, len(row)),
                DoubleLayout(tuple(buyers + sellers), buyers=len(buyers)))

    def input_from_reports(self, reports: Mapping[str, Any],
                           layout: BatchLayout | None = None) -> dict[str, Any]:
        """An input in which the layout's buyers report values and its sellers costs.

        Example:
            >>> import hurwicz as hz
            >>> m = hz.mechanism("auction.mcafee")
            >>> m.input_from_reports({"b1": 5.0, "s1": 2.0}, m.layout(2, {"buyers": 1}))
            {'buyers': {'b1': 5.0}, 'sellers': {'s1': 2.0}}
        """
        if not isinstance(layout, DoubleLayout):
            raise InputError("layout", "needed to tell buyers from sellers")
        buyers = set(layout.agents[:layout.buyers])
        return {"buyers": {n: v for n, v in reports.items() if n in buyers and v is not None},
                "sellers": {n: v for n, v in reports.items()
                            if n not in buyers and v is not None}}

    def optimal_welfare_batch(self, values: np.ndarray,
                              layout: BatchLayout | None = None) -> np.ndarray | None:
        """Gains from trade: Σ over efficient pairs of (value − cost). Welfare in the batch
        path counts value × allocation, so a seller's trade counts −cost.

        Example:
            >>> import numpy as np, hurwicz as hz
            >>> m = hz.mechanism("auction.mcafee")
            >>> m.optimal_welfare_batch(np.array([[9.0, 5.0, 2.0, 6.0]]),
            ...                         m.layout(4, {"buyers": 2})).tolist()
            [7.0]
        """
        if not isinstance(layout, DoubleLayout):
            return None
        arr = np.asarray(values, dtype=float)
        _, b, _, s = self._sorted(arr[:, :layout.buyers], arr[:, layout.buyers:])
        m = min(b.shape[1], s.shape[1])
        return np.maximum(b[:, :m] - s[:, :m], 0.0).sum(axis=1)

    def run_parsed(self, inp: DoubleInput) -> Outcome:
        buyers, sellers = sorted(inp.buyers), sorted(inp.sellers)
        bids = np.array([[inp.buyers[b] for b in buyers]]).reshape(1, len(buyers))
        asks = np.array([[inp.sellers[s] for s in sellers]]).reshape(1, len(sellers))
        bt, st, bp, sp = self._clear(bids, asks)
        allocation = {**{b: int(bt[0, i]) for i, b in enumerate(buyers)},
                      **{s: -int(st[0, j]) for j, s in enumerate(sellers)}}
        payments = {**{b: float(bt[0, i] * bp[0]) for i, b in enumerate(buyers)},
                    **{s: 0.0 - float(st[0, j] * sp[0]) for j, s in enumerate(sellers)}}
        trades = int(bt.sum())
        welfare = float(sum(inp.buyers[b] for b in buyers if allocation[b])
                        - sum(inp.sellers[s] for s in sellers if allocation[s]))
        return Outcome(self.name, self.param_dict(), allocation, payments,
                       result={"trades": trades, "efficient_trades": int(self._efficient(
                           bids, asks)[0]),
                               "price": float(bp[0]) if trades else None,
                               "seller_price": float(sp[0]) if trades else None},
                       metrics={"welfare": welfare,
                                "surplus": float(sum(payments.values()))})

    @staticmethod
    def _sorted(bids: np.ndarray, asks: np.ndarray):
        # stable sorts: ties go to the lower column (name order)
        border = np.argsort(-bids, axis=1, kind="stable")
        sorder = np.argsort(asks, axis=1, kind="stable")
        return border, np.take_along_axis(bids, border, 1), sorder, np.take_along_axis(
            asks, sorder, 1)

    def _efficient(self, bids: np.ndarray, asks: np.ndarray) -> np.ndarray:
        _, b, _, s = self._sorted(bids, asks)
        m = min(b.shape[1], s.shape[1])
        return (b[:, :m] >= s[:, :m]).sum(axis=1)

    @staticmethod
    def _mark(order: np.ndarray, count: np.ndarray) -> np.ndarray:
        ranks = np.empty_like(order)
        rows = np.arange(order.shape[0])[:, None]
        ranks[rows, order] = np.arange(order.shape[1])[None, :]
        return (ranks < count[:, None]).astype(int)



@register
class McAfee(DoubleAuction):
    """McAfee's trade-reduction double auction (DSIC, weakly budget balanced).

    Example:
        >>> import hurwicz as hz
        >>> out = hz.mechanism("auction.mcafee").run({"buyers": {"b1": 10, "b2": 9},
        ...                                            "sellers": {"s1": 1, "s2": 8}})
        >>> out.result["trades"], out.payments
        (1, {'b1': 9.0, 'b2': 0.0, 's1': -8.0, 's2': 0.0})
    """

    name = "auction.mcafee"
    summary = "Trade reduction: DSIC, never a deficit, at most one trade lost."
    claims = ("dsic", "ir", "budget_balance")

    def _clear(self, bids, asks):
        border, b, sorder, s = self._sorted(bids, asks)
        rows = b.shape[0]
        m = min(b.shape[1], s.shape[1])
        k = (b[:, :m] >= s[:, :m]).sum(axis=1) if m else np.zeros(rows, int)
        r = np.arange(rows)
        bk = np.where(k > 0, b[r, np.maximum(k - 1, 0)] if m else 0.0, 0.0)
        sk = np.where(k > 0, s[r, np.maximum(k - 1, 0)] if m else 0.0, 0.0)
        next_b = np.where(k < b.shape[1], b[r, np.minimum(k, b.shape[1] - 1)]
                          if b.shape[1] else 0.0, np.nan)
        next_s = np.where(k < s.shape[1], s[r, np.minimum(k, s.shape[1] - 1)]
                          if s.shape[1] else 0.0, np.nan)
        p0 = (next_b + next_s) / 2
        full = (k > 0) & np.isfinite(p0) & (sk <= p0) & (p0 <= bk)
        trades = np.where(full, k, np.maximum(k - 1, 0))
        buyer_price = np.where(full, p0, bk)
        seller_price = np.where(full, p0, sk)
        return (self._mark(border, trades), self._mark(sorder, trades), buyer_price,
                seller_price)


@register
class KDouble(DoubleAuction):
    """k-double auction: the efficient trades at price κ·b_k + (1−κ)·s_k.

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("auction.k_double", k=0.5).run({"buyers": {"b": 10},
        ...                                             "sellers": {"s": 4}}).result["price"]
        7.0
    """

    name = "auction.k_double"
    summary = "Efficient trades at k·b_k + (1−k)·s_k (budget balanced, not DSIC)."
    claims = ("ir", "efficient")
    Params = KDoubleParams

    def _clear(self, bids, asks):
        border, b, sorder, s = self._sorted(bids, asks)
        rows = b.shape[0]
        m = min(b.shape[1], s.shape[1])
        k = (b[:, :m] >= s[:, :m]).sum(axis=1) if m else np.zeros(rows, int)
        r = np.arange(rows)
        bk = b[r, np.maximum(k - 1, 0)] if m else np.zeros(rows)
        sk = s[r, np.maximum(k - 1, 0)] if m else np.zeros(rows)
        price = np.where(k > 0, self.params.k * bk + (1 - self.params.k) * sk, 0.0)
        return self._mark(border, k), self._mark(sorder, k), price, price

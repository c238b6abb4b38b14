"""Position (sponsored-search) auctions: slots with click-through rates, per-click bids.

Input: ``{"slots": [1.0, 0.5], "bids": {"a": 10, "b": 8, "c": 5}, "quality": {"a": 1.0}}``.
CTRs must be non-increasing; quality scores default to 1. Advertiser i in slot j receives
``CTR_j · q_i`` clicks (the separable model); bidders are ranked by score ``bid × quality``
(ties: lower name first). ``allocation[bidder]`` is its 0-based slot or ``None``; payments are
money: price per click × clicks.

- ``auction.gsp``: the bidder in slot j pays per click the least bid that keeps its slot,
  score_{j+1} / q_j (0 when nobody is ranked below) — Edelman, Ostrovsky & Schwarz (2007), AER
  97(1); Varian (2007).
- ``auction.position_vcg``: slot j's occupant pays its externality,
  Σ_{t ≥ j} (CTR_t − CTR_{t+1}) · score_{t+1} (with CTR = 0 beyond the last slot).
- :func:`eos_equilibrium_bids`: the lowest locally envy-free equilibrium of GSP (EOS 2007,
  Theorem 1), at which GSP's revenue equals VCG's — or an :class:`InputError` when equal CTRs
  force a tie that GSP's name tie-break resolves against every envy-free equilibrium.

Example:
    >>> import hurwicz as hz
    >>> data = {"slots": [1.0, 0.5], "bids": {"a": 10, "b": 8, "c": 5}}
    >>> hz.mechanism("auction.gsp").run(data).payments
    {'a': 8.0, 'b': 2.5, 'c': 0.0}
    >>> hz.mechanism("auction.position_vcg").run(data).payments  # (1−0.5)·8 + 0.5·5
    {'a': 6.5, 'b': 2.5, 'c': 0.0}
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from hurwicz.core.capabilities import BatchLayout, BatchPath, ScalarReports
from hurwicz.core.errors import InputError
from hurwicz.core.mechanism import Mechanism
from hurwicz.core.outcome import BatchOutcome, Outcome
from hurwicz.core.registry import register
from hurwicz.core.types import Money, Name
from hurwicz.core.validation import validate_model

from .audit import PositionAudit
from .single_item import check_bid_array

CTR = Annotated[float, Field(ge=0, le=1e6, allow_inf_nan=False)]


class PositionInput(BaseModel):
    """Slots' CTRs, per-click bids and optional quality scores."""

    model_config = ConfigDict(strict=True, extra="forbid")
    slots: list[CTR]
    bids: dict[Name, Money]
    quality: dict[Name, Annotated[float, Field(gt=0, le=1e6, allow_inf_nan=False)]] = Field(
        default_factory=dict)


@dataclass(frozen=True)
class PositionLayout(BatchLayout):
    """Batch layout of position auctions: bidders, slots' CTRs and quality scores (1 if
    omitted), in column order.

    Example:
        >>> PositionLayout.for_agents(2, slots=(1.0,)).slots
        (1.0,)
    """

    slots: tuple[float, ...] = ()
    quality: tuple[float, ...] | None = None



def check_ctrs(ctrs: Sequence[float], field: str = "slots") -> None:
    """CTRs must be non-increasing.

    Example:
        >>> try:
        ...     check_ctrs([0.5, 1.0])
        ... except InputError as err:
        ...     print(err)
        slots: CTRs must be non-increasing, got [0.5, 1.0]
    """
    if any(b > a for a, b in itertools.pairwise(ctrs)):
        raise InputError(field, f"CTRs must be non-increasing, got {list(ctrs)}")


class PositionAuction(Mechanism, BatchPath, ScalarReports):
    """Shared ranking and batch path."""

    family: ClassVar[str] = "auction"
    Input = PositionInput
    Audit = PositionAudit

    def parse_input(self, data: Any) -> PositionInput:
        inp = validate_model(PositionInput, data)
        check_ctrs(inp.slots)
        unknown = set(inp.quality) - set(inp.bids)
        if unknown:
            raise InputError(f"quality.{sorted(unknown)[0]}", "has no bid")
        return inp

    def _price_per_click_scores(self, scores_sorted: np.ndarray, ctr: np.ndarray
                                ) -> np.ndarray:
        """Total payment (in score units: divide by quality later? no — money) per rank."""
        raise NotImplementedError

    def _solve(self, bids: np.ndarray, quality: np.ndarray, ctr: np.ndarray):
        b, n = bids.shape
        scores = bids * quality
        order = np.argsort(-scores, axis=1, kind="stable")
        ranked = np.take_along_axis(scores, order, axis=1)
        s = len(ctr)
        slots = min(s, n)
        ctr_ext = np.zeros(n + 1)
        ctr_ext[:slots] = ctr[:slots]
        total = self._payments_by_rank(ranked, ctr_ext)  # money paid by rank [B, n]
        slot_of = np.full((b, n), -1)
        pay = np.zeros((b, n))
        rows = np.arange(b)[:, None]
        ranks = np.arange(n)[None, :]
        slot_of[rows, order] = np.where(ranks < slots, ranks, -1)
        pay[rows, order] = np.where(ranks < slots, total, 0.0)
        clicks = np.where(slot_of >= 0, ctr_ext[np.maximum(slot_of, 0)] * quality, 0.0)
        return slot_of, pay, clicks

    def _payments_by_rank(self, ranked: np.ndarray, ctr: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def run_batch(self, reports: np.ndarray, layout: BatchLayout | None = None) -> BatchOutcome:
        """Batch over per-click bids ``[batch, bidders]`` with a :class:`PositionLayout`
        (the slots' CTRs, and quality scores). ``allocation`` holds expected clicks (CTR × quality
        of the slot won, 0 without a slot), so that value-per-click × allocation − payment is the
        quasilinear utility.

        Example:
            >>> import numpy as np, hurwicz as hz
            >>> m = hz.mechanism("auction.gsp")
            >>> m.run_batch(np.array([[10.0, 8.0, 5.0]]),
            ...             m.layout(3, {"slots": [1.0, 0.5]})).payments.tolist()
            [[8.0, 2.5, 0.0]]
        """
        if not isinstance(layout, PositionLayout):
            raise InputError("layout", "position batches need a layout with the slots' CTRs: "
                             "mech.layout(bidders, {\"slots\": [...]})")
        bids = check_bid_array(reports)
        if len(layout.agents) != bids.shape[1]:
            raise InputError("layout.agents", f"names {len(layout.agents)} bidders but the "
                             f"reports have {bids.shape[1]}")
        quality = (np.ones_like(bids) if layout.quality is None
                   else np.broadcast_to(np.asarray(layout.quality, dtype=float), bids.shape))
        slot_of, pay, clicks = self._solve(bids, quality,
                                           np.asarray(layout.slots, dtype=float))
        return BatchOutcome(clicks, pay, {"slot": slot_of})

    def layout(self, agents: int | Sequence[str],
               context: Mapping[str, Any] | None = None) -> PositionLayout:
        """A batch layout from ``context``: ``slots`` (CTRs, non-increasing; required) and
        optionally ``quality`` (``{bidder: score}``).

        Example:
            >>> import hurwicz as hz
            >>> hz.mechanism("auction.gsp").layout(["x", "y"], {"slots": [1, 0.5]}).slots
            (1.0, 0.5)
        """
        context = dict(context or {})
        base = BatchLayout.for_agents(agents)
        data = {"slots": context.pop("slots", None), "quality": context.pop("quality", {}),
                "bids": dict.fromkeys(base.agents, 0.0)}
        if context:
            raise InputError(f"context.{sorted(context)[0]}", "unknown (position batches take "
                             "slots and quality)")
        if data["slots"] is None:
            raise InputError("context.slots", "position batches need the slots' CTRs")
        try:
            inp = self.parse_input(data)
        except InputError as err:
            raise InputError(f"context.{err.field}", err.message) from None
        return self._layout_of(inp, base.agents)

    @staticmethod
    def _layout_of(inp: PositionInput, names: Sequence[str]) -> PositionLayout:
        quality = (tuple(float(inp.quality.get(n, 1.0)) for n in names) if inp.quality
                   else None)
        return PositionLayout(tuple(names), tuple(float(c) for c in inp.slots), quality)

    def batch_reports(self, data: Any) -> tuple[np.ndarray, PositionLayout]:
        """One input as a batch row and its layout (slots and quality scores).

        Example:
            >>> import hurwicz as hz
            >>> r, lay = hz.mechanism("auction.gsp").batch_reports(
            ...     {"slots": [1.0], "bids": {"b": 1.0, "a": 2.0}})
            >>> r.tolist(), lay.agents, lay.slots
            ([[2.0, 1.0]], ('a', 'b'), (1.0,))
        """
        inp = self.parse_input(data)
        names = sorted(inp.bids)
        row = np.array([[inp.bids[n] for n in names]], dtype=float).reshape(1, len(names))
        return row, self._layout_of(inp, names)

    def input_from_reports(self, reports: Mapping[str, Any],
                           layout: BatchLayout | None = None) -> dict[str, Any]:
        """An input with the layout's slots (and quality scores) and these bids.

        Example:
            >>> import hurwicz as hz
            >>> m = hz.mechanism("auction.gsp")
            >>> m.input_from_reports({"a1": 2.0}, m.layout(1, {"slots": [1.0]}))
            {'slots': [1.0], 'bids': {'a1': 2.0}}
        """
        if not isinstance(layout, PositionLayout):
            raise InputError("layout", "position inputs need the slots' CTRs (a layout)")
        data: dict[str, Any] = {"slots": list(layout.slots),
                                "bids": {k: v for k, v in reports.items() if v is not None}}
        if layout.quality is not None:
            data["quality"] = {a: q for a, q in zip(layout.agents, layout.quality)
                               if a in data["bids"]}
        return data

    def optimal_welfare_batch(self, values: np.ndarray,
                              layout: BatchLayout | None = None) -> np.ndarray | None:
        """Assortative welfare: the highest value scores in the best slots.

        Example:
            >>> import numpy as np, hurwicz as hz
            >>> m = hz.mechanism("auction.gsp")
            >>> m.optimal_welfare_batch(np.array([[3.0, 1.0]]),
            ...                         m.layout(2, {"slots": [1.0, 0.5]})).tolist()
            [3.5]
        """
        if not isinstance(layout, PositionLayout):
            return None
        quality = 1.0 if layout.quality is None else np.asarray(layout.quality)[None, :]
        scores = -np.sort(-(np.asarray(values, dtype=float) * quality), axis=1)
        ctr = np.sort(np.asarray(layout.slots, dtype=float))[::-1]
        m = min(len(ctr), scores.shape[1])
        return (scores[:, :m] * ctr[None, :m]).sum(axis=1)

    def run_parsed(self, inp: PositionInput) -> Outcome:
        names = sorted(inp.bids)
        bids = np.array([[inp.bids[n] for n in names]]).reshape(1, len(names))
        quality = np.array([[inp.quality.get(n, 1.0) for n in names]]).reshape(1, len(names))
        slot_of, pay, clicks = self._solve(bids, quality, np.asarray(inp.slots, dtype=float))
        allocation = {n: (int(slot_of[0, i]) if slot_of[0, i] >= 0 else None)
                      for i, n in enumerate(names)}
        payments = {n: float(pay[0, i]) for i, n in enumerate(names)}
        ppc = {n: (payments[n] / clicks[0, i] if clicks[0, i] > 0 else 0.0)
               for i, n in enumerate(names)}
        ranking = sorted((n for n in names if allocation[n] is not None),
                         key=lambda n: allocation[n])
        welfare = float(sum(inp.bids[n] * clicks[0, i] for i, n in enumerate(names)))
        return Outcome(self.name, self.param_dict(), allocation, payments,
                       result={"ranking": ranking, "price_per_click": ppc,
                               "clicks": {n: float(clicks[0, i]) for i, n in enumerate(names)}},
                       metrics={"welfare": welfare, "revenue": float(sum(payments.values()))})


@register
class GSP(PositionAuction):
    """Generalized second price: pay per click the next score divided by one's quality.

    Example:
        >>> import hurwicz as hz
        >>> out = hz.mechanism("auction.gsp").run({"slots": [1.0], "bids": {"a": 4, "b": 3},
        ...                                        "quality": {"a": 0.5}})
        >>> out.allocation, out.payments  # b's score 3 beats a's 2; b pays a's score / 1
        ({'a': None, 'b': 0}, {'a': 0.0, 'b': 2.0})
    """

    name = "auction.gsp"
    summary = "Rank by bid × quality; pay the least bid that keeps the slot."
    claims = ("ir",)

    def _payments_by_rank(self, ranked: np.ndarray, ctr: np.ndarray) -> np.ndarray:
        n = ranked.shape[1]
        below = np.concatenate([ranked[:, 1:], np.zeros((ranked.shape[0], 1))], axis=1)
        # money = ppc × clicks = (score_{j+1}/q_j) × CTR_j q_j = score_{j+1} × CTR_j
        return below * ctr[None, :n]


@register
class PositionVCG(PositionAuction):
    """VCG for position auctions: slot j pays Σ_{t≥j} (CTR_t − CTR_{t+1}) × score_{t+1}.

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("auction.position_vcg").run({"slots": [1.0, 0.4],
        ...     "bids": {"a": 10, "b": 8, "c": 5}}).payments
        {'a': 6.8, 'b': 2.0, 'c': 0.0}
    """

    name = "auction.position_vcg"
    summary = "VCG payments for slots: the externality on lower-ranked advertisers."
    claims = ("dsic", "ir", "efficient")

    def _payments_by_rank(self, ranked: np.ndarray, ctr: np.ndarray) -> np.ndarray:
        n = ranked.shape[1]
        below = np.concatenate([ranked[:, 1:], np.zeros((ranked.shape[0], 1))], axis=1)
        drops = ctr[:n] - ctr[1:n + 1]  # CTR_t − CTR_{t+1}
        terms = below * drops[None, :]
        # suffix sums: Σ_{t ≥ j}
        return np.cumsum(terms[:, ::-1], axis=1)[:, ::-1]


def eos_equilibrium_bids(values: Mapping[str, float], slots: Sequence[float],
                         quality: Mapping[str, float] | None = None) -> dict[str, float]:
    """Per-click bids of the lowest locally envy-free equilibrium of GSP (Edelman, Ostrovsky &
    Schwarz 2007, Theorem 1): in score terms, the first bidder without a slot bids its value,
    and going up, the bidder ranked k (k ≥ 2, slot k−1 0-based) bids
    s_k = v_k − (CTR_k / CTR_{k−1}) (v_k − s_{k+1}) (scores = value × quality); the top bidder
    bids its value. At these bids GSP — with its own tie-break, the lower name first — ranks
    the bidders by value score and charges exactly the VCG payments; they are a Nash
    equilibrium of ``auction.gsp``.

    Equal click-through rates. When slots j−1 and j (0-based, j ≥ 1) have the same positive
    CTR, the bidders ranked j and j+1 must bid the same score in *every* envy-free equilibrium
    (s_j = s_{j+1}: were s_j higher, the bidder in slot j−1 would drop to slot j, same clicks,
    for the lower price s_{j+1}). GSP breaks that tie by name. Where that only permutes bidders
    among slots with the same CTR and price, nothing changes and the bids are returned. Where
    it moves a bidder to a position with fewer clicks — the lower-value bidder's name sorts
    first and takes its place — that bidder gains (CTR_j − CTR_below)·(its value − the other's)
    by outbidding the tie, so no envy-free equilibrium survives this name order (in small cases
    GSP then has no pure equilibrium at all; raising the tied bid by ε > 0 gives only an
    ε-equilibrium). The function raises :class:`InputError` (field ``values``, naming the
    bidders and slots) rather than return bids that are not an equilibrium.

    Example:
        >>> eos_equilibrium_bids({"a": 10, "b": 8, "c": 5}, [1.0, 0.5])
        {'a': 10.0, 'b': 6.5, 'c': 5.0}
        >>> eos_equilibrium_bids({"a": 10, "b": 8, "c": 5}, [1.0, 1.0])  # b and c tie at 5
        {'a': 10.0, 'b': 5.0, 'c': 5.0}
        >>> try:
        ...     eos_equilibrium_bids({"x": 10, "c": 8, "b": 5}, [1.0, 1.0])
        ... except InputError as err:
        ...     print(err.field)
        values
    """
    check_ctrs(list(slots))
    quality = dict(quality or {})
    names = sorted(values, key=lambda n: (-values[n] * quality.get(n, 1.0), n))
    q = np.array([quality.get(n, 1.0) for n in names])
    v = np.array([values[n] for n in names], dtype=float) * q  # value scores
    n = len(names)
    ctr = np.zeros(n + 1)
    m = min(len(slots), n)
    ctr[:m] = list(slots)[:m]
    s = np.zeros(n + 1)  # s[k] = score bid of rank k (0-based); s[n] = 0
    for k in range(n - 1, 0, -1):
        if k >= m or ctr[k - 1] == 0:  # no slot (or no clicks above): bid the value
            s[k] = v[k]
        elif ctr[k] == ctr[k - 1]:  # equal CTRs: the same score as the next bidder, exactly
            s[k] = s[k + 1]
        else:  # (max: rounding must not lift the bidder below above this one)
            s[k] = max(v[k] - (ctr[k] / ctr[k - 1]) * (v[k] - s[k + 1]), s[k + 1])
    if n:
        s[0] = v[0]
    # GSP orders equal scores by name; that is harmless only if nobody's clicks or payment
    # change (a tie among slots with the same CTR and price)
    actual = sorted(range(n), key=lambda i: (-s[i], names[i]))
    for t, i in enumerate(actual):
        if t != i and (ctr[t] != ctr[i] or ctr[t] * s[t + 1] != ctr[i] * s[i + 1]):
            _no_envy_free_equilibrium(names, s, ctr, i, actual[i])
    bids = s[:n] / q
    # per-click bid × quality may round above the score before it: nudge down by an ulp so
    # that GSP ranks exactly as above
    for prev, i in itertools.pairwise(actual):
        while bids[i] > 0 and (bids[i] * q[i] > bids[prev] * q[prev]
                               or (bids[i] * q[i] == bids[prev] * q[prev]
                                   and names[i] < names[prev])):
            bids[i] = np.nextafter(bids[i], 0.0)
    return {name: float(bids[i]) for i, name in enumerate(names)}


def _no_envy_free_equilibrium(names: list[str], s: np.ndarray, ctr: np.ndarray, moved: int,
                              usurper: int) -> None:
    """Raise the error of :func:`eos_equilibrium_bids` for a tie GSP breaks the wrong way:
    rank ``moved``'s position went to rank ``usurper`` (lower value, lower name)."""
    group = [k for k in range(len(names)) if s[k] == s[moved]]
    first, last = group[0], group[-1]
    where = (f"slots {first - 1} and {last - 1}" if last - first == 1
             else f"slots {first - 1} to {last - 1}")
    hi, lo = names[min(moved, usurper)], names[max(moved, usurper)]
    raise InputError(
        "values", f"{where} have the same CTR ({ctr[last - 1]:g}), so in every envy-free "
        f"equilibrium {hi!r} and {lo!r} bid the same score, and GSP's name tie-break ranks "
        f"{lo!r} (lower value) above {hi!r}: no envy-free equilibrium survives this name order")

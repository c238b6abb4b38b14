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
  Theorem 1), at which GSP's revenue equals VCG's.

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
from typing import Annotated, Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from hurwicz.core.errors import InputError
from hurwicz.core.mechanism import Mechanism
from hurwicz.core.outcome import BatchOutcome, Outcome
from hurwicz.core.registry import register
from hurwicz.core.validation import validate_model
from hurwicz.mechanisms import instances

Name = Annotated[str, StringConstraints(min_length=1, max_length=256)]
Value = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class PositionInput(BaseModel):
    """Slots' CTRs, per-click bids and optional quality scores."""

    model_config = ConfigDict(strict=True, extra="forbid")
    slots: list[Value]
    bids: dict[Name, Value]
    quality: dict[Name, Annotated[float, Field(gt=0, allow_inf_nan=False)]] = Field(
        default_factory=dict)


class PositionParams(BaseModel):
    """CTRs for the batch path."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)
    slots: list[Value] | None = Field(None, description="CTRs used by run_batch (run() takes "
                                      "them from the input)")


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


class PositionAuction(Mechanism):
    """Shared ranking, batch path and hooks."""

    family: ClassVar[str] = "auction"
    report_kind: ClassVar[str] = "scalar"
    Input = PositionInput
    random_instance = instances.hook(instances.position)
    Params: ClassVar[type[BaseModel]] = PositionParams

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

    def run_batch(self, reports: np.ndarray) -> BatchOutcome:
        """Batch over per-click bids ``[batch, bidders]`` (quality 1) with ``params.slots``.
        ``allocation`` holds expected clicks (CTR of the slot won, 0 without a slot), so that
        value-per-click × allocation − payment is the quasilinear utility.

        Example:
            >>> import numpy as np, hurwicz as hz
            >>> m = hz.mechanism("auction.gsp", slots=[1.0, 0.5])
            >>> m.run_batch(np.array([[10.0, 8.0, 5.0]])).payments.tolist()
            [[8.0, 2.5, 0.0]]
        """
        if self.params.slots is None:
            raise InputError("params.slots", "run_batch needs the CTRs as a parameter")
        check_ctrs(self.params.slots, "params.slots")
        bids = np.asarray(reports, dtype=float)
        if bids.ndim != 2 or (bids < 0).any() or not np.isfinite(bids).all():
            raise InputError("reports", "must be finite non-negative bids [batch, bidders]")
        slot_of, pay, clicks = self._solve(bids, np.ones_like(bids),
                                           np.asarray(self.params.slots, dtype=float))
        return BatchOutcome(clicks, pay, {"slot": slot_of})

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

    # hooks
    def reports(self, data: Any) -> dict[str, float]:
        return dict(self.parse_input(data).bids)

    def with_reports(self, data: Any, reports: Mapping[str, Any]) -> dict[str, Any]:
        bids = dict(data["bids"])
        for who, r in reports.items():
            if r is None:
                bids.pop(who, None)
            else:
                bids[who] = r
        return {**data, "bids": bids}

    def input_from_reports(self, reports: Mapping[str, Any]) -> dict[str, Any]:
        if self.params.slots is None:
            raise InputError("params.slots", "needed to build an input from bids alone")
        return {"slots": list(self.params.slots),
                "bids": {k: v for k, v in reports.items() if v is not None}}

    def utility(self, agent: str, true_type: Any, outcome: Outcome) -> float:
        """Value per click × clicks received − payment."""
        return float(true_type) * outcome.result["clicks"].get(agent, 0.0) - outcome.payment(
            agent)


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
    bids its value. At these bids GSP charges exactly the VCG payments.

    Example:
        >>> eos_equilibrium_bids({"a": 10, "b": 8, "c": 5}, [1.0, 0.5])
        {'a': 10.0, 'b': 6.5, 'c': 5.0}
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
        if k >= m:  # no slot: bid the value
            s[k] = v[k]
        else:
            s[k] = v[k] - (ctr[k] / ctr[k - 1]) * (v[k] - s[k + 1]) if ctr[k - 1] > 0 else v[k]
    if n:
        s[0] = v[0]
    return {name: float(s[i] / q[i]) for i, name in enumerate(names)}

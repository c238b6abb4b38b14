"""Myerson's optimal auction for independent private values (Myerson 1981, "Optimal Auction
Design", Math. of Operations Research 6(1)).

Each bidder's bid is mapped to its *ironed* virtual value φ̄_i; the item goes to the highest
φ̄_i if it is non-negative (ties: lower name), and the winner pays its threshold bid — the least
bid with which it would still win. For a regular prior φ(v) = v − (1 − F(v))/f(v) is used as is;
otherwise φ is ironed: φ̄ is the slope of the concave hull of the revenue curve R(q) = q·F⁻¹(1 − q)
in quantile space (Myerson 1981, §6; Hartline, *Mechanism Design and Approximation*, ch. 3),
computed on a fine quantile grid. Bidder i's reserve is the least bid with φ̄_i ≥ 0.

Example:
    >>> import hurwicz as hz
    >>> m = hz.mechanism("auction.myerson", prior="uniform:0,1")
    >>> out = m.run({"bids": {"a": 0.8, "b": 0.6}})
    >>> out.allocation, round(out.payments["a"], 6), out.result["reserves"]["a"]
    ({'a': 1, 'b': 0}, 0.6, 0.5)
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from hurwicz.core.capabilities import BatchLayout
from hurwicz.core.errors import InputError, PriorError
from hurwicz.core.outcome import BatchOutcome, Outcome
from hurwicz.core.priors import Prior, parse_prior
from hurwicz.core.registry import register

from .single_item import SingleItemAuction, SingleItemInput
from .tie_break import TIE_BREAK_DOC, TieBreak

GRID = 20_001


class VirtualValue:
    """φ̄ for one prior: exact φ when it is non-decreasing (regular), ironed otherwise.

    Example:
        >>> vv = VirtualValue(parse_prior("uniform:0,1"))
        >>> vv.regular, float(vv(np.array([0.75]))[0]), round(vv.reserve, 9)
        (True, 0.5, 0.5)
    """

    def __init__(self, prior: Prior) -> None:
        if prior.discrete:
            raise PriorError(prior.spec, "is discrete: this Myerson implementation needs "
                             "continuous priors (with a density)")
        self.prior = prior
        lo, hi = prior.support()
        top = hi if np.isfinite(hi) else float(prior.quantile(1 - 1e-7))
        self.lo, self.top = float(lo), float(top)
        self.values = np.linspace(self.lo, self.top, GRID)
        with np.errstate(divide="ignore", invalid="ignore"):
            phi = prior.virtual_value(self.values)
        phi = np.where(np.isfinite(phi), phi, self.values)
        self.regular = bool(np.all(np.diff(phi) >= -1e-9))
        if not self.regular:
            self.ironed = self._iron()
        self.reserve = float(self.threshold(np.array([0.0]), np.array([True]))[0])

    def _iron(self) -> np.ndarray:
        """φ̄ on the value grid: slopes of the concave hull of R(q) = q·v(q), q = 1 − F(v)."""
        q = 1.0 - self.prior.cdf(self.values)
        revenue = q * self.values
        # points by increasing q (decreasing value)
        xs, ys = q[::-1], revenue[::-1]
        hull: list[int] = []
        for i in range(len(xs)):
            while len(hull) >= 2:
                a, b = hull[-2], hull[-1]
                cross = (xs[b] - xs[a]) * (ys[i] - ys[a]) - (ys[b] - ys[a]) * (xs[i] - xs[a])
                if cross >= 0:  # b lies on or below the chord a–i: not on the upper hull
                    hull.pop()
                else:
                    break
            hull.append(i)
        h = np.array(hull)
        slopes = np.diff(ys[h]) / np.maximum(np.diff(xs[h]), 1e-300)
        seg = np.clip(np.searchsorted(xs[h], xs, side="right") - 1, 0, len(slopes) - 1)
        return slopes[seg][::-1]  # back to increasing value order

    def __call__(self, v: np.ndarray) -> np.ndarray:
        v = np.asarray(v, dtype=float)
        if self.regular:
            with np.errstate(divide="ignore", invalid="ignore"):
                phi = self.prior.virtual_value(np.clip(v, self.lo, None))
            return np.where(np.isfinite(phi), phi, v)
        return np.interp(v, self.values, self.ironed)

    def threshold(self, target: np.ndarray, ties_win: np.ndarray,
                  upper: np.ndarray | None = None) -> np.ndarray:
        """Least bid b with φ̄(b) ≥ target (> target where ties lose), by vectorised bisection
        on [lower support, upper].

        Example:
            >>> vv = VirtualValue(parse_prior("uniform:0,1"))
            >>> vv.threshold(np.array([0.2]), np.array([True])).round(9).tolist()
            [0.6]
        """
        target = np.asarray(target, dtype=float)
        lo = np.full(target.shape, self.lo)
        hi = np.full(target.shape, max(self.top, self.lo) * 4 + 1.0) if upper is None \
            else np.asarray(upper, dtype=float).copy()
        for _ in range(60):
            mid = (lo + hi) / 2
            phi = self(mid)
            ok = np.where(ties_win, phi >= target, phi > target)
            hi = np.where(ok, mid, hi)
            lo = np.where(ok, lo, mid)
        return hi


class MyersonParams(BaseModel):
    """Priors and tie-break."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)
    prior: str | list[str] = Field(description="one prior for all bidders, or one per bidder "
                                   "in name order (e.g. ['uniform:0,1', 'uniform:0,2'])",
                                   json_schema_extra={"examples": ["uniform:0,1"]})
    tie_break: TieBreak = Field("lowest_name", description=TIE_BREAK_DOC)


@register
class Myerson(SingleItemAuction):
    """Myerson's revenue-optimal auction (ironed virtual values, threshold payments).

    Example:
        >>> import hurwicz as hz
        >>> m = hz.mechanism("auction.myerson", prior=["uniform:0,1", "uniform:0,2"])
        >>> m.run({"bids": {"a": 0.9, "b": 1.2}}).result["virtual_values"]
        {'a': 0.8, 'b': 0.4}
    """

    name = "auction.myerson"
    summary = "Revenue-optimal: highest non-negative ironed virtual value wins."
    claims = ("dsic", "ir", "budget_balance")
    Params = MyersonParams

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        specs = self.params.prior
        try:
            if isinstance(specs, str):
                self._shared = VirtualValue(parse_prior(specs))
                self._per_agent = None
            else:
                self._shared = None
                self._per_agent = [VirtualValue(parse_prior(s)) for s in specs]
        except PriorError as err:
            from hurwicz.core.errors import ParameterError

            raise ParameterError("prior", err.message) from None

    @property
    def _reserve(self) -> float:  # no common reserve: each bidder has its own
        return 0.0

    def virtual_values(self, n: int) -> list[VirtualValue]:
        """One φ̄ per bidder column.

        Example:
            >>> import hurwicz as hz
            >>> len(hz.mechanism("auction.myerson", prior="exponential:1").virtual_values(3))
            3
        """
        if self._per_agent is None:
            return [self._shared] * n  # type: ignore[list-item]
        if len(self._per_agent) != n:
            raise InputError("bids", f"params.prior lists {len(self._per_agent)} priors but "
                             f"there are {n} bidders")
        return self._per_agent

    def _kernel(self, bids: np.ndarray, prio: np.ndarray | None) -> dict[str, np.ndarray]:
        from .tie_break import pick_tied

        b, n = bids.shape
        vvs = self.virtual_values(n)
        phi = np.stack([vv(bids[:, i]) for i, vv in enumerate(vvs)], axis=1) if n else \
            np.zeros((b, 0))
        eligible = phi >= 0
        masked = np.where(eligible, phi, -np.inf)
        top = masked.max(axis=1) if n else np.full(b, -np.inf)
        tied = (masked == top[:, None]) & np.isfinite(masked)
        winner = np.where(np.isfinite(top), pick_tied(tied, prio), -1)
        price = np.full(b, np.nan)
        for i, vv in enumerate(vvs):
            sel = winner == i
            if not sel.any():
                continue
            others = masked[sel].copy()
            others[:, i] = -np.inf
            rival = np.maximum(others.max(axis=1), 0.0)
            best = others.argmax(axis=1)
            # the winner keeps a tie against the best rival iff it has the higher priority
            wins_tie = (best > i) if prio is None else (prio[i] < prio[best])
            ties_win = wins_tie | ~np.isfinite(others.max(axis=1))
            thr = vv.threshold(rival, ties_win, upper=bids[sel, i])
            price[sel] = np.minimum(thr, bids[sel, i])
        alloc = (winner[:, None] == np.arange(n)[None, :]).astype(float)
        pay = alloc * np.nan_to_num(price, nan=0.0)[:, None]
        return {"allocation": alloc, "payments": pay, "price": price, "winner": winner,
                "virtual": phi}

    def run_parsed(self, inp: SingleItemInput) -> Outcome:
        out = super().run_parsed(inp)
        names = sorted(inp.bids)
        vvs = self.virtual_values(len(names))
        out.result["virtual_values"] = {n: round(float(vv(np.array([inp.bids[n]]))[0]), 12)
                                        for n, vv in zip(names, vvs)}
        out.result["reserves"] = {n: round(vv.reserve, 9) for n, vv in zip(names, vvs)}
        return out

    def run_batch(self, reports: np.ndarray, layout: BatchLayout | None = None) -> BatchOutcome:
        """Vectorised Myerson over ``[batch, bidders]`` (virtual values and thresholds are
        computed for all profiles at once).

        Example:
            >>> import numpy as np, hurwicz as hz
            >>> m = hz.mechanism("auction.myerson", prior="uniform:0,1")
            >>> m.run_batch(np.array([[0.3, 0.4], [0.9, 0.2]])).payments.round(6).tolist()
            [[0.0, 0.0], [0.5, 0.0]]
        """
        return super().run_batch(reports, layout)

    def expected_revenue(self, agents: int, samples: int = 200_000, seed: int = 0
                         ) -> tuple[float, float]:
        """E[max_i φ̄_i(v_i)⁺] (Myerson 1981, Lemma 3) by Monte Carlo, with its standard error.

        Example:
            >>> import hurwicz as hz
            >>> m = hz.mechanism("auction.myerson", prior="uniform:0,1")
            >>> mean, se = m.expected_revenue(1, samples=100_000)
            >>> abs(mean - 0.25) < 4 * se
            True
        """
        vvs = self.virtual_values(agents)
        rng = np.random.default_rng(seed)
        values = np.stack([vv.prior.sample(rng, samples) for vv in vvs], axis=1)
        phi = np.stack([vv(values[:, i]) for i, vv in enumerate(vvs)], axis=1)
        best = np.maximum(phi.max(axis=1), 0.0)
        return float(best.mean()), float(best.std(ddof=1) / np.sqrt(samples))

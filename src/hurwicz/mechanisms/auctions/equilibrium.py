"""Closed-form symmetric Bayes–Nash equilibrium bids for single-item auctions.

With n bidders whose values are i.i.d. with CDF F (Krishna, *Auction Theory*, 2nd ed., §2.3
and §2.5, with G = F^{n−1} the distribution of the highest rival value):

- first price: β(v) = v − ∫_0^v G(x) dx / G(v), which is (n−1)/n · v for U[0, 1];
- all-pay: β(v) = v·G(v) − ∫_0^v G(x) dx, which is (n−1)/n · v^n for U[0, 1].

Example:
    >>> import numpy as np
    >>> from hurwicz.core.priors import parse_prior
    >>> first_price_bne(parse_prior("uniform:0,1"), 3)(np.array([0.9])).round(6).tolist()
    [0.6]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy import integrate

from hurwicz.core.errors import PriorError
from hurwicz.core.priors import Prior, Uniform

GRID = 2049


def _symmetric(priors: Sequence[Prior]) -> Prior:
    first = priors[0]
    if any(p != first for p in priors[1:]):
        raise NotImplementedError("closed-form equilibria need i.i.d. (symmetric) priors")
    if first.discrete:
        raise NotImplementedError("no pure-strategy closed form for discrete priors")
    return first


def _integral_of_g(prior: Prior, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lo, hi = prior.support()
    top = hi if np.isfinite(hi) else float(prior.quantile(1 - 1e-10))
    xs = np.linspace(lo, top, GRID)
    g = prior.cdf(xs) ** (n - 1)
    cumulative = integrate.cumulative_trapezoid(g, xs, initial=0.0)
    return xs, g, cumulative


def first_price_bne(prior: Prior, n: int) -> Callable[[np.ndarray], np.ndarray]:
    """Symmetric equilibrium bid function of the first-price auction (no reserve).

    Example:
        >>> from hurwicz.core.priors import parse_prior
        >>> b = first_price_bne(parse_prior("exponential:1"), 2)
        >>> 0 < float(b(np.array([1.0]))[0]) < 1.0
        True
    """
    if n < 2:
        return lambda v: np.zeros_like(np.asarray(v, dtype=float))
    if isinstance(prior, Uniform):
        lo = prior.lo
        return lambda v: lo + (np.asarray(v, dtype=float) - lo) * (n - 1) / n
    xs, g, cum = _integral_of_g(prior, n)

    def bid(v: np.ndarray) -> np.ndarray:
        v = np.asarray(v, dtype=float)
        gv = np.interp(v, xs, g)
        iv = np.interp(v, xs, cum)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(gv > 0, v - iv / gv, v)

    return bid


def all_pay_bne(prior: Prior, n: int) -> Callable[[np.ndarray], np.ndarray]:
    """Symmetric equilibrium bid function of the all-pay auction (no reserve).

    Example:
        >>> from hurwicz.core.priors import parse_prior
        >>> all_pay_bne(parse_prior("uniform:0,1"), 2)(np.array([0.5])).round(6).tolist()
        [0.125]
    """
    if n < 2:
        return lambda v: np.zeros_like(np.asarray(v, dtype=float))
    if isinstance(prior, Uniform) and prior.lo == 0 and prior.hi == 1:
        return lambda v: (n - 1) / n * np.asarray(v, dtype=float) ** n
    xs, g, cum = _integral_of_g(prior, n)

    def bid(v: np.ndarray) -> np.ndarray:
        v = np.asarray(v, dtype=float)
        return v * np.interp(v, xs, g) - np.interp(v, xs, cum)

    return bid


def symmetric_bne(kind: str, priors: Sequence[Prior], reserve: float
                  ) -> Callable[[np.ndarray], np.ndarray]:
    """Equilibrium strategy (values ``[batch, agents]`` → bids) for ``kind`` in
    {first_price, all_pay}; raises NotImplementedError where no closed form applies.

    Example:
        >>> from hurwicz.core.priors import parse_priors
        >>> s = symmetric_bne("first_price", parse_priors("uniform:0,1", 2), 0.0)
        >>> s(np.array([[0.5, 0.2]])).tolist()
        [[0.25, 0.1]]
    """
    if reserve > 0:
        raise NotImplementedError("the closed forms here assume no reserve")
    prior = _symmetric(priors)
    n = len(priors)
    if kind == "first_price":
        one = first_price_bne(prior, n)
    elif kind == "all_pay":
        one = all_pay_bne(prior, n)
    else:  # pragma: no cover - guarded by callers
        raise PriorError(kind, "has no closed-form equilibrium here")
    return lambda values: one(np.asarray(values, dtype=float))

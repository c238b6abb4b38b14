"""Priors over agents' private types, parsed from short strings.

Accepted strings (everywhere a prior is asked for):

- ``uniform:LO,HI``
- ``exponential:MEAN``
- ``beta:A,B`` (on [0, 1])
- ``normal:MU,SIGMA`` (truncated at 0, since values are non-negative)
- ``discrete:V1,V2,...@P1,P2,...`` (probabilities optional: equal if omitted)
- ``mixture:W1*SPEC1|W2*SPEC2|...`` (weights are normalised)

A list of strings (or priors) gives one prior per agent (asymmetric priors).

Example:
    >>> import numpy as np
    >>> p = parse_prior("uniform:0,2")
    >>> float(p.cdf(1.0)), float(p.quantile(0.25)), p.mean()
    (0.5, 0.5, 1.0)
    >>> p.sample(np.random.default_rng(0), (2, 3)).shape
    (2, 3)
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from .errors import PriorError


class Prior(ABC):
    """A distribution of one agent's scalar type (value).

    Example:
        >>> p = parse_prior("exponential:2")
        >>> round(float(p.pdf(0.0)), 3), p.support()
        (0.5, (0.0, inf))
    """

    spec: str = ""
    discrete: bool = False

    @abstractmethod
    def sample(self, rng: np.random.Generator, shape: int | tuple[int, ...]) -> np.ndarray:
        """Draw i.i.d. types of the given shape."""

    @abstractmethod
    def cdf(self, x: Any) -> np.ndarray:
        """Cumulative distribution function (vectorised)."""

    @abstractmethod
    def pdf(self, x: Any) -> np.ndarray:
        """Density (probability mass for discrete priors), vectorised."""

    def quantile(self, q: Any) -> np.ndarray:
        """Inverse CDF (vectorised) where it exists in closed form or numerically."""
        raise PriorError(self.spec, "has no quantile function")

    @abstractmethod
    def support(self) -> tuple[float, float]:
        """Smallest interval holding all the mass."""

    @abstractmethod
    def mean(self) -> float:
        """Expected value."""

    def virtual_value(self, x: Any) -> np.ndarray:
        """Myerson's virtual value φ(x) = x − (1 − F(x)) / f(x) (continuous priors).

        Example:
            >>> float(parse_prior("uniform:0,1").virtual_value(0.5))
            0.0
        """
        if self.discrete:
            raise PriorError(self.spec, "is discrete: use the discrete virtual values")
        x = np.asarray(x, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            return x - (1.0 - self.cdf(x)) / self.pdf(x)

    def __repr__(self) -> str:
        return f"Prior({self.spec!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Prior) and other.spec == self.spec

    def __hash__(self) -> int:
        return hash(self.spec)


class Uniform(Prior):
    """Uniform on [lo, hi].

    Example:
        >>> float(Uniform(0, 4).pdf(1.0))
        0.25
    """

    def __init__(self, lo: float, hi: float) -> None:
        if not (math.isfinite(lo) and math.isfinite(hi)) or lo >= hi:
            raise PriorError(f"uniform:{lo},{hi}", "needs finite LO < HI")
        if lo < 0:
            raise PriorError(f"uniform:{lo},{hi}", "needs LO >= 0 (types are non-negative values)")
        self.lo, self.hi = float(lo), float(hi)
        self.spec = f"uniform:{_fmt(lo)},{_fmt(hi)}"

    def sample(self, rng, shape):
        return rng.uniform(self.lo, self.hi, size=shape)

    def cdf(self, x):
        return np.clip((np.asarray(x, dtype=float) - self.lo) / (self.hi - self.lo), 0.0, 1.0)

    def pdf(self, x):
        x = np.asarray(x, dtype=float)
        return np.where((x >= self.lo) & (x <= self.hi), 1.0 / (self.hi - self.lo), 0.0)

    def quantile(self, q):
        return self.lo + np.asarray(q, dtype=float) * (self.hi - self.lo)

    def support(self):
        return (self.lo, self.hi)

    def mean(self):
        return (self.lo + self.hi) / 2


class Exponential(Prior):
    """Exponential with the given mean.

    Example:
        >>> round(float(Exponential(1.0).cdf(1.0)), 4)
        0.6321
    """

    def __init__(self, mean: float) -> None:
        if not math.isfinite(mean) or mean <= 0:
            raise PriorError(f"exponential:{mean}", "needs MEAN > 0")
        self.scale = float(mean)
        self.spec = f"exponential:{_fmt(mean)}"

    def sample(self, rng, shape):
        return rng.exponential(self.scale, size=shape)

    def cdf(self, x):
        x = np.asarray(x, dtype=float)
        return np.where(x > 0, -np.expm1(-np.maximum(x, 0) / self.scale), 0.0)

    def pdf(self, x):
        x = np.asarray(x, dtype=float)
        return np.where(x >= 0, np.exp(-np.maximum(x, 0) / self.scale) / self.scale, 0.0)

    def quantile(self, q):
        return -self.scale * np.log1p(-np.asarray(q, dtype=float))

    def support(self):
        return (0.0, math.inf)

    def mean(self):
        return self.scale


class Beta(Prior):
    """Beta(a, b) on [0, 1].

    Example:
        >>> float(Beta(1, 1).cdf(0.3))
        0.3
    """

    def __init__(self, a: float, b: float) -> None:
        if not (math.isfinite(a) and math.isfinite(b)) or a <= 0 or b <= 0:
            raise PriorError(f"beta:{a},{b}", "needs A > 0 and B > 0")
        self.a, self.b = float(a), float(b)
        from scipy import stats  # imported on use: scipy.stats costs ~0.5 s at startup

        self._dist = stats.beta(self.a, self.b)
        self.spec = f"beta:{_fmt(a)},{_fmt(b)}"

    def sample(self, rng, shape):
        return rng.beta(self.a, self.b, size=shape)

    def cdf(self, x):
        from scipy import special

        return np.asarray(special.betainc(self.a, self.b, np.clip(np.asarray(x, float), 0, 1)))

    def pdf(self, x):
        return np.asarray(self._dist.pdf(np.asarray(x, dtype=float)))

    def quantile(self, q):
        from scipy import special

        return np.asarray(special.betaincinv(self.a, self.b, np.asarray(q, dtype=float)))

    def support(self):
        return (0.0, 1.0)

    def mean(self):
        return self.a / (self.a + self.b)


class Normal(Prior):
    """Normal(mu, sigma) truncated to [0, ∞).

    Example:
        >>> p = Normal(0.0, 1.0)
        >>> round(float(p.cdf(0.0)), 6), round(p.mean(), 4)
        (0.0, 0.7979)
    """

    def __init__(self, mu: float, sigma: float) -> None:
        if not (math.isfinite(mu) and math.isfinite(sigma)) or sigma <= 0:
            raise PriorError(f"normal:{mu},{sigma}", "needs finite MU and SIGMA > 0")
        self.mu, self.sigma = float(mu), float(sigma)
        a = (0.0 - self.mu) / self.sigma
        from scipy import stats

        self._dist = stats.truncnorm(a, math.inf, loc=self.mu, scale=self.sigma)
        self.spec = f"normal:{_fmt(mu)},{_fmt(sigma)}"

    def sample(self, rng, shape):
        return np.asarray(self._dist.rvs(size=shape, random_state=rng), dtype=float)

    def cdf(self, x):
        return np.asarray(self._dist.cdf(np.asarray(x, dtype=float)))

    def pdf(self, x):
        return np.asarray(self._dist.pdf(np.asarray(x, dtype=float)))

    def quantile(self, q):
        return np.asarray(self._dist.ppf(np.asarray(q, dtype=float)))

    def support(self):
        return (0.0, math.inf)

    def mean(self):
        return float(self._dist.mean())


class Discrete(Prior):
    """Finitely many values with probabilities (exact :class:`~fractions.Fraction` s kept).

    Example:
        >>> p = Discrete([1, 2], [Fraction(1, 4), Fraction(3, 4)])
        >>> float(p.cdf(1.5)), p.mean(), p.exact_probabilities
        (0.25, 1.75, (Fraction(1, 4), Fraction(3, 4)))
    """

    discrete = True

    def __init__(self, values: Sequence[float], probabilities: Sequence[Any] | None = None) -> None:
        spec = f"discrete:{','.join(_fmt(v) for v in values)}"
        if not values:
            raise PriorError(spec, "needs at least one value")
        if any((not math.isfinite(float(v))) or float(v) < 0 for v in values):
            raise PriorError(spec, "needs finite non-negative values")
        if len(set(values)) != len(values):
            raise PriorError(spec, "lists a value twice")
        if probabilities is None:
            probabilities = [Fraction(1, len(values))] * len(values)
        if len(probabilities) != len(values):
            raise PriorError(
                spec, f"has {len(values)} values but {len(probabilities)} probabilities"
            )
        fracs = [Fraction(p).limit_denominator(10**12) if not isinstance(p, Fraction) else p
                 for p in probabilities]
        if any(p < 0 for p in fracs) or sum(fracs) == 0:
            raise PriorError(spec, "needs non-negative probabilities with a positive sum")
        total = sum(fracs)
        if abs(float(total) - 1.0) > 1e-9:
            raise PriorError(spec, f"probabilities sum to {float(total):g}, not 1")
        fracs = [p / total for p in fracs]
        order = np.argsort(np.asarray(values, dtype=float))
        self.values = np.asarray(values, dtype=float)[order]
        self.exact_values = tuple(Fraction(str(values[i])) for i in order)
        self.exact_probabilities = tuple(fracs[i] for i in order)
        self.probabilities = np.asarray([float(p) for p in self.exact_probabilities])
        self._cum = np.cumsum(self.probabilities)
        self.spec = spec + "@" + ",".join(str(p) for p in self.exact_probabilities)

    def sample(self, rng, shape):
        idx = np.searchsorted(self._cum, rng.random(size=shape), side="right")
        return self.values[np.minimum(idx, len(self.values) - 1)]

    def cdf(self, x):
        x = np.asarray(x, dtype=float)
        idx = np.searchsorted(self.values, x, side="right")
        cum = np.concatenate([[0.0], self._cum])
        return np.minimum(cum[idx], 1.0)

    def pdf(self, x):
        x = np.asarray(x, dtype=float)
        idx = np.searchsorted(self.values, x)
        idx_c = np.minimum(idx, len(self.values) - 1)
        hit = (idx < len(self.values)) & (self.values[idx_c] == x)
        return np.where(hit, self.probabilities[idx_c], 0.0)

    def quantile(self, q):
        q = np.asarray(q, dtype=float)
        idx = np.searchsorted(self._cum, q - 1e-15, side="left")
        return self.values[np.minimum(idx, len(self.values) - 1)]

    def support(self):
        return (float(self.values[0]), float(self.values[-1]))

    def mean(self):
        return float(np.dot(self.values, self.probabilities))


class Mixture(Prior):
    """A finite mixture of priors.

    Example:
        >>> p = parse_prior("mixture:1*uniform:0,1|1*uniform:1,2")
        >>> float(p.cdf(1.0)), p.mean()
        (0.5, 1.0)
    """

    def __init__(self, weights: Sequence[float], components: Sequence[Prior]) -> None:
        w = np.asarray(weights, dtype=float)
        spec = "mixture:" + "|".join(f"{_fmt(a)}*{c.spec}" for a, c in zip(weights, components))
        if len(components) == 0 or len(w) != len(components):
            raise PriorError(spec, "needs one weight per component")
        if (w < 0).any() or w.sum() <= 0 or not np.isfinite(w).all():
            raise PriorError(spec, "needs non-negative weights with a positive sum")
        self.weights = w / w.sum()
        self.components = list(components)
        self.discrete = all(c.discrete for c in components)
        self.spec = spec

    def sample(self, rng, shape):
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        which = rng.choice(len(self.components), size=shape, p=self.weights)
        out = np.empty(shape, dtype=float)
        for k, comp in enumerate(self.components):
            mask = which == k
            count = int(mask.sum())
            if count:
                out[mask] = comp.sample(rng, count)
        return out

    def cdf(self, x):
        return sum(w * c.cdf(x) for w, c in zip(self.weights, self.components))

    def pdf(self, x):
        return sum(w * c.pdf(x) for w, c in zip(self.weights, self.components))

    def quantile(self, q):
        q = np.atleast_1d(np.asarray(q, dtype=float))
        lo = min(c.support()[0] for c in self.components)
        hi_candidates = [float(np.max(c.quantile(np.minimum(q, 1 - 1e-12))))
                         for c in self.components]
        hi = max(hi_candidates) + 1.0
        a, b = np.full_like(q, lo), np.full_like(q, hi)
        for _ in range(200):
            mid = (a + b) / 2
            below = self.cdf(mid) < q
            a, b = np.where(below, mid, a), np.where(below, b, mid)
        return b if b.size > 1 else b.reshape(())

    def support(self):
        return (min(c.support()[0] for c in self.components),
                max(c.support()[1] for c in self.components))

    def mean(self):
        return float(sum(w * c.mean() for w, c in zip(self.weights, self.components)))


def _fmt(x: Any) -> str:
    f = float(x)
    return str(int(f)) if f.is_integer() else repr(f)


def _numbers(spec: str, body: str, count: int | None) -> list[float]:
    try:
        nums = [float(part) for part in body.split(",") if part.strip() != ""]
    except ValueError:
        raise PriorError(spec, "has a parameter that is not a number") from None
    if count is not None and len(nums) != count:
        raise PriorError(spec, f"needs exactly {count} parameter{'s' if count > 1 else ''}")
    return nums


def parse_prior(spec: str | Prior) -> Prior:
    """Parse one prior string (or pass a :class:`Prior` through).

    Example:
        >>> parse_prior("discrete:1,3@0.5,0.5").mean()
        2.0
        >>> parse_prior("beta:2,2").support()
        (0.0, 1.0)
    """
    if isinstance(spec, Prior):
        return spec
    if not isinstance(spec, str):
        raise PriorError(spec, "must be a string like 'uniform:0,1'")
    kind, sep, body = spec.strip().partition(":")
    kind = kind.strip().lower()
    if not sep and kind not in {"uniform"}:
        raise PriorError(spec, "must look like 'NAME:PARAMS', e.g. 'uniform:0,1'")
    if kind == "uniform":
        lo, hi = _numbers(spec, body or "0,1", 2)
        return Uniform(lo, hi)
    if kind == "exponential":
        (m,) = _numbers(spec, body, 1)
        return Exponential(m)
    if kind == "beta":
        a, b = _numbers(spec, body, 2)
        return Beta(a, b)
    if kind == "normal":
        mu, sigma = _numbers(spec, body, 2)
        return Normal(mu, sigma)
    if kind == "discrete":
        vals, at, probs = body.partition("@")
        values = _numbers(spec, vals, None)
        if at:
            try:
                probabilities: list[Any] | None = [Fraction(p.strip()) for p in probs.split(",")]
            except (ValueError, ZeroDivisionError):
                raise PriorError(spec, "has a probability that is not a number") from None
        else:
            probabilities = None
        return Discrete(values, probabilities)
    if kind == "mixture":
        weights, comps = [], []
        for part in body.split("|"):
            w, star, sub = part.partition("*")
            if not star:
                raise PriorError(spec, "components must look like 'WEIGHT*SPEC'")
            try:
                weights.append(float(w))
            except ValueError:
                raise PriorError(spec, f"weight {w!r} is not a number") from None
            comps.append(parse_prior(sub))
        return Mixture(weights, comps)
    raise PriorError(
        spec, "is not a known prior (uniform, exponential, beta, normal, discrete, mixture)"
    )


def parse_priors(spec: str | Prior | Sequence[str | Prior], agents: int) -> list[Prior]:
    """One prior per agent: a single spec is shared, a list must have one entry per agent.

    Example:
        >>> [p.spec for p in parse_priors(["uniform:0,1", "uniform:0,2"], 2)]
        ['uniform:0,1', 'uniform:0,2']
        >>> len(parse_priors("uniform:0,1", 3))
        3
    """
    if agents < 1:
        raise PriorError(spec, "needs at least one agent", field="agents")
    if isinstance(spec, str | Prior):
        one = parse_prior(spec)
        return [one] * agents
    priors = [parse_prior(s) for s in spec]
    if len(priors) != agents:
        raise PriorError(list(spec), f"lists {len(priors)} priors for {agents} agents")
    return priors


def sample_profiles(
    priors: Sequence[Prior], rng: np.random.Generator, samples: int
) -> np.ndarray:
    """Draw ``samples`` type profiles, shape ``[samples, agents]``, one column per prior.

    Identical priors are drawn in one vectorised call.

    Example:
        >>> ps = parse_priors("uniform:0,1", 4)
        >>> sample_profiles(ps, np.random.default_rng(1), 10).shape
        (10, 4)
    """
    n = len(priors)
    if all(p is priors[0] or p == priors[0] for p in priors):
        return priors[0].sample(rng, (samples, n))
    return np.stack([p.sample(rng, samples) for p in priors], axis=1)

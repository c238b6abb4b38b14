"""Scoring rules as vectorised functions (numpy arrays in, arrays out).

Orientation: every ``*_score`` is *positively* oriented (higher is better, a reward), as in
Gneiting & Raftery (2007, JASA 102:359–378); the losses ``crps_*``, ``pinball_loss`` and
``interval_score`` are negatively oriented (lower is better), as they are usually reported.
A registered mechanism pays ``payment = −scale·score − offset`` (a reward is a negative
payment).

Categorical forecasts are arrays of shape ``(..., k)`` (the last axis holds the outcomes) and
outcomes integer indices of shape ``(...)``.

* :func:`log_score` — ln p_y (G&R 2007 §3.1, eq. 18's logarithmic score).
* :func:`quadratic_score` — 2p_y − Σ_j p_j² − 1 = −Brier (G&R 2007 eq. 19).
* :func:`spherical_score` — p_y / ‖p‖₂ (G&R 2007 eq. 20).
* :func:`linear_score` — p_y: *improper* (reporting the mode as certain pays more).
* :func:`crps_ensemble` — CRPS of an ensemble (G&R 2007 eq. 21 in kernel form
  E|X − y| − ½E|X − X'|), O(m log m) per forecast through the sorted-members formula.
* :func:`crps_normal` — closed form for N(μ, σ²) (G&R 2007 eq. 5).
* :func:`pinball_loss`, :func:`interval_score` (G&R 2007 eq. 43).

Example:
    >>> import numpy as np
    >>> p = np.array([[0.7, 0.3]])
    >>> round(float(quadratic_score(p, np.array([0]))[0]), 12)  # 2·0.7 − 0.58 − 1
    -0.18
    >>> round(float(crps_ensemble(np.array([0.0]), np.array([[-1.0, 1.0]]))[0]), 12)
    0.5
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np
from scipy.special import ndtr

#: Probabilities of one forecast must sum to 1 within this absolute tolerance.
PROBABILITY_TOLERANCE = 1e-6

_SQRT_PI = math.sqrt(math.pi)
_SQRT_2PI = math.sqrt(2 * math.pi)


def _pick(p: np.ndarray, y: np.ndarray) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    y = np.asarray(y, dtype=np.intp)
    return np.take_along_axis(p, y[..., None], axis=-1)[..., 0]


def log_score(p: Any, y: Any) -> np.ndarray:
    """Logarithmic score ln p_y (−inf where p_y = 0).

    Example:
        >>> round(float(log_score([0.5, 0.5], 0)), 6)
        -0.693147
    """
    with np.errstate(divide="ignore"):
        return np.log(_pick(p, y))


def quadratic_score(p: Any, y: Any) -> np.ndarray:
    """Quadratic score 2p_y − Σ_j p_j² − 1, i.e. minus the Brier score Σ_j (p_j − 1{j=y})².

    Example:
        >>> round(float(quadratic_score([0.5, 0.5], 1)), 12)
        -0.5
    """
    p = np.asarray(p, dtype=float)
    return 2 * _pick(p, y) - np.sum(p * p, axis=-1) - 1.0


def brier_score(p: Any, y: Any) -> np.ndarray:
    """Brier score (a loss) Σ_j (p_j − 1{j=y})² = −:func:`quadratic_score`.

    Example:
        >>> round(float(brier_score([0.7, 0.3], 0)), 12)
        0.18
    """
    return -quadratic_score(p, y)


def spherical_score(p: Any, y: Any) -> np.ndarray:
    """Spherical score p_y / ‖p‖₂.

    Example:
        >>> round(float(spherical_score([0.6, 0.8], 1)), 12)
        0.8
    """
    p = np.asarray(p, dtype=float)
    return _pick(p, y) / np.sqrt(np.sum(p * p, axis=-1))


def linear_score(p: Any, y: Any) -> np.ndarray:
    """Linear score p_y — *not* proper: the expected score Σ_y b_y p_y is maximised by putting
    all the mass on the believed mode (used to show what the ``proper`` audit finds).

    Example:
        >>> float(linear_score([0.7, 0.3], 0))
        0.7
    """
    return _pick(p, y)


CATEGORICAL_RULES = {"log": log_score, "quadratic": quadratic_score,
                     "spherical": spherical_score, "linear": linear_score}


def expected_score(rule: str, belief: Any, report: Any) -> Any:
    """Expected score Σ_y b_y S(report, y) under the belief, exact over the finite outcomes.
    With :class:`fractions.Fraction` inputs the quadratic and linear rules are computed in exact
    rational arithmetic.

    Example:
        >>> from fractions import Fraction as F
        >>> expected_score("quadratic", [F(7, 10), F(3, 10)], [F(7, 10), F(3, 10)])
        Fraction(-21, 50)
        >>> expected_score("linear", [F(7, 10), F(3, 10)], [1, 0])
        Fraction(7, 10)
    """
    b, q = list(belief), list(report)
    if rule in ("quadratic", "linear") and all(isinstance(x, Fraction | int) for x in b + q):
        if rule == "linear":
            return sum((bi * qi for bi, qi in zip(b, q)), Fraction(0))
        sq = sum((Fraction(x) ** 2 for x in q), Fraction(0))
        return sum((bi * (2 * qi - sq - 1) for bi, qi in zip(b, q)), Fraction(0))
    fn = CATEGORICAL_RULES[rule]
    bb, qq = np.asarray(b, dtype=float), np.asarray(q, dtype=float)
    total = 0.0
    for y, by in enumerate(bb):
        if by > 0:
            total += by * float(fn(qq, y))
    return total


# --- real-valued forecasts ---------------------------------------------------------------------
def crps_ensemble(y: Any, ensemble: Any, fair: bool = False) -> np.ndarray:
    """CRPS of ensemble forecasts (members on the last axis) at observations ``y``.

    CRPS(F_m, y) = (1/m) Σ_i |x_i − y| − (1/(2m²)) Σ_i Σ_j |x_i − x_j|, the empirical-CDF
    (kernel) form of G&R 2007 eq. 21. The double sum is (2/m²)·Σ_i (2i − m − 1) x_(i) over the
    sorted members, so a forecast costs O(m log m). ``fair=True`` divides the spread term by
    2m(m − 1) instead (the unbiased "fair" CRPS, Ferro 2014).

    Example:
        >>> import numpy as np
        >>> round(float(crps_ensemble(0.0, [1.0, 2.0, 3.0])), 12)  # 2 − (1/18)·8
        1.555555555556
        >>> crps_ensemble(np.zeros(2), np.ones((2, 4))).tolist()
        [1.0, 1.0]
    """
    x = np.asarray(ensemble, dtype=float)
    if x.ndim == 0 or x.shape[-1] == 0:
        raise ValueError("an ensemble needs at least one member")
    m = x.shape[-1]
    shape = np.broadcast_shapes(np.shape(y), x.shape[:-1])
    members = np.broadcast_to(x, (*shape, m)).reshape(-1, m)
    obs = np.broadcast_to(np.asarray(y, dtype=float), shape).reshape(-1)
    out = np.empty(obs.shape[0])
    # spread weights: ½ Σ_i Σ_j |x_i − x_j| = Σ_i (2i − m − 1) x_(i), divided by m² (or m(m−1))
    denom = m * (m - 1) if fair and m > 1 else m * m
    weights = (2.0 * np.arange(1, m + 1) - m - 1.0) / denom if not (fair and m == 1) else \
        np.zeros(m)
    ones = np.full(m, 1.0 / m)
    # blocks of rows that stay in cache: copy, sort in place, then reuse the buffer for |x − y|
    buf = np.empty((min(_BLOCK, obs.shape[0]), m))
    for start in range(0, obs.shape[0], _BLOCK):
        stop = min(start + _BLOCK, obs.shape[0])
        b = buf[:stop - start]
        b[...] = members[start:stop]
        b.sort(axis=-1)
        spread = b @ weights
        b -= obs[start:stop, None]
        np.abs(b, out=b)
        out[start:stop] = b @ ones - spread
    return out.reshape(shape)


#: Rows per block in :func:`crps_ensemble` (a block of 50-member rows is ~0.8 MB).
_BLOCK = 2048


def crps_normal(y: Any, mu: Any, sigma: Any) -> np.ndarray:
    """CRPS of N(μ, σ²) at ``y`` in closed form (G&R 2007 eq. 5):
    σ [z(2Φ(z) − 1) + 2φ(z) − 1/√π], z = (y − μ)/σ.

    Example:
        >>> round(float(crps_normal(0.0, 0.0, 1.0)), 12)  # (√2 − 1)/√π
        0.233694977255
    """
    mu, sigma, obs = (np.asarray(a, dtype=float) for a in (mu, sigma, y))
    with np.errstate(over="ignore"):  # a tiny σ: z = ±inf, the CRPS is then |y − μ|
        z = (obs - mu) / sigma
        pdf = np.exp(-0.5 * z * z) / _SQRT_2PI
    # σ·z written as y − μ, so that z = ±inf gives |y − μ| instead of inf
    return (obs - mu) * (2.0 * ndtr(z) - 1.0) + sigma * (2.0 * pdf - 1.0 / _SQRT_PI)


def expected_crps_normal(mu: Any, sigma: Any, belief_mu: Any, belief_sigma: Any) -> np.ndarray:
    """E[CRPS(N(μ, σ²), Y)] for Y ~ N(μ_b, σ_b²), exactly: E|X − Y| − σ/√π with
    X − Y ~ N(μ − μ_b, σ² + σ_b²) (the folded-normal mean).

    Example:
        >>> a = float(expected_crps_normal(0.0, 1.0, 0.0, 1.0))
        >>> a < float(expected_crps_normal(0.1, 1.0, 0.0, 1.0))
        True
    """
    mu, sigma, bm, bs = (np.asarray(a, dtype=float) for a in (mu, sigma, belief_mu,
                                                               belief_sigma))
    d, s = mu - bm, np.sqrt(sigma**2 + bs**2)
    folded = s * math.sqrt(2 / math.pi) * np.exp(-0.5 * (d / s) ** 2) + d * (
        1.0 - 2.0 * ndtr(-d / s))
    return folded - sigma / _SQRT_PI


def pinball_loss(y: Any, q: Any, tau: Any) -> np.ndarray:
    """Pinball (quantile) loss ρ_τ(y − q) = max(τ(y − q), (τ − 1)(y − q)).

    Example:
        >>> float(pinball_loss(3.0, 5.0, 0.75)), float(pinball_loss(7.0, 5.0, 0.75))
        (0.5, 1.5)
    """
    u = np.asarray(y, dtype=float) - np.asarray(q, dtype=float)
    t = np.asarray(tau, dtype=float)
    return np.maximum(t * u, (t - 1.0) * u)


def interval_score(y: Any, lower: Any, upper: Any, alpha: Any) -> np.ndarray:
    """Interval score of a central (1 − α) prediction interval [l, u] (G&R 2007 eq. 43):
    (u − l) + (2/α)(l − y)·1{y < l} + (2/α)(y − u)·1{y > u}.

    Example:
        >>> float(interval_score(5.0, 4.0, 6.0, 0.1)), float(interval_score(7.0, 4.0, 6.0, 0.1))
        (2.0, 22.0)
    """
    y, lo, hi, a = (np.asarray(v, dtype=float) for v in (y, lower, upper, alpha))
    return (hi - lo) + (2.0 / a) * np.maximum(lo - y, 0.0) + (2.0 / a) * np.maximum(y - hi, 0.0)


__all__ = ["CATEGORICAL_RULES", "PROBABILITY_TOLERANCE", "brier_score", "crps_ensemble",
           "crps_normal", "expected_crps_normal", "expected_score", "interval_score",
           "linear_score", "log_score", "pinball_loss", "quadratic_score", "spherical_score"]

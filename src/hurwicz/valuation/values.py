"""Shapley, Banzhaf and leave-one-out values, exact and by Monte Carlo, with certificates.

Every function returns a :class:`ValuationResult`: ``values`` (player → value), ``stderr``
(player → standard error of a Monte Carlo estimate; 0 for exact values), ``calls`` (utility
evaluations — coalition utilities are cached, so a coalition met twice costs one call) and
``efficiency_residual`` (Σ values − v(N), zero for the Shapley value up to rounding).

Methods:

* ``shapley(game, "exact")``: φ_i = Σ_{S ⊆ N∖i} |S|!(n−|S|−1)!/n! · (v(S∪i) − v(S))
  (Shapley 1953), over all 2^n coalitions at once: the values are read into one array indexed by
  bitmask, and the marginal contributions of player ``i`` are the two halves of that array
  reshaped along bit ``i`` — no Python loop over coalitions. ``n`` ≤ 25.
* ``shapley(game, "permutation")``: the mean marginal contribution over uniformly random
  orderings (Castro, Gómez & Tejada 2009), with a stopping rule: stop when every player's
  standard error is at most ``tolerance`` (after ``min_permutations``) or after
  ``max_permutations``. A player whose marginal contribution never varied in the sample gets
  a rule-of-three standard error (see :func:`_permutation_stderr`), not 0.
* ``shapley(game, "tmc")``: truncated Monte Carlo (Ghorbani & Zou 2019, "Data Shapley",
  Algorithm 1): along each ordering, once |v(N) − v(prefix)| ≤ ``truncation`` · |v(N)| the
  remaining players' marginal contributions are taken as 0 and not evaluated. Truncation trades
  a small bias (reported in ``efficiency_residual``) for fewer utility calls; the standard error
  covers the sampling error only. With v(N) = 0 the relative rule would truncate every
  ordering before its first player (all values 0, standard error 0), so no truncation is
  done then: TMC equals the permutation method.
* ``banzhaf(game, "exact")``: β_i = 2^{−(n−1)} Σ_{S ⊆ N∖i} (v(S∪i) − v(S)) (Banzhaf 1965).
* ``banzhaf(game, "msr")``: maximum sample reuse (Wang & Jia 2023, "Data Banzhaf", §4.1):
  coalitions drawn uniformly, each used for every player: β̂_i = mean v(S ∋ i) − mean v(S ∌ i).
* ``leave_one_out(game)``: v(N) − v(N ∖ i).

Example:
    >>> glove = {"players": ["L", "R1", "R2"],
    ...          "values": {"": 0, "L": 0, "R1": 0, "R2": 0, "L,R1": 1, "L,R2": 1, "R1,R2": 0,
    ...                     "L,R1,R2": 1}}
    >>> r = shapley(glove)
    >>> {p: round(v, 6) for p, v in r.values.items()}
    {'L': 0.666667, 'R1': 0.166667, 'R2': 0.166667}
    >>> r.calls, abs(r.efficiency_residual) < 1e-12
    (8, True)
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from hurwicz.core.errors import InputError

from .games import Game, as_game, check_exact_size

Z95 = 1.959963984540054  # the 97.5% quantile of the standard normal


@dataclass
class ValuationResult:
    """Values of the players of a cooperative game, with their certificates.

    Example:
        >>> r = ValuationResult("shapley", "exact", {"a": 2.0, "b": 1.0}, {"a": 0.0, "b": 0.0},
        ...                     calls=4, grand_value=3.0)
        >>> r.efficiency_residual, r.ranking(), r.interval("a")
        (0.0, ['a', 'b'], (2.0, 2.0))
    """

    value: str
    method: str
    values: dict[Any, float]
    stderr: dict[Any, float]
    calls: int
    grand_value: float
    samples: int = 0
    converged: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def efficiency_residual(self) -> float:
        """Σ values − v(N) (0 for efficient values; Banzhaf values need not be)."""
        return float(sum(self.values.values()) - self.grand_value)

    def ranking(self) -> list[Any]:
        """Players from the highest value to the lowest (ties by name)."""
        return sorted(self.values, key=lambda p: (-self.values[p], str(p)))

    def interval(self, player: Hashable, level: float = 0.95) -> tuple[float, float]:
        """Normal confidence interval of a player's value (95%: ±1.96 standard errors)."""
        if not 0 < level < 1:
            raise InputError("level", "must be in (0, 1)")
        from statistics import NormalDist

        z = Z95 if level == 0.95 else NormalDist().inv_cdf(0.5 + level / 2)
        v, s = self.values[player], self.stderr[player]
        return (v - z * s, v + z * s)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (player names as strings).

        Example:
            >>> ValuationResult("shapley", "exact", {"a": 1.0}, {"a": 0.0}, 2, 1.0).to_dict()[
            ...     "values"]
            {'a': 1.0}
        """
        return {"value": self.value, "method": self.method,
                "values": {str(k): v for k, v in self.values.items()},
                "stderr": {str(k): v for k, v in self.stderr.items()},
                "calls": self.calls, "samples": self.samples, "converged": self.converged,
                "grand_value": self.grand_value,
                "efficiency_residual": self.efficiency_residual, **self.extra}


# --- helpers ----------------------------------------------------------------------------------
def popcounts(n: int) -> np.ndarray:
    """Coalition sizes of all 2^n bitmasks, as ``uint8``.

    Example:
        >>> popcounts(3).tolist()
        [0, 1, 1, 2, 1, 2, 2, 3]
    """
    sizes = np.zeros(1, dtype=np.uint8)
    for _ in range(n):
        sizes = np.concatenate([sizes, sizes + 1])
    return sizes


def shapley_weights(n: int) -> np.ndarray:
    """``w[s] = s!(n−s−1)!/n! = 1/(n·C(n−1, s))`` for s = 0..n−1.

    Example:
        >>> shapley_weights(3).tolist() == [1/3, 1/6, 1/3]
        True
    """
    return np.array([1.0 / (n * math.comb(n - 1, s)) for s in range(n)])


def _marginals(v: np.ndarray, n: int, i: int) -> np.ndarray:
    """v(S ∪ i) − v(S) for every S ∌ i, in the order of the masks without bit i."""
    halves = v.reshape(-1, 2, 1 << i)
    return (halves[:, 1, :] - halves[:, 0, :]).ravel()


def _positive_int(value: Any, field_name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise InputError(field_name, f"must be an integer ≥ {minimum}, got {value!r}")
    return int(value)


def _check_tolerance(value: Any, field_name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or \
            not math.isfinite(value) or value <= 0:
        raise InputError(field_name, f"must be a positive finite number, got {value!r}")
    return float(value)


def _seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InputError("seed", f"must be a non-negative integer, got {seed!r}")
    return int(seed)


def _result(kind: str, method: str, g: Game, vals: np.ndarray, se: np.ndarray, calls: int,
            grand: float, **kw: Any) -> ValuationResult:
    return ValuationResult(kind, method, {p: float(vals[i]) for i, p in enumerate(g.players)},
                           {p: float(se[i]) for i, p in enumerate(g.players)}, calls,
                           float(grand), **kw)


# --- Shapley ----------------------------------------------------------------------------------
def exact_shapley_array(v: np.ndarray, n: int) -> np.ndarray:
    """Exact Shapley values from ``v[mask]`` for all 2^n masks (vectorised).

    Example:
        >>> exact_shapley_array(np.array([0.0, 1.0, 1.0, 3.0]), 2).tolist()
        [1.5, 1.5]
    """
    w = shapley_weights(n) if n else np.zeros(0)
    sizes = popcounts(n)
    phi = np.zeros(n)
    for i in range(n):
        diff = _marginals(v, n, i)
        size = sizes.reshape(-1, 2, 1 << i)[:, 0, :].ravel()
        phi[i] = float(np.bincount(size, weights=diff, minlength=n) @ w)
    return phi


def shapley(game: Any, method: str = "exact", *, players: Iterable[Hashable] | None = None,
            tolerance: float | None = None, max_permutations: int = 1000,
            min_permutations: int = 30, truncation: float = 0.01,
            seed: int = 0) -> ValuationResult:
    """Shapley values of a cooperative game (see the module docstring for the methods).

    ``tolerance``: stop the Monte Carlo methods once every standard error is at most this
    (checked from ``min_permutations`` on); ``max_permutations`` caps the orderings drawn;
    ``truncation`` is TMC's relative performance tolerance; ``seed`` makes the draws replay.

    Example:
        >>> airport = lambda s: max([{"a": 1.0, "b": 3.0, "c": 6.0}[p] for p in s], default=0)
        >>> r = shapley(airport, players=["a", "b", "c"])
        >>> [round(r.values[p], 6) for p in "abc"]
        [0.333333, 1.333333, 4.333333]
        >>> mc = shapley(airport, "permutation", players="abc", max_permutations=400, seed=1)
        >>> abs(mc.values["c"] - 13 / 3) < 4 * mc.stderr["c"], mc.samples, mc.calls
        (True, 400, 8)
    """
    g = as_game(game, players)
    if method == "exact":
        check_exact_size(g.n)
        v = g.all_values()
        phi = exact_shapley_array(v, g.n)
        return _result("shapley", "exact", g, phi, np.zeros(g.n), g.calls,
                       v[(1 << g.n) - 1])
    if method not in ("permutation", "tmc"):
        raise InputError("method", f"must be 'exact', 'permutation' or 'tmc', got {method!r}")
    tol = _check_tolerance(tolerance, "tolerance")
    max_m = _positive_int(max_permutations, "max_permutations")
    min_m = _positive_int(min_permutations, "min_permutations", 2)
    trunc = None
    if method == "tmc":
        trunc = _check_tolerance(truncation, "truncation")
    return _monte_carlo_shapley(g, method, tol, max_m, min_m, trunc,
                                np.random.default_rng(_seed(seed)))


def _monte_carlo_shapley(g: Game, method: str, tol: float | None, max_m: int, min_m: int,
                         trunc: float | None, rng: np.random.Generator) -> ValuationResult:
    n = g.n
    full = (1 << n) - 1
    grand = g.mask_value(full)
    mean, m2 = np.zeros(n), np.zeros(n)
    low, high = np.full(n, np.inf), np.full(n, -np.inf)
    count = truncated = 0
    converged = False
    bits = [1 << i for i in range(n)]
    while count < max_m:
        marg = np.zeros(n)
        prev, mask = 0.0, 0
        for i in rng.permutation(n):
            if trunc is not None and grand != 0 and abs(grand - prev) <= trunc * abs(grand):
                truncated += 1
                break
            mask |= bits[i]
            cur = g.mask_value(mask)
            marg[i] = cur - prev
            prev = cur
        count += 1
        delta = marg - mean  # Welford's running mean and variance
        mean += delta / count
        m2 += delta * (marg - mean)
        np.minimum(low, marg, out=low)
        np.maximum(high, marg, out=high)
        if tol is not None and count >= min_m:
            se = _permutation_stderr(m2, count, low, high)
            if se.max(initial=0.0) <= tol:
                converged = True
                break
    se = _permutation_stderr(m2, count, low, high) if count > 1 else np.full(n, np.inf)
    extra = {"truncated_permutations": truncated} if trunc is not None else {}
    return _result("shapley", method, g, mean, se, g.calls, grand, samples=count,
                   converged=converged or tol is None, extra=extra)


def _permutation_stderr(m2: np.ndarray, count: int, low: np.ndarray,
                        high: np.ndarray) -> np.ndarray:
    """Standard errors of the mean marginal contributions, honest for rare events.

    A player whose marginal contribution was the same in every sampled ordering has sample
    variance 0, yet it may differ in orderings not drawn (a player pivotal in 1% of them is
    usually never seen pivotal in 50). Its standard error is then floored by the rule of three
    (Hanley & Lippman-Hand 1983: an event unseen in m trials has probability ≤ 3/m at 95%),
    scaled by the largest spread of marginal contributions observed for any player:
    1.96·se = 3·spread/m. When no player's marginals vary (an additive game) the floor is 0.

    Example:
        >>> se = _permutation_stderr(np.array([0.0, 12.25]), 50, np.zeros(2), np.array([0, 1.0]))
        >>> se.round(6).tolist()  # 3·1/(1.95996·50); √(12.25/49/50)
        [0.030613, 0.070711]
    """
    se = np.sqrt(m2 / (count - 1) / count)
    spread = float((high - low).max(initial=0.0))
    floor = 3.0 * spread / (Z95 * count)
    return np.where(high > low, se, floor)


# --- Banzhaf ----------------------------------------------------------------------------------
def banzhaf(game: Any, method: str = "exact", *, players: Iterable[Hashable] | None = None,
            tolerance: float | None = None, max_samples: int = 5000, min_samples: int = 100,
            batch: int = 100, seed: int = 0) -> ValuationResult:
    """Banzhaf values: exact, or by maximum sample reuse (``method="msr"``).

    MSR draws coalitions uniformly (each player in with probability ½), ``batch`` at a time,
    until every standard error is at most ``tolerance`` (from ``min_samples`` on) or
    ``max_samples`` coalitions are drawn.

    Example:
        >>> nassau = lambda s: float(sum({"H1": 9, "H2": 9, "NH": 7, "OB": 3, "GC": 1,
        ...                               "LB": 1}[p] for p in s) >= 16)
        >>> r = banzhaf(nassau, players=["H1", "H2", "NH", "OB", "GC", "LB"])
        >>> r.values
        {'H1': 0.5, 'H2': 0.5, 'NH': 0.5, 'OB': 0.0, 'GC': 0.0, 'LB': 0.0}
    """
    g = as_game(game, players)
    n = g.n
    if method == "exact":
        check_exact_size(n)
        v = g.all_values()
        beta = np.array([_marginals(v, n, i).sum() for i in range(n)]) / (1 << max(n - 1, 0))
        return _result("banzhaf", "exact", g, beta, np.zeros(n), g.calls, v[(1 << n) - 1])
    if method != "msr":
        raise InputError("method", f"must be 'exact' or 'msr', got {method!r}")
    tol = _check_tolerance(tolerance, "tolerance")
    max_s = _positive_int(max_samples, "max_samples")
    min_s = _positive_int(min_samples, "min_samples", 4)
    step = _positive_int(batch, "batch")
    if n > 62:
        raise InputError("players", "maximum sample reuse supports at most 62 players")
    rng = np.random.default_rng(_seed(seed))
    grand = g.mask_value((1 << n) - 1)
    weights = np.array([1 << i for i in range(n)], dtype=np.int64)
    inside: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    drawn, converged = 0, False
    beta = se = np.zeros(n)
    while drawn < max_s:
        k = min(step, max_s - drawn)
        x = rng.random((k, n)) < 0.5
        inside.append(x)
        vals.append(g.mask_values(x.astype(np.int64) @ weights))
        drawn += k
        beta, se = _msr_estimate(np.concatenate(inside), np.concatenate(vals))
        if tol is not None and drawn >= min_s and se.max(initial=0.0) <= tol:
            converged = True
            break
    return _result("banzhaf", "msr", g, beta, se, g.calls, grand, samples=drawn,
                   converged=converged or tol is None)


def _msr_estimate(x: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n_in = x.sum(axis=0)
    n_out = x.shape[0] - n_in
    s_in = v @ x
    s_out = v.sum() - s_in
    q_in = (v * v) @ x
    q_out = (v * v).sum() - q_in
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_in, mean_out = s_in / n_in, s_out / n_out
        var_in = (q_in - n_in * mean_in**2) / (n_in - 1)
        var_out = (q_out - n_out * mean_out**2) / (n_out - 1)
        se = np.sqrt(np.maximum(var_in, 0) / n_in + np.maximum(var_out, 0) / n_out)
    beta = np.where((n_in > 0) & (n_out > 0), mean_in - mean_out, 0.0)
    se = np.where((n_in > 1) & (n_out > 1), se, np.inf)
    return beta, se


# --- leave one out ----------------------------------------------------------------------------
def leave_one_out(game: Any, *, players: Iterable[Hashable] | None = None) -> ValuationResult:
    """Leave-one-out values v(N) − v(N ∖ i) (n + 1 utility calls).

    Example:
        >>> r = leave_one_out(lambda s: float(len(s) >= 2), players=["a", "b", "c"])
        >>> r.values, r.calls
        ({'a': 0.0, 'b': 0.0, 'c': 0.0}, 5)
    """
    g = as_game(game, players)
    full = (1 << g.n) - 1
    grand = g.mask_value(full)
    vals = np.array([grand - g.mask_value(full & ~(1 << i)) for i in range(g.n)])
    return _result("leave_one_out", "exact", g, vals, np.zeros(g.n), g.calls, grand)


__all__ = ["ValuationResult", "banzhaf", "exact_shapley_array", "leave_one_out", "popcounts",
           "shapley", "shapley_weights"]

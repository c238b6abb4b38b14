"""Bidding strategies for simulations: functions from values ``[batch, agents]`` to reports.

Accepted specs: ``truthful``, ``shade:ALPHA`` (report α·value), ``bne`` (the mechanism's
equilibrium, where it provides one), ``best_response[:ROUNDS]`` (iterated symmetric best
response on a grid of types), or any callable ``values -> reports``.

Example:
    >>> import numpy as np
    >>> Shade(0.5)(np.array([[2.0, 4.0]])).tolist()
    [[1.0, 2.0]]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from hurwicz.core.capabilities import BatchLayout, EquilibriumStrategies
from hurwicz.core.errors import ParameterError
from hurwicz.core.mechanism import Mechanism
from hurwicz.core.priors import Prior, sample_profiles


class Truthful:
    """Report the true value.

    Example:
        >>> Truthful()(np.array([[1.0]])).tolist()
        [[1.0]]
    """

    name = "truthful"

    def __call__(self, values: np.ndarray) -> np.ndarray:
        return np.asarray(values, dtype=float)


@dataclass(frozen=True)
class Shade:
    """Report ``alpha`` × value.

    Example:
        >>> Shade(0.8).name
        'shade:0.8'
    """

    alpha: float

    @property
    def name(self) -> str:
        return f"shade:{self.alpha:g}"

    def __call__(self, values: np.ndarray) -> np.ndarray:
        return self.alpha * np.asarray(values, dtype=float)


@dataclass(frozen=True)
class Equilibrium:
    """The mechanism's own Bayes–Nash equilibrium strategy (``Mechanism.bne``).

    Example:
        >>> import hurwicz as hz
        >>> s = Equilibrium(hz.mechanism("auction.first_price"),
        ...                 tuple(hz.parse_priors("uniform:0,1", 2)))
        >>> s(np.array([[1.0, 0.5]])).tolist()
        [[0.5, 0.25]]
    """

    mechanism: Mechanism
    priors: tuple[Prior, ...]
    name: str = "bne"

    def __call__(self, values: np.ndarray) -> np.ndarray:
        return self.mechanism.bne(list(self.priors))(values)


@dataclass(frozen=True)
class Interpolated:
    """A symmetric strategy given on a grid of types, linearly interpolated.

    Example:
        >>> s = Interpolated(np.array([0.0, 1.0]), np.array([0.0, 0.5]), "br")
        >>> s(np.array([[0.5]])).tolist()
        [[0.25]]
    """

    types: np.ndarray
    bids: np.ndarray
    name: str = "best_response"

    def __call__(self, values: np.ndarray) -> np.ndarray:
        return np.interp(np.asarray(values, dtype=float), self.types, self.bids)


def best_response(mech: Any, priors: Sequence[Prior], rounds: int = 8, seed: int = 0,
                  types: int = 33, bids: int = 61, others: int = 2000,
                  damping: float = 0.5, layout: BatchLayout | None = None) -> Interpolated:
    """Iterated symmetric best response on a grid: start truthful; each round every type on
    the grid picks the bid (on a grid up to its value × 1.2) maximising its expected utility
    against rivals playing the previous round's strategy (common random numbers); the
    strategy moves ``damping`` of the way to that best response.

    Example:
        >>> import hurwicz as hz
        >>> s = best_response(hz.mechanism("auction.first_price"),
        ...                   hz.parse_priors("uniform:0,1", 2), rounds=6, others=500)
        >>> abs(float(s(np.array([[0.4]]))[0, 0]) - 0.2) < 0.05
        True
    """
    if any(p != priors[0] for p in priors):
        raise ParameterError("strategy", "best_response assumes symmetric priors")
    rng = np.random.default_rng(seed)
    n = len(priors)
    prior = priors[0]
    lo, hi = prior.support()
    top = hi if np.isfinite(hi) else float(prior.quantile(0.999))
    type_grid = np.linspace(lo, top, types)
    strategy: Callable[[np.ndarray], np.ndarray] = Truthful()
    rival_values = sample_profiles(priors, rng, others)
    current = type_grid.copy()
    for _ in range(rounds):
        rival_bids = strategy(rival_values)
        new = np.empty(types)
        for t_idx, t in enumerate(type_grid):
            grid = np.linspace(0.0, max(t, 1e-9) * 1.2, bids)
            reps = np.repeat(rival_bids[None], bids, axis=0)  # [B, S, n]
            reps[:, :, 0] = grid[:, None]
            out = mech.run_batch(reps.reshape(-1, n), layout)
            alloc = out.allocation.reshape(bids, others, n, -1).sum(3)[:, :, 0]
            pay = out.payments.reshape(bids, others, n, -1).sum(3)[:, :, 0]
            eu = (t * alloc - pay).mean(axis=1)
            new[t_idx] = grid[int(eu.argmax())]
        # damped (fictitious-play style) update: pure best-response dynamics in first-price
        # auctions cycle (types undercut the rivals' top bid), averaging converges
        current = (1 - damping) * current + damping * np.maximum.accumulate(new)
        strategy = Interpolated(type_grid, current)
    return Interpolated(type_grid, current, f"best_response:{rounds}")


def parse_strategy(spec: Any, mech: Mechanism, priors: Sequence[Prior], seed: int = 0,
                   layout: BatchLayout | None = None) -> Callable[[np.ndarray], np.ndarray]:
    """Turn a strategy spec into a callable ``values -> reports``.

    Example:
        >>> import hurwicz as hz
        >>> m = hz.mechanism("auction.first_price")
        >>> parse_strategy("shade:0.5", m, hz.parse_priors("uniform:0,1", 2)).name
        'shade:0.5'
    """
    if callable(spec):
        return spec
    if not isinstance(spec, str):
        raise ParameterError("strategy", f"must be a name or a function, got {spec!r}")
    name, _, arg = spec.partition(":")
    if name == "truthful":
        return Truthful()
    if name == "shade":
        try:
            alpha = float(arg)
        except ValueError:
            raise ParameterError("strategy", "shade needs a factor, e.g. shade:0.8") from None
        if not 0 <= alpha <= 10:
            raise ParameterError("strategy", "shade factor must be in [0, 10]")
        return Shade(alpha)
    if name == "bne":
        if not isinstance(mech, EquilibriumStrategies):
            raise ParameterError("strategy", f"{mech.name} provides no equilibrium strategy")
        try:
            mech.bne(list(priors))
        except NotImplementedError as err:
            raise ParameterError("strategy", f"{mech.name} has no equilibrium here: {err}"
                                 ) from None
        return Equilibrium(mech, tuple(priors))
    if name == "best_response":
        rounds = int(arg) if arg else 8
        return best_response(mech, priors, rounds=rounds, seed=seed, layout=layout)
    raise ParameterError("strategy", f"unknown strategy {spec!r} (truthful, shade:A, bne, "
                         "best_response[:ROUNDS])")

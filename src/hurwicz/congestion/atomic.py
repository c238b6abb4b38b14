"""Atomic congestion games (Rosenthal 1973): each player picks a set of resources and pays
the sum of their costs, a resource's cost depending on how many players use it.

Rosenthal's potential ``Φ(s) = Σ_r Σ_{k=1}^{load_r(s)} c_r(k)`` changes by exactly a deviating
player's change of cost, so best-response dynamics strictly lower it and stop at a pure Nash
equilibrium. Small games are solved by enumerating every profile: all pure equilibria, the
optimum, and the price of anarchy and of stability (exact fractions for integer costs).

Example:
    >>> g = AtomicCongestionGame.christodoulou_koutsoupias()
    >>> g.price_of_anarchy()
    Fraction(5, 2)
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from hurwicz.core.errors import InputError

__all__ = ["AtomicCongestionGame", "BestResponseRun"]

#: the most action profiles :meth:`AtomicCongestionGame.pure_nash` will enumerate
MAX_PROFILES = 2_000_000


@dataclass
class BestResponseRun:
    """A best-response run: the profiles visited (strategy index per player), Rosenthal's
    potential at each, which player moved, and whether the last profile is an equilibrium."""

    profiles: list[tuple[int, ...]]
    potentials: list[float]
    movers: list[int]
    equilibrium: bool

    @property
    def final(self) -> tuple[int, ...]:
        """The last profile reached."""
        return self.profiles[-1]


class AtomicCongestionGame:
    """Players choose among resource sets; ``costs[r][k - 1]`` is what each user of resource
    ``r`` pays when ``k`` players use it.

    Example:
        >>> g = AtomicCongestionGame([[["a"], ["b"]], [["a"], ["b"]]],
        ...                          {"a": [1, 4], "b": [2, 5]})
        >>> g.pure_nash()
        [(0, 1), (1, 0)]
        >>> g.player_costs((0, 0)), g.social_cost((0, 1)), g.potential((0, 0))
        ([4, 4], 3, 5)
    """

    def __init__(self, strategies: Sequence[Sequence[Sequence[Hashable]]],
                 costs: Mapping[Hashable, Sequence[float]]) -> None:
        if not strategies:
            raise InputError("strategies", "needs at least one player")
        n = len(strategies)
        self.resources = list(costs)
        index = {r: j for j, r in enumerate(self.resources)}
        self.n_players = n
        self.strategies: list[list[tuple[Hashable, ...]]] = []
        for i, options in enumerate(strategies):
            if not options:
                raise InputError(f"strategies[{i}]", "a player needs at least one strategy")
            player = []
            for k, option in enumerate(options):
                items = tuple(option)
                if len(set(items)) != len(items):
                    raise InputError(f"strategies[{i}][{k}]", "lists a resource twice")
                for r in items:
                    if r not in index:
                        raise InputError(f"strategies[{i}][{k}]",
                                         f"resource {r!r} has no cost function")
                player.append(items)
            self.strategies.append(player)
        table = []
        exact = True
        for r in self.resources:
            values = list(costs[r])
            if len(values) < n:
                raise InputError(f"costs.{r}", f"needs a cost for each load 1..{n}, "
                                 f"got {len(values)}")
            for v in values[:n]:
                if isinstance(v, bool) or not isinstance(v, int | float | Fraction):
                    raise InputError(f"costs.{r}", f"must be numbers, got {v!r}")
                if v != v or v in (float("inf"), float("-inf")):
                    raise InputError(f"costs.{r}", "must be finite")
                exact = exact and isinstance(v, int | Fraction)
            table.append(values[:n])
        self.exact = exact
        # cost[r, k] for load k = 0..n (0 at load 0); integer or Fraction costs stay exact
        dtype = object if exact else float
        self._cost = np.zeros((len(self.resources), n + 1), dtype=dtype)
        for j, values in enumerate(table):
            self._cost[j, 1:] = values if exact else [float(v) for v in values]
        self._phi = np.cumsum(self._cost, axis=1)
        # incidence: uses[i][k] = resource indices of player i's strategy k
        self._uses = [[np.array([index[r] for r in s], dtype=np.int64) for s in options]
                      for options in self.strategies]

    @classmethod
    def linear(cls, strategies: Sequence[Sequence[Sequence[Hashable]]],
               a: Mapping[Hashable, float], b: Mapping[Hashable, float] | None = None
               ) -> AtomicCongestionGame:
        """A game with linear costs ``c_r(k) = a_r·k + b_r``.

        Example:
            >>> AtomicCongestionGame.linear([[["x"], ["y"]]] * 2, {"x": 1, "y": 1}).pure_nash()
            [(0, 1), (1, 0)]
        """
        b = b or {}
        n = len(strategies)
        return cls(strategies, {r: [a[r] * k + b.get(r, 0) for k in range(1, n + 1)]
                                for r in a})

    @classmethod
    def christodoulou_koutsoupias(cls) -> AtomicCongestionGame:
        """The game where the price of anarchy of linear atomic congestion games, 5/2, is
        reached (Christodoulou & Koutsoupias 2005, §4): three players, resources h1..h3 and
        g1..g3 costing their load; player i uses {h_i, g_i} or {h_{i+1}, h_{i+2}, g_{i+1}}.

        Example:
            >>> g = AtomicCongestionGame.christodoulou_koutsoupias()
            >>> g.social_cost((0, 0, 0)), g.social_cost((1, 1, 1)), g.is_nash((1, 1, 1))
            (6, 15, True)
        """
        def h(i: int) -> str:
            return f"h{i % 3 + 1}"

        def g(i: int) -> str:
            return f"g{i % 3 + 1}"

        strategies = [[[h(i), g(i)], [h(i + 1), h(i + 2), g(i + 1)]] for i in range(3)]
        return cls.linear(strategies, {r: 1 for r in ("h1", "h2", "h3", "g1", "g2", "g3")})

    # --- evaluation ------------------------------------------------------------------------
    def _check(self, profile: Sequence[int]) -> tuple[int, ...]:
        prof = tuple(int(k) for k in profile)
        if len(prof) != self.n_players:
            raise InputError("profile", f"needs one strategy index per player "
                             f"({self.n_players}), got {len(prof)}")
        for i, k in enumerate(prof):
            if not 0 <= k < len(self.strategies[i]):
                raise InputError(f"profile[{i}]", f"strategy index {k} is not in "
                                 f"0..{len(self.strategies[i]) - 1}")
        return prof

    def loads(self, profile: Sequence[int]) -> np.ndarray:
        """How many players use each resource (in ``self.resources`` order)."""
        prof = self._check(profile)
        load = np.zeros(len(self.resources), dtype=np.int64)
        for i, k in enumerate(prof):
            load[self._uses[i][k]] += 1
        return load

    def player_costs(self, profile: Sequence[int]) -> list:
        """Each player's cost: the sum of the costs of the resources it uses."""
        load = self.loads(profile)
        per = self._cost[np.arange(len(load)), load]
        return [_plain(per[self._uses[i][k]].sum()) for i, k in enumerate(self._check(profile))]

    def social_cost(self, profile: Sequence[int]) -> float:
        """Total cost of all players, ``Σ_r load_r · c_r(load_r)``."""
        load = self.loads(profile)
        return _plain((load * self._cost[np.arange(len(load)), load]).sum())

    def potential(self, profile: Sequence[int]) -> float:
        """Rosenthal's potential ``Σ_r Σ_{k=1}^{load_r} c_r(k)``."""
        load = self.loads(profile)
        return _plain(self._phi[np.arange(len(load)), load].sum())

    def deviation_costs(self, profile: Sequence[int], player: int) -> list:
        """What ``player`` would pay with each of its strategies, the others fixed."""
        prof = self._check(profile)
        load = self.loads(prof)
        load[self._uses[player][prof[player]]] -= 1
        out = []
        for use in self._uses[player]:
            out.append(_plain(self._cost[use, load[use] + 1].sum()))
        return out

    def is_nash(self, profile: Sequence[int]) -> bool:
        """True when no player can lower its cost by switching strategy alone."""
        prof = self._check(profile)
        for i in range(self.n_players):
            costs = self.deviation_costs(prof, i)
            if min(costs) < costs[prof[i]]:
                return False
        return True

    def best_response_dynamics(self, start: Sequence[int] | None = None, seed: int = 0,
                               max_steps: int = 100_000) -> BestResponseRun:
        """Let players, in a seeded random order each round, switch to a best response
        whenever it strictly lowers their cost, until nobody wants to (a pure Nash
        equilibrium: the potential strictly falls at each move, so this ends).

        Example:
            >>> g = AtomicCongestionGame.christodoulou_koutsoupias()
            >>> run = g.best_response_dynamics(start=(1, 1, 0))
            >>> run.equilibrium, run.potentials[0] > run.potentials[-1]
            (True, True)
        """
        rng = np.random.default_rng(seed)
        prof = list(self._check(start if start is not None else [0] * self.n_players))
        run = BestResponseRun([tuple(prof)], [self.potential(prof)], [], False)
        steps = 0
        while steps < max_steps:
            moved = False
            for i in rng.permutation(self.n_players):
                costs = self.deviation_costs(prof, int(i))
                best = int(np.argmin(np.array(costs, dtype=float)))
                if costs[best] < costs[prof[i]]:
                    prof[i] = best
                    run.profiles.append(tuple(prof))
                    run.potentials.append(self.potential(prof))
                    run.movers.append(int(i))
                    moved = True
                    steps += 1
            if not moved:
                run.equilibrium = True
                break
        return run

    # --- enumeration -----------------------------------------------------------------------
    def _all_profiles(self) -> np.ndarray:
        sizes = [len(s) for s in self.strategies]
        total = int(np.prod(sizes, dtype=float))
        if total > MAX_PROFILES:
            raise InputError("strategies", f"{total} action profiles is more than the "
                             f"{MAX_PROFILES} enumeration handles; use "
                             "best_response_dynamics for one equilibrium")
        return np.array(list(itertools.product(*[range(k) for k in sizes])), dtype=np.int64)

    def _enumerate(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """All profiles, their social costs, and which are pure Nash equilibria."""
        profiles = self._all_profiles()
        R = len(self.resources)
        load = np.zeros((len(profiles), R), dtype=np.int64)
        for i, uses in enumerate(self._uses):
            for k, use in enumerate(uses):
                load[np.ix_(profiles[:, i] == k, use)] += 1
        rows = np.arange(R)[None, :]
        per = self._cost[rows, load]  # cost per user of each resource, per profile
        social = (load * per).sum(axis=1)
        nash = np.ones(len(profiles), dtype=bool)
        for i, uses in enumerate(self._uses):
            incidence = np.zeros((len(uses), R), dtype=np.int64)
            for k, use in enumerate(uses):
                incidence[k, use] = 1
            current = incidence[profiles[:, i]]  # resources player i uses now
            own = (per * current).sum(axis=1)
            for use in uses:
                # loads on `use` if player i switched to it alone
                new_load = load[:, use] - current[:, use] + 1
                dev = self._cost[use[None, :], new_load].sum(axis=1)
                nash &= ~(dev < own)
        return profiles, social, nash

    def pure_nash(self) -> list[tuple[int, ...]]:
        """Every pure Nash equilibrium, by enumerating all profiles (vectorised).

        Example:
            >>> AtomicCongestionGame.christodoulou_koutsoupias().pure_nash()[:2]
            [(0, 0, 0), (1, 1, 1)]
        """
        profiles, _, nash = self._enumerate()
        return [tuple(int(v) for v in p) for p in profiles[nash]]

    def optimum(self) -> tuple[tuple[int, ...], float]:
        """A profile of least social cost, and that cost.

        Example:
            >>> AtomicCongestionGame.christodoulou_koutsoupias().optimum()
            ((0, 0, 0), 6)
        """
        profiles, social, _ = self._enumerate()
        best = min(social)
        k = next(j for j, v in enumerate(social) if v == best)
        return tuple(int(v) for v in profiles[k]), _plain(best)

    def price_of_anarchy(self) -> Fraction | float:
        """Worst pure-equilibrium social cost over the optimum (exact for integer costs;
        ``inf`` when the optimum costs 0 and that equilibrium does not).

        Example:
            >>> AtomicCongestionGame.linear([[["x"], ["y"]]] * 2, {"x": 1, "y": 1}
            ...                             ).price_of_anarchy()
            Fraction(1, 1)
        """
        return self._ratio(max)

    def price_of_stability(self) -> Fraction | float:
        """Best pure-equilibrium social cost over the optimum.

        Example:
            >>> AtomicCongestionGame.christodoulou_koutsoupias().price_of_stability()
            Fraction(1, 1)
        """
        return self._ratio(min)

    def _ratio(self, pick) -> Fraction | float:
        _, social, nash = self._enumerate()
        eq = pick(social[nash])
        opt = min(social)
        if opt < 0:
            raise InputError("costs", "the price of anarchy needs non-negative social costs "
                             f"(the optimum costs {_plain(opt)})")
        if opt == 0:  # 0/0 counts as 1; a costly equilibrium against a free optimum is ∞
            if eq == 0:
                return Fraction(1) if self.exact else 1.0
            return float("inf")
        return Fraction(eq) / Fraction(opt) if self.exact else float(eq) / float(opt)


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    return value

"""Correlated and coarse correlated equilibria of N-player games by LP on HiGHS.

A distribution ``p`` over action profiles is a *correlated equilibrium* (Aumann 1974) when no
player gains by deviating from a recommended action ``a_i`` to any ``a_i'``:
``Σ_{a₋ᵢ} p(aᵢ, a₋ᵢ) [uᵢ(aᵢ', a₋ᵢ) − uᵢ(aᵢ, a₋ᵢ)] ≤ 0`` for every player, ``aᵢ`` and ``aᵢ'``.
It is a *coarse* correlated equilibrium (Moulin & Vial 1978; Hannan) when no player gains by
committing in advance to a fixed action: ``Σ_a p(a) [uᵢ(aᵢ', a₋ᵢ) − uᵢ(a)] ≤ 0``.
Both sets are polytopes; the LP picks a point maximising the objective:
``"welfare"`` (sum of payoffs), ``("player", i)`` (player i's payoff) or ``"feasibility"``
(any point). The returned certificate is the largest incentive violation of the distribution
actually returned (≈ 1e-9: HiGHS works in floating point).

Example:
    >>> from hurwicz.games import Game
    >>> chicken = Game([[[0, 7], [2, 6]], [[0, 2], [7, 6]]])   # Aumann's chicken
    >>> ce = correlated_equilibrium(chicken, "welfare")
    >>> {k: round(v, 6) for k, v in ce.distribution.items() if v > 1e-9}
    {('a0', 'a1'): 0.25, ('a1', 'a0'): 0.25, ('a1', 'a1'): 0.5}
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.sparse import coo_matrix

from hurwicz.core.errors import InputError

from .lp import solve_lp

if TYPE_CHECKING:
    from .game import Game

#: Most action profiles (LP variables) a correlated-equilibrium LP is built for.
MAX_PROFILES = 2_000_000


@dataclass(frozen=True)
class CorrelatedEquilibrium:
    """A distribution over action profiles (``distribution[(action names)] = probability``,
    zero-probability profiles included), the objective value, each player's expected payoff
    and the largest incentive violation (``regret``, the certificate)."""

    distribution: dict[tuple[str, ...], float]
    probabilities: np.ndarray
    value: float
    payoffs: tuple[float, ...]
    regret: float
    coarse: bool
    objective: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (profiles with positive probability only, joined by ``,``).

        Example:
            >>> from hurwicz.games import Game
            >>> d = Game([[[1]], [[1]]]).correlated().to_dict()
            >>> d["distribution"], d["coarse"]
            ({'a0,a0': 1.0}, False)
        """
        return {"distribution": {",".join(k): v for k, v in self.distribution.items()
                                 if v > 1e-12},
                "value": self.value, "payoffs": list(self.payoffs), "regret": self.regret,
                "coarse": self.coarse, "objective": self.objective}


def _objective(game: Game, objective: Any) -> tuple[np.ndarray, str]:
    n = game.n_players
    if objective == "welfare":
        return sum(a.ravel() for a in game.payoffs), "welfare"
    if objective == "feasibility":
        return np.zeros(math.prod(game.shape)), "feasibility"
    if isinstance(objective, tuple | list) and len(objective) == 2 and objective[0] == "player":
        i = objective[1]
        if isinstance(i, str) and i in game.players:
            i = game.players.index(i)
        if isinstance(i, np.integer):
            i = int(i)
        if not isinstance(i, int) or isinstance(i, bool) or not 0 <= i < n:
            raise InputError("objective", f"player must be 0..{n - 1} or a player name")
        return game.payoffs[i].ravel().copy(), f"player:{game.players[i]}"
    raise InputError("objective", "one of 'welfare', 'feasibility' or ('player', i)")


def incentive_constraints(game: Game, coarse: bool) -> coo_matrix:
    """Rows ``Σ_a p(a) · gain`` ≤ 0, one per (player, recommended, deviation) — or per (player,
    deviation) when ``coarse``; columns are profiles in C order.

    Example:
        >>> from hurwicz.games import Game
        >>> incentive_constraints(Game([[[1, 0], [0, 1]], [[1, 0], [0, 1]]]), False).shape
        (4, 4)
    """
    shape = game.shape
    total = math.prod(shape)
    idx = np.arange(total).reshape(shape)
    rows, cols, vals = [], [], []
    r = 0
    for p, k in enumerate(shape):
        U = game.payoffs[p]
        Um = np.moveaxis(U, p, 0)           # (k, rest...)
        Im = np.moveaxis(idx, p, 0)
        for dev in range(k):
            gain_all = Um[dev][None, ...] - Um  # gain of switching each recommendation to dev
            if coarse:
                g = gain_all.ravel()
                nz = g != 0
                rows.append(np.full(int(nz.sum()), r))
                cols.append(Im.ravel()[nz])
                vals.append(g[nz])
                r += 1
                continue
            for rec in range(k):
                if rec == dev:
                    continue
                g = gain_all[rec].ravel()
                nz = g != 0
                rows.append(np.full(int(nz.sum()), r))
                cols.append(Im[rec].ravel()[nz])
                vals.append(g[nz])
                r += 1
    if rows:
        data = (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols)))
        return coo_matrix(data, shape=(r, total))
    return coo_matrix((r, total))


def max_violation(game: Game, probabilities: np.ndarray, coarse: bool = False) -> float:
    """The largest incentive violation of a distribution over profiles (0 or less: it is a
    (coarse) correlated equilibrium).

    Example:
        >>> from hurwicz.games import Game
        >>> g = Game([[[1, 0], [0, 1]], [[1, 0], [0, 1]]])
        >>> max_violation(g, np.array([0.0, 1.0, 0.0, 0.0]))
        1.0
    """
    M = incentive_constraints(game, coarse).tocsr()
    if M.shape[0] == 0:
        return 0.0
    return float(max(0.0, (M @ np.asarray(probabilities, float).ravel()).max()))


def correlated_equilibrium(game: Game, objective: Any = "welfare",
                           coarse: bool = False) -> CorrelatedEquilibrium:
    """A (coarse) correlated equilibrium maximising ``objective`` — ``"welfare"``,
    ``"feasibility"`` or ``("player", i)`` — for any number of players (up to 2 000 000
    action profiles).

    Example:
        >>> from hurwicz.games import Game
        >>> mp = Game.bimatrix([[1, -1], [-1, 1]])      # matching pennies: CE = the NE
        >>> sorted(round(v, 6) for v in correlated_equilibrium(mp).distribution.values())
        [0.25, 0.25, 0.25, 0.25]
    """
    total = math.prod(game.shape)
    if total > MAX_PROFILES:
        raise InputError("payoffs", f"{total:,} action profiles exceed the correlated-"
                         f"equilibrium LP limit of {MAX_PROFILES:,}")
    cost, label = _objective(game, objective)
    M = incentive_constraints(game, coarse)
    ones = coo_matrix(np.ones((1, total)))
    from scipy.sparse import vstack

    A = vstack([M, ones]).tocsc()
    lower = np.concatenate([np.full(M.shape[0], -np.inf), [1.0]])
    upper = np.concatenate([np.zeros(M.shape[0]), [1.0]])
    x, _ = solve_lp(cost, A, lower, upper, maximize=True)
    p = np.clip(x, 0.0, None)
    p = p / p.sum()
    names = [tuple(game.actions[q][i] for q, i in enumerate(prof))
             for prof in np.ndindex(*game.shape)]
    payoffs = tuple(float(u.ravel() @ p) for u in game.payoffs)
    return CorrelatedEquilibrium(
        distribution={k: float(v) for k, v in zip(names, p)},
        probabilities=p.reshape(game.shape), value=float(cost @ p), payoffs=payoffs,
        regret=max_violation(game, p, coarse), coarse=coarse, objective=label)

"""Two-player zero-sum games: value and optimal (maximin) strategies by linear programming.

The row player solves ``max v  s.t.  xᵀA ≥ v·1, Σx = 1, x ≥ 0`` and the column player the
dual problem ``min w  s.t.  Ay ≤ w·1, Σy = 1, y ≥ 0`` (von Neumann's minimax theorem: the
optima agree). Both are solved by HiGHS; strategies are floats, and the reported regrets
(≈ 1e-9) are the certificate.

Example:
    >>> from hurwicz.games import Game
    >>> sol = solve_zero_sum(Game.bimatrix([[3, -1], [-2, 1]]))
    >>> round(sol.value, 9), [round(p, 9) for p in sol.row]
    (0.142857143, [0.428571429, 0.571428571])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse import csc_matrix

from hurwicz.core.errors import InputError

from .lp import solve_lp

if TYPE_CHECKING:
    from .game import Equilibrium, Game


@dataclass(frozen=True)
class ZeroSumSolution:
    """Value of the game (to the row player) and an optimal strategy for each player."""

    value: float
    row: list[float]
    column: list[float]


def _maximin(A: np.ndarray) -> tuple[np.ndarray, float]:
    m, n = A.shape
    # variables (x_1..x_m, v); rows: v − (xᵀA)_j ≤ 0 for every column j, Σx = 1
    rows = np.zeros((n + 1, m + 1))
    rows[:n, :m] = -A.T
    rows[:n, m] = 1.0
    rows[n, :m] = 1.0
    lower = np.concatenate([np.full(n, -np.inf), [1.0]])
    upper = np.concatenate([np.zeros(n), [1.0]])
    cost = np.zeros(m + 1)
    cost[m] = 1.0
    col_lower = np.concatenate([np.zeros(m), [-np.inf]])
    x, value = solve_lp(cost, csc_matrix(rows), lower, upper, col_lower=col_lower,
                        maximize=True)
    strat = np.clip(x[:m], 0.0, None)
    return strat / strat.sum(), value


def solve_zero_sum(game: Game) -> ZeroSumSolution:
    """Value and optimal strategies of a two-player zero-sum game (refused otherwise).

    Example:
        >>> from hurwicz.games import Game
        >>> round(solve_zero_sum(Game.bimatrix([[1, -1], [-1, 1]])).value, 9)
        0.0
    """
    if game.n_players != 2 or not game.is_zero_sum:
        raise InputError("payoffs", "method 'lp' needs a two-player zero-sum game "
                         "(payoffs[1] = −payoffs[0]); use 'vertex' or 'lemke_howson'")
    A = game.payoffs[0]
    row, value = _maximin(A)
    column, _neg = _maximin(-A.T)
    return ZeroSumSolution(float(value), row.tolist(), column.tolist())


def zero_sum_equilibrium(game: Game) -> Equilibrium:
    """The LP solution as an :class:`~hurwicz.games.game.Equilibrium` (floats, not exact).

    Example:
        >>> from hurwicz.games import Game
        >>> e = zero_sum_equilibrium(Game.bimatrix([[0, -1, 1], [1, 0, -1], [-1, 1, 0]]))
        >>> e.max_regret < 1e-8, e.exact
        (True, False)
    """
    sol = solve_zero_sum(game)
    return game.equilibrium([sol.row, sol.column], False, "lp")

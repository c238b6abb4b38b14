"""Normal-form games: Nash equilibria (exact where rational), correlated equilibria and
learning dynamics.

* :class:`Game` — N players, one payoff array per player (also from a small JSON format);
  ``game.nash(method)`` with ``"pure"``, ``"vertex"`` (every extreme equilibrium of a
  two-player game, exact, degenerate games included), ``"support"``, ``"lemke_howson"`` and
  ``"lp"`` (zero-sum); ``game.correlated(objective, coarse)`` (LP on HiGHS).
* Learning dynamics (seeded): :func:`fictitious_play`, :func:`replicator`, :func:`hedge`,
  :func:`regret_matching`.

Example:
    >>> import hurwicz as hz
    >>> g = hz.games.Game([[[2, 0], [0, 1]], [[1, 0], [0, 2]]])   # battle of the sexes
    >>> [[str(p) for p in e.strategies[0]] for e in g.nash("vertex")]
    [['0', '1'], ['2/3', '1/3'], ['1', '0']]
"""

from .correlated import CorrelatedEquilibrium, correlated_equilibrium
from .dynamics import LearningResult, fictitious_play, hedge, regret_matching, replicator
from .game import Equilibrium, Game
from .twoplayer import (
           DegenerateGameWarning,
           is_degenerate,
           lemke_howson,
           support_enumeration,
           vertex_enumeration,
)
from .zerosum import ZeroSumSolution, solve_zero_sum

__all__ = ["CorrelatedEquilibrium", "DegenerateGameWarning", "Equilibrium", "Game",
           "LearningResult", "ZeroSumSolution", "correlated_equilibrium", "fictitious_play",
           "hedge", "is_degenerate", "lemke_howson", "regret_matching", "replicator",
           "solve_zero_sum", "support_enumeration", "vertex_enumeration"]

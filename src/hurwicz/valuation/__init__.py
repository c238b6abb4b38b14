"""Cooperative-game values for contribution measurement: Shapley, Banzhaf, leave-one-out and the
least core, exact or by Monte Carlo, each with its certificates (standard errors, utility calls,
efficiency residual).

A game is a table ``{"players": [...], "values": {"a,b": 3.0, "": 0, ...}}`` (coalitions as
comma-joined sorted names), a callable on a ``frozenset`` of players with ``players=[...]``, or a
:class:`Game`. See :mod:`hurwicz.valuation.values` for the methods and their sources.

Example:
    >>> import hurwicz as hz
    >>> r = hz.valuation.shapley(lambda s: float(len(s) >= 2), players=["a", "b", "c"])
    >>> [round(v, 6) for v in r.values.values()], r.stderr["a"], r.calls
    ([0.333333, 0.333333, 0.333333], 0.0, 8)
"""

from .games import MAX_EXACT_PLAYERS, ArrayGame, CallableGame, Game, TableGame, as_game
from .least_core import MAX_LEAST_CORE_PLAYERS, least_core
from .values import ValuationResult, banzhaf, leave_one_out, shapley

__all__ = ["MAX_EXACT_PLAYERS", "MAX_LEAST_CORE_PLAYERS", "ArrayGame", "CallableGame", "Game",
           "TableGame", "ValuationResult", "as_game", "banzhaf", "least_core", "leave_one_out",
           "shapley"]

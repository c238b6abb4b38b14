"""Cross-check against pyDVL (a test-only peer): the same exact Shapley values on pyDVL's own
games, whose closed-form values pyDVL also ships."""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pytest

from hurwicz.valuation import shapley

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    logging.disable(logging.WARNING)
    try:
        games = pytest.importorskip("pydvl.value.games")
        pydvl_value = pytest.importorskip("pydvl.value")
    finally:
        logging.disable(logging.NOTSET)


@pytest.mark.parametrize("make", [lambda: games.ShoesGame(left=2, right=3),
                                  lambda: games.ShoesGame(left=4, right=6),
                                  lambda: games.SymmetricVotingGame(n_players=8)])
def test_same_exact_shapley_as_pydvl(make):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        game = make()
        theirs = pydvl_value.compute_shapley_values(
            game.u, mode=pydvl_value.ShapleyMode.CombinatorialExact, progress=False)
    players = [int(i) for i in game.u.data.indices]
    ours = shapley(lambda s: float(game.u(tuple(sorted(s)))), players=players)
    got = np.array([ours.values[p] for p in players])
    order = [list(theirs.indices).index(p) for p in players]
    np.testing.assert_allclose(got, np.asarray(theirs.values)[order], atol=1e-9)

"""Regressions found by an adversarial review of the game solvers (each failed before its fix).

Known answers used: Nash equilibria are invariant under positive affine transformations of a
player's payoffs (von Neumann & Morgenstern 1944; von Stengel, "Computing equilibria for
two-person games", Handbook of Game Theory vol. 3, 2002, §2), and every finite game has an
equilibrium (Nash 1951)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hurwicz.games import Game, hedge
from hurwicz.games.twoplayer import vertex_enumeration

F = Fraction


def _strats(eqs):
    return sorted(tuple(tuple(F(p) for p in s) for s in e.strategies) for e in eqs)


def _affine(M, scale, shift):
    return [[shift + scale * F(v) for v in row] for row in M]


def test_matching_pennies_with_payoffs_closer_than_a_double_resolves():
    # 1 and 1 + 1e-20 are the same double: the float screen saw singular bases and vertex
    # enumeration returned *no* equilibrium. It is matching pennies (ε·MP + 1): unique
    # equilibrium (1/2, 1/2) for both players.
    eps = F(1, 10**20)
    A = [[F(1), 1 + eps], [1 + eps, F(1)]]
    B = [[1 + eps, F(1)], [F(1), 1 + eps]]
    half = (F(1, 2), F(1, 2))
    assert _strats(vertex_enumeration(Game([A, B]))) == [(half, half)]


@settings(max_examples=25, deadline=None)
@given(m=st.integers(1, 3), n=st.integers(1, 3), data=st.data(),
       scale=st.sampled_from([F(1, 10**18), F(1, 3 * 10**15), F(10**14)]),
       shift=st.sampled_from([F(0), F(1), F(-(10**9))]))
def test_extreme_equilibria_invariant_under_positive_affine_maps(m, n, data, scale, shift):
    cell = st.integers(-2, 2)
    A = data.draw(st.lists(st.lists(cell, min_size=n, max_size=n), min_size=m, max_size=m))
    B = data.draw(st.lists(st.lists(cell, min_size=n, max_size=n), min_size=m, max_size=m))
    base = _strats(vertex_enumeration(Game([A, B])))
    moved = _strats(vertex_enumeration(Game([_affine(A, scale, shift), _affine(B, scale, 7)])))
    assert base and moved == base


def test_pure_nash_of_a_one_player_game_with_fraction_payoffs():
    # crashed in the exact comparison (a 0-d array has no .copy on its element)
    g = Game([[F(1, 3), F(2, 3), F(2, 3)]])
    assert g.pure_nash() == [(1,), (2,)]


def test_correlated_objective_accepts_a_numpy_player_index():
    chicken = Game([[[0, 7], [2, 6]], [[0, 2], [7, 6]]])
    # player 0's best correlated equilibrium in Aumann's chicken: (dare, chicken) w.p. ... —
    # the LP optimum equals the one for the plain int index
    a = chicken.correlated(("player", np.int64(0)))
    b = chicken.correlated(("player", 0))
    assert a.value == pytest.approx(b.value)


SHAPLEY = Game([[[0, 1, 0], [0, 0, 1], [1, 0, 0]], [[0, 0, 1], [1, 0, 0], [0, 1, 0]]])


def test_hedge_on_shapley_is_not_a_false_convergence():
    # Shapley (1964): the unique equilibrium is uniform and unstable; Hedge starts (almost)
    # there and drifts away — the exploitability of its average grows ~20× over the last
    # quarter of 2000 rounds (and is ~0.2 after 20000). That is not "converged".
    r = hedge(SHAPLEY, rounds=2000, seed=0)
    ex = [e for _, e in r.exploitability]
    assert ex[-1] > 10 * ex[-len(ex) // 4]          # the premise: drifting away
    assert r.verdict != "converged" and not r.converged


def test_payoff_beyond_a_double_is_an_input_error():
    # an exact 10**400 overflowed the float copy with a bare OverflowError
    from hurwicz.core.errors import InputError

    with pytest.raises(InputError) as err:
        Game([[[10**400]], [[1]]])
    assert err.value.field == "payoffs[0]"

"""Nash equilibria of normal-form games: known answers from the literature, exactness, and a
cross-check against nashpy (test-only peer)."""

from __future__ import annotations

import warnings
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import hurwicz as hz
from hurwicz.core.errors import InputError
from hurwicz.games import Game, is_degenerate

F = Fraction


def _strats(eqs):
    return sorted(tuple(tuple(s) for s in e.strategies) for e in eqs)


def test_exposed_as_hz_games():
    assert hz.games.Game is Game


def test_matching_pennies_unique_mixed_equilibrium():
    # von Neumann & Morgenstern; every textbook: the unique equilibrium is (1/2, 1/2) each
    g = Game.bimatrix([[1, -1], [-1, 1]])
    half = (F(1, 2), F(1, 2))
    for method in ("vertex", "support", "lemke_howson"):
        eqs = g.nash(method)
        assert _strats(eqs) == [(half, half)], method
        assert eqs[0].regret == (0, 0)
    assert g.nash("pure") == []
    assert g.zero_sum().value == pytest.approx(0.0, abs=1e-9)


def test_battle_of_the_sexes_three_equilibria():
    # Battle of the sexes (Luce & Raiffa 1957): two pure equilibria and one mixed one in which
    # the row player plays her favourite with probability 2/3 and the column player 1/3
    g = Game([[[2, 0], [0, 1]], [[1, 0], [0, 2]]])
    expected = sorted([((F(1), F(0)), (F(1), F(0))), ((F(0), F(1)), (F(0), F(1))),
                       ((F(2, 3), F(1, 3)), (F(1, 3), F(2, 3)))])
    assert _strats(g.nash("vertex")) == expected
    assert _strats(g.nash("support")) == expected
    assert [e.profile for e in g.nash("pure")] == [(0, 0), (1, 1)]
    mixed = next(e for e in g.nash("vertex") if e.profile is None)
    assert mixed.payoffs == (F(2, 3), F(2, 3))


def test_rock_paper_scissors():
    # the unique equilibrium is uniform, the value is 0
    g = Game.bimatrix([[0, -1, 1], [1, 0, -1], [-1, 1, 0]])
    third = (F(1, 3),) * 3
    assert _strats(g.nash("vertex")) == [(third, third)]
    assert g.nash("lemke_howson")[0].strategies == (third, third)
    lp = g.nash("lp")[0]
    assert not lp.exact
    assert np.allclose(np.array(lp.strategies, float), 1 / 3, atol=1e-8)
    assert lp.max_regret < 1e-8


def test_zero_sum_value_2x2_formula():
    # 2×2 zero-sum without a saddle point: v = (ad − bc)/(a + d − b − c) = 1/7, and the row
    # player plays (d − c, a − b)/(a + d − b − c) = (3/7, 4/7) (e.g. Ferguson, Game Theory, §2.2)
    sol = Game.bimatrix([[3, -1], [-2, 1]]).zero_sum()
    assert sol.value == pytest.approx(1 / 7, abs=1e-9)
    assert sol.row == pytest.approx([3 / 7, 4 / 7], abs=1e-9)
    assert sol.column == pytest.approx([2 / 7, 5 / 7], abs=1e-9)


def test_von_stengel_degenerate_game_reports_the_continuum_by_its_ends():
    # von Stengel, "Computing equilibria for two-person games" (Handbook of Game Theory 3,
    # 2002), degenerate example (payoffs of Fig. 4): the top row has two best responses, and
    # ((1,0,0), (y, 1−y)) is an equilibrium for every y in [2/3, 1]. Its extreme equilibria are
    # the two ends of that segment and ((0,1/3,2/3), (1/3,2/3)).
    A = [[3, 3], [2, 5], [0, 6]]
    B = [[3, 3], [2, 6], [3, 1]]
    g = Game([A, B])
    assert is_degenerate(g)
    expected = sorted([((F(1), F(0), F(0)), (F(1), F(0))),
                       ((F(1), F(0), F(0)), (F(2, 3), F(1, 3))),
                       ((F(0), F(1, 3), F(2, 3)), (F(1, 3), F(2, 3)))])
    assert _strats(g.nash("vertex")) == expected
    # every point of the segment between the two extreme ends is an equilibrium too
    for y in (F(2, 3), F(5, 6), F(1)):
        assert g.regret([[1, 0, 0], [y, 1 - y]], exact=True) == (0, 0)
    with pytest.warns(hz.games.DegenerateGameWarning):
        g.nash("support")


def test_von_stengel_nondegenerate_example_three_equilibria():
    # same handbook, the nondegenerate 3×2 example: equilibria ((1,0,0),(1,0)),
    # ((0,1/3,2/3),(1/3,2/3)) and ((4/5,1/5,0),(2/3,1/3))
    g = Game([[[3, 3], [2, 5], [0, 6]], [[3, 2], [2, 6], [3, 1]]])
    assert not is_degenerate(g)
    expected = sorted([((F(1), F(0), F(0)), (F(1), F(0))),
                       ((F(0), F(1, 3), F(2, 3)), (F(1, 3), F(2, 3))),
                       ((F(4, 5), F(1, 5), F(0)), (F(2, 3), F(1, 3)))])
    assert _strats(g.nash("vertex")) == expected == _strats(g.nash("support"))


def test_fully_degenerate_game_all_pure_profiles():
    # a constant game: every profile is an equilibrium; the extreme ones are the 4 pure ones
    g = Game([[[1, 1], [1, 1]], [[0, 0], [0, 0]]])
    assert len(g.nash("vertex")) == 4
    assert len(g.nash("pure")) == 4


def test_three_player_pure_equilibria():
    # three-player coordination: everyone matching is an equilibrium (2 of them), nothing else
    U = np.zeros((2, 2, 2))
    U[0, 0, 0] = U[1, 1, 1] = 1
    g = Game([U, U, U])
    assert g.pure_nash() == [(0, 0, 0), (1, 1, 1)]
    with pytest.raises(InputError, match="two-player"):
        g.nash("vertex")


def test_lemke_howson_each_label_finds_an_extreme_equilibrium():
    g = Game([[[3, 3], [2, 5], [0, 6]], [[3, 2], [2, 6], [3, 1]]])
    extreme = _strats(g.nash("vertex"))
    for label in range(5):
        e = g.nash("lemke_howson", label=label)[0]
        assert e.regret == (0, 0)
        assert tuple(tuple(s) for s in e.strategies) in extreme


# --- errors and limits ------------------------------------------------------------------------
def test_nan_payoff_names_the_field():
    with pytest.raises(InputError, match=r"payoffs\[1\]\[0\]\[1\]"):
        Game([[[1, 2]], [[3, float("nan")]]])


def test_mismatched_shapes_name_the_field():
    with pytest.raises(InputError, match=r"payoffs\[1\]"):
        Game([[[1, 2], [3, 4]], [[1, 2, 3], [4, 5, 6]]])
    with pytest.raises(InputError, match="ragged"):
        Game([[[1, 2], [3]], [[1, 2], [3, 4]]])


def test_from_dict_validates_fields():
    doc = {"players": ["r", "c"], "actions": [["u", "d"], ["l", "r"]],
           "payoffs": [[[1, 0], [0, 1]], [[1, 0], [0, 1]]]}
    assert Game.from_dict(doc).actions == [["u", "d"], ["l", "r"]]
    with pytest.raises(InputError, match=r"actions\[1\]"):
        Game.from_dict({**doc, "actions": [["u", "d"], ["l"]]})
    with pytest.raises(InputError, match="payoffs"):
        Game.from_dict({"players": ["a"]})
    with pytest.raises(InputError, match="colour"):
        Game.from_dict({**doc, "colour": 1})


def test_large_game_refused_with_advice():
    g = Game([np.zeros((12, 12)), np.zeros((12, 12))])
    with pytest.raises(InputError, match="lemke_howson"):
        g.nash("vertex")


# --- properties -----------------------------------------------------------------------------
small_games = st.integers(2, 4).flatmap(lambda m: st.integers(2, 4).flatmap(
    lambda n: st.tuples(
        st.lists(st.lists(st.integers(-4, 4), min_size=n, max_size=n), min_size=m, max_size=m),
        st.lists(st.lists(st.integers(-4, 4), min_size=n, max_size=n), min_size=m, max_size=m))))


@given(small_games)
def test_every_returned_equilibrium_has_exactly_zero_regret(payoffs):
    g = Game(list(payoffs))
    eqs = g.nash("vertex")
    assert eqs, "every finite game has an equilibrium (Nash 1951)"
    for e in eqs:
        assert all(isinstance(p, F) for s in e.strategies for p in s)
        assert e.regret == (0, 0)
        assert all(sum(s) == 1 and min(s) >= 0 for s in e.strategies)
    lh = g.nash("lemke_howson")[0]
    assert lh.regret == (0, 0)
    assert tuple(tuple(s) for s in lh.strategies) in _strats(eqs)
    pure = {e.profile for e in g.nash("pure")}
    assert pure == {e.profile for e in eqs if e.profile is not None}


# --- cross-check with nashpy --------------------------------------------------------------------
nashpy = pytest.importorskip("nashpy")


def _nashpy_set(A, B):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return list(nashpy.Game(A, B).vertex_enumeration())


def _contains(ours, x, y):
    return any(np.allclose(np.array(e.strategies[0], float), x, atol=1e-9)
               and np.allclose(np.array(e.strategies[1], float), y, atol=1e-9) for e in ours)


def test_same_equilibria_as_nashpy_on_random_nondegenerate_games():
    rng = np.random.default_rng(2026)
    checked = 0
    while checked < 25:
        m, n = rng.integers(2, 5, 2)
        A, B = rng.normal(size=(m, n)), rng.normal(size=(m, n))  # nondegenerate a.s.
        g = Game([A, B])
        if is_degenerate(g):
            continue
        ours = g.nash("vertex")
        theirs = _nashpy_set(A, B)
        assert len(ours) == len(theirs)
        assert all(_contains(ours, x, y) for x, y in theirs)
        assert _strats(ours) == _strats(g.nash("support"))
        checked += 1


def test_superset_of_nashpy_on_random_degenerate_games():
    rng = np.random.default_rng(7)
    checked = 0
    while checked < 25:
        m, n = rng.integers(2, 5, 2)
        A, B = rng.integers(-2, 3, (m, n)), rng.integers(-2, 3, (m, n))
        g = Game([A, B])
        if not is_degenerate(g):
            continue
        ours = g.nash("vertex")
        for x, y in _nashpy_set(A, B):
            if max(g.regret([x, y])) > 1e-9:  # nashpy is not always right on these
                continue
            assert _contains(ours, x, y)
        checked += 1


# --- cross-check with Gambit's enummixed (optional: pygambit when it installs as a wheel) ----
def _gambit_set(A, B):
    gbt = pytest.importorskip("pygambit")
    cls = getattr(gbt, "StrategicGame", None) or gbt.Game
    if not hasattr(cls, "from_arrays"):
        pytest.skip("this pygambit has no from_arrays")
    g = cls.from_arrays(A, B)
    res = gbt.nash.enummixed_solve(g, rational=True)
    try:
        return {tuple(tuple(Fraction(str(v)) for _, v in list(eq[p])) for p in list(g.players))
                for eq in res.equilibria}
    except (TypeError, KeyError, AttributeError):
        pytest.skip("unfamiliar pygambit profile API")


def test_same_extreme_equilibria_as_gambit_enummixed_on_degenerate_games():
    # Gambit's enummixed enumerates every extreme equilibrium with rationals (degenerate games
    # included): the two sets must be equal, exactly
    rng = np.random.default_rng(5)
    for _ in range(60):
        m, n = rng.integers(2, 6, 2)
        A, B = rng.integers(-1, 2, (m, n)), rng.integers(-1, 2, (m, n))
        ours = {tuple(tuple(s) for s in e.strategies) for e in Game([A, B]).nash("vertex")}
        assert ours == _gambit_set(A, B)

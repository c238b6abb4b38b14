"""Atomic congestion games: Rosenthal's potential, best-response dynamics, enumeration."""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hurwicz.congestion import AtomicCongestionGame
from hurwicz.core.errors import InputError


def test_christodoulou_koutsoupias_instance_reaches_five_halves() -> None:
    # Christodoulou & Koutsoupias (2005), "The price of anarchy of finite congestion games",
    # lower-bound instance: linear atomic congestion games have PoA exactly 5/2 (also
    # Awerbuch, Azar & Epstein 2005); here the optimum costs 6 and the bad equilibrium 15
    g = AtomicCongestionGame.christodoulou_koutsoupias()
    assert g.optimum() == ((0, 0, 0), 6)
    assert set(g.pure_nash()) == {(0, 0, 0), (1, 1, 1)}
    assert g.social_cost((1, 1, 1)) == 15
    assert g.price_of_anarchy() == Fraction(5, 2)
    assert g.price_of_stability() == 1


def test_two_players_two_links_known_answers() -> None:
    # two players, two parallel links with c(k) = k: the equilibria are the two splits;
    # with c_a(k) = k, c_b(k) = 2 (an atomic Pigou): both on a (cost 2 each) is an
    # equilibrium (moving to b costs 2, no strict gain), and so is the split (1 + 2 = 3)
    g = AtomicCongestionGame.linear([[["a"], ["b"]]] * 2, {"a": 1, "b": 1})
    assert g.pure_nash() == [(0, 1), (1, 0)]
    pigou = AtomicCongestionGame([[["a"], ["b"]]] * 2, {"a": [1, 2], "b": [2, 2]})
    assert pigou.pure_nash() == [(0, 0), (0, 1), (1, 0)]
    assert pigou.optimum()[1] == 3
    assert pigou.price_of_anarchy() == Fraction(4, 3)


def random_game(draw_seed: int, players: int, resources: int) -> AtomicCongestionGame:
    import numpy as np

    rng = np.random.default_rng(draw_seed)
    names = [f"r{j}" for j in range(resources)]
    strategies = []
    for _ in range(players):
        options = []
        for _ in range(int(rng.integers(1, 4))):
            size = int(rng.integers(1, resources + 1))
            options.append(list(rng.choice(names, size=size, replace=False)))
        strategies.append(options)
    a = {r: int(rng.integers(0, 4)) for r in names}
    b = {r: int(rng.integers(0, 4)) for r in names}
    return AtomicCongestionGame.linear(strategies, a, b)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.integers(0, 10**6), st.integers(1, 4), st.integers(1, 4))
def test_rosenthal_potential_tracks_every_unilateral_deviation(seed: int, n: int, r: int
                                                               ) -> None:
    # Rosenthal (1973): Φ(s'_i, s_-i) − Φ(s) = c_i(s'_i, s_-i) − c_i(s), exactly
    g = random_game(seed, n, r)
    for profile in itertools.product(*[range(len(s)) for s in g.strategies]):
        costs = g.player_costs(profile)
        phi = g.potential(profile)
        for i in range(n):
            for k, dev_cost in enumerate(g.deviation_costs(profile, i)):
                moved = list(profile)
                moved[i] = k
                assert g.player_costs(moved)[i] == dev_cost
                assert g.potential(moved) - phi == dev_cost - costs[i]


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.integers(0, 10**6), st.integers(1, 5), st.integers(1, 5), st.integers(0, 99))
def test_best_response_dynamics_lowers_the_potential_to_an_equilibrium(
        seed: int, n: int, r: int, brd_seed: int) -> None:
    g = random_game(seed, n, r)
    run = g.best_response_dynamics(seed=brd_seed)
    assert run.equilibrium and g.is_nash(run.final)
    assert all(b < a for a, b in zip(run.potentials, run.potentials[1:]))
    assert run.final in g.pure_nash()


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.integers(0, 10**6), st.integers(1, 4), st.integers(1, 4))
def test_enumeration_matches_the_definition_and_linear_poa_is_at_most_five_halves(
        seed: int, n: int, r: int) -> None:
    g = random_game(seed, n, r)
    profiles = list(itertools.product(*[range(len(s)) for s in g.strategies]))
    assert g.pure_nash() == [p for p in profiles if g.is_nash(p)]
    assert g.pure_nash()  # Rosenthal: a pure equilibrium always exists
    # Christodoulou & Koutsoupias (2005), Awerbuch, Azar & Epstein (2005): ≤ 5/2 for
    # affine costs with nonnegative coefficients
    assert 1 <= g.price_of_stability() <= g.price_of_anarchy() <= Fraction(5, 2)


def test_errors_name_the_field() -> None:
    with pytest.raises(InputError, match=r"^strategies\[0\]\[0\]: resource 'z' has no cost"):
        AtomicCongestionGame([[["z"]]], {"a": [1]})
    with pytest.raises(InputError, match=r"^costs\.a: needs a cost for each load 1\.\.2"):
        AtomicCongestionGame([[["a"]], [["a"]]], {"a": [1]})
    with pytest.raises(InputError, match=r"^profile\[1\]: strategy index 3"):
        AtomicCongestionGame.christodoulou_koutsoupias().social_cost((0, 3, 0))
    big = AtomicCongestionGame([[["a"], ["b"], ["c"], ["d"]]] * 11, {
        r: list(range(1, 12)) for r in "abcd"})
    with pytest.raises(InputError, match=r"^strategies: 4194304 action profiles"):
        big.pure_nash()
    assert big.best_response_dynamics().equilibrium  # still fine without enumeration

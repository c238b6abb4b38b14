"""Correlated equilibria (LP on HiGHS) and learning dynamics."""

from __future__ import annotations

import numpy as np
import pytest

from hurwicz.core.errors import InputError
from hurwicz.games import Game, fictitious_play, hedge, regret_matching, replicator
from hurwicz.games.correlated import max_violation

# Aumann (1974), "Subjectivity and correlation in randomized strategies", the game of chicken
# (actions Dare, Chicken): (D,D) = (0,0), (D,C) = (7,2), (C,D) = (2,7), (C,C) = (6,6).
CHICKEN = Game([[[0, 7], [2, 6]], [[0, 2], [7, 6]]], actions=[["D", "C"], ["D", "C"]])
# Shapley (1964), "Some topics in two-person games": fictitious play does not converge.
SHAPLEY = Game([[[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[0, 1, 0], [0, 0, 1], [1, 0, 0]]])


def test_chicken_welfare_maximising_correlated_equilibrium():
    # the CE maximising the sum of payoffs puts 1/2 on (C,C) and 1/4 on each of (D,C), (C,D):
    # welfare 10.5 (5.25 each), above the best Nash equilibrium's 9 and Aumann's (1/3 each)
    # signal device's 10 (e.g. Nisan et al., Algorithmic Game Theory, ch. 1 / Aumann 1974)
    ce = CHICKEN.correlated("welfare")
    assert ce.value == pytest.approx(10.5, abs=1e-7)
    assert ce.distribution[("C", "C")] == pytest.approx(0.5, abs=1e-7)
    assert ce.distribution[("D", "C")] == pytest.approx(0.25, abs=1e-7)
    assert ce.distribution[("C", "D")] == pytest.approx(0.25, abs=1e-7)
    assert ce.payoffs == pytest.approx((5.25, 5.25), abs=1e-7)
    assert ce.regret <= 1e-9
    # Aumann's device: 1/3 each on (C,C), (D,C), (C,D) is a correlated equilibrium
    assert max_violation(CHICKEN, np.array([[0, 1 / 3], [1 / 3, 1 / 3]])) <= 1e-12
    # ... and the pure (C,C) is not
    assert max_violation(CHICKEN, np.array([[0, 0], [0, 1.0]])) == pytest.approx(1.0)


def test_player_objective_and_coarse_relaxation():
    best_for_row = CHICKEN.correlated(("player", 0))
    assert best_for_row.payoffs[0] == pytest.approx(7.0, abs=1e-7)  # the pure NE (D, C)
    ce = CHICKEN.correlated("welfare")
    cce = CHICKEN.correlated("welfare", coarse=True)
    assert cce.value >= ce.value - 1e-9  # CE ⊆ CCE
    assert cce.regret <= 1e-9
    feas = CHICKEN.correlated("feasibility")
    assert max_violation(CHICKEN, feas.probabilities) <= 1e-9
    with pytest.raises(InputError, match="objective"):
        CHICKEN.correlated("money")


def test_correlated_equilibrium_of_three_players():
    U = np.zeros((2, 2, 2))
    U[0, 0, 0] = U[1, 1, 1] = 1
    ce = Game([U, U, U]).correlated("welfare")
    assert ce.value == pytest.approx(3.0, abs=1e-7)
    assert ce.regret <= 1e-9


def test_shapley_fictitious_play_cycles():
    # Shapley (1964): the unique equilibrium is uniform, and fictitious play's empirical
    # frequencies circle a triangle forever: a long run must not be declared converged
    for seed in (0, 1):
        r = fictitious_play(SHAPLEY, rounds=6000, seed=seed, initial=(0, 0))
        assert r.verdict == "cycling" and not r.converged
        assert r.exploitability[-1][1] > 0.1


def test_fictitious_play_matching_pennies_approaches_equilibrium():
    # Robinson (1951): fictitious play converges in zero-sum games
    r = fictitious_play(Game.bimatrix([[1, -1], [-1, 1]]), rounds=6000, seed=0)
    assert r.verdict in ("converging", "converged")
    assert r.exploitability[-1][1] < r.exploitability[0][1]


def test_fictitious_play_is_seeded():
    a = fictitious_play(SHAPLEY, rounds=500, seed=3)
    b = fictitious_play(SHAPLEY, rounds=500, seed=3)
    assert a.average == b.average


def test_replicator_dominant_strategy():
    pd = Game([[[3, 0], [5, 1]], [[3, 5], [0, 1]]])
    r = replicator(pd, rounds=800, seed=0)
    assert r.final[0][1] > 0.999 and r.final[1][1] > 0.999
    assert r.verdict == "converged"


def test_hedge_regret_within_bound_and_zero_sum_convergence():
    rps = Game.bimatrix([[0, -1, 1], [1, 0, -1], [-1, 1, 0]])
    r = hedge(rps, rounds=4000, seed=0)
    for reg, bound in zip(r.extra["regret"], r.extra["regret_bound"]):
        assert reg <= bound
    assert np.allclose(r.average, 1 / 3, atol=0.05)
    # any learning rate: regret ≤ ln k / η + η T R² / 8 (Freund & Schapire 1999)
    r = hedge(CHICKEN, rounds=1000, seed=1, eta=0.3)
    for reg, bound in zip(r.extra["regret"], r.extra["regret_bound"]):
        assert reg <= bound
    with pytest.raises(InputError, match="eta"):
        hedge(CHICKEN, rounds=10, eta=-1.0)


def test_regret_matching_approaches_coarse_correlated_equilibria():
    r = regret_matching(CHICKEN, rounds=6000, seed=0)
    assert r.extra["cce_violation"] < 0.1
    r2 = regret_matching(CHICKEN, rounds=6000, seed=0)
    assert r.average == r2.average


def test_dynamics_validate_rounds():
    with pytest.raises(InputError, match="rounds"):
        hedge(CHICKEN, rounds=0)

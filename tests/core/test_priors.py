"""Priors: parsing, distribution functions against closed forms, sampling moments, errors."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hurwicz.core.errors import PriorError
from hurwicz.core.priors import (
    Beta,
    Discrete,
    Exponential,
    Normal,
    Uniform,
    parse_prior,
    parse_priors,
    sample_profiles,
)

SPECS = [
    "uniform:0,1",
    "uniform:2,5",
    "exponential:2",
    "beta:2,3",
    "normal:1,0.5",
    "discrete:1,2,4@0.25,0.25,0.5",
    "mixture:1*uniform:0,1|3*exponential:1",
]


@pytest.mark.parametrize("spec", SPECS)
def test_sample_mean_within_monte_carlo_error(spec: str) -> None:
    prior = parse_prior(spec)
    draws = prior.sample(np.random.default_rng(0), 200_000)
    se = draws.std(ddof=1) / math.sqrt(draws.size)
    assert abs(draws.mean() - prior.mean()) < 5 * se


@pytest.mark.parametrize("spec", SPECS)
def test_empirical_cdf_matches_cdf(spec: str) -> None:
    prior = parse_prior(spec)
    draws = prior.sample(np.random.default_rng(1), 100_000)
    for x in np.quantile(draws, [0.1, 0.5, 0.9]):
        empirical = (draws <= x).mean()
        # binomial standard error of an empirical proportion
        se = math.sqrt(max(empirical * (1 - empirical), 1e-4) / draws.size)
        assert abs(empirical - float(prior.cdf(x))) < 5 * se + 1e-12


@pytest.mark.parametrize("spec", [s for s in SPECS if not s.startswith("discrete")])
def test_quantile_inverts_cdf(spec: str) -> None:
    prior = parse_prior(spec)
    q = np.array([0.05, 0.3, 0.5, 0.8, 0.95])
    assert np.allclose(prior.cdf(prior.quantile(q)), q, atol=1e-7)


@pytest.mark.parametrize("spec", [s for s in SPECS if not s.startswith("discrete")])
def test_pdf_is_derivative_of_cdf(spec: str) -> None:
    prior = parse_prior(spec)
    xs = prior.quantile(np.array([0.2, 0.5, 0.7]))
    h = 1e-6
    numeric = (prior.cdf(xs + h) - prior.cdf(xs - h)) / (2 * h)
    assert np.allclose(numeric, prior.pdf(xs), rtol=1e-4)


def test_closed_forms() -> None:
    assert float(Uniform(0, 4).cdf(1)) == 0.25
    assert float(Exponential(1).cdf(1)) == pytest.approx(1 - math.exp(-1))
    assert float(Beta(2, 1).cdf(0.5)) == pytest.approx(0.25)  # F(x) = x^2
    # half-normal mean sigma*sqrt(2/pi) (truncation of N(0, 1) at 0)
    assert Normal(0, 1).mean() == pytest.approx(math.sqrt(2 / math.pi))
    assert float(Normal(0, 1).cdf(0.0)) == 0.0


def test_uniform_virtual_value_is_2v_minus_1() -> None:
    # Myerson (1981): φ(v) = v − (1 − F(v))/f(v) = 2v − 1 on U[0, 1]
    v = np.linspace(0.1, 0.9, 9)
    assert np.allclose(Uniform(0, 1).virtual_value(v), 2 * v - 1)


def test_discrete_keeps_exact_fractions() -> None:
    p = parse_prior("discrete:3,1@2/3,1/3")
    assert p.exact_values == (Fraction(1), Fraction(3))
    assert p.exact_probabilities == (Fraction(1, 3), Fraction(2, 3))
    assert float(p.pdf(3.0)) == pytest.approx(2 / 3)
    assert float(p.pdf(2.0)) == 0.0
    assert float(p.quantile(0.2)) == 1.0 and float(p.quantile(0.5)) == 3.0


def test_discrete_equal_probabilities_by_default() -> None:
    assert parse_prior("discrete:1,2,3,4").exact_probabilities == (Fraction(1, 4),) * 4


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("uniform:1,0", "LO < HI"),
        ("uniform:-1,1", "LO >= 0"),
        ("exponential:0", "MEAN > 0"),
        ("beta:0,1", "A > 0"),
        ("normal:0,-1", "SIGMA > 0"),
        ("discrete:1,2@0.5,0.6", "sum to"),
        ("discrete:1,1", "twice"),
        ("gamma:1,2", "not a known prior"),
        ("uniform:a,b", "not a number"),
        ("beta:1", "exactly 2"),
        ("mixture:uniform:0,1", "WEIGHT*SPEC"),
    ],
)
def test_bad_specs_name_the_problem(spec: str, words: str) -> None:
    with pytest.raises(PriorError) as info:
        parse_prior(spec)
    assert words in str(info.value)
    assert str(info.value).startswith("prior:")


def test_per_agent_priors_and_profile_sampling() -> None:
    priors = parse_priors(["uniform:0,1", "uniform:10,11"], 2)
    profiles = sample_profiles(priors, np.random.default_rng(0), 1000)
    assert profiles.shape == (1000, 2)
    assert profiles[:, 0].max() <= 1 and profiles[:, 1].min() >= 10
    with pytest.raises(PriorError, match="2 priors for 3 agents"):
        parse_priors(["uniform:0,1", "uniform:0,2"], 3)


@given(st.floats(0, 50), st.floats(0, 50))
def test_cdf_is_monotone(x: float, y: float) -> None:
    lo, hi = min(x, y), max(x, y)
    for spec in SPECS:
        prior = parse_prior(spec)
        assert float(prior.cdf(lo)) <= float(prior.cdf(hi)) + 1e-12
        assert 0.0 <= float(prior.cdf(lo)) <= 1.0


def test_sampling_replays_with_the_same_seed() -> None:
    p = Discrete([1, 2, 3], None)
    a = p.sample(np.random.default_rng(42), 50)
    b = p.sample(np.random.default_rng(42), 50)
    assert np.array_equal(a, b)

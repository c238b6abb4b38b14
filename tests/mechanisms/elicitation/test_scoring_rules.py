"""Scoring rules: known values, exact expected scores (Fractions), properness, errors.

References: Gneiting & Raftery (2007), "Strictly proper scoring rules, prediction, and
estimation", JASA 102:359–378 — quadratic score (eq. 19 region, §3.1: S(p, i) = 2p_i − Σp_j² − 1),
spherical score (§3.1), CRPS definition ∫(F(x) − 1{x ≥ y})² dx (eq. 20) and kernel form (eq. 21),
CRPS of a normal (eq. 5), interval score (eq. 43). Brier (1950), Mon. Weather Rev. 78:1–3.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad
from scipy.stats import norm

import hurwicz as hz
from hurwicz.core.errors import InputError
from hurwicz.mechanisms.elicitation import rules
from hurwicz.mechanisms.elicitation.scoring import LinearScore


def run(name: str, forecasts: dict, outcome, **params):
    return hz.mechanism(name, **params).run({"forecasts": forecasts, "outcome": outcome})


# --- categorical rules: worked numbers ----------------------------------------------------------
def test_brier_known_value_and_payment_sign() -> None:
    # Brier (1950): Σ (f_j − o_j)² = (0.7 − 1)² + (0.3 − 0)² = 0.18; the reward is −0.18,
    # so the forecaster *pays* 0.18 (payments: positive = the agent pays)
    out = run("elicitation.brier", {"ann": {"yes": 0.7, "no": 0.3}}, "yes")
    assert out.result["scores"]["ann"] == pytest.approx(-0.18, abs=1e-15)
    assert out.payments["ann"] == pytest.approx(0.18, abs=1e-15)
    assert out.allocation == {"ann": 0}


def test_log_and_spherical_known_values() -> None:
    out = run("elicitation.log_score", {"a": {"x": 0.25, "y": 0.75}}, "y", scale=2)
    assert out.result["scores"]["a"] == pytest.approx(math.log(0.75), abs=1e-15)
    assert out.payments["a"] == pytest.approx(-2 * math.log(0.75), abs=1e-15)
    # spherical: p_y/‖p‖ = 0.75/√(0.0625 + 0.5625) = 3/√10
    out = run("elicitation.spherical", {"a": {"x": 0.25, "y": 0.75}}, "y")
    assert out.result["scores"]["a"] == pytest.approx(3 / math.sqrt(10), abs=1e-15)


def test_exact_expected_quadratic_score_is_minus_squared_distance() -> None:
    # G&R 2007 §3.2: the quadratic score's expected loss from misreporting q under belief b
    # is ‖b − q‖². Exact in rationals: b = (7/10, 3/10), q = (1, 0): ‖b − q‖² = 9/50.
    b = [Fraction(7, 10), Fraction(3, 10)]
    truth = rules.expected_score("quadratic", b, b)
    lie = rules.expected_score("quadratic", b, [Fraction(1), Fraction(0)])
    assert truth == Fraction(-21, 50)
    assert truth - lie == Fraction(9, 50)


def test_linear_score_is_improper_exactly() -> None:
    # E[p_y] under b = (7/10, 3/10): truthful 0.49 + 0.09 = 29/50 < 7/10 for the point mass
    b = [Fraction(7, 10), Fraction(3, 10)]
    assert rules.expected_score("linear", b, b) == Fraction(29, 50)
    assert rules.expected_score("linear", b, [1, 0]) == Fraction(7, 10)


def test_log_score_expected_loss_is_kl_divergence() -> None:
    b, q = [0.5, 0.5], [0.25, 0.75]
    kl = 0.5 * math.log(0.5 / 0.25) + 0.5 * math.log(0.5 / 0.75)
    gap = rules.expected_score("log", b, b) - rules.expected_score("log", b, q)
    assert gap == pytest.approx(kl, abs=1e-15)


probs = st.lists(st.floats(0.01, 1.0), min_size=2, max_size=5)


@settings(max_examples=60, deadline=None)
@given(probs, st.data())
def test_proper_rules_maximise_expected_score_at_the_belief(raw, data) -> None:
    b = np.array(raw) / sum(raw)
    other = np.array(data.draw(st.lists(st.floats(0.01, 1.0), min_size=len(raw),
                                        max_size=len(raw))))
    q = other / other.sum()
    for rule in ("log", "quadratic", "spherical"):
        assert rules.expected_score(rule, b, b) >= rules.expected_score(rule, b, q) - 1e-12


def test_the_proper_audit_finds_the_linear_rules_misreport() -> None:
    rep = hz.audit(LinearScore(), properties=["proper"],
                   inputs=[{"forecasts": {"a": {"x": 0.7, "y": 0.3}}, "outcome": "x"}])
    check = rep.check("proper")
    assert check.holds is False
    ce = check.counterexample
    assert ce["report"] == {"x": 1.0, "y": 0.0}
    assert ce["deviating_expected_utility"] - ce["truthful_expected_utility"] == \
        pytest.approx(0.7 - 0.58)


def test_the_proper_audit_passes_strictly_proper_rules() -> None:
    for name in ("elicitation.log_score", "elicitation.brier", "elicitation.spherical",
                 "elicitation.crps", "elicitation.pinball"):
        check = hz.audit(name, properties=["proper"], samples=8, seed=3).check("proper")
        assert check.holds is True, (name, check.counterexample)
        assert check.budget["deviations"] > 50


# --- errors -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("data", "field", "text"), [
    ({"forecasts": {"ann": {"yes": 0.7, "no": 0.2}}, "outcome": "yes"}, "forecasts.ann",
     "sum to 0.9"),
    ({"forecasts": {"ann": {"yes": 0.7, "no": 0.3}}, "outcome": "maybe"}, "outcome",
     "not one of"),
    ({"forecasts": {"ann": {"yes": 1.0}}, "outcome": "yes", "outcomes": ["yes", "no"]},
     "forecasts.ann", "no probability for 'no'"),
    ({"forecasts": {"ann": {"yes": 0.5, "no": 0.5, "x": 0.0}}, "outcome": "yes",
      "outcomes": ["yes", "no"]}, "forecasts.ann.x", "not one of"),
    ({"forecasts": {"ann": {"yes": 1.2, "no": -0.2}}, "outcome": "yes"}, "forecasts.ann",
     ""),
])
def test_bad_forecasts_are_refused_naming_the_field(data, field, text) -> None:
    with pytest.raises(InputError) as err:
        hz.mechanism("elicitation.brier").run(data)
    assert str(err.value).startswith(field) and text in str(err.value)


def test_probability_tolerance_is_one_in_a_million() -> None:
    ok = {"forecasts": {"a": {"x": 0.5 + 4e-7, "y": 0.5}}, "outcome": "x"}
    hz.mechanism("elicitation.brier").run(ok)
    bad = {"forecasts": {"a": {"x": 0.5 + 2e-6, "y": 0.5}}, "outcome": "x"}
    with pytest.raises(InputError, match="tolerance 1e-06"):
        hz.mechanism("elicitation.brier").run(bad)


def test_log_score_of_an_impossible_outcome_is_an_error() -> None:
    with pytest.raises(InputError, match=r"forecasts\.a\.x: probability 0"):
        run("elicitation.log_score", {"a": {"x": 0.0, "y": 1.0}}, "x")


# --- real-valued forecasts ------------------------------------------------------------------------
def test_crps_of_an_ensemble_is_the_integral_of_the_squared_cdf_gap() -> None:
    # G&R eq. 20 by hand for members {1, 2, 3}, y = 0: ∫_0^1 1 + ∫_1^2 (2/3)² + ∫_2^3 (1/3)²
    assert float(rules.crps_ensemble(0.0, [1.0, 2.0, 3.0])) == pytest.approx(
        float(Fraction(14, 9)), abs=1e-15)
    out = run("elicitation.crps", {"ens": [3.0, 1.0, 2.0]}, 0.0)
    assert out.result["crps"]["ens"] == pytest.approx(14 / 9, abs=1e-15)
    assert out.result["scores"]["ens"] == pytest.approx(-14 / 9, abs=1e-15)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-50, 50), min_size=1, max_size=12), st.floats(-60, 60))
def test_sorted_crps_formula_equals_the_quadratic_pairwise_formula(members, y) -> None:
    x = np.array(members)
    pairwise = np.abs(x - y).mean() - 0.5 * np.abs(x[:, None] - x[None, :]).mean()
    assert float(rules.crps_ensemble(y, x)) == pytest.approx(pairwise, rel=1e-12, abs=1e-12)
    if len(x) > 1:
        fair = np.abs(x - y).mean() - np.abs(x[:, None] - x[None, :]).sum() / (
            2 * len(x) * (len(x) - 1))
        assert float(rules.crps_ensemble(y, x, fair=True)) == pytest.approx(fair, rel=1e-12,
                                                                            abs=1e-12)


@pytest.mark.parametrize(("y", "mu", "sigma"), [(0.0, 0.0, 1.0), (1.3, -0.2, 0.7),
                                                (-4.0, 2.0, 3.0)])
def test_crps_normal_closed_form_matches_the_definition(y, mu, sigma) -> None:
    below, _ = quad(lambda t: norm.cdf(t, mu, sigma) ** 2, -np.inf, y)
    above, _ = quad(lambda t: (1 - norm.cdf(t, mu, sigma)) ** 2, y, np.inf)
    assert float(rules.crps_normal(y, mu, sigma)) == pytest.approx(below + above, rel=1e-8)
    if y == mu == 0.0:  # G&R eq. 5 at z = 0: σ(√2 − 1)/√π
        assert float(rules.crps_normal(y, mu, sigma)) == pytest.approx(
            (math.sqrt(2) - 1) / math.sqrt(math.pi), abs=1e-15)


def test_crps_agrees_with_properscoring() -> None:
    ps = pytest.importorskip("properscoring")
    rng = np.random.default_rng(0)
    ens, obs = rng.normal(size=(500, 20)), rng.normal(size=500)
    np.testing.assert_allclose(rules.crps_ensemble(obs, ens), ps.crps_ensemble(obs, ens),
                               rtol=0, atol=1e-12)
    mu, sd = rng.normal(size=500), rng.uniform(0.1, 3, size=500)
    np.testing.assert_allclose(rules.crps_normal(obs, mu, sd), ps.crps_gaussian(obs, mu, sd),
                               rtol=0, atol=1e-12)


def test_expected_crps_of_normals_is_minimised_at_the_belief() -> None:
    base = float(rules.expected_crps_normal(0.0, 1.0, 0.0, 1.0))
    # E CRPS(N(0,1), Y ~ N(0,1)) = E|X − Y| − 1/√π = 2/√π − 1/√π = 1/√π
    assert base == pytest.approx(1 / math.sqrt(math.pi), abs=1e-15)
    for mu, sd in [(0.2, 1.0), (0.0, 0.8), (0.0, 1.3), (-1.0, 2.0)]:
        assert float(rules.expected_crps_normal(mu, sd, 0.0, 1.0)) > base


def test_pinball_and_interval_scores() -> None:
    assert float(rules.pinball_loss(7.0, 5.0, 0.75)) == 1.5
    assert float(rules.pinball_loss(3.0, 5.0, 0.75)) == 0.5
    out = hz.mechanism("elicitation.pinball", quantile=0.75).run(
        {"forecasts": {"a": 5.0, "b": 8.0}, "outcome": 7.0})
    assert out.result["loss"] == {"a": 1.5, "b": 0.25}
    assert out.payments == {"a": 1.5, "b": 0.25}
    # G&R eq. 43: width plus 2/α times the miss
    assert float(rules.interval_score(5.0, 4.0, 6.0, 0.1)) == 2.0
    assert float(rules.interval_score(7.0, 4.0, 6.0, 0.1)) == 2.0 + 20.0
    assert float(rules.interval_score(3.0, 4.0, 6.0, 0.5)) == 2.0 + 4.0


def test_vectorised_over_a_million_forecasts() -> None:
    rng = np.random.default_rng(1)
    p = rng.dirichlet(np.ones(3), size=10**6)
    y = rng.integers(0, 3, size=10**6)
    s = rules.quadratic_score(p, y)
    assert s.shape == (10**6,)
    assert np.all(s <= 0) and np.all(s >= -2)


def test_crps_refuses_an_empty_ensemble_and_a_bad_sd() -> None:
    with pytest.raises(InputError, match=r"forecasts\.a: an ensemble needs"):
        run("elicitation.crps", {"a": []}, 0.0)
    with pytest.raises(InputError, match=r"forecasts\.a"):
        run("elicitation.crps", {"a": {"mean": 0.0, "sd": 0.0}}, 0.0)


def test_crps_normal_with_a_vanishing_sd_is_the_absolute_error() -> None:
    """As σ → 0 the normal forecast is a point mass at μ and its CRPS is |y − μ| (Gneiting &
    Raftery 2007, §4.2: the CRPS generalises the absolute error). The closed form
    σ[z(2Φ(z) − 1) + …] gave inf for sd = 1e-320 (σ·z with z = inf)."""
    out = hz.mechanism("elicitation.crps").run(
        {"forecasts": {"a": {"mean": 0.0, "sd": 1e-320}, "b": {"mean": 2.0, "sd": 1e-320}},
         "outcome": 1.0})
    assert out.result["crps"] == {"a": pytest.approx(1.0), "b": pytest.approx(1.0)}
    assert float(rules.crps_normal(1.0, 1.0, 1e-320)) == pytest.approx(0.0, abs=1e-300)

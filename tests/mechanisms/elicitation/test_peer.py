"""Peer prediction, truth serums and their equilibrium analysis.

References (formulas pinned in docs/elicitation.md):
- Miller, Resnick & Zeckhauser (2005), "Eliciting informative feedback: the peer-prediction
  method", Management Science 51(9):1359–1373 — payment R(g(·|r_i), r_j), truthful strict BNE
  under stochastic relevance (Proposition 1).
- Dasgupta & Ghosh (2013), "Crowdsourced judgement elicitation with endogenous proficiency",
  WWW — binary multi-task payment (§3); truthful is an equilibrium and pays the most when
  signals are positively correlated.
- Shnayder, Agarwal, Frongillo & Parkes (2016), "Informed truthfulness in multi-task peer
  prediction", EC — correlated agreement, expected payment Σ S(x,y)Δ(x,y) (Lemma 3.2).
- Radanovic, Faltings & Jurca (2016), "Incentives for effort in crowdsourcing using the peer
  truth serum", ACM TIST 7(4) — 1{x = y}/R(x) − 1, truthful under self-predicting beliefs.
- Prelec (2004), "A Bayesian truth serum for subjective data", Science 306:462–466 — eqs. 2–3;
  with α = 1 the scores sum to zero.
- Witkowski & Parkes (2012), "A robust Bayesian truth serum for small populations", AAAI —
  RBTS (§4), truthful strict BNE for n ≥ 3 (Theorem 1); BTS is not truthful for small n (§1).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hurwicz as hz
from hurwicz.core.errors import InputError, ParameterError
from hurwicz.mechanisms.elicitation.model import SignalModel, simulate_crowd, truthfulness

# prior ½/½ over good/bad items; a good item looks "h" with probability 4/5, a bad one 1/5
SYMMETRIC = {"prior": {"g": 0.5, "b": 0.5},
             "signal_given_state": {"g": {"h": 0.8, "l": 0.2}, "b": {"h": 0.2, "l": 0.8}}}


def test_output_agreement_pays_agreement_and_uninformative_profiles_pay_more() -> None:
    out = hz.mechanism("elicitation.output_agreement").run(
        {"reports": {"a": {"t1": "h", "t2": "l"}, "b": {"t1": "h", "t2": "h"}}})
    assert out.result["scores"] == {"a": 1.0, "b": 1.0}
    assert out.payments == {"a": -1.0, "b": -1.0}
    rep = truthfulness("elicitation.output_agreement", SYMMETRIC)
    # P(agree) under truth = P(h,h) + P(l,l) = 2·(½·(16/25) + ½·(1/25)) = 17/25
    assert rep.expected["truthful"]["mean"] == pytest.approx(float(Fraction(17, 25)), abs=1e-15)
    # everyone saying "h" agrees always: the known weakness of output agreement
    assert rep.expected["constant:h"]["mean"] == 1.0
    assert rep.uninformative_pays_more is True


def test_mrz_peer_prediction_hand_computed_with_fractions() -> None:
    # g(h | h) = P(g|h)·4/5 + P(b|h)·1/5 = 4/5·4/5 + 1/5·1/5 = 17/25; quadratic rule as MRZ
    # 2005 §2 state it, R(s_j | s_i) = 2g(s_j | s_i) − Σ_h g(s_h | s_i)², on the peer's
    # report h: 2·17/25 − ((17/25)² + (8/25)²) = 497/625 (version 1 subtracted 1 more)
    g = Fraction(17, 25)
    want = 2 * g - (g**2 + (1 - g) ** 2)
    assert want == Fraction(497, 625)
    data = {"reports": {"a": {"t": "h"}, "b": {"t": "h"}}, **SYMMETRIC}
    out = hz.mechanism("elicitation.peer_prediction", rule="quadratic").run(data)
    assert out.result["scores"]["a"] == pytest.approx(float(want), abs=1e-15)
    out = hz.mechanism("elicitation.peer_prediction", rule="log").run(data)
    assert out.result["scores"]["a"] == pytest.approx(math.log(17 / 25), abs=1e-15)


@pytest.mark.parametrize("rule", ["log", "quadratic", "spherical"])
def test_mrz_truth_is_a_strict_equilibrium_under_stochastic_relevance(rule) -> None:
    m = hz.mechanism("elicitation.peer_prediction", rule=rule)
    model = {"prior": {"g": 0.3, "b": 0.7},
             "signal_given_state": {"g": {"h": 0.7, "m": 0.2, "l": 0.1},
                                    "b": {"h": 0.2, "m": 0.3, "l": 0.5}}}
    rep = truthfulness(m, model)
    assert rep.truthful_equilibrium and rep.max_gain < 0


def test_dasgupta_ghosh_expected_payment_and_equilibrium() -> None:
    rep = truthfulness("elicitation.dasgupta_ghosh", SYMMETRIC)
    # P(agree, same task) − P(agree, independent tasks) = 17/25 − 1/2 = 9/50
    assert rep.expected["truthful"]["mean"] == pytest.approx(float(Fraction(9, 50)), abs=1e-15)
    assert rep.expected["constant:h"]["mean"] == pytest.approx(0.0, abs=1e-15)
    assert rep.expected["flip"]["mean"] == pytest.approx(float(Fraction(9, 50)), abs=1e-15)
    assert rep.truthful_equilibrium and rep.uninformative_pays_more is False


def test_dasgupta_ghosh_expectation_matches_simulation() -> None:
    rep = truthfulness("elicitation.dasgupta_ghosh", SYMMETRIC)
    sim = simulate_crowd("elicitation.dasgupta_ghosh", SYMMETRIC, {"honest": 3}, tasks=1500,
                         seed=4)
    got = sim.per_type["honest"]["mean_score_per_task"]
    # each task score is in [−1, 1]; 4500 of them: a 0.04 band is > 3 standard errors
    assert abs(got - rep.expected["truthful"]["mean"]) < 0.04


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(st.sampled_from("hl"), min_size=5, max_size=5), min_size=2,
                max_size=4))
def test_correlated_agreement_with_identity_is_dasgupta_ghosh(rows) -> None:
    data = {"reports": {f"a{i}": {f"t{j}": x for j, x in enumerate(r)}
                        for i, r in enumerate(rows)}, "signals": ["h", "l"]}
    dg = hz.mechanism("elicitation.dasgupta_ghosh").run(data).result["task_scores"]
    ca = hz.mechanism("elicitation.correlated_agreement").run(data).result["task_scores"]
    assert dg == ca


def test_correlated_agreement_is_informed_truthful_for_any_correlation() -> None:
    # a model where signal "m" is positively correlated with "h" (Δ(h, m) > 0): S = sign Δ
    model = {"prior": {"w1": 0.5, "w2": 0.5},
             "signal_given_state": {"w1": {"h": 0.5, "m": 0.4, "l": 0.1},
                                    "w2": {"h": 0.1, "m": 0.2, "l": 0.7}}}
    rep = truthfulness("elicitation.correlated_agreement", model)
    assert rep.bic
    assert rep.expected["truthful"]["mean"] > max(rep.expected[f"constant:{x}"]["mean"]
                                                  for x in "hml")


def test_peer_truth_serum_known_values_and_self_prediction() -> None:
    data = {"reports": {"a": {"t": "h"}, "b": {"t": "h"}, "c": {"t": "l"}},
            "prior": {"h": 0.25, "l": 0.75}}
    out = hz.mechanism("elicitation.peer_truth_serum").run(data)
    # peers cycle a → b → c → a: a agrees on a rare answer (1/¼ − 1 = 3), b and c disagree
    assert out.result["scores"] == {"a": 3.0, "b": -1.0, "c": -1.0}
    rep = truthfulness("elicitation.peer_truth_serum", SYMMETRIC)
    assert rep.truthful_equilibrium
    # with R the prior, truthful reporting pays Σ_x P(x, x)/R(x) − 1 = 2·(17/50)/(1/2) − 1
    assert rep.expected["truthful"]["mean"] == pytest.approx(float(Fraction(9, 25)), abs=1e-14)


def test_bts_hand_computed() -> None:
    data = {"answers": {"a": "x", "b": "y"},
            "predictions": {"a": {"x": 0.6, "y": 0.4}, "b": {"x": 0.5, "y": 0.5}}}
    out = hz.mechanism("elicitation.bts", alpha=0.5).run(data)
    log_ybar_x = (math.log(0.6) + math.log(0.5)) / 2
    info_a = math.log(0.5) - log_ybar_x
    pred_a = 0.5 * math.log(0.6 / 0.5) + 0.5 * math.log(0.4 / 0.5)
    assert out.result["information_scores"]["a"] == pytest.approx(info_a, abs=1e-15)
    assert out.result["prediction_scores"]["a"] == pytest.approx(pred_a, abs=1e-15)
    assert out.result["scores"]["a"] == pytest.approx(info_a + 0.5 * pred_a, abs=1e-15)
    assert out.result["geometric_means"]["x"] == pytest.approx(math.sqrt(0.3), abs=1e-15)


answers = st.lists(st.sampled_from("xyz"), min_size=2, max_size=8)


@settings(max_examples=60, deadline=None)
@given(answers, st.data())
def test_bts_with_alpha_one_is_zero_sum(ans, data) -> None:
    preds = {}
    for i in range(len(ans)):
        w = np.array(data.draw(st.lists(st.floats(0.05, 1.0), min_size=3, max_size=3)))
        w = w / w.sum()
        preds[f"r{i}"] = {"x": float(w[0]), "y": float(w[1]), "z": 1.0 - float(w[0] + w[1])}
    out = hz.mechanism("elicitation.bts", alpha=1.0).run(
        {"answers": {f"r{i}": a for i, a in enumerate(ans)}, "predictions": preds,
         "options": ["x", "y", "z"]})
    assert math.fsum(out.result["scores"].values()) == pytest.approx(0.0, abs=1e-12)
    assert math.fsum(out.payments.values()) == pytest.approx(0.0, abs=1e-12)


def test_robust_bts_hand_computed() -> None:
    # a's reference is b (y_b = P(1) = 0.6), a answered 1: shadow 0.6 + min(0.6, 0.4) = 1.0;
    # a's peer c answered 0: R(1.0, 0) = 1 − 1² = 0 and R(0.8, 0) = 1 − 0.8² = 0.36
    data = {"answers": {"a": "1", "b": "1", "c": "0"},
            "predictions": {"a": {"1": 0.8, "0": 0.2}, "b": {"1": 0.6, "0": 0.4},
                            "c": {"1": 0.3, "0": 0.7}}}
    out = hz.mechanism("elicitation.robust_bts").run(data)
    assert out.result["scores"]["a"] == pytest.approx(0.36, abs=1e-15)
    assert out.result["roles"]["a"] == {"reference": "b", "peer": "c"}
    # c: reference a (P(0) = 0.2), answered 0: shadow 0.2 + 0.2 = 0.4 for "0"; peer b said 1:
    # R = 1 − 0.4² = 0.84 ... in P(1) terms: y' = 0.6, R(0.6, 1) = 2·0.6 − 0.36 = 0.84;
    # own R(0.3, 1) = 0.6 − 0.09 = 0.51
    assert out.result["scores"]["c"] == pytest.approx(0.84 + 0.51, abs=1e-15)


def test_rbts_is_truthful_for_three_agents_while_bts_is_not() -> None:
    model = {"prior": {"g": 0.5, "b": 0.5},
             "signal_given_state": {"g": {"h": 0.8, "l": 0.2}, "b": {"h": 0.3, "l": 0.7}}}
    rbts = truthfulness("elicitation.robust_bts", model)
    assert rbts.truthful_equilibrium and rbts.deviations > 50
    bts = truthfulness("elicitation.bts", model)
    assert bts.bic is False  # Witkowski & Parkes 2012 §1: BTS needs a large population
    assert bts.best_deviation["gain"] > 0
    audit = hz.audit("elicitation.bts", properties=["bic"], samples=3, seed=0).check("bic")
    assert audit.holds is False and audit.counterexample["gain"] > 0


def test_equilibrium_audits_hold_for_the_claimed_mechanisms() -> None:
    for name in ("elicitation.peer_prediction", "elicitation.dasgupta_ghosh",
                 "elicitation.peer_truth_serum", "elicitation.robust_bts"):
        rep = hz.audit(name, properties=["truthful_equilibrium"], samples=4, seed=1)
        assert rep.check("truthful_equilibrium").holds is True, name
    # output agreement is not truthful for every model: the audit finds one
    rep = hz.audit("elicitation.output_agreement", properties=["bic"], samples=4, seed=0)
    assert rep.check("bic").holds is False


def test_crowd_simulation_pays_honest_reporters_most_under_dg() -> None:
    model = {"prior": {"g": 0.5, "b": 0.5},
             "signal_given_state": {"g": {"h": 0.9, "l": 0.1}, "b": {"h": 0.1, "l": 0.9}}}
    rep = simulate_crowd("elicitation.dasgupta_ghosh", model,
                         {"honest": 4, "lazy": 2, "random": 2, "colluding": 2}, tasks=300,
                         seed=0)
    per = {k: v["mean_score_per_task"] for k, v in rep.per_type.items()}
    assert per["honest"] > 0.2
    assert per["honest"] > max(per["lazy"], per["random"])
    # a constant reporter's bonus 1{peer says c} and penalty f_peer(c) cancel in expectation
    assert per["lazy"] == pytest.approx(0.0, abs=0.08)
    # DG is not collusion-proof: colluders sharing a per-task coin agree on every bonus task
    # and on half the penalty pairs, so a colluder whose peer colludes earns 1 − ½ per task
    # (peers are cyclic by name: colluding1 → colluding2 → honest1 → ...)
    assert rep.per_agent["colluding1"] / 300 == pytest.approx(0.5, abs=0.06)
    assert rep.per_type["honest"]["total_payment"] < 0  # honest reporters are paid
    serum = simulate_crowd("elicitation.robust_bts", model, {"honest": 3, "random": 1},
                           tasks=50, seed=0)
    assert set(serum.per_type) == {"honest", "random"}


@pytest.mark.parametrize(("name", "data", "field"), [
    ("elicitation.output_agreement", {"reports": {"a": {"t": "h"}}}, "reports"),
    ("elicitation.output_agreement", {"reports": {"a": {"t": "h"}, "b": {"t": "x"}},
                                      "signals": ["h", "l"]}, "reports.b.t"),
    ("elicitation.dasgupta_ghosh", {"reports": {"a": {"t": "h"}, "b": {"t": "x"},
                                                "c": {"t": "m"}}}, "reports"),
    ("elicitation.robust_bts", {"answers": {"a": "1", "b": "0"},
                                "predictions": {"a": {"1": 0.5, "0": 0.5},
                                                "b": {"1": 0.5, "0": 0.5}}}, "answers"),
    ("elicitation.bts", {"answers": {"a": "x", "b": "y"},
                         "predictions": {"a": {"x": 1.0, "y": 0.0},
                                         "b": {"x": 0.5, "y": 0.5}}}, "predictions.a.y"),
    ("elicitation.bts", {"answers": {"a": "x", "b": "y"},
                         "predictions": {"a": {"x": 0.7, "y": 0.7},
                                         "b": {"x": 0.5, "y": 0.5}}}, "predictions.a"),
    ("elicitation.peer_truth_serum", {"reports": {"a": {"t": "h"}, "b": {"t": "h"}},
                                      "prior": {"h": 0.0, "l": 1.0}}, "reports.a.t"),
])
def test_errors_name_the_field(name, data, field) -> None:
    with pytest.raises(InputError) as err:
        hz.mechanism(name).run(data)
    assert str(err.value).split(":")[0] == field


def test_rbts_needs_three_agents_message() -> None:
    with pytest.raises(InputError, match="needs at least 3 agents, got 2"):
        hz.mechanism("elicitation.robust_bts").run(
            {"answers": {"a": "1", "b": "0"},
             "predictions": {"a": {"1": 0.5, "0": 0.5}, "b": {"1": 0.5, "0": 0.5}}})


def test_signal_model_posteriors_exact() -> None:
    m = SignalModel(SYMMETRIC["prior"], SYMMETRIC["signal_given_state"])
    assert m.predictive("h").tolist() == pytest.approx([0.68, 0.32], abs=1e-15)
    assert m.joint().sum() == pytest.approx(1.0)
    with pytest.raises(InputError, match=r"^signal_given_state\.g"):
        SignalModel({"g": 0.5, "b": 0.5}, {"g": {"h": 0.9, "l": 0.2}, "b": {"h": 0.5,
                                                                           "l": 0.5}})


def test_profiles_with_lazy_agents_and_equilibrium_flags() -> None:
    rep = truthfulness("elicitation.dasgupta_ghosh", SYMMETRIC,
                       profiles={"a1_lazy": ["constant:h", "truthful", "truthful"]})
    # a1 (constant) and a3 (whose peer a1 is constant) earn 0; a2 (truthful peer a3) 9/50
    per = rep.expected["a1_lazy"]["per_agent"]
    assert per["a1"] == pytest.approx(0.0, abs=1e-15)
    assert per["a2"] == pytest.approx(0.18, abs=1e-15)
    assert per["a3"] == pytest.approx(0.0, abs=1e-15)
    assert "equilibrium" not in rep.expected["a1_lazy"]  # asymmetric: not assessed
    oa = truthfulness("elicitation.output_agreement", SYMMETRIC)
    assert oa.expected["constant:h"]["equilibrium"] is True  # nobody gains by breaking ranks
    rbts = truthfulness("elicitation.robust_bts", SYMMETRIC)
    assert rbts.expected["constant:h"]["equilibrium"] is False
    assert rbts.uninformative_pays_more is None  # no uninformative equilibrium among them


def test_cli_truthfulness_and_crowd(tmp_path, capsys) -> None:
    import json

    from hurwicz.cli import main

    path = tmp_path / "model.json"
    path.write_text(json.dumps(SYMMETRIC))
    with pytest.raises(SystemExit) as done:
        main(["truthfulness", "elicitation.dasgupta_ghosh", str(path), "--json"])
    assert done.value.code in (0, None)
    doc = json.loads(capsys.readouterr().out)
    assert doc["truthful_equilibrium"] is True
    assert doc["expected"]["truthful"]["mean"] == pytest.approx(0.18, abs=1e-15)
    with pytest.raises(SystemExit) as done:
        main(["crowd", "elicitation.output_agreement", str(path), "--tasks", "20", "--json"])
    assert done.value.code in (0, None)
    assert set(json.loads(capsys.readouterr().out)["per_type"]) == {"honest", "lazy", "random"}
    with pytest.raises(SystemExit) as done:
        main(["truthfulness", "elicitation.brier", str(path)])
    assert done.value.code == 2
    assert "not a peer mechanism" in capsys.readouterr().err


@pytest.mark.parametrize(("prior", "likelihood", "field"), [
    ({"g": -0.5, "b": 1.5}, {"g": {"h": 0.8, "l": 0.2}, "b": {"h": 0.2, "l": 0.8}}, "prior.b"),
    ({"g": 0.5, "b": 0.5}, {"g": {"h": 1.2, "l": -0.2}, "b": {"h": 0.2, "l": 0.8}},
     "signal_given_state.g.h"),
    ({"g": float("nan"), "b": 0.5}, {"g": {"h": 0.8, "l": 0.2}, "b": {"h": 0.2, "l": 0.8}},
     "prior.g"),
])
def test_signal_model_refuses_negative_and_nan_probabilities(prior, likelihood, field) -> None:
    """The Python API's signal model took a prior (−0.5, 1.5) — it sums to 1 — and a nan
    prior (nan fails no comparison) and analysed them; a probability lies in [0, 1]
    (Kolmogorov's axioms)."""
    with pytest.raises(InputError, match=field.replace(".", r"\.")):
        hz.elicitation.truthfulness("elicitation.output_agreement",
                                    {"prior": prior, "signal_given_state": likelihood})


def test_truthfulness_refuses_a_negative_tolerance() -> None:
    """tolerance = −1 was taken silently and turned every tie into a profitable deviation."""
    from hurwicz.core.errors import ParameterError

    with pytest.raises(ParameterError, match="tolerance"):
        truthfulness("elicitation.dasgupta_ghosh", SYMMETRIC, tolerance=-1.0)


def test_cli_crowd_rejects_negative_counts_and_names_missing_model_fields(tmp_path,
                                                                          capsys) -> None:
    # `hurwicz crowd ... --honest -1` used to run (a negative count silently meant none), and a
    # model without signal_given_state was reported only as a generic "params.model" error.
    import json

    from hurwicz.cli import main

    path = tmp_path / "model.json"
    path.write_text(json.dumps(SYMMETRIC))
    with pytest.raises(SystemExit) as done:
        main(["crowd", "elicitation.dasgupta_ghosh", str(path), "--honest", "-1"])
    assert done.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and "honest" in err[0]
    path.write_text(json.dumps({"prior": SYMMETRIC["prior"]}))
    with pytest.raises(SystemExit) as done:
        main(["truthfulness", "elicitation.dasgupta_ghosh", str(path)])
    assert done.value.code == 2
    assert capsys.readouterr().err.startswith("error: signal_given_state: ")
    with pytest.raises(ParameterError):
        simulate_crowd("elicitation.dasgupta_ghosh", SYMMETRIC, {"honest": 3, "lazy": -2})

"""Truth serums: each respondent gives an answer and a prediction of the others' answers.

Input: ``{"answers": {agent: answer}, "predictions": {agent: {answer: probability}},
"options": [...]}`` (``options`` optional: by default every answer named). Each prediction
gives every option a probability, summing to 1 within 10^-6.

* ``elicitation.bts`` — Bayesian truth serum (Prelec 2004, *Science* 306:462, eqs. 2–3):
  score_r = Σ_k x_k^r ln(x̄_k / ȳ_k) + α Σ_k x̄_k ln(y_k^r / x̄_k), with x̄_k the fraction answering
  k and ln ȳ_k = (1/n) Σ_r ln y_k^r (the geometric mean of the predictions), both over all n
  respondents as in the paper (terms with x̄_k = 0 vanish). With α = 1 the scores sum to zero.
  Predictions must be > 0 (their logarithms are taken). Prelec's truthfulness result is for
  large populations; :func:`~hurwicz.mechanisms.elicitation.model.truthfulness` shows the
  finite-n picture exactly.
* ``elicitation.robust_bts`` — Robust BTS (Witkowski & Parkes 2012, AAAI, §4), binary answers,
  n ≥ 3: agent i (agents in name order, cyclically) has reference j = i + 1 and peer k = i + 2;
  its shadow prediction raises the reference's probability of i's answer by
  δ = min(y_j, 1 − y_j); score = R(y'_i, x_k) + R(y_i, x_k) with the binary quadratic rule
  R(y, ω) = 2y_ω − y_ω² (= 2y − y² if ω = 1 and 1 − y² if ω = 0, y = P(1)).

``result.scores`` holds each score (BTS also ``information_scores``, ``prediction_scores``,
``frequencies`` x̄ and ``geometric_means`` ȳ); ``payments[agent] = −scale·score``.

Example:
    >>> import hurwicz as hz
    >>> d = {"answers": {"a": "x", "b": "x", "c": "y"},
    ...      "predictions": {"a": {"x": 0.6, "y": 0.4}, "b": {"x": 0.7, "y": 0.3},
    ...                      "c": {"x": 0.5, "y": 0.5}}}
    >>> out = hz.mechanism("elicitation.bts").run(d)
    >>> abs(sum(out.result["scores"].values())) < 1e-12  # α = 1: zero-sum
    True
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from hurwicz.core.claims import Claim
from hurwicz.core.errors import InputError
from hurwicz.core.mechanism import Mechanism
from hurwicz.core.outcome import Outcome
from hurwicz.core.registry import register
from hurwicz.core.types import Name, join_field

from .audit import SerumAudit
from .common import (
    Probability,
    ScaleParams,
    check_agents,
    check_distribution,
    check_member,
    check_support,
)


class SerumInput(BaseModel):
    """``{"answers": {agent: answer}, "predictions": {agent: {answer: p}}, "options": [...]}``."""

    model_config = ConfigDict(strict=True, extra="forbid")
    answers: dict[Name, Name]
    predictions: dict[Name, dict[Name, Probability]]
    options: list[Name] | None = None


class _Serum(Mechanism):
    family = "elicitation"
    Input = SerumInput
    Audit = SerumAudit
    game: ClassVar[str] = "task"
    game_agents: ClassVar[int] = 3
    min_agents: ClassVar[int] = 2
    signal_count: ClassVar[int | None] = None
    predictions: ClassVar[bool] = True
    positive_predictions: ClassVar[bool] = False

    def options(self, inp: SerumInput) -> list[str]:
        if inp.options is not None:
            return check_support(inp.options, "options", 1)
        return sorted(set(inp.answers.values()) | {k for p in inp.predictions.values()
                                                   for k in p})

    def parse_input(self, data: Any) -> SerumInput:
        inp = super().parse_input(data)
        check_agents(len(inp.answers), self.min_agents, "answers", self.why_peers)
        opts = self.options(inp)
        if self.signal_count is not None and len(opts) != self.signal_count:
            field = "options" if inp.options is not None else "answers"
            raise InputError(field, f"{self.name} needs exactly {self.signal_count} possible "
                             f"answers, got {opts}")
        for agent in inp.answers:
            if agent not in inp.predictions:
                raise InputError(join_field("predictions", agent), "missing: every respondent "
                                 "gives a prediction")
        for agent in inp.predictions:
            if agent not in inp.answers:
                raise InputError(join_field("answers", agent), "missing: every respondent "
                                 "gives an answer")
        for agent, ans in inp.answers.items():
            check_member(ans, opts, join_field("answers", agent))
            check_distribution(inp.predictions[agent], opts, join_field("predictions", agent),
                               positive=self.positive_predictions)
        return inp

    why_peers: ClassVar[str] = "answers are scored against the others'"

    def _outcome(self, names: list[str], scores: dict[str, float],
                 extra: dict[str, Any]) -> Outcome:
        scale = float(self.params.scale)
        pay = {a: -scale * scores[a] + 0.0 for a in names}
        return Outcome(self.name, self.param_dict(), dict.fromkeys(names, 0), pay,
                       {"scores": {a: scores[a] + 0.0 for a in names}, **extra},
                       {"total_reward": -math.fsum(pay.values()) + 0.0,
                        "revenue": math.fsum(pay.values()) + 0.0})

    # --- analysis hooks (see hurwicz.mechanisms.elicitation.model) -------------------------
    def model_condition(self, model: Any) -> bool:
        return True

    def check_model(self, model: Any) -> None:
        if self.signal_count is not None and len(model.signals) != self.signal_count:
            raise InputError("model", f"{self.name} needs {self.signal_count} signals, the "
                             f"model has {len(model.signals)}")

    def task_input(self, model: Any, reports: dict[str, tuple[str, str]]) -> dict[str, Any]:
        """Answers and predictions (the posterior predictive of the basis signal).

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.mechanisms.elicitation.model import SignalModel
            >>> m = SignalModel({"g": 1.0}, {"g": {"h": 0.5, "l": 0.5}})
            >>> hz.mechanism("elicitation.bts").task_input(m, {"a": ("h", "h")})["predictions"]
            {'a': {'h': 0.5, 'l': 0.5}}
        """
        from .model import prediction_of

        return {"answers": {a: r[0] for a, r in reports.items()},
                "predictions": {a: dict(zip(model.signals, prediction_of(model, r[1])))
                                for a, r in reports.items()},
                "options": list(model.signals)}

    def sample_input(self, model: Any, n: int, rng: np.random.Generator) -> dict[str, Any]:
        """One task drawn from ``model``, everyone truthful.

        Example:
            >>> import numpy as np, hurwicz as hz
            >>> from hurwicz.mechanisms.elicitation.model import random_model
            >>> d = hz.mechanism("elicitation.bts").sample_input(
            ...     random_model(np.random.default_rng(0)), 3, np.random.default_rng(0))
            >>> sorted(d["answers"])
            ['a1', 'a2', 'a3']
        """
        w = rng.choice(len(model.states), p=model.prior)
        reps = {}
        for i in range(n):
            s = model.signals[int(rng.choice(len(model.signals), p=model.likelihood[w]))]
            reps[f"a{i + 1}"] = (s, s)
        return self.task_input(model, reps)

    def edge_inputs(self) -> list[dict[str, Any]]:
        """Unanimous answers; certain-looking predictions; everyone identical.

        Example:
            >>> import hurwicz as hz
            >>> len(hz.mechanism("elicitation.robust_bts").edge_inputs())
            3
        """
        p = {"h": 0.5, "l": 0.5}
        return [{"answers": {"u1": "h", "u2": "h", "u3": "h"},
                 "predictions": {"u1": {"h": 0.9, "l": 0.1}, "u2": {"h": 0.6, "l": 0.4},
                                 "u3": {"h": 0.99, "l": 0.01}}},
                {"answers": {"u1": "h", "u2": "l", "u3": "l", "u4": "h"},
                 "predictions": {"u1": {"h": 0.7, "l": 0.3}, "u2": {"h": 0.2, "l": 0.8},
                                 "u3": {"h": 0.3, "l": 0.7}, "u4": {"h": 0.5, "l": 0.5}},
                 "options": ["h", "l"]},
                {"answers": {"u1": "l", "u2": "l", "u3": "l"},
                 "predictions": {"u1": p, "u2": p, "u3": p}, "options": ["h", "l"]}]


class BtsParams(ScaleParams):
    """α weighs the prediction score."""

    alpha: float = Field(1.0, ge=0, le=100, allow_inf_nan=False,
                         description="weight of the prediction score (α = 1: zero-sum)")


@register
class Bts(_Serum):
    """Bayesian truth serum (Prelec 2004).

    Example:
        >>> import hurwicz as hz
        >>> d = {"answers": {"a": "x", "b": "y"},
        ...      "predictions": {"a": {"x": 0.5, "y": 0.5}, "b": {"x": 0.5, "y": 0.5}}}
        >>> hz.mechanism("elicitation.bts").run(d).result["scores"]  # nothing surprising
        {'a': 0.0, 'b': 0.0}
    """

    name = "elicitation.bts"
    summary = "Bayesian truth serum (Prelec): information score + α · prediction score."
    Params = BtsParams
    positive_predictions = True
    claims = (Claim("budget_balance", when=lambda p: p.alpha == 1.0, condition="alpha = 1"),)

    def run_parsed(self, inp: SerumInput) -> Outcome:
        opts = self.options(inp)
        names = sorted(inp.answers)
        n = len(names)
        if n == 0:
            return self._outcome([], {}, {"information_scores": {}, "prediction_scores": {},
                                          "frequencies": {}, "geometric_means": {}})
        idx = {o: k for k, o in enumerate(opts)}
        x = np.zeros((n, len(opts)))
        for r, a in enumerate(names):
            x[r, idx[inp.answers[a]]] = 1.0
        logy = np.log(np.array([[inp.predictions[a][o] for o in opts] for a in names]))
        xbar = x.mean(axis=0)
        log_ybar = logy.mean(axis=0)
        present = xbar > 0
        log_xbar = np.where(present, np.log(np.where(present, xbar, 1.0)), 0.0)
        info = x @ np.where(present, log_xbar - log_ybar, 0.0)
        pred = (np.where(present, xbar, 0.0) * np.where(present, logy - log_xbar, 0.0)).sum(
            axis=1)
        alpha = float(self.params.alpha)
        scores = {a: float(info[r] + alpha * pred[r]) for r, a in enumerate(names)}
        return self._outcome(names, scores, {
            "information_scores": {a: float(info[r]) + 0.0 for r, a in enumerate(names)},
            "prediction_scores": {a: float(pred[r]) + 0.0 for r, a in enumerate(names)},
            "frequencies": {o: float(xbar[k]) for k, o in enumerate(opts)},
            "geometric_means": {o: float(math.exp(log_ybar[k])) for k, o in enumerate(opts)}})

    def check_model(self, model: Any) -> None:
        if any(np.any(model.predictive(s) <= 0) for s in model.signals):
            raise InputError("model", "a signal predicts probability 0 for another: BTS takes "
                             "the logarithm of predictions")


@register
class RobustBts(_Serum):
    """Robust Bayesian truth serum for small populations (Witkowski & Parkes 2012).

    Example:
        >>> import hurwicz as hz
        >>> d = {"answers": {"a": "1", "b": "1", "c": "0"},
        ...      "predictions": {"a": {"1": 0.8, "0": 0.2}, "b": {"1": 0.6, "0": 0.4},
        ...                      "c": {"1": 0.3, "0": 0.7}}}
        >>> round(hz.mechanism("elicitation.robust_bts").run(d).result["scores"]["a"], 12)
        0.36
    """

    name = "elicitation.robust_bts"
    summary = "Robust BTS (Witkowski–Parkes): binary answers, n ≥ 3, shadowed quadratic scores."
    Params = ScaleParams
    signal_count = 2
    min_agents = 3
    why_peers = "each respondent needs a reference and a peer respondent"
    claims = (Claim("truthful_equilibrium", condition="binary signals with distinct posteriors "
                    "(Witkowski–Parkes 2012); audited on signal models that satisfy it"),
              Claim("bic", condition="binary signals with distinct posteriors "
                    "(Witkowski–Parkes 2012); audited on signal models that satisfy it"))

    def run_parsed(self, inp: SerumInput) -> Outcome:
        names = sorted(inp.answers)
        n = len(names)
        scores, shadow, roles = {}, {}, {}
        for i, a in enumerate(names):
            j, k = names[(i + 1) % n], names[(i + 2) % n]
            ans, peer_ans = inp.answers[a], inp.answers[k]
            yj = inp.predictions[j][ans]  # the reference's probability of i's answer
            delta = min(yj, 1.0 - yj)
            y_shadow = yj + delta  # probability of i's answer after the shadow step
            p_shadow = y_shadow if peer_ans == ans else 1.0 - y_shadow
            p_own = inp.predictions[a][peer_ans]
            scores[a] = (2 * p_shadow - p_shadow**2) + (2 * p_own - p_own**2)
            shadow[a] = {ans: y_shadow, **{o: 1.0 - y_shadow for o in inp.predictions[a]
                                           if o != ans}}
            roles[a] = {"reference": j, "peer": k}
        return self._outcome(names, scores, {"shadow_predictions": shadow, "roles": roles})

    def model_condition(self, model: Any) -> bool:
        """Binary signals with P(peer = x | own = x) ≥ P(peer = x | own = y) + 0.02 (the
        paper's admissibility: the two posteriors differ).

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.mechanisms.elicitation.model import SignalModel
            >>> m = SignalModel({"g": 1.0}, {"g": {"h": 0.5, "l": 0.5}})
            >>> hz.mechanism("elicitation.robust_bts").model_condition(m)
            False
        """
        if len(model.signals) != 2:
            return False
        x, y = model.signals
        return bool(model.predictive(x)[0] >= model.predictive(y)[0] + 0.02)


__all__ = ["Bts", "RobustBts"]

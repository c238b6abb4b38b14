"""Proper scoring rules as mechanisms: each forecaster is paid ``scale·S(forecast, outcome)``.

Categorical rules (``elicitation.log_score``, ``elicitation.brier``, ``elicitation.spherical``)
take ``{"forecasts": {"ann": {"yes": 0.7, "no": 0.3}}, "outcome": "yes"}`` (optional
``"outcomes"``: the full outcome list; by default the outcomes the forecasts name). Every
forecast gives a probability to every outcome, summing to 1 within 10^-6.
``elicitation.crps`` takes ensembles (``{"ann": [1.2, 0.7, 2.0]}``) or normal forecasts
(``{"ann": {"mean": 1.0, "sd": 0.5}}``) and a real ``outcome``; ``elicitation.pinball`` takes one
number per forecaster, its forecast of the ``quantile`` (a parameter).

``result.scores[agent]`` is the positively oriented score (log: ln p_y; brier: −Σ(p_j − o_j)²;
spherical: p_y/‖p‖; crps: −CRPS; pinball: −ρ_τ); ``payments[agent] = −scale·score``.

Example:
    >>> import hurwicz as hz
    >>> out = hz.mechanism("elicitation.brier").run(
    ...     {"forecasts": {"ann": {"yes": 0.7, "no": 0.3}}, "outcome": "yes"})
    >>> round(out.result["scores"]["ann"], 12), round(out.payments["ann"], 12)
    (-0.18, 0.18)
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

from hurwicz.core.errors import InputError
from hurwicz.core.mechanism import Mechanism
from hurwicz.core.outcome import Outcome
from hurwicz.core.registry import register
from hurwicz.core.types import Name, join_field

from . import rules
from .audit import CategoricalAudit, CrpsAudit, PinballAudit
from .common import Probability, Real, ScaleParams, check_distribution, check_member, check_support


class CategoricalInput(BaseModel):
    """``{"forecasts": {agent: {outcome: probability}}, "outcome": y, "outcomes": [...]}``."""

    model_config = ConfigDict(strict=True, extra="forbid")
    forecasts: dict[Name, dict[Name, Probability]]
    outcome: Name
    outcomes: list[Name] | None = None


class _CategoricalRule(Mechanism):
    """Shared run of the categorical scoring rules."""

    family = "elicitation"
    rule: ClassVar[str] = ""
    Params = ScaleParams
    Input = CategoricalInput
    Audit = CategoricalAudit
    claims = ("proper", "anonymous")

    def support(self, inp: CategoricalInput) -> list[str]:
        """The outcome list: ``outcomes`` if given, else every outcome a forecast names,
        sorted (the realised outcome must be one of them)."""
        if inp.outcomes is not None:
            return check_support(inp.outcomes, "outcomes", 1)
        named = {k for f in inp.forecasts.values() for k in f}
        return sorted(named) if named else [inp.outcome]

    def parse_input(self, data: Any) -> CategoricalInput:
        inp = super().parse_input(data)
        support = self.support(inp)
        check_member(inp.outcome, support, "outcome")
        for agent, forecast in inp.forecasts.items():
            field = join_field("forecasts", agent)
            check_distribution(forecast, support, field)
            if self.rule == "log" and forecast[inp.outcome] <= 0:
                raise InputError(join_field(field, inp.outcome), "probability 0 on the outcome "
                                 "that happened: its log score is −∞")
            if self.rule == "spherical" and not any(v > 0 for v in forecast.values()):
                raise InputError(field, "all probabilities are 0")
        return inp

    def run_parsed(self, inp: CategoricalInput) -> Outcome:
        support = self.support(inp)
        names = sorted(inp.forecasts)
        y = support.index(inp.outcome)
        if names:
            p = np.array([[inp.forecasts[a][o] for o in support] for a in names])
            values = rules.CATEGORICAL_RULES[self.rule](p, np.full(len(names), y))
        else:
            values = np.zeros(0)
        return _outcome(self, names, [float(v) for v in values],
                        {"outcome": inp.outcome, "rule": self.rule})


def _outcome(mech: Mechanism, names: list[str], scores: list[float],
             extra: dict[str, Any]) -> Outcome:
    scale = float(mech.params.scale)  # type: ignore[attr-defined]
    score = dict(zip(names, scores))
    pay = {a: -scale * s + 0.0 for a, s in score.items()}
    return Outcome(mech.name, mech.param_dict(), allocation=dict.fromkeys(names, 0),
                   payments=pay, result={"scores": score, **extra},
                   metrics={"total_reward": -sum(pay.values()) + 0.0,
                            "revenue": sum(pay.values()) + 0.0})


@register
class LogScore(_CategoricalRule):
    """Logarithmic scoring rule: score ln p_y (strictly proper, local).

    Example:
        >>> import hurwicz as hz
        >>> out = hz.mechanism("elicitation.log_score").run(
        ...     {"forecasts": {"a": {"x": 0.5, "y": 0.5}}, "outcome": "x"})
        >>> round(out.result["scores"]["a"], 6)
        -0.693147
    """

    name = "elicitation.log_score"
    summary = "Logarithmic scoring rule: each forecaster scores ln p(outcome)."
    rule = "log"


@register
class Brier(_CategoricalRule):
    """Quadratic (Brier) rule: score −Σ_j (p_j − 1{j = y})² = 2p_y − Σp_j² − 1.

    Example:
        >>> import hurwicz as hz
        >>> out = hz.mechanism("elicitation.brier", scale=100).run(
        ...     {"forecasts": {"a": {"x": 0.5, "y": 0.5}}, "outcome": "x"})
        >>> out.payments
        {'a': 50.0}
    """

    name = "elicitation.brier"
    summary = "Quadratic (Brier) scoring rule: score −Σ(p_j − 1{j = outcome})²."
    rule = "quadratic"


@register
class Spherical(_CategoricalRule):
    """Spherical rule: score p_y / ‖p‖₂.

    Example:
        >>> import hurwicz as hz
        >>> out = hz.mechanism("elicitation.spherical").run(
        ...     {"forecasts": {"a": {"x": 0.25, "y": 0.75}}, "outcome": "y"})
        >>> round(out.result["scores"]["a"], 9)  # 0.75/√(0.25² + 0.75²) = 3/√10
        0.948683298
    """

    name = "elicitation.spherical"
    summary = "Spherical scoring rule: score p(outcome)/‖p‖₂."
    rule = "spherical"


class LinearScore(_CategoricalRule):
    """The linear rule p_y — *improper*, deliberately not registered: the ``proper`` audit
    finds its profitable misreport (claim the believed mode with certainty).

    Example:
        >>> import hurwicz as hz
        >>> rep = hz.audit(LinearScore(), properties=["proper"],
        ...                inputs=[{"forecasts": {"a": {"x": 0.7, "y": 0.3}}, "outcome": "x"}])
        >>> rep.check("proper").holds, rep.check("proper").counterexample["report"]
        (False, {'x': 1.0, 'y': 0.0})
    """

    name = "elicitation.linear"
    summary = "Linear scoring rule p(outcome) (improper; for audits and teaching)."
    rule = "linear"
    claims = ()


# --- real-valued forecasts ---------------------------------------------------------------------
class NormalForecast(BaseModel):
    """A normal predictive distribution N(mean, sd²)."""

    model_config = ConfigDict(strict=True, extra="forbid")
    mean: Real
    sd: float = Field(gt=0, le=1e15, allow_inf_nan=False)


def _forecast_kind(value: Any) -> str:
    """An object is a normal forecast, anything else an ensemble (so errors name one kind)."""
    return "normal" if isinstance(value, dict | NormalForecast) else "ensemble"


class CrpsInput(BaseModel):
    """``{"forecasts": {agent: [members] | {"mean": μ, "sd": σ}}, "outcome": y}``."""

    model_config = ConfigDict(strict=True, extra="forbid")
    forecasts: dict[Name, Annotated[Annotated[list[Real], Tag("ensemble")]
                                    | Annotated[NormalForecast, Tag("normal")],
                                    Discriminator(_forecast_kind)]]
    outcome: Real


@register
class Crps(Mechanism):
    """Continuous ranked probability score: score −CRPS(F, y) for an ensemble forecast (its
    empirical distribution) or a normal forecast (closed form).

    Example:
        >>> import hurwicz as hz
        >>> out = hz.mechanism("elicitation.crps").run(
        ...     {"forecasts": {"ens": [1.0, 2.0, 3.0], "gauss": {"mean": 0.0, "sd": 1.0}},
        ...      "outcome": 0.0})
        >>> round(out.result["crps"]["ens"], 9), round(out.result["crps"]["gauss"], 9)
        (1.555555556, 0.233694977)
    """

    name = "elicitation.crps"
    family = "elicitation"
    summary = "Continuous ranked probability score of ensemble or normal forecasts."
    Params = ScaleParams
    Input = CrpsInput
    Audit = CrpsAudit
    claims = ("proper", "anonymous")

    def parse_input(self, data: Any) -> CrpsInput:
        inp = super().parse_input(data)
        for agent, f in inp.forecasts.items():
            if isinstance(f, list) and not f:
                raise InputError(join_field("forecasts", agent), "an ensemble needs at least "
                                 "one member")
        return inp

    def run_parsed(self, inp: CrpsInput) -> Outcome:
        names = sorted(inp.forecasts)
        crps: dict[str, float] = {}
        for a in names:
            f = inp.forecasts[a]
            if isinstance(f, NormalForecast):
                crps[a] = float(rules.crps_normal(inp.outcome, f.mean, f.sd))
            else:
                crps[a] = float(rules.crps_ensemble(inp.outcome, np.asarray(f)))
        return _outcome(self, names, [-crps[a] + 0.0 for a in names],
                        {"outcome": inp.outcome, "crps": crps})


class PinballInput(BaseModel):
    """``{"forecasts": {agent: quantile forecast}, "outcome": y}``."""

    model_config = ConfigDict(strict=True, extra="forbid")
    forecasts: dict[Name, Real]
    outcome: Real


class PinballParams(ScaleParams):
    """The quantile level τ being forecast."""

    quantile: float = Field(0.5, gt=0, lt=1, allow_inf_nan=False,
                            description="the quantile level τ (0.5: the median)",
                            json_schema_extra={"examples": [0.1, 0.9]})


@register
class Pinball(Mechanism):
    """Pinball (quantile) loss: score −ρ_τ(y − q); proper for the τ-quantile.

    Example:
        >>> import hurwicz as hz
        >>> out = hz.mechanism("elicitation.pinball", quantile=0.75).run(
        ...     {"forecasts": {"a": 5.0, "b": 8.0}, "outcome": 7.0})
        >>> out.result["loss"]  # 0.75·(7 − 5), 0.25·(8 − 7)
        {'a': 1.5, 'b': 0.25}
    """

    name = "elicitation.pinball"
    family = "elicitation"
    summary = "Pinball (quantile) loss for forecasts of the τ-quantile."
    Params = PinballParams
    Input = PinballInput
    Audit = PinballAudit
    claims = ("proper", "anonymous")

    def run_parsed(self, inp: PinballInput) -> Outcome:
        names = sorted(inp.forecasts)
        tau = self.params.quantile
        loss = {a: float(rules.pinball_loss(inp.outcome, inp.forecasts[a], tau)) for a in names}
        return _outcome(self, names, [-loss[a] + 0.0 for a in names],
                        {"outcome": inp.outcome, "quantile": tau, "loss": loss})


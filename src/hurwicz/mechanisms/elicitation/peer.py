"""Peer prediction without ground truth: each report is scored against a peer's report.

Input: ``{"reports": {agent: {task: label}}, "signals": [labels]}`` (``signals`` optional: by
default the labels reported). On each task, the agents who answered it, in name order, form a
cycle: an agent's *peer* is the next one (a task answered by one agent is not scored for it).
``result.scores[agent]`` is the sum of its task scores (``result.task_scores``);
``payments[agent] = −scale·score``. Formulas (docs/elicitation.md pins each to its paper):

* ``elicitation.output_agreement`` (von Ahn & Dabbish 2004): 1{r_i = r_j}.
* ``elicitation.peer_prediction`` (Miller, Resnick & Zeckhauser 2005, eq. 1–2): with a common
  prior (``prior`` over states, ``signal_given_state``), R(g(· | r_i), r_j) where
  g(s_j | r_i) = Σ_ω P(s_j | ω) P(ω | r_i) and R is the log, quadratic or spherical rule in
  MRZ's form (§2): ln g_j, 2g_j − Σ_h g_h² (no −1) and g_j/‖g‖₂.
* ``elicitation.dasgupta_ghosh`` (Dasgupta & Ghosh 2013, §3, binary, multi-task):
  1{r_i(t) = r_j(t)} − [f_i f_j + (1 − f_i)(1 − f_j)], f = the frequency of the first signal
  in the agent's reports on disjoint *penalty* task sets.
* ``elicitation.correlated_agreement`` (Shnayder, Agarwal, Frongillo & Parkes 2016, §3):
  S(r_i(t), r_j(t)) − Σ_{x,y} S(x, y) f_i(x) f_j(y) with S(x, y) = 1 if y is in
  ``positive[x]`` (default: x itself, i.e. Δ positive on the diagonal).
* ``elicitation.peer_truth_serum`` (Radanovic, Faltings & Jurca 2016, eq. 1):
  1{r_i = r_j} / R(r_i) − 1 with R the public distribution of answers (``prior``; by default
  the frequency of each label over all reports of the input).

Penalty tasks (DG, CA): for bonus task t, agent i's set is the tasks only i answered, agent j's
the tasks only j answered, and the other tasks both answered are dealt alternately (by name) to
i and j — so the two sets are disjoint, as the papers require. A bonus task with an empty set
is not scored. The average over all pairs of penalty tasks, Σ S(x, y) f_i(x) f_j(y), replaces
the paper's one random pair: same expectation, no randomness.

Example:
    >>> import hurwicz as hz
    >>> out = hz.mechanism("elicitation.output_agreement").run(
    ...     {"reports": {"a": {"t1": "h"}, "b": {"t1": "h"}, "c": {"t1": "l"}}})
    >>> out.result["scores"]
    {'a': 1.0, 'b': 0.0, 'c': 0.0}
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from hurwicz.core.claims import Claim
from hurwicz.core.errors import InputError
from hurwicz.core.mechanism import Mechanism
from hurwicz.core.outcome import Outcome
from hurwicz.core.registry import register
from hurwicz.core.types import Name, join_field

from .audit import PeerAudit
from .common import Probability, ScaleParams, check_agents, check_distribution, check_support
from .rules import CATEGORICAL_RULES


def model_claims(condition: str, *names: str) -> tuple[Claim, ...]:
    """Claims active for every parameter value that hold under ``condition`` on the signal
    model (the audit draws its models under the mechanism's ``model_condition``).

    Example:
        >>> model_claims("binary signals", "bic")[0].to_dict()
        {'property': 'bic', 'condition': 'binary signals'}
    """
    return tuple(Claim(name, condition=condition) for name in names)

Reports = dict[str, dict[str, str]]


class PeerInput(BaseModel):
    """``{"reports": {agent: {task: label}}, "signals": [...]}``."""

    model_config = ConfigDict(strict=True, extra="forbid")
    reports: dict[Name, dict[Name, Name]]
    signals: list[Name] | None = None


class _Peer(Mechanism):
    """Shared parsing, peer assignment, outcome and analysis hooks."""

    family = "elicitation"
    Params = ScaleParams
    Input = PeerInput
    Audit = PeerAudit
    #: how :func:`~hurwicz.mechanisms.elicitation.model.truthfulness` computes expectations
    game: ClassVar[str] = "task"
    game_agents: ClassVar[int] = 3
    min_agents: ClassVar[int] = 2
    signal_count: ClassVar[int | None] = None
    predictions: ClassVar[bool] = False

    # --- parsing ---------------------------------------------------------------------------
    def labels(self, inp: Any) -> list[str]:
        if inp.signals is not None:
            return check_support(inp.signals, "signals", 1)
        return sorted({x for r in inp.reports.values() for x in r.values()})

    def parse_input(self, data: Any) -> Any:
        inp = super().parse_input(data)
        check_agents(len(inp.reports), self.min_agents, "reports",
                     "each report is scored against a peer's")
        labels = self.labels(inp)
        for agent, tasks in inp.reports.items():
            for task, label in tasks.items():
                if label not in labels:
                    raise InputError(join_field(join_field("reports", agent), task),
                                     f"{label!r} is not one of the signals {labels}")
        self.check_input(inp, labels)
        return inp

    def check_input(self, inp: Any, labels: list[str]) -> None:
        """Mechanism-specific checks (raise InputError)."""

    # --- running ---------------------------------------------------------------------------
    @staticmethod
    def peers(reports: Reports) -> dict[str, dict[str, str]]:
        """``{agent: {task: peer}}``: the next agent (by name, cyclically) on each task.

        Example:
            >>> _Peer.peers({"a": {"t": "x"}, "b": {"t": "y"}, "c": {"u": "x"}})
            {'a': {'t': 'b'}, 'b': {'t': 'a'}, 'c': {}}
        """
        by_task: dict[str, list[str]] = {}
        for a in sorted(reports):
            for t in reports[a]:
                by_task.setdefault(t, []).append(a)
        out: dict[str, dict[str, str]] = {a: {} for a in reports}
        for t in sorted(by_task):
            who = by_task[t]
            if len(who) < 2:
                continue
            for k, a in enumerate(who):
                out[a][t] = who[(k + 1) % len(who)]
        return {a: out[a] for a in sorted(out)}

    def task_score(self, inp: Any, ctx: Any, agent: str, task: str, peer: str) -> float | None:
        raise NotImplementedError

    def context(self, inp: Any) -> Any:
        return None

    def run_parsed(self, inp: Any) -> Outcome:
        reports = {a: dict(r) for a, r in inp.reports.items()}
        peers = self.peers(reports)
        ctx = self.context(inp)
        task_scores: dict[str, dict[str, float]] = {}
        for a in sorted(reports):
            task_scores[a] = {}
            for t in sorted(peers[a]):
                s = self.task_score(inp, ctx, a, t, peers[a][t])
                if s is not None:
                    task_scores[a][t] = s + 0.0
        scores = {a: math.fsum(v.values()) + 0.0 for a, v in task_scores.items()}
        scale = float(self.params.scale)
        pay = {a: -scale * s + 0.0 for a, s in scores.items()}
        return Outcome(self.name, self.param_dict(), dict.fromkeys(scores, 0), pay,
                       {"scores": scores, "task_scores": task_scores, "peers": peers},
                       {"total_reward": -math.fsum(pay.values()) + 0.0,
                        "revenue": math.fsum(pay.values()) + 0.0,
                        "scored_tasks": sum(len(v) for v in task_scores.values())})

    # --- analysis hooks --------------------------------------------------------------------
    def model_condition(self, model: Any) -> bool:
        """Whether a signal model satisfies the assumption under which the mechanism's
        equilibrium claim holds (used by the audit to draw models)."""
        return True

    def check_model(self, model: Any) -> None:
        """Refuse models the mechanism cannot be analysed under."""
        if self.signal_count is not None and len(model.signals) != self.signal_count:
            raise InputError("model", f"{self.name} needs {self.signal_count} signals, the "
                             f"model has {len(model.signals)}")

    def model_fields(self, model: Any) -> dict[str, Any]:
        """Input fields the mechanism takes from a signal model."""
        return {"signals": list(model.signals)}

    def task_input(self, model: Any, reports: dict[str, tuple[str, str]]) -> dict[str, Any]:
        """One task's input from each agent's (answer, prediction basis)."""
        return {"reports": {a: {"t": r[0]} for a, r in reports.items()},
                **self.model_fields(model)}

    def crowd_input(self, model: Any, acted: Reports) -> dict[str, Any]:
        """A multi-task input from ``{agent: {task: label}}``."""
        return {"reports": acted, **self.model_fields(model)}

    def sample_input(self, model: Any, n: int, rng: np.random.Generator) -> dict[str, Any]:
        """Six tasks drawn from ``model``; each agent skips a task now and then.

        Example:
            >>> import numpy as np, hurwicz as hz
            >>> from hurwicz.mechanisms.elicitation.model import random_model
            >>> m = hz.mechanism("elicitation.output_agreement")
            >>> len(m.sample_input(random_model(np.random.default_rng(0)), 3,
            ...                    np.random.default_rng(1))["reports"])
            3
        """
        reports: Reports = {f"a{i + 1}": {} for i in range(n)}
        for t in range(6):
            w = rng.choice(len(model.states), p=model.prior)
            for a in reports:
                if rng.random() < 0.85:
                    k = rng.choice(len(model.signals), p=model.likelihood[w])
                    reports[a][f"t{t + 1}"] = model.signals[int(k)]
        return self.crowd_input(model, reports)

    def edge_inputs(self) -> list[dict[str, Any]]:
        """Degenerate inputs: one task, unanimous reports, an agent alone on a task.

        Example:
            >>> import hurwicz as hz
            >>> len(hz.mechanism("elicitation.output_agreement").edge_inputs())
            3
        """
        fields = self.edge_fields()
        return [{"reports": {"u1": {"t1": "h"}, "u2": {"t1": "h"}}, **fields},
                {"reports": {"u1": {"t1": "h", "t2": "l", "t3": "h"},
                             "u2": {"t1": "h", "t2": "l", "t3": "l"},
                             "u3": {"t1": "l", "t4": "h"}}, **fields},
                {"reports": {"u1": {"t1": "l", "t2": "l"}, "u2": {"t1": "l", "t2": "l"},
                             "u3": {"t3": "h"}}, **fields}]

    def edge_fields(self) -> dict[str, Any]:
        return {"signals": ["h", "l"]}


@register
class OutputAgreement(_Peer):
    """Output agreement: 1 if the peer reported the same label.

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("elicitation.output_agreement").run(
        ...     {"reports": {"a": {"t": "x"}, "b": {"t": "x"}}}).payments
        {'a': -1.0, 'b': -1.0}
    """

    name = "elicitation.output_agreement"
    summary = "Output agreement: pays 1 per task when the peer reports the same label."

    def task_score(self, inp: Any, ctx: Any, agent: str, task: str, peer: str) -> float | None:
        return float(inp.reports[agent][task] == inp.reports[peer][task])


# --- Miller, Resnick & Zeckhauser --------------------------------------------------------------
class PeerPredictionInput(PeerInput):
    """Reports plus the common prior: ``prior`` over states, ``signal_given_state``."""

    prior: dict[Name, Probability]
    signal_given_state: dict[Name, dict[Name, Probability]]


class PeerPredictionParams(ScaleParams):
    """The strictly proper rule applied to the predicted distribution of the peer's report."""

    rule: Literal["log", "quadratic", "spherical"] = "log"


@register
class PeerPrediction(_Peer):
    """Miller–Resnick–Zeckhauser peer prediction with a common prior.

    Example:
        >>> import hurwicz as hz
        >>> d = {"reports": {"a": {"t": "h"}, "b": {"t": "h"}},
        ...      "prior": {"g": 0.5, "b": 0.5},
        ...      "signal_given_state": {"g": {"h": 0.8, "l": 0.2}, "b": {"h": 0.2, "l": 0.8}}}
        >>> out = hz.mechanism("elicitation.peer_prediction", rule="quadratic").run(d)
        >>> round(out.result["scores"]["a"], 12)  # 2·0.68 − (0.68² + 0.32²), MRZ §2
        0.7952
    """

    name = "elicitation.peer_prediction"
    summary = ("Miller–Resnick–Zeckhauser peer prediction: a proper rule on the predicted "
               "peer report.")
    Params = PeerPredictionParams
    Input = PeerPredictionInput
    claims = model_claims(
        "the signal model is stochastically relevant (MRZ 2005 §2: different signals "
        "give different posteriors; audited on models with L1 distance ≥ 0.05)",
        "truthful_equilibrium", "bic")
    #: 2: the quadratic rule is MRZ's 2g_j − Σg² (version 1 subtracted 1 more, G&R's form)
    version = "2"

    def labels(self, inp: Any) -> list[str]:
        first = next(iter(inp.signal_given_state.values()), {})
        return sorted(first)

    def check_input(self, inp: Any, labels: list[str]) -> None:
        from .model import SignalModel

        model = SignalModel(inp.prior, inp.signal_given_state)
        if inp.signals is not None and sorted(inp.signals) != model.signals:
            raise InputError("signals", f"must be the model's signals {model.signals}")
        marg = model.marginal()
        for agent, tasks in inp.reports.items():
            for task, label in tasks.items():
                if marg[model.signals.index(label)] <= 0:
                    raise InputError(join_field(join_field("reports", agent), task),
                                     f"signal {label!r} has probability 0 under the model")
        if self.params.rule == "log":
            for x in model.signals:
                if marg[model.signals.index(x)] > 0 and np.any(model.predictive(x) <= 0):
                    raise InputError("signal_given_state", "a signal predicts probability 0 "
                                     "for a peer signal: the log rule could pay −∞ (use "
                                     "rule=quadratic)")

    def context(self, inp: Any) -> Any:
        from .model import SignalModel

        return SignalModel(inp.prior, inp.signal_given_state)

    def task_score(self, inp: Any, ctx: Any, agent: str, task: str, peer: str) -> float | None:
        g = ctx.predictive(inp.reports[agent][task])
        y = ctx.signals.index(inp.reports[peer][task])
        score = float(CATEGORICAL_RULES[self.params.rule](g, y))
        # MRZ 2005 §2 state the quadratic rule as 2g(s_j | s_i) − Σ_h g(s_h | s_i)²
        return score + 1.0 if self.params.rule == "quadratic" else score

    def model_fields(self, model: Any) -> dict[str, Any]:
        return model.to_dict()

    def edge_fields(self) -> dict[str, Any]:
        return {"prior": {"g": 0.5, "b": 0.5},
                "signal_given_state": {"g": {"h": 0.8, "l": 0.2}, "b": {"h": 0.3, "l": 0.7}}}

    def model_condition(self, model: Any) -> bool:
        """Stochastic relevance (MRZ 2005 §2): different signals give clearly different
        posteriors (L1 distance ≥ 0.05 here).

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.mechanisms.elicitation.model import SignalModel
            >>> m = SignalModel({"g": 1.0}, {"g": {"h": 0.5, "l": 0.5}})
            >>> hz.mechanism("elicitation.peer_prediction").model_condition(m)
            False
        """
        preds = [model.predictive(s) for s in model.signals]
        return all(np.abs(preds[a] - preds[b]).sum() >= 0.05
                   for a in range(len(preds)) for b in range(a))


# --- Dasgupta–Ghosh and correlated agreement ---------------------------------------------------
class CorrelatedAgreementInput(PeerInput):
    """Reports plus ``positive``: for each label x, the peer labels y with S(x, y) = 1."""

    positive: dict[Name, list[Name]] | None = None


class _Agreement(_Peer):
    """Bonus task minus the agreement expected on disjoint penalty tasks."""

    game = "pairwise"

    def agreement_matrix(self, inp: Any, labels: list[str]) -> np.ndarray:
        return np.eye(len(labels))

    def context(self, inp: Any) -> Any:
        labels = self.labels(inp)
        return labels, self.agreement_matrix(inp, labels), {}

    @staticmethod
    def _pair(inp: Any, labels: list[str], agent: str, peer: str) -> dict[str, Any]:
        """Counts behind every bonus task of one (agent, peer) pair, so that a task's penalty
        sets cost O(k): prefix counts of labels at even and odd positions of the shared
        tasks (removing the bonus task shifts the parity of the tasks after it)."""
        mine, theirs = inp.reports[agent], inp.reports[peer]
        index = {x: k for k, x in enumerate(labels)}
        shared = sorted(set(mine) & set(theirs))
        k = len(labels)

        def onehot(reports: dict[str, str], tasks: list[str]) -> np.ndarray:
            out = np.zeros((len(tasks), k))
            for m, t in enumerate(tasks):
                out[m, index[reports[t]]] = 1.0
            return out

        def prefix(rows: np.ndarray, parity: int) -> np.ndarray:
            keep = rows * (np.arange(len(rows)) % 2 == parity)[:, None]
            return np.vstack([np.zeros((1, k)), np.cumsum(keep, axis=0)])

        own_rows, peer_rows = onehot(mine, shared), onehot(theirs, shared)
        return {"position": {t: m for m, t in enumerate(shared)}, "n": len(shared),
                "own_only": onehot(mine, [t for t in mine if t not in theirs]).sum(axis=0),
                "peer_only": onehot(theirs, [t for t in theirs if t not in mine]).sum(axis=0),
                "own_even": prefix(own_rows, 0), "own_odd": prefix(own_rows, 1),
                "peer_even": prefix(peer_rows, 0), "peer_odd": prefix(peer_rows, 1)}

    def task_score(self, inp: Any, ctx: Any, agent: str, task: str, peer: str) -> float | None:
        labels, S, cache = ctx
        if (agent, peer) not in cache:
            cache[agent, peer] = self._pair(inp, labels, agent, peer)
        c = cache[agent, peer]
        p, n = c["position"][task], c["n"]
        # shared tasks other than the bonus, dealt alternately: before p at even positions
        # and after p at odd positions go to the agent, the rest to the peer
        own = c["own_only"] + c["own_even"][p] + (c["own_odd"][n] - c["own_odd"][p + 1])
        theirs = c["peer_only"] + c["peer_odd"][p] + (c["peer_even"][n] - c["peer_even"][p + 1])
        if own.sum() == 0 or theirs.sum() == 0:
            return None
        fi, fj = own / own.sum(), theirs / theirs.sum()
        index = {x: k for k, x in enumerate(labels)}
        bonus = S[index[inp.reports[agent][task]], index[inp.reports[peer][task]]]
        return float(bonus - fi @ S @ fj)

    def score_matrix(self, model: Any) -> np.ndarray:
        return np.eye(len(model.signals))

    def edge_inputs(self) -> list[dict[str, Any]]:
        out = super().edge_inputs()
        out.append({"reports": {"u1": {"t1": "h", "t2": "l", "t3": "h", "t4": "h"},
                                "u2": {"t1": "h", "t2": "l", "t3": "l", "t4": "h"}},
                    "signals": ["h", "l"]})
        return out


@register
class DasguptaGhosh(_Agreement):
    """Dasgupta–Ghosh multi-task peer prediction for binary signals.

    Example:
        >>> import hurwicz as hz
        >>> d = {"reports": {"a": {"t1": "h", "t2": "l", "t3": "h"},
        ...                  "b": {"t1": "h", "t2": "l", "t3": "l"}}}
        >>> out = hz.mechanism("elicitation.dasgupta_ghosh").run(d)
        >>> # bonus t1: penalty tasks t2 (a's: l) and t3 (b's: l) agree → 1 − 1
        >>> out.result["task_scores"]["a"]
        {'t1': 0.0, 't2': 1.0, 't3': 0.0}
    """

    name = "elicitation.dasgupta_ghosh"
    summary = "Dasgupta–Ghosh: agreement on a bonus task minus agreement on penalty tasks."
    signal_count = 2
    claims = model_claims(
        "binary signals, positively correlated (Dasgupta–Ghosh 2013 §2; audited with a "
        "0.02 margin)",
        "truthful_equilibrium", "bic")

    def check_input(self, inp: Any, labels: list[str]) -> None:
        field = "signals" if inp.signals is not None else "reports"
        if len(labels) > 2 or (inp.signals is not None and len(labels) != 2):
            raise InputError(field, f"Dasgupta–Ghosh needs binary signals, got {labels}: use "
                             "elicitation.correlated_agreement for more")

    def model_condition(self, model: Any) -> bool:
        """Binary signals, positively correlated: P(s_j = x | s_i = x) ≥ P(x) + 0.02 (DG 2013
        §2's assumption, with a margin).

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.mechanisms.elicitation.model import SignalModel
            >>> m = SignalModel({"g": 0.5, "b": 0.5}, {"g": {"h": 0.8, "l": 0.2},
            ...                                         "b": {"h": 0.2, "l": 0.8}})
            >>> hz.mechanism("elicitation.dasgupta_ghosh").model_condition(m)
            True
        """
        if len(model.signals) != 2:
            return False
        marg = model.marginal()
        return all(model.predictive(x)[k] >= marg[k] + 0.02
                   for k, x in enumerate(model.signals))


@register
class CorrelatedAgreement(_Agreement):
    """Correlated agreement (Shnayder, Agarwal, Frongillo & Parkes 2016).

    Example:
        >>> import hurwicz as hz
        >>> d = {"reports": {"a": {"t1": "x", "t2": "y", "t3": "z"},
        ...                  "b": {"t1": "x", "t2": "z", "t3": "z"}},
        ...      "positive": {"x": ["x"], "y": ["y", "z"], "z": ["y", "z"]}}
        >>> # t2: S(y, z) = 1 on the bonus task, S(x, z) = 0 on the penalty tasks t1, t3
        >>> hz.mechanism("elicitation.correlated_agreement").run(d).result["task_scores"]["a"]
        {'t1': 0.0, 't2': 1.0, 't3': 1.0}
    """

    name = "elicitation.correlated_agreement"
    summary = "Correlated agreement: S(bonus reports) − S on penalty tasks, S = sign of Δ."
    Input = CorrelatedAgreementInput
    claims = model_claims(
        "the score matrix is the model's sign matrix (Shnayder et al. 2016); audited on "
        "the signal models of model_condition",
        "bic")

    def agreement_matrix(self, inp: Any, labels: list[str]) -> np.ndarray:
        if inp.positive is None:
            return np.eye(len(labels))
        S = np.zeros((len(labels), len(labels)))
        for x, ys in inp.positive.items():
            if x not in labels:
                raise InputError(join_field("positive", x), f"{x!r} is not one of the "
                                 f"signals {labels}")
            for k, y in enumerate(ys):
                if y not in labels:
                    raise InputError(f"{join_field('positive', x)}.{k}", f"{y!r} is not one of "
                                     f"the signals {labels}")
                S[labels.index(x), labels.index(y)] = 1.0
        return S

    def check_input(self, inp: Any, labels: list[str]) -> None:
        self.agreement_matrix(inp, labels)

    def score_matrix(self, model: Any) -> np.ndarray:
        """S(x, y) = 1{Δ(x, y) > 0}, Δ = P(x, y) − P(x)P(y) (the paper's choice).

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.mechanisms.elicitation.model import SignalModel
            >>> m = SignalModel({"g": 0.5, "b": 0.5}, {"g": {"h": 0.8, "l": 0.2},
            ...                                         "b": {"h": 0.2, "l": 0.8}})
            >>> hz.mechanism("elicitation.correlated_agreement").score_matrix(m).tolist()
            [[1.0, 0.0], [0.0, 1.0]]
        """
        marg = model.marginal()
        delta = model.joint() - np.outer(marg, marg)
        return (delta > 1e-12).astype(float)

    def model_fields(self, model: Any) -> dict[str, Any]:
        S = self.score_matrix(model)
        sig = model.signals
        return {"signals": list(sig),
                "positive": {x: [y for k, y in enumerate(sig) if S[j, k] > 0]
                             for j, x in enumerate(sig)}}


# --- peer truth serum --------------------------------------------------------------------------
class PeerTruthSerumInput(PeerInput):
    """Reports plus ``prior``: the public distribution R of answers (optional)."""

    prior: dict[Name, Probability] | None = None


@register
class PeerTruthSerum(_Peer):
    """Peer truth serum: 1{r_i = r_j}/R(r_i) − 1.

    Example:
        >>> import hurwicz as hz
        >>> d = {"reports": {"a": {"t": "h"}, "b": {"t": "h"}}, "prior": {"h": 0.25, "l": 0.75}}
        >>> hz.mechanism("elicitation.peer_truth_serum").run(d).result["scores"]
        {'a': 3.0, 'b': 3.0}
    """

    name = "elicitation.peer_truth_serum"
    summary = "Peer truth serum (Radanovic–Faltings): agreement weighted by 1/R(answer), minus 1."
    Input = PeerTruthSerumInput
    claims = model_claims(
        "self-predicting beliefs (Radanovic–Faltings); audited on signal models that "
        "satisfy it",
        "truthful_equilibrium", "bic")

    def labels(self, inp: Any) -> list[str]:
        if inp.prior is not None and inp.signals is None:
            return sorted(inp.prior)
        return super().labels(inp)

    def check_input(self, inp: Any, labels: list[str]) -> None:
        if inp.prior is not None:
            check_distribution(inp.prior, labels, "prior")
            for agent, tasks in inp.reports.items():
                for task, label in tasks.items():
                    if inp.prior[label] <= 0:
                        raise InputError(join_field(join_field("reports", agent), task),
                                         f"{label!r} has probability 0 in the prior R")

    def context(self, inp: Any) -> Any:
        if inp.prior is not None:
            return dict(inp.prior)
        counts = Counter(x for r in inp.reports.values() for x in r.values())
        total = sum(counts.values())
        return {x: c / total for x, c in counts.items()}

    def task_score(self, inp: Any, ctx: Any, agent: str, task: str, peer: str) -> float | None:
        x = inp.reports[agent][task]
        return float(x == inp.reports[peer][task]) / ctx[x] - 1.0

    def model_fields(self, model: Any) -> dict[str, Any]:
        return {"prior": {x: float(p) for x, p in zip(model.signals, model.marginal())}}

    def edge_fields(self) -> dict[str, Any]:
        return {"prior": {"h": 0.4, "l": 0.6}}

    def model_condition(self, model: Any) -> bool:
        """Self-predicting (Radanovic, Faltings & Jurca 2016, §3): for every signal x and
        y ≠ x, P(x | x)/R(x) > P(y | x)/R(y) (+ 0.02), with R the prior over signals.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.mechanisms.elicitation.model import SignalModel
            >>> m = SignalModel({"g": 0.5, "b": 0.5}, {"g": {"h": 0.8, "l": 0.2},
            ...                                         "b": {"h": 0.2, "l": 0.8}})
            >>> hz.mechanism("elicitation.peer_truth_serum").model_condition(m)
            True
        """
        R = model.marginal()
        for k, x in enumerate(model.signals):
            ratio = model.predictive(x) / R
            if any(ratio[k] < ratio[j] + 0.02 for j in range(len(R)) if j != k):
                return False
        return True


__all__ = ["CorrelatedAgreement", "DasguptaGhosh", "OutputAgreement", "PeerPrediction",
           "PeerTruthSerum"]

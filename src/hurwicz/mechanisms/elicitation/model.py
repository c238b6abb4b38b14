"""Signal models, the equilibrium analysis of peer mechanisms and crowd simulation.

A :class:`SignalModel` is a common prior over world states and, per state, the distribution of
each agent's signal (i.i.d. across agents given the state; tasks are i.i.d.). A *strategy* maps
an agent's true signal to the signal it *acts as if* it had (its report is then the truthful
report of that signal: the answer, and for truth serums the prediction of that signal's
posterior):

* ``"truthful"``; ``"constant:x"`` (lazy: always x); ``"random"`` (uniform);
  ``"flip"`` (the next signal in the model's order: a swap for binary signals);
* a mapping ``{signal: signal}`` or ``{signal: {signal: probability}}``.

:func:`truthfulness` computes, exactly, each agent's expected score under truth-telling and
under strategy profiles, the interim gain of every unilateral misreport (deciding whether
truth-telling is a strict Bayes–Nash equilibrium), and whether an uninformative profile pays
more than truth. Mechanisms scored task by task (output agreement, peer prediction, PTS, BTS,
RBTS) are *run* on every report profile of one task, so the numbers are the mechanism's own;
the multi-task mechanisms (Dasgupta–Ghosh, correlated agreement) use their exact expectation
for i.i.d. tasks and disjoint penalty sets, E = Σ_{x,y} S(x,y)[P(r_i = x, r_j = y) −
P(r_i = x) P(r_j = y)] (Shnayder et al. 2016, Lemma 3.2).

Example:
    >>> model = SignalModel({"good": 0.5, "bad": 0.5},
    ...                     {"good": {"h": 0.8, "l": 0.2}, "bad": {"h": 0.3, "l": 0.7}})
    >>> rep = truthfulness("elicitation.output_agreement", model)
    >>> rep.bic, rep.uninformative_pays_more
    (True, True)
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from hurwicz.core.errors import InputError, ParameterError
from hurwicz.core.types import join_field

from .common import check_distribution

Report = tuple[str, str]  # (answer, the signal whose prediction is reported)


class SignalModel:
    """Common prior ``prior[state]`` and signal distributions ``signal_given_state[state]``.

    Example:
        >>> m = SignalModel({"s": 1.0}, {"s": {"a": 0.25, "b": 0.75}})
        >>> m.signals, m.marginal().tolist()
        (['a', 'b'], [0.25, 0.75])
    """

    def __init__(self, prior: Mapping[str, float],
                 signal_given_state: Mapping[str, Mapping[str, float]]) -> None:
        self.states = sorted(prior)
        if not self.states:
            raise InputError("prior", "needs at least one state")
        self.prior = np.array(check_distribution(prior, self.states, "prior"))
        for s in signal_given_state:
            if s not in prior:
                raise InputError(join_field("signal_given_state", s), f"state {s!r} is not in "
                                 "the prior")
        first = next(iter(signal_given_state.values()), None)
        if first is None:
            raise InputError("signal_given_state", "needs the signal distribution of every "
                             "state")
        self.signals = sorted(first)
        rows = []
        for s in self.states:
            if s not in signal_given_state:
                raise InputError("signal_given_state", f"no signal distribution for state {s!r}")
            rows.append(check_distribution(signal_given_state[s], self.signals,
                                           join_field("signal_given_state", s)))
        self.likelihood = np.array(rows)  # [state, signal]

    def marginal(self) -> np.ndarray:
        """P(signal).

        Example:
            >>> SignalModel({"s": 1.0}, {"s": {"a": 1.0}}).marginal().tolist()
            [1.0]
        """
        return self.prior @ self.likelihood

    def posterior(self, signal: str) -> np.ndarray:
        """P(state | own signal).

        Example:
            >>> m = SignalModel({"g": 0.5, "b": 0.5}, {"g": {"h": 0.8, "l": 0.2},
            ...                                         "b": {"h": 0.2, "l": 0.8}})
            >>> m.posterior("h").round(12).tolist()  # states sorted: b, g
            [0.2, 0.8]
        """
        k = self.signals.index(signal)
        w = self.prior * self.likelihood[:, k]
        total = w.sum()
        return w / total if total > 0 else w

    def predictive(self, signal: str) -> np.ndarray:
        """P(another agent's signal | own signal).

        Example:
            >>> m = SignalModel({"g": 0.5, "b": 0.5}, {"g": {"h": 0.8, "l": 0.2},
            ...                                         "b": {"h": 0.2, "l": 0.8}})
            >>> m.predictive("h").round(12).tolist()  # h: 0.8·0.8 + 0.2·0.2
            [0.68, 0.32]
        """
        return self.posterior(signal) @ self.likelihood

    def joint(self) -> np.ndarray:
        """P(s_i, s_j) for two agents on one task.

        Example:
            >>> SignalModel({"s": 1.0}, {"s": {"a": 0.5, "b": 0.5}}).joint().tolist()
            [[0.25, 0.25], [0.25, 0.25]]
        """
        return (self.likelihood * self.prior[:, None]).T @ self.likelihood

    def to_dict(self) -> dict[str, Any]:
        """``{"prior": ..., "signal_given_state": ...}`` (the input format).

        Example:
            >>> SignalModel({"s": 1.0}, {"s": {"a": 1.0}}).to_dict()
            {'prior': {'s': 1.0}, 'signal_given_state': {'s': {'a': 1.0}}}
        """
        return {"prior": {s: float(p) for s, p in zip(self.states, self.prior)},
                "signal_given_state": {s: {x: float(v) for x, v in zip(self.signals, row)}
                                       for s, row in zip(self.states, self.likelihood)}}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SignalModel) and self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        return f"SignalModel({self.to_dict()})"

    __hash__ = None  # type: ignore[assignment]


def as_model(model: Any) -> SignalModel:
    """A :class:`SignalModel` from itself or ``{"prior": ..., "signal_given_state": ...}``.

    Example:
        >>> as_model({"prior": {"s": 1}, "signal_given_state": {"s": {"a": 1}}}).signals
        ['a']
    """
    if isinstance(model, SignalModel):
        return model
    if isinstance(model, Mapping):
        for key in ("prior", "signal_given_state"):
            if key not in model:
                raise InputError(key, "required field is missing (a signal model is "
                                     "{'prior': {state: p}, 'signal_given_state': "
                                     "{state: {signal: p}}})")
        for key in model:
            if key not in ("prior", "signal_given_state"):
                raise InputError(str(key), "unknown field (expected prior, "
                                     "signal_given_state)")
    if not isinstance(model, Mapping) or set(model) != {"prior", "signal_given_state"}:
        raise ParameterError("model", "give a SignalModel or {'prior': {state: p}, "
                             "'signal_given_state': {state: {signal: p}}}")
    return SignalModel(model["prior"], model["signal_given_state"])


def random_model(rng: np.random.Generator, states: int = 2, signals: int = 2) -> SignalModel:
    """A random model with probabilities on a 0.01 grid (each at least 0.01).

    Example:
        >>> import numpy as np
        >>> m = random_model(np.random.default_rng(0), 2, 3)
        >>> len(m.states), len(m.signals)
        (2, 3)
    """
    def dist(k: int) -> list[float]:
        cents = 1 + rng.multinomial(100 - k, rng.dirichlet(np.ones(k)))
        return [round(float(c) / 100, 2) for c in cents]

    names = [f"w{i + 1}" for i in range(states)]
    labels = ["h", "l", "m", "n", "o"][:signals] if signals <= 5 else [
        f"s{i}" for i in range(signals)]
    return SignalModel(dict(zip(names, dist(states))),
                       {w: dict(zip(labels, dist(signals))) for w in names})


# --- strategies --------------------------------------------------------------------------------
def strategy_matrix(spec: Any, signals: Sequence[str]) -> dict[str, dict[str, float]]:
    """``{true signal: {acted signal: probability}}`` for a strategy spec.

    Example:
        >>> strategy_matrix("flip", ["h", "l"])
        {'h': {'l': 1.0}, 'l': {'h': 1.0}}
        >>> strategy_matrix("constant:h", ["h", "l"])["l"]
        {'h': 1.0}
    """
    sig = list(signals)
    if isinstance(spec, Mapping):
        out: dict[str, dict[str, float]] = {}
        for s in sig:
            row = spec.get(s, s)
            row = {row: 1.0} if isinstance(row, str) else dict(row)
            for r in row:
                if r not in sig:
                    raise ParameterError("profiles", f"{r!r} is not a signal {sig}")
            out[s] = {r: float(p) for r, p in row.items() if p > 0}
        return out
    if spec == "truthful":
        return {s: {s: 1.0} for s in sig}
    if spec == "random":
        return {s: {r: 1.0 / len(sig) for r in sig} for s in sig}
    if spec == "flip":
        return {s: {sig[(i + 1) % len(sig)]: 1.0} for i, s in enumerate(sig)}
    if isinstance(spec, str) and spec.startswith("constant:"):
        x = spec.split(":", 1)[1]
        if x not in sig:
            raise ParameterError("profiles", f"constant:{x}: {x!r} is not a signal {sig}")
        return {s: {x: 1.0} for s in sig}
    raise ParameterError("profiles", f"unknown strategy {spec!r} (truthful, constant:X, random, "
                         "flip, or a mapping signal → signal)")


def _uninformative(matrix: Mapping[str, Mapping[str, float]]) -> bool:
    rows = [dict(r) for r in matrix.values()]
    return all(r == rows[0] for r in rows)


# --- the analysis ------------------------------------------------------------------------------
@dataclass
class TruthfulnessReport:
    """What :func:`truthfulness` found (``to_dict()`` for JSON)."""

    mechanism: str
    model: dict[str, Any]
    agents: list[str]
    truthful_equilibrium: bool
    bic: bool
    max_gain: float
    best_deviation: dict[str, Any] | None
    interim: dict[str, dict[str, float]]
    expected: dict[str, dict[str, Any]] = field(default_factory=dict)
    uninformative_pays_more: bool | None = None
    best_uninformative: dict[str, Any] | None = None
    deviations: int = 0
    method: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The report as a JSON-ready dict.

        Example:
            >>> model = {"prior": {"s": 1.0}, "signal_given_state": {"s": {"a": 0.5, "b": 0.5}}}
            >>> sorted(truthfulness("elicitation.output_agreement", model).to_dict())[:3]
            ['agents', 'best_deviation', 'best_uninformative']
        """
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _reports(mech: Any, signals: Sequence[str], acted: str) -> Report:
    return (acted, acted)


#: Predictions tried for binary signals besides every signal's own (truth serums).
PREDICTION_GRID = tuple(round(0.05 * i, 2) for i in range(1, 20))


def _choices(mech: Any, signals: Sequence[str]) -> list[Report]:
    """The reports an agent may make: every answer; for truth serums, combined with the
    prediction of every signal and, for binary signals, with a grid of predictions."""
    if getattr(type(mech), "predictions", False):
        out: list[Report] = [(a, b) for a in signals for b in signals]
        if len(signals) == 2:
            out += [(a, f"{p:.2f}") for a in signals for p in PREDICTION_GRID]
        return out
    return [(a, a) for a in signals]


def _label(rep: Report) -> str:
    if rep[0] == rep[1]:
        return rep[0]
    try:
        return f"{rep[0]} (predicting {float(rep[1]):.2f} for the first signal)"
    except ValueError:
        return f"{rep[0]} (predicting as {rep[1]})"


def prediction_of(model: SignalModel, basis: str) -> list[float]:
    """The prediction a report carries: the posterior predictive of the signal ``basis``, or,
    for a number p (binary signals), (p, 1 − p).

    Example:
        >>> m = SignalModel({"s": 1.0}, {"s": {"a": 0.25, "b": 0.75}})
        >>> prediction_of(m, "a"), prediction_of(m, "0.40")
        ([0.25, 0.75], [0.4, 0.6])
    """
    if basis in model.signals:
        return [float(v) for v in model.predictive(basis)]
    p = float(basis)
    return [p, 1.0 - p]


class _TaskGame:
    """Exact expectations for mechanisms scored task by task: run every report profile."""

    def __init__(self, mech: Any, model: SignalModel, agents: list[str]) -> None:
        self.mech, self.model, self.agents = mech, model, agents
        self.cache: dict[tuple[Report, ...], dict[str, float]] = {}

    def scores(self, profile: tuple[Report, ...]) -> dict[str, float]:
        if profile not in self.cache:
            data = self.mech.task_input(self.model, dict(zip(self.agents, profile)))
            self.cache[profile] = self.mech.run(data).result["scores"]
        return self.cache[profile]

    def report_dists(self, matrices: Sequence[Mapping[str, Mapping[str, float]]]
                     ) -> list[np.ndarray]:
        """Per agent: P(report | state) over that agent's possible reports (acted signals)."""
        sig = self.model.signals
        out = []
        for mat in matrices:
            dist = np.zeros((len(self.model.states), len(sig)))
            for k, s in enumerate(sig):
                for r, p in mat[s].items():
                    dist[:, sig.index(r)] += p * self.model.likelihood[:, k]
            out.append(dist)
        return out

    def expected(self, matrices: Sequence[Mapping[str, Mapping[str, float]]]) -> list[float]:
        sig = self.model.signals
        dists = self.report_dists(matrices)
        total = np.zeros(len(self.agents))
        for combo in itertools.product(range(len(sig)), repeat=len(self.agents)):
            w = self.model.prior.copy()
            for a, r in enumerate(combo):
                w = w * dists[a][:, r]
            p = float(w.sum())
            if p <= 0:
                continue
            sc = self.scores(tuple(_reports(self.mech, sig, sig[r]) for r in combo))
            total += p * np.array([sc[a] for a in self.agents])
        return [float(v) for v in total]

    def interim(self, i: int, signal: str,
                others: Sequence[Mapping[str, Mapping[str, float]]],
                choices: Sequence[Report]) -> list[float]:
        sig = self.model.signals
        post = self.model.posterior(signal)
        dists = self.report_dists(others)
        vals = np.zeros(len(choices))
        n = len(self.agents)
        for combo in itertools.product(range(len(sig)), repeat=n - 1):
            w = post.copy()
            for a, r in enumerate(combo):
                w = w * dists[a][:, r]
            p = float(w.sum())
            if p <= 0:
                continue
            rest = [_reports(self.mech, sig, sig[r]) for r in combo]
            for c, own in enumerate(choices):
                profile = (*rest[:i], own, *rest[i:])
                vals[c] += p * self.scores(profile)[self.agents[i]]
        return [float(v) for v in vals]


class _PairGame:
    """Exact expectations of the multi-task agreement mechanisms (i.i.d. tasks, disjoint
    penalty tasks): Σ_{x,y} S(x,y)[P(r_i = x, r_j = y) − P_i(x) P_j(y)], peer j = next agent."""

    def __init__(self, mech: Any, model: SignalModel, agents: list[str]) -> None:
        self.mech, self.model, self.agents = mech, model, agents
        self.S = np.asarray(mech.score_matrix(model), dtype=float)

    def _mat(self, m: Mapping[str, Mapping[str, float]]) -> np.ndarray:
        sig = self.model.signals
        out = np.zeros((len(sig), len(sig)))
        for s, row in m.items():
            for r, p in row.items():
                out[sig.index(s), sig.index(r)] = p
        return out

    def expected(self, matrices: Sequence[Mapping[str, Mapping[str, float]]]) -> list[float]:
        joint, marg = self.model.joint(), self.model.marginal()
        out = []
        n = len(self.agents)
        for i in range(n):
            si, sj = self._mat(matrices[i]), self._mat(matrices[(i + 1) % n])
            pair = si.T @ joint @ sj
            pi, pj = marg @ si, marg @ sj
            out.append(float(np.sum(self.S * (pair - np.outer(pi, pj)))))
        return out

    def interim(self, i: int, signal: str,
                others: Sequence[Mapping[str, Mapping[str, float]]],
                choices: Sequence[Report]) -> list[float]:
        sig = self.model.signals
        peer = self._mat(others[0])  # the next agent's strategy comes first among the others
        cond = self.model.predictive(signal) @ peer
        marg = self.model.marginal() @ peer
        return [float(self.S[sig.index(c[0])] @ (cond - marg)) for c in choices]


def _is_equilibrium(game: Any, model: SignalModel,
                    mats: Sequence[Mapping[str, Mapping[str, float]]],
                    choices: Sequence[Report], tolerance: float) -> bool:
    """Whether a symmetric profile is a (weak) Bayes–Nash equilibrium: for agent a1 and every
    signal, each report the strategy plays is a best response to the others' strategy."""
    sig = model.signals
    for s in sig:
        if model.marginal()[sig.index(s)] <= 0:
            continue
        vals = game.interim(0, s, mats[1:], choices)
        played = sum(p * vals[choices.index((r, r))] for r, p in mats[0][s].items())
        if max(vals) > played + tolerance:
            return False
    return True


def truthfulness(mechanism: Any, model: Any, agents: int | None = None,
                 profiles: Mapping[str, Any] | None = None,
                 tolerance: float = 1e-9) -> TruthfulnessReport:
    """Exact equilibrium analysis of a peer mechanism or truth serum under a signal model.

    Args:
        mechanism: a configured mechanism or a registered name.
        model: a :class:`SignalModel` or ``{"prior": ..., "signal_given_state": ...}``.
        agents: how many agents play (default: the mechanism's ``game_agents``, 3).
        profiles: ``{name: strategy}`` (everyone plays it) or ``{name: [strategy per agent]}``;
            default: truthful, every constant, random, flip, one lazy agent, one adversarial
            (flipping) agent. ``{}``: truthful only.
        tolerance: gains within it count as ties (a strict equilibrium needs every misreport
            to lose more than it).

    Returns:
        a :class:`TruthfulnessReport`: ``truthful_equilibrium`` (strict BNE), ``bic`` (weak),
        the best deviation, each profile's expected score per agent and task (as in
        ``result.scores``, before ``scale``; symmetric profiles also say whether they are
        an ``equilibrium``), and whether an uninformative equilibrium (everyone constant or
        random, and no one gains by deviating) pays more on average than truth.

    Example:
        >>> model = {"prior": {"g": 0.5, "b": 0.5},
        ...          "signal_given_state": {"g": {"h": 0.8, "l": 0.2}, "b": {"h": 0.2, "l": 0.8}}}
        >>> rep = truthfulness("elicitation.dasgupta_ghosh", model)
        >>> rep.truthful_equilibrium, round(rep.expected["truthful"]["mean"], 12)
        (True, 0.18)
        >>> rep.uninformative_pays_more
        False
    """
    from hurwicz.core.registry import mechanism as make

    mech = make(mechanism) if isinstance(mechanism, str) else mechanism
    model = as_model(model)
    if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or \
            not math.isfinite(tolerance) or tolerance < 0:
        raise ParameterError("tolerance", f"must be a finite number ≥ 0, got {tolerance!r}")
    if not hasattr(mech, "game"):
        raise ParameterError("mechanism", f"{mech.name} is not a peer mechanism or truth serum")
    n = int(agents if agents is not None else getattr(type(mech), "game_agents", 3))
    least = int(getattr(type(mech), "min_agents", 2))
    if n < least:
        raise ParameterError("agents", f"{mech.name} needs at least {least} agents")
    mech.check_model(model)
    names = [f"a{i + 1}" for i in range(n)]
    game: Any = (_PairGame if mech.game == "pairwise" else _TaskGame)(mech, model, names)
    sig = model.signals
    truthful = strategy_matrix("truthful", sig)
    choices = _choices(mech, sig)
    best: dict[str, Any] | None = None
    max_gain = -np.inf
    tried = 0
    interim: dict[str, dict[str, float]] = {}
    # peers, references and penalty partners are assigned cyclically, so under truth-telling
    # every agent faces the same game: agent a1's deviations stand for everyone's
    for i, agent in enumerate(names[:1]):
        others = [truthful] * (n - 1)
        for s in sig:
            if model.marginal()[sig.index(s)] <= 0:
                continue
            vals = game.interim(i, s, others, choices)
            truth = vals[choices.index((s, s))]
            if i == 0:
                interim[s] = {_label(c): v for c, v in zip(choices, vals)}
            own = prediction_of(model, s)
            for c, v in zip(choices, vals):
                if c[0] == s and (c[1] == s or (c[1] not in sig and np.allclose(
                        prediction_of(model, c[1]), own, rtol=0, atol=1e-12))):
                    continue  # the truthful report itself
                tried += 1
                if v - truth > max_gain:
                    max_gain = v - truth
                    best = {"agent": agent, "signal": s, "truthful_report": _label((s, s)),
                            "report": _label(c), "truthful_utility": truth,
                            "deviating_utility": v, "gain": v - truth}
    if max_gain == -np.inf:
        max_gain = 0.0
    if profiles is None:
        chosen: dict[str, Any] = {"truthful": "truthful"}
        chosen.update({f"constant:{x}": f"constant:{x}" for x in sig})
        chosen.update({"random": "random", "flip": "flip"})
        lazy = sig[int(np.argmax(model.marginal()))]
        chosen["one_lazy"] = [f"constant:{lazy}"] + ["truthful"] * (n - 1)
        chosen["one_adversarial"] = ["flip"] + ["truthful"] * (n - 1)
    else:
        chosen = {"truthful": "truthful", **dict(profiles)}
    expected: dict[str, dict[str, Any]] = {}
    best_uninf: dict[str, Any] | None = None
    for pname, spec in chosen.items():
        specs = list(spec) if isinstance(spec, list | tuple) else [spec] * n
        if len(specs) != n:
            raise ParameterError("profiles", f"{pname}: {len(specs)} strategies for {n} agents")
        mats = [strategy_matrix(s, sig) for s in specs]
        vals = game.expected(mats)
        mean = float(np.mean(vals))
        by_strategy: dict[str, list[float]] = {}
        for s, v in zip(specs, vals):
            by_strategy.setdefault(str(s), []).append(v)
        expected[pname] = {"per_agent": dict(zip(names, vals)), "mean": mean,
                           "by_strategy": {k: float(np.mean(v)) for k, v in
                                           by_strategy.items()}}
        symmetric = all(m == mats[0] for m in mats)
        if symmetric:
            expected[pname]["equilibrium"] = _is_equilibrium(game, model, mats, choices,
                                                             tolerance)
        if symmetric and _uninformative(mats[0]) and expected[pname]["equilibrium"] and (
                best_uninf is None or mean > best_uninf["mean"]):
            best_uninf = {"profile": pname, "mean": mean}
    pays_more = None
    if best_uninf is not None:
        pays_more = best_uninf["mean"] > expected["truthful"]["mean"] + tolerance
    return TruthfulnessReport(
        mech.name, model.to_dict(), names, truthful_equilibrium=bool(max_gain < -tolerance),
        bic=bool(max_gain <= tolerance), max_gain=float(max_gain), best_deviation=best,
        interim=interim, expected=expected, uninformative_pays_more=pays_more,
        best_uninformative=best_uninf, deviations=tried,
        method=("exact: every report profile of one task run through the mechanism"
                if mech.game == "task" else
                "exact: Σ S(x,y)[P(x,y) − P(x)P(y)] for i.i.d. tasks, disjoint penalty tasks"))


# --- crowd simulation --------------------------------------------------------------------------
CROWD_TYPES = ("honest", "lazy", "random", "colluding")


@dataclass
class CrowdReport:
    """Per reporter type: mean score per task and the total payments of its agents."""

    mechanism: str
    tasks: int
    types: dict[str, str]
    per_agent: dict[str, float]
    per_type: dict[str, dict[str, float]]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready.

        Example:
            >>> model = {"prior": {"s": 1.0}, "signal_given_state": {"s": {"a": 0.5, "b": 0.5}}}
            >>> sorted(simulate_crowd("elicitation.output_agreement", model,
            ...                       {"honest": 2}, tasks=3).to_dict())
            ['mechanism', 'per_agent', 'per_type', 'tasks', 'types']
        """
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def simulate_crowd(mechanism: Any, model: Any, crowd: Mapping[str, int], tasks: int = 100,
                   seed: int = 0) -> CrowdReport:
    """Simulate a crowd on ``tasks`` i.i.d. tasks drawn from ``model`` and pay it.

    ``crowd`` counts reporters of each type: ``honest`` (report the signal), ``lazy`` (always
    the most likely signal, without looking), ``random`` (uniform) and ``colluding`` (all
    colluders report one label per task from a shared coin, ignoring their signals). Truth serums
    are run task by task; peer mechanisms on all tasks at once.

    Example:
        >>> model = {"prior": {"g": 0.5, "b": 0.5},
        ...          "signal_given_state": {"g": {"h": 0.9, "l": 0.1}, "b": {"h": 0.1, "l": 0.9}}}
        >>> rep = simulate_crowd("elicitation.dasgupta_ghosh", model,
        ...                      {"honest": 4, "lazy": 1, "colluding": 2}, tasks=200, seed=1)
        >>> rep.per_type["honest"]["mean_score_per_task"] > rep.per_type["lazy"][
        ...     "mean_score_per_task"]
        True
    """
    from hurwicz.core.registry import mechanism as make

    mech = make(mechanism) if isinstance(mechanism, str) else mechanism
    model = as_model(model)
    if not hasattr(mech, "game"):
        raise ParameterError("mechanism", f"{mech.name} is not a peer mechanism or truth serum")
    mech.check_model(model)
    for kind, count in crowd.items():
        if kind not in CROWD_TYPES:
            raise ParameterError("crowd", f"unknown reporter type {kind!r} ({CROWD_TYPES})")
        if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 0:
            raise ParameterError(kind, f"a count of reporters must be an integer >= 0, "
                                 f"got {count!r}")
    if tasks < 1:
        raise ParameterError("tasks", "must be at least 1")
    rng = np.random.default_rng(seed)
    types: dict[str, str] = {}
    for kind in CROWD_TYPES:
        for j in range(int(crowd.get(kind, 0))):
            types[f"{kind}{j + 1}"] = kind
    agents = sorted(types)
    sig = model.signals
    lazy = sig[int(np.argmax(model.marginal()))]
    acted: dict[str, dict[str, str]] = {a: {} for a in agents}
    for t in range(tasks):
        task = f"t{t + 1:05d}"
        w = rng.choice(len(model.states), p=model.prior)
        coin = sig[int(rng.integers(len(sig)))]
        for a in agents:
            s = sig[int(rng.choice(len(sig), p=model.likelihood[w]))]
            kind = types[a]
            acted[a][task] = {"honest": s, "lazy": lazy, "colluding": coin,
                              "random": sig[int(rng.integers(len(sig)))]}[kind]
    totals = dict.fromkeys(agents, 0.0)
    if mech.game == "task":
        for t in range(tasks):
            task = f"t{t + 1:05d}"
            reps = {a: (acted[a][task], acted[a][task]) for a in agents}
            out = mech.run(mech.task_input(model, reps))
            for a in agents:
                totals[a] += out.result["scores"][a]
    else:
        out = mech.run(mech.crowd_input(model, acted))
        totals = {a: float(out.result["scores"][a]) for a in agents}
    per_type: dict[str, dict[str, float]] = {}
    for kind in CROWD_TYPES:
        members = [a for a in agents if types[a] == kind]
        if members:
            tot = sum(totals[a] for a in members)
            per_type[kind] = {"agents": len(members),
                              "mean_score_per_task": tot / len(members) / tasks,
                              "total_payment": -float(mech.params.scale) * tot}
    return CrowdReport(mech.name, tasks, types, {a: float(v) for a, v in totals.items()},
                       per_type)


__all__ = ["CROWD_TYPES", "CrowdReport", "SignalModel", "TruthfulnessReport", "as_model",
           "random_model", "simulate_crowd", "strategy_matrix", "truthfulness"]

"""Checks that work instance by instance through ``run`` and a family's audit specification.

Used for structured reports (rankings, approvals, school lists, bundles, contributions), for
scalar mechanisms audited on given inputs, and for adversaries that change the set of
identities (sybils, bots, abstention). Each check walks a list of instances, tries deviations
per agent and keeps the best one found; every counterexample is replayed (both inputs run again)
before it is reported. Each returns how many deviations it tried — a check that tried none has
tested nothing — and whether every profile's search was exhaustive.

Example:
    >>> import numpy as np, hurwicz as hz
    >>> from hurwicz.auditing.spec import audit_spec
    >>> spec = audit_spec(hz.mechanism("auction.first_price"))
    >>> rec = misreport_check(spec, [{"bids": {"a": 1.0, "b": 0.5}}], np.random.default_rng(0))
    >>> rec["max_gain"] > 0.4, rec["deviations"] > 0
    (True, True)
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from hurwicz.core.capabilities import BotIdentities, SybilSplitting
from hurwicz.core.errors import AuditError, HurwiczError
from hurwicz.core.outcome import Outcome

from .spec import NOT_APPLICABLE, AuditSpec

ORDINAL_KINDS = {"ranking", "approval", "scores"}


def _replay(spec: AuditSpec, truthful_input: Any, deviating_input: Any, agents: Sequence[str],
            truths: Mapping[str, Any], group: bool) -> tuple[Outcome, Outcome, Any, Any]:
    """Run both inputs again and recompute the utilities: joint (``group``), one agent's, or
    a list with one entry per member (ordinal coalitions)."""
    mech = spec.mech
    t_out, d_out = mech.run(truthful_input), mech.run(deviating_input)
    if group:
        return (t_out, d_out, spec.group_utility(list(agents), truths, t_out),
                spec.group_utility(list(agents), truths, d_out))
    if len(agents) == 1:
        (agent,) = agents
        return (t_out, d_out, spec.utility(agent, truths[agent], t_out),
                spec.utility(agent, truths[agent], d_out))
    return (t_out, d_out, [spec.utility(a, truths[a], t_out) for a in agents],
            [spec.utility(a, truths[a], d_out) for a in agents])


def counterexample(spec: AuditSpec, data: Any, deviating: Any, agents: Sequence[str],
                   truths: Mapping[str, Any], deviation: Any, group: bool = False,
                   identities: Sequence[str] | None = None) -> dict[str, Any]:
    """A replayed counterexample: both inputs, both outcomes and both utilities.

    Example:
        >>> import hurwicz as hz
        >>> from hurwicz.auditing.spec import audit_spec
        >>> spec = audit_spec(hz.mechanism("auction.first_price"))
        >>> ce = counterexample(spec, {"bids": {"a": 1.0, "b": 0.5}},
        ...                     {"bids": {"a": 0.6, "b": 0.5}}, ["a"], {"a": 1.0}, 0.6)
        >>> round(ce["deviating_utility"] - ce["truthful_utility"], 6)
        0.4
    """
    t_out, d_out, tu, du = _replay(spec, data, deviating, identities or agents, truths, group)
    reports = spec.reports(data)
    truthful: dict[str, Any] = {"report": {a: reports.get(a) for a in agents},
                                "outcome": t_out.to_dict()}
    if any(truths[a] != reports.get(a) for a in agents):
        truthful["type"] = {a: truths[a] for a in agents}
    ce = {
        "profile": reports,
        "agent": agents[0] if len(agents) == 1 else list(agents),
        "truthful": truthful,
        "deviation": {"report": deviation, "outcome": d_out.to_dict()},
        "truthful_utility": tu,
        "deviating_utility": du,
        "input": data,
        "deviating_input": deviating,
    }
    if identities is not None:
        ce["identities"] = list(identities)
    return ce


def run_or_none(spec: AuditSpec, data: Any) -> Outcome | None:
    """The outcome of a deviating input, or ``None`` when the mechanism refuses that input
    (e.g. the only voter abstains: an election without voters has no outcome). A deviation
    the mechanism does not accept is not available to the agent, so it is not tried.

    Example:
        >>> import hurwicz as hz
        >>> from hurwicz.auditing.spec import audit_spec
        >>> spec = audit_spec(hz.mechanism("voting.plurality"))
        >>> run_or_none(spec, {"candidates": ["a"], "ballots": []}) is None
        True
    """
    try:
        return spec.mech.run(data)
    except HurwiczError:
        return None


def _result(best: dict[str, Any], tried: int, instances: int, complete: bool) -> dict[str, Any]:
    if best["max_gain"] == -np.inf:
        best["max_gain"] = 0.0
    best.update(deviations=tried, instances=instances, complete=complete)
    return best


def _unilateral(spec: AuditSpec, instances: Sequence[Any], options: Any,
                tolerance: float) -> dict[str, Any]:
    """Best single-agent deviation over ``instances``; ``options(data, agent, report)`` gives
    the deviations to try and whether they are the agent's whole deviation space."""
    best: dict[str, Any] = {"max_gain": -np.inf, "counterexample": None}
    complete = True
    tried = 0
    for data in instances:
        truthful = spec.mech.run(data)
        reports = spec.reports(data)
        types = spec.types(data)
        for agent in sorted(reports):
            truth = types[agent]
            base_u = spec.utility(agent, truth, truthful)
            cands, full = options(data, agent, reports[agent])
            complete &= full
            for cand in cands:
                if cand == reports[agent]:
                    continue
                deviating = spec.with_reports(data, {agent: cand})
                out = run_or_none(spec, deviating)
                if out is None:
                    continue
                tried += 1
                gain = spec.utility(agent, truth, out) - base_u
                if gain > best["max_gain"]:
                    best["max_gain"] = gain
                    if gain > tolerance:
                        best["counterexample"] = counterexample(
                            spec, data, deviating, [agent], {agent: truth}, cand)
    return _result(best, tried, len(instances), complete)


def misreport_check(spec: AuditSpec, instances: Sequence[Any], rng: np.random.Generator,
                    tolerance: float = 1e-9, limit: int = 720) -> dict[str, Any]:
    """Best unilateral misreport over ``instances`` (strategy-proofness / manipulability).

    Example:
        >>> import numpy as np, hurwicz as hz
        >>> from hurwicz.auditing.spec import audit_spec
        >>> r = misreport_check(audit_spec(hz.mechanism("auction.second_price")),
        ...                     [{"bids": {"a": 3.0, "b": 1.0}}], np.random.default_rng(0))
        >>> r["max_gain"] <= 0, r["complete"]
        (True, False)
    """
    return _unilateral(spec, instances,
                       lambda data, agent, report: spec.deviations(data, agent, report, rng,
                                                                   limit), tolerance)


def coalition_check(spec: AuditSpec, instances: Sequence[Any], rng: np.random.Generator,
                    k: int, tolerance: float = 1e-9, limit: int = 24,
                    max_groups: int = 20, max_joint: int = 400) -> dict[str, Any]:
    """Best joint misreport of ``k`` agents. Ordinal families need every member to gain
    strictly; quasilinear ones use the group's joint utility.

    Example:
        >>> import numpy as np, hurwicz as hz
        >>> from hurwicz.auditing.spec import audit_spec
        >>> r = coalition_check(audit_spec(hz.mechanism("auction.second_price")),
        ...                     [{"bids": {"a": 3.0, "b": 2.0, "c": 1.0}}],
        ...                     np.random.default_rng(0), 2)
        >>> r["max_gain"] > 0.9
        True
    """
    best: dict[str, Any] = {"max_gain": -np.inf, "counterexample": None}
    tried = 0
    ordinal = spec.report_kind in ORDINAL_KINDS
    for data in instances:
        truthful = spec.mech.run(data)
        reports = spec.reports(data)
        types = spec.types(data)
        groups = list(itertools.combinations(sorted(reports), k))
        if len(groups) > max_groups:
            groups = [groups[i] for i in sorted(rng.choice(len(groups), max_groups,
                                                           replace=False))]
        for group in groups:
            truths = {a: types[a] for a in group}
            options = [spec.deviations(data, a, reports[a], rng, limit)[0] + [reports[a]]
                       for a in group]
            combos: Any = itertools.product(*options)
            total = int(np.prod([len(o) for o in options]))
            if total > max_joint:
                combos = (tuple(o[rng.integers(len(o))] for o in options)
                          for _ in range(max_joint))
            for combo in combos:
                if all(c == reports[a] for a, c in zip(group, combo)):
                    continue
                deviating = spec.with_reports(data, dict(zip(group, combo)))
                out = run_or_none(spec, deviating)
                if out is None:
                    continue
                tried += 1
                gains = [spec.utility(a, truths[a], out) - spec.utility(a, truths[a], truthful)
                         for a in group]
                gain = min(gains) if ordinal else (
                    spec.group_utility(list(group), truths, out)
                    - spec.group_utility(list(group), truths, truthful))
                if gain > best["max_gain"]:
                    best["max_gain"] = gain
                    if gain > tolerance:
                        best["counterexample"] = counterexample(
                            spec, data, deviating, list(group), truths, dict(zip(group, combo)),
                            group=not ordinal)
                        if ordinal:
                            best["counterexample"]["member_gains"] = gains
    return _result(best, tried, len(instances), False)


def identities_check(spec: AuditSpec, instances: Sequence[Any], k: int, mode: str,
                     tolerance: float = 1e-9) -> dict[str, Any]:
    """Gain of one agent from splitting into ``k`` identities (``mode='sybil'``) or from
    adding ``k`` bots (``mode='bots'``), with the joint utility of all its identities.

    Example:
        >>> import hurwicz as hz
        >>> from hurwicz.auditing.spec import audit_spec
        >>> try:
        ...     identities_check(audit_spec(hz.mechanism("auction.second_price")),
        ...                      [{"bids": {"a": 1.0}}], 2, "sybil")
        ... except Exception as err:
        ...     type(err).__name__
        'AuditError'
    """
    mech = spec.mech
    capability = SybilSplitting if mode == "sybil" else BotIdentities
    if not isinstance(mech, capability):
        raise AuditError(f"{mech.name}: the {mode} adversary is not defined for it (it has no "
                         f"{capability.__name__} capability)", "adversary")
    best: dict[str, Any] = {"max_gain": -np.inf, "counterexample": None}
    tried = 0
    for data in instances:
        truthful = mech.run(data)
        reports = spec.reports(data)
        types = spec.types(data)
        for agent in sorted(reports):
            truth = types[agent]
            if mode == "sybil":
                new_data, ids = mech.sybil_split(data, agent, k)  # type: ignore[attr-defined]
            else:
                new_data, ids = mech.add_identities(data, agent, k)  # type: ignore[attr-defined]
            tried += 1
            out = mech.run(new_data)
            gain = (spec.identities_utility(list(ids), truth, out)
                    - spec.identities_utility([agent], truth, truthful))
            if gain > best["max_gain"]:
                best["max_gain"] = gain
                if gain > tolerance:
                    t_out, d_out = mech.run(data), mech.run(new_data)
                    best["counterexample"] = {
                        "profile": reports, "agent": agent, "identities": ids,
                        "truthful": {"report": reports[agent], "outcome": t_out.to_dict()},
                        "deviation": {"input": new_data, "outcome": d_out.to_dict()},
                        "truthful_utility": spec.identities_utility([agent], truth, t_out),
                        "deviating_utility": spec.identities_utility(list(ids), truth, d_out),
                        "input": data,
                    }
    return _result(best, tried, len(instances), False)


def abstain_check(spec: AuditSpec, instances: Sequence[Any],
                  tolerance: float = 1e-9) -> dict[str, Any]:
    """Gain from not participating (individual rationality / the no-show paradox): the one
    deviation per agent is to stay out, so each profile is searched exhaustively.

    Example:
        >>> import hurwicz as hz
        >>> from hurwicz.auditing.spec import audit_spec
        >>> r = abstain_check(audit_spec(hz.mechanism("auction.all_pay")),
        ...                   [{"bids": {"a": 2.0, "b": 1.0}}])
        >>> r["max_gain"], r["deviations"]
        (1.0, 2)
    """
    return _unilateral(spec, instances, lambda data, agent, report: ([None], True), tolerance)


def anonymity_check(spec: AuditSpec, instances: Sequence[Any], rng: np.random.Generator,
                    swaps: int = 20) -> dict[str, Any]:
    """Exchanging two agents (:meth:`AuditSpec.swap`) must exchange their outcomes
    (:meth:`AuditSpec.same_outcome`); pairs that cannot be told apart are skipped.

    Example:
        >>> import numpy as np, hurwicz as hz
        >>> from hurwicz.auditing.spec import audit_spec
        >>> spec = audit_spec(hz.mechanism("matching.serial_dictatorship"))
        >>> r = anonymity_check(spec, [{"agents": {"a": ["x", "y"], "b": ["x"]},
        ...                             "objects": {"x": 1, "y": 1}}], np.random.default_rng(0))
        >>> r["counterexample"]["swapped"]
        ['a', 'b']
    """
    tried = 0
    for data in instances:
        agents = sorted(spec.reports(data))
        out = spec.mech.run(data)
        pairs = list(itertools.combinations(agents, 2))
        if len(pairs) > swaps:
            pairs = [pairs[i] for i in sorted(rng.choice(len(pairs), swaps, replace=False))]
        for a, b in pairs:
            swapped_input = spec.swap(data, a, b)
            if swapped_input is None:
                continue
            swapped = run_or_none(spec, swapped_input)
            if swapped is None:
                continue
            tried += 1
            if not spec.same_outcome(out, swapped, {a: b, b: a}):
                return {"counterexample": {"input": data, "swapped": [a, b],
                                           "swapped_input": swapped_input,
                                           "outcome": out.to_dict(),
                                           "swapped_outcome": swapped.to_dict()},
                        "deviations": tried, "instances": len(instances), "complete": False}
    return {"counterexample": None, "deviations": tried, "instances": len(instances),
            "complete": False}


def monotonicity_check(spec: AuditSpec, instances: Sequence[Any],
                       factors: Sequence[float] = (1.1, 1.5, 2.0)) -> dict[str, Any]:
    """Scalar reports: raising one's own report never lowers one's (numeric) allocation.

    Example:
        >>> import hurwicz as hz
        >>> from hurwicz.auditing.spec import audit_spec
        >>> monotonicity_check(audit_spec(hz.mechanism("auction.second_price")),
        ...                    [{"bids": {"a": 1.0, "b": 2.0}}])["counterexample"] is None
        True
    """
    if spec.report_kind != "scalar":
        raise AuditError(f"{spec.mech.name}: monotone (raising one's report) is defined for "
                         "scalar reports", "properties")
    tried = 0
    for data in instances:
        out = spec.mech.run(data)
        for agent, report in sorted(spec.reports(data).items()):
            for factor in factors:
                raised = float(report) * factor + (factor - 1.0)
                tried += 1
                new = spec.mech.run(spec.with_reports(data, {agent: raised}))
                before = float(out.allocation.get(agent) or 0)
                after = float(new.allocation.get(agent) or 0)
                if after < before - 1e-12:
                    return {"counterexample": {"input": data, "agent": agent,
                                               "raised_report": raised,
                                               "allocation": before,
                                               "raised_allocation": after},
                            "deviations": tried, "instances": len(instances),
                            "complete": False}
    return {"counterexample": None, "deviations": tried, "instances": len(instances),
            "complete": False}


def budget_balance_check(spec: AuditSpec, instances: Sequence[Any], mode: str,
                         tolerance: float = 1e-9) -> dict[str, Any]:
    """Weak (payments sum ≥ 0) or strong (= 0) budget balance on every instance.

    Example:
        >>> import hurwicz as hz
        >>> from hurwicz.auditing.spec import audit_spec
        >>> budget_balance_check(audit_spec(hz.mechanism("auction.second_price")),
        ...                      [{"bids": {"a": 1.0, "b": 2.0}}], "strong")["max_gain"]
        1.0
    """
    worst = 0.0
    for data in instances:
        out = spec.mech.run(data)
        total = float(sum(out.payments.values()))
        if (mode == "weak" and total < -tolerance) or (mode == "strong"
                                                        and abs(total) > tolerance):
            return {"counterexample": {"input": data, "outcome": out.to_dict(),
                                       "revenue": total},
                    "max_gain": abs(total), "deviations": len(instances),
                    "instances": len(instances), "complete": True}
        if mode == "strong":
            worst = max(worst, abs(total))
    return {"counterexample": None, "max_gain": worst, "deviations": len(instances),
            "instances": len(instances), "complete": True}


def outcome_check(spec: AuditSpec, name: str, check: Any,
                  instances: Sequence[Any]) -> dict[str, Any]:
    """A family's outcome property on every instance; instances it does not apply to are
    counted apart (all of them: not tested).

    Example:
        >>> import hurwicz as hz
        >>> from hurwicz.auditing.spec import audit_spec
        >>> spec = audit_spec(hz.mechanism("auction.second_price", reserve=6))
        >>> r = outcome_check(spec, "efficient", spec.properties["efficient"].outcome,
        ...                   [{"bids": {"a": 3.0, "b": 5.0}}])
        >>> r["counterexample"]["witness"]
        {'welfare': 0.0, 'best_welfare': 5.0}
    """
    applicable = 0
    for data in instances:
        out = spec.mech.run(data)
        witness = check(spec.mech, data, out)
        if witness is NOT_APPLICABLE:
            continue
        applicable += 1
        if witness is not None:
            return {"counterexample": {"input": data, "outcome": out.to_dict(),
                                       "witness": witness},
                    "deviations": applicable, "instances": len(instances), "complete": True}
    return {"counterexample": None, "deviations": applicable, "instances": len(instances),
            "complete": True}

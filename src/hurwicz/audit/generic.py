"""Checks that work for any mechanism through ``run`` and the report hooks.

Used for ordinal and structured reports (rankings, approvals, school lists, contributions) and
for adversaries that change the set of identities (sybils, bots, abstention). Each check walks a
list of instances (inputs), tries deviations per agent, and keeps the best one found; every
counterexample is replayed (both profiles run again) before it is reported.

Example:
    >>> import numpy as np, hurwicz as hz
    >>> m = hz.mechanism("auction.first_price")
    >>> rec = misreport_check(m, [{"bids": {"a": 1.0, "b": 0.5}}], np.random.default_rng(0))
    >>> rec["max_gain"] > 0.4
    True
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from hurwicz.core.errors import AuditError
from hurwicz.core.mechanism import Mechanism
from hurwicz.core.outcome import Outcome

from .deviations import generic_deviations

ORDINAL_KINDS = {"ranking", "approval", "scores"}


def _utility(mech: Mechanism, agent: str, truth: Any, outcome: Outcome) -> float:
    return float(mech.utility(agent, truth, outcome))


def _replay(mech: Mechanism, truthful_input: Any, deviating_input: Any, agents: Sequence[str],
            truths: dict[str, Any], group: bool) -> tuple[Outcome, Outcome, Any, Any]:
    """Run both inputs again and recompute the utilities: joint (``group``), one agent's, or
    a list with one entry per member (ordinal coalitions)."""
    t_out, d_out = mech.run(truthful_input), mech.run(deviating_input)
    if group:
        return (t_out, d_out, mech.group_utility(list(agents), truths, t_out),
                mech.group_utility(list(agents), truths, d_out))
    if len(agents) == 1:
        (agent,) = agents
        return (t_out, d_out, _utility(mech, agent, truths[agent], t_out),
                _utility(mech, agent, truths[agent], d_out))
    return (t_out, d_out, [_utility(mech, a, truths[a], t_out) for a in agents],
            [_utility(mech, a, truths[a], d_out) for a in agents])


def _counterexample(mech: Mechanism, data: Any, deviating: Any, agents: Sequence[str],
                    truths: dict[str, Any], deviation: Any, group: bool = False,
                    identities: Sequence[str] | None = None) -> dict[str, Any]:
    t_out, d_out, tu, du = _replay(mech, data, deviating, identities or agents, truths, group)
    ce = {
        "profile": mech.reports(data) if _has_reports(mech, data) else data,
        "agent": agents[0] if len(agents) == 1 else list(agents),
        "truthful": {"report": {a: truths[a] for a in agents}, "outcome": t_out.to_dict()},
        "deviation": {"report": deviation, "outcome": d_out.to_dict()},
        "truthful_utility": tu,
        "deviating_utility": du,
        "input": data,
        "deviating_input": deviating,
    }
    if identities is not None:
        ce["identities"] = list(identities)
    return ce


def _has_reports(mech: Mechanism, data: Any) -> bool:
    try:
        mech.reports(data)
    except NotImplementedError:
        return False
    return True


def misreport_check(mech: Mechanism, instances: Sequence[Any], rng: np.random.Generator,
                    tolerance: float = 1e-9, limit: int = 720,
                    max_agents: int | None = None) -> dict[str, Any]:
    """Best unilateral misreport over ``instances`` (strategy-proofness / manipulability).

    Example:
        >>> import numpy as np, hurwicz as hz
        >>> r = misreport_check(hz.mechanism("auction.second_price"),
        ...                     [{"bids": {"a": 3.0, "b": 1.0}}], np.random.default_rng(0))
        >>> r["max_gain"] <= 0, r["complete"]
        (True, False)
    """
    best: dict[str, Any] = {"max_gain": -np.inf, "counterexample": None}
    complete = True
    tried = 0
    for data in instances:
        truthful = mech.run(data)
        reports = mech.reports(data)
        agents = list(reports)
        if max_agents is not None and len(agents) > max_agents:
            agents = [agents[i] for i in sorted(rng.choice(len(agents), max_agents, False))]
            complete = False
        for agent in agents:
            truth = reports[agent]
            base_u = _utility(mech, agent, truth, truthful)
            cands, full = generic_deviations(mech, data, agent, truth, rng, limit)
            complete &= full
            for cand in cands:
                tried += 1
                deviating = mech.with_reports(data, {agent: cand})
                gain = _utility(mech, agent, truth, mech.run(deviating)) - base_u
                if gain > best["max_gain"]:
                    best["max_gain"] = gain
                    if gain > tolerance:
                        best["counterexample"] = _counterexample(
                            mech, data, deviating, [agent], {agent: truth}, cand)
    best.update(complete=complete, deviations=tried, instances=len(instances))
    if best["max_gain"] == -np.inf:
        best["max_gain"] = 0.0
    return best


def coalition_check(mech: Mechanism, instances: Sequence[Any], rng: np.random.Generator,
                    k: int, tolerance: float = 1e-9, limit: int = 24,
                    max_groups: int = 20, max_joint: int = 400) -> dict[str, Any]:
    """Best joint misreport of ``k`` agents. Ordinal families need every member to gain
    strictly; quasilinear ones use the group's joint utility (:meth:`Mechanism.group_utility`).

    Example:
        >>> import numpy as np, hurwicz as hz
        >>> r = coalition_check(hz.mechanism("auction.second_price"),
        ...                     [{"bids": {"a": 3.0, "b": 2.0, "c": 1.0}}],
        ...                     np.random.default_rng(0), 2)
        >>> r["max_gain"] > 0.9
        True
    """
    best: dict[str, Any] = {"max_gain": -np.inf, "counterexample": None}
    tried = 0
    for data in instances:
        truthful = mech.run(data)
        reports = mech.reports(data)
        ordinal = mech.report_domain(data, next(iter(reports)))["kind"] in ORDINAL_KINDS
        groups = list(itertools.combinations(list(reports), k))
        if len(groups) > max_groups:
            groups = [groups[i] for i in rng.choice(len(groups), max_groups, replace=False)]
        for group in groups:
            truths = {a: reports[a] for a in group}
            options = [generic_deviations(mech, data, a, truths[a], rng, limit)[0] + [truths[a]]
                       for a in group]
            combos = itertools.product(*options)
            total = int(np.prod([len(o) for o in options]))
            if total > max_joint:
                combos = (tuple(o[rng.integers(len(o))] for o in options)
                          for _ in range(max_joint))
            for combo in combos:
                tried += 1
                deviating = mech.with_reports(data, dict(zip(group, combo)))
                out = mech.run(deviating)
                gains = [_utility(mech, a, truths[a], out) - _utility(mech, a, truths[a],
                                                                       truthful) for a in group]
                gain = min(gains) if ordinal else (
                    mech.group_utility(list(group), truths, out)
                    - mech.group_utility(list(group), truths, truthful))
                if gain > best["max_gain"]:
                    best["max_gain"] = gain
                    if gain > tolerance:
                        best["counterexample"] = _counterexample(
                            mech, data, deviating, list(group), truths, dict(zip(group, combo)),
                            group=not ordinal)
                        if ordinal:
                            best["counterexample"]["member_gains"] = gains
    best.update(deviations=tried, instances=len(instances), complete=False)
    if best["max_gain"] == -np.inf:
        best["max_gain"] = 0.0
    return best


def identities_check(mech: Mechanism, instances: Sequence[Any], k: int, mode: str,
                     tolerance: float = 1e-9) -> dict[str, Any]:
    """Gain of one agent from splitting into ``k`` identities (``mode='sybil'``) or from
    adding ``k`` bots (``mode='bots'``), with the joint utility of all its identities.

    Example:
        >>> import hurwicz as hz
        >>> try:
        ...     identities_check(hz.mechanism("auction.second_price"),
        ...                      [{"bids": {"a": 1.0}}], 2, "sybil")
        ... except Exception as err:
        ...     type(err).__name__
        'AuditError'
    """
    best: dict[str, Any] = {"max_gain": -np.inf, "counterexample": None}
    tried = 0
    for data in instances:
        truthful = mech.run(data)
        reports = mech.reports(data)
        for agent, truth in reports.items():
            try:
                if mode == "sybil":
                    new_data, ids = mech.sybil_split(data, agent, k)
                else:
                    new_data, ids = mech.add_identities(data, agent, k)
            except NotImplementedError as err:
                raise AuditError(f"{mech.name}: the {mode} adversary is not defined here "
                                 f"({err})", "adversary") from None
            tried += 1
            out = mech.run(new_data)
            truths = {i: truth for i in ids}
            gain = (mech.group_utility(list(ids), truths, out)
                    - mech.group_utility([agent], {agent: truth}, truthful))
            if gain > best["max_gain"]:
                best["max_gain"] = gain
                if gain > tolerance:
                    t_out = mech.run(data)
                    d_out = mech.run(new_data)
                    best["counterexample"] = {
                        "profile": reports, "agent": agent, "identities": ids,
                        "truthful": {"report": truth, "outcome": t_out.to_dict()},
                        "deviation": {"input": new_data, "outcome": d_out.to_dict()},
                        "truthful_utility": mech.group_utility([agent], {agent: truth}, t_out),
                        "deviating_utility": mech.group_utility(list(ids), truths, d_out),
                    }
    best.update(deviations=tried, instances=len(instances), complete=False)
    if best["max_gain"] == -np.inf:
        best["max_gain"] = 0.0
    return best


def abstain_check(mech: Mechanism, instances: Sequence[Any],
                  tolerance: float = 1e-9) -> dict[str, Any]:
    """Gain from not participating (participation / the no-show paradox).

    Example:
        >>> import hurwicz as hz
        >>> r = abstain_check(hz.mechanism("auction.all_pay"), [{"bids": {"a": 2.0, "b": 1.0}}])
        >>> r["max_gain"]
        1.0
    """
    best: dict[str, Any] = {"max_gain": -np.inf, "counterexample": None}
    tried = 0
    for data in instances:
        truthful = mech.run(data)
        for agent, truth in mech.reports(data).items():
            tried += 1
            deviating = mech.with_reports(data, {agent: None})
            gain = (_utility(mech, agent, truth, mech.run(deviating))
                    - _utility(mech, agent, truth, truthful))
            if gain > best["max_gain"]:
                best["max_gain"] = gain
                if gain > tolerance:
                    best["counterexample"] = _counterexample(
                        mech, data, deviating, [agent], {agent: truth}, None)
    best.update(deviations=tried, instances=len(instances), complete=True)
    if best["max_gain"] == -np.inf:
        best["max_gain"] = 0.0
    return best


def _winners(out: Outcome) -> list[Any]:
    if "winners" in out.result:
        return sorted(out.result["winners"], key=str)
    return []


def anonymity_check(mech: Mechanism, instances: Sequence[Any],
                    rng: np.random.Generator, swaps: int = 20) -> dict[str, Any]:
    """Swapping two agents' reports must swap what they get and keep ``result.winners``.

    Example:
        >>> import numpy as np, hurwicz as hz
        >>> r = anonymity_check(hz.mechanism("auction.second_price"),
        ...                     [{"bids": {"a": 3.0, "b": 1.0}}], np.random.default_rng(0))
        >>> r["counterexample"] is None
        True
    """
    tried = 0
    for data in instances:
        reports = mech.reports(data)
        agents = list(reports)
        out = mech.run(data)
        pairs = list(itertools.combinations(agents, 2))
        if len(pairs) > swaps:
            pairs = [pairs[i] for i in rng.choice(len(pairs), swaps, replace=False)]
        for a, b in pairs:
            if reports[a] == reports[b]:
                continue
            tried += 1
            swapped = mech.run(mech.with_reports(data, {a: reports[b], b: reports[a]}))
            same_winners = _winners(swapped) == _winners(out)
            same_goods = (swapped.allocation.get(a) == out.allocation.get(b)
                          and swapped.allocation.get(b) == out.allocation.get(a))
            if not (same_winners or same_goods):
                return {"counterexample": {"input": data, "swapped": [a, b],
                                           "outcome": out.to_dict(),
                                           "swapped_outcome": swapped.to_dict()},
                        "deviations": tried, "instances": len(instances)}
    return {"counterexample": None, "deviations": tried, "instances": len(instances)}


def _relabel(report: Any, mapping: dict[Any, Any]) -> Any:
    if isinstance(report, list | tuple):
        return [_relabel(r, mapping) for r in report]
    if isinstance(report, dict):
        return {mapping.get(k, k): v for k, v in report.items()}
    return mapping.get(report, report)


def _tie_broken(out: Outcome) -> bool:
    tied = out.result.get("tied")
    return bool(tied) and len(tied) > 1


def neutrality_check(mech: Mechanism, instances: Sequence[Any],
                     rng: np.random.Generator, tries: int = 10) -> dict[str, Any]:
    """Relabelling candidates in every report relabels the winners. Outcomes where a tie was
    broken (``result["tied"]`` lists more than one candidate) are skipped, since a tie-break
    by name or order is not neutral by design.

    Example:
        >>> import numpy as np, hurwicz as hz
        >>> try:
        ...     neutrality_check(hz.mechanism("auction.first_price"), [{"bids": {"a": 1}}],
        ...                      np.random.default_rng(0))
        ... except Exception as err:
        ...     type(err).__name__
        'AuditError'
    """
    tried = 0
    for data in instances:
        reports = mech.reports(data)
        domain = mech.report_domain(data, next(iter(reports)))
        if "candidates" not in domain:
            raise AuditError("neutral is defined for reports over candidates", "properties")
        out = mech.run(data)
        if len(_winners(out)) != 1 or _tie_broken(out):
            continue
        cands = list(domain["candidates"])
        for _ in range(tries):
            perm = list(rng.permutation(np.array(cands, dtype=object)))
            mapping = dict(zip(cands, perm))
            tried += 1
            relabelled = mech.with_reports(data, {a: _relabel(r, mapping)
                                                  for a, r in reports.items()})
            new = mech.run(relabelled)
            expected = sorted([mapping[w] for w in _winners(out)], key=str)
            if len(_winners(new)) == 1 and not _tie_broken(new) and _winners(new) != expected:
                return {"counterexample": {"input": data, "relabelling": mapping,
                                           "winners": _winners(out),
                                           "relabelled_winners": _winners(new)},
                        "deviations": tried, "instances": len(instances)}
    return {"counterexample": None, "deviations": tried, "instances": len(instances)}


def monotonicity_check(mech: Mechanism, instances: Sequence[Any]) -> dict[str, Any]:
    """Raising the winner one place in a voter's ranking must not make it lose.

    Example:
        >>> try:
        ...     import hurwicz as hz
        ...     monotonicity_check(hz.mechanism("auction.first_price"), [{"bids": {"a": 1}}])
        ... except Exception as err:
        ...     type(err).__name__
        'AuditError'
    """
    tried = 0
    for data in instances:
        reports = mech.reports(data)
        if mech.report_domain(data, next(iter(reports)))["kind"] != "ranking":
            raise AuditError("monotone (ordinal) needs ranking reports; scalar mechanisms "
                             "are checked through their batch path", "properties")
        out = mech.run(data)
        winners = _winners(out)
        if len(winners) != 1:
            continue
        (w,) = winners
        for agent, ranking in reports.items():
            flat = list(ranking)
            if w not in flat or flat.index(w) == 0:
                continue
            pos = flat.index(w)
            raised = flat.copy()
            raised[pos - 1], raised[pos] = raised[pos], raised[pos - 1]
            tried += 1
            new = mech.run(mech.with_reports(data, {agent: raised}))
            if w not in _winners(new):
                return {"counterexample": {"input": data, "agent": agent, "raised": raised,
                                           "winners": winners, "new_winners": _winners(new)},
                        "deviations": tried, "instances": len(instances)}
    return {"counterexample": None, "deviations": tried, "instances": len(instances)}


def all_ranking_profiles(mech: Mechanism, base: Any, limit: int = 5000) -> list[Any] | None:
    """Every profile of full rankings for the agents of ``base`` (None if more than ``limit``).

    Example:
        >>> all_ranking_profiles(None, None) is None
        True
    """
    if mech is None:
        return None
    reports = mech.reports(base)
    agents = list(reports)
    domain = mech.report_domain(base, agents[0])
    if domain.get("kind") != "ranking":
        return None
    perms = [list(p) for p in itertools.permutations(domain["candidates"])]
    if len(perms) ** len(agents) > limit:
        return None
    return [mech.with_reports(base, dict(zip(agents, combo)))
            for combo in itertools.product(perms, repeat=len(agents))]

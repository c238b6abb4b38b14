"""The matching family's audit specifications: two-sided markets (proposers report rankings of
receivers; receivers' priorities are public), housing markets (agents rank houses), one-sided
assignment (agents rank objects) and kidney exchange.

Utilities are ordinal: an agent prefers partners it ranks higher (m − position; unmatched or
unacceptable: 0). Samplers draw truncated lists, ties in receivers' priorities, zero capacities
and empty markets as degenerate cases.

Example:
    >>> import numpy as np, hurwicz as hz
    >>> from hurwicz.auditing.spec import audit_spec
    >>> spec = audit_spec(hz.mechanism("matching.deferred_acceptance"))
    >>> market = spec.sample(np.random.default_rng(0), 4)
    >>> sorted(market), "stable" in spec.properties
    (['capacities', 'proposers', 'receivers'], True)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from hurwicz.auditing.deviations import full_ranking_profiles
from hurwicz.auditing.spec import (
    ANONYMOUS,
    COALITION_STRATEGYPROOF,
    IR,
    NOT_APPLICABLE,
    STRATEGYPROOF,
    AuditSpec,
    outcome_property,
    properties,
)
from hurwicz.core.outcome import Outcome
from hurwicz.core.reports import as_dict

from .properties import blocking_pair, individually_rational, justified_envy, pareto_improvement

#: Most full-ranking profiles an audit of one given market enumerates.
MAX_ENUMERATED_PROFILES = 5000

STABLE = outcome_property("stable", "no blocking pair and no wasted seat", blocking_pair)
INDIVIDUALLY_RATIONAL = outcome_property(
    "individually_rational", "nobody is matched to a partner it did not list (or that did not "
    "list it)", individually_rational)
NO_JUSTIFIED_ENVY = outcome_property(
    "no_justified_envy", "no student prefers a school where she has higher priority than one "
    "of its admitted students", justified_envy)


def _pareto(mech: Any, data: Any, outcome: Outcome) -> Any:
    if any(isinstance(v, dict) for v in outcome.allocation.values()):
        return NOT_APPLICABLE  # random assignments: ex-post efficiency is another check
    return pareto_improvement(mech, data, outcome)


PARETO = outcome_property("pareto", "no reallocation makes someone better off and nobody worse "
                          "off", _pareto)


def rank_points(ranking: list[Any], got: Any) -> float:
    """m − position of ``got`` in ``ranking`` (0 when unlisted or None).

    Example:
        >>> rank_points(["x", "y"], "x"), rank_points(["x", "y"], None)
        (2.0, 0.0)
    """
    if got is None or got not in ranking:
        return 0.0
    return float(len(ranking) - ranking.index(got))


def _lists(rng: np.random.Generator, names: list[str], targets: list[str],
           truncate: bool) -> dict[str, list[str]]:
    out = {}
    for name in names:
        order = [targets[j] for j in rng.permutation(len(targets))]
        if truncate and order and rng.random() < 0.3:
            order = order[:int(rng.integers(0, len(order)))]
        out[name] = order
    return out


class _SmallMarkets(AuditSpec):
    """Ranking reports over a small market: one given market is expanded to every profile of
    full rankings of its agents."""

    def expand(self, given: Sequence[Any]) -> tuple[list[Any], str | None]:
        """For one small given market: every profile of full rankings of its agents (the
        given market is audited too).

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> extra, space = audit_spec(hz.mechanism("matching.ttc")).expand([{"agents": {
            ...     "a": {"owns": "x", "ranking": []}, "b": {"owns": "y", "ranking": []}}}])
            >>> len(extra)
            4
        """
        return full_ranking_profiles(self, given[0], MAX_ENUMERATED_PROFILES) \
            if len(given) == 1 else ([], None)


class TwoSidedAudit(_SmallMarkets):
    """Proposers report rankings over receivers (truncation allowed)."""

    report_kind = "ranking"
    report_field = "proposers"
    properties = properties(STRATEGYPROOF, COALITION_STRATEGYPROOF, IR, ANONYMOUS, STABLE,
                            INDIVIDUALLY_RATIONAL, NO_JUSTIFIED_ENVY)

    def reports(self, data: Any) -> dict[str, list[str]]:
        return {k: list(v) for k, v in self.mech.parse_input(data).proposers.items()}

    def with_reports(self, data: Any, reports: Mapping[str, Any]) -> dict[str, Any]:
        """New lists for proposers; ``None`` removes a proposer from the market.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> spec = audit_spec(hz.mechanism("matching.deferred_acceptance"))
            >>> spec.with_reports({"proposers": {"a": ["x"]}, "receivers": {"x": ["a"]}},
            ...                   {"a": None})
            {'proposers': {}, 'receivers': {'x': []}}
        """
        base = as_dict(data)
        proposers = dict(base["proposers"])
        receivers = {r: _copy_priorities(v) for r, v in base["receivers"].items()}
        for who, ranking in reports.items():
            if ranking is None:
                proposers.pop(who, None)
                receivers = {r: _without(v, who) for r, v in receivers.items()}
            else:
                proposers[who] = list(ranking)
        return {**base, "proposers": proposers, "receivers": receivers}

    def report_domain(self, data: Any, agent: str) -> dict[str, Any]:
        return {"kind": "ranking", "candidates": sorted(as_dict(data)["receivers"]),
                "truncate": True, "ties": False}

    def utility(self, agent: str, truth: Any, outcome: Outcome) -> float:
        """Points of the receiver obtained in the true list (unmatched: 0).

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> m = hz.mechanism("matching.deferred_acceptance")
            >>> out = m.run({"proposers": {"a": ["x"]}, "receivers": {"x": ["a"]}})
            >>> audit_spec(m).utility("a", ["y", "x"], out)
            1.0
        """
        return rank_points(list(truth), outcome.result["matching"].get(agent))

    def same_outcome(self, before: Outcome, after: Outcome, mapping: Mapping[str, str]) -> bool:
        """Each proposer's match moves to its image.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> m = hz.mechanism("matching.deferred_acceptance")
            >>> x = m.run({"proposers": {"a": ["r"], "b": []}, "receivers": {"r": ["a", "b"]}})
            >>> audit_spec(m).same_outcome(x, x, {})
            True
        """
        b, a = before.result["matching"], after.result["matching"]
        return all(a.get(mapping.get(p, p)) == r for p, r in b.items())

    def sample(self, rng: np.random.Generator, agents: int | None = None,
               **options: Any) -> dict[str, Any]:
        """``agents`` proposers (default 4), about half as many receivers with capacities 0–2,
        lists sometimes truncated, receivers' lists sometimes with ties.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> m = audit_spec(hz.mechanism("matching.boston")).sample(np.random.default_rng(1), 4)
            >>> sorted(m["receivers"])
            ['r1', 'r2']
        """
        n = 4 if agents is None else agents
        k = max(2, n // 2)
        props = [f"p{i + 1}" for i in range(n)]
        recs = [f"r{j + 1}" for j in range(k)]
        receivers: dict[str, list[Any]] = {}
        for r, order in _lists(rng, recs, props, truncate=True).items():
            if len(order) >= 2 and rng.random() < 0.3:  # a tie among the first two
                order = [[order[0], order[1]], *order[2:]]
            receivers[r] = order
        return {"proposers": _lists(rng, props, recs, truncate=True), "receivers": receivers,
                "capacities": {r: int(rng.integers(0, 3)) for r in recs}}

    def edge_cases(self) -> list[dict[str, Any]]:
        """An empty market, one proposer, a zero capacity, an empty list, ties, more seats than
        students, priority classes.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> audit_spec(hz.mechanism("matching.boston")).edge_cases()[0]
            {'proposers': {}, 'receivers': {}}
        """
        return [
            {"proposers": {}, "receivers": {}},
            {"proposers": {"p1": ["r1"]}, "receivers": {"r1": ["p1"]}},
            {"proposers": {"p1": ["r1"], "p2": ["r1"]}, "receivers": {"r1": ["p1", "p2"]},
             "capacities": {"r1": 0}},
            {"proposers": {"p1": [], "p2": ["r1"]}, "receivers": {"r1": ["p2", "p1"]}},
            {"proposers": {"p1": ["r1", "r2"], "p2": ["r1", "r2"], "p3": ["r1"]},
             "receivers": {"r1": [["p1", "p2", "p3"]], "r2": [["p2", "p1"]]}},
            {"proposers": {"p1": ["r1"], "p2": ["r1"]}, "receivers": {"r1": ["p2", "p1"]},
             "capacities": {"r1": 5}},
            # priority classes (the others by lottery), beside a full list
            {"proposers": {"p1": ["r1", "r2"], "p2": ["r1", "r2"], "p3": ["r2", "r1"]},
             "receivers": {"r1": {"classes": [["p3"]]}, "r2": ["p2", "p1"]}},
            {"proposers": {"p1": ["r1"], "p2": ["r1"], "p3": ["r1"]},
             "receivers": {"r1": {"classes": [["p1", "p2"]], "others": "unacceptable"}},
             "capacities": {"r1": 1}},
        ]


def _copy_priorities(value: Any) -> Any:
    """A copy of a receiver's priorities: a full list, or priority classes (a dict)."""
    if isinstance(value, dict):
        return {**value, "classes": [list(c) for c in value["classes"]]}
    return list(value)


def _without(entries: Any, who: str) -> Any:
    """A receiver's priorities without ``who`` (a tie group or class left empty goes)."""
    if isinstance(entries, dict):
        return {**entries, "classes": [kept for c in entries["classes"]
                                       if (kept := [x for x in c if x != who])]}
    out = []
    for e in entries:
        if isinstance(e, list):
            kept = [x for x in e if x != who]
            if kept:
                out.append(kept)
        elif e != who:
            out.append(e)
    return out


class HousingAudit(_SmallMarkets):
    """Housing markets: each agent owns a house and ranks houses."""

    report_kind = "ranking"
    properties = properties(STRATEGYPROOF, COALITION_STRATEGYPROOF, IR, PARETO)

    def reports(self, data: Any) -> dict[str, list[str]]:
        return {a: list(e.ranking) for a, e in self.mech.parse_input(data).agents.items()}

    def with_reports(self, data: Any, reports: Mapping[str, Any]) -> dict[str, Any]:
        """New rankings; ``None`` (staying out) keeps one's own house: a list with only it.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> spec = audit_spec(hz.mechanism("matching.ttc"))
            >>> spec.with_reports({"agents": {"a": {"owns": "h", "ranking": []}}},
            ...                   {"a": None})["agents"]["a"]["ranking"]
            ['h']
        """
        base = as_dict(data)
        agents = {a: dict(e) for a, e in base["agents"].items()}
        for who, r in reports.items():
            ranking = [agents[who]["owns"]] if r is None else list(r)
            agents[who] = {**agents[who], "ranking": ranking}
        return {**base, "agents": agents}

    def report_domain(self, data: Any, agent: str) -> dict[str, Any]:
        houses = sorted(e["owns"] for e in as_dict(data)["agents"].values())
        return {"kind": "ranking", "candidates": houses, "truncate": True}

    def utility(self, agent: str, truth: Any, outcome: Outcome) -> float:
        """Points of the house received in the true list (an unlisted house: 0).

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> m = hz.mechanism("matching.ttc")
            >>> out = m.run({"agents": {"a": {"owns": "h", "ranking": ["h"]}}})
            >>> audit_spec(m).utility("a", ["h"], out)
            1.0
        """
        return rank_points(list(truth), outcome.allocation.get(agent))

    def sample(self, rng: np.random.Generator, agents: int | None = None,
               **options: Any) -> dict[str, Any]:
        """Agent i owns house hi and ranks every house (sometimes only a prefix).

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> audit_spec(hz.mechanism("matching.ttc")).sample(
            ...     np.random.default_rng(0), 2)["agents"]["a1"]["owns"]
            'h1'
        """
        n = 4 if agents is None else agents
        houses = [f"h{i + 1}" for i in range(n)]
        lists = _lists(rng, [f"a{i + 1}" for i in range(n)], houses, truncate=True)
        return {"agents": {a: {"owns": houses[i], "ranking": lists[a]}
                           for i, a in enumerate(lists)}}

    def edge_cases(self) -> list[dict[str, Any]]:
        """No agent, one agent, an agent ranking nothing, a two-cycle.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> audit_spec(hz.mechanism("matching.ttc")).edge_cases()[0]
            {'agents': {}}
        """
        return [
            {"agents": {}},
            {"agents": {"a1": {"owns": "h1", "ranking": ["h1"]}}},
            {"agents": {"a1": {"owns": "h1", "ranking": []},
                        "a2": {"owns": "h2", "ranking": ["h1", "h2"]}}},
            {"agents": {"a1": {"owns": "h1", "ranking": ["h2", "h1"]},
                        "a2": {"owns": "h2", "ranking": ["h1", "h2"]}}},
        ]


class OneSidedAudit(_SmallMarkets):
    """One-sided assignment: agents rank acceptable objects; objects have capacities."""

    report_kind = "ranking"
    report_field = "agents"
    properties = properties(STRATEGYPROOF, COALITION_STRATEGYPROOF, IR, ANONYMOUS, PARETO)

    def reports(self, data: Any) -> dict[str, list[str]]:
        return {k: list(v) for k, v in self.mech.parse_input(data).agents.items()}

    def report_domain(self, data: Any, agent: str) -> dict[str, Any]:
        return {"kind": "ranking", "candidates": sorted(as_dict(data)["objects"]),
                "truncate": True}

    def utility(self, agent: str, truth: Any, outcome: Outcome) -> float:
        """Points of the object received (expected points for a random assignment).

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> m = hz.mechanism("matching.probabilistic_serial")
            >>> out = m.run({"agents": {"a": ["x"], "b": ["x"]}, "objects": {"x": 1}})
            >>> audit_spec(m).utility("a", ["x"], out)
            0.5
        """
        got = outcome.allocation.get(agent)
        ranking = list(truth)
        if isinstance(got, dict):
            return float(sum(p * rank_points(ranking, o) for o, p in got.items()))
        return rank_points(ranking, got)

    def sample(self, rng: np.random.Generator, agents: int | None = None,
               **options: Any) -> dict[str, Any]:
        """``agents`` agents ranking as many objects (capacities 0–2), lists sometimes
        truncated.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> sorted(audit_spec(hz.mechanism("matching.serial_dictatorship")).sample(
            ...     np.random.default_rng(0), 2)["objects"])
            ['o1', 'o2']
        """
        n = 3 if agents is None else agents
        objects = [f"o{j + 1}" for j in range(max(n, 1))]
        return {"agents": _lists(rng, [f"a{i + 1}" for i in range(n)], objects, truncate=True),
                "objects": {o: int(rng.choice([0, 1, 1, 1, 2])) for o in objects}}

    def edge_cases(self) -> list[dict[str, Any]]:
        """No agent, one agent, a zero capacity, an empty list, identical lists.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> audit_spec(hz.mechanism("matching.serial_dictatorship")).edge_cases()[0]
            {'agents': {}, 'objects': {'o1': 1}}
        """
        return [
            {"agents": {}, "objects": {"o1": 1}},
            {"agents": {"a1": ["o1"]}, "objects": {"o1": 1}},
            {"agents": {"a1": ["o1"], "a2": ["o1"]}, "objects": {"o1": 0}},
            {"agents": {"a1": [], "a2": ["o1", "o2"]}, "objects": {"o1": 1, "o2": 1}},
            {"agents": {"a1": ["o1", "o2"], "a2": ["o1", "o2"], "a3": ["o1", "o2"]},
             "objects": {"o1": 1, "o2": 1}},
        ]


class KidneyAudit(AuditSpec):
    """Kidney exchange pools. Pairs' reports (which compatibilities they disclose) are not
    modelled as strategic here: the family defines the outcome checks only."""

    report_kind = "other"
    properties = properties()

    def reports(self, data: Any) -> dict[str, Any]:
        inp = self.mech.parse_input(data)
        return {p: [e.recipient for e in inp.edges if e.donor == p]
                for p in [*inp.pairs, *inp.altruists]}

    def sample(self, rng: np.random.Generator, agents: int | None = None,
               **options: Any) -> dict[str, Any]:
        """A small Saidman-style pool of ``agents`` pairs (default 8) with 20% altruists.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> sorted(audit_spec(hz.mechanism("matching.kidney")).sample(
            ...     np.random.default_rng(0), 5))
            ['altruists', 'edges', 'pairs']
        """
        from .generators import kidney_pool

        return kidney_pool(8 if agents is None else agents, altruist_share=0.2,
                           seed=int(rng.integers(2**31)))

    def edge_cases(self) -> list[dict[str, Any]]:
        """An empty pool, a lone pair, a single 3-cycle (no 2-cycle, no altruist), an altruist
        chain, equal weights.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> audit_spec(hz.mechanism("matching.kidney")).edge_cases()[0]
            {'pairs': [], 'edges': []}
        """
        def edge(u: str, v: str, w: float = 1.0) -> dict[str, Any]:
            return {"donor": u, "recipient": v, "weight": w}

        return [
            {"pairs": [], "edges": []},
            {"pairs": ["p1"], "edges": []},
            {"pairs": ["a", "b", "c"], "edges": [edge("a", "b"), edge("b", "c"), edge("c", "a")]},
            {"pairs": ["a", "b"], "altruists": ["n"],
             "edges": [edge("n", "a"), edge("a", "b")]},
            {"pairs": ["a", "b", "c"], "edges": [edge("a", "b"), edge("b", "a"), edge("b", "c"),
                                                 edge("c", "b")]},
        ]

"""The procurement family's audit specifications: reports are costs, utilities are
``price received − cost`` (``−payment − cost × units sold``), and the properties that apply to
reverse auctions: truthfulness on costs, individual rationality, budget feasibility, efficiency
(VCG) and the approximation ratio against the optimal budgeted selection (computed exactly by
enumeration on small instances).

Example:
    >>> import numpy as np, hurwicz as hz
    >>> from hurwicz.auditing.spec import audit_spec
    >>> spec = audit_spec(hz.mechanism("procurement.kth_price"))
    >>> sorted(spec.sample(np.random.default_rng(0), 3)["costs"])
    ['s1', 's2', 's3']
    >>> {"dsic", "ir"} <= set(spec.properties)
    True
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

import numpy as np

from hurwicz.auditing.spec import (
    DSIC,
    IR,
    NOT_APPLICABLE,
    AuditSpec,
    outcome_property,
    properties,
)
from hurwicz.core.outcome import Outcome
from hurwicz.core.reports import as_dict, with_reports

#: Largest instance whose optimal budgeted selection is found by enumeration in audits.
MAX_ENUMERATED_SELLERS = 14
_TOL = 1e-9


def _money(rng: np.random.Generator, size: int, high: float = 10.0) -> list[float]:
    """Round amounts on [0, high]; a third of the time whole numbers 0..5 (ties likely)."""
    if rng.random() < 1 / 3:
        values = rng.integers(0, 6, size).astype(float)
    else:
        values = np.round(rng.uniform(0, high, size), 2)
    return [float(v) for v in values]


def _names(n: int) -> list[str]:
    width = len(str(n))
    return [f"s{i + 1:0{width}d}" for i in range(n)]


def optimal_budgeted_value(costs: Mapping[str, float], values: Mapping[str, float],
                           budget: float) -> float:
    """The best total value of sellers whose costs fit the budget, by enumeration (the
    knapsack optimum; at most :data:`MAX_ENUMERATED_SELLERS` sellers).

    Example:
        >>> optimal_budgeted_value({"a": 3, "b": 2, "c": 2}, {"a": 5, "b": 3, "c": 3}, 4)
        6.0
    """
    names = [s for s in costs if costs[s] <= budget and values.get(s, 0) > 0]
    if len(names) > MAX_ENUMERATED_SELLERS:
        raise ValueError("too many sellers to enumerate")
    c = np.array([costs[s] for s in names], dtype=float)
    v = np.array([values[s] for s in names], dtype=float)
    best = 0.0
    for r in range(1, len(names) + 1):
        for combo in itertools.combinations(range(len(names)), r):
            idx = list(combo)
            if c[idx].sum() <= budget + _TOL:
                best = max(best, float(v[idx].sum()))
    return best


def _budget_feasible(mech: Any, data: Any, outcome: Outcome) -> Any:
    budget = float(as_dict(data)["budget"])
    spent = -sum(outcome.payments.values())
    if spent <= budget * (1 + 1e-12) + _TOL:
        return None
    return {"budget": budget, "paid": spent}


def _approximation(mech: Any, data: Any, outcome: Outcome) -> Any:
    inp = mech.parse_input(data)
    if len(inp.costs) > MAX_ENUMERATED_SELLERS:
        return NOT_APPLICABLE
    best = optimal_budgeted_value(inp.costs, inp.values, inp.budget)
    got = sum(inp.values[s] for s, units in outcome.allocation.items() if units)
    bound = float(type(mech).APPROXIMATION_RATIO)
    if got * bound >= best - _TOL * max(1.0, best):
        return None
    return {"optimal_value": best, "selected_value": got, "bound": bound}


def _efficient(mech: Any, data: Any, outcome: Outcome) -> Any:
    inp = mech.parse_input(data)
    scores = sorted((mech.score(inp, s) for s in inp.costs), reverse=True)
    best = sum(s for s in scores[: inp.units] if s > 0)
    got = sum(mech.score(inp, s) for s, units in outcome.allocation.items() if units)
    if got >= best - _TOL * max(1.0, abs(best)):
        return None
    return {"welfare": got, "best_welfare": best}


BUDGET_FEASIBLE = outcome_property(
    "budget_feasible", "the sellers are paid at most the budget in total", _budget_feasible)
APPROXIMATION = outcome_property(
    "approximation", "the value bought is at least 1/ratio of the best value the budget could "
    "buy at the true costs (exact enumeration, small instances)", _approximation)
EFFICIENT = outcome_property(
    "efficient", "the sellers bought maximise Σ (value per quality × quality − cost) within "
    "the units", _efficient)


class ProcurementAudit(AuditSpec):
    """Reverse auctions: each seller reports its cost for the one unit it can supply."""

    report_kind = "scalar"
    report_field = "costs"
    properties = properties(DSIC, IR)
    #: Per-seller objects besides ``costs`` (a seller who stays out leaves them too).
    side_fields: tuple[str, ...] = ()

    def utility(self, agent: str, truth: Any, outcome: Outcome) -> float:
        """Price received minus cost: ``−payment − cost × units sold``.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> m = hz.mechanism("procurement.kth_price")
            >>> out = m.run({"costs": {"a": 2.0, "b": 5.0}, "units": 1})
            >>> audit_spec(m).utility("a", 2.0, out)
            3.0
        """
        units = float(outcome.allocation.get(agent, 0) or 0)
        return -outcome.payment(agent) - float(truth) * units

    def with_reports(self, data: Any, reports: Mapping[str, Any]) -> dict[str, Any]:
        """New costs; a seller reporting ``None`` leaves the input entirely.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> spec = audit_spec(hz.mechanism("procurement.budget_feasible"))
            >>> spec.with_reports({"budget": 5, "costs": {"a": 1, "b": 2},
            ...                    "values": {"a": 1, "b": 1}}, {"b": None})
            {'budget': 5, 'costs': {'a': 1}, 'values': {'a': 1}}
        """
        out = with_reports(data, "costs", reports)
        for name in self.side_fields:
            if name in out:
                side = dict(out[name])
                for agent, report in reports.items():
                    if report is None:
                        side.pop(agent, None)
                out[name] = side
        return out

    def swap(self, data: Any, a: str, b: str) -> dict[str, Any] | None:
        return None  # sellers differ in more than their reports (quality, value)

    def breakpoints(self, data: Any, agent: str) -> list[float]:
        """Costs at which ``agent``'s outcome may change (the family's own knowledge)."""
        return []

    def deviations(self, data: Any, agent: str, truth: Any, rng: np.random.Generator,
                   limit: int) -> tuple[list[Any], bool]:
        """The engine's scalar misreports plus this mechanism's breakpoints ± 1e-7.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> spec = audit_spec(hz.mechanism("procurement.vcg"))
            >>> d = {"units": 1, "costs": {"a": 1.0, "b": 1.0}, "quality": {"a": 3.0}}
            >>> cands = spec.deviations(d, "a", 1.0, np.random.default_rng(0), 50)[0]
            >>> any(abs(c - (3.0 - 1e-7)) < 1e-12 for c in cands)  # a's threshold cost is 3
            True
        """
        cands, _ = super().deviations(data, agent, truth, rng, limit)
        extra = set()
        for b in self.breakpoints(data, agent):
            extra |= {b, b - 1e-7, b + 1e-7}
        return sorted(set(cands) | {x for x in extra if x >= 0}), False


class KthPriceAudit(ProcurementAudit):
    """(k+1)-th price procurement of k units."""

    def sample(self, rng: np.random.Generator, agents: int | None = None,
               **options: Any) -> dict[str, Any]:
        """``{"units": k, "costs": {s1: cost, ...}}`` (4 sellers by default).

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> d = audit_spec(hz.mechanism("procurement.kth_price")).sample(
            ...     np.random.default_rng(1), 2)
            >>> sorted(d)
            ['costs', 'units']
        """
        n = 4 if agents is None else agents
        return {"units": int(rng.integers(0, 4)), "costs": dict(zip(_names(n), _money(rng, n)))}

    def edge_cases(self) -> list[dict[str, Any]]:
        """No seller, zero units, fewer sellers than units, ties at the margin, zero costs."""
        return [{"units": 1, "costs": {}}, {"units": 0, "costs": {"s1": 2.0}},
                {"units": 3, "costs": {"s1": 2.0, "s2": 4.0}},
                {"units": 1, "costs": {"s1": 3.0, "s2": 3.0, "s3": 5.0}},
                {"units": 2, "costs": {"s1": 1.0, "s2": 3.0, "s3": 3.0, "s4": 3.0}},
                {"units": 1, "costs": {"s1": 0.0, "s2": 0.0}}]


class VcgAudit(ProcurementAudit):
    """VCG procurement with quality-weighted scores."""

    properties = properties(DSIC, IR, EFFICIENT)
    side_fields = ("quality",)

    def breakpoints(self, data: Any, agent: str) -> list[float]:
        """``w·q_i − s_j`` for every other seller's score ``s_j``, and ``w·q_i``."""
        inp = self.mech.parse_input(data)
        own = self.mech.params.value_per_quality * self.mech.quality(inp, agent)
        return [own, *(own - self.mech.score(inp, s) for s in inp.costs if s != agent)]

    def sample(self, rng: np.random.Generator, agents: int | None = None,
               **options: Any) -> dict[str, Any]:
        """Costs, qualities in [0.5, 3] (sometimes left out: quality 1) and 0–3 units."""
        n = 4 if agents is None else agents
        names = _names(n)
        data: dict[str, Any] = {"units": int(rng.integers(0, 4)),
                                "costs": dict(zip(names, _money(rng, n)))}
        if rng.random() < 0.75:
            data["quality"] = {s: float(np.round(rng.uniform(0.5, 3.0), 2)) for s in names}
        return data

    def edge_cases(self) -> list[dict[str, Any]]:
        """No seller, zero units, equal scores, a score of exactly zero."""
        return [{"units": 1, "costs": {}}, {"units": 0, "costs": {"s1": 0.5}},
                {"units": 1, "costs": {"s1": 1.0, "s2": 2.0}, "quality": {"s1": 2.0, "s2": 3.0}},
                {"units": 2, "costs": {"s1": 1.0, "s2": 0.5}, "quality": {"s1": 1.0}},
                {"units": 2, "costs": {"s1": 0.0, "s2": 0.0, "s3": 0.0}}]


class BudgetFeasibleAudit(ProcurementAudit):
    """Budget-feasible procurement: costs, values and a budget."""

    properties = properties(DSIC, IR, BUDGET_FEASIBLE, APPROXIMATION)
    side_fields = ("values",)

    def breakpoints(self, data: Any, agent: str) -> list[float]:
        """The budget and the agent's threshold cost."""
        from .budget_feasible import threshold

        inp = self.mech.parse_input(data)
        out = [inp.budget]
        theta = threshold(inp.costs, inp.values, inp.budget, agent)
        if theta is not None:
            out += [theta, theta * 0.999, theta * 1.001]
        return out

    def sample(self, rng: np.random.Generator, agents: int | None = None,
               **options: Any) -> dict[str, Any]:
        """Costs on [0, 10], values on [0, 10] and a budget between the smallest cost and the
        sum of the costs.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> d = audit_spec(hz.mechanism("procurement.budget_feasible")).sample(
            ...     np.random.default_rng(2), 3)
            >>> d["budget"] >= min(d["costs"].values())
            True
        """
        n = 4 if agents is None else agents
        names = _names(n)
        costs = _money(rng, n)
        values = _money(rng, n)
        low, high = min(costs, default=0.0), max(sum(costs), 1.0)
        budget = float(np.round(rng.uniform(low, high), 2))
        return {"budget": max(budget, low), "costs": dict(zip(names, costs)),
                "values": dict(zip(names, values))}

    def edge_cases(self) -> list[dict[str, Any]]:
        """No seller, one seller, ties, zero values, the budget exactly a cost."""
        return [{"budget": 5.0, "costs": {}, "values": {}},
                {"budget": 3.0, "costs": {"s1": 3.0}, "values": {"s1": 2.0}},
                {"budget": 4.0, "costs": {"s1": 2.0, "s2": 2.0}, "values": {"s1": 1.0, "s2": 1.0}},
                {"budget": 6.0, "costs": {"s1": 1.0, "s2": 2.0, "s3": 9.0},
                 "values": {"s1": 0.0, "s2": 3.0, "s3": 8.0}},
                {"budget": 10.0, "costs": {"s1": 1.0, "s2": 1.0, "s3": 1.0, "s4": 7.0},
                 "values": {"s1": 1.0, "s2": 1.0, "s3": 1.0, "s4": 9.0}}]

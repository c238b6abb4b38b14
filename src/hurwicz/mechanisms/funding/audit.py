"""The funding family's audit specifications and its utility model.

**The designer's model of a donor** (used by every funding audit). A donor's report is what it
gives, ``{project: amount}``. Its utility accounts for money: a donor who gives more pays more.
Following the quadratic-funding model of Buterin, Hitzig & Weyl (2019, "A Flexible Design for
Funding Public Goods", Management Science 65(11), §3), donor i values a dollar of funding of
project p at a constant rate θ_ip and pays what it gives:

    u_i = Σ_p θ_ip · F_p − (money i gives),   F_p = contributions to p + its match.

θ is fixed so that the truthful contributions are each donor's own best response under ideal
quadratic funding: the first-order condition θ_ip · ∂F_p/∂c_ip = 1 with
∂F_p/∂c_ip = Σ_j √c_jp / √c_ip gives θ_ip = √c_ip / Σ_j √c_jp (the donor's share of the
project's root sum, at the truthful input). Under this model a donor alone gains nothing by
giving more or less (u_i is concave in its own amounts and maximal at the truth), so a
profitable deviation found by the audit is a real incentive problem, not over-donation:

* ``coalition:K`` — donors who jointly give more than they would alone (their joint marginal
  value Σ θ exceeds the private one): the collusion QF invites;
* ``sybil:K`` — one donor split into K identities (the same money, more square roots);
* ``bots:K`` — extra identities giving the minimum each (their money counts as a cost).

Example:
    >>> import hurwicz as hz
    >>> from hurwicz.auditing.spec import audit_spec
    >>> spec = audit_spec(hz.mechanism("funding.quadratic"))
    >>> data = {"pool": 100, "contributions": [
    ...     {"contributor": "a", "project": "p", "amount": 4},
    ...     {"contributor": "b", "project": "p", "amount": 1}]}
    >>> spec.types(data)["a"]["value"]  # √4 / (√4 + √1)
    {'p': 0.6666666666666666}
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from hurwicz.auditing.spec import (
    BOT_PROOF,
    BUDGET_BALANCE,
    COALITION_STRATEGYPROOF,
    DSIC,
    IR,
    SYBIL_PROOF,
    AuditSpec,
    outcome_property,
    properties,
)
from hurwicz.core.outcome import Outcome
from hurwicz.core.reports import as_dict

from .properties import funding_adds_up, match_within_pool

MATCH_WITHIN_POOL = outcome_property("match_within_pool", "matches are ≥ 0 and sum to at most "
                                     "the pool", match_within_pool)
FUNDING_ADDS_UP = outcome_property("funding_adds_up", "each project's funding is its "
                                   "contributions plus its match", funding_adds_up)


def donor_values(data: Any) -> dict[str, dict[str, float]]:
    """θ_ip = √c_ip / Σ_j √c_jp for every donor and project it gives to (contributions summed
    per donor and project first).

    Example:
        >>> donor_values({"contributions": [{"contributor": "a", "project": "p", "amount": 9},
        ...                                 {"contributor": "b", "project": "p", "amount": 1}]})
        {'a': {'p': 0.75}, 'b': {'p': 0.25}}
    """
    given: dict[str, dict[str, float]] = {}
    for c in as_dict(data)["contributions"]:
        row = given.setdefault(c["contributor"], {})
        row[c["project"]] = row.get(c["project"], 0.0) + float(c["amount"])
    roots: dict[str, float] = {}
    for row in given.values():
        for p, amount in row.items():
            roots[p] = roots.get(p, 0.0) + math.sqrt(amount)
    return {who: {p: (math.sqrt(a) / roots[p] if roots[p] > 0 else 0.0)
                  for p, a in row.items() if a > 0}
            for who, row in sorted(given.items())}


class FundingAudit(AuditSpec):
    """Contributions to projects, with the money-accounting donor model above."""

    report_kind = "contributions"
    properties = properties(DSIC, IR, COALITION_STRATEGYPROOF, SYBIL_PROOF, BOT_PROOF,
                            BUDGET_BALANCE, MATCH_WITHIN_POOL, FUNDING_ADDS_UP)

    def reports(self, data: Any) -> dict[str, dict[str, float]]:
        inp = self.mech.parse_input(data)
        out: dict[str, dict[str, float]] = {}
        for c in inp.contributions:
            row = out.setdefault(c.contributor, {})
            row[c.project] = row.get(c.project, 0.0) + c.amount
        return out

    def types(self, data: Any) -> dict[str, Any]:
        """Each donor's truthful amounts and its value θ per dollar of each project's funding.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> spec = audit_spec(hz.mechanism("funding.quadratic"))
            >>> spec.types({"pool": 1, "contributions": [
            ...     {"contributor": "a", "project": "p", "amount": 1}]})
            {'a': {'amounts': {'p': 1.0}, 'value': {'p': 1.0}}}
        """
        reports = self.reports(data)
        values = donor_values(data)
        return {who: {"amounts": amounts, "value": values.get(who, {})}
                for who, amounts in reports.items()}

    def with_reports(self, data: Any, reports: Mapping[str, Any]) -> dict[str, Any]:
        """Replace donors' contributions (``None``: the donor gives nothing).

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> spec = audit_spec(hz.mechanism("funding.quadratic"))
            >>> spec.with_reports({"pool": 1, "contributions": [
            ...     {"contributor": "a", "project": "p", "amount": 1}]}, {"a": {"q": 2.0}})
            {'pool': 1, 'contributions': [{'contributor': 'a', 'project': 'q', 'amount': 2.0}]}
        """
        base = as_dict(data)
        kept = [dict(c) for c in base["contributions"] if c["contributor"] not in reports]
        for who, report in reports.items():
            for project, amount in (report or {}).items():
                if amount > 0:
                    kept.append({"contributor": who, "project": project,
                                 "amount": float(amount)})
        return {**base, "contributions": kept}

    def report_domain(self, data: Any, agent: str) -> dict[str, Any]:
        base = as_dict(data)
        projects = sorted({c["project"] for c in base["contributions"]}
                          | set(base.get("projects") or []))
        return {"kind": "contributions", "projects": projects}

    def utility(self, agent: str, truth: Any, outcome: Outcome) -> float:
        """Σ_p θ_p · funding_p − money given (see the module docstring).

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> m = hz.mechanism("funding.quadratic")
            >>> out = m.run({"pool": 100, "contributions": [
            ...     {"contributor": "a", "project": "p", "amount": 4}]})
            >>> audit_spec(m).utility("a", {"amounts": {"p": 4.0}, "value": {"p": 1.0}}, out)
            0.0
        """
        return self.identities_utility([agent], truth, outcome)

    def identities_utility(self, identities: Sequence[str], truth: Any,
                           outcome: Outcome) -> float:
        """One donor acting through several identities: the projects' funding counted once,
        the money of every identity paid.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> m = hz.mechanism("funding.quadratic")
            >>> out = m.run({"pool": 100, "contributions": [
            ...     {"contributor": "a~1", "project": "p", "amount": 2},
            ...     {"contributor": "a~2", "project": "p", "amount": 2}]})
            >>> round(audit_spec(m).identities_utility(["a~1", "a~2"],
            ...     {"amounts": {"p": 4.0}, "value": {"p": 1.0}}, out), 9)
            4.0
        """
        funding = outcome.result.get("funding", {})
        value = sum(theta * float(funding.get(p, 0.0))
                    for p, theta in (truth or {}).get("value", {}).items())
        paid = sum(outcome.payment(i) for i in identities)
        return float(value - paid)

    def sample(self, rng: np.random.Generator, agents: int | None = None,
               **options: Any) -> dict[str, Any]:
        """Donors give 1–10 to one or two of three projects; pool 100; two social groups.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> f = audit_spec(hz.mechanism("funding.quadratic")).sample(
            ...     np.random.default_rng(0), 4)
            >>> f["pool"], sorted(f["groups"])
            (100.0, ['g1', 'g2'])
        """
        n = 5 if agents is None else agents
        contributions = []
        for i in range(n):
            for p in rng.choice(3, size=int(rng.integers(1, 3)), replace=False):
                contributions.append({"contributor": f"u{i + 1}", "project": f"p{p + 1}",
                                      "amount": float(rng.integers(1, 11))})
        members = [f"u{i + 1}" for i in range(n)]
        split = int(rng.integers(1, n)) if n > 1 else 1
        groups = {"g1": members[:split], "g2": members[split:]} if n > 1 else {"g1": members}
        return {"contributions": contributions, "pool": 100.0, "groups": groups}

    def edge_cases(self) -> list[dict[str, Any]]:
        """No contribution, a lone donor, a zero pool, equal donors, a donor on two projects.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> audit_spec(hz.mechanism("funding.quadratic")).edge_cases()[0]
            {'contributions': [], 'pool': 10.0}
        """
        def c(who: str, p: str, a: float) -> dict[str, Any]:
            return {"contributor": who, "project": p, "amount": a}

        return [
            {"contributions": [], "pool": 10.0},
            {"contributions": [c("u1", "p1", 4.0)], "pool": 10.0},
            {"contributions": [c("u1", "p1", 1.0), c("u2", "p1", 1.0)], "pool": 0.0},
            {"contributions": [c("u1", "p1", 2.0), c("u2", "p1", 2.0), c("u3", "p2", 2.0)],
             "pool": 5.0, "groups": {"g": ["u1", "u2"]}},
            {"contributions": [c("u1", "p1", 9.0), c("u1", "p2", 1.0), c("u2", "p2", 9.0)],
             "pool": 1000.0},
        ]


class PublicProjectAudit(AuditSpec):
    """A binary public project: each agent reports its value; quasilinear utility."""

    report_kind = "scalar"
    report_field = "values"
    properties = properties(DSIC, IR, COALITION_STRATEGYPROOF, BUDGET_BALANCE)

    def sample(self, rng: np.random.Generator, agents: int | None = None,
               **options: Any) -> dict[str, Any]:
        """``{"values": {...}}`` with values on [0, 10] (whole numbers a third of the time).

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> len(audit_spec(hz.mechanism("funding.clarke", cost=5)).sample(
            ...     np.random.default_rng(0), 3)["values"])
            3
        """
        from hurwicz.mechanisms.auctions.audit import money

        n = 3 if agents is None else agents
        return {"values": {f"a{i + 1}": v for i, v in enumerate(money(rng, n))}}

    def edge_cases(self) -> list[dict[str, Any]]:
        """No agent, one agent, a total exactly at the cost's typical values.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> audit_spec(hz.mechanism("funding.clarke", cost=1)).edge_cases()[0]
            {'values': {}}
        """
        return [{"values": {}}, {"values": {"a1": 3.0}}, {"values": {"a1": 0.0, "a2": 0.0}},
                {"values": {"a1": 5.0, "a2": 5.0, "a3": 0.0}}]

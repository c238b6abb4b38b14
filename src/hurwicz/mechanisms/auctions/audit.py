"""The auction family's audit specifications: reports, utilities, instance samplers with
their degenerate cases, and the properties that apply to auctions.

Reports are bids (money); utilities are quasilinear (value × what one gets − payment). Samplers
draw small round numbers, and a third of the time whole numbers from 0..5, so that ties happen
— tie-breaking rules must survive them.

Example:
    >>> import numpy as np, hurwicz as hz
    >>> from hurwicz.auditing.spec import audit_spec
    >>> spec = audit_spec(hz.mechanism("auction.first_price"))
    >>> sorted(spec.sample(np.random.default_rng(0), 3)["bids"])
    ['a1', 'a2', 'a3']
    >>> {"dsic", "ir", "efficient", "bic"} <= set(spec.properties)
    True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from hurwicz.auditing.spec import (
    ANONYMOUS,
    BIC,
    BUDGET_BALANCE,
    COALITION_STRATEGYPROOF,
    DSIC,
    IR,
    MONOTONE,
    REVENUE,
    WELFARE,
    AuditSpec,
    outcome_property,
    properties,
)
from hurwicz.core.outcome import Outcome
from hurwicz.core.reports import as_dict

from .properties import efficient

EFFICIENT = outcome_property(
    "efficient", "the outcome's welfare (reports taken as values) is the best achievable",
    efficient)


def money(rng: np.random.Generator, size: int | None = None, high: float = 10.0) -> Any:
    """Round amounts on [0, high]; a third of the time whole numbers 0..5 (ties likely).

    Example:
        >>> len(money(np.random.default_rng(0), 4))
        4
    """
    if rng.random() < 1 / 3:
        values = rng.integers(0, 6, size).astype(float)
    else:
        values = np.round(rng.uniform(0, high, size), 2)
    return float(values) if size is None else [float(v) for v in values]


def _names(n: int, prefix: str = "a") -> list[str]:
    width = len(str(n))
    return [f"{prefix}{i + 1:0{width}d}" for i in range(n)]


class SingleItemAudit(AuditSpec):
    """Sealed bids for one item (and Myerson's optimal auction)."""

    report_kind = "scalar"
    report_field = "bids"
    properties = properties(DSIC, IR, COALITION_STRATEGYPROOF, ANONYMOUS, MONOTONE,
                            BUDGET_BALANCE, BIC, REVENUE, WELFARE, EFFICIENT)

    def sample(self, rng: np.random.Generator, agents: int | None = None,
               **options: Any) -> dict[str, Any]:
        """``{"bids": {a1: value, ...}}`` (3 bidders by default).

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> spec = audit_spec(hz.mechanism("auction.second_price"))
            >>> len(spec.sample(np.random.default_rng(1), 4)["bids"])
            4
        """
        n = 3 if agents is None else agents
        return {"bids": dict(zip(_names(n), money(rng, n)))}

    def edge_cases(self) -> list[dict[str, Any]]:
        """No bidder, one bidder, zero bids, two- and three-way ties at the top.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> audit_spec(hz.mechanism("auction.first_price")).edge_cases()[0]
            {'bids': {}}
        """
        return [{"bids": {}}, {"bids": {"a1": 4.0}}, {"bids": {"a1": 0.0, "a2": 0.0}},
                {"bids": {"a1": 5.0, "a2": 5.0}}, {"bids": {"b": 3.0, "a": 3.0, "c": 1.0}},
                {"bids": {"a1": 2.0, "a2": 7.0, "a3": 7.0, "a4": 7.0}}]


class MultiUnitAudit(AuditSpec):
    """Marginal-value bids for identical units: a report is a non-increasing list."""

    report_kind = "vector"
    report_field = "bids"
    properties = properties(DSIC, IR, COALITION_STRATEGYPROOF, ANONYMOUS, BUDGET_BALANCE,
                            EFFICIENT)

    def with_reports(self, data: Any, reports: Mapping[str, Any]) -> dict[str, Any]:
        """Replace marginal bids (sorted into non-increasing order).

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> audit_spec(hz.mechanism("auction.pay_as_bid")).with_reports(
            ...     {"units": 1, "bids": {"a": [1.0]}}, {"a": [1, 3]})["bids"]
            {'a': [3.0, 1.0]}
        """
        from hurwicz.core.reports import with_reports

        return with_reports(data, "bids", reports,
                            lambda r: sorted((float(x) for x in r), reverse=True))

    def reports(self, data: Any) -> dict[str, list[float]]:
        return {k: list(v) for k, v in self.mech.parse_input(data).bids.items()}

    def report_domain(self, data: Any, agent: str) -> dict[str, Any]:
        return {"kind": "vector", "length": len(as_dict(data)["bids"].get(agent, [])),
                "low": 0.0, "nonincreasing": True}

    def utility(self, agent: str, truth: Any, outcome: Outcome) -> float:
        """True marginal values of the units won, minus the payment.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> m = hz.mechanism("auction.pay_as_bid")
            >>> out = m.run({"units": 2, "bids": {"a": [5.0, 3.0]}})
            >>> audit_spec(m).utility("a", [6.0, 4.0], out)
            2.0
        """
        units = int(outcome.allocation.get(agent, 0) or 0)
        return float(sum(list(truth)[:units]) - outcome.payment(agent))

    def sample(self, rng: np.random.Generator, agents: int | None = None,
               **options: Any) -> dict[str, Any]:
        """One to three units; each bidder has 1–3 non-increasing marginal values.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> 1 <= audit_spec(hz.mechanism("auction.uniform_price")).sample(
            ...     np.random.default_rng(0), 2)["units"] <= 3
            True
        """
        n = 3 if agents is None else agents
        bids = {name: sorted(money(rng, int(rng.integers(1, 4))), reverse=True)
                for name in _names(n)}
        return {"units": int(rng.integers(1, 4)), "bids": bids}

    def edge_cases(self) -> list[dict[str, Any]]:
        """Zero units, no bidder, an empty bid list, ties across bidders, more units than bids.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> audit_spec(hz.mechanism("auction.pay_as_bid")).edge_cases()[0]["units"]
            0
        """
        return [{"units": 0, "bids": {"a1": [3.0]}}, {"units": 2, "bids": {}},
                {"units": 1, "bids": {"a1": [], "a2": [2.0]}},
                {"units": 2, "bids": {"a1": [4.0, 4.0], "a2": [4.0]}},
                {"units": 5, "bids": {"a1": [3.0, 1.0], "a2": [2.0]}},
                {"units": 1, "bids": {"a1": [0.0]}}]


class PositionAudit(AuditSpec):
    """Per-click bids for slots; utility is value per click × clicks − payment."""

    report_kind = "scalar"
    report_field = "bids"
    properties = properties(DSIC, IR, COALITION_STRATEGYPROOF, ANONYMOUS, MONOTONE,
                            BUDGET_BALANCE, BIC, REVENUE, WELFARE, EFFICIENT)

    def utility(self, agent: str, truth: Any, outcome: Outcome) -> float:
        """Value per click × clicks received − payment.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> m = hz.mechanism("auction.gsp")
            >>> out = m.run({"slots": [1.0], "bids": {"a": 3.0, "b": 1.0}})
            >>> audit_spec(m).utility("a", 3.0, out)
            2.0
        """
        return float(truth) * outcome.result["clicks"].get(agent, 0.0) - outcome.payment(agent)

    def with_reports(self, data: Any, reports: Mapping[str, Any]) -> dict[str, Any]:
        """New per-click bids; ``None`` removes the advertiser (and its quality score).

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> audit_spec(hz.mechanism("auction.gsp")).with_reports(
            ...     {"slots": [1.0], "bids": {"a": 1.0}, "quality": {"a": 2.0}}, {"a": None})
            {'slots': [1.0], 'bids': {}, 'quality': {}}
        """
        from hurwicz.core.reports import with_reports

        out = with_reports(data, "bids", reports)
        if "quality" in out:
            out["quality"] = {a: q for a, q in out["quality"].items() if a in out["bids"]}
        return out

    def swap(self, data: Any, a: str, b: str) -> dict[str, Any] | None:
        """Exchange two advertisers' bids and quality scores.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> audit_spec(hz.mechanism("auction.gsp")).swap(
            ...     {"slots": [1.0], "bids": {"a": 1.0, "b": 2.0}}, "a", "b")["bids"]
            {'a': 2.0, 'b': 1.0}
        """
        base = as_dict(data)
        quality = dict(base.get("quality") or {})
        qa, qb = quality.get(a, 1.0), quality.get(b, 1.0)
        bids = dict(base["bids"])
        if bids[a] == bids[b] and qa == qb:
            return None
        bids[a], bids[b] = bids[b], bids[a]
        if quality:
            quality[a], quality[b] = qb, qa
            return {**base, "bids": bids, "quality": quality}
        return {**base, "bids": bids}

    def sample(self, rng: np.random.Generator, agents: int | None = None,
               **options: Any) -> dict[str, Any]:
        """Slots with click-through rates 1, 0.6, 0.3 (one fewer slot than bidders, ≤ 3).

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> audit_spec(hz.mechanism("auction.gsp")).sample(
            ...     np.random.default_rng(0), 3)["slots"]
            [1.0, 0.6]
        """
        n = 3 if agents is None else agents
        slots = [1.0, 0.6, 0.3][:max(1, min(3, n - 1))]
        return {"slots": slots, "bids": dict(zip(_names(n), money(rng, n)))}

    def edge_cases(self) -> list[dict[str, Any]]:
        """No slot, no bidder, more slots than bidders, equal CTRs, tied bids, quality scores.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> audit_spec(hz.mechanism("auction.gsp")).edge_cases()[0]
            {'slots': [], 'bids': {'a1': 2.0}}
        """
        return [{"slots": [], "bids": {"a1": 2.0}}, {"slots": [1.0], "bids": {}},
                {"slots": [1.0, 0.5, 0.2], "bids": {"a1": 3.0, "a2": 1.0}},
                {"slots": [1.0, 1.0], "bids": {"a1": 3.0, "a2": 2.0, "a3": 1.0}},
                {"slots": [1.0, 0.5], "bids": {"a1": 2.0, "a2": 2.0, "a3": 2.0}},
                {"slots": [1.0, 0.4], "bids": {"a1": 4.0, "a2": 3.0, "a3": 1.0},
                 "quality": {"a1": 0.5, "a3": 2.0}}]


class DoubleAudit(AuditSpec):
    """Buyers report values and sellers costs; one unit each."""

    report_kind = "scalar"
    properties = properties(DSIC, IR, COALITION_STRATEGYPROOF, BUDGET_BALANCE, BIC, REVENUE,
                            WELFARE, EFFICIENT, ANONYMOUS)

    def reports(self, data: Any) -> dict[str, float]:
        inp = self.mech.parse_input(data)
        return {**inp.buyers, **inp.sellers}

    def with_reports(self, data: Any, reports: Mapping[str, Any]) -> dict[str, Any]:
        """Replace a buyer's value or a seller's cost (``None``: the trader stays out).

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> audit_spec(hz.mechanism("auction.mcafee")).with_reports(
            ...     {"buyers": {"b": 3.0}, "sellers": {"s": 1.0}}, {"s": 2.0})["sellers"]
            {'s': 2.0}
        """
        base = as_dict(data)
        buyers, sellers = dict(base["buyers"]), dict(base["sellers"])
        for who, r in reports.items():
            side = buyers if who in buyers else sellers
            if r is None:
                side.pop(who, None)
            else:
                side[who] = r
        return {**base, "buyers": buyers, "sellers": sellers}

    def swap(self, data: Any, a: str, b: str) -> dict[str, Any] | None:
        """Exchange two traders on the same side (traders on opposite sides differ).

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> audit_spec(hz.mechanism("auction.mcafee")).swap(
            ...     {"buyers": {"b": 3.0}, "sellers": {"s": 1.0}}, "b", "s") is None
            True
        """
        base = as_dict(data)
        if (a in base["buyers"]) != (b in base["buyers"]):
            return None
        return super().swap(data, a, b)

    def sample(self, rng: np.random.Generator, agents: int | None = None,
               **options: Any) -> dict[str, Any]:
        """Half the traders buy, half sell (values and costs on [0, 10]).

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> sorted(audit_spec(hz.mechanism("auction.mcafee")).sample(
            ...     np.random.default_rng(0), 4))
            ['buyers', 'sellers']
        """
        n = 4 if agents is None else agents
        buyers = (n + 1) // 2
        return {"buyers": dict(zip(_names(buyers, "b"), money(rng, buyers))),
                "sellers": dict(zip(_names(n - buyers, "s"), money(rng, n - buyers)))}

    def edge_cases(self) -> list[dict[str, Any]]:
        """No trader, one side empty, a buyer equal to a seller, equal values on one side.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> audit_spec(hz.mechanism("auction.mcafee")).edge_cases()[0]
            {'buyers': {}, 'sellers': {}}
        """
        return [{"buyers": {}, "sellers": {}}, {"buyers": {"b1": 5.0}, "sellers": {}},
                {"buyers": {}, "sellers": {"s1": 2.0}},
                {"buyers": {"b1": 4.0}, "sellers": {"s1": 4.0}},
                {"buyers": {"b1": 6.0, "b2": 6.0}, "sellers": {"s1": 1.0, "s2": 1.0}},
                {"buyers": {"b1": 9.0, "b2": 7.0, "b3": 3.0},
                 "sellers": {"s1": 1.0, "s2": 4.0, "s3": 8.0}}]


class CombinatorialAudit(AuditSpec):
    """XOR bundle bids; utility is the best true bid the won items cover, minus payment."""

    report_kind = "bundles"
    report_field = "bids"
    properties = properties(DSIC, IR, COALITION_STRATEGYPROOF, ANONYMOUS, BUDGET_BALANCE,
                            EFFICIENT)

    def reports(self, data: Any) -> dict[str, list[dict[str, Any]]]:
        return {who: [b.model_dump() for b in bids]
                for who, bids in self.mech.parse_input(data).bids.items()}

    def deviations(self, data: Any, agent: str, truth: Any, rng: np.random.Generator,
                   limit: int) -> tuple[list[Any], bool]:
        """Scale every bid, bid on one of one's bundles only, or drop out of a bundle.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> cands, complete = audit_spec(hz.mechanism("auction.vcg")).deviations(
            ...     {}, "a", [{"bundle": ["A"], "value": 2.0}], np.random.default_rng(0), 10)
            >>> len(cands), complete
            (5, False)
        """
        out = [[{**b, "value": b["value"] * f} for b in truth] for f in (0.0, 0.5, 0.9, 1.1)]
        out += [[b] for b in truth]
        return out[:limit], False

    def utility(self, agent: str, truth: Any, outcome: Outcome) -> float:
        """Value of the won bundle under the true XOR bids (the best true bid it covers).

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> m = hz.mechanism("auction.vcg")
            >>> out = m.run({"items": ["A"], "bids": {"a": [{"bundle": ["A"], "value": 5}]}})
            >>> audit_spec(m).utility("a", [{"bundle": ["A"], "value": 5.0}], out)
            5.0
        """
        won = set(outcome.allocation.get(agent) or [])
        if not won:
            return -outcome.payment(agent)
        value = max((b["value"] for b in truth if set(b["bundle"]) <= won), default=0.0)
        return float(value - outcome.payment(agent))

    def sample(self, rng: np.random.Generator, agents: int | None = None,
               **options: Any) -> dict[str, Any]:
        """Four items, two XOR bids per bidder (one for single-minded greedy), CATS-style.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> audit_spec(hz.mechanism("auction.vcg")).sample(
            ...     np.random.default_rng(0), 2)["items"]
            ['i0', 'i1', 'i2', 'i3']
        """
        from .cats import generate

        n = 3 if agents is None else agents
        per = 1 if self.mech.name == "auction.greedy_combinatorial" else 2
        return generate("arbitrary", items=4, bids=per * n, seed=int(rng.integers(2**31)),
                        bids_per_bidder=per)

    def edge_cases(self) -> list[dict[str, Any]]:
        """No bid, one bidder, equal bids on one bundle, a bidder with no bids.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> audit_spec(hz.mechanism("auction.vcg")).edge_cases()[0]
            {'items': ['A'], 'bids': {}}
        """
        one = [{"bundle": ["A"], "value": 3.0}]
        return [{"items": ["A"], "bids": {}}, {"items": ["A", "B"], "bids": {"a1": one}},
                {"items": ["A"], "bids": {"a1": one, "a2": one}},
                {"items": ["A", "B"], "bids": {"a1": [], "a2": one,
                                               "a3": [{"bundle": ["A", "B"], "value": 3.0}]}}]


"""Check records and audit reports (DESIGN.md's audit JSON).

Every check asks whether a *good* property holds: ``holds: true`` with ``exhaustive: true`` is a
proof over a finite space; with ``exhaustive: false`` it means no violation larger than
``tolerance`` was found within ``budget``, and ``violation_mass_bound`` is a 95% upper confidence
bound on the probability of a violating profile (rule of three: 3 / profiles).

Example:
    >>> rec = CheckRecord("dsic", holds=True, exhaustive=False, max_gain=0.0,
    ...                   budget={"profiles": 100}, tolerance=1e-9)
    >>> rec.to_dict()["violation_mass_bound"]
    0.03
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from hurwicz.core.outcome import to_jsonable

#: Other names accepted for properties (by ``audit`` and by :meth:`AuditReport.check`).
ALIASES = {"manipulable": "strategyproof", "coalition_manipulable": "coalition_strategyproof",
           "participation": "ir"}


@dataclass
class CheckRecord:
    """The evidence for one property.

    Example:
        >>> CheckRecord("ir", holds=False, max_gain=0.5).holds
        False
    """

    property: str
    holds: bool | None
    exhaustive: bool = False
    max_gain: float | None = None
    counterexample: dict[str, Any] | None = None
    budget: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    tolerance: float = 1e-9
    value: float | None = None
    stderr: float | None = None
    adversary: str = "misreport"
    notes: str = ""

    def violation_mass_bound(self) -> float | None:
        """Rule-of-three 95% upper bound on the mass of violating profiles when none was found.

        Example:
            >>> CheckRecord("dsic", True, budget={"profiles": 300}).violation_mass_bound()
            0.01
        """
        profiles = self.budget.get("profiles")
        if self.holds and not self.exhaustive and profiles:
            return round(3.0 / float(profiles), 12)
        return None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (DESIGN.md's check record).

        Example:
            >>> sorted(CheckRecord("ir", True).to_dict())[:3]
            ['adversary', 'budget', 'counterexample']
        """
        doc: dict[str, Any] = {
            "property": self.property,
            "holds": self.holds,
            "exhaustive": self.exhaustive,
            "max_gain": self.max_gain,
            "counterexample": self.counterexample,
            "budget": self.budget,
            "seconds": round(self.seconds, 4),
            "tolerance": self.tolerance,
            "adversary": self.adversary,
            "violation_mass_bound": self.violation_mass_bound(),
        }
        if self.value is not None:
            doc["value"] = self.value
            doc["stderr"] = self.stderr
        if self.notes:
            doc["notes"] = self.notes
        return to_jsonable(doc)


@dataclass
class AuditReport:
    """All checks run on one mechanism.

    Example:
        >>> rep = AuditReport("auction.first_price", {}, 3, "uniform:0,1",
        ...                   [CheckRecord("ir", True)])
        >>> rep.check("ir").holds, rep.holds
        (True, True)
    """

    mechanism: str
    params: dict[str, Any]
    agents: int | None
    prior: Any
    checks: list[CheckRecord]
    seed: int | None = None

    def check(self, prop: str) -> CheckRecord:
        """The record of one property (KeyError if it was not checked).

        Example:
            >>> AuditReport("m", {}, 1, None, [CheckRecord("dsic", True)]).check("dsic").holds
            True
        """
        for name in (prop, ALIASES.get(prop, prop)):
            for rec in self.checks:
                if rec.property == name:
                    return rec
        raise KeyError(prop)

    @property
    def holds(self) -> bool:
        """Whether no check found a violation (measurements count as holding).

        Example:
            >>> AuditReport("m", {}, 1, None, [CheckRecord("a", False)]).holds
            False
        """
        return all(rec.holds is not False for rec in self.checks)

    def to_dict(self) -> dict[str, Any]:
        """DESIGN.md's audit report JSON.

        Example:
            >>> AuditReport("m", {}, 2, "uniform:0,1", []).to_dict()["agents"]
            2
        """
        return to_jsonable({
            "mechanism": self.mechanism,
            "params": self.params,
            "agents": self.agents,
            "prior": self.prior,
            "seed": self.seed,
            "checks": [c.to_dict() for c in self.checks],
        })

    def to_json(self) -> str:
        """The report as JSON text.

        Example:
            >>> AuditReport("m", {}, 2, None, []).to_json().startswith('{"mechanism"')
            True
        """
        return json.dumps(self.to_dict(), allow_nan=False)

"""Check records and audit reports (DESIGN.md's audit JSON).

Every check asks whether a *good* property holds, and the verdict is three-valued:

* ``holds: true`` with ``exhaustive: true`` is a proof over the finite space the budget names;
  with ``exhaustive: false`` it means no violation larger than ``tolerance`` was found within
  ``budget``;
* ``holds: false`` comes with a counterexample that replays;
* ``holds: null`` means *not tested*: no deviation could be tried, or the property says nothing
  about these inputs (``notes`` says which) — or, for measurements, that there is no verdict.

``violation_mass_bound`` (a 95% upper confidence bound on the probability of a violating
profile, by the rule of three: 3 / profiles) is reported only when the search on each profile
was exhaustive *and* the profiles were independent draws from the prior.

Example:
    >>> rec = CheckRecord("ir", holds=True, budget={"profiles": 100}, iid_profiles=True,
    ...                   exhaustive_per_profile=True)
    >>> rec.to_dict()["violation_mass_bound"]
    0.03
    >>> "violation_mass_bound" in CheckRecord("dsic", True, budget={"profiles": 100}).to_dict()
    False
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from hurwicz.core.outcome import to_jsonable

from .spec import ALIASES, SYNONYMS


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
    #: the profiles were independent draws from the prior given to the audit
    iid_profiles: bool = False
    #: the search on each profile tried every deviation the adversary allows
    exhaustive_per_profile: bool = False

    @property
    def verdict(self) -> str:
        """``holds``, ``violated``, ``measured`` or ``not tested``.

        Example:
            >>> CheckRecord("dsic", None).verdict, CheckRecord("dsic", False).verdict
            ('not tested', 'violated')
        """
        if self.holds is True:
            return "holds"
        if self.holds is False:
            return "violated"
        return "measured" if self.value is not None else "not tested"

    def violation_mass_bound(self) -> float | None:
        """Rule-of-three 95% upper bound on the mass of violating profiles when none was found
        — only when every profile was searched exhaustively and profiles are i.i.d. draws.

        Example:
            >>> CheckRecord("ir", True, budget={"profiles": 300}, iid_profiles=True,
            ...             exhaustive_per_profile=True).violation_mass_bound()
            0.01
        """
        profiles = self.budget.get("profiles")
        if (self.holds is True and not self.exhaustive and self.iid_profiles
                and self.exhaustive_per_profile and profiles):
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
            "verdict": self.verdict,
            "exhaustive": self.exhaustive,
            "max_gain": self.max_gain,
            "counterexample": self.counterexample,
            "budget": self.budget,
            "seconds": round(self.seconds, 4),
            "tolerance": self.tolerance,
            "adversary": self.adversary,
        }
        bound = self.violation_mass_bound()
        if bound is not None:
            doc["violation_mass_bound"] = bound
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
        base, _, size = prop.partition(":")  # "sybil_proof:4": the record with 4 identities
        key = ALIASES.get(base, base)
        for name in (base, key, SYNONYMS.get(key, key)):
            for rec in self.checks:
                if rec.property == name and (not size or str(
                        rec.budget.get("identities", rec.budget.get("coalition_size"))) == size):
                    return rec
        raise KeyError(prop)

    @property
    def holds(self) -> bool | None:
        """``False`` if any check found a violation, ``None`` if some verdict check was not
        tested, else ``True`` (measurements carry no verdict and are ignored).

        Example:
            >>> AuditReport("m", {}, 1, None, [CheckRecord("a", False)]).holds
            False
            >>> print(AuditReport("m", {}, 1, None, [CheckRecord("a", True),
            ...                                      CheckRecord("b", None)]).holds)
            None
        """
        verdicts = [rec.holds for rec in self.checks if rec.value is None]
        if any(v is False for v in verdicts):
            return False
        if any(v is None for v in verdicts):
            return None
        return True

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

    def rows(self) -> tuple[list[str], list[dict[str, Any]]]:
        """Columns and one row per check (the ``--format csv`` rows; see docs/outputs.md).

        Example:
            >>> AuditReport("m", {}, 1, None, [CheckRecord("ir", True)]).rows()[1][0]["verdict"]
            'holds'
        """
        from hurwicz.report.tables import audit_rows

        return audit_rows(self.to_dict())

    def to_frame(self) -> Any:
        """A pandas DataFrame with one row per check (the columns of :meth:`rows`); needs the
        ``frames`` extra (pandas).

        Example:
            >>> AuditReport("m", {}, 1, None, [CheckRecord("ir", True)]).to_frame().shape[0]
            1
        """
        from hurwicz.report.tables import frame

        return frame(*self.rows(), "AuditReport.to_frame()")

    def _repr_html_(self) -> str:
        """A compact HTML table (Jupyter): one row per check."""
        from hurwicz.report.html import audit_html

        return audit_html(self.to_dict())

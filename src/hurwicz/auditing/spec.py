"""The audit specification a family gives the engine, and the properties it can define.

The engine knows no family (DESIGN principle 3). Each family subclasses :class:`AuditSpec` in
its own package (``hurwicz.mechanisms.<family>.audit``) and sets it as its mechanisms'
``Audit`` attribute. A specification says

* how reports are read from an input and replaced (:meth:`AuditSpec.reports`,
  :meth:`AuditSpec.with_reports`), what an agent could report instead
  (:meth:`AuditSpec.report_domain`, :meth:`AuditSpec.deviations`) and what an agent's
  utility is (:meth:`AuditSpec.utility`, :meth:`AuditSpec.group_utility`);
* how to sample instances (:meth:`AuditSpec.sample`), including degenerate ones
  (:meth:`AuditSpec.edge_cases`: ties, truncated lists, empty and single-agent inputs, zero
  capacities);
* how to exchange two agents (:meth:`AuditSpec.swap`) and when two outcomes count as the same
  under that exchange (:meth:`AuditSpec.same_outcome`), for anonymity;
* which properties apply (:attr:`AuditSpec.properties`). A property the family does not
  define is refused with a clear error, never reported as holding.

Outcome properties are functions ``check(mech, data, outcome)`` returning ``None`` (holds on
this instance), :data:`NOT_APPLICABLE` (the property says nothing about this instance) or a
JSON-ready witness of the violation. Search properties (``check="search"``) bring their own
search over instances, ``search(spec, instances, rng, tolerance)``, returning
``{"counterexample": ... | None, "deviations": tried, "complete": bool}``.

Example:
    >>> import hurwicz as hz
    >>> spec = audit_spec(hz.mechanism("auction.second_price"))
    >>> spec.reports({"bids": {"a": 3, "b": 1}}), "dsic" in spec.properties
    ({'a': 3.0, 'b': 1.0}, True)
    >>> "stable" in spec.properties
    False
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from hurwicz.core.errors import AuditError
from hurwicz.core.outcome import Outcome
from hurwicz.core.reports import with_reports


class _NotApplicable:
    """Marker: an outcome property does not apply to this instance."""

    _instance: _NotApplicable | None = None

    def __new__(cls) -> _NotApplicable:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NOT_APPLICABLE"

    def __reduce__(self) -> str:
        return "NOT_APPLICABLE"


#: Returned by an outcome check when the property says nothing about an instance.
NOT_APPLICABLE = _NotApplicable()

#: How the engine searches for a violation of a property.
CHECKS = ("misreport", "coalition", "abstain", "sybil", "bots", "anonymity", "monotonicity",
          "budget_balance", "bic", "measure", "outcome", "search")


@dataclass(frozen=True)
class Property:
    """A property a family defines: its name, what it means and how it is checked.

    ``check`` is one of :data:`CHECKS`; ``outcome`` is the per-instance function for
    ``check="outcome"``, ``search`` the family's own search for ``check="search"``;
    ``needs_prior`` marks properties defined only against a prior (BIC, expected revenue).

    Example:
        >>> Property("dsic", "no agent gains by misreporting", "misreport").check
        'misreport'
    """

    name: str
    summary: str
    check: str
    outcome: Callable[[Any, Any, Outcome], Any] | None = None
    needs_prior: bool = False
    search: Callable[..., dict[str, Any]] | None = None

    def __post_init__(self) -> None:
        if self.check not in CHECKS:
            raise ValueError(f"unknown check {self.check!r}")
        if (self.check == "outcome") != (self.outcome is not None):
            raise ValueError("outcome properties (and only they) need an outcome function")
        if (self.check == "search") != (self.search is not None):
            raise ValueError("search properties (and only they) need a search function")


def outcome_property(name: str, summary: str,
                     check: Callable[[Any, Any, Outcome], Any]) -> Property:
    """A property checked on each instance's outcome by ``check(mech, data, outcome)``.

    Example:
        >>> outcome_property("sold", "the item sells", lambda m, d, o: None).check
        'outcome'
    """
    return Property(name, summary, "outcome", check)


# --- properties shared by families (each family picks the ones that apply to it) ------------
DSIC = Property("dsic", "no agent gains by any misreport, whatever the others report",
                "misreport")
STRATEGYPROOF = Property("strategyproof", "no agent gains by misreporting its preferences",
                         "misreport")
COALITION_STRATEGYPROOF = Property(
    "coalition_strategyproof", "no group of agents gains by a joint misreport", "coalition")
IR = Property("ir", "participating truthfully is never worse than staying out", "abstain")
ANONYMOUS = Property("anonymous", "exchanging two agents' reports exchanges what they get",
                     "anonymity")
MONOTONE = Property("monotone", "raising one's own report never lowers one's allocation",
                    "monotonicity")
BUDGET_BALANCE = Property("budget_balance",
                          "payments sum to at least zero (weak) or exactly zero (strong)",
                          "budget_balance")
BIC = Property("bic", "no type gains in expectation by misreporting (truthful others)", "bic",
               needs_prior=True)
REVENUE = Property("revenue", "expected revenue (a measurement)", "measure", needs_prior=True)
WELFARE = Property("welfare", "expected welfare (a measurement)", "measure", needs_prior=True)
SYBIL_PROOF = Property("sybil_proof", "no agent gains by splitting into several identities",
                       "sybil")
BOT_PROOF = Property("bot_proof", "no agent gains by adding extra identities (bots)", "bots")

#: Other names accepted for properties.
ALIASES = {"manipulable": "strategyproof", "coalition_manipulable": "coalition_strategyproof",
           "participation": "ir"}
#: Properties that mean the same in another vocabulary (quasilinear vs ordinal).
SYNONYMS = {"dsic": "strategyproof", "strategyproof": "dsic"}


def properties(*props: Property) -> dict[str, Property]:
    """A family's property table from :class:`Property` objects.

    Example:
        >>> sorted(properties(DSIC, IR))
        ['dsic', 'ir']
    """
    return {p.name: p for p in props}


class AuditSpec:
    """What a family tells the audit engine; bound to one configured mechanism.

    Subclasses set :attr:`report_kind`, :attr:`report_field` (the input object holding each
    agent's report, when there is one) and :attr:`properties`, and override what differs.
    """

    #: "scalar", "vector", "ranking", "approval", "scores", "bundles", "contributions"...
    report_kind: ClassVar[str] = "other"
    #: The object of the input keyed by agent that holds the reports (None: override methods).
    report_field: ClassVar[str | None] = None
    #: The properties this family defines.
    properties: ClassVar[Mapping[str, Property]] = {}
    #: Numeric input fields that may be negative (dotted paths, ``*`` wildcards).
    signed_fields: ClassVar[tuple[str, ...]] = ()

    def __init__(self, mech: Any) -> None:
        self.mech = mech

    # --- reports -----------------------------------------------------------------------------
    def reports(self, data: Any) -> dict[str, Any]:
        """Each agent's report in ``data`` (validated).

        Example:
            >>> import hurwicz as hz
            >>> audit_spec(hz.mechanism("auction.first_price")).reports({"bids": {"a": 2}})
            {'a': 2.0}
        """
        inp = self.mech.parse_input(data)
        return dict(getattr(inp, self._field()))

    def with_reports(self, data: Any, reports: Mapping[str, Any]) -> dict[str, Any]:
        """A copy of ``data`` where the named agents report ``reports`` (``None``: absent).

        Example:
            >>> import hurwicz as hz
            >>> spec = audit_spec(hz.mechanism("auction.first_price"))
            >>> spec.with_reports({"bids": {"a": 2}}, {"a": 1})
            {'bids': {'a': 1}}
        """
        return with_reports(data, self._field(), reports)

    def _field(self) -> str:
        if self.report_field is None:
            raise NotImplementedError(f"{type(self).__name__} must override reports/with_reports")
        return self.report_field

    def types(self, data: Any) -> dict[str, Any]:
        """Each agent's private type when ``data`` is the truthful input: by default its
        report (families whose utilities need more — e.g. the value a donor puts on funding —
        override this).

        Example:
            >>> import hurwicz as hz
            >>> audit_spec(hz.mechanism("auction.first_price")).types({"bids": {"a": 2}})
            {'a': 2.0}
        """
        return self.reports(data)

    def agents(self, data: Any) -> list[str]:
        """The agents of an input, in a stable order.

        Example:
            >>> import hurwicz as hz
            >>> audit_spec(hz.mechanism("auction.first_price")).agents({"bids": {"b": 1, "a": 2}})
            ['a', 'b']
        """
        return sorted(self.reports(data))

    def report_domain(self, data: Any, agent: str) -> dict[str, Any]:
        """What ``agent`` could report instead: ``{"kind": ..., ...}``.

        Example:
            >>> import hurwicz as hz
            >>> audit_spec(hz.mechanism("auction.first_price")).report_domain({}, "a")["kind"]
            'scalar'
        """
        if self.report_kind == "scalar":
            return {"kind": "scalar", "low": 0.0, "high": None}
        return {"kind": self.report_kind}

    def deviations(self, data: Any, agent: str, truth: Any, rng: np.random.Generator,
                   limit: int) -> tuple[list[Any], bool]:
        """Candidate misreports of ``agent`` and whether they are its whole report space.

        The default follows :meth:`report_domain` with the engine's generic generators.
        """
        from .deviations import by_domain

        return by_domain(self.report_domain(data, agent), data, agent, truth,
                         self.reports(data), rng, limit)

    # --- preferences -------------------------------------------------------------------------
    def utility(self, agent: str, truth: Any, outcome: Outcome) -> float:
        """Utility of ``agent`` with private type ``truth`` from ``outcome``: by default
        quasilinear, value per unit × units − payment.

        Example:
            >>> import hurwicz as hz
            >>> m = hz.mechanism("auction.second_price")
            >>> audit_spec(m).utility("a", 10.0, m.run({"bids": {"a": 10, "b": 8}}))
            2.0
        """
        alloc = outcome.allocation.get(agent, 0) or 0
        if not isinstance(alloc, int | float | np.integer | np.floating):
            raise AuditError(f"{self.mech.name}: the family needs its own utility model",
                             "utility")
        return float(truth) * float(alloc) - outcome.payment(agent)

    def identities_utility(self, identities: Sequence[str], truth: Any,
                           outcome: Outcome) -> float:
        """Utility of one agent of type ``truth`` acting through several identities (sybils or
        bots): by default the sum of the identities' utilities.

        Example:
            >>> import hurwicz as hz
            >>> m = hz.mechanism("auction.second_price")
            >>> audit_spec(m).identities_utility(["a"], 10.0, m.run({"bids": {"a": 10}}))
            10.0
        """
        return float(sum(self.utility(a, truth, outcome) for a in identities))

    def group_utility(self, agents: Sequence[str], truths: Mapping[str, Any],
                      outcome: Outcome) -> float:
        """Joint utility of a coalition of distinct agents: by default the sum of utilities.

        Example:
            >>> import hurwicz as hz
            >>> m = hz.mechanism("auction.second_price")
            >>> audit_spec(m).group_utility(["a", "b"], {"a": 10, "b": 9},
            ...                             m.run({"bids": {"a": 10, "b": 8}}))
            2.0
        """
        return float(sum(self.utility(a, truths[a], outcome) for a in agents))

    # --- instances ---------------------------------------------------------------------------
    def sample(self, rng: np.random.Generator, agents: int | None = None,
               **options: Any) -> dict[str, Any]:
        """A random input with ``agents`` agents (a family default if None)."""
        raise AuditError(f"{self.mech.name}: no instance sampler; give inputs", "inputs")

    def sample_options(self) -> set[str]:
        """Keyword options :meth:`sample` understands (e.g. a voting culture).

        Example:
            >>> import hurwicz as hz
            >>> audit_spec(hz.mechanism("auction.first_price")).sample_options()
            set()
        """
        return set()

    def edge_cases(self) -> list[dict[str, Any]]:
        """Degenerate valid inputs every claim must survive (ties, truncated lists, empty and
        single-agent inputs, zero capacities)."""
        return []

    def expand(self, given: Sequence[Any]) -> tuple[list[Any], str | None]:
        """Profiles a family adds to user-given inputs, and a description of the space they
        enumerate (the given inputs are always audited too). Default: none.

        Example:
            >>> import hurwicz as hz
            >>> audit_spec(hz.mechanism("auction.first_price")).expand([{"bids": {}}])
            ([], None)
        """
        return [], None

    # --- anonymity ---------------------------------------------------------------------------
    def swap(self, data: Any, a: str, b: str) -> dict[str, Any] | None:
        """``data`` with agents ``a`` and ``b`` exchanged (None if they cannot be).

        Example:
            >>> import hurwicz as hz
            >>> spec = audit_spec(hz.mechanism("auction.first_price"))
            >>> spec.swap({"bids": {"a": 1.0, "b": 2.0}}, "a", "b")
            {'bids': {'a': 2.0, 'b': 1.0}}
        """
        reports = self.reports(data)
        if reports[a] == reports[b]:
            return None
        return self.with_reports(data, {a: reports[b], b: reports[a]})

    def same_outcome(self, before: Outcome, after: Outcome, mapping: Mapping[str, str]) -> bool:
        """Whether ``after`` is ``before`` with agents renamed by ``mapping``: each agent's
        allocation and payment moved to its image (payments within 1e-9, relatively).

        Example:
            >>> import hurwicz as hz
            >>> m = hz.mechanism("auction.second_price")
            >>> x, y = m.run({"bids": {"a": 1, "b": 2}}), m.run({"bids": {"a": 2, "b": 1}})
            >>> audit_spec(m).same_outcome(x, y, {"a": "b", "b": "a"})
            True
        """
        for agent in before.allocation:
            image = mapping.get(agent, agent)
            if after.allocation.get(image) != before.allocation.get(agent):
                return False
            if not _close(after.payment(image), before.payment(agent)):
                return False
        return True

    # --- properties --------------------------------------------------------------------------
    def property(self, name: str) -> Property:
        """The property called ``name`` (aliases and synonyms resolved) or a clear error.

        Example:
            >>> import hurwicz as hz
            >>> audit_spec(hz.mechanism("voting.plurality")).property("manipulable").name
            'strategyproof'
        """
        key = ALIASES.get(name, name)
        if key in self.properties:
            return self.properties[key]
        other = SYNONYMS.get(key)
        if other in self.properties:
            return self.properties[other]
        defined = ", ".join(sorted(self.properties)) or "none"
        raise AuditError(f"property {name!r} is not defined for {self.mech.name} "
                         f"(family {self.mech.family}: {defined})", "properties")


def _close(x: float, y: float) -> bool:
    return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9)


def audit_spec(mech: Any) -> AuditSpec:
    """The audit specification of a configured mechanism.

    Example:
        >>> import hurwicz as hz
        >>> type(audit_spec(hz.mechanism("voting.borda"))).__name__
        'RankedAudit'
    """
    cls = getattr(type(mech), "Audit", None)
    if cls is None:
        raise AuditError(f"{mech.name} has no audit specification", "mechanism")
    return cls(mech)

"""The ``Mechanism`` protocol: a pure, deterministic function from a report profile to an Outcome.

A concrete mechanism declares class-level metadata (``name``, ``family``, ``summary``,
``claims``), a pydantic ``Params`` model (defaults, types and validation of its parameters)
and a pydantic ``Input`` model (the family's input schema), and implements
:meth:`Mechanism.run_parsed`. Mechanisms with numeric reports also implement
:meth:`Mechanism.run_batch` over arrays of shape ``[batch, agents]``.

The audit and simulation engines never look inside a mechanism: they use the hooks
:meth:`Mechanism.reports`, :meth:`Mechanism.with_reports` and :meth:`Mechanism.utility`.

Example:
    >>> import hurwicz as hz
    >>> m = hz.mechanism("auction.second_price")
    >>> m.run({"bids": {"alice": 10, "bob": 8}}).payments
    {'alice': 8.0, 'bob': 0.0}
"""

from __future__ import annotations

import copy
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict

from .errors import InputError
from .outcome import BatchOutcome, Outcome
from .utility import quasilinear
from .validation import validate_model, validate_params


class NoParams(BaseModel):
    """Parameters of a mechanism that takes none."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Mechanism(ABC):
    """Base class of every registered mechanism.

    Example:
        >>> import hurwicz as hz
        >>> m = hz.mechanism("auction.first_price", reserve=1.0)
        >>> m.params.reserve, m.name, "ir" in m.claims
        (1.0, 'auction.first_price', True)
    """

    name: ClassVar[str] = ""
    family: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    claims: ClassVar[tuple[str, ...]] = ()
    version: ClassVar[str] = "1"
    #: How one agent reports: "scalar" (one number), "vector", "bundles", "ranking",
    #: "ballot", "contributions", or "other". The audit engine picks deviations by it.
    report_kind: ClassVar[str] = "other"
    Params: ClassVar[type[BaseModel]] = NoParams
    Input: ClassVar[type[BaseModel] | None] = None

    def __init__(self, **params: Any) -> None:
        self.params = validate_params(self.Params, params)

    # --- running -----------------------------------------------------------------------
    def parse_input(self, data: Any) -> Any:
        """Validate raw input (a dict, e.g. parsed JSON) into the family's ``Input`` model.

        Example:
            >>> import hurwicz as hz
            >>> hz.mechanism("auction.first_price").parse_input({"bids": {"a": 1}}).bids
            {'a': 1.0}
        """
        if self.Input is None:
            return data
        return validate_model(self.Input, data)

    def run(self, data: Any) -> Outcome:
        """Run the mechanism on one input (dict or ``Input`` instance) and return its Outcome.

        Example:
            >>> import hurwicz as hz
            >>> hz.mechanism("auction.first_price").run({"bids": {"a": 3, "b": 5}}).allocation
            {'a': 0, 'b': 1}
        """
        return self.run_parsed(self.parse_input(data))

    @abstractmethod
    def run_parsed(self, inp: Any) -> Outcome:
        """Run on already validated input."""

    @property
    def supports_batch(self) -> bool:
        """Whether :meth:`run_batch` is implemented (numeric reports only).

        Example:
            >>> import hurwicz as hz
            >>> hz.mechanism("auction.second_price").supports_batch
            True
        """
        return type(self).run_batch is not Mechanism.run_batch

    def run_batch(self, reports: np.ndarray) -> BatchOutcome:
        """Run on a batch of numeric profiles, ``reports`` of shape ``[batch, agents, ...]``.

        Agent ``i`` is column ``i``; ties broken by ``lowest_name`` go to the lowest column.
        """
        raise NotImplementedError(f"{self.name} has no vectorised batch path")

    # --- hooks for audit and simulation ---------------------------------------------------
    def agents(self, data: Any) -> list[str]:
        """Names of the agents in an input, in a stable order.

        Example:
            >>> import hurwicz as hz
            >>> hz.mechanism("auction.first_price").agents({"bids": {"b": 1, "a": 2}})
            ['a', 'b']
        """
        return sorted(self.reports(data))

    def reports(self, data: Any) -> dict[str, Any]:
        """Each agent's report in ``data`` (for auctions: its bid).

        Example:
            >>> import hurwicz as hz
            >>> hz.mechanism("auction.first_price").reports({"bids": {"a": 2}})
            {'a': 2.0}
        """
        raise NotImplementedError(f"{self.name} does not expose per-agent reports")

    def with_reports(self, data: Any, reports: Mapping[str, Any]) -> dict[str, Any]:
        """A copy of ``data`` (as a dict) where the named agents report ``reports`` instead.

        A report of ``None`` removes the agent (abstention).

        Example:
            >>> import hurwicz as hz
            >>> hz.mechanism("auction.first_price").with_reports({"bids": {"a": 2}}, {"a": 1})
            {'bids': {'a': 1}}
        """
        raise NotImplementedError(f"{self.name} cannot replace reports")

    def input_from_reports(self, reports: Mapping[str, Any]) -> dict[str, Any]:
        """Build a complete input from a report per agent (for mechanisms with no other input).

        Example:
            >>> import hurwicz as hz
            >>> hz.mechanism("auction.first_price").input_from_reports({"a": 1.0})
            {'bids': {'a': 1.0}}
        """
        raise NotImplementedError(f"{self.name} needs more than reports to build an input")

    def utility(self, agent: str, true_type: Any, outcome: Outcome) -> float:
        """Utility of ``agent`` with private type ``true_type`` from ``outcome``.

        The default is quasilinear with a scalar value per unit allocated.

        Example:
            >>> import hurwicz as hz
            >>> m = hz.mechanism("auction.second_price")
            >>> m.utility("a", 10.0, m.run({"bids": {"a": 10, "b": 8}}))
            2.0
        """
        alloc = outcome.allocation.get(agent, 0)
        if not isinstance(alloc, int | float | np.integer | np.floating):
            raise InputError("allocation", f"{self.name} needs its own utility model")
        return quasilinear(float(true_type), float(alloc), outcome.payment(agent))

    def report_domain(self, data: Any, agent: str) -> dict[str, Any]:
        """What ``agent`` could report instead, for deviation search.

        Scalar mechanisms: ``{"kind": "scalar", "low": 0.0, "high": None}``; ranked ballots:
        ``{"kind": "ranking", "candidates": [...]}``; families override as needed.

        Example:
            >>> import hurwicz as hz
            >>> hz.mechanism("auction.first_price").report_domain({"bids": {"a": 1}}, "a")["kind"]
            'scalar'
        """
        if self.report_kind == "scalar":
            return {"kind": "scalar", "low": 0.0, "high": None}
        return {"kind": self.report_kind}

    def bne(self, priors: Any) -> Any:
        """A Bayes–Nash equilibrium strategy for ``priors``: a function from values
        ``[batch, agents]`` to reports. Mechanisms without one raise NotImplementedError.

        Example:
            >>> import hurwicz as hz
            >>> try:
            ...     hz.mechanism("auction.posted_price", price=1).bne(None)
            ... except NotImplementedError:
            ...     print("none")
            none
        """
        raise NotImplementedError(f"{self.name} provides no equilibrium strategy")

    def candidate_deviations(self, data: Any, agent: str, rng: Any, limit: int) -> list[Any]:
        """Misreports worth trying for ``agent`` (families with special report spaces).

        The default raises NotImplementedError: the audit engine then uses its generic
        generator for the report domain's kind.
        """
        raise NotImplementedError

    def random_instance(self, rng: Any, agents: int | None) -> dict[str, Any]:
        """A random input with ``agents`` agents, for audits without user-given inputs."""
        raise NotImplementedError(f"{self.name} has no random instance generator")

    def group_utility(
        self, agents: list[str], true_types: Mapping[str, Any], outcome: Outcome
    ) -> float:
        """Joint utility of a group (a coalition, or one agent's sybil identities).

        The default sums :meth:`utility`; families where identities share a benefit (e.g. the
        projects a donor funds) override it so that nothing is double counted.

        Example:
            >>> import hurwicz as hz
            >>> m = hz.mechanism("auction.second_price")
            >>> out = m.run({"bids": {"a": 10, "b": 8}})
            >>> m.group_utility(["a", "b"], {"a": 10, "b": 9}, out)
            2.0
        """
        return float(sum(self.utility(a, true_types[a], outcome) for a in agents))

    def sybil_split(self, data: Any, agent: str, k: int) -> tuple[dict[str, Any], list[str]]:
        """Input where ``agent``'s report is split across ``k`` identities, and their names.

        Families where splitting is meaningful (funding contributions, raffle entries) override
        this; the default says it is not.
        """
        raise NotImplementedError(f"{self.name} defines no sybil split")

    def add_identities(self, data: Any, agent: str, k: int) -> tuple[dict[str, Any], list[str]]:
        """Input with ``k`` fresh identities (bots) controlled by ``agent``, and their names."""
        raise NotImplementedError(f"{self.name} defines no extra identities")

    # --- metadata ---------------------------------------------------------------------------
    def active_claims(self) -> tuple[str, ...]:
        """The claims that hold for *this* configuration (a reserve can void ``efficient``).

        Example:
            >>> import hurwicz as hz
            >>> "efficient" in hz.mechanism("auction.second_price", reserve=1).active_claims()
            False
        """
        return tuple(self.claims)

    def param_dict(self) -> dict[str, Any]:
        """The validated parameters as a JSON-ready dict.

        Example:
            >>> import hurwicz as hz
            >>> hz.mechanism("auction.second_price", reserve=2).param_dict()["reserve"]
            2.0
        """
        return self.params.model_dump(mode="json")

    def replace(self, **params: Any) -> Mechanism:
        """A new instance with some parameters changed.

        Example:
            >>> import hurwicz as hz
            >>> hz.mechanism("auction.second_price").replace(reserve=3).params.reserve
            3.0
        """
        merged = {**self.params.model_dump(), **params}
        return type(self)(**merged)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.model_dump().items())
        return f"<mechanism {self.name}({args})>"

    def __deepcopy__(self, memo: dict[int, Any]) -> Mechanism:
        return type(self)(**copy.deepcopy(self.params.model_dump(), memo))

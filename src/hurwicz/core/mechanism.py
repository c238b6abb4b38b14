"""The ``Mechanism`` protocol: a pure, deterministic function from a report profile to an Outcome.

The core protocol is small. A concrete mechanism declares class-level metadata (``name``,
``family``, ``summary``, ``version``, ``claims``), a pydantic ``Params`` model (defaults, types
and validation of its parameters) and a pydantic ``Input`` model (the family's input schema),
and implements :meth:`Mechanism.run_parsed`. Everything else is explicit:

* optional capabilities (a batch path, scalar reports, sybil splitting, bots, equilibrium
  strategies) are the typed interfaces of :mod:`hurwicz.core.capabilities`, inherited by the
  classes that have them;
* how the audit engine reads and perturbs inputs (reports, deviations, utilities, instance
  samplers, anonymity, the properties that apply) is the family's audit specification, the
  ``Audit`` class attribute (see :mod:`hurwicz.auditing.spec`);
* claims are :class:`~hurwicz.core.claims.Claim` objects that may hold only for some parameter
  values; :meth:`Mechanism.active_claims` evaluates them.

``version`` changes whenever the outcome of some input changes, so that a stored round can tell
which behaviour it ran; golden outcomes in the tests enforce it.

Example:
    >>> import hurwicz as hz
    >>> m = hz.mechanism("auction.second_price")
    >>> m.run({"bids": {"alice": 10, "bob": 8}}).payments
    {'alice': 8.0, 'bob': 0.0}
"""

from __future__ import annotations

import copy
from abc import ABC, abstractmethod
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from .claims import Claim, active, as_claim
from .outcome import Outcome
from .validation import validate_model, validate_params


class NoParams(BaseModel):
    """Parameters of a mechanism that takes none."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _rebuild(name: str, params: dict[str, Any]) -> Mechanism:
    from .registry import mechanism

    return mechanism(name, **params)


class Mechanism(ABC):
    """Base class of every registered mechanism.

    Example:
        >>> import hurwicz as hz
        >>> m = hz.mechanism("auction.first_price", reserve=1.0)
        >>> m.params.reserve, m.name, "ir" in m.active_claims()
        (1.0, 'auction.first_price', True)
    """

    name: ClassVar[str] = ""
    family: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    version: ClassVar[str] = "1"
    claims: ClassVar[tuple[Claim | str, ...]] = ()
    Params: ClassVar[type[BaseModel]] = NoParams
    Input: ClassVar[type[BaseModel] | None] = None
    #: The family's audit specification (a subclass of ``hurwicz.auditing.spec.AuditSpec``).
    Audit: ClassVar[type | None] = None

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

    # --- metadata ---------------------------------------------------------------------------
    @classmethod
    def claim_list(cls) -> list[Claim]:
        """Every claim of the class with its condition.

        Example:
            >>> import hurwicz as hz
            >>> [c.to_dict() for c in hz.get("auction.second_price").claim_list()][2]
            {'property': 'efficient', 'condition': 'reserve = 0'}
        """
        return [as_claim(c) for c in cls.claims]

    def active_claims(self) -> tuple[str, ...]:
        """The claims that hold for *this* configuration (a reserve voids ``efficient``).

        Example:
            >>> import hurwicz as hz
            >>> "efficient" in hz.mechanism("auction.second_price", reserve=1).active_claims()
            False
        """
        return active(self.claims, self.params)

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

    def __eq__(self, other: object) -> bool:
        return (type(other) is type(self)
                and self.params.model_dump() == other.params.model_dump())  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((self.name, repr(self.params.model_dump())))

    def __deepcopy__(self, memo: dict[int, Any]) -> Mechanism:
        return type(self)(**copy.deepcopy(self.params.model_dump(), memo))

    def __reduce__(self) -> tuple[Any, ...]:
        # registered by name: pickling works for classes made by factories too
        return (_rebuild, (self.name, self.params.model_dump()))

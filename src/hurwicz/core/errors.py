"""One error hierarchy for the whole toolkit.

Every error names the field at fault, so that the CLI can print a one-line message
(exit code 2) and the server can answer HTTP 422 without a traceback.

Example:
    >>> err = InputError("bids.alice", "must be a non-negative number, got -3")
    >>> str(err)
    'bids.alice: must be a non-negative number, got -3'
    >>> isinstance(err, HurwiczError)
    True
"""

from __future__ import annotations

from typing import Any


class HurwiczError(Exception):
    """Base class of every error hurwicz raises on purpose.

    ``field`` is a dotted path to the offending value (``"bids.alice"``, ``"params.reserve"``)
    or ``None`` when no single field is at fault.

    Example:
        >>> HurwiczError("something went wrong").field is None
        True
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}" if field else message)


class InputError(HurwiczError, ValueError):
    """A mechanism's input (reports, bids, ballots, preferences) is malformed.

    Example:
        >>> InputError("bids", "must not be empty").field
        'bids'
    """

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message, field)


class ParameterError(HurwiczError, ValueError):
    """A mechanism parameter is unknown, missing, or has a bad value.

    Example:
        >>> str(ParameterError("reserve", "must be >= 0"))
        'params.reserve: must be >= 0'
    """

    def __init__(self, name: str | None, message: str) -> None:
        super().__init__(message, f"params.{name}" if name else "params")


class UnknownMechanismError(HurwiczError, KeyError):
    """No mechanism is registered under the requested name.

    Example:
        >>> str(UnknownMechanismError("auction.foo", ["auction.first_price"]))
        "mechanism: unknown mechanism 'auction.foo' (did you mean: auction.first_price?)"
    """

    def __init__(self, name: str, suggestions: list[str] | None = None) -> None:
        hint = f" (did you mean: {', '.join(suggestions)}?)" if suggestions else ""
        super().__init__(f"unknown mechanism {name!r}{hint}", "mechanism")
        self.name = name

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return Exception.__str__(self)


class PriorError(HurwiczError, ValueError):
    """A prior string or object cannot be parsed or used.

    Example:
        >>> str(PriorError("uniform:1,0", "needs LO < HI"))
        "prior: 'uniform:1,0' needs LO < HI"
    """

    def __init__(self, spec: Any, message: str, field: str = "prior") -> None:
        super().__init__(f"{spec!r} {message}", field)


class SolverError(HurwiczError, RuntimeError):
    """An exact solver failed, hit a size limit, or returned an unusable status.

    Example:
        >>> SolverError("HiGHS status 7", field="wdp").field
        'wdp'
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message, field)


class AuditError(HurwiczError, ValueError):
    """The audit engine was asked something it cannot answer for this mechanism.

    Example:
        >>> AuditError("property 'stable' is undefined for auctions", "properties").field
        'properties'
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message, field)

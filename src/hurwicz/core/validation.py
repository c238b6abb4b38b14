"""Turning pydantic validation failures into one-line hurwicz errors.

Example:
    >>> from pydantic import BaseModel, ConfigDict
    >>> class Bids(BaseModel):
    ...     model_config = ConfigDict(strict=True, extra="forbid")
    ...     bids: dict[str, float]
    >>> try:
    ...     validate_model(Bids, {"bids": {"a": "ten"}})
    ... except InputError as err:
    ...     print(err)
    bids.a: Input should be a valid number (got 'ten')
"""

from __future__ import annotations

import math
import reprlib
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import InputError, ParameterError
from .types import check_unique_names, field_part

M = TypeVar("M", bound=BaseModel)


def _location(loc: tuple[Any, ...], data: Any = None) -> str:
    """Dotted path of a pydantic error location, skipping union-member tags.

    pydantic inserts tags such as ``literal['x']``, ``constrained-str`` or ``function-after[...]``
    for union members; when the data is known, a part is kept only if it is a key (or index) of
    the data at that depth, or the last part of the location (a missing key). Parts that would
    not print as themselves (a key holding a newline) are quoted.
    """
    parts: list[str] = []
    node = data
    last = len(loc) - 1
    for i, part in enumerate(loc):
        if node is not None:
            in_mapping = isinstance(node, Mapping) and _has_key(node, part)
            in_list = (isinstance(node, list | tuple) and isinstance(part, int)
                       and part < len(node))
            if in_mapping or in_list:
                node = node[part]
            elif isinstance(node, Mapping | list | tuple) or parts:
                # a union tag, or a missing key that pydantic reports (always the last part)
                if isinstance(node, Mapping) and i == last and not str(part).startswith(
                        ("literal[", "function", "constrained-", "[key]")):
                    parts.append(field_part(part))
                    node = None
                continue
        parts.append(field_part(part))
    return ".".join(parts)


def _has_key(node: Mapping[Any, Any], part: Any) -> bool:
    try:
        return part in node
    except TypeError:  # an unhashable part cannot be a key
        return False


_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxdict, _REPR.maxlist, _REPR.maxtuple = 2, 4, 4, 4
_REPR.maxstring, _REPR.maxother, _REPR.maxlong = 60, 60, 40


def _short(value: Any) -> str:
    """A bounded repr: nested or huge values cost little and cannot recurse without end."""
    try:
        text = _REPR.repr(value)
    except (ValueError, RecursionError):  # an int too long to print (> 4,300 digits)
        return f"<a {type(value).__name__} too large to show>"
    return text if len(text) <= 60 else text[:57] + "..."


def describe_validation_error(
    err: ValidationError, prefix: str = "", data: Any = None
) -> tuple[str, str]:
    """Return ``(field, message)`` for the first problem in a pydantic ``ValidationError``.

    Example:
        >>> from pydantic import BaseModel
        >>> class P(BaseModel):
        ...     x: int
        >>> try:
        ...     P(x="a")
        ... except ValidationError as e:
        ...     describe_validation_error(e, "params")[0]
        'params.x'
    """
    first = err.errors()[0]
    loc = _location(first.get("loc", ()), data)
    field = ".".join(p for p in (prefix, loc) if p) or prefix or "input"
    msg = first.get("msg", "invalid value")
    if first.get("type") == "extra_forbidden":
        msg = "unknown field"
    elif first.get("type") == "missing":
        msg = "required field is missing"
    elif "input" in first and first.get("type") not in {"model_type", "dict_type"}:
        msg = f"{msg} (got {_short(first['input'])})"
    extra = len(err.errors()) - 1
    if extra:
        msg += f" [and {extra} more problem{'s' if extra > 1 else ''}]"
    return field, msg


def validate_model(model: type[M], data: Any, prefix: str = "") -> M:
    """Validate ``data`` against ``model``; raise :class:`InputError` naming the field on failure.

    Example:
        >>> from pydantic import BaseModel
        >>> class P(BaseModel):
        ...     x: int
        >>> validate_model(P, {"x": 3}).x
        3
    """
    if isinstance(data, model):
        return data
    if not isinstance(data, Mapping):
        raise InputError(prefix or "input", f"must be a JSON object, got {type(data).__name__}")
    # pydantic would keep only the last of two keys that normalise to one name
    check_unique_names(data, prefix)
    try:
        return model.model_validate(dict(data))
    except ValidationError as err:
        field, msg = describe_validation_error(err, prefix, data)
        raise InputError(field, msg) from None
    except RecursionError:
        raise InputError(prefix or "input", "nested too deeply to validate") from None


def validate_params(model: type[M], params: Mapping[str, Any]) -> M:
    """Validate mechanism parameters; unknown or bad ones raise :class:`ParameterError`.

    Example:
        >>> from pydantic import BaseModel, ConfigDict
        >>> class P(BaseModel):
        ...     model_config = ConfigDict(extra="forbid")
        ...     reserve: float = 0.0
        >>> try:
        ...     validate_params(P, {"reservve": 1})
        ... except ParameterError as err:
        ...     print(err)
        params.reservve: unknown parameter (known: reserve)
    """
    try:
        return model.model_validate(dict(params))
    except ValidationError as err:
        first = err.errors()[0]
        name = _location(first.get("loc", ())[:1])
        if first.get("type") == "extra_forbidden":
            known = ", ".join(model.model_fields) or "none"
            raise ParameterError(name, f"unknown parameter (known: {known})") from None
        _, msg = describe_validation_error(err)
        info = model.model_fields.get(name)
        if first.get("type") == "missing" and info is not None and info.description:
            msg += f" — {info.description}"  # what to give, e.g. the raffle's beacon
        raise ParameterError(name, msg) from None


def check_finite_nonnegative(value: float, field: str) -> float:
    """Return ``value`` if it is a finite number >= 0, else raise :class:`InputError`.

    Example:
        >>> check_finite_nonnegative(2.5, "bids.a")
        2.5
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(field, f"must be a number, got {_short(value)}")
    if not math.isfinite(value) or value < 0:
        raise InputError(field, f"must be a finite non-negative number, got {_short(value)}")
    return float(value)

"""The one helper that replaces agents' reports in an input.

Most inputs keep each agent's report in one object keyed by agent (``bids``, ``values``,
``entries``, ``proposers``...). :func:`with_reports` returns a copy of the input where the named
agents report something else; a report of ``None`` removes the agent (abstention). The input
itself is never modified.

Example:
    >>> data = {"bids": {"a": 3.0, "b": 1.0}}
    >>> with_reports(data, "bids", {"a": 2.0, "b": None})
    {'bids': {'a': 2.0}}
    >>> data
    {'bids': {'a': 3.0, 'b': 1.0}}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel


def as_dict(data: Any) -> dict[str, Any]:
    """A shallow dict copy of an input (a dict or a validated pydantic model).

    Example:
        >>> as_dict({"x": 1})
        {'x': 1}
    """
    if isinstance(data, BaseModel):
        return data.model_dump(mode="python")
    return dict(data)


def with_reports(data: Any, field: str, reports: Mapping[str, Any],
                 convert: Callable[[Any], Any] | None = None) -> dict[str, Any]:
    """A copy of ``data`` whose ``field`` (an object keyed by agent) holds the new ``reports``
    (``None`` removes an agent); ``convert`` normalises each new report (e.g. sorting).

    Example:
        >>> with_reports({"values": {"a": 1}}, "values", {"c": 5})
        {'values': {'a': 1, 'c': 5}}
    """
    base = as_dict(data)
    current = dict(base.get(field, {}))
    for agent, report in reports.items():
        if report is None:
            current.pop(agent, None)
        else:
            current[agent] = convert(report) if convert is not None else report
    return {**base, field: current}

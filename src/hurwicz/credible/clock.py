"""Timestamps in rounds: ISO 8601 UTC strings with microseconds, and relative deadlines.

Example:
    >>> parse_time("2026-01-02T03:04:05Z").isoformat()
    '2026-01-02T03:04:05+00:00'
    >>> format_time(parse_time("2026-01-02T03:04:05.5Z"))
    '2026-01-02T03:04:05.500000Z'
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from hurwicz.core.errors import InputError

_RELATIVE = re.compile(r"^\+(\d+(?:\.\d+)?)(ms|s|m|h|d)$")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def utc_now() -> datetime:
    """The current time, timezone-aware UTC.

    Example:
        >>> utc_now().tzinfo is UTC
        True
    """
    return datetime.now(UTC)


def format_time(moment: datetime) -> str:
    """``moment`` as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``.

    Example:
        >>> format_time(datetime(2026, 1, 1, tzinfo=UTC))
        '2026-01-01T00:00:00.000000Z'
    """
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str, field: str = "time", now: datetime | None = None) -> datetime:
    """Parse an ISO 8601 time (a zone is required) or a relative one such as ``+30s``,
    ``+5m``, ``+2h`` counted from ``now``.

    Example:
        >>> base = datetime(2026, 1, 1, tzinfo=UTC)
        >>> format_time(parse_time("+90s", now=base))
        '2026-01-01T00:01:30.000000Z'
    """
    if not isinstance(text, str):
        raise InputError(field, f"must be an ISO 8601 time string, got {text!r}")
    rel = _RELATIVE.match(text.strip())
    if rel:
        return (now or utc_now()) + timedelta(seconds=float(rel[1]) * _UNITS[rel[2]])
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError(field, f"not an ISO 8601 time or +N[s|m|h|d]: {text!r}") from None
    if moment.tzinfo is None:
        raise InputError(field, f"needs a time zone (e.g. a trailing Z): {text!r}")
    return moment.astimezone(UTC)

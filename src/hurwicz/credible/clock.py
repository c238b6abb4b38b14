"""Timestamps in rounds: ISO 8601 UTC strings with microseconds, relative deadlines, and the
steady time a round's log is stamped with.

Wall time is only attested data: a log's order is its index, and the time stamped on each entry
never goes backwards — :func:`steady_time` follows the wall clock, but after a backward step of
the wall clock it keeps counting from the previous stamp with the monotonic clock, so an honest
commit is never refused because NTP (or an operator) moved the clock back.

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
_ABSOLUTE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?Z")
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
    if len(text) > 64:
        raise InputError(field, "is too long for a time (at most 64 characters)")
    rel = _RELATIVE.match(text.strip())
    try:
        if rel:
            return (now or utc_now()) + timedelta(seconds=float(rel[1]) * _UNITS[rel[2]])
        moment = datetime.fromisoformat(text.strip())
        if moment.tzinfo is None:
            raise InputError(field, f"needs a time zone (e.g. a trailing Z): {text!r}")
        return moment.astimezone(UTC)
    except (OverflowError, ValueError) as err:
        if isinstance(err, InputError):
            raise
        if rel or isinstance(err, OverflowError) or "out of range" in str(err):
            raise InputError(field, f"{text!r} is outside the range of dates (years 1 to "
                             "9999)") from None
        raise InputError(field, f"not an ISO 8601 time or +N[s|m|h|d]: {text!r}") from None


def parse_absolute_time(text: str, field: str = "time") -> datetime:
    """An absolute UTC time ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z``: what published rules, logged
    entries, cosignatures and acknowledgements carry. A relative time (``+30s``) is refused
    there: it would mean a different moment to every reader (a deadline that never passes);
    so is any other spelling (an offset, a week date, more than six fractional digits), which
    other readers (the browser page) refuse or read differently.

    Example:
        >>> parse_absolute_time("2026-01-02T03:04:05Z").isoformat()
        '2026-01-02T03:04:05+00:00'
        >>> parse_absolute_time("+1h", "deadline")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        hurwicz.core.errors.InputError: deadline: must be an absolute ... one: '+1h'
        >>> parse_absolute_time("2026-01-01T00:01:30+00:01", "received")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        hurwicz.core.errors.InputError: received: must be a UTC time written ...
    """
    if isinstance(text, str) and _RELATIVE.match(text.strip()):
        raise InputError(field, "must be an absolute ISO 8601 time with a zone, not a relative "
                         f"one: {text!r}")
    if isinstance(text, str) and len(text) <= 64 and not _ABSOLUTE.fullmatch(text):
        # one spelling per moment, the one every verifier (the browser page too) reads the
        # same way: no offsets that move a stamp across a deadline while it reads as before,
        # no digits past microseconds (truncated here, refused elsewhere), no week dates
        raise InputError(field, "must be a UTC time written YYYY-MM-DDTHH:MM:SS[.ffffff]Z, "
                         f"as hurwicz writes it: {text!r}")
    return parse_time(text, field)


def steady_time(wall: datetime, monotonic: float, last: datetime | None,
                last_monotonic: float) -> datetime:
    """The time to stamp on a log's next entry: the wall time, but never earlier than the last
    stamp plus the monotonic time elapsed since it (so stamps never go backwards, and after a
    backward step of the wall clock deadlines are still judged on the time really elapsed).

    Example:
        >>> t = datetime(2026, 1, 1, tzinfo=UTC)
        >>> format_time(steady_time(t - timedelta(hours=1), 5.0, t, 3.0))  # clock stepped back
        '2026-01-01T00:00:02.000000Z'
        >>> format_time(steady_time(t + timedelta(hours=1), 5.0, t, 3.0))  # or forward
        '2026-01-01T01:00:00.000000Z'
    """
    if last is None:
        return wall
    return max(wall, last + timedelta(seconds=max(0.0, monotonic - last_monotonic)))

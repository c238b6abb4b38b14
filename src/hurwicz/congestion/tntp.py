"""Reader for the TNTP format of the "Transportation Networks for Research" collection.

A network file holds metadata tags (``<NUMBER OF NODES> 24``, ``<FIRST THRU NODE> 1``, ...)
up to ``<END OF METADATA>``, then one link per line: ``init_node term_node capacity length
free_flow_time b power speed toll link_type ;``. A trips file holds ``Origin N`` blocks of
``destination : trips;`` entries. ``~`` starts a comment anywhere; ``;`` ends a record.

Example:
    >>> meta, rows = parse_net_text("<NUMBER OF NODES> 2\\n<END OF METADATA>\\n"
    ...                             "~ init term cap len fft b p\\n1 2 10 1 3 0.15 4 ;\\n")
    >>> meta["NUMBER OF NODES"], rows[0].values[:5]
    ('2', [1.0, 2.0, 10.0, 1.0, 3.0])
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from hurwicz.core.errors import InputError

__all__ = ["NetRow", "parse_net_text", "parse_trips_text", "read_net", "read_trips"]

_TAG = re.compile(r"^\s*<([^>]+)>\s*(.*?)\s*$")
_ORIGIN = re.compile(r"^\s*Origin\s+(\S+)\s*$", re.IGNORECASE)
_ENTRY = re.compile(r"\s*(\S+)\s*:\s*([^;\s]+)\s*;?")


@dataclass(frozen=True)
class NetRow:
    """One link line of a network file: its 1-based line number and its numbers."""

    line: int
    values: list[float]


def _strip_comment(line: str) -> str:
    return line.split("~", 1)[0]


def _metadata(lines: list[str], where: str) -> tuple[dict[str, str], int]:
    meta: dict[str, str] = {}
    for i, raw in enumerate(lines):
        text = raw.strip()
        if not text:
            continue
        match = _TAG.match(text)
        if match is None:
            if text.startswith("~"):
                continue
            return meta, i  # no (or no more) metadata
        tag, value = match[1].strip().upper(), _strip_comment(match[2]).strip()
        if tag == "END OF METADATA":
            return meta, i + 1
        meta[tag] = value
    return meta, len(lines)


def parse_net_text(text: str, where: str = "net") -> tuple[dict[str, str], list[NetRow]]:
    """Metadata tags and link rows of a TNTP network file's text.

    Example:
        >>> parse_net_text("1 2 x ;", "f.tntp")
        Traceback (most recent call last):
        ...
        hurwicz.core.errors.InputError: f.tntp:1: not a number: 'x'
    """
    lines = text.removeprefix("\ufeff").splitlines()
    meta, start = _metadata(lines, where)
    rows = []
    for i in range(start, len(lines)):
        body = _strip_comment(lines[i]).replace(";", " ").split()
        if not body:
            continue
        try:
            values = [float(v) for v in body]
        except ValueError:
            bad = next(v for v in body if not _is_number(v))
            raise InputError(f"{where}:{i + 1}", f"not a number: {bad!r}") from None
        if len(values) < 5:
            raise InputError(f"{where}:{i + 1}", "a link needs at least init_node, term_node, "
                             f"capacity, length and free_flow_time; got {len(values)} fields")
        rows.append(NetRow(i + 1, values))
    return meta, rows


def _is_number(v: str) -> bool:
    try:
        float(v)
    except ValueError:
        return False
    return True


def parse_trips_text(text: str, where: str = "trips"
                     ) -> tuple[dict[str, str], dict[tuple[int, int], tuple[float, int]]]:
    """Metadata and ``{(origin, destination): (trips, line)}`` of a TNTP trips file's text.

    Example:
        >>> meta, od = parse_trips_text("<NUMBER OF ZONES> 2\\n<END OF METADATA>\\n"
        ...                             "Origin 1\\n 1 : 0.0; 2 : 50.5;\\n")
        >>> od[(1, 2)]
        (50.5, 4)
    """
    lines = text.removeprefix("\ufeff").splitlines()
    meta, start = _metadata(lines, where)
    od: dict[tuple[int, int], tuple[float, int]] = {}
    origin: int | None = None
    for i in range(start, len(lines)):
        body = _strip_comment(lines[i]).strip()
        if not body:
            continue
        match = _ORIGIN.match(body)
        if match:
            origin = _int(match[1], f"{where}:{i + 1}", "origin")
            continue
        if origin is None:
            raise InputError(f"{where}:{i + 1}", "destination entries before any 'Origin' line")
        pos = 0
        for entry in _ENTRY.finditer(body):
            if body[pos:entry.start()].strip():
                raise InputError(f"{where}:{i + 1}", f"cannot read {body[pos:entry.start()]!r}")
            pos = entry.end()
            dest = _int(entry[1], f"{where}:{i + 1}", "destination")
            try:
                trips = float(entry[2])
            except ValueError:
                raise InputError(f"{where}:{i + 1}",
                                 f"trips to {dest}: not a number: {entry[2]!r}") from None
            if trips < 0 or trips != trips:
                raise InputError(f"{where}:{i + 1}",
                                 f"trips from {origin} to {dest} must be >= 0, got {entry[2]}")
            od[(origin, dest)] = (od.get((origin, dest), (0.0, 0))[0] + trips, i + 1)
        if body[pos:].strip():
            raise InputError(f"{where}:{i + 1}", f"cannot read {body[pos:].strip()!r} "
                             "(expected 'destination : trips;')")
    return meta, od


def _int(text: str, where: str, what: str) -> int:
    try:
        value = float(text)
    except ValueError:
        raise InputError(where, f"{what} is not a node number: {text!r}") from None
    if value != int(value):
        raise InputError(where, f"{what} is not a node number: {text!r}")
    return int(value)


def read_net(path: str | Path) -> tuple[dict[str, str], list[NetRow]]:
    """Read a TNTP network file (see :func:`parse_net_text`).

    Example:
        >>> read_net("/no/such/x_net.tntp")
        Traceback (most recent call last):
        ...
        hurwicz.core.errors.InputError: net: cannot read /no/such/x_net.tntp: No such file ...
    """
    return parse_net_text(_read(path, "net"), Path(path).name)


def read_trips(path: str | Path) -> tuple[dict[str, str], dict[tuple[int, int], tuple[float, int]]]:
    """Read a TNTP trips file (see :func:`parse_trips_text`).

    Example:
        >>> read_trips("/no/such/x_trips.tntp")
        Traceback (most recent call last):
        ...
        hurwicz.core.errors.InputError: trips: cannot read /no/such/x_trips.tntp: No such ...
    """
    return parse_trips_text(_read(path, "trips"), Path(path).name)


def _read(path: str | Path, field: str) -> str:
    try:
        # utf-8-sig: a byte-order mark (files saved by some Windows editors) is not data
        return Path(path).read_text(encoding="utf-8-sig", errors="replace")
    except OSError as err:
        raise InputError(field, f"cannot read {path}: {err.strerror or err}") from None

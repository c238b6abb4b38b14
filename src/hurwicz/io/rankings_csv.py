"""A CSV of rankings as a ranked-ballot input: one row per ballot, columns ``rank1..rankN``.

::

    rank1,rank2,rank3
    alice,bob,carol
    bob,alice
    alice,bob,carol

Row k ranks its ``rank1`` cell first, ``rank2`` second and so on; a ballot may be truncated
(its last cells empty or missing), not interrupted (an empty cell before a filled one is an
error). The candidates are the names that appear, in order of first appearance (reading the
file top to bottom, left to right) — the order ``tie_break="input_order"`` uses. Identical
rankings form one ballot group whose ``count`` is the number of rows that cast it, in order of
first appearance, so the input (and the outcome: one agent per group) grows with the number of
distinct rankings, not with the number of rows.

Strict, with ``file:line`` in every message: the header must be exactly ``rank1..rankN``; a row
with more cells than the header, a name ranked twice, an interrupted ranking and a name that is
not a valid name (a control character, over 256 characters) are errors; a file without rows is
refused. A UTF-8 byte-order mark is accepted, and cells are stripped of surrounding spaces.

Reading is done in bulk: identical lines are counted first (a C-level pass over the file), and
only the distinct lines are parsed with the ``csv`` module; a file whose quoted cells span lines
is parsed row by row instead.

Example:
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "ballots.csv"
    >>> _ = p.write_text("rank1,rank2\\nx,y\\ny\\nx,y\\n")
    >>> read_rankings_csv(p)
    {'candidates': ['x', 'y'], 'ballots': [{'ranking': ['x', 'y'], 'count': 2}, \
{'ranking': ['y'], 'count': 1}]}
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from hurwicz.core.errors import InputError
from hurwicz.core.types import Name

from .preflib import paused_gc

_NAME: TypeAdapter[str] = TypeAdapter(Name)


def read_rankings_csv(path: Path, mechanism: str | None = None) -> dict[str, Any]:
    """Read a CSV of rankings (``rank1..rankN`` columns, one row per ballot) into
    ``{"candidates": [...], "ballots": [...]}``.

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "b.csv"
        >>> _ = p.write_text("rank1,rank2\\nx,,y\\n")
        >>> try:
        ...     read_rankings_csv(p)
        ... except InputError as err:
        ...     print(err)
        b.csv:2: 3 cells, but the header has 2 columns (rank1,rank2)
    """
    _check_mechanism(mechanism)
    text = path.read_bytes().decode("utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise InputError(path.name, "is empty (expected a header rank1,...,rankN and one row "
                         "per ballot)")
    width = _header(lines[0], path.name)
    names: dict[str, str] = {}  # each distinct cell, validated once
    with paused_gc():
        groups: dict[tuple[str, ...], int] = {}  # ranking → count
        for line, cells, times in _rows(lines, text, path.name):
            try:
                ranking = _ranking(cells, width, names)
            except InputError as err:
                number = line if isinstance(line, int) else lines.index(line, 1) + 1
                raise InputError(f"{path.name}:{number}", err.message) from None
            groups[ranking] = groups.get(ranking, 0) + times
        if not groups:
            raise InputError(path.name, "has no rows (no ballots)")
        candidates = list(dict.fromkeys(name for ranking in groups for name in ranking))
        ballots = [{"ranking": list(r), "count": c} for r, c in groups.items()]
    if not candidates:
        raise InputError(path.name, "no row ranks any candidate")
    return {"candidates": candidates, "ballots": ballots}


def _check_mechanism(mechanism: str | None) -> None:
    if mechanism is None:
        return
    from hurwicz.core.registry import get
    from hurwicz.mechanisms.voting.profile import RankedInput

    if getattr(get(mechanism), "Input", None) is not RankedInput:
        raise InputError("input", f"{mechanism} does not take ranked ballots: a CSV of "
                         "rankings (rank1..rankN) is for ranked voting rules; use JSON")


def _header(line: str, where: str) -> int:
    """The number of rank columns of a valid header ``rank1,...,rankN``."""
    header = [h.strip() for h in next(csv.reader([line]), [])]
    expected = [f"rank{k + 1}" for k in range(len(header))]
    if not header or header != expected:
        raise InputError(where, f"the header must be rank1,rank2,...,rankN (got "
                         f"{','.join(header) or 'an empty line'})")
    return len(header)


def _rows(lines: list[str], text: str, where: str
          ) -> Iterator[tuple[int | str, list[str], int]]:
    """``(line, cells, how many lines hold exactly this row)`` for the data rows: each
    distinct line once, in order of first appearance, with its text in place of its number
    (found only for an error), or every row with its number when quoted cells span lines."""
    distinct = Counter(lines[1:])
    distinct.pop("", None)  # blank lines
    if any('"' in line and line.count('"') % 2 for line in distinct):  # cells span lines
        yield from _rows_one_by_one(text, where)
        return
    try:
        rows = list(csv.reader(distinct))
    except csv.Error:
        for line in distinct:  # which line?
            try:
                next(csv.reader([line]))
            except csv.Error as err:
                raise InputError(f"{where}:{lines.index(line, 1) + 1}",
                                 f"unreadable CSV: {err}") from None
        raise
    for (line, times), cells in zip(distinct.items(), rows):
        yield line, cells, times


def _rows_one_by_one(text: str, where: str) -> Iterator[tuple[int, list[str], int]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        next(reader, None)  # the header
        previous = reader.line_num
        for cells in reader:
            line, previous = previous + 1, reader.line_num
            if cells:
                yield line, cells, 1
    except csv.Error as err:
        raise InputError(f"{where}:{reader.line_num}", f"unreadable CSV: {err}") from None


def _ranking(cells: list[str], width: int, valid: dict[str, str]) -> tuple[str, ...]:
    """A row's ranking, its names validated (``valid`` caches them); errors name no place
    (the caller adds ``file:line``)."""
    if len(cells) > width:
        raise InputError(None, f"{len(cells)} cells, but the header has {width} columns "
                         f"({','.join(f'rank{k + 1}' for k in range(width))})")
    names = [c.strip() for c in cells]
    while names and not names[-1]:
        names.pop()
    if "" in names:
        k = names.index("")
        raise InputError(None, f"rank{k + 1} is empty but rank{len(names)} is not (a ranking "
                         "may be truncated, not interrupted)")
    out = []
    for k, cell in enumerate(names):
        name = valid.get(cell)
        if name is None:
            if len(cell.splitlines()) > 1:
                raise InputError(None, f"rank{k + 1}: a name may not hold a line break")
            try:
                name = valid[cell] = _NAME.validate_python(cell)
            except ValidationError as err:
                raise InputError(None, f"rank{k + 1}: {err.errors()[0]['msg']}") from None
        out.append(name)
    if len(set(out)) != len(out):
        twice = next(n for n in out if out.count(n) > 1)
        ks = [f"rank{k + 1}" for k, n in enumerate(out) if n == twice]
        raise InputError(None, f"ranks {twice!r} twice ({' and '.join(ks[:2])})")
    return tuple(out)

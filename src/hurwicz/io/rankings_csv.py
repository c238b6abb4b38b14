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

Reading is done in bulk: a file without quoted cells is split into cells with array operations
over its bytes (:mod:`hurwicz.io.cells`), each distinct cell validated once; otherwise identical
lines are counted first (a C-level pass over the file), and only the distinct lines are parsed
with the ``csv`` module; a file whose quoted cells span lines is parsed row by row instead. A file
of 1,024 or more distinct rankings gives its ``ballots`` as a
:class:`~hurwicz.io.ballot_groups.RankedBallots` (the same dicts, kept as arrays until read).

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

import numpy as np
from pydantic import TypeAdapter, ValidationError

from hurwicz.core.bits import popcount
from hurwicz.core.errors import InputError
from hurwicz.core.types import Name

from .ballot_groups import RankedBallots
from .cells import split_cells
from .preflib import _GROUPS_FROM, paused_gc, table_ballots

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
    data = path.read_bytes()
    if data and data.isascii() and b"\r" not in data:  # UTF-8 as it is: no decoding needed
        width = _header(data[:data.find(b"\n") % (len(data) + 1)].decode("ascii"), path.name)
        bulk = _read_bulk(data, width)
        if bulk is not None:
            return bulk
    text = data.decode("utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text:
        raise InputError(path.name, "is empty (expected a header rank1,...,rankN and one row "
                         "per ballot)")
    width = _header(text[:text.find("\n") % (len(text) + 1)], path.name)
    bulk = _read_bulk(text.encode("utf-8"), width)
    if bulk is not None:
        return bulk
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
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


def _read_bulk(raw: bytes, width: int) -> dict[str, Any] | None:
    """The input of a file without quotes read with array operations over its bytes
    (:func:`~hurwicz.io.cells.split_cells`: each distinct cell is decoded and validated once,
    and the rows are grouped as integer arrays). ``None`` when the file needs the row-by-row
    reader: quoted cells, a NUL byte, a very long cell, or any error (that reader then names
    the line). ``raw``: the file's UTF-8 text, without a byte-order mark, ``\\n`` line ends."""
    body = raw.find(b"\n") + 1
    if body == 0 or body == len(raw) or b'"' in raw:
        return None
    if not raw.endswith(b"\n"):
        raw += b"\n"
    cells = split_cells(raw, body, b",\n")
    if cells is None:
        return None
    # each distinct cell's name (stripped, validated; −1 if empty), numbered in order of first
    # appearance (reading row by row): the order of the candidates
    names: dict[str, int] = {}
    small = np.int8 if len(cells.texts) < 2**7 else np.int32
    of_code = np.full(len(cells.texts), -1, dtype=small)
    for code in np.argsort(cells.first, kind="stable").tolist():
        name = cells.texts[code].strip()
        if name:
            if len(name.splitlines()) > 1:
                return None
            try:
                name = _NAME.validate_python(name)
            except ValidationError:
                return None
            of_code[code] = names.setdefault(name, len(names))
    m = len(names)
    if not m:
        return None
    entry = of_code[cells.codes]  # each cell's candidate, −1 if empty
    last = np.flatnonzero(cells.separators == ord("\n"))  # the last cell of each line
    per_line = np.diff(last, prepend=-1)
    if int(per_line.max()) > width:
        return None
    if (per_line == width).all():  # every row has every column
        table = entry.reshape(len(last), width)
    else:
        line = np.repeat(np.arange(len(last)), per_line)
        column = np.arange(len(entry)) - np.repeat(last - per_line + 1, per_line)
        table = np.full((len(last), width), -1, dtype=small)
        table[line, column] = entry
    blank = (per_line == 1) & (cells.sizes[last] == 0)  # an empty line: no ballot
    if blank.any():
        table = table[~blank]
    ranked = table >= 0
    if (~ranked[:, :-1] & ranked[:, 1:]).any():  # an empty cell before a filled one
        return None
    if width > m:
        if ranked[:, m:].any():  # a candidate twice in some row
            return None
        table = table[:, :m]
    if not len(table) or _repeats(table, m):
        return None
    candidates = list(names)
    counts, rows = _merge_rows(table, m)
    if len(counts) >= _GROUPS_FROM:  # validated: kept as arrays until an element is read
        return {"candidates": candidates, "ballots": RankedBallots(candidates, rows, counts)}
    return {"candidates": candidates, "ballots": table_ballots(candidates, rows, counts)}


def _merge_rows(table: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Identical rows merged in order of first appearance: the counts and the rows."""
    from hurwicz.mechanisms.voting.profile import pack_rows, unique_keys

    if m <= 15:
        first, inverse = unique_keys(pack_rows(table))
    else:
        _, first, inverse = np.unique(table, axis=0, return_index=True, return_inverse=True)
        inverse = inverse.ravel()
    order = np.argsort(first)
    if len(first) == len(table):
        return np.ones(len(table), dtype=np.int64), table[first[order]]
    rank = np.empty(len(first), dtype=np.int64)
    rank[order] = np.arange(len(first))
    return np.bincount(rank[inverse], minlength=len(first)), table[first[order]]


def _repeats(table: np.ndarray, m: int) -> bool:
    """Whether a row names a candidate twice (its candidates as bits, counted, for up to 62
    candidates)."""
    if table.shape[1] < 2:
        return False
    if m <= 62:
        sets = np.zeros(len(table), dtype=np.int64)
        for k in range(table.shape[1]):
            column = table[:, k]
            sets |= np.left_shift(np.int64(1), column, where=column >= 0,
                                  out=np.zeros(len(table), np.int64))
        return bool((popcount(sets) != (table >= 0).sum(axis=1)).any())
    ordered = np.sort(table, axis=1)
    return bool(((ordered[:, 1:] == ordered[:, :-1]) & (ordered[:, 1:] >= 0)).any())


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

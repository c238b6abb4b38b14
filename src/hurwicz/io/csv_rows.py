"""Reading CSV rows with a required header: one place for column checks and file:line names.

A UTF-8 byte-order mark (as spreadsheet programs write) is accepted. A header naming a column
twice or a column outside the format, and a row with more cells than the header has columns,
are errors naming the file (and line): nothing is dropped silently. A row with fewer cells has
its missing cells empty (the readers refuse empty required cells by name). Cells are stripped
of surrounding spaces.

Example:
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("a,b\\n1, x \\n")
    >>> list(csv_rows(p, ("a", "b"), ("a",)))
    [('t.csv:2', {'a': '1', 'b': 'x'})]
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from hurwicz.core.errors import InputError


def csv_rows(path: Path, columns: tuple[str, ...], required: tuple[str, ...]
             ) -> Iterator[tuple[str, dict[str, str]]]:
    """Yield ``("file:line", row)`` with stripped cells, after checking that the header has
    every ``required`` column, nothing outside ``columns`` and no column twice. ``line`` is the
    file's line number (blank lines skipped, a quoted cell spanning lines counted in full).

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = p.write_text("a,c\\n")
        >>> try:
        ...     list(csv_rows(p, ("a", "b"), ("a", "b")))
        ... except InputError as err:
        ...     print(err)
        t.csv: missing column(s) b (expected a,b; header: a,c)
        >>> _ = p.write_text("a,b\\n1,2,3\\n")
        >>> try:
        ...     list(csv_rows(p, ("a", "b"), ("a", "b")))
        ... except InputError as err:
        ...     print(err)
        t.csv:2: 3 cells, but the header has 2 columns (a,b)
    """
    # utf-8-sig: a leading byte-order mark is not part of the first column's name
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        line = 1
        try:
            raw_header = next(reader, None)
            header = [h.strip() for h in (raw_header or [])]
            missing = [c for c in required if c not in header]
            if missing:
                raise InputError(path.name, f"missing column(s) {', '.join(missing)} (expected "
                                 f"{','.join(columns)}; header: {','.join(header) or 'none'})")
            extra = [h for h in header if h not in columns]
            if extra:
                raise InputError(path.name, f"unknown column(s) {', '.join(extra)} (expected "
                                 f"{','.join(columns)})")
            twice = sorted({h for h in header if header.count(h) > 1})
            if twice:
                raise InputError(path.name, f"column(s) {', '.join(twice)} appear twice in the "
                                 "header")
            width = len(header)
            previous = reader.line_num
            for cells in reader:
                # the row starts on the line after the previous one ended
                line, previous = previous + 1, reader.line_num
                if not cells:
                    continue  # a blank line
                where = f"{path.name}:{line}"
                if len(cells) > width:
                    raise InputError(where, f"{len(cells)} cells, but the header has {width} "
                                     f"columns ({','.join(header)})")
                row = dict.fromkeys(header, "")
                row.update(zip(header, (c.strip() for c in cells)))
                yield where, row
        except csv.Error as err:
            raise InputError(f"{path.name}:{reader.line_num or line}",
                             f"unreadable CSV: {err}") from None


"""Reading CSV rows with a required header: one place for column checks and file:line names.

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
    every ``required`` column and nothing outside ``columns``.

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = p.write_text("a,c\\n")
        >>> try:
        ...     list(csv_rows(p, ("a", "b"), ("a", "b")))
        ... except InputError as err:
        ...     print(err)
        t.csv: missing column(s) b (expected a,b; header: a,c)
    """
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = [h.strip() for h in (reader.fieldnames or [])]
        missing = [c for c in required if c not in header]
        if missing:
            raise InputError(path.name, f"missing column(s) {', '.join(missing)} (expected "
                             f"{','.join(columns)}; header: {','.join(header) or 'none'})")
        extra = [h for h in header if h not in columns]
        if extra:
            raise InputError(path.name, f"unknown column(s) {', '.join(extra)}")
        for line, row in enumerate(reader, start=2):
            yield f"{path.name}:{line}", {k.strip(): (v or "").strip() for k, v in row.items()
                                          if k is not None}

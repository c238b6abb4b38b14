"""CSV input for funding rounds: columns ``contributor,project,amount`` (a header is required).

Every cell is checked here, so that each error names the file and line (``round.csv:7.amount``):
names follow :func:`hurwicz.core.types.check_name`, amounts are finite, ≥ 0 and at most
``MAX_AMOUNT``; a row with more cells than the header, or an unknown column, is an error too.

The CSV carries no pool: give it with ``--param pool=...``. Non-funding mechanisms get a clear
error rather than a guess.

Example:
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.csv"
    >>> _ = p.write_text("contributor,project,amount\\nu1,p1,10\\n")
    >>> read_contributions_csv(p, "funding.quadratic")
    {'contributions': [{'contributor': 'u1', 'project': 'p1', 'amount': 10.0}]}
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from hurwicz.core.errors import InputError
from hurwicz.core.types import MAX_AMOUNT, check_name

from .csv_rows import csv_rows

COLUMNS = ("contributor", "project", "amount")


def read_contributions_csv(path: Path, mechanism: str | None = None) -> dict[str, Any]:
    """Read contributions from CSV; every row is checked and named by its line number.

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "bad.csv"
        >>> _ = p.write_text("contributor,project,amount\\nu1,p1,-1\\n")
        >>> try:
        ...     read_contributions_csv(p, "funding.quadratic")
        ... except InputError as err:
        ...     print(err)
        bad.csv:2.amount: must be a finite non-negative number, got '-1'
    """
    if mechanism is not None and not mechanism.startswith("funding."):
        raise InputError("input", f"CSV input is for funding mechanisms (contributor,project,"
                         f"amount); {mechanism} needs JSON")
    rows = []
    for where, row in csv_rows(path, COLUMNS, COLUMNS):
        who = _name(row, "contributor", where)
        project = _name(row, "project", where)
        raw = row["amount"]
        try:
            amount = float(raw)
        except ValueError:
            raise InputError(f"{where}.amount", f"not a number: {raw!r}") from None
        if not math.isfinite(amount) or amount < 0:
            raise InputError(f"{where}.amount",
                             f"must be a finite non-negative number, got {raw!r}")
        if amount > MAX_AMOUNT:
            raise InputError(f"{where}.amount", f"must be at most {MAX_AMOUNT:g}, got {raw!r}")
        rows.append({"contributor": who, "project": project, "amount": amount})
    return {"contributions": rows}


def _name(row: dict[str, str], column: str, where: str) -> str:
    """A contributor or project name, checked here so that the error names file:line."""
    if not row[column]:
        raise InputError(f"{where}.{column}", "is empty")
    return check_name(row[column], f"{where}.{column}")

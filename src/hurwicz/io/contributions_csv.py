"""CSV input for funding rounds: columns ``contributor,project,amount`` (a header is required).

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
        raw = row.get("amount", "")
        try:
            amount = float(raw)
        except ValueError:
            raise InputError(f"{where}.amount", f"not a number: {raw!r}") from None
        if not math.isfinite(amount) or amount < 0:
            raise InputError(f"{where}.amount",
                             f"must be a finite non-negative number, got {raw!r}")
        who, project = row.get("contributor", ""), row.get("project", "")
        if not who or not project:
            raise InputError(where, "empty contributor or project")
        rows.append({"contributor": who, "project": project, "amount": amount})
    return {"contributions": rows}


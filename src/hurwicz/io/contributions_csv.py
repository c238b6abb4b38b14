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

import csv
import math
from pathlib import Path
from typing import Any

from hurwicz.core.errors import InputError

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
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = [h.strip() for h in (reader.fieldnames or [])]
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            raise InputError(path.name, f"missing column(s) {', '.join(missing)} "
                             f"(header: {', '.join(header) or 'none'})")
        extra = [h for h in header if h not in COLUMNS]
        if extra:
            raise InputError(path.name, f"unknown column(s) {', '.join(extra)}")
        rows = []
        for line, row in enumerate(reader, start=2):
            where = f"{path.name}:{line}"
            raw = (row.get("amount") or "").strip()
            try:
                amount = float(raw)
            except ValueError:
                raise InputError(f"{where}.amount", f"not a number: {raw!r}") from None
            if not math.isfinite(amount) or amount < 0:
                raise InputError(f"{where}.amount",
                                 f"must be a finite non-negative number, got {raw!r}")
            who, project = (row.get("contributor") or "").strip(), (row.get("project")
                                                                     or "").strip()
            if not who or not project:
                raise InputError(where, "empty contributor or project")
            rows.append({"contributor": who, "project": project, "amount": amount})
    return {"contributions": rows}


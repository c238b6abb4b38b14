"""Tabular views of outcomes, audit reports and evaluations: rows, CSV text, pandas frames
and the short human formatting of values the tables, summaries and HTML pages share.

Every function reads the JSON *document* (``to_dict()``), so that a saved ``--json`` file gives
the same rows as the object it came from. Columns (also documented in docs/outputs.md):

* outcomes, one row per agent: ``agent, allocation, payment``, then each ``result`` field that
  maps agents to single values (per-click prices, win probabilities, ballot counts, ...) under
  its own name (``result.NAME`` if the name is taken);
* audits, one row per check: :data:`AUDIT_COLUMNS`;
* evaluations, one row per quantity: :data:`EVALUATION_COLUMNS` (``agent`` only on utilities).

Example:
    >>> import hurwicz as hz
    >>> out = hz.mechanism("auction.gsp").run({"slots": [1.0], "bids": {"a": 2, "b": 1}})
    >>> columns, rows = outcome_rows(out.to_dict())
    >>> columns
    ['agent', 'allocation', 'payment', 'price_per_click', 'clicks']
    >>> print(to_csv(columns, rows), end="")
    agent,allocation,payment,price_per_click,clicks
    a,0,1.0,1.0,1.0
    b,,0.0,0.0,0.0
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from hurwicz.core.errors import HurwiczError
from hurwicz.core.outcome import to_jsonable

OUTCOME_COLUMNS = ("agent", "allocation", "payment")
AUDIT_COLUMNS = ("property", "verdict", "holds", "exhaustive", "max_gain", "value", "stderr",
                 "tolerance", "adversary", "profiles", "methods", "violation_mass_bound",
                 "seconds", "notes", "budget", "counterexample")
EVALUATION_COLUMNS = ("quantity", "agent", "mean", "stderr")
#: quantities of an evaluation, in table order (utilities follow, one per agent)
EVALUATION_QUANTITIES = ("revenue", "welfare", "efficiency", "optimal_welfare")

__all__ = ["AUDIT_COLUMNS", "EVALUATION_COLUMNS", "OUTCOME_COLUMNS", "MissingExtraError",
           "audit_rows", "clean", "evaluation_rows", "fmt", "frame", "outcome_rows",
           "summary_items", "to_csv"]


class MissingExtraError(HurwiczError, ImportError):
    """An optional dependency is missing; the message names the extra that installs it.

    Example:
        >>> str(MissingExtraError("pandas", "frames", "to_frame()"))
        "to_frame() needs pandas: pip install 'hurwicz[frames]'"
    """

    def __init__(self, package: str, extra: str, purpose: str) -> None:
        super().__init__(f"{purpose} needs {package}: pip install 'hurwicz[{extra}]'")
        self.package, self.extra = package, extra


# --- values for people ------------------------------------------------------------------------
def clean(value: Any) -> Any:
    """JSON-ready copy of ``value`` with negative zeros turned into zeros.

    Example:
        >>> clean({"a": -0.0, "b": [-0.0, 1.5]})
        {'a': 0.0, 'b': [0.0, 1.5]}
    """
    value = to_jsonable(value)
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean(v) for v in value]
    if isinstance(value, float) and value == 0.0:
        return 0.0
    return value


def _round(value: Any, digits: int) -> Any:
    if isinstance(value, dict):
        return {k: _round(v, digits) for k, v in value.items()}
    if isinstance(value, list):
        return [_round(v, digits) for v in value]
    if isinstance(value, float):
        return float(f"{value:.{digits}g}") + 0.0
    return value


def fmt(value: Any, digits: int = 6) -> str:
    """A value as people read it: numbers to ``digits`` significant digits (never ``-0``),
    text as is, lists and dicts as compact JSON with Unicode shown as Unicode, ``None`` empty.

    Example:
        >>> fmt(-0.0), fmt(2 / 3), fmt(True), fmt(None), fmt({"é": [1.0, -0.0]})
        ('0', '0.666667', 'true', '', '{"é": [1.0, 0.0]}')
    """
    value = clean(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = f"{value:.{digits}g}"
        return "0" if text in ("-0", "0") else text
    if isinstance(value, dict | list):
        return json.dumps(_round(value, digits), ensure_ascii=False)
    return str(value)


def summary_items(doc: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """``(key, value)`` pairs summarising an outcome document: every ``result`` field, then
    every ``metrics`` field; a metric whose name a result field already uses is shown as
    ``metrics.NAME`` unless it has the same value (then it is shown once).

    Example:
        >>> summary_items({"result": {"unspent": 0.0, "scale": 1.0},
        ...                "metrics": {"unspent": 0.0, "contributions": 5.0}})
        [('unspent', 0.0), ('scale', 1.0), ('contributions', 5.0)]
        >>> summary_items({"result": {"x": {"p": 1}}, "metrics": {"x": 1}})
        [('x', {'p': 1}), ('metrics.x', 1)]
    """
    result = dict(doc.get("result") or {})
    items = list(result.items())
    for key, value in (doc.get("metrics") or {}).items():
        if key in result:
            if clean(result[key]) == clean(value):
                continue
            key = f"metrics.{key}"
        items.append((key, value))
    return items


# --- rows ---------------------------------------------------------------------------------------
def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, bool | int | float | str)


def outcome_rows(doc: Mapping[str, Any]) -> tuple[list[str], list[dict[str, Any]]]:
    """Columns and one row per agent of an outcome document (see the module docstring).

    Example:
        >>> cols, rows = outcome_rows({"allocation": {"a": 1}, "payments": {"a": 2.0},
        ...                            "result": {"p": {"a": 0.5}, "q": {"z": 1}}})
        >>> cols, rows[0]["p"]
        (['agent', 'allocation', 'payment', 'p'], 0.5)
    """
    allocation = dict(doc.get("allocation") or {})
    payments = dict(doc.get("payments") or {})
    agents = list(allocation) + [a for a in payments if a not in allocation]
    known = set(agents)
    extra: dict[str, dict[str, Any]] = {}
    for key, value in (doc.get("result") or {}).items():
        if not (isinstance(value, Mapping) and value and set(value) <= known
                and all(_scalar(v) for v in value.values())):
            continue
        if all(a in allocation and allocation[a] == v for a, v in value.items()):
            continue  # the allocation again (a matching keyed by agent)
        column = f"result.{key}" if key in OUTCOME_COLUMNS else key
        extra[column] = dict(value)
    rows = []
    for agent in agents:
        row = {"agent": agent, "allocation": allocation.get(agent),
               "payment": payments.get(agent, 0.0)}
        row.update({column: values.get(agent) for column, values in extra.items()})
        rows.append(row)
    return [*OUTCOME_COLUMNS, *extra], rows


def audit_rows(doc: Mapping[str, Any]) -> tuple[list[str], list[dict[str, Any]]]:
    """Columns (:data:`AUDIT_COLUMNS`) and one row per check of an audit report document.

    Example:
        >>> cols, rows = audit_rows({"checks": [{"property": "ir", "holds": True,
        ...     "verdict": "holds", "budget": {"profiles": 10, "methods": ["abstain"]}}]})
        >>> rows[0]["profiles"], rows[0]["methods"], rows[0]["max_gain"]
        (10, 'abstain', None)
    """
    rows = []
    for check in doc.get("checks") or []:
        budget = dict(check.get("budget") or {})
        methods = budget.get("methods")
        row = {col: check.get(col) for col in AUDIT_COLUMNS}
        row.update(profiles=budget.get("profiles"), budget=budget,
                   methods="/".join(map(str, methods)) if methods else None)
        rows.append(row)
    return list(AUDIT_COLUMNS), rows


def evaluation_rows(doc: Mapping[str, Any]) -> tuple[list[str], list[dict[str, Any]]]:
    """Columns (:data:`EVALUATION_COLUMNS`) and one row per quantity of an evaluation:
    revenue, welfare, efficiency and optimal welfare when measured, then each agent's utility
    (agents numbered from 1).

    Example:
        >>> cols, rows = evaluation_rows({"revenue": {"mean": 1.0, "stderr": 0.1},
        ...                               "utility": [{"mean": 0.5, "stderr": 0.01}]})
        >>> [(r["quantity"], r["agent"], r["mean"]) for r in rows]
        [('revenue', None, 1.0), ('utility', 1, 0.5)]
    """
    rows = []
    for key in EVALUATION_QUANTITIES:
        if key in doc:
            rows.append({"quantity": key, "agent": None, "mean": doc[key]["mean"],
                         "stderr": doc[key]["stderr"]})
    for i, u in enumerate(doc.get("utility") or []):
        rows.append({"quantity": "utility", "agent": i + 1, "mean": u["mean"],
                     "stderr": u["stderr"]})
    return list(EVALUATION_COLUMNS), rows


# --- CSV and frames -----------------------------------------------------------------------------
def _csv_cell(value: Any) -> str:
    value = clean(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def to_csv(columns: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> str:
    """CSV text with a header: numbers in full precision, booleans ``true``/``false``, empty
    cells for missing values, lists and dicts as compact JSON.

    Example:
        >>> print(to_csv(["a", "b"], [{"a": [1, "x"], "b": -0.0}]), end="")
        a,b
        "[1,""x""]",0.0
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(row.get(col)) for col in columns])
    return buf.getvalue()


def require(package: str, extra: str, purpose: str) -> Any:
    """Import an optional dependency or raise :class:`MissingExtraError` naming its extra.

    Example:
        >>> require("json", "frames", "x").__name__
        'json'
    """
    import importlib

    try:
        return importlib.import_module(package)
    except ImportError:
        raise MissingExtraError(package, extra, purpose) from None


def frame(columns: Sequence[str], rows: Sequence[Mapping[str, Any]], purpose: str) -> Any:
    """A pandas DataFrame of ``rows`` (pandas is imported here, from the ``frames`` extra).

    Example:
        >>> frame(["a"], [{"a": 1}], "x").shape
        (1, 1)
        >>> frame(["a"], [{"a": 1}, {"a": None}], "x")["a"].dtype
        Int64Dtype()
    """
    pd = require("pandas", "frames", purpose)
    df = pd.DataFrame([{col: clean(row.get(col)) for col in columns} for row in rows],
                      columns=list(columns))
    for col in columns:  # whole numbers with gaps stay whole numbers (not floats with NaN)
        values = [row.get(col) for row in rows]
        present = [v for v in values if v is not None]
        if present and len(present) < len(values) and all(
                isinstance(v, int) and not isinstance(v, bool) for v in present):
            df[col] = pd.array(values, dtype="Int64")
    return df

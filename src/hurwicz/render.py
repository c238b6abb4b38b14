"""Human-readable rendering (rich) of outcomes and mechanism metadata.

Tables never cut a name or a value: columns that hold names keep their full width, long values
wrap (``overflow="fold"``) instead of ending in "…". The summary under an outcome table has one
``key: value`` line per field (:func:`summary_lines`), printed without wrapping.

Example:
    >>> import hurwicz as hz
    >>> table = outcome_table(hz.mechanism("auction.first_price").run({"bids": {"a": 1}}))
    >>> table.title
    'auction.first_price'
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .core.outcome import Outcome
from .report.tables import fmt, summary_items


def _cell(value: Any) -> str:
    return fmt(value)


MAX_ROWS = 25
#: name columns are never narrower than this (nor than their longest name, up to it)
NAME_WIDTH = 40


def _name_width(names: list[str], floor: int = 5) -> int:
    return max([floor, *(min(len(n), NAME_WIDTH) for n in names)])


def outcome_table(outcome: Outcome, max_rows: int = MAX_ROWS) -> Table:
    """A table with one row per agent (allocation, payment). Beyond ``max_rows`` agents, the
    first rows are shown and a last row counts the others (``--json`` and ``--format csv``
    always print everything). The summary goes below it: :func:`summary_lines`.

    Example:
        >>> import hurwicz as hz
        >>> t = outcome_table(hz.mechanism("auction.second_price").run({"bids": {"a": 2, "b": 1}}))
        >>> t.row_count
        2
        >>> bids = {f"x{i}": i for i in range(40)}
        >>> outcome_table(hz.mechanism("auction.first_price").run({"bids": bids})).row_count
        26
    """
    table = Table(title=outcome.mechanism, show_lines=False)
    agents = list(outcome.allocation)
    # voting outcomes report ballot groups: show how many voters each row stands for
    counts = outcome.result.get("ballot_counts")
    counts = counts if isinstance(counts, dict) else None
    table.add_column("agent", min_width=_name_width([str(a) for a in agents]), overflow="fold")
    if counts is not None:
        table.add_column("voters", justify="right", overflow="fold")
    table.add_column("allocation", justify="right", overflow="fold")
    table.add_column("payment", justify="right", overflow="fold")
    for agent in agents[:max_rows]:
        cells = [str(agent)]
        if counts is not None:
            cells.append(_cell(counts.get(agent, "")))
        cells += [_cell(outcome.allocation[agent]), _cell(outcome.payments.get(agent, 0.0))]
        table.add_row(*cells)
    if len(agents) > max_rows:
        table.add_row(f"… {len(agents) - max_rows} more", *[""] * (len(table.columns) - 1))
    return table


def summary_lines(outcome: Outcome) -> list[str]:
    """One ``key: value`` line per result and metrics field: numbers to 6 significant digits
    (never ``-0``), lists and dicts as JSON with Unicode shown as Unicode, no key twice.

    Example:
        >>> summary_lines(Outcome("m", {}, {}, {}, {"winners": ["Zoë"], "price": -0.0},
        ...                       {"revenue": 1 / 3}))
        ['winners: ["Zoë"]', 'price: 0', 'revenue: 0.333333']
    """
    return [f"{key}: {fmt(value)}" for key, value in summary_items(outcome.to_dict())]


def print_outcome(console: Console, outcome: Outcome) -> None:
    """Print the outcome table and its summary lines (not wrapped: one line per field).

    Example:
        >>> import io, hurwicz as hz
        >>> c = Console(file=io.StringIO(), width=40)
        >>> print_outcome(c, hz.mechanism("auction.first_price").run({"bids": {"a": 1}}))
        >>> "price: 1" in c.file.getvalue().splitlines()
        True
    """
    console.print(outcome_table(outcome))
    for line in summary_lines(outcome):
        console.print(Text(line), soft_wrap=True)


def mechanisms_table(infos: list[dict[str, Any]], width: int | None = None) -> Table:
    """A table of registered mechanisms (name, family, claims, summary); every name whole.
    Below 110 columns of ``width`` the family column (each name's prefix) is left out.

    Example:
        >>> import hurwicz as hz
        >>> mechanisms_table(hz.list_mechanisms()).row_count > 0
        True
        >>> [c.header for c in mechanisms_table([], width=80).columns]
        ['name', 'claims', 'summary']
    """
    table = Table(title="hurwicz mechanisms")
    names = max([4, *(len(info["name"]) for info in infos)])
    words = max([6, *(len(c) for info in infos for c in info["claims"])])
    table.add_column("name", no_wrap=True, min_width=names)
    wide = width is None or width >= 110
    if wide:
        table.add_column("family", no_wrap=True)
    table.add_column("claims", overflow="fold", min_width=min(words, 24), ratio=1)
    table.add_column("summary", overflow="fold", ratio=2)
    for info in infos:
        conditions = info.get("claim_conditions", {})
        claims = [c if conditions.get(c, "always") == "always" else f"{c} (when "
                  f"{conditions[c]})" for c in info["claims"]]
        family = [info["family"]] if wide else []
        table.add_row(info["name"], *family, ", ".join(claims), info["summary"])
    return table


def describe_table(info: dict[str, Any]) -> Table:
    """A table of one mechanism's parameters, titled with its name and summary.

    Example:
        >>> import hurwicz as hz
        >>> describe_table(hz.describe("auction.english")).row_count
        3
    """
    claims = [c if info["claim_conditions"].get(c, "always") == "always"
              else f"{c} (when {info['claim_conditions'][c]})" for c in info["claims"]]
    table = Table(title=f"{info['name']} — {info['summary']}",
                  caption=f"claims: {'; '.join(claims) or 'none'} · reports: "
                          f"{info['report_kind']} · capabilities: "
                          f"{', '.join(info['capabilities']) or 'none'}")
    table.add_column("parameter", no_wrap=True,
                     min_width=_name_width([p["name"] for p in info["params"]], 9))
    for col in ("type", "default", "description"):
        table.add_column(col, overflow="fold")
    for p in info["params"]:
        default = "(required)" if p["required"] else _cell(p["default"])
        table.add_row(p["name"], p["type"], default, p["description"])
    return table


def schema_table(name: str, rows: list[dict[str, Any]]) -> Table:
    """The input schema compactly: one row per field (nested fields as ``a[].b``), its type
    with constraints, whether it is required, its default.

    Example:
        >>> from hurwicz.report.examples import describe_schema, schema_rows
        >>> schema_table("auction.gsp", schema_rows(describe_schema("auction.gsp"))).row_count
        3
    """
    table = Table(title=f"input of {name}")
    table.add_column("field", no_wrap=True, min_width=_name_width([r["field"] for r in rows]))
    table.add_column("type and constraints", overflow="fold")
    table.add_column("required", no_wrap=True)
    table.add_column("default", overflow="fold")
    for r in rows:
        default = "" if r["required"] else _cell(r["default"]) or "(none)"
        table.add_row(r["field"], r["type"], "yes" if r["required"] else "no", default)
    return table

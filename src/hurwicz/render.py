"""Human-readable rendering (rich) of outcomes and mechanism metadata.

Example:
    >>> import hurwicz as hz
    >>> table = outcome_table(hz.mechanism("auction.first_price").run({"bids": {"a": 1}}))
    >>> table.title
    'auction.first_price'
"""

from __future__ import annotations

import json
from typing import Any

from rich.table import Table

from .core.outcome import Outcome, to_jsonable


def _cell(value: Any) -> str:
    value = to_jsonable(value)
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, dict | list):
        text = json.dumps(value)
        return text if len(text) <= 80 else text[:77] + "..."
    return "" if value is None else str(value)


MAX_ROWS = 25


def outcome_table(outcome: Outcome, max_rows: int = MAX_ROWS) -> Table:
    """A table with one row per agent (allocation, payment), captioned by result and metrics.
    Beyond ``max_rows`` agents, the first rows are shown and a last row counts the others
    (``--json`` always prints everything).

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
    table.add_column("agent")
    table.add_column("allocation", justify="right")
    table.add_column("payment", justify="right")
    agents = list(outcome.allocation)
    for agent in agents[:max_rows]:
        table.add_row(str(agent), _cell(outcome.allocation[agent]),
                      _cell(outcome.payments.get(agent, 0.0)))
    if len(agents) > max_rows:
        table.add_row(f"… {len(agents) - max_rows} more", "", "")
    parts = [f"{k}: {_cell(v)}" for k, v in outcome.result.items()]
    parts += [f"{k}: {_cell(v)}" for k, v in outcome.metrics.items()]
    table.caption = " · ".join(parts)
    return table


def mechanisms_table(infos: list[dict[str, Any]]) -> Table:
    """A table of registered mechanisms (name, family, claims, summary).

    Example:
        >>> import hurwicz as hz
        >>> mechanisms_table(hz.list_mechanisms()).row_count > 0
        True
    """
    table = Table(title="hurwicz mechanisms")
    for col in ("name", "family", "claims", "summary"):
        table.add_column(col)
    for info in infos:
        conditions = info.get("claim_conditions", {})
        claims = [c if conditions.get(c, "always") == "always" else f"{c} (when "
                  f"{conditions[c]})" for c in info["claims"]]
        table.add_row(info["name"], info["family"], ", ".join(claims), info["summary"])
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
    for col in ("parameter", "type", "default", "description"):
        table.add_column(col)
    for p in info["params"]:
        default = "(required)" if p["required"] else _cell(p["default"])
        table.add_row(p["name"], p["type"], default, p["description"])
    return table

"""``hurwicz count``: count a real election from its ballot file, stage by stage.

::

    hurwicz count BALLOTS --rule voting.stv --seats 4 [--param transfer=scottish]
                  [--json] [--html REPORT.html]

``BALLOTS`` is a PrefLib file (``.soi``, ``.soc``, ``.toc``, ``.toi``), a CSV of ballots (one
row per ballot, columns ``rank1..rankN``, empty cells for unranked places:
:mod:`hurwicz.io.rankings_csv`) or a JSON ranked-ballot input. ``--rule`` is a voting rule
that counts in rounds: ``voting.irv``, ``voting.stv`` or ``voting.meek_stv`` (default
``voting.stv``); ``--seats`` sets its ``seats`` parameter, ``--param`` any other (quota,
transfer, tie_break).

The report (:func:`count_report`) gives the valid poll, the quota, the elected candidates and
each stage of the count (:func:`hurwicz.report.rounds.count_stages`): every continuing
candidate's total and its change, the exhausted ballots, who was elected or excluded. It is
printed as a table, as one JSON document with ``--json``, and written as a self-contained HTML
page with ``--html``.

Example:
    >>> import json, tempfile, pathlib
    >>> from typer.testing import CliRunner
    >>> from hurwicz.cli import app
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "ballots.csv"
    >>> _ = path.write_text("rank1,rank2\\na,b\\na,b\\na\\nb\\nc,b\\n")
    >>> res = CliRunner().invoke(app, ["count", str(path), "--seats", "2", "--json"])
    >>> report = json.loads(res.stdout)
    >>> report["elected"], report["quota"], [s["action"] for s in report["stages"]]
    (['a', 'b'], 2, ['first preferences', 'surplus of a', 'exclusion of c'])
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Annotated, Any

import typer

from hurwicz.cli_common import JsonFlag, ParamOption, parse_param_pairs, print_json
from hurwicz.core.errors import InputError
from hurwicz.core.outcome import to_jsonable

#: The rules ``hurwicz count`` knows to count in rounds (others are refused by name).
COUNT_RULES = ("voting.irv", "voting.stv", "voting.meek_stv")


def count_report(doc: dict[str, Any], source: str | None = None) -> dict[str, Any]:
    """The count report of an outcome document of a round-counting rule: ``file``, ``rule``,
    ``version``, ``params``, ``ballots`` (every ballot cast), ``valid_poll`` (those ranking at
    least one candidate: a blank ballot is no valid paper), ``seats``, ``quota`` (None for IRV),
    ``elected``, ``tied``, ``tie_broken`` and ``stages``.

    Example:
        >>> import hurwicz as hz
        >>> out = hz.mechanism("voting.irv").run({"candidates": ["a", "b", "c"], "ballots": [
        ...     {"ranking": ["a"], "count": 3}, {"ranking": ["b", "a"], "count": 2},
        ...     {"ranking": ["c"], "count": 2}]})
        >>> rep = count_report(out.to_dict())
        >>> rep["elected"], [(s["action"], s["exhausted"]) for s in rep["stages"]]
        (['a'], [('first preferences', 0), ('elimination of c', 2)])
    """
    from hurwicz.core.registry import get
    from hurwicz.report.rounds import count_stages

    name = doc.get("mechanism")
    stages = count_stages(doc)
    if stages is None:
        raise InputError("--rule", f"{name} does not count in rounds; use one of "
                         f"{', '.join(COUNT_RULES)}")
    result = doc.get("result") or {}
    params = dict(doc.get("params") or {})
    ballots = (doc.get("metrics") or {}).get("voters")
    blank = stages[0]["exhausted"] if stages else None  # ranking nobody: exhausted at stage 1
    valid = ballots
    if ballots is not None and blank is not None:
        valid = ballots - blank
        valid = int(valid) if float(valid).is_integer() else valid  # blank ballots are whole
    return {"file": source, "rule": name, "version": get(name).version, "params": params,
            "ballots": ballots, "valid_poll": valid,
            "seats": params.get("seats", 1), "quota": result.get("quota"),
            "elected": list(result.get("winners") or []), "tied": result.get("tied"),
            "tie_broken": result.get("tie_broken"), "stages": stages}


def run_count(path: str | Path, rule: str = "voting.stv", seats: int | None = None,
              params: dict[str, Any] | None = None) -> dict[str, Any]:
    """Read a ballot file, count it with ``rule`` and return :func:`count_report`.

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "b.csv"
        >>> _ = p.write_text("rank1,rank2\\nx,y\\ny,x\\ny\\n")
        >>> run_count(p, "voting.irv")["elected"]
        ['y']
        >>> try:
        ...     run_count(p, "voting.irv", seats=2)
        ... except InputError as err:
        ...     print(err)
        --seats: voting.irv elects one candidate: it has no seats parameter
    """
    from hurwicz.core.registry import get, mechanism
    from hurwicz.io.inputs import read_input

    params = dict(params or {})
    if rule not in COUNT_RULES:
        raise InputError("--rule", f"{rule!r} does not count in rounds; use one of "
                         f"{', '.join(COUNT_RULES)}")
    if seats is not None:
        if "seats" not in get(rule).Params.model_fields:
            raise InputError("--seats", f"{rule} elects one candidate: it has no seats "
                             "parameter")
        if "seats" in params:
            raise InputError("--seats", "given twice (also as --param seats=...)")
        params["seats"] = seats
    mech = mechanism(rule, **params)
    outcome = mech.run(read_input(path, rule))
    return count_report(outcome.to_dict(), str(path))


def _title(report: dict[str, Any]) -> str:
    seats = report["seats"]
    return (f"{report['file'] or 'election'} — {report['rule']}, {seats} seat"
            f"{'' if seats == 1 else 's'}")


def _summary(report: dict[str, Any]) -> list[tuple[str, Any]]:
    items: list[tuple[str, Any]] = [("rule", f"{report['rule']} (version {report['version']})"),
                                    ("parameters", report["params"]),
                                    ("valid poll", report["valid_poll"])]
    if report.get("ballots") not in (None, report["valid_poll"]):
        items.append(("blank ballots", report["ballots"] - report["valid_poll"]))
    if report["quota"] is not None:
        items.append(("quota", report["quota"]))
    items.append(("elected", ", ".join(report["elected"])))
    if report.get("tie_broken"):
        items.append(("tie-break decided", "yes: every committee some tie-breaking elects: "
                      + "; ".join(", ".join(c) if isinstance(c, list) else str(c)
                                  for c in report["tied"] or [])))
    return items


def count_page(report: dict[str, Any]) -> str:
    """A self-contained HTML page of a count report: the summary and the stage table (every
    name escaped, nothing loaded from elsewhere).

    Example:
        >>> rep = {"file": "<f>", "rule": "voting.irv", "version": "4", "params": {},
        ...        "valid_poll": 1, "seats": 1, "quota": None, "elected": ["a"], "tied": ["a"],
        ...        "tie_broken": False, "stages": [{"stage": 1, "action": "first preferences",
        ...        "totals": {"a": 1}, "changes": {}, "exhausted": 0, "exhausted_change": None,
        ...        "with_elected": None, "elected": ["a"], "excluded": None}]}
        >>> page = count_page(rep)
        >>> "&lt;f&gt;" in page and "<f>" not in page and 'class="hz hz-rounds"' in page
        True
    """
    from hurwicz.report.html import STYLE, key_values
    from hurwicz.report.rounds import stages_html

    title = "hurwicz count: " + _title(report)
    body = key_values(_summary(report), caption="summary") + stages_html(report["stages"])
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="generator" content="hurwicz"><title>{html.escape(title)}</title>'
            f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>"
            f'<section class="hz-count">{body}</section></body></html>\n')


def _print_table(report: dict[str, Any]) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from hurwicz.report.rounds import format_tally, stage_cells

    out = Console()
    out.print(Text(_title(report), style="bold"), soft_wrap=True)
    for key, value in _summary(report):
        out.print(Text.assemble((f"{key}: ", "bold"), str(value)), soft_wrap=True)
    stages = report["stages"]
    labels, rows = stage_cells(stages)
    name_width = min(max(len(x) for x in labels), 30)
    cell_width = max([len(line) for row in rows for cell in row for line in cell.split("\n")]
                     + [8])
    per_table = max(1, (out.width - name_width - 4) // (cell_width + 3))
    for first in range(0, len(stages), per_table):  # as many stages as fit side by side
        part = range(first, min(first + per_table, len(stages)))
        table = Table(box=box.SIMPLE_HEAD, title=None if first else "count, stage by stage")
        table.add_column("candidate", width=name_width, overflow="fold")
        for k in part:
            table.add_column(f"stage {stages[k]['stage']}", justify="right", width=cell_width,
                             no_wrap=True)
        for label, row in zip(labels, rows, strict=True):
            table.add_row(Text(label), *(Text(row[k]) for k in part))
        out.print(table)
    for s in stages:
        value = "" if s.get("value") is None else f" (value {format_tally(s['value'])})"
        out.print(Text(f"stage {s['stage']}: {s['action']}{value}"), soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add the ``count`` command to the ``hurwicz`` app."""

    @app.command("count")
    def count_command(
        ballots: Annotated[Path, typer.Argument(
            metavar="BALLOTS", help="PrefLib file (.soi/.soc/.toc/.toi), CSV of ballots "
                                    "(columns rank1..rankN) or JSON ranked-ballot input.")],
        rule: Annotated[str, typer.Option(
            "--rule", "-r", help="voting.irv, voting.stv or voting.meek_stv.")] = "voting.stv",
        seats: Annotated[int | None, typer.Option(help="Seats to fill (STV rules).")] = None,
        param: ParamOption = None,
        json_out: JsonFlag = False,
        html_path: Annotated[Path | None, typer.Option(
            "--html", metavar="FILE", help="Also write the report as a self-contained HTML "
                                           "page.")] = None,
    ) -> None:
        """Count a real election stage by stage: totals, transfers, exhausted ballots, who is
        elected or excluded, and the quota."""
        report = run_count(ballots, rule, seats, parse_param_pairs(param))
        if html_path is not None:
            try:
                html_path.write_text(count_page(to_jsonable(report)), encoding="utf-8")
            except OSError as err:
                raise InputError("--html", f"cannot write {html_path}: "
                                 f"{err.strerror or err}") from None
            typer.echo(f"wrote {html_path}", err=True)
        if json_out:
            print_json(report)
        else:
            _print_table(report)

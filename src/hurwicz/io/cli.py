"""``hurwicz explain``: why each project got its match, as a table, JSON or CSV.

Example:
    >>> import typer
    >>> app = typer.Typer()
    >>> register(app)
    >>> [c.name for c in app.registered_commands]
    ['explain']
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from hurwicz.cli_common import FormatOption, JsonFlag, complete_mechanism_name

#: the columns of the projects table the human table shows
TABLE_COLUMNS = ("project", "contributors", "qf_ideal_match", "rule_ideal_match",
                 "share_before_caps", "match_after_caps", "capped")
NAME_COLUMNS = ("project", "contributor")


class Rows(StrEnum):
    """Which explanation rows a table or CSV shows."""

    projects = "projects"
    contributions = "contributions"


def register(app: typer.Typer) -> None:
    """Add the ``explain`` command."""

    @app.command("explain")
    def explain_command(
        name: Annotated[str, typer.Argument(help="Funding mechanism, e.g. funding.quadratic.",
                                            autocompletion=complete_mechanism_name)],
        input_path: Annotated[str, typer.Argument(metavar="INPUT", help="JSON or CSV input.")],
        out: Annotated[str | None, typer.Option(
            "--out", help="Write to FILE.csv (two CSV files) or FILE.json.")] = None,
        param: Annotated[list[str] | None, typer.Option(
            "--param", "-p", help="Parameter KEY=VALUE (repeatable).")] = None,
        json_out: JsonFlag = False,
        fmt: FormatOption = None,
        rows_kind: Annotated[Rows, typer.Option(
            "--rows", help="Rows of the table or CSV: one per project or one per "
                           "contribution.")] = Rows.projects,
    ) -> None:
        """Explain a funding outcome per project and per contribution (csv: one row per
        project, or per contribution with --rows contributions)."""
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        from hurwicz.cli_common import output_format, parse_param_pairs, print_csv, print_json
        from hurwicz.core.registry import mechanism
        from hurwicz.mechanisms.funding.explain import explain, write_explanation
        from hurwicz.report.tables import fmt as show

        from .inputs import read_input

        kind = output_format(fmt, json_out)
        mech = mechanism(name, **parse_param_pairs(param))
        rows = explain(mech, read_input(input_path, name))
        written = write_explanation(rows, out) if out is not None else []
        selected = rows[rows_kind.value]
        if kind == "json":
            print_json(rows)
        elif kind == "csv":
            columns = list(selected[0]) if selected else []
            print_csv(columns, selected)
        else:
            console = Console()
            columns = (list(TABLE_COLUMNS) if rows_kind is Rows.projects
                       else list(selected[0]) if selected else [])
            table = Table(title=f"{name}: match per "
                                f"{'project' if rows_kind is Rows.projects else 'contribution'}")
            for col in columns:
                values = [r[col] for r in selected]
                if all(isinstance(v, str) for v in values) and col in NAME_COLUMNS:
                    # names stay whole
                    table.add_column(col, no_wrap=True,
                                     min_width=min(40, max([len(v) for v in values] + [4])))
                elif all(isinstance(v, int | float) for v in values):
                    table.add_column(col.replace("_", " "), justify="right", overflow="fold",
                                     min_width=max([len(show(v)) for v in values] + [4]))
                else:
                    table.add_column(col.replace("_", " "), overflow="fold")
            for r in selected:
                table.add_row(*(Text(show(r[c])) for c in columns))
            console.print(table)
        if written:
            typer.echo("wrote " + ", ".join(str(p) for p in written), err=True)

"""``hurwicz explain``: why each project got its match, as CSV or JSON.

Example:
    >>> import typer
    >>> app = typer.Typer()
    >>> register(app)
    >>> [c.name for c in app.registered_commands]
    ['explain']
"""

from __future__ import annotations

from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    """Add the ``explain`` command."""

    @app.command("explain")
    def explain_command(
        name: Annotated[str, typer.Argument(help="Funding mechanism, e.g. funding.quadratic.")],
        input_path: Annotated[str, typer.Argument(metavar="INPUT", help="JSON or CSV input.")],
        out: Annotated[str | None, typer.Option(
            "--out", help="Write to FILE.csv (two CSV files) or FILE.json.")] = None,
        param: Annotated[list[str] | None, typer.Option(
            "--param", "-p", help="Parameter KEY=VALUE (repeatable).")] = None,
    ) -> None:
        """Explain a funding outcome per project and per contribution."""
        from rich.console import Console
        from rich.table import Table

        from hurwicz.cli_common import parse_param_pairs, print_json
        from hurwicz.core.registry import mechanism
        from hurwicz.mechanisms.funding.explain import explain, write_explanation

        from .inputs import read_input

        mech = mechanism(name, **parse_param_pairs(param))
        rows = explain(mech, read_input(input_path, name))
        if out is None:
            print_json(rows)
            return
        written = write_explanation(rows, out)
        table = Table(title=f"{name}: match per project")
        for col in ("project", "contributors", "qf_ideal_match", "rule_ideal_match",
                    "share_before_caps", "match_after_caps", "capped"):
            table.add_column(col)
        for r in rows["projects"]:
            table.add_row(*(f"{r[c]:.6g}" if isinstance(r[c], float) else str(r[c])
                            for c in ("project", "contributors", "qf_ideal_match",
                                      "rule_ideal_match", "share_before_caps",
                                      "match_after_caps", "capped")))
        console = Console()
        console.print(table)
        console.print("wrote " + ", ".join(str(p) for p in written))

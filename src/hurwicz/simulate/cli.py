"""``hurwicz evaluate``: Monte Carlo revenue, welfare and efficiency under a strategy.

Example:
    >>> import typer
    >>> app = typer.Typer()
    >>> register(app)
    >>> [c.name for c in app.registered_commands]
    ['evaluate']
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from hurwicz.cli_common import (
    FormatOption,
    HtmlOption,
    JsonFlag,
    ProgressOption,
    complete_mechanism_name,
)
from hurwicz.report.tables import fmt


def evaluation_table(report: dict) -> Table:
    """Mean ± standard error of each measured quantity.

    Example:
        >>> evaluation_table({"mechanism": "m", "strategy": "truthful", "samples": 2,
        ...                   "revenue": {"mean": 1.0, "stderr": 0.1},
        ...                   "welfare": {"mean": 2.0, "stderr": 0.1}, "utility": []}).row_count
        2
    """
    table = Table(title=f"{report['mechanism']} · strategy {report['strategy']} · "
                        f"{report['samples']:,} profiles")
    table.add_column("quantity", no_wrap=True)
    table.add_column("mean", justify="right", no_wrap=True)
    table.add_column("std. error", justify="right", no_wrap=True)
    for key in ("revenue", "welfare", "efficiency", "optimal_welfare"):
        if key in report:
            table.add_row(key, fmt(report[key]["mean"]), fmt(report[key]["stderr"], 2))
    for i, u in enumerate(report["utility"]):
        table.add_row(f"utility agent {i + 1}", fmt(u["mean"]), fmt(u["stderr"], 2))
    return table


def register(app: typer.Typer) -> None:
    """Add the ``evaluate`` command to the ``hurwicz`` app."""

    @app.command("evaluate")
    def evaluate_command(
        name: Annotated[str, typer.Argument(help="Mechanism name.",
                                            autocompletion=complete_mechanism_name)],
        agents: Annotated[int, typer.Option(help="Number of agents.")] = 3,
        prior: Annotated[list[str] | None, typer.Option(
            help="Prior (repeat once per agent for asymmetric priors).")] = None,
        strategy: Annotated[str, typer.Option(
            help="truthful, shade:A, bne or best_response[:ROUNDS].")] = "truthful",
        samples: Annotated[int, typer.Option(help="Profiles to sample.")] = 100_000,
        seed: Annotated[int, typer.Option(help="Seed.")] = 0,
        param: Annotated[list[str] | None, typer.Option(
            "--param", "-p", help="Mechanism parameter KEY=VALUE (repeatable).")] = None,
        context: Annotated[list[str] | None, typer.Option(
            "--context", help="Batch context KEY=VALUE, e.g. slots=[1,0.5] (repeatable).")]
        = None,
        workers: Annotated[int, typer.Option(help="Local worker processes.")] = 1,
        executor: Annotated[str | None, typer.Option(
            help="local, dask:local or dask://HOST:PORT.")] = None,
        histograms: Annotated[bool, typer.Option(
            "--histograms", help="Include the distributions of revenue and welfare (binned) "
                                 "in the output.")] = False,
        json_out: JsonFlag = False,
        fmt: FormatOption = None,
        html: HtmlOption = None,
        show_progress: ProgressOption = None,
    ) -> None:
        """Expected revenue, welfare, efficiency and utilities, with standard errors (csv: one
        row per quantity)."""
        from hurwicz.cli_common import (
            output_format,
            parse_param_pairs,
            print_csv,
            print_json,
            progress,
            write_html,
        )
        from hurwicz.core.registry import mechanism

        from .montecarlo import evaluate

        kind = output_format(fmt, json_out)
        mech = mechanism(name, **parse_param_pairs(param))
        prior_arg = "uniform:0,1" if not prior else (prior[0] if len(prior) == 1
                                                     else list(prior))
        with progress(f"evaluating {name}", show_progress, kind) as update:
            report = evaluate(mech, agents, prior_arg, strategy, samples, seed, workers,
                              executor,
                              context=parse_param_pairs(context, "--context") or None,
                              histograms=histograms or html is not None, progress=update)
        write_html(html, [report])
        if not histograms:
            report.pop("histograms", None)
        if kind == "json":
            print_json(report)
        elif kind == "csv":
            print_csv(*report.rows())
        else:
            Console().print(evaluation_table(report))

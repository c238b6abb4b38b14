"""``hurwicz audit``: audit a mechanism's incentives from the command line.

Example:
    >>> import typer
    >>> app = typer.Typer()
    >>> register(app)
    >>> [c.name for c in app.registered_commands]
    ['audit']
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from hurwicz.cli_common import (
    FormatOption,
    HtmlOption,
    JsonFlag,
    ProgressOption,
    complete_mechanism_name,
)
from hurwicz.report.tables import fmt

from .report import AuditReport

VERDICTS = {"holds": "[green]holds[/green]", "violated": "[red]VIOLATED[/red]",
            "not tested": "[yellow]not tested[/yellow]", "measured": "measured"}


def report_table(report: AuditReport) -> Table:
    """A table with one row per check: verdict, gain, exhaustive, budget.

    Example:
        >>> from hurwicz.auditing.report import CheckRecord
        >>> t = report_table(AuditReport("m", {}, 2, "uniform:0,1", [CheckRecord("ir", True)]))
        >>> t.row_count
        1
    """
    title = f"audit of {report.mechanism}"
    if report.agents is not None:
        title += f" · agents {report.agents}"
    if report.prior is not None:
        title += f" · prior {report.prior}"
    table = Table(title=title)
    width = max([len(r.property) for r in report.checks] + [8])
    table.add_column("property", no_wrap=True, min_width=width)
    table.add_column("verdict", no_wrap=True)
    table.add_column("max gain / value", overflow="fold")
    table.add_column("exhaustive", no_wrap=True)
    table.add_column("budget", overflow="fold", ratio=1)
    table.add_column("seconds", no_wrap=True, justify="right")
    for rec in report.checks:
        if rec.value is not None:
            figure = f"{fmt(rec.value)} ± {fmt(rec.stderr, 2)}"
        else:
            figure = fmt(rec.max_gain)
        budget = ", ".join(f"{k}={fmt(v)}" for k, v in rec.budget.items() if k != "methods")
        if rec.budget.get("methods"):
            budget += f" [{'/'.join(rec.budget['methods'])}]"
        bound = rec.violation_mass_bound()
        if bound is not None:
            budget += f"; violation mass ≤ {bound:.3g} (95%)"
        table.add_row(Text(rec.property), VERDICTS[rec.verdict], figure,
                      "yes" if rec.exhaustive else "no", Text(budget), f"{rec.seconds:.2f}")
    return table


def counterexample_text(gain: float | None, ce: dict) -> str:
    """One line about a counterexample: who gains how much by which deviation.

    Example:
        >>> counterexample_text(0.5, {"agent": "a", "truthful_utility": 0.0,
        ...                          "deviating_utility": 0.5, "deviation": {"report": 1.0}})
        'agent a gains 0.5 (truthful utility 0, deviating 0.5); deviation: 1'
    """
    deviation = ce.get("deviation")
    if isinstance(deviation, dict) and "report" in deviation:
        deviation = deviation["report"]
    gains = f" gains {fmt(gain)}" if gain is not None else ""
    return (f"agent {fmt(ce.get('agent'))}{gains} (truthful utility "
            f"{fmt(ce.get('truthful_utility'))}, deviating {fmt(ce.get('deviating_utility'))}); "
            f"deviation: {fmt(deviation)}")


def register(app: typer.Typer) -> None:
    """Add the ``audit`` command to the ``hurwicz`` app."""

    @app.command("audit")
    def audit_command(
        name: Annotated[str, typer.Argument(help="Mechanism name.",
                                            autocompletion=complete_mechanism_name)],
        agents: Annotated[int | None, typer.Option(help="Number of agents (with --prior).")]
        = None,
        prior: Annotated[list[str] | None, typer.Option(
            help="Prior, e.g. uniform:0,1 (repeat once per agent for asymmetric priors), or a "
                 "family prior such as a voting culture (impartial, mallows:0.5).")] = None,
        properties: Annotated[str | None, typer.Option(
            "--properties", help="Comma-separated properties, e.g. dsic,ir.")] = None,
        claims: Annotated[bool, typer.Option("--claims", help="Audit the mechanism's active "
                                             "claims.")] = False,
        adversary: Annotated[str, typer.Option(
            help="misreport, coalition:K, sybil:K, bots:K or abstain.")] = "misreport",
        samples: Annotated[int, typer.Option(help="Profiles to sample.")] = 20_000,
        seed: Annotated[int, typer.Option(help="Seed: the same seed gives the same report.")]
        = 0,
        tolerance: Annotated[float, typer.Option(help="Gains at most this are ignored.")]
        = 1e-9,
        input_file: Annotated[list[str] | None, typer.Option(
            "--input", help="Instance(s) to audit (repeatable); always audited.")] = None,
        param: Annotated[list[str] | None, typer.Option(
            "--param", "-p", help="Mechanism parameter KEY=VALUE (repeatable).")] = None,
        context: Annotated[list[str] | None, typer.Option(
            "--context", help="Batch context KEY=VALUE, e.g. units=2 or slots=[1,0.5] "
                              "(repeatable).")] = None,
        sample: Annotated[list[str] | None, typer.Option(
            "--sample", help="Sampler option KEY=VALUE, e.g. candidates=4 (repeatable).")]
        = None,
        candidates: Annotated[int | None, typer.Option(
            help="Shorthand for --sample candidates=N (voting).")] = None,
        workers: Annotated[int, typer.Option(help="Local worker processes.")] = 1,
        executor: Annotated[str | None, typer.Option(
            help="local, dask:local or dask://HOST:PORT.")] = None,
        budget_balance: Annotated[str, typer.Option(help="weak or strong.")] = "weak",
        json_out: JsonFlag = False,
        fmt: FormatOption = None,
        html: HtmlOption = None,
        show_progress: ProgressOption = None,
    ) -> None:
        """Audit incentives: DSIC, BIC, IR, efficiency, budget balance, manipulability...
        (csv: one row per check)."""
        from hurwicz.cli_common import (
            output_format,
            parse_param_pairs,
            print_csv,
            print_json,
            progress,
            write_html,
        )
        from hurwicz.core.registry import mechanism
        from hurwicz.io.inputs import read_input

        from .engine import audit

        kind = output_format(fmt, json_out)
        mech = mechanism(name, **parse_param_pairs(param))
        inputs = [read_input(p, name) for p in input_file or []]
        prior_arg = None if not prior else (prior[0] if len(prior) == 1 else list(prior))
        props = [p.strip() for p in properties.split(",") if p.strip()] if properties else None
        options = parse_param_pairs(sample, "--sample")
        if candidates is not None:
            options["candidates"] = candidates
        with progress(f"auditing {name}", show_progress, kind) as update:
            report = audit(mech, agents=agents, prior=prior_arg, properties=props,
                           samples=samples, seed=seed, adversary=adversary,
                           tolerance=tolerance, inputs=inputs or None, claims=claims,
                           workers=workers, executor=executor, budget_balance=budget_balance,
                           context=parse_param_pairs(context, "--context") or None,
                           sample_options=options or None, progress=update)
        write_html(html, [report])
        if kind == "json":
            print_json(report.to_dict())
            return
        if kind == "csv":
            print_csv(*report.rows())
            return
        out = Console()
        out.print(report_table(report))
        for rec in report.checks:
            if rec.notes:
                out.print(Text.assemble((rec.property, "bold"), f": {rec.notes}"))
            if rec.counterexample is not None:
                out.print(Text.assemble((rec.property, "bold"), " counterexample: ",
                                        counterexample_text(rec.max_gain, rec.counterexample)))

"""``hurwicz manipulability``: manipulability rates of voting rules from the command line.

Example:
    >>> import typer
    >>> app = typer.Typer()
    >>> register(app)
    >>> [c.name for c in app.registered_commands]
    ['manipulability']
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from hurwicz.cli_common import JsonFlag, ParamOption, parse_param_pairs, print_json


def register(app: typer.Typer) -> None:
    """Add the ``manipulability`` command to the ``hurwicz`` app."""

    @app.command("manipulability")
    def manipulability_command(
        name: Annotated[str, typer.Argument(help="Voting rule, e.g. voting.borda.")],
        culture: Annotated[str, typer.Option(
            help="impartial, mallows:PHI, urn:ALPHA or spatial:D.")] = "impartial",
        voters: Annotated[int, typer.Option(help="Voters per election.")] = 5,
        candidates: Annotated[int, typer.Option(help="Candidates per election.")] = 3,
        samples: Annotated[int, typer.Option(help="Elections to sample.")] = 200,
        seed: Annotated[int, typer.Option(help="Seed.")] = 0,
        param: ParamOption = None,
        json_out: JsonFlag = False,
    ) -> None:
        """Share of elections from a culture where one voter (or a trivial coalition) can
        manipulate, with 95% Wilson intervals (as svvamp reports them)."""
        from .manipulability import manipulability

        report = manipulability(name, culture, voters, candidates, samples, seed,
                                parse_param_pairs(param))
        if json_out:
            print_json(report)
            return
        out = Console()
        for key, label in (("individual", "individually manipulable"),
                           ("trivial_coalitional", "trivially coalitionally manipulable")):
            if key in report:
                r = report[key]
                lo, hi = r["ci95"]
                note = "" if r.get("exhaustive", True) and not r.get("lower_bound") else \
                    " (lower bound)"
                out.print(f"{name}: {label} in {r['manipulable']}/{report['profiles']} "
                          f"elections = {r['rate']:.3f} [{lo:.3f}, {hi:.3f}]{note}",
                          highlight=False)

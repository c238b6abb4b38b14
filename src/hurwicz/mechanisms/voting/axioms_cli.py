"""``hurwicz axioms``: check a committee of an approval election against JR, PJR, EJR, EJR+,
FJR, the core and priceability from the command line.

Example:
    >>> import typer
    >>> app = typer.Typer()
    >>> register(app)
    >>> [c.name for c in app.registered_commands]
    ['axioms']
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from hurwicz.cli_common import JsonFlag, print_json


def register(app: typer.Typer) -> None:
    """Add the ``axioms`` command to the ``hurwicz`` app."""

    @app.command("axioms")
    def axioms_command(
        election_file: Annotated[str, typer.Argument(
            help="Approval election (JSON: candidates, ballots with approve/count); - for "
                 "stdin.")],
        committee: Annotated[str, typer.Option(
            help="The committee: candidate names separated by commas.")],
        axiom: Annotated[list[str] | None, typer.Option(
            "--axiom", help="Check only this axiom (repeatable): jr, pjr, ejr, ejr_plus, "
                            "fjr, core, priceability.")] = None,
        method: Annotated[str, typer.Option(
            help="auto, exhaustive or ilp (PJR, EJR, FJR, core).")] = "auto",
        json_out: JsonFlag = False,
    ) -> None:
        """Which proportionality axioms the committee satisfies, with a counterexample (a
        coalition and what it is owed) for each one it fails."""
        from hurwicz.io.inputs import read_input

        from .axioms import AXIOMS, check

        data = read_input(election_file)
        members = [c.strip() for c in committee.split(",") if c.strip()]
        results = check(data, members, axioms=axiom or AXIOMS, method=method)  # type: ignore[arg-type]
        if json_out:
            print_json({name: r.as_dict() for name, r in results.items()})
            return
        out = Console()
        for name, r in results.items():
            verdict = "satisfied" if r.satisfied else "VIOLATED"
            out.print(f"{name:13} {verdict:10} ({r.method})", highlight=False)
            cex = r.counterexample
            if cex and "coalition" in cex:
                owed = f"ell={cex['ell']}" if "ell" in cex else (
                    f"beta={cex['beta']}" if "beta" in cex else f"|T|={len(cex['candidates'])}")
                out.print(f"    {cex['voters']} of {cex['n']} voters, T={cex['candidates']}, "
                          f"{owed}, k={cex['k']}", highlight=False)
            elif cex:
                out.print(f"    {cex.get('reason', '')}: {cex.get('candidates', '')}",
                          highlight=False)
            elif r.certificate and "farkas" in r.certificate:
                out.print(f"    no price system: a Farkas proof with "
                          f"{len(r.certificate['farkas'])} multipliers (see --json)",
                          highlight=False)

"""``hurwicz truthfulness`` and ``hurwicz crowd``: the equilibrium analysis and the crowd
simulation of peer mechanisms and truth serums from the command line. The model file is
``{"prior": {state: p}, "signal_given_state": {state: {signal: p}}}``.

Example:
    >>> import typer
    >>> app = typer.Typer()
    >>> register(app)
    >>> [c.name for c in app.registered_commands]
    ['truthfulness', 'crowd']
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from hurwicz.cli_common import JsonFlag, ParamOption, parse_param_pairs, print_json


def register(app: typer.Typer) -> None:
    """Add the ``truthfulness`` and ``crowd`` commands to the ``hurwicz`` app."""

    @app.command("truthfulness")
    def truthfulness_command(
        name: Annotated[str, typer.Argument(help="A peer mechanism or truth serum, e.g. "
                                            "elicitation.dasgupta_ghosh.")],
        model: Annotated[str, typer.Argument(help="JSON signal model: prior and "
                                             "signal_given_state.")],
        agents: Annotated[int | None, typer.Option(help="Agents in the game (default 3).")
                          ] = None,
        param: ParamOption = None,
        json_out: JsonFlag = False,
    ) -> None:
        """Is truth-telling a (strict) Bayes–Nash equilibrium, and does an uninformative
        equilibrium pay more? Exact expected scores per strategy profile."""
        from hurwicz.core.registry import mechanism
        from hurwicz.io.inputs import read_input

        from .model import truthfulness

        mech = mechanism(name, **parse_param_pairs(param))
        rep = truthfulness(mech, read_input(model), agents=agents)
        if json_out:
            print_json(rep.to_dict())
            return
        out = Console()
        out.print(f"{name}: truthful strict equilibrium: {rep.truthful_equilibrium}; "
                  f"bic: {rep.bic}; best deviation gain {rep.max_gain:.6g}", highlight=False)
        if rep.best_deviation is not None:
            d = rep.best_deviation
            out.print(f"  best deviation: {d['agent']} with signal {d['signal']} reports "
                      f"{d['report']} ({d['deviating_utility']:.6g} vs "
                      f"{d['truthful_utility']:.6g})", highlight=False)
        for pname, e in rep.expected.items():
            eq = e.get("equilibrium")
            tag = "" if eq is None else (" (equilibrium)" if eq else "")
            out.print(f"  {pname:>16}: mean score per task {e['mean']:.6g}{tag}",
                      highlight=False)
        out.print(f"  uninformative equilibrium pays more than truth: "
                  f"{rep.uninformative_pays_more}", highlight=False)

    @app.command("crowd")
    def crowd_command(
        name: Annotated[str, typer.Argument(help="A peer mechanism or truth serum.")],
        model: Annotated[str, typer.Argument(help="JSON signal model.")],
        honest: Annotated[int, typer.Option(help="Honest reporters.")] = 5,
        lazy: Annotated[int, typer.Option(help="Lazy reporters (a constant answer).")] = 1,
        random: Annotated[int, typer.Option(help="Random reporters.")] = 1,
        colluding: Annotated[int, typer.Option(help="Colluders (one shared coin per task).")
                             ] = 0,
        tasks: Annotated[int, typer.Option(help="Tasks to simulate.")] = 100,
        seed: Annotated[int, typer.Option(help="Seed.")] = 0,
        param: ParamOption = None,
        json_out: JsonFlag = False,
    ) -> None:
        """Simulate a crowd of honest, lazy, random and colluding reporters and show what each
        type earns."""
        from hurwicz.core.registry import mechanism
        from hurwicz.io.inputs import read_input

        from .model import simulate_crowd

        mech = mechanism(name, **parse_param_pairs(param))
        rep = simulate_crowd(mech, read_input(model), {"honest": honest, "lazy": lazy,
                                                       "random": random,
                                                       "colluding": colluding},
                             tasks=tasks, seed=seed)
        if json_out:
            print_json(rep.to_dict())
            return
        out = Console()
        for kind, row in rep.per_type.items():
            out.print(f"{kind:>10}: {row['agents']} agents, mean score per task "
                      f"{row['mean_score_per_task']:.6g}, total payment "
                      f"{row['total_payment']:.6g}", highlight=False)

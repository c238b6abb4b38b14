"""``hurwicz games``: Nash and correlated equilibria, and learning dynamics, of a game given
as a JSON file (``{"players": [...], "actions": [[...], ...], "payoffs": [...]}``) or a CSV
file with one row per action profile (:mod:`hurwicz.games.gamefile`).

Example:
    >>> import typer
    >>> app = typer.Typer()
    >>> register(app)
    >>> [g.name for g in app.registered_groups]
    ['games']
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from hurwicz.cli_common import JsonFlag, print_json
from hurwicz.core.errors import InputError

METHODS = ("vertex", "pure", "support", "lemke_howson", "lp")
GAME_FILE_HELP = ("Game file: JSON (players, actions, payoffs) or .csv (one row per action "
                  "profile: actions, then payoffs).")


def _objective(text: str) -> Any:
    if text in ("welfare", "feasibility"):
        return text
    kind, _, who = text.partition(":")
    if kind == "player" and who:
        return ("player", int(who) if who.isdigit() else who)
    raise InputError("objective", "welfare, feasibility or player:NAME (or player:INDEX)")


def _fmt(x: Any) -> str:
    return str(x)


def register(app: typer.Typer) -> None:
    """Add the ``games`` command group (``nash``, ``correlated``) to the ``hurwicz`` app."""
    group = typer.Typer(help="Normal-form games: Nash and correlated equilibria.",
                        no_args_is_help=True)

    @group.command("nash")
    def nash_command(
        file: Annotated[Path, typer.Argument(help=GAME_FILE_HELP)],
        method: Annotated[str, typer.Option(
            help="vertex (all extreme equilibria, exact), pure, support, lemke_howson, "
                 "lp (zero-sum). Default: vertex for two players, pure for more.")] = "",
        label: Annotated[int, typer.Option(help="Lemke–Howson's dropped label.")] = 0,
        json_out: JsonFlag = False,
    ) -> None:
        """Nash equilibria of a game, each with its regret certificate (0 when exact)."""
        from .game import Game

        if method and method not in METHODS:
            raise InputError("method", f"one of {', '.join(METHODS)}")
        game = Game.from_file(file)
        method = method or ("vertex" if game.n_players == 2 else "pure")
        options = {"label": label} if method == "lemke_howson" else {}
        eqs = game.nash(method, **options)
        if json_out:
            print_json({"players": game.players, "actions": game.actions, "method": method,
                        "equilibria": [e.to_dict() for e in eqs]})
            return
        out = Console()
        out.print(f"{len(eqs)} equilibri{'um' if len(eqs) == 1 else 'a'} ({method})",
                  highlight=False)
        for k, e in enumerate(eqs, 1):
            out.print(f"#{k}", highlight=False)
            for p, s in enumerate(e.strategies):
                mix = ", ".join(f"{a}={_fmt(x)}" for a, x in zip(game.actions[p], s) if x != 0)
                out.print(f"  {game.players[p]}: {mix}  payoff {_fmt(e.payoffs[p])}  "
                          f"regret {_fmt(e.regret[p])}", highlight=False)

    @group.command("correlated")
    def correlated_command(
        file: Annotated[Path, typer.Argument(help=GAME_FILE_HELP)],
        objective: Annotated[str, typer.Option(
            help="welfare, feasibility or player:NAME.")] = "welfare",
        coarse: Annotated[bool, typer.Option(
            "--coarse", help="Coarse correlated equilibrium.")] = False,
        json_out: JsonFlag = False,
    ) -> None:
        """A (coarse) correlated equilibrium maximising the objective (LP on HiGHS)."""
        from .game import Game

        game = Game.from_file(file)
        ce = game.correlated(_objective(objective), coarse=coarse)
        if json_out:
            print_json({"players": game.players, **ce.to_dict()})
            return
        out = Console()
        kind = "coarse correlated" if coarse else "correlated"
        out.print(f"{kind} equilibrium, {ce.objective} = {ce.value:.6g}, "
                  f"max incentive violation {ce.regret:.2g}", highlight=False)
        for prof, p in ce.distribution.items():
            if p > 1e-12:
                out.print(f"  {', '.join(prof)}: {p:.6g}", highlight=False)
        out.print("  payoffs: " + ", ".join(f"{n}={v:.6g}" for n, v in
                                            zip(game.players, ce.payoffs)), highlight=False)

    @group.command("learn")
    def learn_command(
        file: Annotated[Path, typer.Argument(help=GAME_FILE_HELP)],
        dynamics: Annotated[str, typer.Option(
            help="fictitious_play, replicator, hedge or regret_matching.")] = "fictitious_play",
        rounds: Annotated[int, typer.Option(help="Rounds to play.")] = 2000,
        seed: Annotated[int, typer.Option(help="Seed.")] = 0,
        json_out: JsonFlag = False,
    ) -> None:
        """Run seeded learning dynamics: time-averaged strategies and a convergence verdict."""
        from . import dynamics as dyn
        from .game import Game

        funcs = {"fictitious_play": dyn.fictitious_play, "replicator": dyn.replicator,
                 "hedge": dyn.hedge, "regret_matching": dyn.regret_matching}
        if dynamics not in funcs:
            raise InputError("dynamics", f"one of {', '.join(funcs)}")
        if rounds < 1:
            raise InputError("rounds", "must be a positive integer")
        game = Game.from_file(file)
        res = funcs[dynamics](game, rounds=rounds, seed=seed)
        if json_out:
            print_json({"players": game.players, "actions": game.actions, **res.to_dict()})
            return
        out = Console()
        out.print(f"{dynamics}, {rounds} rounds: {res.verdict} (exploitability of the average "
                  f"{res.exploitability[-1][1]:.3g})", highlight=False)
        for p, avg in enumerate(res.average):
            mix = ", ".join(f"{a}={x:.4f}" for a, x in zip(game.actions[p], avg))
            out.print(f"  {game.players[p]}: {mix}", highlight=False)

    app.add_typer(group, name="games")

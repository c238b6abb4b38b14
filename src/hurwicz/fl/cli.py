"""``hurwicz fl simulate CONFIG``: the federated-learning simulation from a JSON configuration
(see :class:`hurwicz.fl.FLConfig`; ``{}`` runs the defaults).

Example:
    >>> import typer
    >>> app = typer.Typer()
    >>> register(app)
    >>> [g.name for g in app.registered_groups]
    ['fl']
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from hurwicz.cli_common import JsonFlag, print_json
from hurwicz.core.errors import InputError

__all__ = ["read_config", "register"]


def read_config(path: Path) -> dict[str, Any]:
    """The JSON object in ``path``, or an error naming ``config``.

    Example:
        >>> import tempfile, os
        >>> with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        ...     _ = f.write('{"rounds": 2}')
        >>> read_config(Path(f.name)); os.unlink(f.name)
        {'rounds': 2}
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise InputError("config", f"cannot read {path}: {err.strerror or err}") from err
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError("config", f"{path} is not JSON: {err.msg} at line {err.lineno}") \
            from err
    if not isinstance(data, dict):
        raise InputError("config", "must be a JSON object")
    return data


def register(app: typer.Typer) -> None:
    """Add the ``fl`` command group to the ``hurwicz`` app."""
    group = typer.Typer(help="Federated learning with strategic clients: contributions and "
                        "rewards.", no_args_is_help=True)
    app.add_typer(group, name="fl")

    @group.command("simulate")
    def simulate_command(
        config: Annotated[Path, typer.Argument(help="JSON configuration (FLConfig fields).")],
        seed: Annotated[int | None, typer.Option(help="Override the config's seed.")] = None,
        json_out: JsonFlag = False,
    ) -> None:
        """FedAvg with honest, free-rider, low-quality, poisoner and sybil clients; per-round
        Shapley contributions, rewards from the budget, and the ranking."""
        from .simulate import simulate

        data = read_config(config)
        if seed is not None:
            data["seed"] = seed
        report = simulate(data)
        if json_out:
            print_json(report.to_dict())
            return
        out = Console()
        out.print(f"test accuracy {report.accuracy:.4f} after {len(report.accuracy_by_round)} "
                  f"rounds; budget {report.extra['budget']:g}", highlight=False)
        table = Table("rank", "client", "type", "samples", "contribution", "reward")
        for name in report.ranking:
            c = report.clients[name]
            table.add_row(str(c["rank"]), name, c["type"], str(c["samples"]),
                          f"{c['contribution']:.4f}", f"{c['reward']:.2f}")
        out.print(table)
        for check, ok in report.checks.items():
            out.print(f"{check.replace('_', ' ')}: {'yes' if ok else 'NO'}", highlight=False)

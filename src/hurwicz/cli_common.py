"""Helpers shared by the ``hurwicz`` command and the subsystem commands that extend it.

Subsystem CLIs (audit, evaluate, credible rounds, ...) import these instead of the top-level
:mod:`hurwicz.cli`, which imports them in turn.

Example:
    >>> parse_param_pairs(["reserve=1.5", "tie_break=lowest_name", "seeds=[1,2]"])
    {'reserve': 1.5, 'tie_break': 'lowest_name', 'seeds': [1, 2]}
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

from .core.errors import InputError
from .core.outcome import to_jsonable

JsonFlag = Annotated[bool, typer.Option("--json", help="Print exactly one JSON document.")]
ParamOption = Annotated[
    list[str] | None,
    typer.Option("--param", "-p", help="Mechanism parameter KEY=VALUE (repeatable)."),
]


def print_json(document: Any) -> None:
    """Print one JSON document on stdout (no rich markup, no wrapping).

    Example:
        >>> print_json({"a": 1})
        {"a": 1}
    """
    sys.stdout.write(json.dumps(to_jsonable(document), allow_nan=False) + "\n")
    sys.stdout.flush()


def parse_param_pairs(pairs: list[str] | None, option: str = "--param") -> dict[str, Any]:
    """Parse ``k=v`` strings; ``v`` is read as JSON when it parses, else kept as a string.

    Example:
        >>> parse_param_pairs(["units=3"], "--context")
        {'units': 3}
    """
    params: dict[str, Any] = {}
    field = "params" if option == "--param" else option.lstrip("-")
    for pair in pairs or []:
        key, sep, raw = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InputError(option, f"expected KEY=VALUE, got {pair!r}")
        if key in params:
            raise InputError(f"{field}.{key}", "given twice")
        try:
            params[key] = json.loads(raw)
        except json.JSONDecodeError:
            params[key] = raw
    return params

"""``hurwicz demo``: run every scenario in ``examples/`` and say what each shows.

An example file is JSON: ``{"title": ..., "shows": ..., "kind": "run", "mechanism": ...,
"params": {...}, "input": {...}}``. ``kind`` selects a handler; ``run`` is built in, and other
subsystems (audit, evaluate, credible rounds) provide their own handlers, looked up in
:data:`HANDLERS` as ``"module:function"`` and imported only when an example needs them.

Example:
    >>> from rich.console import Console
    >>> import io
    >>> console = Console(file=io.StringIO(), width=100)
    >>> run_example({"title": "t", "shows": "s", "mechanism": "auction.second_price",
    ...              "input": {"bids": {"a": 2, "b": 1}}}, console)
    >>> "auction.second_price" in console.file.getvalue()
    True
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.panel import Panel

from .core.errors import InputError
from .core.registry import mechanism
from .render import print_outcome

HANDLERS: dict[str, str] = {
    "run": "hurwicz.demo:run_example",
    "audit": "hurwicz.auditing.demo:run_example",
    "evaluate": "hurwicz.simulate.demo:run_example",
    "design": "hurwicz.design.demo:run_example",
    "credible": "hurwicz.credible.demo:run_example",
}


def examples_dir() -> Path:
    """Where the bundled examples live (source checkout first, then the installed copy).

    Example:
        >>> examples_dir().name in ("examples", "_examples")
        True
    """
    here = Path(__file__).resolve().parent
    for candidate in (here.parents[1] / "examples", here / "_examples"):
        if candidate.is_dir():
            return candidate
    raise InputError("examples", "no bundled examples directory found")


def run_example(example: dict[str, Any], console: Console) -> None:
    """Run a ``kind: run`` example and print its outcome table and summary.

    Example:
        >>> from rich.console import Console
        >>> import io
        >>> c = Console(file=io.StringIO())
        >>> run_example({"mechanism": "auction.first_price", "input": {"bids": {"a": 1}}}, c)
    """
    mech = mechanism(example["mechanism"], **example.get("params", {}))
    outcome = mech.run(example["input"])
    print_outcome(console, outcome)


def _handler(kind: str) -> Callable[[dict[str, Any], Console], None]:
    if kind not in HANDLERS:
        raise InputError("kind", f"unknown example kind {kind!r} (known: {', '.join(HANDLERS)})")
    module_name, func = HANDLERS[kind].split(":")
    return getattr(importlib.import_module(module_name), func)


def load_examples(directory: Path | None = None) -> list[tuple[Path, dict[str, Any]]]:
    """All example files, sorted by name, parsed.

    Example:
        >>> len(load_examples()) > 0
        True
    """
    directory = directory or examples_dir()
    out = []
    for path in sorted(directory.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as err:
            raise InputError(str(path), f"malformed JSON: {err.msg}") from None
        if isinstance(data, dict) and "title" in data:
            out.append((path, data))
    return out


def run_demo(console: Console, directory: Path | None = None, only: str | None = None) -> int:
    """Run every example (or those whose file name contains ``only``); return how many ran.

    Example:
        >>> from rich.console import Console
        >>> import io
        >>> run_demo(Console(file=io.StringIO()), only="second_price") >= 1
        True
    """
    count = 0
    for path, example in load_examples(directory):
        if only and only not in path.name:
            continue
        console.print(Panel(f"[bold]{example['title']}[/bold]\n{example.get('shows', '')}",
                            title=path.name, expand=False))
        _handler(example.get("kind", "run"))(example, console)
        count += 1
    return count

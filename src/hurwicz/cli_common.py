"""Helpers shared by the ``hurwicz`` command and the subsystem commands that extend it.

Subsystem CLIs (audit, evaluate, credible rounds, ...) import these instead of the top-level
:mod:`hurwicz.cli`, which imports them in turn.

* ``--format table|json|csv`` (:data:`FormatOption`; ``--json`` is ``--format json``):
  :func:`output_format`, :func:`print_json`, :func:`print_csv`;
* ``--progress/--no-progress`` (:data:`ProgressOption`): :func:`progress` shows a bar with an
  ETA on stderr — by default only for tables and only once the work has lasted 2 seconds;
* ``--html FILE`` (:data:`HtmlOption`): :func:`write_html`;
* shell completion of mechanism names: :func:`complete_mechanism_name`.

Example:
    >>> parse_param_pairs(["reserve=1.5", "tie_break=lowest_name", "seeds=[1,2]"])
    {'reserve': 1.5, 'tie_break': 'lowest_name', 'seeds': [1, 2]}
"""

from __future__ import annotations

import contextlib
import json
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from .core.errors import InputError
from .core.outcome import json_parts, to_jsonable

JsonFlag = Annotated[bool, typer.Option("--json", help="Print exactly one JSON document "
                                        "(same as --format json).")]
ParamOption = Annotated[
    list[str] | None,
    typer.Option("--param", "-p", help="Mechanism parameter KEY=VALUE (repeatable)."),
]


class OutputFormat(StrEnum):
    """What a command prints on stdout."""

    table = "table"
    json = "json"
    csv = "csv"


FormatOption = Annotated[OutputFormat | None, typer.Option(
    "--format", case_sensitive=False,
    help="table (default), json (one document) or csv (see docs/outputs.md).")]
ProgressOption = Annotated[bool | None, typer.Option(
    "--progress/--no-progress",
    help="Progress bar with ETA on stderr. Default: shown for tables once the work has lasted "
         "2 s, never with --json or --format csv.")]
HtmlOption = Annotated[Path | None, typer.Option(
    "--html", metavar="FILE", help="Also write a self-contained HTML report with figures "
                                   "(needs the plot extra: matplotlib).")]

#: seconds of work before a progress bar appears by default
PROGRESS_DELAY = 2.0


def output_format(fmt: OutputFormat | str | None, json_flag: bool = False) -> str:
    """The format a command prints: ``--json`` is ``--format json``.

    Example:
        >>> output_format(None), output_format(None, True), output_format(OutputFormat.csv)
        ('table', 'json', 'csv')
    """
    chosen = fmt.value if isinstance(fmt, OutputFormat) else fmt
    if json_flag:
        if chosen not in (None, "json"):
            raise InputError("--format", f"--json means --format json, not --format {chosen}")
        return "json"
    return chosen or "table"


def runs_core_command(argv: Sequence[str] | None = None) -> bool:
    """Whether this process is the command line (the ``hurwicz`` script or ``python -m
    hurwicz``) started for ``hurwicz run``, a command that needs no extension's commands: the
    extensions (and what they import) are then not loaded, so the run starts sooner.

    Example:
        >>> runs_core_command(["/venv/bin/hurwicz", "run", "voting.borda", "b.csv"])
        True
        >>> runs_core_command(["/venv/bin/hurwicz", "audit", "voting.borda"])
        False
    """
    argv = sys.argv if argv is None else argv
    if len(argv) < 2 or argv[1] != "run":
        return False
    script = Path(argv[0])
    return script.name == "hurwicz" or (script.name == "__main__.py"
                                        and script.parent.name == "hurwicz")


def print_json(document: Any, jsonable: bool = False) -> None:
    """Print one JSON document on stdout (no rich markup, no wrapping). ``jsonable`` says
    the document is already plain JSON (e.g. ``Outcome.to_dict()``): no second conversion.

    Example:
        >>> print_json({"a": 1})
        {"a": 1}
    """
    doc = document if jsonable else to_jsonable(document)
    sys.stdout.writelines(json_parts(doc))  # a large document is not copied whole
    sys.stdout.write("\n")
    sys.stdout.flush()


def print_csv(columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> None:
    """Print CSV rows with a header on stdout (see :func:`hurwicz.report.tables.to_csv`).

    Example:
        >>> print_csv(["a", "b"], [{"a": 1, "b": None}])
        a,b
        1,
    """
    from .report.tables import to_csv

    sys.stdout.write(to_csv(columns, rows))
    sys.stdout.flush()


def write_html(path: Path | None, documents: Sequence[Any], quiet: bool = False) -> None:
    """Write the HTML report of ``documents`` to ``path`` (nothing if ``path`` is None) and
    say so on stderr.

    Example:
        >>> write_html(None, [])
    """
    if path is None:
        return
    from .report.html import write_page

    target = write_page(path, documents)
    if not quiet:
        sys.stderr.write(f"wrote {target}\n")


def complete_mechanism_name(incomplete: str) -> list[str]:
    """Registered mechanism names starting with ``incomplete`` (shell completion).

    Example:
        >>> complete_mechanism_name("auction.se")
        ['auction.second_price']
    """
    from .core.registry import names

    return [n for n in names() if n.startswith(incomplete)]


# --- progress -----------------------------------------------------------------------------------
#: ``update(completed, total, label="")``: how far the work is (``total`` None: unknown)
ProgressCallback = Callable[..., None]


def _ignore(completed: float, total: float | None = None, label: str = "") -> None:
    return None


class _Bar:
    """A rich progress bar on stderr that appears after ``delay`` seconds (at once if 0)."""

    def __init__(self, description: str, delay: float) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.description = description
        self.progress = Progress(
            TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
            TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
            console=Console(stderr=True), transient=False, redirect_stdout=False,
            redirect_stderr=False)
        self.task = self.progress.add_task(description, total=None)
        self.lock = threading.Lock()
        self.started = self.closed = False
        self.timer: threading.Timer | None = None
        if delay <= 0:
            self._start()
        else:
            self.timer = threading.Timer(delay, self._start)
            self.timer.daemon = True
            self.timer.start()

    def _start(self) -> None:
        with self.lock:
            if not self.closed and not self.started:
                self.progress.start()
                self.started = True

    def update(self, completed: float, total: float | None = None, label: str = "") -> None:
        description = f"{self.description} {label}".rstrip()
        self.progress.update(self.task, completed=completed, total=total,
                             description=description)

    def close(self, finished: bool) -> None:
        if self.timer is not None:
            self.timer.cancel()
        with self.lock:
            self.closed = True
            if self.started:
                if finished:
                    task = self.progress.tasks[0]
                    total = task.total if task.total is not None else max(task.completed, 1)
                    self.progress.update(self.task, total=total, completed=total,
                                         description=self.description)
                self.progress.stop()


@contextlib.contextmanager
def progress(description: str, enabled: bool | None, fmt: str = "table",
             delay: float = PROGRESS_DELAY) -> Iterator[ProgressCallback]:
    """A progress callback for the engines: with ``--progress`` a bar at once, by default a
    bar only for tables and only after ``delay`` seconds, never with ``--no-progress`` (nor,
    by default, with ``--json`` or ``--format csv``: their stdout is for machines).

    Example:
        >>> with progress("work", enabled=False) as update:
        ...     update(1, 2, "half")
    """
    if enabled is False or (enabled is None and fmt != "table"):
        yield _ignore
        return
    bar = _Bar(description, 0.0 if enabled else delay)
    finished = False
    try:
        yield bar.update
        finished = True
    finally:
        bar.close(finished)


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
        except (RecursionError, ValueError) as err:  # too deep, or a number too long
            raise InputError(f"{field}.{key}", f"cannot be read: {type(err).__name__}: "
                             f"{str(err)[:120]}") from None
    return params

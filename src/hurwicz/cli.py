"""The ``hurwicz`` command line.

Subsystems add their own commands: each module in :data:`EXTENSIONS` that exists defines
``register(app: typer.Typer) -> None``. Any :class:`~hurwicz.core.errors.HurwiczError` becomes
a one-line ``error: field: message`` on stderr and exit code 2, never a traceback.

Example:
    >>> from typer.testing import CliRunner
    >>> result = CliRunner().invoke(app, ["list", "--json"])
    >>> result.exit_code
    0
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from ._version import __version__
from .cli_common import (
    FormatOption,
    HtmlOption,
    JsonFlag,
    ProgressOption,
    complete_mechanism_name,
    output_format,
    parse_param_pairs,
    print_csv,
    print_json,
    progress,
    runs_core_command,
    write_html,
)
from .core.errors import HurwiczError, InputError
from .core.registry import describe, list_mechanisms, mechanism
from .io.inputs import read_input
from .render import describe_table, mechanisms_table, print_outcome, schema_table

app = typer.Typer(
    name="hurwicz",
    help="Mechanism design toolkit: run, audit, simulate, design and credibly execute mechanisms.",
    no_args_is_help=True,
    # --install-completion / --show-completion: shell completion of commands, options and
    # mechanism names
    add_completion=True,
    pretty_exceptions_enable=False,
)
stdout = Console()
stderr = Console(stderr=True)

#: Modules that add commands (``register(app)``) when they exist.
EXTENSIONS = (
    "hurwicz.auditing.cli",
    "hurwicz.mechanisms.voting.cli",
    "hurwicz.mechanisms.voting.axioms_cli",
    "hurwicz.mechanisms.voting.count_cli",
    "hurwicz.mechanisms.elicitation.cli",
    "hurwicz.simulate.cli",
    "hurwicz.design.cli",
    "hurwicz.credible.cli",
    "hurwicz.io.cli",
    "hurwicz.congestion.cli",
    "hurwicz.fl.cli",
    "hurwicz.games.cli",
)

__all__ = ["app", "main", "parse_param_pairs", "print_json"]


def _version_callback(value: bool) -> None:
    if value:
        stdout.print(f"hurwicz {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version_callback, is_eager=True,
                     help="Print the version and exit."),
    ] = False,
) -> None:
    """Mechanism design toolkit."""


@app.command("list")
def list_command(
    json_out: JsonFlag = False,
    family: Annotated[str | None, typer.Option(help="Only this family (auction, voting, ...).")]
    = None,
) -> None:
    """List the registered mechanisms with their parameters and claimed properties."""
    infos = list_mechanisms(family)
    if json_out:
        print_json(infos)
    else:
        stdout.print(mechanisms_table(infos, stdout.width))


NameArgument = Annotated[str, typer.Argument(help="Mechanism name, e.g. auction.second_price.",
                                             autocompletion=complete_mechanism_name)]


@app.command("describe")
def describe_command(
    name: NameArgument,
    json_out: JsonFlag = False,
    example: Annotated[bool, typer.Option(
        "--example", help="Print only a small example input that runs (JSON), e.g. "
                          "hurwicz describe NAME --example > input.json.")] = False,
) -> None:
    """Describe one mechanism: summary, parameters, claims, input schema and an example."""
    from .report.examples import example_input, param_flags, pretty_json, schema_rows

    info = describe(name)
    try:
        data, params = example_input(info["name"])
    except HurwiczError:
        if example:
            raise
        data, params = None, {}  # a mechanism without an example still has a description
    run_line = " ".join(["hurwicz run", info["name"], "input.json", *param_flags(params)])
    if example:
        sys.stdout.write(pretty_json(data) + "\n")
        if params:  # stdout holds the input only; how to run it goes to stderr
            sys.stderr.write(f"run it with: {run_line}\n")
        return
    if json_out:
        print_json({**info, "example": None if data is None else {"input": data,
                                                                  "params": params}})
        return
    stdout.print(describe_table(info))
    stdout.print(schema_table(info["name"], schema_rows(info["input_schema"])))
    if data is not None:
        stdout.print(Text.assemble(("example input", "bold"), " — save it with: hurwicz "
                                   f"describe {info['name']} --example > input.json"),
                     soft_wrap=True)
        stdout.print(Text(pretty_json(data)), soft_wrap=True)
        stdout.print(Text(f"run it with: {run_line}"), soft_wrap=True)
    if info["doc"]:
        stdout.print(info["doc"], markup=False, highlight=False)


@app.command("run")
def run_command(
    name: NameArgument,
    input_path: Annotated[str, typer.Argument(metavar="INPUT", help="Input file, or - for stdin.")],
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="Parameter KEY=VALUE (repeatable).")
    ] = None,
    json_out: JsonFlag = False,
    fmt: FormatOption = None,
    html: HtmlOption = None,
    show_progress: ProgressOption = None,
) -> None:
    """Run a mechanism on an input file and print the outcome (csv: one row per agent)."""
    kind = output_format(fmt, json_out)
    mech = mechanism(name, **parse_param_pairs(param))
    data = read_input(input_path, name)
    with progress(f"running {name}", show_progress, kind):
        outcome = mech.run(data)
    write_html(html, [outcome])
    if kind == "json":
        print_json(outcome.to_dict(), jsonable=True)
    elif kind == "csv":
        print_csv(*outcome.rows())
    else:
        print_outcome(stdout, outcome)


@app.command("report")
def report_command(
    documents: Annotated[list[Path], typer.Argument(
        metavar="JSON...", help="Outputs of hurwicz run, audit or evaluate with --json.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The HTML file to write.")],
    title: Annotated[str | None, typer.Option(help="Page title.")] = None,
) -> None:
    """Write a self-contained HTML report (tables and figures) of saved JSON outputs."""
    from .report.html import kind_of, write_page

    docs = []
    for path in documents:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except OSError as err:
            raise InputError(str(path), f"cannot read: {err.strerror or err}") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise InputError(str(path), f"malformed JSON: {err}") from None
        kind_of(doc)
        docs.append(doc)
    target = write_page(out, docs, title)
    stderr.print(f"wrote {target}", highlight=False)


@app.command("demo")
def demo_command(
    directory: Annotated[
        Path | None, typer.Option("--dir", help="Directory of example scenarios.")
    ] = None,
    only: Annotated[str | None, typer.Option(help="Only examples whose file name contains this.")]
    = None,
) -> None:
    """Run the bundled examples end to end and explain what each one shows."""
    from .demo import run_demo

    count = run_demo(stdout, directory, only)
    stdout.print(f"[bold green]{count} example(s) ran.[/bold green]")
    if count == 0:
        raise InputError("examples", "no example matched")


def _load_extensions() -> None:
    if runs_core_command():  # `hurwicz run` needs no extension: a faster start
        return
    for module_name in EXTENSIONS:
        if importlib.util.find_spec(module_name) is not None:
            importlib.import_module(module_name).register(app)


_load_extensions()


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``hurwicz`` script: exit 2 with one line on any input problem.

    Example:
        >>> try:
        ...     main(["run", "auction.nope", "x.json"])
        ... except SystemExit as exit_:
        ...     exit_.code
        2
    """
    try:
        # without standalone mode, click returns typer.Exit's code instead of exiting
        code = app(args=argv, standalone_mode=False, prog_name="hurwicz")
    except HurwiczError as err:
        sys.stderr.write(f"error: {err}\n")
        sys.exit(2)
    except (BrokenPipeError, KeyboardInterrupt):
        sys.exit(130)
    except Exception as err:
        # typer raises click's exceptions (vendored in recent typer): usage errors have
        # show()/exit_code, Exit has exit_code, Abort has neither.
        if hasattr(err, "show") and hasattr(err, "exit_code"):
            err.show()
            sys.exit(err.exit_code)
        if type(err).__name__ == "Exit" and hasattr(err, "exit_code"):
            sys.exit(err.exit_code)
        if type(err).__name__ == "Abort":
            sys.exit(130)
        raise
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()

"""Every code block in README.md and docs/**/*.md runs (issue #13, "documentation that runs").

Per document, the fenced blocks run in document order, in a fresh temporary directory that
holds a link to ``examples/`` (so a block may name ``examples/...`` files and write its own):

* ``python`` blocks share one namespace per document. A top-level expression whose line ends
  in a comment that is a Python literal (``out.allocation   # {'alice': 1, 'bob': 0}``) must
  evaluate to exactly that value; other comments are prose.
* ``bash``, ``sh``, ``shell`` and ``console`` blocks: every command must be a ``hurwicz ...``
  command (in a ``console`` block, only ``$ `` lines are commands; the rest is output). Each
  runs in-process through :func:`hurwicz.cli.main` and must exit 0, or the code a trailing
  ``# exit N`` comment (or an ``<!-- expect: exit N -->`` marker before the block) names.
* ``json`` blocks must parse.

A block that must not run (a server, ``pip install``, a benchmark) is preceded by
``<!-- no-run: why -->``; the reason is required. Any other language is not executed.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import re
import shlex
import tokenize
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCUMENTS = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]

SHELL = {"bash", "sh", "shell", "console"}
FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`\s]*)")
# only these HTML comments are markers; any other comment is prose
MARKER = re.compile(r"^\s*<!--\s*(?P<body>(?:no-run|expect)\b.*?)\s*-->\s*$")
EXIT_COMMENT = re.compile(r"^exit\s+(\d+)\b")


def _rel(path: Path) -> str:
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


@dataclass
class Block:
    path: Path
    line: int  # 1-based line of the opening fence
    language: str
    code: str
    markers: list[str] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{_rel(self.path)}:{self.line}"

    def marker(self, name: str) -> str | None:
        for text in self.markers:
            key, _, value = text.partition(":")
            if key.strip() == name:
                return value.strip()
        return None


def parse_blocks(path: Path) -> list[Block]:
    """The fenced code blocks of a Markdown file, with the ``<!-- ... -->`` markers just
    above each (blank lines between a marker and its fence are allowed)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    pending: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        match = FENCE.match(line)
        if match is None:
            marker = MARKER.match(line)
            if marker:
                pending.append(marker["body"])
            elif line.strip() and pending:
                raise AssertionError(f"{_rel(path)}:{i + 1}: marker(s) {pending} "
                                     "are not directly above a code block")
            i += 1
            continue
        fence, indent = match["fence"], len(match["indent"])
        body: list[str] = []
        i += 1
        while i < len(lines) and not lines[i].strip().startswith(fence):
            text = lines[i]
            body.append(text[indent:] if text[:indent].strip() == "" else text.lstrip())
            i += 1
        blocks.append(Block(path, i - len(body), match["info"].lower(), "\n".join(body) + "\n",
                            pending))
        pending = []
        i += 1
    if pending:
        raise AssertionError(f"{_rel(path)}: marker(s) {pending} at the end of the "
                             "file are not above a code block")
    return blocks


# --- python -----------------------------------------------------------------------------------
def _comments(code: str) -> dict[int, str]:
    out = {}
    for tok in tokenize.generate_tokens(io.StringIO(code).readline):
        if tok.type == tokenize.COMMENT:
            out[tok.start[0]] = tok.string.lstrip("#").strip()
    return out


def _expected(comment: str | None) -> tuple[bool, Any]:
    if not comment:
        return False, None
    try:
        return True, ast.literal_eval(comment)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False, None


def _same(got: Any, want: Any) -> bool:
    try:
        return bool(got == want)
    except ValueError:  # numpy arrays
        import numpy as np

        return bool(np.array_equal(np.asarray(got), np.asarray(want)))


def run_python(block: Block, namespace: dict[str, Any]) -> None:
    try:
        tree = ast.parse(block.code, filename=block.where)
    except SyntaxError as err:
        raise AssertionError(f"{block.where}: not valid Python: {err}") from None
    comments = _comments(block.code)
    for stmt in tree.body:
        where = f"{_rel(block.path)}:{block.line + stmt.lineno}"
        source = ast.get_source_segment(block.code, stmt)
        try:
            if isinstance(stmt, ast.Expr):
                value = eval(compile(ast.Expression(stmt.value), where, "eval"), namespace)
            else:
                exec(compile(ast.Module([stmt], type_ignores=[]), where, "exec"), namespace)
                continue
        except Exception as err:
            raise AssertionError(f"{where}: `{source}` raised "
                                 f"{type(err).__name__}: {err}") from err
        has_literal, want = _expected(comments.get(stmt.end_lineno))
        if has_literal and not _same(value, want):
            raise AssertionError(f"{where}: `{source}` gives {value!r}, the document says "
                                 f"{want!r}")


# --- shell -------------------------------------------------------------------------------------
@dataclass
class Command:
    line: int
    argv: list[str]
    expect: int


def shell_commands(block: Block) -> list[Command]:
    default = 0
    if (expect := block.marker("expect")) is not None:
        found = EXIT_COMMENT.match(expect)
        assert found, f"{block.where}: marker `expect: {expect}` should read `expect: exit N`"
        default = int(found[1])
    lines = block.code.splitlines()
    prompts = block.language == "console" and any(x.startswith("$ ") for x in lines)
    commands, pending, start = [], "", 0
    for offset, raw in enumerate(lines, start=1):
        if prompts and not pending:
            if not raw.startswith("$ "):
                continue  # program output
            raw = raw[2:]
        if not pending:
            start = offset
        if raw.rstrip().endswith("\\"):
            pending += raw.rstrip()[:-1] + " "
            continue
        text, pending = pending + raw, ""
        lexer = shlex.shlex(text, posix=True, punctuation_chars=False)
        lexer.whitespace_split, lexer.commenters = True, ""
        words = list(lexer)
        argv, comment = [], ""
        for k, word in enumerate(words):
            if word.startswith("#"):
                comment = " ".join(words[k:]).lstrip("#").strip()
                break
            argv.append(word)
        if not argv:
            continue
        where = f"{_rel(block.path)}:{block.line + start}"
        assert argv[0] == "hurwicz", (
            f"{where}: `{text.strip()}` is not a hurwicz command: make the block runnable, or "
            "put <!-- no-run: why --> above it")
        found = EXIT_COMMENT.match(comment)
        commands.append(Command(block.line + start, argv[1:], int(found[1]) if found else default))
    return commands


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    from hurwicz.cli import main

    out, err = io.StringIO(), io.StringIO()
    code: int | str | None = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(argv)
        except SystemExit as exit_:
            code = exit_.code
    if code is not None and not isinstance(code, int):
        err.write(str(code))
        code = 1
    return int(code or 0), out.getvalue(), err.getvalue()


def run_shell(block: Block) -> None:
    for command in shell_commands(block):
        code, out, err = run_cli(command.argv)
        where = f"{_rel(block.path)}:{command.line}"
        assert code == command.expect, (
            f"{where}: `hurwicz {shlex.join(command.argv)}` exited {code}, the document expects "
            f"{command.expect}\n--- stdout ---\n{out[-3000:]}\n--- stderr ---\n{err[-3000:]}")


# --- the tests ---------------------------------------------------------------------------------
@pytest.fixture
def doc_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "examples").symlink_to(REPO / "examples", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: str(p.relative_to(REPO)))
def test_document_code_blocks_run(path: Path, doc_dir: Path) -> None:
    namespace: dict[str, Any] = {"__name__": "__doc_block__"}
    for block in parse_blocks(path):
        if block.marker("no-run") is not None:
            continue
        if block.language == "python":
            run_python(block, namespace)
        elif block.language in SHELL:
            run_shell(block)
        elif block.language == "json":
            try:
                json.loads(block.code)
            except json.JSONDecodeError as err:
                raise AssertionError(f"{block.where}: invalid JSON: {err}") from None


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: str(p.relative_to(REPO)))
def test_skipped_blocks_say_why(path: Path) -> None:
    for block in parse_blocks(path):
        for text in block.markers:
            key, colon, value = text.partition(":")
            if key.strip() == "no-run":
                assert colon and value.strip(), (
                    f"{block.where}: say why the block must not run: <!-- no-run: reason -->")


def test_runner_checks_what_it_claims(tmp_path: Path) -> None:
    doc = tmp_path / "x.md"
    doc.write_text(
        "<!-- a comment, not a marker -->\nText.\n"
        "<!-- no-run: a server -->\n```bash\nhurwicz serve\n```\n\n"
        "<!-- expect: exit 2 -->\n\n```bash\nhurwicz run auction.nope x.json\n```\n"
        "```console\n$ hurwicz list --json   # exit 0\nsome output\n```\n"
        "```python\nx = 1 + 1\nx   # 2\n```\n")
    blocks = parse_blocks(doc)
    assert [b.language for b in blocks] == ["bash", "bash", "console", "python"]
    assert blocks[0].marker("no-run") == "a server"
    assert [c.expect for c in shell_commands(blocks[1])] == [2]
    run_shell(blocks[1])  # exits 2, as the marker says
    assert [c.argv for c in shell_commands(blocks[2])] == [["list", "--json"]]
    run_python(blocks[3], {})
    wrong = Block(doc, 1, "python", "y = 3\ny   # 4\n")
    with pytest.raises(AssertionError, match="the document says 4"):
        run_python(wrong, {})
    with pytest.raises(AssertionError, match="not a hurwicz command"):
        shell_commands(Block(doc, 1, "bash", "make test\n"))
    with pytest.raises(AssertionError, match="exited 2, the document expects 0"):
        run_shell(Block(doc, 1, "bash", "hurwicz run auction.nope nothing.json\n"))

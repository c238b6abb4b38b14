"""The JSON reader is strict and every problem is one line (issue #13, "Inputs: strict, and
nothing silently changed"): a duplicate key is an error naming its path (Python's json keeps the
last value silently), a byte-order mark is accepted, and deep nesting, huge number literals,
NaN and Infinity end in `error: ...` with exit code 2, never a traceback."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

import hurwicz as hz
from hurwicz.cli import main
from hurwicz.core.errors import InputError
from hurwicz.io.inputs import parse_json_text, read_input


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(args)
    captured = capsys.readouterr()
    return int(exit_.value.code or 0), captured.out, captured.err


def one_line_error(err: str) -> bool:
    return err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize(("text", "field"), [
    ('{"bids": {"alice": 10, "alice": 8}}', "bids.alice"),
    ('{"bids": {"alice": 10}, "bids": {"bob": 8}}', "bids"),
    ('{"contributions": [{"contributor": "a", "project": "p", "amount": 1, "amount": 2}]}',
     "contributions.0.amount"),
    ('{"x": [[{"k": 1}, {"k": 1, "k": 2}]]}', "x.0.1.k"),
])
def test_a_duplicate_key_is_an_error_naming_its_path(text: str, field: str) -> None:
    with pytest.raises(InputError) as err:
        parse_json_text(text, "in.json")
    assert err.value.field == field
    assert str(err.value) == f"{field}: duplicate key in in.json"


def test_a_duplicate_key_is_refused_in_files_and_on_stdin(tmp_path: Path, capsys,
                                                          monkeypatch) -> None:
    path = tmp_path / "bids.json"
    path.write_text('{"bids": {"alice": 10, "alice": 8}}')
    with pytest.raises(InputError, match=r"^bids\.alice: duplicate key"):
        read_input(path)
    code, out, err = run_cli(["run", "auction.second_price", str(path)], capsys)
    assert code == 2 and out == "" and one_line_error(err)
    assert err.startswith("error: bids.alice: duplicate key")
    monkeypatch.setattr("sys.stdin", io.StringIO('{"bids": {"alice": 10, "alice": 8}}'))
    code, _, err = run_cli(["run", "auction.second_price", "-"], capsys)
    assert code == 2 and err == "error: bids.alice: duplicate key in stdin\n"


def test_equal_values_under_different_keys_are_fine() -> None:
    assert parse_json_text('{"a": {"k": 1}, "b": {"k": 1}}', "x") == {"a": {"k": 1},
                                                                        "b": {"k": 1}}


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"bids": {"a": 3, "b": 1}}).encode())
    data = read_input(path)
    assert hz.mechanism("auction.second_price").run(data).payments == {"a": 1.0, "b": 0.0}


def deep(levels: int, kind: str) -> str:
    if kind == "array":
        return '{"bids": ' + "[" * levels + "]" * levels + "}"
    return '{"bids": {"a": ' + '{"x": ' * levels + "1" + "}" * levels + "}}"


@pytest.mark.parametrize("kind", ["array", "object"])
@pytest.mark.parametrize("levels", [1_000, 100_000])
def test_deeply_nested_json_is_one_line_through_the_cli(tmp_path: Path, capsys, kind: str,
                                                        levels: int) -> None:
    path = tmp_path / "deep.json"
    path.write_text(deep(levels, kind))
    code, out, err = run_cli(["run", "auction.second_price", str(path)], capsys)
    assert code == 2 and out == "" and one_line_error(err), err[:500]
    assert "nested too deeply" in err


def test_deeply_nested_json_in_a_fresh_process(tmp_path: Path) -> None:
    """The console entry point, where the stack is shallow: still one line, exit 2."""
    path = tmp_path / "deep.json"
    path.write_text(deep(1_000, "array"))
    done = subprocess.run([sys.executable, "-m", "hurwicz", "run", "auction.second_price",
                           str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stdout == "" and one_line_error(done.stderr)
    assert "nested too deeply" in done.stderr


def test_deep_python_input_is_refused_without_recursion() -> None:
    """Through the Python API the data may be deeper than json allows: the error message must
    not try to print it whole."""
    node: object = 1
    for _ in range(20_000):
        node = {"x": node}
    with pytest.raises(InputError) as err:
        hz.mechanism("auction.second_price").run({"bids": {"a": node}})
    assert err.value.field == "bids.a" and len(str(err.value)) < 300


@pytest.mark.parametrize(("text", "words"), [
    ('{"bids": {"a": NaN}}', "bids.a: Input should be a finite number"),
    ('{"bids": {"a": Infinity}}', "bids.a: Input should be a finite number"),
    ('{"bids": {"a": -Infinity}}', "bids.a"),
    ('{"bids": {"a": 1e400}}', "bids.a: Input should be a finite number"),
    ('{"bids": {"a": 1e308}}', "bids.a: Input should be less than or equal to"),
    ('{"bids": {"a": ' + "9" * 5000 + "}}", "number literal is longer than"),
    ('{"bids": {"a": 1, "a": 2}}', "bids.a: duplicate key"),
    ('{"bids": {"a\\u202eb": 1}}', "RIGHT-TO-LEFT OVERRIDE"),
    ('{"bids": {"a\\nb": 1}}', "U+000A"),
    ('{"bids": {"\\ud800": 1}}', "bids: Input should be a valid string"),
    ('{"bids": [1, 2]}', "bids: Input should be a valid dictionary"),
    ("[1, 2]", "input: must be a JSON object"),
    ('{"bids": {"a": 1}', "malformed JSON"),
])
def test_every_bad_json_path_gives_one_line(tmp_path: Path, capsys, text: str,
                                            words: str) -> None:
    path = tmp_path / "in.json"
    path.write_text(text)
    code, out, err = run_cli(["run", "auction.second_price", str(path), "--json"], capsys)
    assert code == 2 and out == "" and one_line_error(err), err[:500]
    assert words in err


def test_bytes_that_are_not_utf8_give_one_line(tmp_path: Path, capsys) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes('{"bids": {"Zoë": 1}}'.encode("latin-1"))
    code, _, err = run_cli(["run", "auction.second_price", str(path)], capsys)
    assert code == 2 and one_line_error(err) and "not UTF-8" in err

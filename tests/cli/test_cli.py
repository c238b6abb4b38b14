"""The ``hurwicz`` command: JSON output, tables, and exit code 2 with one line on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hurwicz import __version__
from hurwicz.cli import main, parse_param_pairs
from hurwicz.core.errors import InputError


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(args)
    captured = capsys.readouterr()
    return int(exit_.value.code or 0), captured.out, captured.err


@pytest.fixture
def bids_file(tmp_path: Path) -> Path:
    path = tmp_path / "bids.json"
    path.write_text(json.dumps({"bids": {"alice": 10, "bob": 8, "carol": 5}}))
    return path


def test_list_json_is_one_document_with_metadata(capsys) -> None:
    code, out, err = run_cli(["list", "--json"], capsys)
    assert code == 0 and err == ""
    infos = json.loads(out)
    by_name = {i["name"]: i for i in infos}
    assert by_name["auction.second_price"]["claims"] == ["dsic", "ir", "efficient",
                                                         "budget_balance"]
    assert {"name", "family", "summary", "params", "claims"} <= set(by_name["auction.dutch"])


def test_list_human_table(capsys) -> None:
    code, out, _ = run_cli(["list"], capsys)
    assert code == 0 and "auction.first_price" in out and "hurwicz mechanisms" in out


def test_describe(capsys) -> None:
    code, out, _ = run_cli(["describe", "auction.english"], capsys)
    assert code == 0 and "increment" in out and "Ascending" in out
    code, out, _ = run_cli(["describe", "auction.english", "--json"], capsys)
    assert json.loads(out)["input_schema"]["required"] == ["bids"]


def test_run_json_prints_exactly_the_outcome(bids_file: Path, capsys) -> None:
    code, out, err = run_cli(["run", "auction.second_price", str(bids_file), "--json",
                              "--param", "reserve=9"], capsys)
    assert code == 0 and err == ""
    assert out.count("\n") == 1
    doc = json.loads(out)
    assert doc == {
        "mechanism": "auction.second_price",
        "params": {"reserve": 9.0, "tie_break": "lowest_name"},
        "allocation": {"alice": 1, "bob": 0, "carol": 0},
        "payments": {"alice": 9.0, "bob": 0.0, "carol": 0.0},
        "result": {"winners": ["alice"], "sold": True, "price": 9.0},
        "metrics": {"welfare": 10.0, "revenue": 9.0},
    }


def test_run_human_table(bids_file: Path, capsys) -> None:
    code, out, _ = run_cli(["run", "auction.first_price", str(bids_file)], capsys)
    assert code == 0 and "alice" in out and "revenue" in out


@pytest.mark.parametrize(
    ("content", "args", "words"),
    [
        ('{"bids": {"a": -3}}', [], "bids.a"),
        ('{"bids": {"a": "x"}}', [], "bids.a: Input should be a valid number"),
        ('{"bids": ', [], "malformed JSON"),
        ('{"offers": {"a": 1}}', [], "bids: required field is missing"),
        ('{"bids": {"a": 1}}', ["--param", "reservve=1"], "params.reservve: unknown parameter"),
        ('{"bids": {"a": 1}}', ["--param", "reserve=abc"], "params.reserve"),
        ('{"bids": {"a": 1}}', ["--param", "reserve"], "expected KEY=VALUE"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path: Path, capsys, content, args, words) -> None:
    path = tmp_path / "in.json"
    path.write_text(content)
    code, out, err = run_cli(["run", "auction.second_price", str(path), *args], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: ") and words in err
    assert "Traceback" not in err


def test_unknown_mechanism_and_missing_file(bids_file: Path, capsys) -> None:
    code, _, err = run_cli(["run", "auction.vikrey", str(bids_file)], capsys)
    assert code == 2 and "unknown mechanism 'auction.vikrey'" in err
    code, _, err = run_cli(["run", "auction.first_price", "/no/such/file.json"], capsys)
    assert code == 2 and "file not found" in err


def test_version_and_usage_errors(capsys) -> None:
    code, out, _ = run_cli(["--version"], capsys)
    assert code == 0 and __version__ in out
    code, _, err = run_cli(["run"], capsys)
    assert code == 2 and "Missing argument" in err


def test_demo_runs_every_example(capsys) -> None:
    code, out, _ = run_cli(["demo"], capsys)
    assert code == 0
    examples = sorted(Path(__file__).resolve().parents[2].joinpath("examples").glob("*.json"))
    assert f"{len(examples)} example(s) ran." in out
    for path in examples:
        assert path.name in out


def test_param_pairs_parse_json_values() -> None:
    assert parse_param_pairs(["a=1", "b=x", "c=null"]) == {"a": 1, "b": "x", "c": None}
    with pytest.raises(InputError, match="given twice"):
        parse_param_pairs(["a=1", "a=2"])


def test_console_script_end_to_end(bids_file: Path) -> None:
    """The real entry point in a subprocess: stdout holds only JSON, errors exit 2."""
    ok = subprocess.run([sys.executable, "-m", "hurwicz.cli", "run", "auction.dutch",
                         str(bids_file), "--json", "-p", "increment=0.5"],
                        capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["payments"]["alice"] == 10.0
    bad = subprocess.run([sys.executable, "-m", "hurwicz.cli", "run", "auction.dutch", "-"],
                         input="[", capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and bad.stderr.startswith("error: stdin: malformed JSON")

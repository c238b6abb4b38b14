"""Outputs people read (issue #13 §3): tables that never cut names, one summary line per field,
``--format table|json|csv``, progress bars on stderr only, ``describe`` with a schema and an
example input that runs, and shell completion."""

from __future__ import annotations

import csv
import io
import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rich.console import Console

import hurwicz as hz
from hurwicz.cli import main
from hurwicz.cli_common import output_format, progress
from hurwicz.core.errors import InputError
from hurwicz.core.outcome import Outcome
from hurwicz.render import print_outcome, summary_lines
from hurwicz.report.examples import example_params

ROOT = Path(__file__).resolve().parents[2]
CONTRIBUTIONS = ROOT / "examples" / "inputs" / "contributions.csv"
# other test modules register throwaway mechanisms (families "test..."): not ours
NAMES = [n for n in hz.names() if not n.startswith("test")]


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(args)
    captured = capsys.readouterr()
    return int(exit_.value.code or 0), captured.out, captured.err


def hurwicz(*args: str, columns: int | None = 80, **env: str) -> subprocess.CompletedProcess:
    """``python -m hurwicz ARGS`` with stdout and stderr piped (not a TTY)."""
    environ = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    if columns is not None:
        environ["COLUMNS"] = str(columns)
    environ.update(env)
    return subprocess.run([sys.executable, "-m", "hurwicz", *args], capture_output=True,
                          text=True, encoding="utf-8", env=environ, timeout=120, check=False)


@pytest.fixture
def bids_file(tmp_path: Path) -> Path:
    path = tmp_path / "bids.json"
    path.write_text(json.dumps({"bids": {"Zoë": 10, "Åsa": 8, "carol": 5}}), encoding="utf-8")
    return path


# --- tables never cut names ---------------------------------------------------------------------
@pytest.mark.parametrize("columns", [80, None])
def test_list_shows_every_full_name_at_80_columns_when_piped(columns: int | None) -> None:
    done = hurwicz("list", columns=columns)
    assert done.returncode == 0, done.stderr
    assert "…" not in done.stdout
    assert max(len(line) for line in done.stdout.splitlines()) <= 80
    cells = {cell.strip() for line in done.stdout.splitlines() for cell in line.split("│")}
    for name in NAMES:
        assert name in cells, name  # whole, in a cell of its own


def test_list_wide_terminal_has_the_family_column() -> None:
    done = hurwicz("list", columns=160)
    assert "family" in done.stdout.splitlines()[2]
    assert "funding.cluster_match_projects" in done.stdout


def test_long_agent_names_and_values_wrap_instead_of_being_cut(tmp_path: Path) -> None:
    name = "a-very-long-bidder-name-that-goes-on-and-on-" + "x" * 60
    path = tmp_path / "long.json"
    path.write_text(json.dumps({"bids": {name: 3, "b": 1}}))
    done = hurwicz("run", "auction.second_price", str(path))
    assert done.returncode == 0 and "…" not in done.stdout
    first_column = "".join(line.split("│")[1].strip() for line in done.stdout.splitlines()
                           if line.startswith("│"))
    assert name in first_column
    assert f'winners: ["{name}"]' in done.stdout.splitlines()  # the summary line is whole


def test_summary_is_one_key_value_line_per_field_in_unicode(bids_file: Path, capsys) -> None:
    code, out, _ = run_cli(["run", "auction.second_price", str(bids_file)], capsys)
    assert code == 0
    lines = out.splitlines()
    assert 'winners: ["Zoë"]' in lines and "price: 8" in lines and "revenue: 8" in lines
    assert "\\u" not in out


def test_summary_has_no_key_twice_and_full_width_lines(capsys) -> None:
    code, out, _ = run_cli(["run", "funding.quadratic", str(CONTRIBUTIONS), "-p", "pool=100"],
                           capsys)
    assert code == 0
    summary = [line for line in out.splitlines() if ": " in line and "│" not in line]
    keys = [line.split(": ", 1)[0] for line in summary]
    assert len(keys) == len(set(keys))
    # result.contributions (per project) and metrics.contributions (the total) both shown
    assert "contributions" in keys and "metrics.contributions" in keys
    # result.unspent == metrics.unspent: shown once
    assert keys.count("unspent") == 1
    matching = next(line for line in summary if line.startswith("matching: "))
    assert json.loads(matching.split(": ", 1)[1]) == {"clean-water": 24.9388, "open-maps": 20.0,
                                                     "park-bench": 48.0}


def test_summary_never_prints_negative_zero() -> None:
    out = Outcome("m", {}, {"a": 0}, {"a": -0.0}, {"price": -0.0, "xs": [-0.0, 1.5]},
                  {"revenue": -0.0})
    lines = summary_lines(out)
    assert lines == ["price: 0", "xs: [0.0, 1.5]", "revenue: 0"]
    console = Console(file=io.StringIO(), width=30)
    print_outcome(console, out)  # the payment column too
    assert "-0" not in console.file.getvalue()
    console = Console(file=io.StringIO(), width=30)
    long = Outcome("m", {}, {"a": 0}, {"a": 0.0}, {"ranking": [f"name {i}" for i in range(9)]})
    print_outcome(console, long)
    # a long summary line is not wrapped into several lines, even at 30 columns
    assert any(line.startswith("ranking: [") and line.endswith('"name 8"]')
               for line in console.file.getvalue().splitlines())


# --- --format -----------------------------------------------------------------------------------
def test_json_is_an_alias_of_format_json(bids_file: Path, capsys) -> None:
    _, as_json, _ = run_cli(["run", "auction.second_price", str(bids_file), "--json"], capsys)
    _, as_format, _ = run_cli(["run", "auction.second_price", str(bids_file), "--format",
                               "json"], capsys)
    assert as_json == as_format and json.loads(as_json)["result"]["winners"] == ["Zoë"]
    code, out, err = run_cli(["run", "auction.second_price", str(bids_file), "--json",
                              "--format", "csv"], capsys)
    assert code == 2 and out == "" and err.startswith("error: --format")
    assert output_format(None) == "table"
    with pytest.raises(InputError):
        output_format("table", True)


def parse_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_run_csv_has_one_row_per_agent_with_per_agent_result_fields(tmp_path: Path,
                                                                    capsys) -> None:
    path = tmp_path / "gsp.json"
    path.write_text(json.dumps({"slots": [1.0, 0.5], "bids": {"a": 3, "b": 2, "c": 1}}))
    code, out, err = run_cli(["run", "auction.gsp", str(path), "--format", "csv"], capsys)
    assert code == 0 and err == ""
    rows = parse_csv(out)
    outcome = hz.mechanism("auction.gsp").run(json.loads(path.read_text()))
    assert [r["agent"] for r in rows] == list(outcome.allocation)
    assert list(rows[0]) == ["agent", "allocation", "payment", "price_per_click", "clicks"]
    for r in rows:
        agent = r["agent"]
        assert float(r["payment"]) == outcome.payments[agent]
        assert float(r["price_per_click"]) == outcome.result["price_per_click"][agent]
        allocation = outcome.allocation[agent]
        assert r["allocation"] == ("" if allocation is None else str(allocation))


def test_run_csv_writes_lists_as_json_and_unicode_as_is(bids_file: Path, capsys) -> None:
    path = bids_file.with_name("combinatorial.json")
    path.write_text(json.dumps({"items": ["x", "y"], "bids": {
        "Zoë": [{"bundle": ["x", "y"], "value": 5}], "b": [{"bundle": ["x"], "value": 3}]}}),
        encoding="utf-8")
    code, out, _ = run_cli(["run", "auction.vcg", str(path), "--format", "csv"], capsys)
    assert code == 0
    rows = {r["agent"]: r for r in parse_csv(out)}
    assert json.loads(rows["Zoë"]["allocation"]) == ["x", "y"]


def test_audit_csv_has_one_row_per_check(capsys) -> None:
    code, out, err = run_cli(["audit", "auction.first_price", "--agents", "2", "--prior",
                              "uniform:0,1", "--properties", "dsic,ir", "--samples", "300",
                              "--format", "csv"], capsys)
    assert code == 0 and err == ""
    rows = parse_csv(out)
    assert [r["property"] for r in rows] == ["dsic", "ir"]
    assert rows[0]["verdict"] == "violated" and rows[0]["holds"] == "false"
    assert rows[1]["verdict"] == "holds" and rows[1]["profiles"] == "300"
    assert float(rows[0]["max_gain"]) > 0
    assert json.loads(rows[0]["counterexample"])["agent"] in ("a1", "a2")
    assert json.loads(rows[1]["budget"])["methods"] == ["abstain"]


def test_evaluate_csv_has_one_row_per_quantity(capsys) -> None:
    code, out, _ = run_cli(["evaluate", "auction.second_price", "--agents", "2", "--samples",
                            "2000", "--format", "csv"], capsys)
    assert code == 0
    rows = parse_csv(out)
    assert [r["quantity"] for r in rows] == ["revenue", "welfare", "efficiency",
                                             "optimal_welfare", "utility", "utility"]
    assert [r["agent"] for r in rows][-2:] == ["1", "2"]
    _, doc, _ = run_cli(["evaluate", "auction.second_price", "--agents", "2", "--samples",
                         "2000", "--json"], capsys)
    assert float(rows[0]["mean"]) == json.loads(doc)["revenue"]["mean"]


def test_explain_formats(capsys) -> None:
    args = ["explain", "funding.quadratic", str(CONTRIBUTIONS), "-p", "pool=100"]
    code, table, _ = run_cli(args, capsys)
    assert code == 0 and "clean-water" in table and "match per project" in table
    _, as_json, _ = run_cli([*args, "--json"], capsys)
    doc = json.loads(as_json)
    _, as_csv, _ = run_cli([*args, "--format", "csv"], capsys)
    projects = parse_csv(as_csv)
    assert [r["project"] for r in projects] == [p["project"] for p in doc["projects"]]
    assert [float(r["match_after_caps"]) for r in projects] == [
        p["match_after_caps"] for p in doc["projects"]]
    _, per_contribution, _ = run_cli([*args, "--format", "csv", "--rows", "contributions"],
                                     capsys)
    assert len(parse_csv(per_contribution)) == len(doc["contributions"])
    code, table, _ = run_cli([*args, "--rows", "contributions"], capsys)
    assert code == 0 and "match per contribution" in table and "alice" in table


# --- progress -----------------------------------------------------------------------------------
def test_json_stdout_stays_one_document_while_progress_goes_to_stderr(capsys) -> None:
    args = ["audit", "auction.first_price", "--agents", "2", "--prior", "uniform:0,1",
            "--properties", "dsic,ir", "--samples", "300", "--json"]
    code, out, err = run_cli([*args, "--progress"], capsys)
    assert code == 0 and out.count("\n") == 1 and json.loads(out)["checks"]
    assert "auditing auction.first_price" in err and "100%" in err
    code, out, err = run_cli(args, capsys)  # silent by default with --json
    assert code == 0 and err == ""
    code, out, err = run_cli(["evaluate", "auction.second_price", "--samples", "2000",
                              "--format", "csv", "--progress"], capsys)
    assert code == 0 and "evaluating auction.second_price" in err and "ETA" in err
    assert out.startswith("quantity,agent,mean,stderr\n")


def test_progress_of_run_in_a_subprocess(bids_file: Path) -> None:
    done = hurwicz("run", "auction.second_price", str(bids_file), "--json", "--progress")
    assert done.returncode == 0 and json.loads(done.stdout)["mechanism"]
    assert "running auction.second_price" in done.stderr
    quiet = hurwicz("run", "auction.second_price", str(bids_file), "--json")
    assert quiet.stderr == "" and quiet.stdout == done.stdout


def test_progress_appears_only_once_the_work_lasts(capsys) -> None:
    with progress("quick", enabled=None, delay=5.0) as update:
        update(1, 1)
    assert capsys.readouterr().err == ""
    with progress("slow", enabled=None, delay=0.05) as update:
        update(1, 4, "first")
        time.sleep(0.3)
        update(4, 4)
    assert "slow" in capsys.readouterr().err
    with progress("never", enabled=None, fmt="json", delay=0.0) as update:
        update(1, 1)
    with progress("never", enabled=False, delay=0.0) as update:
        update(1, 1)
    assert capsys.readouterr().err == ""


def test_engines_report_progress() -> None:
    calls: list[tuple] = []
    hz.audit("auction.second_price", agents=2, prior="uniform:0,1", properties=["dsic", "ir"],
             samples=200, progress=lambda *a: calls.append(a))
    assert calls == [(0, 2, "dsic"), (1, 2, "ir"), (2, 2, "")]
    seen: list[tuple] = []
    hz.evaluate("auction.second_price", agents=2, prior="uniform:0,1", samples=120_000,
                progress=lambda *a: seen.append(a))
    assert [s[0] for s in seen] == [0, 50_000, 100_000, 120_000]
    assert {s[1] for s in seen} == {120_000}


# --- describe -----------------------------------------------------------------------------------
def test_describe_shows_schema_and_example(capsys) -> None:
    code, out, _ = run_cli(["describe", "funding.quadratic"], capsys)
    assert code == 0
    assert "input of funding.quadratic" in out
    assert "contributions[].amount" in out and "number in [0, 1e+15]" in out
    assert "example input" in out and "hurwicz run funding.quadratic input.json" in out
    code, out, _ = run_cli(["describe", "auction.posted_price", "--json"], capsys)
    doc = json.loads(out)
    assert doc["example"]["params"] == {"price": 5.0} and "bids" in doc["example"]["input"]


@pytest.mark.parametrize("name", NAMES)
def test_describe_example_runs(name: str, tmp_path: Path, capsys) -> None:
    code, out, err = run_cli(["describe", name, "--example"], capsys)
    assert code == 0
    example = json.loads(out)
    params = example_params(name)  # the required parameters' declared examples
    flags: list[str] = []
    if params:  # stdout is the input alone; the --param to pass is printed on stderr
        prefix = f"run it with: hurwicz run {name} input.json "
        assert err.startswith(prefix) and err.count("\n") == 1
        flags = shlex.split(err[len(prefix):])
        assert flags[::2] == ["--param"] * len(params)
    else:
        assert err == ""
    path = tmp_path / "input.json"
    path.write_text(out, encoding="utf-8")
    code, run_out, run_err = run_cli(["run", name, str(path), "--json", *flags], capsys)
    assert code == 0, run_err
    assert json.loads(run_out) == hz.mechanism(name, **params).run(example).to_dict()


def test_describe_example_redirected_to_a_file_runs(tmp_path: Path) -> None:
    target = tmp_path / "input.json"
    done = hurwicz("describe", "voting.irv", "--example")
    assert done.returncode == 0 and done.stderr == ""
    target.write_text(done.stdout, encoding="utf-8")
    ran = hurwicz("run", "voting.irv", str(target))
    assert ran.returncode == 0 and "winners: " in ran.stdout


# --- shell completion ---------------------------------------------------------------------------
def test_show_completion_prints_a_bash_script() -> None:
    done = hurwicz("--show-completion", "bash", _TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION="1")
    assert done.returncode == 0
    assert "_hurwicz_completion" in done.stdout and "complete " in done.stdout
    assert "_HURWICZ_COMPLETE=complete_bash" in done.stdout


def test_completion_of_mechanism_names() -> None:
    done = hurwicz(_HURWICZ_COMPLETE="complete_bash", COMP_WORDS="hurwicz run auction.se",
                   COMP_CWORD="2")
    assert done.returncode == 0 and done.stdout.split() == ["auction.second_price"]
    done = hurwicz(_HURWICZ_COMPLETE="complete_bash", COMP_WORDS="hurwicz aud", COMP_CWORD="1")
    assert done.stdout.split() == ["audit"]

"""``hurwicz audit`` and ``hurwicz evaluate`` on the command line."""

from __future__ import annotations

import json
import re

import pytest

from hurwicz.cli import main


def run_cli(args, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(args)
    out = capsys.readouterr()
    return int(exit_.value.code or 0), out.out, out.err


def test_audit_json(capsys) -> None:
    code, out, _ = run_cli(["audit", "auction.first_price", "--agents", "2", "--prior",
                            "uniform:0,1", "--properties", "dsic,ir", "--samples", "500",
                            "--json"], capsys)
    assert code == 0
    doc = json.loads(out)
    assert [c["property"] for c in doc["checks"]] == ["dsic", "ir"]
    assert doc["checks"][0]["holds"] is False and doc["checks"][1]["holds"] is True


def test_audit_claims_table(capsys) -> None:
    code, out, _ = run_cli(["audit", "auction.second_price", "--agents", "3", "--prior",
                            "uniform:0,1", "--claims", "--samples", "500"], capsys)
    assert code == 0
    for prop in ("dsic", "ir", "efficient", "budget_balance"):
        assert prop in out


def test_audit_bad_adversary_exits_2(capsys) -> None:
    code, _, err = run_cli(["audit", "auction.second_price", "--agents", "3", "--prior",
                            "uniform:0,1", "--adversary", "pirate"], capsys)
    assert code == 2 and err.startswith("error: params.adversary")


def test_evaluate_json(capsys) -> None:
    code, out, _ = run_cli(["evaluate", "auction.first_price", "--agents", "3", "--strategy",
                            "bne", "--samples", "50000", "--json"], capsys)
    assert code == 0
    doc = json.loads(out)
    assert abs(doc["revenue"]["mean"] - 0.5) < 4.5 * doc["revenue"]["stderr"]


def test_audit_table_shows_budget_methods_and_counterexample(capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    args = ["audit", "auction.first_price", "--agents", "2", "--prior", "uniform:0,1",
            "--properties", "dsic,ir", "--samples", "300"]
    code, out, err = run_cli(args, capsys)
    assert code == 0 and err == ""
    # "[breakpoints/...]" is text, not rich markup that would vanish
    assert "[breakpoints/critical_values/grid/local]" in out and "[abstain]" in out
    assert "dsic counterexample: agent a" in out
    _, same, _ = run_cli([*args, "--format", "table"], capsys)
    strip = re.compile(r"\d+\.\d\d │$", re.M)  # the seconds column varies
    assert strip.sub("", same) == strip.sub("", out)


def test_audit_csv_and_json_agree(capsys) -> None:
    import csv
    import io

    args = ["audit", "auction.second_price", "--agents", "3", "--prior", "uniform:0,1",
            "--claims", "--samples", "300"]
    _, as_json, _ = run_cli([*args, "--json"], capsys)
    code, as_csv, err = run_cli([*args, "--format", "csv"], capsys)
    assert code == 0 and err == ""
    rows = list(csv.DictReader(io.StringIO(as_csv)))
    checks = json.loads(as_json)["checks"]
    assert [r["property"] for r in rows] == [c["property"] for c in checks]
    assert [r["verdict"] for r in rows] == [c["verdict"] for c in checks]
    assert [json.loads(r["budget"]) for r in rows] == [c["budget"] for c in checks]


def test_audit_progress_only_on_request_with_json(capsys) -> None:
    args = ["audit", "auction.second_price", "--agents", "2", "--prior", "uniform:0,1",
            "--properties", "dsic", "--samples", "200", "--json"]
    code, out, err = run_cli([*args, "--progress"], capsys)
    assert code == 0 and json.loads(out)["checks"][0]["holds"] is True
    assert "auditing auction.second_price" in err and "ETA" in err
    code, _, err = run_cli([*args, "--no-progress"], capsys)
    assert code == 0 and err == ""

"""``hurwicz audit`` and ``hurwicz evaluate`` on the command line."""

from __future__ import annotations

import json

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

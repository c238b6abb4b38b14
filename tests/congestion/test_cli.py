"""``hurwicz congestion equilibrium``."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from hurwicz.cli import app
from hurwicz.congestion import sioux_falls_files

runner = CliRunner()
NET, TRIPS = (str(p) for p in sioux_falls_files())


def invoke(*args: str):
    import contextlib
    import io

    from hurwicz.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(args))
        except SystemExit as exit_:
            code = exit_.code
    return code, out.getvalue(), err.getvalue()


def test_user_equilibrium_json() -> None:
    code, out, _ = invoke("congestion", "equilibrium", NET, TRIPS, "--gap", "1e-4", "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["network"] == "SiouxFalls" and doc["zones"] == 24 and doc["trips"] == 360600
    assert doc["user"]["relative_gap"] <= 1e-4 and "system" not in doc
    assert doc["user"]["objective"] == pytest.approx(4_231_335.287, rel=1e-4)
    assert {k: doc["user"]["links"][0][k] for k in ("tail", "head")} == {"tail": 1, "head": 2}


def test_tolls_report_the_price_of_anarchy() -> None:
    code, out, _ = invoke("congestion", "equilibrium", NET, TRIPS, "--tolls", "--gap", "1e-5",
                          "--json")
    assert code == 0
    doc = json.loads(out)
    assert set(doc) >= {"user", "system", "tolls", "tolled_user", "price_of_anarchy"}
    assert doc["price_of_anarchy"] == pytest.approx(
        doc["user"]["total_cost"] / doc["system"]["total_cost"])
    assert 1.0 < doc["price_of_anarchy"] < 1.1
    assert doc["tolled_user"]["total_travel_time"] == pytest.approx(
        doc["system"]["total_cost"], rel=1e-4)
    assert len(doc["tolls"]) == 76 and min(t["toll"] for t in doc["tolls"]) >= 0


def test_system_table_output() -> None:
    result = runner.invoke(app, ["congestion", "equilibrium", NET, TRIPS, "--system",
                                 "--gap", "1e-3", "--links"])
    assert result.exit_code == 0, result.output
    assert "SiouxFalls: 24 nodes, 76 links" in result.output and "system" in result.output


def test_bad_input_is_one_line_exit_2(tmp_path) -> None:
    bad = tmp_path / "bad_net.tntp"
    bad.write_text("<NUMBER OF NODES> 2\n<END OF METADATA>\n1 2 -5 1 1 0.15 4 0 0 1 ;\n")
    code, out, err = invoke("congestion", "equilibrium", str(bad), TRIPS)
    assert code == 2 and out == ""
    assert err == "error: bad_net.tntp:3: capacity: must be >= 0, got -5\n"
    code, _, err = invoke("congestion", "equilibrium", NET, TRIPS, "--method", "msa")
    assert code == 2 and err.startswith("error: method: must be")

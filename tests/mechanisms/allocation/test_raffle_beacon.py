"""The raffle needs a beacon nobody controls (issue #13, "Inputs: strict, and nothing silently
changed"). Regression: the default beacon was the empty string, so anyone could compute the
draw of every entry list in advance and add bots until they won."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import hurwicz as hz
from hurwicz.cli import main
from hurwicz.core.errors import ParameterError
from hurwicz.testing import parameter_grid

DATA = {"units": 1, "entries": {"ann": 1, "bob": 1, "cat": 1}}


def test_a_missing_or_empty_beacon_is_refused() -> None:
    with pytest.raises(ParameterError) as err:
        hz.mechanism("allocation.raffle")
    assert err.value.field == "params.beacon"
    assert "required field is missing" in str(err.value) and "drand" in str(err.value)
    with pytest.raises(ParameterError) as err:
        hz.mechanism("allocation.raffle", beacon="")
    assert err.value.field == "params.beacon" and "must not be empty" in str(err.value)
    with pytest.raises(ParameterError, match="params.unsafe_beacon"):
        hz.mechanism("allocation.raffle", beacon="", unsafe_beacon="yes")


def test_unsafe_beacon_allows_none_and_says_so_in_the_outcome() -> None:
    m = hz.mechanism("allocation.raffle", unsafe_beacon=True)
    out = m.run(DATA)
    assert out.params["unsafe_beacon"] is True and out.params["beacon"] == ""
    # the same draw as an explicit empty beacon: unsafe_beacon changes nothing else
    same = hz.mechanism("allocation.raffle", unsafe_beacon=True, beacon="").run(DATA)
    assert same.result["winners"] == out.result["winners"]
    # replays from the recorded parameters (credible rounds rebuild mechanisms this way)
    again = hz.mechanism("allocation.raffle", **out.params).run(DATA)
    assert again.to_dict() == out.to_dict()


def test_a_beacon_makes_the_draw_replayable() -> None:
    m = hz.mechanism("allocation.raffle", beacon="drand-quicknet-round-9000001")
    out = m.run(DATA)
    assert out.params == {"mode": "individual", "max_entries": 1, "unsafe_beacon": False,
                          "beacon": "drand-quicknet-round-9000001"}
    assert m.run(DATA).result["winners"] == out.result["winners"]
    assert m.replace(max_entries=2).params.beacon == "drand-quicknet-round-9000001"


def test_the_conformance_grid_uses_the_declared_example() -> None:
    grid = parameter_grid("allocation.raffle")
    assert grid[0]["beacon"] == "drand-quicknet-round-9000001"
    assert all(setting["beacon"] for setting in grid)
    assert {s["unsafe_beacon"] for s in grid} == {False, True}


def test_the_cli_refuses_a_raffle_without_a_beacon(tmp_path: Path, capsys) -> None:
    path = tmp_path / "entries.json"
    path.write_text(json.dumps(DATA))
    with pytest.raises(SystemExit) as done:
        main(["run", "allocation.raffle", str(path)])
    err = capsys.readouterr().err
    assert done.value.code == 2 and err.count("\n") == 1
    assert err.startswith("error: params.beacon: required field is missing")
    with pytest.raises(SystemExit) as done:
        main(["run", "allocation.raffle", str(path), "--json", "--param", "beacon=round-7"])
    assert done.value.code == 0
    assert json.loads(capsys.readouterr().out)["params"]["beacon"] == "round-7"

"""``hurwicz games nash|correlated FILE [--json]`` and ``hurwicz run fees.eip1559 FILE``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hurwicz.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    out, err = capsys.readouterr()
    return exit_.value.code, out, err


def test_nash_json_battle_of_the_sexes(capsys):
    code, out, _ = run(["games", "nash", str(EXAMPLES / "games" / "battle_of_sexes.json"),
                        "--json"], capsys)
    assert code == 0
    doc = json.loads(out)
    assert [e["strategies"][0] for e in doc["equilibria"]] == [["0", "1"], ["2/3", "1/3"],
                                                               ["1", "0"]]
    assert all(e["regret"] == ["0", "0"] for e in doc["equilibria"])


def test_nash_table_and_lemke_howson(capsys):
    code, out, _ = run(["games", "nash", str(EXAMPLES / "games" / "chicken.json"),
                        "--method", "lemke_howson"], capsys)
    assert code == 0 and "1 equilibrium (lemke_howson)" in out


def test_correlated_json_chicken(capsys):
    code, out, _ = run(["games", "correlated", str(EXAMPLES / "games" / "chicken.json"),
                        "--json"], capsys)
    assert code == 0
    doc = json.loads(out)
    assert doc["value"] == pytest.approx(10.5, abs=1e-7)
    assert doc["distribution"]["chicken,chicken"] == pytest.approx(0.5, abs=1e-7)


def test_bad_game_file_exit_2_names_the_field(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"payoffs": [[[1, 2]], [[1, 2, 3]]]}')
    code, out, err = run(["games", "nash", str(bad)], capsys)
    assert code == 2 and err.startswith("error: payoffs[1]") and out == ""
    code, _, err = run(["games", "correlated", str(EXAMPLES / "games" / "chicken.json"),
                        "--objective", "money"], capsys)
    assert code == 2 and "objective" in err


def test_run_eip1559_through_the_generic_run(capsys):
    code, out, _ = run(["run", "fees.eip1559", str(EXAMPLES / "fees" / "block.json"), "--json"],
                       capsys)
    assert code == 0
    doc = json.loads(out)
    assert doc["result"]["burned"] == 12 * 92000
    assert doc["allocation"]["dave"] == 0


def test_learn_shapley_cycles(capsys):
    code, out, _ = run(["games", "learn", str(EXAMPLES / "games" / "shapley.json"),
                        "--rounds", "3000", "--json"], capsys)
    assert code == 0
    doc = json.loads(out)
    assert doc["verdict"] == "cycling" and doc["converged"] is False
    code, _, err = run(["games", "learn", str(EXAMPLES / "games" / "shapley.json"),
                        "--dynamics", "telepathy"], capsys)
    assert code == 2 and err.startswith("error: dynamics")


def test_nash_default_method_works_on_the_bundled_three_player_game(capsys):
    # Without --method the CLI used to insist on 'vertex' (two players only) and exit 2 on
    # examples/games/three_player_coordination.csv; it now enumerates pure equilibria there.
    # Pure coordination game: all-A and all-B are the two pure Nash equilibria.
    code, out, err = run(["games", "nash",
                          str(EXAMPLES / "games" / "three_player_coordination.csv"), "--json"],
                         capsys)
    assert code == 0, err
    doc = json.loads(out)
    assert doc["method"] == "pure"
    assert len(doc["equilibria"]) == 2
    assert all(set(e["regret"]) == {"0"} for e in doc["equilibria"])

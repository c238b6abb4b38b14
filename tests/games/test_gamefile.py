"""The CSV game format (one row per action profile): reading, exact payoffs, the CLI, and
errors that name file:line."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

from hurwicz.cli import main
from hurwicz.core.errors import InputError
from hurwicz.games import Game
from hurwicz.games.gamefile import parse_game_csv

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "games"


def test_prisoners_dilemma_example_file():
    # the prisoner's dilemma has the unique equilibrium (defect, defect) (Osborne,
    # "An Introduction to Game Theory", 2004, §2.2)
    g = Game.from_file(EXAMPLES / "prisoners_dilemma.csv")
    assert g.players == ["row", "column"]
    assert g.actions == [["cooperate", "defect"], ["cooperate", "defect"]]
    assert [e.profile for e in g.nash("vertex")] == [(1, 1)]


def test_three_players_and_row_order_does_not_matter():
    g = Game.from_csv(EXAMPLES / "three_player_coordination.csv")
    assert g.shape == (2, 2, 2)
    assert g.pure_nash() == [(0, 0, 0), (1, 1, 1)]
    text = (EXAMPLES / "three_player_coordination.csv").read_text().splitlines()
    shuffled = "\n".join([text[1], *reversed(text[2:])])
    h = parse_game_csv(shuffled)
    assert h.actions == [["B", "A"]] * 3          # order of first appearance
    assert h.pure_nash() == [(0, 0, 0), (1, 1, 1)]


def test_payoffs_are_read_exactly():
    g = parse_game_csv("a,b,payoff:a,payoff:b\nx,l,0.1,1/3\nx,r,0.2,\"2\"\n")
    A, B = g.exact_payoffs()
    assert A[0, 0] == Fraction(1, 10) and B[0, 0] == Fraction(1, 3) and B[0, 1] == 2


def test_same_game_as_the_json_format():
    g = parse_game_csv("row,column,payoff:row,payoff:column\ndare,dare,0,0\ndare,chicken,7,2\n"
                       "chicken,dare,2,7\nchicken,chicken,6,6\n")
    h = Game.from_json(EXAMPLES / "chicken.json")
    assert g.to_dict() == h.to_dict()


@pytest.mark.parametrize("text, where, words", [
    ("", "g.csv", "empty"),
    ("a,b,payoff:a\n", "g.csv:1", "header has 3 columns"),
    ("a,b,payoff:b,payoff:a\n", "g.csv:1", "payoff columns must be"),
    ("a,a,payoff:a,payoff:a\n", "g.csv:1", "distinct"),
    ("# c\na,b,payoff:a,payoff:b\nx,l,1,2\nx,l,3,4\n", "g.csv:4",
     "appears twice (first on line 3)"),
    ("a,b,payoff:a,payoff:b\nx,l,1\n", "g.csv:2", "3 cells"),
    ("a,b,payoff:a,payoff:b\nx,l,1,nan\n", "g.csv:2", "payoff of b: not a number"),
    ("a,b,payoff:a,payoff:b\nx,l,1,1/0\n", "g.csv:2", "not a number"),
    ("a,b,payoff:a,payoff:b\nx,,1,2\n", "g.csv:2", "empty action for player b"),
    ("a,b,payoff:a,payoff:b\nx,l,1,2\ny,r,1,2\n", "g.csv", "profile (x, r) is missing"),
    ("a,b,payoff:a,payoff:b\n", "g.csv", "no action profiles"),
])
def test_errors_name_file_and_line(text, where, words):
    with pytest.raises(InputError) as err:
        parse_game_csv(text, "g.csv")
    assert err.value.field == where
    assert words in str(err.value)


def _cli(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    out, err = capsys.readouterr()
    return exit_.value.code, out, err


def test_cli_reads_csv(tmp_path, capsys):
    code, out, _ = _cli(["games", "nash", str(EXAMPLES / "prisoners_dilemma.csv"), "--json"],
                        capsys)
    assert code == 0
    doc = json.loads(out)
    assert doc["actions"] == [["cooperate", "defect"]] * 2
    assert [e["strategies"] for e in doc["equilibria"]] == [[["0", "1"], ["0", "1"]]]
    bad = tmp_path / "bad.csv"
    bad.write_text("row,column,payoff:row,payoff:column\nx,l,1,2\nx,r,1\n")
    code, _, err = _cli(["games", "nash", str(bad)], capsys)
    assert code == 2 and "bad.csv:3" in err


def test_json_player_count_mismatch_names_both_counts():
    # Two named players but a single payoff array used to be reported as "a 1-player game
    # needs 1-dimensional payoff arrays", contradicting the two names in the file.
    doc = {"players": ["a", "b"], "actions": [["x", "z"], ["y"]], "payoffs": [[[1, 1]]]}
    with pytest.raises(InputError) as err:
        Game.from_dict(doc)
    assert err.value.field == "payoffs"
    assert "2 players" in str(err.value)

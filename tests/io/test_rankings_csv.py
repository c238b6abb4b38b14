"""A CSV of rankings (one row per ballot, columns rank1..rankN) as a voting input.

Known answers: identical rows are one ballot group whose count is the number of rows; the
candidates are the names in order of first appearance; every malformed file is an error naming
``file:line`` (or the file, for the header), with exit code 2 on the command line.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import hurwicz as hz
from hurwicz.core.errors import InputError
from hurwicz.io.inputs import read_input
from hurwicz.io.rankings_csv import read_rankings_csv


def write(tmp_path: Path, text: str, name: str = "ballots.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def test_rows_become_ballot_groups(tmp_path):
    path = write(tmp_path, "rank1,rank2,rank3\nbob,alice,carol\nalice\n bob , alice ,carol\n"
                           "\nalice,,\ndave,alice,bob\n")
    data = read_rankings_csv(path)
    assert data == {"candidates": ["bob", "alice", "carol", "dave"], "ballots": [
        {"ranking": ["bob", "alice", "carol"], "count": 2}, {"ranking": ["alice"], "count": 2},
        {"ranking": ["dave", "alice", "bob"], "count": 1}]}
    out = hz.mechanism("voting.irv").run(data)
    assert out.result["ballot_counts"] == {"b0": 2, "b1": 2, "b2": 1}
    assert out.metrics["voters"] == 5


def test_byte_order_mark_crlf_and_quotes(tmp_path):
    path = write(tmp_path, '\ufeffrank1,rank2\r\n"Smith, J.",x\r\nx,"Smith, J."\r\n'
                           '"Smith, J.",x\r\n')
    data = read_rankings_csv(path)
    assert data["candidates"] == ["Smith, J.", "x"]
    assert [b["count"] for b in data["ballots"]] == [2, 1]


def test_quoted_cells_spanning_lines_are_read_row_by_row(tmp_path):
    path = write(tmp_path, 'rank1,rank2\n"a\nb",c\nc,"a\nb"\nc,d,e\n')
    with pytest.raises(InputError) as info:
        read_rankings_csv(path)
    # the name with a line break is refused, on the line where its row starts
    assert info.value.field == "ballots.csv:2" and "rank1: a name may not hold a line break" in \
        info.value.message
    path = write(tmp_path, 'rank1,rank2\n"a, b",c\nc,"x\ny\nz"\n"a, b",c\nc,d,e\n')
    with pytest.raises(InputError) as info:
        read_rankings_csv(path)
    assert info.value.field == "ballots.csv:3"  # where the row with the spanning cell starts


@pytest.mark.parametrize("text,where,message", [
    ("rank1,rank2\na,b,c\n", "ballots.csv:2", "3 cells, but the header has 2 columns"),
    ("rank1,rank2\na,b\na,b\na,b,\n", "ballots.csv:4", "3 cells"),  # extra fields
    ("rank1,rank2,rank3\na,,c\n", "ballots.csv:2", "rank2 is empty but rank3 is not"),
    ("rank1,rank2\na,a\n", "ballots.csv:2", "ranks 'a' twice (rank1 and rank2)"),
    ("rank1,rank2\nx,y\nZo\u00eb,Zoe\u0308\n", "ballots.csv:3", "ranks 'Zo\u00eb' twice"),
    ("rank1,rank2\nx,y\nx,b\x00\n", "ballots.csv:3", ""),
    ("rank1\n" + "a" * 300 + "\n", "ballots.csv:2", "rank1"),
    ("rank1,rank3\na,b\n", "ballots.csv", "rank1,rank2,...,rankN"),
    ("rank2,rank1\na,b\n", "ballots.csv", "the header must be"),
    ("name,rank1\na,b\n", "ballots.csv", "the header must be"),
    ("\na\n", "ballots.csv", "the header must be"),
    ("", "ballots.csv", "is empty"),
    ("rank1,rank2\n", "ballots.csv", "has no rows"),
    ("rank1,rank2\n,\n", "ballots.csv", "no row ranks any candidate"),
])
def test_errors_name_file_and_line(tmp_path, text, where, message):
    with pytest.raises(InputError) as info:
        read_rankings_csv(write(tmp_path, text))
    assert info.value.field == where, str(info.value)
    assert message in info.value.message, str(info.value)


def test_the_line_of_a_repeated_bad_row_is_its_first(tmp_path):
    text = "rank1,rank2\n" + "a,b\n" * 1000 + "a,a\n" * 5
    with pytest.raises(InputError) as info:
        read_rankings_csv(write(tmp_path, text))
    assert info.value.field == "ballots.csv:1002"


def test_not_a_utf8_file(tmp_path):
    path = tmp_path / "ballots.csv"
    path.write_bytes(b"rank1\n\xff\n")
    with pytest.raises(InputError, match="not UTF-8"):
        read_input(path, "voting.borda")


@pytest.mark.parametrize("rule", ["voting.approval", "voting.score", "voting.liquid",
                                  "voting.pav"])
def test_rules_without_ranked_ballots_refuse_it(tmp_path, rule):
    path = write(tmp_path, "rank1\na\n")
    with pytest.raises(InputError, match="does not take ranked ballots"):
        read_input(path, rule)


def test_every_ranked_rule_reads_it(tmp_path):
    path = write(tmp_path, "rank1,rank2,rank3\na,b,c\nb,c,a\na,c,b\n")
    for rule in ("voting.plurality", "voting.borda", "voting.irv", "voting.schulze",
                 "voting.stv", "voting.kemeny_young"):
        assert hz.mechanism(rule).run(read_input(path, rule)).result["winners"][0] == "a"


def test_a_million_rows_merge_into_distinct_rankings(tmp_path):
    rng = np.random.default_rng(1)
    names = [f"c{i}" for i in range(6)]
    rows = np.argsort(rng.random((10**6, 6)), axis=1)
    path = tmp_path / "big.csv"
    path.write_text("rank1,rank2,rank3,rank4,rank5,rank6\n"
                    + "\n".join(",".join(names[c] for c in r) for r in rows.tolist()) + "\n")
    start = time.perf_counter()
    data = read_rankings_csv(path)
    assert time.perf_counter() - start < 20
    assert len(data["ballots"]) == 720 and sum(b["count"] for b in data["ballots"]) == 10**6
    assert data["ballots"][0]["ranking"] == [names[c] for c in rows[0]]


def test_cli(tmp_path):
    path = write(tmp_path, "rank1,rank2\nx,y\ny,x\nx\n")
    done = subprocess.run([sys.executable, "-m", "hurwicz", "run", "voting.borda", str(path),
                           "--json"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["result"]["winners"] == ["x"] and out["result"]["ballot_counts"] == {
        "b0": 1, "b1": 1, "b2": 1}
    bad = write(tmp_path, "rank1,rank2\nx,y\nx,y,z\n", "bad.csv")
    done = subprocess.run([sys.executable, "-m", "hurwicz", "run", "voting.borda", str(bad),
                           "--json"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stdout == "" and "bad.csv:3" in done.stderr

"""CSV input is strict and names file:line (issue #13, "Inputs: strict, and nothing silently
changed"): a row with more cells than the header used to lose the extra cells silently; a
byte-order mark made the first column unknown; amounts over the maximum and bad names were only
caught later under `contributions.N`, which names no line of the file."""

from __future__ import annotations

from pathlib import Path

import pytest

import hurwicz as hz
from hurwicz.cli import main
from hurwicz.core.errors import InputError
from hurwicz.io.csv_rows import csv_rows
from hurwicz.io.inputs import read_input

HEADER = "contributor,project,amount\n"


def write(tmp_path: Path, text: str, name: str = "round.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("text", "message"), [
    (HEADER + "u1,p1,10\nu2,p1,5,7\n",
     "round.csv:3: 4 cells, but the header has 3 columns (contributor,project,amount)"),
    (HEADER + "u1,p1,-5\n", "round.csv:2.amount: must be a finite non-negative number, got '-5'"),
    (HEADER + "u1,p1,ten\n", "round.csv:2.amount: not a number: 'ten'"),
    (HEADER + "u1,p1,nan\n", "round.csv:2.amount: must be a finite non-negative number"),
    (HEADER + "u1,p1,inf\n", "round.csv:2.amount: must be a finite non-negative number"),
    (HEADER + "u1,p1,1e308\n", "round.csv:2.amount: must be at most 1e+15, got '1e308'"),
    (HEADER + "u1,p1,1\n,p1,1\n", "round.csv:3.contributor: is empty"),
    (HEADER + "u1,,1\n", "round.csv:2.project: is empty"),
    (HEADER + '"u\n1",p1,1\n', "round.csv:2.contributor: contains U+000A"),
    (HEADER + "u\u202e1,p1,1\n", "round.csv:2.contributor: contains U+202E"),
    ("contributor,project,amount,color\n", "round.csv: unknown column(s) color"),
    ("contributor,project,amount,amount\n", "round.csv: column(s) amount appear twice"),
    ("contributor,amount\n", "round.csv: missing column(s) project"),
    ("", "round.csv: missing column(s) contributor, project, amount"),
])
def test_contribution_csv_errors_name_file_and_line(tmp_path: Path, text: str,
                                                    message: str) -> None:
    with pytest.raises(InputError) as err:
        read_input(write(tmp_path, text), "funding.quadratic")
    assert str(err.value).startswith(message), str(err.value)
    assert "\n" not in str(err.value)


def test_line_numbers_count_blank_lines_and_multiline_cells(tmp_path: Path) -> None:
    path = write(tmp_path, 'a,b\n\n1,2\n"x\ny",3\n\n4,5,6\n', "t.csv")
    rows = []
    with pytest.raises(InputError) as err:
        for where, row in csv_rows(path, ("a", "b"), ("a", "b")):
            rows.append((where, row))
    assert [w for w, _ in rows] == ["t.csv:3", "t.csv:4"]
    assert rows[1][1] == {"a": "x\ny", "b": "3"}
    assert str(err.value).startswith("t.csv:7: 3 cells")


def test_a_short_row_has_empty_cells(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b\n1\n", "t.csv")
    assert list(csv_rows(path, ("a", "b"), ("a",))) == [("t.csv:2", {"a": "1", "b": ""})]


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (HEADER + "u1,p1,4\nu2,p1,1\n").encode())
    data = read_input(path, "funding.quadratic")
    assert data == {"contributions": [{"contributor": "u1", "project": "p1", "amount": 4.0},
                                      {"contributor": "u2", "project": "p1", "amount": 1.0}]}
    out = hz.mechanism("funding.quadratic", pool=100).run(data)
    assert out.result["matching"] == {"p1": 4.0}  # (2 + 1)² − 5


def test_names_in_csv_are_normalised(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "Zo\u00eb,p1,4\nZoe\u0308,p1,5\n")
    data = read_input(path, "funding.quadratic")
    assert {c["contributor"] for c in data["contributions"]} == {"Zo\u00eb"}
    out = hz.mechanism("funding.quadratic", pool=100).run(data)
    assert out.payments == {"Zo\u00eb": 9.0}  # one contributor, amounts summed


def test_an_unreadable_csv_is_one_line(tmp_path: Path, capsys) -> None:
    path = write(tmp_path, HEADER + '"' + "x" * 200_000 + '",p1,1\n')  # over csv's field limit
    with pytest.raises(SystemExit) as done:
        main(["run", "funding.quadratic", str(path), "--param", "pool=10"])
    err = capsys.readouterr().err
    assert done.value.code == 2 and err.startswith("error: round.csv:2: unreadable CSV")
    assert err.count("\n") == 1


def test_extra_cells_through_the_cli(tmp_path: Path, capsys) -> None:
    path = write(tmp_path, HEADER + "u1,p1,10,99\n")
    with pytest.raises(SystemExit) as done:
        main(["run", "funding.quadratic", str(path), "--param", "pool=10"])
    assert done.value.code == 2
    assert capsys.readouterr().err == ("error: round.csv:2: 4 cells, but the header has 3 "
                                       "columns (contributor,project,amount)\n")

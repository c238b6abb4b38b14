"""CSV inputs for matching markets: the same outcome as from JSON, and errors naming file:line."""

from __future__ import annotations

import pytest

import hurwicz as hz
from hurwicz.cli import main
from hurwicz.core.errors import InputError
from hurwicz.io.inputs import read_input
from hurwicz.mechanisms.matching.generators import kidney_pool


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_two_sided_csv_runs_like_json(tmp_path, capsys):
    path = write(tmp_path, "school.csv", "side,name,capacity,preferences\n"
                 "proposer,s1,,c1;c2\nproposer,s2,,c1\nproposer,s3,,c2;c1\n"
                 "receiver,c1,1,s3|s2;s1\nreceiver,c2,0,s1\n")
    data = read_input(path, "matching.deferred_acceptance")
    assert data["receivers"]["c1"] == [["s3", "s2"], "s1"]
    assert data["capacities"] == {"c1": 1, "c2": 0}
    mech = hz.mechanism("matching.deferred_acceptance", tie_break=3)
    assert mech.run(data).to_dict() == mech.run({
        "proposers": {"s1": ["c1", "c2"], "s2": ["c1"], "s3": ["c2", "c1"]},
        "receivers": {"c1": [["s3", "s2"], "s1"], "c2": ["s1"]},
        "capacities": {"c1": 1, "c2": 0}}).to_dict()
    with pytest.raises(SystemExit) as done:
        main(["run", "matching.boston", str(path), "--json"])
    assert done.value.code == 0 and '"matching"' in capsys.readouterr().out


def test_one_sided_housing_and_kidney_csv(tmp_path):
    one = write(tmp_path, "assign.csv", "kind,name,capacity,preferences\nagent,a,,x;y\n"
                "agent,b,,x\nobject,x,1,\nobject,y,1,\n")
    out = hz.mechanism("matching.serial_dictatorship", order=["b", "a"]).run(
        read_input(one, "matching.serial_dictatorship"))
    assert out.allocation == {"a": "y", "b": "x"}
    houses = write(tmp_path, "houses.csv", "agent,owns,preferences\na,h1,h2;h1\nb,h2,h1;h2\n")
    assert hz.mechanism("matching.ttc").run(read_input(houses, "matching.ttc")).allocation == {
        "a": "h2", "b": "h1"}
    pool = kidney_pool(30, seed=4)
    lines = ["donor,recipient,weight,altruist"]
    lines += [f"{e['donor']},{e['recipient']},{e['weight']},"
              f"{'yes' if e['donor'] in pool['altruists'] else ''}" for e in pool["edges"]]
    lines += [f"{p},,," for p in pool["pairs"]]
    from_csv = read_input(write(tmp_path, "pool.csv", "\n".join(lines) + "\n"), "matching.kidney")
    assert sorted(from_csv["pairs"]) == sorted(pool["pairs"])
    assert sorted(from_csv["altruists"]) == sorted(pool["altruists"])
    kidney = hz.mechanism("matching.kidney")
    assert kidney.run(from_csv).metrics == kidney.run(pool).metrics


@pytest.mark.parametrize("mechanism,text,message", [
    ("matching.deferred_acceptance", "side,name,capacity,preferences\nreceiver,c1,-2,\n",
     "x.csv:2.capacity: must be >= 0, got -2"),
    ("matching.deferred_acceptance", "side,name,capacity,preferences\nproposer,s1,,c1|c2\n",
     "x.csv:2.preferences: ties ('|') are only allowed in receivers' priorities"),
    ("matching.deferred_acceptance",
     "side,name,capacity,preferences\nproposer,s1,,c1\nproposer,s1,,c1\n",
     "x.csv:3.name: 's1' is listed twice"),
    ("matching.deferred_acceptance", "side,name,preferences,color\n",
     "x.csv: unknown column(s) color"),
    ("matching.boston", "name,preferences\n", "x.csv: missing column(s) side"),
    ("matching.kidney", "donor,recipient,weight,altruist\nn1,p1,,yes\np1,n1,,\n",
     "x.csv:3.recipient: 'n1' is both a pair and an altruist"),
    ("matching.kidney", "donor,recipient,weight,altruist\np1,p2,heavy,\n",
     "x.csv:2.weight: not a number: 'heavy'"),
    ("auction.first_price", "bidder,bid\na,1\n", "input: no CSV format for auction.first_price"),
])
def test_csv_errors_name_file_line_and_field(tmp_path, mechanism, text, message):
    with pytest.raises(InputError) as err:
        read_input(write(tmp_path, "x.csv", text), mechanism)
    assert str(err.value).startswith(message)


def test_unknown_names_in_csv_preferences_are_caught_by_the_mechanism(tmp_path):
    path = write(tmp_path, "m.csv", "side,name,capacity,preferences\nproposer,s1,,c9\n"
                 "receiver,c1,,s1\n")
    with pytest.raises(InputError, match="c9"):
        hz.mechanism("matching.deferred_acceptance").run(read_input(path, "matching.boston"))
    houses = write(tmp_path, "h.csv", "agent,owns,preferences\na,h1,h1\nb,h1,h1\n")
    with pytest.raises(InputError, match="h1"):
        hz.mechanism("matching.ttc").run(read_input(houses, "matching.ttc"))


# --- issue #13: strict rows, BOM, file:line for the names a row lists, priority classes ---------
HEADER = "side,name,capacity,preferences\n"


def _market_csv(n: int = 20) -> str:
    rows = [f"proposer,s{i},,c{i % 3};c{(i + 1) % 3}" for i in range(n)]
    rows += [f"receiver,c{j},{n // 4},{';'.join(f's{i}' for i in range(n) if i % 3 == j)}|"
             f"{'|'.join(f's{i}' for i in range(n) if (i + 1) % 3 == j)}" for j in range(3)]
    return HEADER + "\n".join(rows) + "\n"


def test_a_byte_order_mark_is_accepted(tmp_path):
    plain = read_input(write(tmp_path, "plain.csv", _market_csv()), "matching.deferred_acceptance")
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + _market_csv().encode())
    assert read_input(path, "matching.deferred_acceptance") == plain
    mech = hz.mechanism("matching.deferred_acceptance")
    assert mech.run(read_input(path, "matching.boston")).to_dict() == mech.run(plain).to_dict()


@pytest.mark.parametrize("row", ["proposer,s1,,c1,extra", "receiver,c1,1,s1,,",
                                 "proposer,s1,,c1,,"])
def test_a_row_with_extra_fields_is_an_error(tmp_path, row):
    text = HEADER + "proposer,s0,,c1\n" + row + "\n"
    with pytest.raises(InputError) as err:
        read_input(write(tmp_path, "x.csv", text), "matching.deferred_acceptance")
    assert str(err.value).startswith("x.csv:3: ")
    assert "header has 4 columns" in str(err.value)


def _run_error(path, name="matching.deferred_acceptance"):
    with pytest.raises(InputError) as err:
        hz.mechanism(name).run(read_input(path, name))
    return str(err.value)


def test_unknown_and_repeated_names_name_the_file_and_line(tmp_path):
    lines = _market_csv(20).splitlines()
    unknown = [*lines[:17], lines[17] + ";c9", *lines[18:]]  # row 17 is on line 18
    path = write(tmp_path, "x.csv", "\n".join(unknown) + "\n")
    for name in ("matching.deferred_acceptance", "matching.boston", "matching.school_ttc"):
        assert _run_error(path, name) == "x.csv:18.preferences: unknown receiver 'c9'"
    twice = [*lines[:4], lines[4] + ";c0", *lines[5:]]
    assert _run_error(write(tmp_path, "x.csv", "\n".join(twice) + "\n")).startswith(
        "x.csv:5.preferences: lists 'c")
    receiver = [*lines[:-1], lines[-1] + ";s99"]
    assert _run_error(write(tmp_path, "x.csv", "\n".join(receiver) + "\n")) == \
        f"x.csv:{len(lines)}.preferences: unknown proposer 's99'"
    again = [*lines[:-1], lines[-1] + ";s2"]
    assert _run_error(write(tmp_path, "x.csv", "\n".join(again) + "\n")).startswith(
        f"x.csv:{len(lines)}.preferences: lists 's2' twice")


def test_blank_and_multi_line_rows_keep_line_numbers(tmp_path):
    text = HEADER + "proposer,s1,,c1\n\nproposer,\"s2\",,\"c1;\nc7\"\nreceiver,c1,1,s1;s2\n"
    assert _run_error(write(tmp_path, "x.csv", text)) == \
        "x.csv:4.preferences: unknown receiver 'c7'"


def test_file_line_errors_through_the_cli(tmp_path, capsys):
    path = write(tmp_path, "x.csv", HEADER + "proposer,s1,,c1\nproposer,s2,,c1;c9\n"
                 "receiver,c1,1,s1\n")
    with pytest.raises(SystemExit) as done:
        main(["run", "matching.deferred_acceptance", str(path), "--json"])
    captured = capsys.readouterr()
    assert done.value.code == 2 and captured.out == ""
    assert "x.csv:3.preferences: unknown receiver 'c9'" in captured.err
    assert len(captured.err.strip().splitlines()) == 1


def test_bad_row_names_name_the_line(tmp_path):
    bad = write(tmp_path, "x.csv", HEADER + "proposer,s1,,c1\nproposer,s\u202e2,,c1\n"
                "receiver,c1,1,s1\n")
    with pytest.raises(InputError, match=r"^x\.csv:3\.name: contains U\+202E"):
        read_input(bad, "matching.deferred_acceptance")
    twice = write(tmp_path, "y.csv", HEADER + "proposer,Zo\u00eb,,c1\nproposer,Zoe\u0308,,c1\n"
                  "receiver,c1,1,\n")
    with pytest.raises(InputError, match=r"^y\.csv:3\.name: .* listed twice"):
        read_input(twice, "matching.deferred_acceptance")


def test_priority_classes_from_csv(tmp_path):
    """``others`` = lottery: the receiver's groups are priority classes and every other
    applicant ranks after them — the same matching as the JSON form and the full list."""
    text = ("side,name,capacity,preferences,others\n"
            "proposer,ann,,A;B\nproposer,bob,,A;B\nproposer,cid,,A;B\nproposer,dee,,A\n"
            "receiver,A,1,ann;bob|cid,lottery\nreceiver,B,1,cid,\n")
    data = read_input(write(tmp_path, "d.csv", text), "matching.deferred_acceptance")
    assert data["receivers"]["A"] == {"classes": [["ann"], ["bob", "cid"]], "others": "lottery"}
    assert data["receivers"]["B"] == ["cid"]
    full = {**data, "receivers": {"A": ["ann", ["bob", "cid"], "dee"], "B": ["cid"]}}
    for seed in range(4):
        for name in ("matching.deferred_acceptance", "matching.boston", "matching.school_ttc"):
            mech = hz.mechanism(name, tie_break=seed)
            assert mech.run(data).to_dict() == mech.run(full).to_dict()
    closed = text.replace("lottery", "unacceptable")
    data = read_input(write(tmp_path, "e.csv", closed), "matching.deferred_acceptance")
    assert data["receivers"]["A"]["others"] == "unacceptable"
    out = hz.mechanism("matching.deferred_acceptance").run(data)
    assert out.result["matching"]["dee"] is None


@pytest.mark.parametrize(("row", "message"), [
    ("receiver,A,1,ann,maybe", "x.csv:3.others: must be lottery, unacceptable or blank"),
    ("proposer,bob,,A,lottery", "x.csv:3.others: only receivers have priority classes"),
])
def test_bad_others_cells(tmp_path, row, message):
    text = "side,name,capacity,preferences,others\nproposer,ann,,A\n" + row + "\n"
    with pytest.raises(InputError) as err:
        read_input(write(tmp_path, "x.csv", text), "matching.deferred_acceptance")
    assert str(err.value).startswith(message)


def test_a_receiver_may_list_more_than_the_csv_module_allows_by_default(tmp_path):
    """A school ranking 20,000 students is a 150 KB cell (Python's csv stops at 128 KiB)."""
    import csv

    n = 20_000
    text = (HEADER + "".join(f"proposer,student{i:05d},,c1\n" for i in range(n))
            + "receiver,c1,5," + ";".join(f"student{i:05d}" for i in reversed(range(n))) + "\n")
    limit = csv.field_size_limit()
    data = read_input(write(tmp_path, "big.csv", text), "matching.deferred_acceptance")
    assert csv.field_size_limit() == limit  # the module's limit is left as it was
    out = hz.mechanism("matching.deferred_acceptance").run(data)
    assert out.result["assigned"]["c1"] == [f"student{i:05d}" for i in range(n - 5, n)]


def test_spaces_around_separators_are_dropped(tmp_path):
    text = HEADER + "proposer,s 1,,c1 ;  c2\nproposer,s2,,c2\nreceiver,c1,1, s2 | s 1 ;\u00a0s3\n" \
        "receiver,c2,1,\nproposer,s3,,\n"
    data = read_input(write(tmp_path, "x.csv", text), "matching.deferred_acceptance")
    assert data["proposers"]["s 1"] == ["c1", "c2"]
    assert data["receivers"]["c1"] == [["s2", "s 1"], "s3"]

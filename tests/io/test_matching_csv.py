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

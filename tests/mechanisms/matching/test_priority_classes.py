"""School priorities given compactly, as districts publish them: priority classes (siblings,
walk zone, ...) plus a lottery for everyone else who applies (``{"classes": [...], "others":
"lottery"}``) — the same matching as the equivalent full lists with ties broken the same way,
in deferred acceptance (either side proposing), Boston and school TTC.

Boston's published rules, for instance, order applicants by sibling, then walk-zone priority,
then a random number (Abdulkadiroğlu, Pathak, Roth & Sönmez 2005, "The Boston Public Schools
Match", AER P&P 95(2)); here the random number is the mechanism's ``tie_break`` seed and
``lottery`` (single: one number per student for every school; multiple: one per school).
"""

from __future__ import annotations

import random
from typing import Any

import pytest

import hurwicz as hz
from hurwicz.core.errors import InputError
from hurwicz.mechanisms.matching.properties import blocking_pair, justified_envy

MECHANISMS = [("matching.deferred_acceptance", {}),
              ("matching.deferred_acceptance", {"proposing": "receivers"}),
              ("matching.boston", {}), ("matching.school_ttc", {})]
TIE_BREAKS = [("lowest_name", "single"), (0, "single"), (7, "single"), (7, "multiple"),
              (2024, "multiple")]


def _district(rng: random.Random, n: int, m: int) -> dict[str, Any]:
    """Students list a few schools; every school has a couple of small priority classes
    (some members do not even apply there) and either admits the others by lottery or not."""
    students = [f"st{i}" for i in rng.sample(range(100), n)]
    schools = [f"sc{j}" for j in rng.sample(range(100), m)]
    proposers = {s: rng.sample(schools, rng.randint(0, m)) for s in students}
    receivers: dict[str, Any] = {}
    for c in schools:
        members = rng.sample(students, rng.randint(0, n))
        cut = sorted(rng.sample(range(len(members) + 1), 2)) if members else [0, 0]
        classes = [g for g in (members[:cut[0]], members[cut[0]:cut[1]], members[cut[1]:])
                   if g]
        entry: dict[str, Any] = {"classes": classes}
        if rng.random() < 0.4:
            entry["others"] = rng.choice(["lottery", "unacceptable"])
        receivers[c] = entry
    capacities = {c: rng.randint(0, 3) for c in schools}
    return {"proposers": proposers, "receivers": receivers, "capacities": capacities}


def _full_lists(data: dict[str, Any]) -> dict[str, Any]:
    """The same market with every school's priorities written out as a full list: each class
    a tie group, then (with ``others: lottery``) one last tie group of every other student."""
    receivers = {}
    for c, entry in data["receivers"].items():
        ranking: list[Any] = [list(g) for g in entry["classes"]]
        if entry.get("others", "lottery") == "lottery":
            listed = {s for g in entry["classes"] for s in g}
            rest = sorted(s for s in data["proposers"] if s not in listed)
            if rest:
                ranking.append(rest)
        receivers[c] = ranking
    return {**data, "receivers": receivers}


@pytest.mark.parametrize(("name", "params"), MECHANISMS)
def test_classes_give_the_matching_of_the_equivalent_full_lists(name, params) -> None:
    rng = random.Random(13)
    decided_by_lottery = False
    for _ in range(40):
        data = _district(rng, rng.randint(1, 8), rng.randint(1, 4))
        full = _full_lists(data)
        outcomes = set()
        for tie_break, lottery in TIE_BREAKS:
            mech = hz.mechanism(name, tie_break=tie_break, lottery=lottery, **params)
            compact = mech.run(data)
            assert compact.to_dict() == mech.run(full).to_dict(), (data, tie_break, lottery)
            outcomes.add(str(compact.result["matching"]))
        decided_by_lottery |= len(outcomes) > 1
    assert decided_by_lottery  # the lottery matters in these markets


def test_a_district_example() -> None:
    """Three students, one seat at each school; at A siblings come first (ann), then the walk
    zone (bob, cid), then everyone else by lottery; B ranks its walk zone (cid) first."""
    data = {"proposers": {"ann": ["A", "B"], "bob": ["A", "B"], "cid": ["A", "B"],
                          "dee": ["A"]},
            "receivers": {"A": {"classes": [["ann"], ["bob", "cid"]]},
                          "B": {"classes": [["cid"]], "others": "lottery"}},
            "capacities": {"A": 1, "B": 1}}
    for seed in range(6):
        out = hz.mechanism("matching.deferred_acceptance", tie_break=seed).run(data)
        matching = out.result["matching"]
        assert matching["ann"] == "A" and matching["dee"] is None  # ann: sibling priority
        assert matching["cid"] == "B"  # cid: walk zone at B, where bob has no priority
        assert matching["bob"] is None
        m = hz.mechanism("matching.deferred_acceptance", tie_break=seed)
        assert blocking_pair(m, data, out) is None and justified_envy(m, data, out) is None
    unacceptable = {**data, "receivers": {**data["receivers"],
                                          "B": {"classes": [["bob"]], "others": "unacceptable"}}}
    out = hz.mechanism("matching.deferred_acceptance").run(unacceptable)
    assert out.result["matching"]["bob"] == "B" and out.result["matching"]["cid"] is None


def test_classes_are_independent_of_key_and_member_order() -> None:
    rng = random.Random(5)
    for _ in range(20):
        data = _district(rng, 7, 3)
        shuffled = {
            "capacities": dict(rng.sample(sorted(data["capacities"].items()),
                                          len(data["capacities"]))),
            "receivers": {c: {**e, "classes": [rng.sample(g, len(g)) for g in e["classes"]]}
                          for c, e in rng.sample(sorted(data["receivers"].items()),
                                                 len(data["receivers"]))},
            "proposers": dict(rng.sample(sorted(data["proposers"].items()),
                                         len(data["proposers"]))),
        }
        for name, params in MECHANISMS:
            mech = hz.mechanism(name, tie_break=3, lottery="multiple", **params)
            assert mech.run(shuffled).to_dict() == mech.run(data).to_dict()


def test_stable_with_respect_to_the_classes() -> None:
    rng = random.Random(8)
    for _ in range(30):
        data = _district(rng, 8, 3)
        for seed in (0, 1):
            m = hz.mechanism("matching.deferred_acceptance", tie_break=seed)
            out = m.run(data)
            assert blocking_pair(m, data, out) is None
            assert justified_envy(m, data, out) is None


def test_classes_and_full_lists_mix() -> None:
    data = {"proposers": {"a": ["x", "y"], "b": ["x", "y"], "c": ["y", "x"]},
            "receivers": {"x": {"classes": [["c"]]}, "y": ["a", ["b", "c"]]},
            "capacities": {"x": 1, "y": 1}}
    out = hz.mechanism("matching.deferred_acceptance", tie_break="lowest_name").run(data)
    # x: c first, then a and b (by name); y: a, then b and c tied (b first by name).
    # a, b -> x (x keeps a), c -> y; b -> y (y swaps c for b); c -> x (x swaps a for c);
    # a -> y (y swaps b for a)
    assert out.result["matching"] == {"a": "y", "b": None, "c": "x"}
    assert out.result["assigned"] == {"x": ["c"], "y": ["a"]}


@pytest.mark.parametrize(("entry", "message"), [
    ({"classes": [["s1"], []]}, "receivers.c1.classes.1: is an empty priority class"),
    ({"classes": [["s1"], ["s9"]]}, "receivers.c1.classes: unknown proposer 's9'"),
    ({"classes": [["s1", "s2"], ["s2"]]}, "receivers.c1.classes: lists 's2' twice"),
    ({"classes": [["s1"]], "others": "random"},
     "receivers.c1.others: Input should be 'lottery' or 'unacceptable'"),
    ({"classes": [["s1"]], "lottery": "single"}, "receivers.c1.lottery: unknown field"),
    ({"others": "lottery"}, "receivers.c1.classes: required field is missing"),
    ({"classes": ["s1"]}, "receivers.c1.classes"),
    ({"classes": [["s1", 7]]}, "receivers.c1.classes.0.1: Input should be a valid string"),
])
def test_bad_classes_name_the_field(entry, message) -> None:
    data = {"proposers": {"s1": ["c1"], "s2": ["c1"]}, "receivers": {"c1": entry}}
    for name, params in MECHANISMS:
        with pytest.raises(InputError) as err:
            hz.mechanism(name, **params).run(data)
        assert str(err.value).startswith(message), str(err.value)


def test_the_schema_documents_the_compact_form() -> None:
    schema = hz.describe("matching.deferred_acceptance")["input_schema"]
    classes = schema["$defs"]["PriorityClasses"]
    assert set(classes["properties"]) == {"classes", "others"}
    assert classes["properties"]["others"]["enum"] == ["lottery", "unacceptable"]

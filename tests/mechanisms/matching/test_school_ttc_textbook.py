"""School-choice top trading cycles as in Abdulkadiroğlu & Sönmez (2003), "School Choice: A
Mechanism Design Approach", AER 93(3), 729–747, §4.2.

The textbook rule: every remaining student points to her favourite school with a seat left
among those acceptable to her (a student with none left leaves unassigned); every school with a
seat left points to its highest-priority remaining student, whether or not that student lists
it; every cycle trades; a school whose seats run out leaves. Priorities are complete orders: a
student a school does not list ranks below all the students it lists (one last tie class,
broken by the mechanism's ``tie_break``, like ties inside a list).

The regression: the previous version let a school point only to students who list it, which
made the rule manipulable (the issue's market below).
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from typing import Any

import pytest

import hurwicz as hz
from hurwicz.core.tie_break import seeded_priority

TTC = "matching.school_ttc"

#: The issue's market: truthful a got nothing under the old rule, and X by listing Y too.
ISSUE = {"proposers": {"a": ["X"], "b": ["Y", "X"], "c": ["X"]},
         "receivers": {"X": ["b", "c", "a"], "Y": ["a", "b", "c"]}}


def matching(data: dict[str, Any], **params: Any) -> dict[str, Any]:
    return hz.mechanism(TTC, **params).run(data).result["matching"]


def truncated_rankings(schools: list[str]) -> list[list[str]]:
    return [list(p) for k in range(len(schools) + 1) for p in itertools.permutations(schools, k)]


def points(ranking: list[str], got: str | None) -> int:
    """Ordinal utility: m − position of the school obtained (unlisted or nothing: 0)."""
    return len(ranking) - ranking.index(got) if got in ranking else 0


def test_issue_example_no_gain_from_listing_a_school_one_does_not_want() -> None:
    """Issue's market. Round 1 of the textbook rule: a → X, b → Y, c → X; X → b (its top
    priority), Y → a (its top priority, although a does not list Y). Cycle a → X → b → Y → a:
    a gets X, b gets Y; X is full, so c (who lists only X) leaves unassigned. Reporting [X, Y]
    changes nothing for a — the old rule gave truthful a nothing and the misreport X."""
    truthful = matching(ISSUE)
    assert truthful == {"a": "X", "b": "Y", "c": None}
    lie = matching({**ISSUE, "proposers": {**ISSUE["proposers"], "a": ["X", "Y"]}})
    assert lie["a"] == truthful["a"] == "X"
    # no report of a (over every truncated ranking) does better than the truth
    for report in truncated_rankings(["X", "Y"]):
        got = matching({**ISSUE, "proposers": {**ISSUE["proposers"], "a": report}})["a"]
        assert points(["X"], got) <= points(["X"], "X"), report


def test_issue_example_audit_finds_no_manipulation() -> None:
    rec = hz.audit(TTC, inputs=[ISSUE], properties=["strategyproof"]).check("strategyproof")
    assert rec.holds is True and rec.counterexample is None


def _small_markets() -> Iterator[dict[str, Any]]:
    """Every profile of truncated rankings of 3 students over 2 schools (5³ = 125), under every
    pair of strict priority orders (6 × 6) with one seat each, plus capacity (2, 1) and (1, 0)
    markets and priorities that leave a student unlisted or tie two students."""
    students, lists = ["a", "b", "c"], truncated_rankings(["X", "Y"])
    orders = [list(p) for p in itertools.permutations(students)]
    structures: list[tuple[dict[str, Any], dict[str, int]]] = [
        ({"X": px, "Y": py}, {}) for px in orders for py in orders]
    structures += [({"X": ["b", "c", "a"], "Y": ["a", "b", "c"]}, {"X": 2}),
                   ({"X": ["c", "a", "b"], "Y": ["b", "a", "c"]}, {"Y": 0}),
                   ({"X": ["b"], "Y": ["c", "a"]}, {}),
                   ({"X": [["a", "b"], "c"], "Y": ["c", ["a", "b"]]}, {})]
    for receivers, capacities in structures:
        for combo in itertools.product(lists, repeat=3):
            yield {"proposers": dict(zip(students, combo)), "receivers": receivers,
                   "capacities": capacities}


def test_exhaustive_audit_three_students_two_schools_is_strategyproof() -> None:
    """Abdulkadiroğlu & Sönmez (2003), Proposition 2 (TTC is strategy-proof): over every
    truncated-ranking profile of 3 students × 2 schools under every pair of strict priorities
    (and a few capacity, unlisted and tied variants), the audit tries each student's every
    report (all 5 truncated rankings) and finds no profitable misreport."""
    inputs = list(_small_markets())
    assert len(inputs) == 40 * 125
    rep = hz.audit(TTC, inputs=inputs, properties=["strategyproof"])
    rec = rep.check("strategyproof")
    assert rec.holds is True, rec.counterexample
    assert rec.budget["methods"] == ["all_reports"] and rec.exhaustive_per_profile
    assert rec.budget["deviations"] >= len(inputs) * 3 * 4


def _random_market(rng: random.Random, n: int, m: int) -> dict[str, Any]:
    students = [f"s{i}" for i in range(n)]
    schools = [f"c{j}" for j in range(m)]
    proposers = {}
    for s in students:
        order = rng.sample(schools, m)
        proposers[s] = order[:rng.randint(0, m)]
    receivers: dict[str, list[Any]] = {}
    for c in schools:
        order = rng.sample(students, n)
        if rng.random() < 0.3:
            order = order[:rng.randint(0, n)]  # some students unlisted
        if len(order) >= 2 and rng.random() < 0.3:
            order = [order[:2], *order[2:]]  # a tie at the top
        receivers[c] = order
    return {"proposers": proposers, "receivers": receivers,
            "capacities": {c: rng.randint(0, 2) for c in schools}}


def _feasible_assignments(data: dict[str, Any]) -> Iterator[dict[str, str | None]]:
    """Every assignment of students to schools they list (or nothing) within capacities."""
    students = sorted(data["proposers"])
    caps = {c: data["capacities"].get(c, 1) for c in data["receivers"]}
    options = [[None, *data["proposers"][s]] for s in students]
    for combo in itertools.product(*options):
        used: dict[str, int] = {}
        for c in combo:
            if c is not None:
                used[c] = used.get(c, 0) + 1
        if all(used[c] <= caps[c] for c in used):
            yield dict(zip(students, combo))


@pytest.mark.parametrize("seed", range(60))
def test_ttc_is_pareto_efficient_for_students_brute_force(seed: int) -> None:
    """Abdulkadiroğlu & Sönmez (2003), Proposition 2: TTC is Pareto efficient (for students).
    Brute force over every feasible assignment of a random market (up to 5 students, 3
    schools, truncated lists, unlisted students, ties, capacities 0–2): none makes every
    student weakly better off and one strictly."""
    rng = random.Random(seed)
    data = _random_market(rng, rng.randint(1, 5), rng.randint(1, 3))
    got = matching(data)
    prefs = data["proposers"]
    base = {s: points(prefs[s], got[s]) for s in prefs}
    caps = {c: data["capacities"].get(c, 1) for c in data["receivers"]}
    for s, school in got.items():  # feasibility and individual rationality
        assert school is None or school in prefs[s]
    for c in caps:
        assert sum(v == c for v in got.values()) <= caps[c]
    for other in _feasible_assignments(data):
        util = {s: points(prefs[s], other[s]) for s in prefs}
        dominates = all(util[s] >= base[s] for s in prefs) and any(
            util[s] > base[s] for s in prefs)
        assert not dominates, (data, got, other)


@pytest.mark.parametrize("seed", range(40))
def test_random_markets_no_profitable_misreport_brute_force(seed: int) -> None:
    """Strategy-proofness (AS 2003, Prop. 2) by brute force on 4 students × 3 schools: every
    student tries all 16 truncated rankings; tie_break by name or by either seeded lottery."""
    rng = random.Random(1000 + seed)
    data = _random_market(rng, 4, 3)
    params = [{"tie_break": "lowest_name"}, {"tie_break": seed, "lottery": "single"},
              {"tie_break": seed, "lottery": "multiple"}][seed % 3]
    truth = matching(data, **params)
    for s, true_list in data["proposers"].items():
        for report in truncated_rankings(sorted(data["receivers"])):
            got = matching({**data, "proposers": {**data["proposers"], s: report}},
                           **params)[s]
            assert points(true_list, got) <= points(true_list, truth[s]), (data, s, report)


#: Abdulkadiroğlu & Sönmez (2003), Appendix (pp. 742–744): eight students, four schools with
#: capacities q = (2, 2, 3, 3); the data as reproduced in the matchingMarkets R package's ttc2
#: example, which cites that appendix.
AS2003 = {
    "proposers": {
        "i1": ["s2", "s1", "s3", "s4"], "i2": ["s1", "s2", "s3", "s4"],
        "i3": ["s3", "s2", "s1", "s4"], "i4": ["s3", "s4", "s1", "s2"],
        "i5": ["s1", "s3", "s4", "s2"], "i6": ["s4", "s1", "s2", "s3"],
        "i7": ["s1", "s2", "s3", "s4"], "i8": ["s1", "s2", "s4", "s3"]},
    "receivers": {
        "s1": ["i1", "i2", "i3", "i4", "i5", "i6", "i7", "i8"],
        "s2": ["i3", "i5", "i4", "i8", "i7", "i2", "i1", "i6"],
        "s3": ["i5", "i3", "i1", "i7", "i2", "i8", "i6", "i4"],
        "s4": ["i6", "i8", "i7", "i4", "i2", "i3", "i5", "i1"]},
    "capacities": {"s1": 2, "s2": 2, "s3": 3, "s4": 3},
}


def test_abdulkadiroglu_sonmez_worked_example() -> None:
    """The paper's worked TTC example, step by step:

    1. students point i1→s2, i2→s1, i3→s3, i4→s3, i5→s1, i6→s4, i7→s1, i8→s1; schools
       s1→i1, s2→i3, s3→i5, s4→i6. Cycles (i1 s2 i3 s3 i5 s1) and (i6 s4): i1–s2, i3–s3,
       i5–s1, i6–s4; seats left s1 1, s2 1, s3 2, s4 2.
    2. i2→s1, i4→s3, i7→s1, i8→s1; s1→i2, s3→i7: cycle (i2 s1): i2–s1; s1 is full.
    3. i4→s3, i7→s2, i8→s2; s2→i4, s3→i7: cycle (i4 s3 i7 s2): i4–s3, i7–s2; s2 is full.
    4. i8→s4 (s1, s2 full), s4→i8: i8–s4.
    """
    assert matching(AS2003) == {"i1": "s2", "i2": "s1", "i3": "s3", "i4": "s3", "i5": "s1",
                                "i6": "s4", "i7": "s2", "i8": "s4"}
    # with one seat at s4 (only i6's), step 4 sends i8 on to s3 instead
    one_seat = {**AS2003, "capacities": {**AS2003["capacities"], "s4": 1}}
    assert matching(one_seat)["i8"] == "s3"


def test_unlisted_students_rank_last_in_tie_break_order() -> None:
    """An unlisted student is not unacceptable to a school: she ranks below every listed
    student, and the unlisted ones are ordered by the tie-break (by name, or by the seeded
    lottery of their names — the same numbers as a tie inside a list)."""
    # x lists nobody: u and v are both unlisted there, tied; the tie-break decides
    data = {"proposers": {"u": ["x"], "v": ["x"]}, "receivers": {"x": []}}
    assert matching(data, tie_break="lowest_name") == {"u": "x", "v": None}
    for seed in range(6):
        prio = seeded_priority(seed, ["u", "v"])
        winner = "u" if int(prio[0]) < int(prio[1]) else "v"
        got = matching(data, tie_break=seed)
        assert got[winner] == "x" and sum(v is not None for v in got.values()) == 1
        tied = matching({**data, "receivers": {"x": [["u", "v"]]}}, tie_break=seed)
        assert tied == got  # the unlisted class is broken like a listed tie
    # a listed student outranks an unlisted one even if listed last
    data = {"proposers": {"u": ["x"], "v": ["x"]}, "receivers": {"x": ["v"]}}
    assert matching(data, tie_break="lowest_name") == {"u": None, "v": "x"}


def test_outcome_does_not_depend_on_input_key_order() -> None:
    rng = random.Random(7)
    for _ in range(20):
        data = _random_market(rng, 5, 3)
        for params in ({"tie_break": 3, "lottery": "multiple"}, {"tie_break": 3}):
            base = matching(data, **params)
            shuffled = {k: dict(rng.sample(sorted(v.items()), len(v)))
                        for k, v in data.items()}
            assert matching(shuffled, **params) == base

"""Multiwinner rules: STV and approval committees (PAV, CC, sequential Phragmén, equal shares).

Known answers:
- STV: the "food election" worked example of Wikipedia's *Single transferable vote* article
  (20 voters, 3 seats, Droop quota 6: Chocolate, Oranges, Strawberries), whose counts follow
  Tideman (1995, "The single transferable vote", J. Econ. Perspectives 9(1)).
- Committees: 60 voters approve {a, b, c} and 40 approve {d, e}, 3 seats. Approval voting takes
  a, b, c; the proportional rules give the 40% one seat (PAV: 60·(1 + 1/2) + 40 = 130 beats
  60·(1 + 1/2 + 1/3) = 110; seq. Phragmén: loads 1/60 (a), then d at 1/40 < b at 1/30; MES:
  each voter has 3/100, a costs 1/60 each, d 1/40 each, then b is unaffordable and the
  Phragmén completion adds b).
Axioms (hypothesis): PAV satisfies EJR (Aziz, Brill, Conitzer, Elkind, Freeman & Walsh 2017,
Thm. 5); MES satisfies EJR (Peters & Skowron 2020, Thm. 1); seq. Phragmén satisfies JR (it
satisfies PJR: Brill, Freeman, Janson & Lackner 2017); PAV and CC are optimal against brute
force; the ILP path agrees with enumeration, tie-break included; STV with one seat is IRV on
complete rankings; a candidate with a Droop quota of first preferences is always elected.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hurwicz as hz
from hurwicz.core.errors import InputError, ParameterError
from hurwicz.mechanisms.voting import committees
from hurwicz.mechanisms.voting.committees import (
    satisfies_ejr,
    thiele_score,
    thiele_weights,
)

FOOD = {"candidates": ["oranges", "pears", "chocolate", "strawberries", "hamburgers"],
        "ballots": [{"ranking": ["oranges"], "count": 4},
                    {"ranking": ["pears", "oranges"], "count": 2},
                    {"ranking": ["chocolate", "strawberries"], "count": 8},
                    {"ranking": ["chocolate", "hamburgers"], "count": 4},
                    {"ranking": ["strawberries"], "count": 1},
                    {"ranking": ["hamburgers"], "count": 1}]}

SPLIT = {"candidates": ["a", "b", "c", "d", "e"],
         "ballots": [{"approve": ["a", "b", "c"], "count": 60},
                     {"approve": ["d", "e"], "count": 40}]}


@pytest.mark.parametrize("transfer", ["wigm", "gregory"])
def test_stv_food_election(transfer):
    out = hz.mechanism("voting.stv", seats=3, transfer=transfer).run(FOOD)
    result = out.result
    assert result["winners"] == ["chocolate", "oranges", "strawberries"]
    assert result["quota"] == 6
    first, second, third, fourth, last = result["rounds"]
    assert first["elected"] == ["chocolate"] and first["tally"]["chocolate"] == 12
    assert first["transfer"] == {"from": "chocolate", "kind": "surplus", "value": 6.0}
    assert second["tally"]["strawberries"] == pytest.approx(5.0)  # 1 + 8 * 6/12
    assert second["tally"]["hamburgers"] == pytest.approx(3.0)  # 1 + 4 * 6/12
    assert second["excluded"] == "pears"
    assert third["elected"] == ["oranges"] and third["tally"]["oranges"] == pytest.approx(6.0)
    assert fourth["excluded"] == "hamburgers" and last["elected"] == ["strawberries"]
    assert last["exhausted"] == pytest.approx(3.0)  # hamburgers' ballots have no one left


def test_gregory_moves_only_the_last_parcel():
    """a is elected on the parcel transferred from e; only that parcel carries a's surplus."""
    late = {"candidates": ["a", "b", "c", "e"], "ballots": [
        {"ranking": ["a", "b"], "count": 4}, {"ranking": ["e", "a", "c"], "count": 3},
        {"ranking": ["c"], "count": 3}, {"ranking": ["b"], "count": 3}]}
    # quota 5; e (3) is excluded (tie with b, c at 3 broken by priority: e is last), a gets
    # 7 = 4 + last parcel 3, surplus 2. Gregory: only the 3 from e move on, at 2/3 each, to
    # c (+2). WIGM: all 7 move at 2/7: 4·2/7 to b, 3·2/7 to c.
    gregory = hz.mechanism("voting.stv", seats=2, transfer="gregory").run(late).result
    wigm = hz.mechanism("voting.stv", seats=2).run(late).result
    assert gregory["rounds"][1]["tally"]["a"] == wigm["rounds"][1]["tally"]["a"] == 7
    after_gregory = gregory["rounds"][2]["tally"]
    after_wigm = wigm["rounds"][2]["tally"]
    assert after_gregory["c"] == pytest.approx(5.0) and after_gregory["b"] == pytest.approx(3.0)
    assert after_wigm["c"] == pytest.approx(3 + 6 / 7) and after_wigm["b"] == pytest.approx(
        3 + 8 / 7)
    assert gregory["winners"] == ["a", "c"] and wigm["winners"] == ["a", "b"]


def test_stv_more_seats_than_candidates_and_hare_quota():
    small = {"candidates": ["x", "y"], "ballots": [{"ranking": ["x"], "count": 3}]}
    # more seats than candidates used to elect everyone silently: now a clear error
    with pytest.raises(hz.core.errors.ParameterError, match="params.seats"):
        hz.mechanism("voting.stv", seats=3).run(small)
    assert hz.mechanism("voting.stv", seats=2).run(small).result["winners"] == ["x", "y"]
    hare = hz.mechanism("voting.stv", seats=2, quota="hare").run(FOOD).result
    assert hare["quota"] == 10 and hare["winners"][0] == "chocolate"


rankings = st.lists(st.permutations(range(4)), min_size=1, max_size=9)


@settings(max_examples=60, deadline=None)
@given(rankings)
def test_stv_with_one_seat_is_instant_runoff(rows):
    names = ["a", "b", "c", "d"]
    election = {"candidates": names, "ballots": [{"ranking": [names[c] for c in r]}
                                                 for r in rows]}
    stv = hz.mechanism("voting.stv", seats=1).run(election).result["winners"]
    assert stv == hz.mechanism("voting.irv").run(election).result["winners"]


@settings(max_examples=60, deadline=None)
@given(rankings, st.integers(1, 3))
def test_stv_elects_every_candidate_with_a_quota_of_first_preferences(rows, seats):
    names = ["a", "b", "c", "d"]
    election = {"candidates": names, "ballots": [{"ranking": [names[c] for c in r]}
                                                 for r in rows]}
    result = hz.mechanism("voting.stv", seats=seats).run(election).result
    assert len(result["winners"]) == seats == len(set(result["winners"]))
    firsts = np.bincount([r[0] for r in rows], minlength=4)
    for c in range(4):
        if firsts[c] >= result["quota"]:
            assert names[c] in result["winners"]


def test_committee_rules_on_the_60_40_split():
    winners = {rule: hz.mechanism(rule, seats=3).run(SPLIT).result["winners"] for rule in (
        "voting.pav", "voting.seq_phragmen", "voting.equal_shares", "voting.cc")}
    assert winners["voting.pav"] == ["a", "b", "d"]
    assert winners["voting.seq_phragmen"] == ["a", "d", "b"]
    assert winners["voting.equal_shares"] == ["a", "d", "b"]
    cc = hz.mechanism("voting.cc", seats=3).run(SPLIT).result
    assert cc["covered"] == 100 and {"a", "d"} <= set(cc["winners"])
    pav = hz.mechanism("voting.pav", seats=3).run(SPLIT).result
    assert pav["pav_score"] == 130
    mes = hz.mechanism("voting.equal_shares", seats=3).run(SPLIT).result
    assert mes["bought_by_equal_shares"] == 2


def test_committee_errors():
    with pytest.raises(ParameterError, match="seats"):
        hz.mechanism("voting.pav", seats=6).run(SPLIT)
    with pytest.raises(InputError, match="approves a candidate twice"):
        hz.mechanism("voting.pav", seats=1).run({"candidates": ["a"], "ballots": [
            {"approve": ["a", "a"]}]})
    with pytest.raises(InputError, match="unknown candidate"):
        hz.mechanism("voting.seq_phragmen").run({"candidates": ["a"], "ballots": [
            {"approve": ["z"]}]})


approval_profiles = st.lists(
    st.tuples(st.sets(st.integers(0, 4), min_size=1), st.integers(1, 4)), min_size=1,
    max_size=7)


def to_input(profile):
    names = ["a", "b", "c", "d", "e"]
    return {"candidates": names, "ballots": [{"approve": [names[c] for c in sorted(s)],
                                              "count": k} for s, k in profile]}


def matrix(profile):
    approvals = np.array([[c in s for c in range(5)] for s, _ in profile], bool)
    return approvals, np.array([k for _, k in profile])


@settings(max_examples=80, deadline=None)
@given(approval_profiles, st.integers(1, 4))
def test_pav_and_cc_are_optimal_and_pav_mes_satisfy_ejr(profile, seats):
    approvals, counts = matrix(profile)
    data = to_input(profile)
    names = data["candidates"]
    for rule, kind in (("voting.pav", "pav"), ("voting.cc", "cc")):
        chosen = [names.index(c) for c in
                  hz.mechanism(rule, seats=seats).run(data).result["winners"]]
        weights = thiele_weights(kind, seats)
        best = max(thiele_score(approvals, counts, list(w), weights)
                   for w in itertools.combinations(range(5), seats))
        assert thiele_score(approvals, counts, chosen, weights) == best
    pav = [names.index(c) for c in hz.mechanism("voting.pav", seats=seats).run(data)
           .result["winners"]]
    assert satisfies_ejr(approvals, counts, seats, pav)
    mes = [names.index(c) for c in hz.mechanism("voting.equal_shares", seats=seats,
                                                 completion="none").run(data).result["winners"]]
    assert satisfies_ejr(approvals, counts, seats, mes)
    phragmen = [names.index(c) for c in hz.mechanism("voting.seq_phragmen", seats=seats)
                .run(data).result["winners"]]
    n = counts.sum()
    for c in range(5):  # JR: no n/k voters sharing a candidate are all unrepresented
        group = approvals[:, c] & ~approvals[:, phragmen].any(axis=1)
        assert counts[group].sum() * seats < n


@settings(max_examples=25, deadline=None)
@given(approval_profiles, st.integers(1, 3))
def test_ilp_path_matches_enumeration_including_the_tie_break(profile, seats):
    data = to_input(profile)
    enumerated = hz.mechanism("voting.pav", seats=seats).run(data).result["winners"]
    saved = committees.MAX_ENUMERATION
    committees.MAX_ENUMERATION = 0
    try:
        solved = hz.mechanism("voting.pav", seats=seats).run(data).result["winners"]
        covered = hz.mechanism("voting.cc", seats=seats).run(data).result["covered"]
    finally:
        committees.MAX_ENUMERATION = saved
    assert solved == enumerated
    assert covered == hz.mechanism("voting.cc", seats=seats).run(data).result["covered"]


def test_committee_rules_are_anonymous_and_audited():
    rep = hz.audit("voting.pav", prior="impartial", agents=4, sample_options={"candidates": 4},
                   params={"seats": 2}, properties=["anonymous"], samples=30)
    assert rep.check("anonymous").holds


@pytest.mark.parametrize("rule", ["voting.stv", "voting.pav", "voting.cc", "voting.seq_phragmen",
                                  "voting.equal_shares"])
def test_every_multiwinner_rule_is_manipulable(rule):
    """No proportional committee rule is strategy-proof (Peters 2018, "Proportionality and
    strategyproofness in multiwinner elections"); STV inherits IRV's manipulability. The search
    tries every ballot of every voter, and the manipulation replays."""
    import numpy as np

    from hurwicz.auditing.spec import audit_spec
    from hurwicz.mechanisms.voting.generators import election
    from hurwicz.mechanisms.voting.manipulability import individually_manipulable

    mech = hz.mechanism(rule, seats=2)
    kind = "ranking" if rule == "voting.stv" else "approve"
    found = None
    for seed in range(60):
        data = election("impartial", 4, 4, seed=seed, kind=kind)
        found, complete = individually_manipulable(mech, data, np.random.default_rng(0))
        assert complete
        if found:
            break
    assert found is not None
    spec = audit_spec(mech)
    truth = found["truth"]
    honest = spec.utility(found["voter"], truth, mech.run(data))
    manipulated = mech.run(spec.with_reports(data, {found["voter"]: found["ballot"]}))
    assert spec.utility(found["voter"], truth, manipulated) > honest


def near_tie_approvals(seed: int, m: int = 9, groups: int = 14) -> dict:
    """Approval sets of 1–3 candidates, each held by 100 000 + (0..3) voters: the Thiele
    scores of many committees are within a few units of each other out of millions, far below
    HiGHS's default relative gap (1e-4)."""
    rng = np.random.default_rng(seed)
    names = [chr(ord("a") + k) for k in range(m)]
    return {"candidates": names,
            "ballots": [{"approve": sorted(rng.choice(names, int(rng.integers(1, 4)),
                                                      replace=False).tolist()),
                         "count": 100_000 + int(rng.integers(0, 4))} for _ in range(groups)]}


@pytest.mark.parametrize("seats", [2, 3, 4])
@pytest.mark.parametrize("seed", range(4))
def test_ilp_path_is_exact_on_near_ties(seed, seats, monkeypatch) -> None:
    """The ILP (forced by MAX_ENUMERATION = 0) proves the same optimum as enumerating every
    committee in integer arithmetic, and picks the same committee among tied optima."""
    data = near_tie_approvals(seed)
    names = data["candidates"]
    approvals = np.array([[c in b["approve"] for c in names] for b in data["ballots"]], bool)
    counts = np.array([b["count"] for b in data["ballots"]])
    expected = {rule: hz.mechanism(rule, seats=seats).run(data).result
                for rule in ("voting.pav", "voting.cc")}
    monkeypatch.setattr(committees, "MAX_ENUMERATION", 0)
    for rule, kind in (("voting.pav", "pav"), ("voting.cc", "cc")):
        solved = hz.mechanism(rule, seats=seats).run(data).result
        assert solved["exact"] is True
        assert solved["winners"] == expected[rule]["winners"]
        weights = thiele_weights(kind, seats)
        best = max(thiele_score(approvals, counts, list(w), weights)
                   for w in itertools.combinations(range(len(names)), seats))
        chosen = [names.index(c) for c in solved["winners"]]
        assert thiele_score(approvals, counts, chosen, weights) == best  # integers, exactly


def test_ilp_tie_break_on_exact_ties(monkeypatch) -> None:
    """Four disjoint groups of equal size and two seats: every pair of groups' candidates ties
    (PAV and CC alike), and the priority order (input order) picks a and b."""
    data = {"candidates": ["a", "b", "c", "d"],
            "ballots": [{"approve": [c], "count": 250_000} for c in "dcba"]}
    monkeypatch.setattr(committees, "MAX_ENUMERATION", 0)
    for rule in ("voting.pav", "voting.cc"):
        out = hz.mechanism(rule, seats=2).run(data).result
        assert out["winners"] == ["a", "b"] and out["exact"] is True

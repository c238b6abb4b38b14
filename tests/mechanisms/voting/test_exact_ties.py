"""Exact tallies, parallel-universe co-winners (`tied`), `tie_broken`, and input errors.

Sources:
- DESIGN.md, "What exact means": tallies are compared exactly (integers, or `Fraction` where
  ties create fractions), never with a floating tolerance. `np.isclose` (relative tolerance
  1e-5) calls 100,000 and 100,001 equal, and IEEE 754 doubles cannot hold 2**53 + 1, so both
  regressions below failed before the fix.
- Parallel-universe tie-breaking (PUT): Conitzer, Rognlie & Xia (2009), "Preference functions
  that score rankings and maximum likelihood estimation", IJCAI — a candidate wins if it wins
  in some branch of the tie-breaking; for ranked pairs over every order of equal-margin pairs:
  Brill & Fischer (2012), "The price of neutrality for the ranked pairs method", AAAI. The
  recursive definitions of IRV-PUT, Coombs-PUT and Baldwin-PUT follow pref_voting's
  `instant_runoff_put`, `coombs_put`, `baldwin_put` and `ranked_pairs` (Holliday & Pacuit),
  which are used as a cross-check.
- Majority judgment's median-removal sequence: Balinski & Laraki, *Majority Judgment* (2011),
  ch. 13.
"""

from __future__ import annotations

import itertools
import json
import random
import subprocess
import sys

import numpy as np
import pytest

import hurwicz as hz
from hurwicz.core.errors import InputError, ParameterError
from hurwicz.core.registry import list_mechanisms
from hurwicz.mechanisms.voting.cardinal import _grade_runs, _median_sequence, mj_compare
from hurwicz.mechanisms.voting.profile import Profile

VOTING = sorted(m["name"] if isinstance(m, dict) else m for m in list_mechanisms()
                if (m["name"] if isinstance(m, dict) else m).startswith("voting."))
RANKED = ["voting.plurality", "voting.borda", "voting.irv", "voting.runoff", "voting.coombs",
          "voting.baldwin", "voting.nanson", "voting.bucklin", "voting.copeland",
          "voting.minimax", "voting.schulze", "voting.ranked_pairs", "voting.kemeny_young",
          "voting.stv"]
CARDINAL = {"voting.approval": "approve", "voting.score": "scores", "voting.star": "scores",
            "voting.majority_judgment": "scores", "voting.quadratic": "votes",
            "voting.pav": "approve", "voting.cc": "approve", "voting.seq_phragmen": "approve",
            "voting.equal_shares": "approve"}
CARDINAL.update(dict.fromkeys(["voting.sav", "voting.seq_pav", "voting.rev_seq_pav", "voting.seq_cc", "voting.slav", "voting.monroe", "voting.minimax_phragmen", "voting.leximax_phragmen", "voting.maximin_support", "voting.phragmen_enestrom"], "approve"))  # noqa: E501


def ranked(*groups: tuple[int, str], cands: str = "ab") -> dict:
    return {"candidates": list(cands), "ballots": [{"ranking": list(r), "count": n}
                                                   for n, r in groups]}


def ballot(field: str, name: str) -> object:
    return {"approve": [name], "scores": {name: 1}, "votes": {name: 1}}[field]


def election_for(rule: str, votes: dict[str, int]) -> dict:
    """An election where `votes[c]` voters support c alone (as a ballot of the rule's kind)."""
    cands = sorted(votes)
    if rule == "voting.liquid":
        ballots = [{"voter": f"{c}{k}", "ranking": [c] + [d for d in cands if d != c]}
                   for c in cands for k in range(votes[c])]
        return {"candidates": cands, "ballots": ballots, "delegations": {}}
    field = CARDINAL.get(rule, "scores" if rule == "voting.cumulative" else None)
    if field is None:
        return {"candidates": cands, "ballots": [
            {"ranking": [c] + [d for d in cands if d != c], "count": votes[c]} for c in cands]}
    return {"candidates": cands, "ballots": [{field: ballot(field, c), "count": votes[c]}
                                             for c in cands]}


# --- 1. exact tallies --------------------------------------------------------------------------
@pytest.mark.parametrize("rule", [r for r in VOTING if r != "voting.liquid"])
def test_one_hundred_thousand_and_one_beats_one_hundred_thousand(rule):
    """100,001 ballots for b against 100,000 for a: b wins, alone, without a tie-break (np.isclose
    called the two totals equal and the input order elected a)."""
    out = hz.mechanism(rule).run(election_for(rule, {"a": 100_000, "b": 100_001})).result
    assert out["winners"] == ["b"], out
    assert out["tie_broken"] is False
    if rule not in ("voting.stv",) and "tied" in out:
        assert out["tied"] in (["b"], [["b"]])  # committee rules list committees


@pytest.mark.parametrize("rule", RANKED)
@pytest.mark.parametrize("big", [2**40, 2**53])
def test_huge_counts_are_added_exactly(rule, big):
    """2**53 + 1 is not a double: a float tally rounds it to 2**53 and ties a and b (every
    rule then elected a by the tie-break; STV excluded b). The two b>a ballots merge into one
    group of big + 1, exactly. (`run` takes such counts too, as weights: see
    test_ballot_groups.py.)"""
    p = Profile.from_input(ranked((big, "ab"), (big, "ba"), (1, "ba")))  # merged: big + 1
    assert sorted(p.counts.tolist()) == [big, big + 1]
    out = hz.mechanism(rule).run_parsed(p).result
    assert out["winners"] == ["b"]
    assert out["tie_broken"] is False
    assert out["tied"] in (["b"], [["b"]])


@pytest.mark.parametrize("rule,field", sorted(CARDINAL.items()))
def test_huge_counts_on_cardinal_ballots(rule, field):
    """Cardinal totals are integers (Python integers beyond int64): 2**53 ballots for each of
    a and b plus one more for b, with 10**9-point scores, are compared exactly (the core of the
    rule is called directly; `run` with such counts is in test_ballot_groups.py)."""
    from hurwicz.mechanisms.voting.committees import merge_approvals

    mech = hz.mechanism(rule, **({"max_score": 10**9} if field == "scores" else {}))
    top = 10**9 if field == "scores" else 1
    full = {"approve": ["{c}"], "scores": {"{c}": top}, "votes": {"{c}": 1}}[field]

    def vote(c: str, value: object = None) -> object:
        return json.loads(json.dumps(full).replace("{c}", c)) if value is None else value

    nudge = {"approve": ["b"], "scores": {"b": 1}, "votes": {"b": 1}}[field]
    data = {"candidates": ["a", "b"], "ballots": [{field: vote("a"), "count": 2**53},
                                                  {field: vote("b"), "count": 2**53},
                                                  {field: nudge, "count": 1}]}
    _, values, counts = mech.matrix(data)
    if field == "approve" and rule != "voting.approval":  # committee rules
        keys, merged = merge_approvals(values > 0, counts)
        assert sorted(merged.tolist()) == [2**53, 2**53 + 1]
        ties: list[bool] = []
        committee, _ = mech.choose(keys, merged, [0, 1], ties)
        assert committee == [1] and not any(ties)
        return
    decided = mech.decide(values, counts, [0, 1])
    if rule in ("voting.star", "voting.majority_judgment"):
        assert decided["winner"] == 1 and decided["tied"] == [1]
    if rule != "voting.majority_judgment":
        a, b = (int(x) for x in decided["scores"].tolist())
        assert b == a + 1 and a == top * 2**53


def test_tied_ballot_fractions_are_exact():
    """200,001 voters tie a and b ([["a", "b"]]): each gets 100,000.5 first choices and 100,000
    strict c voters stay behind — np.isclose had put c in the plurality tie."""
    data = {"candidates": ["a", "b", "c"], "ballots": [
        {"ranking": [["a", "b"], "c"], "count": 200_001}, {"ranking": ["c", "a", "b"],
                                                           "count": 100_000}]}
    plurality = hz.mechanism("voting.plurality").run(data).result
    assert plurality["tied"] == ["a", "b"] and plurality["scores"]["a"] == 100_000.5
    irv = hz.mechanism("voting.irv").run(data).result
    assert irv["rounds"][0]["tally"] == {"a": 100_000.5, "b": 100_000.5, "c": 100_000}
    assert irv["rounds"][0]["eliminated"] == "c" and irv["tied"] == ["a"]  # c's go to a
    # thirds: a tie group of three split across ballots adds up to exactly one vote each
    thirds = {"candidates": ["a", "b", "c", "d"], "ballots": [
        {"ranking": [["a", "b", "c"], "d"]}, {"ranking": [["a", "c", "b"]]},
        {"ranking": [["b", "c", "a"], "d"]}, {"ranking": ["d"]}]}
    out = hz.mechanism("voting.plurality").run(thirds).result
    assert out["tied"] == ["a", "b", "c", "d"]
    p = Profile.from_input(thirds)
    assert set(p.first_choices().tolist()) == {1}


def test_stv_counts_exactly():
    """STV's Droop quota of 2**54 + 1 voters is 2**53 + 1: b's first preferences reach it.
    With float tallies both had 2**53, nobody reached the quota and b (last in priority) was
    excluded, electing a."""
    p = Profile.from_input(ranked((2**53, "ab"), (2**53, "ba"), (1, "ba")))
    out = hz.mechanism("voting.stv").run_parsed(p).result
    assert out["quota"] == 2**53 + 1 and out["winners"] == ["b"]
    assert out["rounds"][0]["elected"] == ["b"] and out["tie_broken"] is False


def test_majority_judgment_compares_runs_not_expanded_ballots():
    """mj_compare equals the lexicographic comparison of the median-removal sequences
    (Balinski & Laraki 2011, ch. 13) on random small electorates, and handles 2**40 voters."""
    rng = random.Random(0)
    for _ in range(500):
        groups = rng.randint(1, 5)
        counts = np.array([rng.randint(1, 4) for _ in range(groups)], dtype=np.int64)
        a = np.array([rng.randint(0, 3) for _ in range(groups)])
        b = np.array([rng.randint(0, 3) for _ in range(groups)])
        sa = _median_sequence([int(v) for v, k in zip(a, counts) for _ in range(k)])
        sb = _median_sequence([int(v) for v, k in zip(b, counts) for _ in range(k)])
        n = int(counts.sum())
        assert mj_compare(_grade_runs(a, counts), _grade_runs(b, counts), n) == (
            (sa > sb) - (sa < sb))
    mech = hz.mechanism("voting.majority_judgment")
    data = {"candidates": ["a", "b"], "ballots": [{"scores": {"a": 3, "b": 2}, "count": 2**40},
                                                  {"scores": {"a": 1, "b": 2},
                                                   "count": 2**40 + 1}]}
    _, values, counts = mech.matrix(data)
    decided = mech.decide(values, counts, [0, 1])
    assert decided["winner"] == 1 and decided["tied"] == [1]  # medians: a 1, b 2


# --- 2. tied (parallel universes) and tie_broken -------------------------------------------------
SIX = ["voting.irv", "voting.runoff", "voting.coombs", "voting.baldwin", "voting.ranked_pairs",
       "voting.kemeny_young"]


@pytest.mark.parametrize("rule", SIX)
def test_two_voters_two_candidates_are_both_co_winners(rule):
    """Voters a>b and b>a: the issue's example. Every tie-breaking order elects its first
    candidate, so `tied` is both; the tie-break picked the winner (`tie_broken`)."""
    data = ranked((1, "ab"), (1, "ba"))
    out = hz.mechanism(rule).run(data).result
    assert out["winners"] == ["a"] and out["tied"] == ["a", "b"] and out["tie_broken"] is True
    flipped = hz.mechanism(rule, tie_break=["b", "a"]).run(data).result
    assert flipped["winners"] == ["b"] and flipped["tied"] == ["a", "b"]


SUPERSETS = {
    # a 4, b 3, c 3 first choices; eliminating c (input order) lets a win, eliminating b
    # hands its ballots to c, who then beats a 6–4
    "voting.irv": (ranked((4, "abc"), (3, "bca"), (3, "cab"), cands="abc"), "a", ["a", "c"]),
    # the same election: finalists a and b (a wins 7–3) or a and c (c wins 6–4)
    "voting.runoff": (ranked((4, "abc"), (3, "bca"), (3, "cab"), cands="abc"), "a", ["a", "c"]),
    # last places b 2, c 2: excluding c leaves b beating a 3–2; excluding b, a beats c 4–1
    "voting.coombs": (ranked((2, "acb"), (2, "bac"), (1, "cba"), cands="abc"), "b", ["a", "b"]),
    # Borda a 11, b 8, c 8: without c, b beats a 5–4; without b, a beats c 7–2
    "voting.baldwin": (ranked((3, "bac"), (4, "acb"), (2, "cba"), cands="abc"), "b", ["a", "b"]),
    # c beats b by 7, then b>a and a>c both by 1: whichever is locked first decides
    "voting.ranked_pairs": (ranked((4, "bac"), (3, "cab"), (4, "cba"), (4, "acb"), cands="abc"),
                            "a", ["a", "c"]),
    # the same margins: a>c>b and c>b>a are both optimal (agreement 7 each)
    "voting.kemeny_young": (ranked((4, "bac"), (3, "cab"), (4, "cba"), (4, "acb"), cands="abc"),
                            "a", ["a", "c"]),
}


@pytest.mark.parametrize("rule", sorted(SUPERSETS))
def test_parallel_universe_set_is_larger_than_the_greedy_winner(rule):
    """Three candidates where the tie-break's (greedy) count elects one candidate but another
    branch of the tie elects a second: `tied` holds both, the winner stays the tie-break's."""
    data, winner, tied = SUPERSETS[rule]
    out = hz.mechanism(rule).run(data).result
    assert out["winners"] == [winner] and out["tied"] == tied and out["tie_broken"] is True
    others = {hz.mechanism(rule, tie_break=list(order)).run(data).result["winners"][0]
              for order in itertools.permutations("abc")}
    assert others == set(tied)


def _all_orders_winners(rule, data, **params):
    return {w for order in itertools.permutations(data["candidates"])
            for w in hz.mechanism(rule, tie_break=list(order), **params).run(data)
            .result["winners"]}


def _random_elections(seed, count, max_voters=5):
    rng = random.Random(seed)
    for _ in range(count):
        cands = list("abcd"[:rng.choice([3, 4])])
        yield {"candidates": cands, "ballots": [
            {"ranking": rng.sample(cands, len(cands)), "count": rng.randint(1, 2)}
            for _ in range(rng.randint(1, max_voters))]}


@pytest.mark.parametrize("rule", ["voting.irv", "voting.runoff", "voting.coombs",
                                  "voting.baldwin", "voting.nanson", "voting.bucklin",
                                  "voting.plurality", "voting.borda", "voting.copeland",
                                  "voting.minimax", "voting.schulze", "voting.ranked_pairs"])
def test_tied_is_the_union_over_every_tie_breaking_order(rule):
    """On small random elections `tied` is exactly the set of winners over all 3! or 4!
    priority orders, and `tie_broken` false means a single possible winner."""
    for data in _random_elections(7, 40):
        out = hz.mechanism(rule).run(data).result
        assert set(out["tied"]) == _all_orders_winners(rule, data), data
        assert out["winners"][0] in out["tied"]
        if not out["tie_broken"]:
            assert out["tied"] == out["winners"], data


def test_kemeny_tied_is_every_optimal_ranking_top():
    """Kemeny–Young: `tied` = the first candidates of all optimal rankings (brute force over
    every ranking of 3–4 candidates)."""
    for data in _random_elections(11, 12, max_voters=4):
        p = Profile.from_input(data)
        margins = p.margins()
        m = len(data["candidates"])
        score = {order: sum(int(margins[a, b]) for i, a in enumerate(order)
                            for b in order[i + 1:]) for order in itertools.permutations(range(m))}
        best = max(score.values())
        tops = sorted({data["candidates"][o[0]] for o, s in score.items() if s == best})
        out = hz.mechanism("voting.kemeny_young").run(data).result
        assert out["tied"] == tops and out["tie_broken"] is (len(tops) > 1), data


def test_ranked_pairs_tied_is_every_order_of_equal_margin_pairs():
    """Ranked pairs over *every* order of the equal-margin pairs (not only those a candidate
    priority induces), by brute force over the product of the groups' permutations."""
    for data in _random_elections(3, 40):
        p = Profile.from_input(data)
        margins = p.margins()
        m = len(data["candidates"])
        groups: dict[int, list] = {}
        for a, b in itertools.permutations(range(m), 2):
            if margins[a, b] > 0:
                groups.setdefault(int(margins[a, b]), []).append((a, b))
        ordered = [groups[k] for k in sorted(groups, reverse=True)]
        winners = set()
        for perms in itertools.product(*(itertools.permutations(g) for g in ordered)):
            locked: set[tuple[int, int]] = set()
            for a, b in itertools.chain(*perms):
                reach, stack = {b}, [b]
                while stack:
                    x = stack.pop()
                    for y, z in locked:
                        if y == x and z not in reach:
                            reach.add(z)
                            stack.append(z)
                if a not in reach:
                    locked.add((a, b))
            winners |= {c for c in range(m) if not any(z == c for _, z in locked)}
        out = hz.mechanism("voting.ranked_pairs").run(data).result
        assert out["tied"] == [data["candidates"][c] for c in sorted(winners)], data


PEER = r"""
import json, sys
from pref_voting.profiles import Profile
from pref_voting.iterative_methods import instant_runoff_put, coombs_put, baldwin_put
from pref_voting.margin_based_methods import ranked_pairs
out = []
for rankings, counts in json.load(sys.stdin):
    p = Profile(rankings, rcounts=counts)
    out.append({"voting.irv": instant_runoff_put(p), "voting.coombs": coombs_put(p),
                "voting.baldwin": baldwin_put(p), "voting.ranked_pairs": ranked_pairs(p)})
print(json.dumps(out))
"""


def test_tied_matches_pref_voting_put():
    """pref_voting's PUT versions of IRV, Coombs and Baldwin and its ranked pairs (winners over
    all tie-breaking edge orders) give the same co-winner sets on 50 random profiles (run in
    a fresh interpreter: its OR-Tools HiGHS clashes with highspy)."""
    rng = np.random.default_rng(4)
    cases, elections = [], []
    for _ in range(50):
        m = int(rng.integers(3, 5))
        groups = int(rng.integers(1, 6))
        rankings = [[int(x) for x in rng.permutation(m)] for _ in range(groups)]
        counts = [int(c) for c in rng.integers(1, 3, size=groups)]
        cands = list("abcd"[:m])
        cases.append([rankings, counts])
        elections.append({"candidates": cands, "ballots": [
            {"ranking": [cands[i] for i in r], "count": c} for r, c in zip(rankings, counts)]})
    done = subprocess.run([sys.executable, "-c", PEER], input=json.dumps(cases),
                          capture_output=True, text=True, timeout=600, check=True)
    for data, theirs in zip(elections, json.loads(done.stdout)):
        for rule, winners in theirs.items():
            ours = hz.mechanism(rule).run(data).result["tied"]
            assert [data["candidates"].index(c) for c in ours] == winners, (rule, data)


def test_stv_tied_lists_the_committees_of_every_branch():
    """Three voters for a, b and c alone, two seats: the Droop quota (2) is out of reach, the
    exclusion is a three-way tie, and each exclusion elects the other two."""
    data = {"candidates": ["a", "b", "c"], "ballots": [{"ranking": [c]} for c in "abc"]}
    out = hz.mechanism("voting.stv", seats=2).run(data).result
    assert out["winners"] == ["a", "b"] and out["tie_broken"] is True
    assert out["tied"] == [["a", "b"], ["a", "c"], ["b", "c"]]
    for data in _random_elections(9, 25, max_voters=6):
        for seats in (1, 2):
            res = hz.mechanism("voting.stv", seats=seats).run(data).result
            union = {tuple(sorted(hz.mechanism("voting.stv", seats=seats, tie_break=list(o))
                                  .run(data).result["winners"], key=data["candidates"].index))
                     for o in itertools.permutations(data["candidates"])}
            assert union <= {tuple(c) for c in res["tied"]}
            assert res["tie_broken"] or len(res["tied"]) == 1


def test_dropping_candidates_without_ballots_is_no_decision():
    """IRV and STV drop d and e (no first choices) in tie-break order, but any order gives the
    same count: not a tie-break decision, and no 2**k parallel universes."""
    data = {"candidates": list("abcde"), "ballots": [
        {"ranking": ["a"], "count": 2}, {"ranking": ["b"], "count": 2},
        {"ranking": ["c", "a"]}]}
    irv = hz.mechanism("voting.irv").run(data).result
    assert [r["eliminated"] for r in irv["rounds"]] == ["e", "d", "c", None]
    assert irv["winners"] == ["a"] and irv["tied"] == ["a"] and irv["tie_broken"] is False
    stv = hz.mechanism("voting.stv").run(data).result
    assert stv["winners"] == ["a"] and stv["tied"] == [["a"]] and stv["tie_broken"] is False
    many = {"candidates": [f"c{i}" for i in range(20)], "ballots": [
        {"ranking": ["c0"], "count": 2}, {"ranking": ["c1"], "count": 2},
        {"ranking": ["c2", "c0"]}]}
    wide = hz.mechanism("voting.irv").run(many).result
    assert wide["tied"] == ["c0"] and "tied_complete" not in wide


@pytest.mark.parametrize("rule", VOTING)
def test_every_rule_says_whether_the_tie_break_decided(rule):
    """`result.tie_broken` exists for every voting rule: false with a clear winner (3 voters
    against 1), true when two candidates have one voter each."""
    clear = hz.mechanism(rule).run(election_for(rule, {"a": 3, "b": 1})).result
    assert clear["tie_broken"] is False and clear["winners"] == ["a"], clear
    even = hz.mechanism(rule).run(election_for(rule, {"a": 1, "b": 1})).result
    assert even["tie_broken"] is True and even["winners"] == ["a"], even


def test_committee_tie_broken():
    """PAV/CC: several optimal committees (also on the ILP path); seq. Phragmén and MES: a
    step with equal loads or prices (the 60/40 split: a, b, c are interchangeable)."""
    from hurwicz.mechanisms.voting import committees

    split = {"candidates": ["a", "b", "c", "d", "e"], "ballots": [
        {"approve": ["a", "b", "c"], "count": 60}, {"approve": ["d", "e"], "count": 40}]}
    unique = {"candidates": ["a", "b", "c"], "ballots": [
        {"approve": ["a", "b"], "count": 3}, {"approve": ["b", "c"], "count": 2}]}
    for rule in ("voting.pav", "voting.cc", "voting.seq_phragmen", "voting.equal_shares"):
        assert hz.mechanism(rule, seats=3).run(split).result["tie_broken"] is True, rule
    assert hz.mechanism("voting.pav", seats=2).run(unique).result["tie_broken"] is False
    assert hz.mechanism("voting.seq_phragmen", seats=1).run(unique).result["tie_broken"] is False
    saved = committees.MAX_ENUMERATION
    committees.MAX_ENUMERATION = 0
    try:
        assert hz.mechanism("voting.pav", seats=3).run(split).result["tie_broken"] is True
        assert hz.mechanism("voting.pav", seats=2).run(unique).result["tie_broken"] is False
    finally:
        committees.MAX_ENUMERATION = saved


# --- 3. input errors ---------------------------------------------------------------------------
@pytest.mark.parametrize("rule", VOTING)
def test_an_election_nobody_voted_in_is_an_error(rule):
    """No ballots used to "elect" the first candidate (IRV ['a'], PAV ['a', 'b'])."""
    data = {"candidates": ["a", "b"], "ballots": []}
    if rule == "voting.liquid":
        data["delegations"] = {"v1": "v2"}  # delegations alone: still nobody votes
    with pytest.raises(InputError, match="no voter cast a ballot") as err:
        hz.mechanism(rule).run(data)
    assert err.value.field == "ballots"


@pytest.mark.parametrize("rule", RANKED)
def test_a_profile_of_zero_voters_is_an_error(rule):
    """The array fast path too: ballot groups whose counts sum to zero voters."""
    p = Profile(["a", "b"], np.array([[0, 1]]), np.array([0]))
    with pytest.raises(InputError, match="no voter cast a ballot"):
        hz.mechanism(rule).run_parsed(p)


def test_stv_refuses_more_seats_than_candidates():
    """Like the committee rules (`params.seats`), instead of electing everyone silently."""
    data = {"candidates": ["x", "y"], "ballots": [{"ranking": ["x"], "count": 3}]}
    with pytest.raises(ParameterError, match="3 seats but only 2 candidates") as err:
        hz.mechanism("voting.stv", seats=3).run(data)
    assert err.value.field == "params.seats"
    with pytest.raises(ParameterError) as committee_err:
        hz.mechanism("voting.pav", seats=3).run({"candidates": ["x", "y"], "ballots": [
            {"approve": ["x"]}]})
    assert committee_err.value.field == err.value.field
    assert hz.mechanism("voting.stv", seats=2).run(data).result["winners"] == ["x", "y"]


@pytest.mark.parametrize("rule", ["voting.approval", "voting.pav", "voting.cc",
                                  "voting.seq_phragmen", "voting.equal_shares"])
def test_approving_a_candidate_twice_is_an_error(rule):
    """{"approve": ["a", "a"]} used to count once for approval voting."""
    data = {"candidates": ["a", "b"], "ballots": [{"approve": ["b"]}, {"approve": ["a", "a"]}]}
    with pytest.raises(InputError, match="approves a candidate twice") as err:
        hz.mechanism(rule).run(data)
    assert err.value.field == "ballots.1.approve"

"""Ranked voting rules: classic profiles, a cross-check with pref_voting, invariants, and the
Gibbard–Satterthwaite theorem in action.

Sources: Condorcet (1785) — the cyclic paradox; the IRV monotonicity failure with 39/35/26
voters (Smith 1973; e.g. Felsenthal & Tideman 2014); Gibbard (1973) and Satterthwaite (1975) —
every onto non-dictatorial rule over ≥ 3 candidates is manipulable. Tie conventions when
comparing with pref_voting (Holliday & Pacuit): pref_voting returns all co-winners, which we
compare with ``result.tied``; for IRV we pass pref_voting our tie-break order (reversed: its
first entry is eliminated first) so one candidate is eliminated per round in both; ranked pairs
is compared only on profiles without zero margins whose positive margins are all distinct.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hurwicz as hz
from hurwicz.core.errors import InputError
from hurwicz.mechanisms.voting.profile import Profile
from hurwicz.mechanisms.voting.ranked import condorcet_winner, smith_set

RULES = ["voting.plurality", "voting.borda", "voting.irv", "voting.copeland", "voting.minimax",
         "voting.schulze", "voting.ranked_pairs"]


def election(groups: list[tuple[int, str]], candidates: str = "abc") -> dict:
    return {"candidates": list(candidates),
            "ballots": [{"ranking": list(r), "count": n} for n, r in groups]}


def winner(rule: str, data: dict, **params) -> str:
    return hz.mechanism(rule, **params).run(data).result["winners"][0]


def test_plurality_irv_borda_and_condorcet_all_differ() -> None:
    # hand-checked: plurality c (36 first places); IRV drops d (11) then a, b wins 76–36;
    # Borda (3/2/1/0) d 201 > a 197 > b 155 > c 119; a beats b 67–45, c 65–47, d 65–47
    data = election([(34, "badc"), (11, "dbca"), (31, "adbc"), (36, "cdab")], "abcd")
    got = {r: winner(r, data) for r in ("voting.plurality", "voting.irv", "voting.borda")}
    profile = Profile.from_input(data)
    cw = condorcet_winner(profile)
    assert cw is not None
    found = {**got, "condorcet": data["candidates"][cw]}
    assert found == {"voting.plurality": "c", "voting.irv": "b", "voting.borda": "d",
                     "condorcet": "a"}


def test_condorcet_paradox() -> None:
    data = election([(1, "abc"), (1, "bca"), (1, "cab")])
    p = Profile.from_input(data)
    assert condorcet_winner(p) is None
    assert smith_set(p) == [0, 1, 2]
    out = hz.mechanism("voting.copeland").run(data)
    assert out.result["tied"] == ["a", "b", "c"] and out.result["winners"] == ["a"]
    assert hz.mechanism("voting.copeland", tie_break=["c", "a", "b"]).run(data).result[
        "winners"] == ["c"]


def test_irv_monotonicity_failure() -> None:
    before = election([(39, "abc"), (35, "bca"), (26, "cab")])
    after = election([(49, "abc"), (25, "bca"), (26, "cab")])  # 10 voters raise a to the top
    assert winner("voting.irv", before) == "a"
    assert winner("voting.irv", after) == "c"
    rounds = hz.mechanism("voting.irv").run(after).result["rounds"]
    assert rounds[0]["eliminated"] == "b" and rounds[0]["tally"] == {"a": 49, "b": 25, "c": 26}


def test_borda_truncation_conventions() -> None:
    data = election([(1, "a"), (1, "bc")])
    zero = hz.mechanism("voting.borda").run(data).result["scores"]
    avg = hz.mechanism("voting.borda", truncated="average").run(data).result["scores"]
    assert zero == {"a": 2.0, "b": 2.0, "c": 1.0}
    assert avg == {"a": 2.0, "b": 2.5, "c": 1.5}


PEER_SCRIPT = r"""
import json, sys
from pref_voting.profiles import Profile
from pref_voting.c1_methods import copeland
from pref_voting.iterative_methods import instant_runoff
from pref_voting.margin_based_methods import beat_path, minimax, ranked_pairs
from pref_voting.scoring_methods import borda, plurality
out = []
for rankings, counts, prio, strict in json.load(sys.stdin):
    p = Profile(rankings, rcounts=counts)
    out.append({"voting.plurality": plurality(p), "voting.borda": borda(p),
                "voting.copeland": copeland(p), "voting.minimax": minimax(p),
                "voting.schulze": beat_path(p),
                "voting.ranked_pairs": ranked_pairs(p) if strict else None,
                "voting.irv": instant_runoff(p, tie_breaker=list(reversed(prio)))})
print(json.dumps(out))
"""


def pref_voting_results(cases: list) -> list[dict]:
    """pref_voting in a fresh interpreter: it loads OR-Tools, whose bundled HiGHS clashes with
    the highspy library already loaded in this process."""
    import json
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", PEER_SCRIPT], input=json.dumps(cases),
                          capture_output=True, text=True, timeout=300, check=True)
    return json.loads(done.stdout)


def test_cross_check_with_pref_voting() -> None:
    rng = np.random.default_rng(0)
    cands = list("abcd")
    prio = [3, 1, 0, 2]
    cases, elections = [], []
    for _ in range(300):
        groups = int(rng.integers(2, 7))
        rankings = [[int(x) for x in rng.permutation(4)] for _ in range(groups)]
        counts = [int(c) for c in rng.integers(1, 60, size=groups)]
        if sum(counts) % 2 == 0 and len(cases) % 2 == 0:
            counts[0] += 1  # half the profiles have an odd electorate: no zero margins
        data = {"candidates": cands, "ballots": [
            {"ranking": [cands[i] for i in r], "count": c} for r, c in zip(rankings, counts)]}
        margins = Profile.from_input(data).margins()
        positive = margins[margins > 0]
        # ranked pairs is compared where no two margins tie (pref_voting then explores no
        # tie-breaking orders, and both must give the one winner)
        strict = bool((margins[~np.eye(4, dtype=bool)] != 0).all()
                      and len(set(positive.tolist())) == len(positive))
        cases.append([rankings, counts, prio, strict])
        elections.append(data)
    compared = 0
    for data, theirs in zip(elections, pref_voting_results(cases)):
        for rule in ("voting.plurality", "voting.borda", "voting.copeland", "voting.minimax",
                     "voting.schulze"):
            tied = hz.mechanism(rule).run(data).result["tied"]
            assert sorted(cands.index(c) for c in tied) == theirs[rule], (rule, data)
        ours = hz.mechanism("voting.irv", tie_break=[cands[i] for i in prio]).run(data)
        assert [cands.index(ours.result["winners"][0])] == theirs["voting.irv"]
        if theirs["voting.ranked_pairs"] is not None:
            rp = hz.mechanism("voting.ranked_pairs").run(data).result["winners"][0]
            assert [cands.index(rp)] == theirs["voting.ranked_pairs"]
            compared += 1
    assert compared >= 10


ballot_lists = st.lists(st.tuples(st.integers(1, 4), st.permutations(list("abcd"))),
                        min_size=1, max_size=6)


@settings(max_examples=40)
@given(ballot_lists, st.randoms(use_true_random=False))
def test_anonymity_and_condorcet_consistency(groups, rnd) -> None:
    data = election([(n, "".join(r)) for n, r in groups], "abcd")
    shuffled = dict(data, ballots=rnd.sample(data["ballots"], len(data["ballots"])))
    p = Profile.from_input(data)
    cw = condorcet_winner(p)
    for rule in RULES:
        assert winner(rule, data) == winner(rule, shuffled)  # voters' order is irrelevant
        if cw is not None and rule in ("voting.copeland", "voting.minimax", "voting.schulze",
                                       "voting.ranked_pairs"):
            assert winner(rule, data) == data["candidates"][cw]


@pytest.mark.parametrize("rule", RULES)
def test_gibbard_satterthwaite_every_rule_is_manipulable(rule: str) -> None:
    """Exhaustive audit over every profile of 3 voters on 3 candidates finds a manipulation."""
    base = election([(1, "abc"), (1, "bca"), (1, "cab")])
    rec = hz.audit(rule, inputs=[base], properties=["manipulable"]).check("strategyproof")
    assert rec.holds is False
    assert rec.budget["space"].endswith("(216 profiles)") and rec.budget["given_inputs"] == 1
    ce = rec.counterexample
    assert ce["deviating_utility"] > ce["truthful_utility"]


def test_bad_ballots() -> None:
    with pytest.raises(InputError, match="ballots.0.ranking: unknown candidate 'q'"):
        hz.mechanism("voting.borda").run({"candidates": ["a"], "ballots": [{"ranking": ["q"]}]})
    with pytest.raises(InputError, match="ranks 'a' twice"):
        hz.mechanism("voting.borda").run({"candidates": ["a"], "ballots": [
            {"ranking": ["a", "a"]}]})
    with pytest.raises(InputError, match="does not accept tied ranks"):
        hz.mechanism("voting.bucklin").run({"candidates": ["a", "b"], "ballots": [
            {"ranking": [["a", "b"]]}]})
    with pytest.raises(InputError, match="empty tie group"):
        hz.mechanism("voting.borda").run({"candidates": ["a", "b"], "ballots": [
            {"ranking": [[], "a"]}]})

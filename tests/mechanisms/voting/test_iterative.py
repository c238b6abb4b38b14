"""Two-round runoff, Coombs, Baldwin, Nanson and Bucklin.

Hand-checked profiles; Baldwin and Nanson are Condorcet consistent (Nanson 1882; Baldwin 1926;
see Felsenthal & Nurmi 2018) — checked with hypothesis; Gibbard–Satterthwaite: each is
manipulable, found by exhaustive audit.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hurwicz as hz
from hurwicz.core.errors import InputError
from hurwicz.mechanisms.voting.profile import Profile
from hurwicz.mechanisms.voting.ranked import condorcet_winner

RULES = ["voting.runoff", "voting.coombs", "voting.baldwin", "voting.nanson", "voting.bucklin"]


def election(groups, candidates="abc"):
    return {"candidates": list(candidates),
            "ballots": [{"ranking": list(r), "count": n} for n, r in groups]}


def test_hand_checked_profile() -> None:
    # 9 voters: runoff a–b 4:5; Coombs drops a (5 last places); Baldwin drops c (7) then a;
    # Nanson drops a (8) and c (7) below the mean 9; Bucklin: b in 9 top-two lists
    data = election([(4, "abc"), (3, "bca"), (2, "cba")])
    for rule in RULES:
        assert hz.mechanism(rule).run(data).result["winners"] == ["b"], rule
    rounds = hz.mechanism("voting.runoff").run(data).result["rounds"]
    assert rounds[1]["tally"] == {"a": 4, "b": 5}


def test_runoff_and_coombs_rounds() -> None:
    # 5 abc, 4 bac, 3 cba, 2 cab (14 voters). First choices a 5, b 4, c 5: the runoff is a
    # against c (9:5). Coombs: c has 9 last places and goes; a and b then tie 7:7 in first
    # choices and in last places, and the tie-break (input order) drops b.
    data = election([(5, "abc"), (4, "bac"), (3, "cba"), (2, "cab")])
    runoff = hz.mechanism("voting.runoff").run(data).result
    assert runoff["winners"] == ["a"] and runoff["rounds"][1]["tally"] == {"a": 9, "c": 5}
    coombs = hz.mechanism("voting.coombs").run(data).result
    assert [r["eliminated"] for r in coombs["rounds"]] == ["c", "b", None]
    flipped = hz.mechanism("voting.coombs", tie_break=["b", "a", "c"]).run(data).result
    assert flipped["winners"] == ["b"]


def test_majority_winner_needs_no_runoff() -> None:
    data = election([(3, "abc"), (1, "bca"), (1, "cab")])
    assert len(hz.mechanism("voting.runoff").run(data).result["rounds"]) == 1


@settings(max_examples=40)
@given(st.lists(st.tuples(st.integers(1, 5), st.permutations(list("abcd"))), min_size=1,
                max_size=6))
def test_baldwin_and_nanson_elect_the_condorcet_winner(groups) -> None:
    data = election([(n, "".join(r)) for n, r in groups], "abcd")
    cw = condorcet_winner(Profile.from_input(data))
    if cw is not None:
        for rule in ("voting.baldwin", "voting.nanson"):
            assert hz.mechanism(rule).run(data).result["winners"] == [data["candidates"][cw]]


@pytest.mark.parametrize("rule", RULES)
def test_every_rule_is_manipulable(rule: str) -> None:
    base = election([(1, "abc"), (1, "bca"), (1, "cab")])
    rec = hz.audit(rule, inputs=[base], properties=["manipulable"]).check("strategyproof")
    assert rec.holds is False and "every profile of full rankings" in rec.budget["space"]


def test_coombs_needs_complete_rankings() -> None:
    with pytest.raises(InputError, match="complete rankings"):
        hz.mechanism("voting.coombs").run(election([(1, "ab")]))

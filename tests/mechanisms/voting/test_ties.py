"""Ballots with tied ranks.

Convention (documented in hurwicz.mechanisms.voting.profile): a ballot that ties candidates
counts as the average of its linear extensions — tied candidates share a first choice equally,
get the average of their positions' Borda points (symmetric Borda), and have no pairwise
preference between them. The property test checks exactly that: every supported rule gives the
same scores and winners on a weak-order profile as on the profile of all linear extensions,
each weighted so that every ballot keeps its total weight.
"""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hurwicz as hz

NAMES = ["a", "b", "c", "d"]
RULES = ["voting.plurality", "voting.borda", "voting.irv", "voting.copeland", "voting.minimax",
         "voting.schulze", "voting.ranked_pairs", "voting.runoff", "voting.kemeny_young"]


@st.composite
def weak_order(draw):
    """A weak order: a random permutation cut into consecutive tiers."""
    perm = draw(st.permutations(NAMES))
    cuts = draw(st.lists(st.booleans(), min_size=3, max_size=3))
    tiers, current = [], [perm[0]]
    for name, cut in zip(perm[1:], cuts):
        if cut:
            tiers.append(current)
            current = [name]
        else:
            current.append(name)
    tiers.append(current)
    return [t if len(t) > 1 else t[0] for t in tiers]


def extensions(ranking):
    groups = [g if isinstance(g, list) else [g] for g in ranking]
    for parts in itertools.product(*(itertools.permutations(g) for g in groups)):
        yield [c for part in parts for c in part]


def expanded(ballots):
    scale = math.lcm(*(math.prod(math.factorial(len(g) if isinstance(g, list) else 1)
                                 for g in b) for b in ballots))
    out = []
    for b in ballots:
        ext = list(extensions(b))
        out += [{"ranking": e, "count": scale // len(ext)} for e in ext]
    return out, scale


@settings(max_examples=60, deadline=None)
@given(st.lists(weak_order(), min_size=1, max_size=6))
def test_tied_ballots_count_as_the_average_of_their_extensions(ballots):
    tied = {"candidates": NAMES, "ballots": [{"ranking": b} for b in ballots]}
    strict_ballots, scale = expanded(ballots)
    strict = {"candidates": NAMES, "ballots": strict_ballots}
    for rule in RULES:
        a = hz.mechanism(rule).run(tied).result
        b = hz.mechanism(rule).run(strict).result
        assert a["winners"] == b["winners"], rule
        if "scores" in a and rule in ("voting.plurality", "voting.borda"):
            assert all(math.isclose(a["scores"][c] * scale, b["scores"][c]) for c in NAMES)


def test_known_tied_profile():
    election = {"candidates": ["a", "b", "c"], "ballots": [
        {"ranking": [["a", "b"], "c"], "count": 2}, {"ranking": ["c", "a", "b"]}]}
    plurality = hz.mechanism("voting.plurality").run(election).result
    assert plurality["scores"] == {"a": 1.0, "b": 1.0, "c": 1.0}
    borda = hz.mechanism("voting.borda").run(election).result
    assert borda["scores"] == {"a": 2 * 1.5 + 1, "b": 2 * 1.5, "c": 2}
    margins = hz.mechanism("voting.copeland").run(election).result["margins"]
    assert margins["a"]["b"] == 1 and margins["a"]["c"] == 1  # the tie gives no a-b preference
    irv = hz.mechanism("voting.irv").run(election).result["rounds"][0]["tally"]
    assert irv == {"a": 1, "b": 1, "c": 1}


@pytest.mark.parametrize("rule", ["voting.coombs", "voting.baldwin", "voting.nanson",
                                  "voting.bucklin", "voting.stv"])
def test_rules_that_walk_rankings_refuse_ties(rule):
    with pytest.raises(hz.core.errors.InputError, match="tied ranks"):
        hz.mechanism(rule).run({"candidates": ["a", "b"], "ballots": [{"ranking": [["a", "b"]]}]})


def test_fractional_tallies_do_not_fake_a_majority():
    """1/3 + 1 + 1/3 + 1/3 is 1.9999999999999998 in floating point: b's 1 vote of 2 must not
    count as a majority (found by hypothesis; the linear extensions give a)."""
    election = {"candidates": ["a", "b", "c", "d"], "ballots": [
        {"ranking": [["a", "c", "d"], "b"]}, {"ranking": ["b", ["a", "c", "d"]]}]}
    assert hz.mechanism("voting.irv").run(election).result["winners"] == ["a"]

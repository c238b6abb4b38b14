"""Kemeny–Young against brute force over all rankings (Kemeny 1959; Young & Levenglick 1978:
the Kemeny ranking maximises agreement with voters' pairwise preferences)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hurwicz as hz
from hurwicz.core.errors import InputError
from hurwicz.mechanisms.voting.profile import Profile


def agreement(p: Profile, order: list[int]) -> float:
    pos = p.positions()
    return float(sum(p.counts[pos[:, a] < pos[:, b]].sum()
                     for i, a in enumerate(order) for b in order[i + 1:]))


@settings(max_examples=30)
@given(st.lists(st.tuples(st.integers(1, 4), st.permutations(list("abcd"))), min_size=1,
                max_size=6))
def test_matches_brute_force(groups) -> None:
    data = {"candidates": list("abcd"),
            "ballots": [{"ranking": list(r), "count": n} for n, r in groups]}
    out = hz.mechanism("voting.kemeny_young").run(data).result
    p = Profile.from_input(data)
    best = max(agreement(p, list(o)) for o in itertools.permutations(range(4)))
    assert out["kemeny_score"] == best
    order = [data["candidates"].index(c) for c in out["ranking"]]
    assert agreement(p, order) == best


def test_size_limit_message() -> None:
    cands = [f"c{i}" for i in range(13)]
    with pytest.raises(InputError, match="at most 12 candidates"):
        hz.mechanism("voting.kemeny_young").run({"candidates": cands, "ballots": [
            {"ranking": cands}]})


def test_condorcet_winner_is_ranked_first() -> None:
    rng = np.random.default_rng(1)
    cands = list("abcde")
    for _ in range(20):
        ballots = [{"ranking": list(rng.permutation(cands)), "count": int(rng.integers(1, 4))}
                   for _ in range(7)]
        data = {"candidates": cands, "ballots": ballots}
        from hurwicz.mechanisms.voting.ranked import condorcet_winner

        cw = condorcet_winner(Profile.from_input(data))
        if cw is not None:
            assert hz.mechanism("voting.kemeny_young").run(data).result["winners"] == [
                cands[cw]]


def brute_force_kemeny(data: dict) -> tuple[int, list[str]]:
    """The best agreement Σ_{a above b} #(voters preferring a to b), in integers, and the first
    optimal ranking in input order (place by place, the earliest candidate some optimal ranking
    puts there: the rule's tie-break), by enumerating every ranking."""
    cands = data["candidates"]
    prefer = {(a, b): 0 for a in cands for b in cands if a != b}
    for ballot in data["ballots"]:
        order = ballot["ranking"]
        for i, a in enumerate(order):
            for b in order[i + 1:]:
                prefer[(a, b)] += ballot.get("count", 1)
    scored = [(sum(prefer[(a, b)] for i, a in enumerate(r) for b in r[i + 1:]), r)
              for r in itertools.permutations(cands)]
    best = max(s for s, _ in scored)
    first = min(r for s, r in scored if s == best)  # candidates are listed in sorted order
    return best, list(first)


def near_tie_profile(seed: int, m: int = 6, groups: int = 9) -> dict:
    """Rankings held by ~100 000 voters each, counts differing by a few: the Kemeny scores of
    many rankings are within a few units of each other out of ~1.5 million."""
    rng = np.random.default_rng(seed)
    cands = [chr(ord("a") + k) for k in range(m)]
    return {"candidates": cands,
            "ballots": [{"ranking": list(rng.permutation(cands)),
                         "count": 100_000 + int(rng.integers(0, 4))} for _ in range(groups)]}


@pytest.mark.parametrize("seed", range(8))
def test_near_ties_match_brute_force_exactly(seed) -> None:
    data = near_tie_profile(seed)
    best, first = brute_force_kemeny(data)
    out = hz.mechanism("voting.kemeny_young").run(data).result
    assert out["exact"] is True
    assert out["kemeny_score"] == best  # integers, no tolerance
    assert out["ranking"] == first  # and the documented tie-break among optimal rankings


def test_exact_ties_use_the_tie_break() -> None:
    """A Condorcet cycle with n voters on each of a>b>c, b>c>a, c>a>b: each rotation agrees
    with 5n pairwise preferences and every other ranking with 4n, so the three rotations tie and
    input order picks a>b>c; one more b>c>a voter makes b>c>a the unique optimum (5n + 3)."""
    cycle = [["a", "b", "c"], ["b", "c", "a"], ["c", "a", "b"]]
    data = {"candidates": ["a", "b", "c"], "ballots": [{"ranking": r, "count": 50_000}
                                                       for r in cycle]}
    assert hz.mechanism("voting.kemeny_young").run(data).result["ranking"] == ["a", "b", "c"]
    data["ballots"][1]["count"] += 1
    out = hz.mechanism("voting.kemeny_young").run(data).result
    assert out["ranking"] == ["b", "c", "a"] and out["kemeny_score"] == 250_003
    assert brute_force_kemeny(data) == (250_003, ["b", "c", "a"])

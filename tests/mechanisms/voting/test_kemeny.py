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

"""Positional scoring rules and anti-plurality (veto).

Sources: Saari, *Basic Geometry of Voting* (1995), ch. 1 — one profile can elect a different
candidate under plurality, Borda and anti-plurality; Fishburn, "Paradoxes of voting", APSR 68
(1974) — a Condorcet winner that no positional rule elects alone. Truncated and tied
ballots follow the conventions documented in :mod:`hurwicz.mechanisms.voting.positional`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hurwicz as hz
from hurwicz.core.errors import ParameterError
from hurwicz.mechanisms.voting.positional import positional_scores
from hurwicz.mechanisms.voting.profile import Profile


def election(groups: list[tuple[int, str | list]], candidates: str = "abc") -> dict:
    return {"candidates": list(candidates),
            "ballots": [{"ranking": list(r), "count": n} for n, r in groups]}


def run(rule: str, data: dict, **params) -> dict:
    return hz.mechanism(rule, **params).run(data).result


def test_saari_plurality_borda_and_anti_plurality_all_differ() -> None:
    """1 a>c>b, 3 b>a>c, 2 b>c>a, 4 c>a>b. Plurality: a 1, b 5, c 4 → b. Borda (2, 1, 0):
    a 9, b 10, c 11 → c. Last places: a 2, b 5, c 3 → anti-plurality elects a."""
    data = election([(1, "acb"), (3, "bac"), (2, "bca"), (4, "cab")])
    assert run("voting.positional", data, scores=[1, 0, 0])["winners"] == ["b"]
    borda = run("voting.positional", data, scores=[2, 1, 0])
    assert borda["winners"] == ["c"] and borda["scores"] == {"a": 9, "b": 10, "c": 11}
    veto = run("voting.anti_plurality", data)
    assert veto["winners"] == ["a"] and veto["vetoes"] == {"a": 2, "b": 5, "c": 3}
    assert veto["scores"] == {"a": 8, "b": 5, "c": 7}


@pytest.mark.parametrize("vector", [[1, 0, 0], [2, 1, 0], [1, 1, 0], [3, 1, 0], [5, 4, 0],
                                    [1.0, 0.25, 0.0], [7, 6, 2]])
def test_fishburn_condorcet_winner_never_wins_a_positional_rule_alone(vector) -> None:
    """Fishburn (1974): 3 a>b>c, 2 b>c>a, 1 b>a>c, 1 c>a>b. a is the Condorcet winner, but
    with s = (s1, s2, s3): a − b = (3s1 + 2s2 + 2s3) − (3s1 + 3s2 + s3) = s3 − s2 ≤ 0 —
    b always scores at least as much as a (strictly when s2 > s3)."""
    data = election([(3, "abc"), (2, "bca"), (1, "bac"), (1, "cab")])
    out = run("voting.positional", data, scores=vector)
    s1, s2, s3 = (Fraction(x) for x in vector)
    assert Fraction(out["scores"]["a"]) == 3 * s1 + 2 * s2 + 2 * s3
    assert Fraction(out["scores"]["b"]) == 3 * s1 + 3 * s2 + s3
    expected = ["a", "b"] if s2 == s3 else ["b"]
    assert out["tied"] == expected
    assert run("voting.black", data)["winners"] == ["a"]


def test_truncated_ballots_last_and_average() -> None:
    """A ballot ranking only a: under "last" b and c each take the last score (a veto
    each); under "average" they share the scores of positions 2 and 3."""
    data = election([(1, "a")])
    assert run("voting.anti_plurality", data)["vetoes"] == {"a": 0, "b": 1, "c": 1}
    assert run("voting.anti_plurality", data, truncated="average")["vetoes"] == {
        "a": 0, "b": 0.5, "c": 0.5}
    out = run("voting.positional", data, scores=[4, 2, 1], truncated="average")
    assert out["scores"] == {"a": 4, "b": 1.5, "c": 1.5}
    out = run("voting.positional", data, scores=[4, 2, 1])
    assert out["scores"] == {"a": 4, "b": 1, "c": 1}


def test_tied_ballots_share_the_positions_scores() -> None:
    data = election([(3, [["a", "b"], "c"])])
    out = run("voting.positional", data, scores=[5, 1, 0])
    assert out["scores"] == {"a": 9, "b": 9, "c": 0} and out["tied"] == ["a", "b"]
    p = Profile.from_input(election([(1, ["c", ["a", "b"]])]))
    assert positional_scores(p, [1, 1, 0]).tolist() == [Fraction(1, 2), Fraction(1, 2), 1]


def test_scores_are_exact_with_huge_counts() -> None:
    """2**53 + 1 first places against 2**53: a float64 sum could not tell them apart."""
    data = election([(2**53, "abc"), (1, "acb"), (2**53, "bac")])
    out = run("voting.positional", data, scores=[1, 0, 0])
    assert out["winners"] == ["a"] and out["tie_broken"] is False
    scores = positional_scores(Profile.from_input(data), [3, 1, 0])
    assert int(scores[0]) - int(scores[1]) == 3  # a: 4·2**53 + 3, b: 4·2**53


def test_bad_score_vectors_are_refused_naming_the_parameter() -> None:
    for bad in ([1, 2, 0], [1, 1, 1], [], [1.0, float("nan")], [1e300, 0.0]):
        with pytest.raises(ParameterError) as err:
            hz.mechanism("voting.positional", scores=bad)
        assert err.value.field == "params.scores"
    with pytest.raises(ParameterError, match="3 scores for an election of 2") as err:
        hz.mechanism("voting.positional", scores=[3, 1, 0]).run(election([(1, "ab")], "ab"))
    assert err.value.field == "params.scores"


# --- invariants ------------------------------------------------------------------------------
@st.composite
def profiles(draw: st.DrawFn) -> dict:
    m = draw(st.integers(2, 5))
    cands = list("abcde")[:m]
    ballots = []
    for _ in range(draw(st.integers(1, 6))):
        order = draw(st.permutations(cands))[:draw(st.integers(1, m))]
        ranking: list = []
        k = 0
        while k < len(order):
            size = draw(st.integers(1, 2))
            tier = list(order[k:k + size])
            ranking.append(tier[0] if len(tier) == 1 else tier)
            k += size
        ballots.append({"ranking": ranking, "count": draw(st.integers(1, 5))})
    return {"candidates": cands, "ballots": ballots}


@settings(max_examples=60, deadline=None)
@given(profiles(), st.sampled_from(["last", "average"]))
def test_special_vectors_are_borda_plurality_and_veto(data: dict, truncated: str) -> None:
    m = len(data["candidates"])
    borda = run("voting.borda", data, truncated="zero" if truncated == "last" else "average")
    default = run("voting.positional", data, truncated=truncated)
    assert default["scores"] == borda["scores"] and default["tied"] == borda["tied"]
    explicit = run("voting.positional", data, scores=list(range(m - 1, -1, -1)),
                   truncated=truncated)
    assert explicit["scores"] == borda["scores"]
    plurality = run("voting.plurality", data)
    first = run("voting.positional", data, scores=[1] + [0] * (m - 1))
    assert first["scores"] == plurality["scores"] and first["winners"] == plurality["winners"]
    veto = run("voting.anti_plurality", data, truncated=truncated)
    vector = run("voting.positional", data, scores=[1] * (m - 1) + [0], truncated=truncated)
    assert veto["scores"] == vector["scores"] and veto["tied"] == vector["tied"]


@settings(max_examples=40, deadline=None)
@given(profiles(), st.integers(1, 5), st.integers(-3, 3))
def test_affine_rescaling_keeps_the_winners(data: dict, factor: int, shift: int) -> None:
    m = len(data["candidates"])
    base = [m * m - k * k for k in range(m)]  # strictly decreasing
    scaled = [factor * s + shift for s in base]
    halves = [s / 2 for s in base]  # exact binary fractions
    a = run("voting.positional", data, scores=base)
    assert run("voting.positional", data, scores=scaled)["tied"] == a["tied"]
    assert run("voting.positional", data, scores=halves)["tied"] == a["tied"]


# --- cross-check with pref_voting -------------------------------------------------------------
#: pref_voting compiles its numba kernels on first use (seconds of CPU); on small profiles
#: the plain Python versions are faster and give the same answers
PEER_ENV = {**os.environ, "NUMBA_DISABLE_JIT": "1"}

PEER_SCRIPT = r"""
import json, sys
from pref_voting.profiles import Profile
from pref_voting.scoring_methods import anti_plurality, scoring_rule
out = []
for rankings, counts, vector in json.load(sys.stdin):
    p = Profile(rankings, rcounts=counts)
    out.append([anti_plurality(p), scoring_rule(p, score=lambda n, r: vector[r - 1])])
print(json.dumps(out))
"""


def test_cross_check_with_pref_voting() -> None:
    """250 random profiles of 3–6 candidates with random non-increasing score vectors:
    anti-plurality and the positional winner sets equal pref_voting's."""
    pytest.importorskip("pref_voting")
    rng = np.random.default_rng(7)
    cases, elections = [], []
    for _ in range(250):
        m = int(rng.integers(3, 7))
        groups = int(rng.integers(1, 8))
        rankings = [[int(x) for x in rng.permutation(m)] for _ in range(groups)]
        counts = [int(c) for c in rng.integers(1, 5, size=groups)]
        vector = sorted((int(v) for v in rng.integers(0, 4, size=m)), reverse=True)
        if vector[0] == vector[-1]:
            vector[0] += 1
        cands = list("abcdef")[:m]
        cases.append([rankings, counts, vector])
        elections.append(({"candidates": cands, "ballots": [
            {"ranking": [cands[i] for i in r], "count": c} for r, c in zip(rankings, counts)]},
            vector))
    done = subprocess.run([sys.executable, "-c", PEER_SCRIPT], input=json.dumps(cases),
                          capture_output=True, text=True, timeout=300, check=True,
                          env=PEER_ENV)
    peer = json.loads(done.stdout)
    several = 0
    for (data, vector), (veto, scoring) in zip(elections, peer):
        cands = data["candidates"]
        assert run("voting.anti_plurality", data)["tied"] == [cands[c] for c in veto], data
        assert run("voting.positional", data, scores=vector)["tied"] == [
            cands[c] for c in scoring], (data, vector)
        several += len(scoring) > 1
    assert several > 20

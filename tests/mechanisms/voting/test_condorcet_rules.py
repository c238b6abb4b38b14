"""Split Cycle, Stable Voting, Black, Smith-IRV, Condorcet-IRV, the uncovered sets and the
Banks set; the top-two runoff variants and parallel-universe tie-breaking of the elimination
rules.

Known answers are worked by hand from the rules' definitions in their sources, cited per test:
Holliday & Pacuit, "Split Cycle", Public Choice 197 (2023) and "Stable Voting",
Constitutional Political Economy 34 (2023); Black, *The Theory of Committees and Elections*
(1958); Fishburn, "Paradoxes of voting", APSR 68 (1974) and "Condorcet social choice
functions", SIAM J. Appl. Math. 33 (1977); Laslier, *Tournament Solutions and Majority
Voting* (1997) for the covering relations (Gillies 1959, Fishburn 1977, Bordes 1983,
McKelvey 1986) and the Banks set (Banks 1985). The cross-check compares winner *sets* with
pref_voting (its irresolute functions; the PUT versions for the IRV hybrids and the runoff).
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hurwicz as hz
from hurwicz.core.errors import InputError
from hurwicz.mechanisms.voting.condorcet import (
    banks_set,
    split_cycle_winners,
    stable_voting_winners,
    uncovered_set,
)
from hurwicz.mechanisms.voting.profile import Profile
from hurwicz.mechanisms.voting.ranked import condorcet_winner, smith_set

SET_RULES = ["voting.split_cycle", "voting.stable_voting", "voting.uncovered_set",
             "voting.banks", "voting.black"]
CONDORCET_RULES = [*SET_RULES, "voting.smith_irv", "voting.condorcet_irv"]


def election(groups: list[tuple[int, str | list]], candidates: str = "abc") -> dict:
    return {"candidates": list(candidates),
            "ballots": [{"ranking": list(r), "count": n} for n, r in groups]}


def run(rule: str, data: dict, **params) -> dict:
    return hz.mechanism(rule, **params).run(data).result


# --- known answers ---------------------------------------------------------------------------
def test_split_cycle_splits_the_weakest_edge_of_a_three_cycle() -> None:
    """H&P 2023 §3.2: in a cycle a>b (5), b>c (1), c>a (3) the weakest edge b>c is no
    defeat; c beats a and a beats b stand, so c alone is undefeated."""
    margins = np.array([[0, 5, -3], [-5, 0, 1], [3, -1, 0]])
    assert split_cycle_winners(margins) == [2]


def test_split_cycle_can_leave_several_winners() -> None:
    """H&P 2023 (Def. 3.6): edges 0>2 (3), 1>0 (5), 2>1 (5), 2>3 (1), 3>0 (3), 3>1 (1).
    0>2 is weakest in 0>2>1>0; 2>3 and 3>1 are weakest in 2>3>1>0>2 — only 1>0, 2>1 and
    3>0 are defeats, so 2 and 3 are undefeated."""
    edges = [(0, 2, 3), (1, 0, 5), (2, 1, 5), (2, 3, 1), (3, 0, 3), (3, 1, 1)]
    margins = np.zeros((4, 4), dtype=np.int64)
    for a, b, w in edges:
        margins[a, b], margins[b, a] = w, -w
    assert split_cycle_winners(margins) == [2, 3]


def test_stable_voting_on_a_three_cycle() -> None:
    """H&P 2023 (Stable Voting, §2): cycle a>b (1), b>c (5), c>a (3). Only b is undefeated by
    Split Cycle (b>c and c>a are defeats); b's strongest win that survives removing the
    loser: b>c (5) fails (without c, a beats b), b vs a (−1) holds (without a, b beats c)."""
    margins = np.array([[0, 1, -3], [-1, 0, 5], [3, -5, 0]])
    assert stable_voting_winners(margins) == [1]
    # through the registered rule, on a profile with these margins times 1
    data = election([(1, "abc"), (1, "bca"), (2, "bca"), (2, "cab"), (1, "cab"),
                     (1, "cba"), (1, "acb")])
    p = Profile.from_input(data)
    sc = split_cycle_winners(p.margins())
    assert run("voting.stable_voting", data)["tied"] == [
        data["candidates"][c] for c in stable_voting_winners(p.margins())]
    assert set(run("voting.stable_voting", data)["tied"]) <= {data["candidates"][c] for c in sc}


def test_black_condorcet_winner_first_else_borda() -> None:
    """Black (1958): Fishburn's (1974) profile 3 a>b>c, 2 b>c>a, 1 b>a>c, 1 c>a>b has the
    Condorcet winner a (4–3 over b and over c) while Borda elects b (9 points to a's 8);
    Black elects a. In the cycle 3 a>b>c, 2 b>c>a, 2 c>a>b (a>b 5–2, b>c 5–2, c>a 4–3)
    Borda gives a 8, b 7, c 6: Black elects a."""
    fishburn = election([(3, "abc"), (2, "bca"), (1, "bac"), (1, "cab")])
    assert run("voting.borda", fishburn)["winners"] == ["b"]
    out = run("voting.black", fishburn)
    assert out["winners"] == ["a"] and out["condorcet_winner"] == "a"
    cycle = election([(3, "abc"), (2, "bca"), (2, "cab")])
    out = run("voting.black", cycle)
    assert out["winners"] == ["a"] and out["condorcet_winner"] is None
    assert out["borda"] == {"a": 8.0, "b": 7.0, "c": 6.0}


def test_center_squeeze_irv_hybrids_elect_the_condorcet_winner() -> None:
    """39 a>b>c, 35 c>b>a, 26 b>c>a: b beats a 61–39 and c 65–35, yet IRV drops b first
    (26 first choices) and elects c (61–39 over a). Smith-IRV (Smith set {b}) and
    Condorcet-IRV elect b."""
    data = election([(39, "abc"), (35, "cba"), (26, "bca")])
    assert run("voting.irv", data)["winners"] == ["c"]
    smith = run("voting.smith_irv", data)
    assert smith["winners"] == ["b"] and smith["smith_set"] == ["b"]
    assert run("voting.condorcet_irv", data)["winners"] == ["b"]


def test_smith_irv_counts_only_the_smith_set() -> None:
    """d holds the most first choices (4) but loses to everyone 4–9; a>b (9–4), b>c (9–4)
    and c>a (8–5) make {a, b, c} the Smith set. Smith-IRV drops d at once: a 3+2, b 3+1,
    c 3+1 of 13 — no majority; b and c tie for fewest and the parallel universes cover both."""
    data = election([(3, "abcd"), (3, "bcad"), (3, "cabd"), (2, "dabc"), (1, "dbca"),
                     (1, "dcab")], "abcd")
    p = Profile.from_input(data)
    assert smith_set(p) == [0, 1, 2]
    out = run("voting.smith_irv", data)
    assert out["smith_set"] == ["a", "b", "c"]
    assert out["rounds"][0]["tally"] == {"a": 5, "b": 4, "c": 4}
    # eliminating b: its ballots go to c (8) > a (5); eliminating c: a (9) > b (4)
    assert out["tied"] == ["a", "c"] and out["tie_broken"] is True


def test_uncovered_sets_and_banks_in_a_four_candidate_tournament() -> None:
    """Laslier (1997), ch. 5 and 7: a>b>c>a, with a>d, b>d and d>c. Everything is in the
    top cycle (d>c>a>d), but b covers d (b>d, and a, the only one beating b, beats d): the
    uncovered set is {a, b, c}, and so is the Banks set (a>b>d, b>d>c and c>a are maximal
    chains)."""
    data = election([(1, "abdc"), (1, "bdca"), (1, "cabd"), (1, "dcab"), (1, "abcd")], "abcd")
    p = Profile.from_input(data)
    m = p.margins()
    assert (m[0, 1] > 0 and m[1, 2] > 0 and m[2, 0] > 0 and m[0, 3] > 0 and m[1, 3] > 0
            and m[3, 2] > 0)
    assert smith_set(p) == [0, 1, 2, 3]
    for covering in ("gillies", "fishburn", "bordes", "mckelvey"):  # a tournament: all agree
        assert run("voting.uncovered_set", data, covering=covering)["tied"] == ["a", "b", "c"]
    assert run("voting.banks", data)["tied"] == ["a", "b", "c"]


def test_the_four_covering_relations_differ_with_majority_ties() -> None:
    """b beats a, c beats b, a ties c (margins 2, 2, 0). D(a)={b}, D(b)={c}, D(c)={};
    W(a)={a,b,c}, W(b)={b,c}, W(c)={a,c}. Gillies: c covers b → {a, c}; Fishburn: D(c) ⊊
    D(a), D(b) → {c}; Bordes: b covers a (W(b) ⊆ W(a)) → {b, c}; McKelvey needs both → all."""
    data = election([(1, "bac"), (2, "cba"), (1, "acb")])
    expected = {"gillies": ["a", "c"], "fishburn": ["c"], "bordes": ["b", "c"],
                "mckelvey": ["a", "b", "c"]}
    for covering, winners in expected.items():
        out = run("voting.uncovered_set", data, covering=covering)
        assert out["tied"] == winners, covering
        assert out["winners"] == winners[:1] and out["tie_broken"] == (len(winners) > 1)


def test_banks_with_majority_ties_and_a_three_cycle() -> None:
    """A 3-cycle: each candidate tops a maximal chain (its own win). Two tied candidates
    never share a chain, so both are Banks winners (pref_voting's convention)."""
    assert banks_set(np.array([[0, 1, -1], [-1, 0, 1], [1, -1, 0]])) == [0, 1, 2]
    assert banks_set(np.array([[0, 0], [0, 0]])) == [0, 1]


def test_set_rules_report_the_set_and_a_tie_broken_choice() -> None:
    cycle = election([(1, "abc"), (1, "bca"), (1, "cab")])  # all margins 1: a perfect tie
    for rule in SET_RULES:
        out = hz.mechanism(rule, tie_break=["c", "a", "b"]).run(cycle).result
        assert out["tied"] == ["a", "b", "c"], rule
        assert out["winners"] == ["c"] and out["tie_broken"] is True, rule


def test_large_elections_without_a_condorcet_winner_are_refused() -> None:
    cands = [f"c{i}" for i in range(17)]
    ballots = [{"ranking": cands[k:] + cands[:k]} for k in range(17)]  # a 17-cycle
    data = {"candidates": cands, "ballots": ballots}
    for rule in ("voting.stable_voting", "voting.banks"):
        with pytest.raises(InputError, match="at most 16 candidates") as err:
            hz.mechanism(rule).run(data)
        assert err.value.field == "candidates"
    # with a Condorcet winner the size does not matter
    data["ballots"].append({"ranking": cands, "count": 20})
    assert run("voting.banks", data)["winners"] == ["c0"]


# --- runoff variants -------------------------------------------------------------------------
def test_runoff_variants_count_different_preferences() -> None:
    """First choices a 40, b 35, c 25: a and b are the finalists. The c ballots (c>d>b>a)
    rank b above a: the contingent vote / sincere second round gives b 60–40; the
    supplementary vote (Greater London Authority Act 1999, Sch. 2: only the second
    preference transfers) counts none of them (second preference d): a 40–35; the Sri Lankan
    contingent vote (Constitution Art. 94: second and third preferences) gives b 60–40."""
    data = election([(40, "abcd"), (35, "bacd"), (25, "cdba")], "abcd")
    two = run("voting.runoff", data)
    assert two["winners"] == ["b"] and two["rounds"][1]["tally"] == {"a": 40, "b": 60}
    sup = run("voting.runoff", data, variant="supplementary")
    assert sup["winners"] == ["a"] and sup["rounds"][1]["tally"] == {"a": 40, "b": 35}
    assert run("voting.runoff", data, variant="sri_lankan")["winners"] == ["b"]
    tied = election([(1, [["a", "b"], "c"])])
    with pytest.raises(InputError, match="strict"):
        hz.mechanism("voting.runoff", variant="supplementary").run(tied)


# --- parallel universes: the union of resolute winners over every tie-break order -------------
def _all_orders_winners(rule: str, data: dict, **params) -> set[str]:
    return {hz.mechanism(rule, tie_break=list(order), **params).run(data).result["winners"][0]
            for order in itertools.permutations(data["candidates"])}


profiles = st.integers(3, 4).flatmap(lambda m: st.lists(
    st.tuples(st.integers(1, 3), st.permutations(list("abcd")[:m])), min_size=1, max_size=5
).map(lambda groups, m=m: election([(n, r) for n, r in groups], "abcd"[:m])))


@settings(max_examples=40, deadline=None)
@given(profiles)
def test_elimination_rules_tied_is_the_winner_set_over_all_tie_breaks(data: dict) -> None:
    cases = [("voting.smith_irv", {}), ("voting.condorcet_irv", {}), ("voting.runoff", {}),
             ("voting.runoff", {"variant": "supplementary"}), ("voting.nanson", {}),
             ("voting.irv", {})]
    for rule, params in cases:
        tied = run(rule, data, **params)["tied"]
        assert set(tied) == _all_orders_winners(rule, data, **params), (rule, params)


# --- invariants ------------------------------------------------------------------------------
def _ranking_with_ties(draw: st.DrawFn, m: int) -> list:
    order = draw(st.permutations(list("abcde")[:m]))
    cut = draw(st.integers(1, m))  # truncation
    kept, out, k = order[:cut], [], 0
    while k < len(kept):
        size = draw(st.integers(1, 2))
        tier = kept[k:k + size]
        out.append(tier[0] if len(tier) == 1 else tier)
        k += size
    return out


@st.composite
def weak_profiles(draw: st.DrawFn) -> dict:
    m = draw(st.integers(2, 5))
    groups = draw(st.integers(1, 6))
    ballots = [{"ranking": _ranking_with_ties(draw, m), "count": draw(st.integers(1, 4))}
               for _ in range(groups)]
    return {"candidates": list("abcde")[:m], "ballots": ballots}


@settings(max_examples=60, deadline=None)
@given(weak_profiles())
def test_inclusions_and_condorcet_consistency(data: dict) -> None:
    """Condorcet winners win alone; Split Cycle ⊆ Smith (H&P 2023 §6.1); Beat Path
    (Schulze) ⊆ Split Cycle (H&P 2023, §3.3); Stable Voting ⊆ Split Cycle (by definition);
    Gillies uncovered set ⊆ Smith set; Smith-IRV elects within the Smith set."""
    p = Profile.from_input(data)
    names = data["candidates"]
    smith = {names[c] for c in smith_set(p)}
    cw = condorcet_winner(p)
    outs = {rule: run(rule, data) for rule in CONDORCET_RULES}
    if cw is not None:
        for rule, out in outs.items():
            assert out["tied"] == [names[cw]] and out["winners"] == [names[cw]], rule
    sc = set(outs["voting.split_cycle"]["tied"])
    assert sc <= smith
    assert set(run("voting.schulze", data)["tied"]) <= sc
    assert set(outs["voting.stable_voting"]["tied"]) <= sc
    assert set(outs["voting.uncovered_set"]["tied"]) <= smith
    assert set(outs["voting.smith_irv"]["tied"]) <= smith
    for out in outs.values():
        assert out["winners"][0] in out["tied"]


@settings(max_examples=60, deadline=None)
@given(st.integers(3, 6).flatmap(lambda m: st.lists(st.permutations(list("abcdef")[:m]),
                                                      min_size=1, max_size=4)))
def test_tournament_solutions_nest(rankings: list) -> None:
    """In a tournament (an odd number of complete rankings: no zero margin) the four
    covering relations coincide, and Banks ⊆ uncovered set ⊆ top cycle (Laslier 1997, ch. 5
    and 7)."""
    if len(rankings) % 2 == 0:
        rankings = [*rankings, rankings[0]]
    m = len(rankings[0])
    data = {"candidates": list("abcdef")[:m],
            "ballots": [{"ranking": list(r)} for r in rankings]}
    p = Profile.from_input(data)
    margins = p.margins()
    ucs = {c: uncovered_set(margins, c) for c in ("gillies", "fishburn", "bordes", "mckelvey")}
    assert len({tuple(v) for v in ucs.values()}) == 1
    assert set(banks_set(margins)) <= set(ucs["gillies"]) <= set(smith_set(p))


@settings(max_examples=40, deadline=None)
@given(weak_profiles())
def test_black_is_borda_without_a_condorcet_winner(data: dict) -> None:
    p = Profile.from_input(data)
    out = run("voting.black", data)
    if condorcet_winner(p) is None:
        assert out["tied"] == run("voting.borda", data)["tied"]


# --- cross-check with pref_voting -------------------------------------------------------------
#: pref_voting compiles its numba kernels on first use (seconds of CPU); on small profiles
#: the plain Python versions are faster and give the same answers
PEER_ENV = {**os.environ, "NUMBA_DISABLE_JIT": "1"}

PEER_SCRIPT = r"""
import json, sys
from pref_voting.profiles import Profile
from pref_voting.profiles_with_ties import ProfileWithTies
from pref_voting.margin_based_methods import split_cycle, stable_voting
from pref_voting.combined_methods import blacks, smith_irv_put, condorcet_irv_put
from pref_voting.c1_methods import uc_gill, uc_fish, uc_bordes, uc_mckelvey, banks
from pref_voting.iterative_methods import plurality_with_runoff_put, strict_nanson

def margin_rules(p, m):
    return {"split_cycle": split_cycle(p), "stable_voting": stable_voting(p),
            "gillies": uc_gill(p), "fishburn": uc_fish(p), "bordes": uc_bordes(p),
            "mckelvey": uc_mckelvey(p), "banks": banks(p) if m <= 5 else None}

cases = json.load(sys.stdin)
linear, weak = [], []
for rankings, counts in cases["linear"]:
    p = Profile(rankings, rcounts=counts)
    linear.append({**margin_rules(p, len(rankings[0])), "black": blacks(p),
                   "smith_irv": smith_irv_put(p), "condorcet_irv": condorcet_irv_put(p),
                   "runoff": plurality_with_runoff_put(p), "nanson": strict_nanson(p)})
for ballots, counts, m in cases["weak"]:
    p = ProfileWithTies([{int(c): r for c, r in b.items()} for b in ballots], rcounts=counts,
                        candidates=list(range(m)))
    p.use_extended_strict_preference()  # ranked above unranked, as in our profiles
    weak.append(margin_rules(p, m))
print(json.dumps({"linear": linear, "weak": weak}))
"""

OURS = {"split_cycle": ("voting.split_cycle", {}), "stable_voting": ("voting.stable_voting", {}),
        "black": ("voting.black", {}), "smith_irv": ("voting.smith_irv", {}),
        "condorcet_irv": ("voting.condorcet_irv", {}),
        "gillies": ("voting.uncovered_set", {"covering": "gillies"}),
        "fishburn": ("voting.uncovered_set", {"covering": "fishburn"}),
        "bordes": ("voting.uncovered_set", {"covering": "bordes"}),
        "mckelvey": ("voting.uncovered_set", {"covering": "mckelvey"}),
        "banks": ("voting.banks", {}), "runoff": ("voting.runoff", {}),
        "nanson": ("voting.nanson", {})}


def _linear_cases(rng: np.random.Generator, n: int) -> tuple[list, list]:
    cases, elections = [], []
    for _ in range(n):
        m = int(rng.integers(3, 7))
        groups = int(rng.integers(1, 8))
        rankings = [[int(x) for x in rng.permutation(m)] for _ in range(groups)]
        counts = [int(c) for c in rng.integers(1, 5, size=groups)]
        cands = list("abcdef")[:m]
        cases.append([rankings, counts])
        elections.append({"candidates": cands, "ballots": [
            {"ranking": [cands[i] for i in r], "count": c} for r, c in zip(rankings, counts)]})
    return cases, elections


def _weak_cases(rng: np.random.Generator, n: int) -> tuple[list, list]:
    """Truncated ballots with tied ranks: pref_voting's {candidate: rank} dicts and ours."""
    cases, elections = [], []
    for _ in range(n):
        m = int(rng.integers(3, 6))
        cands = list("abcdef")[:m]
        counts = [int(c) for c in rng.integers(1, 4, size=int(rng.integers(1, 6)))]
        theirs, ours = [], []
        for c in counts:
            order = [int(x) for x in rng.permutation(m)][:int(rng.integers(1, m + 1))]
            tiers: list[list[int]] = []
            for x in order:
                if tiers and rng.random() < 0.3:
                    tiers[-1].append(x)  # tied with the previous one
                else:
                    tiers.append([x])
            theirs.append({str(x): r for r, tier in enumerate(tiers) for x in tier})
            ours.append({"ranking": [cands[t[0]] if len(t) == 1 else [cands[x] for x in t]
                                     for t in tiers], "count": c})
        cases.append([theirs, counts, m])
        elections.append({"candidates": cands, "ballots": ours})
    return cases, elections


def test_cross_check_with_pref_voting() -> None:
    """250 random profiles of 3–6 candidates with small counts (so majority ties and tied
    eliminations are frequent), and 150 profiles of truncated ballots with tied ranks for
    the margin-based rules: every winner set equals pref_voting's. pref_voting runs in a
    fresh interpreter (its OR-Tools HiGHS clashes with highspy, see test_ranked.py)."""
    pytest.importorskip("pref_voting")
    rng = np.random.default_rng(18)
    linear, linear_elections = _linear_cases(rng, 250)
    weak, weak_elections = _weak_cases(rng, 150)
    done = subprocess.run([sys.executable, "-c", PEER_SCRIPT],
                          input=json.dumps({"linear": linear, "weak": weak}),
                          capture_output=True, text=True, timeout=300, check=True,
                          env=PEER_ENV)
    peer = json.loads(done.stdout)
    compared = several = 0
    for elections, refs in ((linear_elections, peer["linear"]), (weak_elections, peer["weak"])):
        for data, ref in zip(elections, refs):
            cands = data["candidates"]
            for key, theirs in ref.items():
                if theirs is None:
                    continue
                rule, params = OURS[key]
                tied = run(rule, data, **params)["tied"]
                assert tied == [cands[c] for c in theirs], (key, data)
                compared += 1
                several += len(theirs) > 1
    assert compared >= 250 * 11 + 150 * 6 and several > 100  # ties were exercised

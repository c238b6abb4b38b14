"""Review of ``voting.meek_stv`` and the multiwinner rules of ``multiwinner.py`` (issue #18):
regression tests for the defects found, and differential tests on distributions the first
tests did not try (one voter, one candidate, many candidates and few voters, heavy truncation,
seats = candidates − 1 and seats = candidates, counts up to 2**53).

New Zealand rules (Local Electoral Regulations 2001, Schedule 1A, Part 1; the clauses' text as
quoted by the ConcreteSTV and OpenSTV ``MeekNZSTV`` sources): clause 13 excludes "the hopeful
candidate with the least votes if the sum of his or her votes and the total surplus is less
than the votes of any other hopeful candidate or if the total surplus is less than 0.0001",
in the same step as clause 12 (hopeful candidates at the quota become successful); clause 17
sets kc = q × kc ÷ vc, the product rounded up to 9 decimals and the quotient rounded up.
The known answers below are worked by hand from those clauses.
"""

from __future__ import annotations

import warnings
from fractions import Fraction

import numpy as np
import pytest

import hurwicz as hz
from hurwicz.mechanisms.voting import meek as meek_module
from hurwicz.mechanisms.voting.profile import Profile

CPHI = {"candidates": ["Castor", "Pollux", "Helen", "Iris"], "ballots": [
    {"ranking": ["Castor", "Pollux"], "count": 4000}, {"ranking": ["Helen"], "count": 1000},
    {"ranking": ["Iris"], "count": 1000}]}


def _profile(data: dict) -> Profile:
    names = data["candidates"]
    width = len(names)
    rows = [[names.index(c) for c in b["ranking"]] + [-1] * (width - len(b["ranking"]))
            for b in data["ballots"]]
    counts = np.array([b["count"] for b in data["ballots"]])
    return Profile.from_arrays(names, np.array(rows), counts)


def test_nz_surplus_limit_is_clause_13s_0_0001() -> None:
    """Step 1: quota 6000/3 + 10^-9 = 2000.000000001, Castor (4000) successful. Step 2
    (clause 17): Castor's keep value q/4000 = 0.50000000000025 rounds up to 0.500000001; Castor
    holds 4000 × 0.500000001 = 2000.000004 and Pollux 4000 × 0.499999999 = 1999.999996; the
    quota stays 2000.000000001, so the total surplus is 0.000003999 — above the 10^-6 the
    first version iterated to, below clause 13's 0.0001: the lowest hopeful (Helen and Iris
    tie at 1000) is excluded at this very step."""
    out = meek_module.meek(_profile(CPHI), 2, "nz", [0, 1, 2, 3])
    step2 = out["rounds"][1]
    assert step2["keep"][0] == Fraction(500000001, 10**9)
    assert step2["tally"][0] == Fraction(2000000004, 10**6)
    assert step2["tally"][1] == Fraction(1999999996, 10**6)
    assert step2["quota"] == Fraction(2000000000001, 10**9)
    assert step2["surplus"] == Fraction(3999, 10**9)
    assert step2["iterations"] == 1 and step2["converged"]
    assert step2["excluded"] in (2, 3) and out["tie_broken"]
    # Iris' (or Helen's) votes exhaust, the quota falls to 5000/3 and Pollux is elected
    assert sorted(out["elected"]) == [0, 1]
    r = hz.mechanism("voting.meek_stv", seats=2, arithmetic="nz").run(CPHI).result
    assert r["tied"] == [["Castor", "Pollux"]]


def test_nz_stall_guard_ends_the_count(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without clause 13's limit the keep value stays at 0.500000001 (k·q = 1000.000002001
    rounded up, ÷ 2000.000004 rounds up to 0.500000001 again), the surplus does not fall and
    Helen and Iris stay tied: the guard (not in the schedule) excludes and says the round did
    not converge, instead of looping."""
    monkeypatch.setattr(meek_module, "NZ_SURPLUS_LIMIT", 0)
    out = meek_module.meek(_profile(CPHI), 2, "nz", [0, 1, 2, 3])
    step = out["rounds"][1]
    assert step["excluded"] in (2, 3) and step["iterations"] == 2 and not step["converged"]
    assert sorted(out["elected"]) == [0, 1]


FOOD = {"candidates": ["oranges", "pears", "chocolate", "strawberries", "hamburgers"],
        "ballots": [{"ranking": ["oranges"], "count": 4},
                    {"ranking": ["pears", "oranges"], "count": 2},
                    {"ranking": ["chocolate", "strawberries"], "count": 8},
                    {"ranking": ["chocolate", "hamburgers"], "count": 4},
                    {"ranking": ["strawberries"], "count": 1},
                    {"ranking": ["hamburgers"], "count": 1}]}


def test_nz_sure_loser_goes_in_the_step_that_elects() -> None:
    """Wikipedia's food election (Tideman 1995). Step 2: chocolate's keep value
    5.000000001/12 rounds up to 0.416666667; each of its 12 ballots keeps 0.416666667
    (5.000000004 in all) and passes 0.583333333 on, so strawberries holds 1 + 8 × 0.583333333
    = 5.666666664 ≥ the quota 20/4 + 10^-9 (clause 12) and hamburgers 3.333333332; the total
    surplus is 0.000000003 + 0.666666663 = 0.666666666 and pears' 2 + 0.666666666 is below
    every other hopeful's votes: clause 13 excludes pears in the same step."""
    r = meek_module.meek(_profile(FOOD), 3, "nz", list(range(5)))
    step2 = r["rounds"][1]
    assert step2["tally"][3] == Fraction(5666666664, 10**9)
    assert step2["tally"][4] == Fraction(3333333332, 10**9)
    assert step2["surplus"] == Fraction(666666666, 10**9)
    assert step2["elected"] == [3] and step2["excluded"] == 1 and step2["iterations"] == 1
    assert r["elected"] == [2, 3, 0] and not r["tie_broken"]


def test_exact_round_surplus_counts_the_newly_elected() -> None:
    data = {"candidates": ["a", "b", "c"], "ballots": [
        {"ranking": ["a"], "count": 6}, {"ranking": ["b"], "count": 3},
        {"ranking": ["c"], "count": 3}]}
    for arithmetic in ("exact", "nz"):
        first = hz.mechanism("voting.meek_stv", seats=2, arithmetic=arithmetic).run(
            data).result["rounds"][0]
        assert first["elected"] == ["a"]
        assert first["surplus"] == pytest.approx(6 - first["quota"], abs=1e-9)


def test_meek_stv_version_bumped() -> None:
    assert hz.mechanism("voting.meek_stv").version == "4"


# --- differential tests on new distributions -------------------------------------------------
def _random_election(rng: np.random.Generator, kind: int) -> tuple[list[str], list[dict], int]:
    m = 1 if kind == 4 else int(rng.integers(2, 9))
    names = [f"c{i}" for i in range(m)]
    voters = 1 if kind == 0 else int(rng.integers(1, 4)) if kind == 1 else int(rng.integers(2, 12))
    ballots = []
    for _ in range(voters):
        length = 1 if kind == 2 and rng.random() < 0.7 else int(rng.integers(1, m + 1))
        perm = rng.permutation(m)[:length].tolist()
        ballots.append({"ranking": [names[c] for c in perm],
                        "count": int(rng.integers(1, 2 ** int(rng.integers(1, 54))))})
    seats = [m, max(1, m - 1), int(rng.integers(1, m + 1))][int(rng.integers(0, 3))]
    return names, ballots, seats


def _votekit_elected(rule: str, prof, seats: int, votes: int, finalists: int) -> list:
    from votekit.elections import SNTV, Alaska, BlockPlurality

    if rule == "sntv":
        election = SNTV(prof, n_seats=seats)
    elif rule == "bloc":
        election = BlockPlurality(prof, n_seats=seats)
    elif rule == "limited":
        election = BlockPlurality(prof, n_seats=seats, budget=votes)
    else:
        election = Alaska(prof, m_1=finalists, m_2=1)
    return election.get_elected()


def test_votekit_new_distributions() -> None:
    """One voter, one candidate, few voters, heavy truncation, seats = m and m − 1, counts up
    to 2**53: same elected sets as votekit wherever neither needs a tie-break."""
    pytest.importorskip("votekit")
    from votekit.ballot import RankBallot, ScoreBallot
    from votekit.elections import Cumulative
    from votekit.pref_profile import RankProfile, ScoreProfile

    rng = np.random.default_rng(2018)
    compared = dict.fromkeys(["sntv", "bloc", "limited", "primary_rcv", "cumulative"], 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for it in range(120):
            names, ballots, seats = _random_election(rng, it % 5)
            m = len(names)
            votes = int(rng.integers(1, seats + 1))
            finalists = int(rng.integers(1, m + 2))
            data = {"candidates": names, "ballots": ballots}
            prof = RankProfile(ballots=[RankBallot(ranking=[{c} for c in b["ranking"]],
                                                   weight=b["count"]) for b in ballots],
                               candidates=names, max_ranking_length=m)
            rules = {"sntv": {"seats": seats}, "bloc": {"seats": seats},
                     "limited": {"seats": seats, "votes": votes},
                     "primary_rcv": {"finalists": finalists}}
            for rule, params in rules.items():
                r = hz.mechanism(f"voting.{rule}", **params).run(data).result
                if r["tie_broken"]:
                    continue
                try:
                    elected = _votekit_elected(rule, prof, seats, votes, min(finalists, m))
                except ValueError as err:  # votekit: fewer candidates with votes than seats
                    assert "Not enough candidates" in str(err)
                    continue
                assert sorted(r["winners"]) == sorted(c for g in elected for c in g), data
                compared[rule] += 1
            scored = []
            for b in ballots:
                pts = [int(x) for x in rng.integers(0, seats + 1, size=len(b["ranking"]))]
                while sum(pts) > seats:
                    pts[int(np.argmax(pts))] -= 1
                if sum(pts) == 0:
                    pts[0] = 1
                scored.append({"scores": {c: v for c, v in zip(b["ranking"], pts) if v},
                               "count": b["count"]})
            r = hz.mechanism("voting.cumulative", seats=seats).run(
                {"candidates": names, "ballots": scored}).result
            if r["tie_broken"]:
                continue
            try:
                elected = Cumulative(ScoreProfile(ballots=[
                    ScoreBallot(scores=b["scores"], weight=b["count"]) for b in scored],
                    candidates=names), n_seats=seats).get_elected()
            except ValueError as err:
                assert "Not enough candidates" in str(err)
                continue
            assert sorted(r["winners"]) == sorted(c for g in elected for c in g), scored
            compared["cumulative"] += 1
    assert min(compared.values()) >= 40, compared


def test_pref_voting_meek_new_distributions() -> None:
    """Few voters and many candidates, heavy truncation, seats up to the number of
    candidates: the exact count elects pref_voting's ``stv_meek`` committee wherever no tie is
    broken and no hopeful sits at the quota (pref_voting elects at ≥ quota − 1e-10), and the
    "nz" count elects the same committee."""
    pv = pytest.importorskip("pref_voting.proportional_methods")
    from pref_voting.profiles_with_ties import ProfileWithTies

    rng = np.random.default_rng(1969)
    compared = 0
    for it in range(90):
        names, ballots, seats = _random_election(rng, it % 4)
        m = len(names)
        for b in ballots:
            b["count"] = int(rng.integers(1, 2**20))
        data = {"candidates": names, "ballots": ballots}
        r = hz.mechanism("voting.meek_stv", seats=seats).run(data).result
        nz = hz.mechanism("voting.meek_stv", seats=seats, arithmetic="nz").run(data).result
        assert sorted(r["winners"]) in r["tied"] and sorted(nz["winners"]) in nz["tied"]
        if r["tie_broken"] or nz["tie_broken"]:
            continue
        elected: set[str] = set()
        at_quota = False
        for rd in r["rounds"]:
            at_quota |= any(abs(v - rd["quota"]) < 1e-6 for c, v in rd["tally"].items()
                            if c not in elected)
            elected |= set(rd["elected"])
        if at_quota:
            continue
        prof = ProfileWithTies([{names.index(c): k + 1 for k, c in enumerate(b["ranking"])}
                                for b in ballots], rcounts=[b["count"] for b in ballots],
                               candidates=list(range(m)))
        theirs = sorted(names[c] for c in pv.stv_meek(prof, num_seats=seats))
        assert theirs == sorted(r["winners"]) == sorted(nz["winners"]), data
        compared += 1
    assert compared >= 60, compared


# --- parallel universes: ties among write-ins must not rerun the count once per order --------
def test_tied_sure_losers_are_no_choice() -> None:
    """Three write-ins with one vote each tie at the bottom; together (3, plus a's surplus
    of 14 − 37/3 that exhausts) they stay below every other hopeful (10 and more), so all
    three go, whatever the order: no tie is broken."""
    data = {"candidates": ["a", "b", "c", "w1", "w2", "w3"], "ballots": [
        {"ranking": ["a"], "count": 14}, {"ranking": ["b"], "count": 12},
        {"ranking": ["c"], "count": 10}, {"ranking": ["w1"]}, {"ranking": ["w2"]},
        {"ranking": ["w3", "c"]}]}
    r = hz.mechanism("voting.meek_stv", seats=2).run(data).result
    assert not r["tie_broken"] and r["tied"] == [sorted(r["winners"])]
    assert [rd["excluded"] for rd in r["rounds"][1:4]] == ["w3", "w2", "w1"]


def _all_committees(p: Profile, seats: int, prio: list[int]) -> list[list[int]]:
    """Every committee over every way of breaking every tie: the count rerun once per
    branch, with no pruning (the definition ``meek_committees`` must agree with)."""
    found, todo = set(), [[]]
    while todo:
        script = todo.pop()
        taken: list[tuple[int, int]] = []

        def choose(options, script=script, taken=taken):
            k = script[len(taken)] if len(taken) < len(script) else 0
            taken.append((k, len(options)))
            return k

        found.add(tuple(sorted(meek_module.meek(p, seats, "exact", prio, choose)["elected"])))
        for depth in range(len(script), len(taken)):
            todo.extend([*[k for k, _ in taken[:depth]], j] for j in range(1, taken[depth][1]))
    return sorted(list(c) for c in found)


def test_pruned_universes_find_every_committee() -> None:
    rng = np.random.default_rng(64)
    tied = 0
    for _ in range(150):
        m = int(rng.integers(4, 8))
        rows, counts = [], []
        for _ in range(int(rng.integers(2, 9))):
            perm = rng.permutation(m)[: int(rng.integers(1, m + 1))].tolist()
            rows.append(perm + [-1] * (m - len(perm)))
            counts.append(int(rng.integers(1, 3)))
        p = Profile.from_arrays([f"c{i}" for i in range(m)], np.array(rows), np.array(counts))
        seats = int(rng.integers(1, m))
        committees, complete = meek_module.meek_committees(p, seats, "exact", list(range(m)),
                                                           limit=10**4)
        assert complete and committees == _all_committees(p, seats, list(range(m)))
        tied += len(committees) > 1
    assert tied >= 20, tied


def test_write_in_ties_stay_complete_and_fast() -> None:
    """30 candidates, 3,000 ballots and five one-vote write-ins tied with a sixth candidate at
    the bottom: the first version reran the whole count once per exclusion order, stopped at
    64 reruns and reported ``tied_complete: false``; states already explored are now pruned."""
    import time

    rng = np.random.default_rng(0)
    m = 30
    names = [f"c{i}" for i in range(m)] + [f"w{i}" for i in range(5)]
    weights = rng.dirichlet(np.ones(m) * 0.5)
    ballots = [{"ranking": [names[c] for c in rng.choice(
        m, size=int(rng.integers(1, m + 1)), replace=False, p=weights)]} for _ in range(3000)]
    ballots += [{"ranking": [f"w{i}"]} for i in range(5)]
    start = time.perf_counter()
    r = hz.mechanism("voting.meek_stv", seats=8).run(
        {"candidates": names, "ballots": ballots}).result
    assert time.perf_counter() - start < 30
    assert r["tie_broken"] and "tied_complete" not in r
    assert set(r["winners"]) in [set(c) for c in r["tied"]]

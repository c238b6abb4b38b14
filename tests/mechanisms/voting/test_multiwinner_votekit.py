"""Bloc plurality, SNTV, limited and cumulative voting, and the top-four primary with RCV:
known answers, invariants and a cross-check against votekit.

Known answers (thresholds of exclusion — the share of the voters that elects a candidate
whatever everybody else does — Rae, Hanby & Loosemore 1971; Lijphart, Pintor & Sone 1986,
"The limited vote and the single nontransferable vote", in Grofman & Lijphart (eds.),
*Electoral Laws and Their Political Consequences*):
- bloc voting: 50% (a cohesive majority takes every seat);
- limited voting with v votes for s seats: v/(v + s), e.g. 2/5 for 2 votes and 3 seats;
- SNTV and cumulative voting: 1/(s + 1), e.g. 25% for 3 seats (Glasser 1959, "Cumulative
  voting in corporate elections", and Still 1984 on US local cumulative voting).
Each is checked over every way the majority can split its votes (hypothesis), for a minority
just above the threshold that concentrates on one candidate.
Invariants: with one seat SNTV and bloc voting are plurality; limited voting with one vote is
SNTV and with ``seats`` votes is bloc voting; cumulative voting with every ballot's points on
its first choice elects the SNTV committee; committees have ``seats`` members; a primary that
keeps every candidate is IRV.
votekit (``SNTV``, ``BlockPlurality`` with ``budget``, ``Cumulative``, ``Alaska``) agrees on the
elected sets of random profiles whose count needs no tie-break (votekit raises on a tie when
``tiebreak=None``).
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hurwicz as hz
from hurwicz.core.errors import InputError, ParameterError
from hurwicz.mechanisms.voting.multiwinner import MAX_TIED_COMMITTEES, top_committee

MAJ = ["A1", "A2", "A3"]
MIN = ["B1", "B2", "B3"]
NAMES = MAJ + MIN


def test_bloc_majority_sweeps() -> None:
    data = {"candidates": NAMES, "ballots": [
        {"ranking": ["A1", "A2", "A3", "B1"], "count": 51},
        {"ranking": ["B1", "B2", "B3", "A1"], "count": 49}]}
    r = hz.mechanism("voting.bloc", seats=3).run(data).result
    assert r["winners"] == ["A1", "A2", "A3"] and not r["tie_broken"]
    assert r["scores"]["A1"] == 51 and r["scores"]["B1"] == 49


# the majority's ways to spend its ballots: each of its groups picks a ranking of its slate
split = st.lists(st.tuples(st.permutations(MAJ), st.integers(1, 20)), min_size=1, max_size=4)


def _majority(groups, total):
    counts = [n for _, n in groups]
    scale = total / sum(counts)
    sizes = [max(1, int(n * scale)) for n in counts]
    sizes[0] += total - sum(sizes)
    return [{"ranking": list(r), "count": s} for (r, _), s in zip(groups, sizes) if s > 0]


@settings(max_examples=40, deadline=None)
@given(split)
def test_limited_vote_threshold_of_exclusion(groups) -> None:
    # 2 votes, 3 seats: 2/5 = 40%; a 41% minority voting for B1 alone elects B1
    ballots = [*_majority(groups, 59), {"ranking": ["B1"], "count": 41}]
    r = hz.mechanism("voting.limited", seats=3, votes=2).run(
        {"candidates": NAMES, "ballots": ballots}).result
    assert "B1" in r["winners"]


@settings(max_examples=40, deadline=None)
@given(split)
def test_sntv_threshold_of_exclusion(groups) -> None:
    ballots = [*_majority(groups, 74), {"ranking": ["B1", "B2"], "count": 26}]
    r = hz.mechanism("voting.sntv", seats=3).run({"candidates": NAMES, "ballots": ballots}).result
    assert "B1" in r["winners"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.lists(st.integers(0, 3), min_size=3, max_size=3),
                          st.integers(1, 20)), min_size=1, max_size=4))
def test_cumulative_threshold_of_exclusion(groups) -> None:
    # 3 seats, 3 points: 26 voters plumping 3 points on B1 (78) beat any split of the
    # majority's 74 × 3 = 222 points over three candidates (all three above 78 needs 237)
    ballots = []
    sizes = [n for _, n in groups]
    share = [max(1, 74 * n // sum(sizes)) for n in sizes]
    share[0] += 74 - sum(share)
    for (points, _), n in zip(groups, share):
        scores = dict(zip(MAJ, points))
        while sum(scores.values()) > 3:
            top = max(scores, key=scores.get)
            scores[top] -= 1
        if n > 0:
            ballots.append({"scores": {c: v for c, v in scores.items() if v}, "count": n})
    ballots.append({"scores": {"B1": 3}, "count": 26})
    r = hz.mechanism("voting.cumulative", seats=3).run(
        {"candidates": NAMES, "ballots": ballots}).result
    assert "B1" in r["winners"]


def test_cumulative_budget_is_enforced() -> None:
    m = hz.mechanism("voting.cumulative", seats=2)
    with pytest.raises(InputError, match=r"ballots\.1\.scores"):
        m.run({"candidates": ["a", "b"], "ballots": [{"scores": {"a": 2}},
                                                     {"scores": {"a": 2, "b": 1}}]})
    assert hz.mechanism("voting.cumulative", seats=2, points=3).run(
        {"candidates": ["a", "b"], "ballots": [{"scores": {"a": 2, "b": 1}}]}
    ).result["winners"] == ["a", "b"]


def test_limited_parameters_and_errors() -> None:
    with pytest.raises(ParameterError, match="votes"):
        hz.mechanism("voting.limited", seats=2, votes=3)
    with pytest.raises(ParameterError, match="seats"):
        hz.mechanism("voting.bloc", seats=3).run(
            {"candidates": ["a", "b"], "ballots": [{"ranking": ["a"]}]})
    with pytest.raises(InputError, match="ballots"):
        hz.mechanism("voting.bloc", seats=1).run(
            {"candidates": ["a", "b"], "ballots": [{"ranking": [["a", "b"]]}]})


def test_ties_at_the_cut_list_every_committee() -> None:
    data = {"candidates": ["a", "b", "c", "d"], "ballots": [
        {"ranking": ["a"], "count": 3}, {"ranking": ["b"]}, {"ranking": ["c"]},
        {"ranking": ["d"]}]}
    r = hz.mechanism("voting.sntv", seats=2, tie_break=["d", "c", "b", "a"]).run(data).result
    assert r["winners"] == ["a", "d"] and r["tie_broken"]
    assert r["tied"] == [["a", "b"], ["a", "c"], ["a", "d"]]
    assert r["cut"] == {"above": ["a"], "tied": ["b", "c", "d"], "seats_left": 1}
    # beyond the limit the rule is stated, not listed
    many = top_committee([1] * 16, 8, list(range(16)))
    assert len(list(itertools.combinations(range(16), 8))) > MAX_TIED_COMMITTEES
    assert not many["complete"] and many["cut"]["tied"] == list(range(16))


def test_primary_cut_differs_from_irv() -> None:
    # IRV drops d (21), c then holds 45, b (25) goes and a wins 55 to 45; a top-two primary
    # keeps a and b at once: c's ballots go to b, d's exhaust, and b wins 49 to 30
    data = {"candidates": ["a", "b", "c", "d"], "ballots": [
        {"ranking": ["a", "b"], "count": 30}, {"ranking": ["b", "a"], "count": 25},
        {"ranking": ["c", "b"], "count": 24}, {"ranking": ["d", "c"], "count": 21}]}
    two = hz.mechanism("voting.primary_rcv", finalists=2).run(data).result
    assert two["primary"]["finalists"] == ["a", "b"] and two["winners"] == ["b"]
    assert two["rounds"][0]["tally"] == {"a": 30, "b": 49}
    four = hz.mechanism("voting.primary_rcv").run(data).result
    assert four["winners"] == hz.mechanism("voting.irv").run(data).result["winners"] == ["a"]


def test_primary_tie_at_the_cut_is_explored() -> None:
    data = {"candidates": ["a", "b", "c"], "ballots": [
        {"ranking": ["a"], "count": 3}, {"ranking": ["b", "a"], "count": 2},
        {"ranking": ["c", "b"], "count": 2}]}
    r = hz.mechanism("voting.primary_rcv", finalists=2).run(data).result
    # finalists {a, b}: b's ballots to a? no — b stays; a 3 vs b 2+... c's ballots go to b: b 4
    # finalists {a, c}: b's ballots go to a: a 5
    assert r["tie_broken"] and r["primary"]["tied_at_cut"] == ["b", "c"]
    assert r["winners"] == ["b"] and r["tied"] == ["a", "b"]


ranked_st = st.lists(st.tuples(st.permutations(range(4)), st.integers(1, 4), st.integers(1, 5)),
                     min_size=1, max_size=8)


def _election(raw, m=4):
    names = [f"c{i}" for i in range(m)]
    return {"candidates": names,
            "ballots": [{"ranking": [names[c] for c in perm[:length]], "count": n}
                        for perm, length, n in raw]}


@settings(max_examples=60, deadline=None)
@given(ranked_st, st.integers(1, 4))
def test_invariants(raw, seats) -> None:
    data = _election(raw)
    plurality = hz.mechanism("voting.plurality").run(data).result
    for rule in ("voting.sntv", "voting.bloc"):
        one = hz.mechanism(rule, seats=1).run(data).result
        assert one["winners"] == plurality["winners"]
        assert sorted(c[0] for c in one["tied"]) == plurality["tied"]
    sntv = hz.mechanism("voting.sntv", seats=seats).run(data).result
    bloc = hz.mechanism("voting.bloc", seats=seats).run(data).result
    for out in (sntv, bloc):
        assert len(out["winners"]) == seats == len(set(out["winners"]))
    assert hz.mechanism("voting.limited", seats=seats, votes=1).run(data).result["tied"] == \
        sntv["tied"]
    assert hz.mechanism("voting.limited", seats=seats, votes=seats).run(data).result[
        "tied"] == bloc["tied"]
    points = 2 * seats
    plumped = {"candidates": data["candidates"],
               "ballots": [{"scores": {b["ranking"][0]: points}, "count": b["count"]}
                           for b in data["ballots"]]}
    cum = hz.mechanism("voting.cumulative", seats=seats, points=points).run(plumped).result
    assert cum["winners"] == sntv["winners"] and cum["tied"] == sntv["tied"]
    primary = hz.mechanism("voting.primary_rcv", finalists=4).run(data).result
    irv = hz.mechanism("voting.irv").run(data).result
    assert primary["winners"] == irv["winners"] and primary["tied"] == irv["tied"]


# --- votekit ---------------------------------------------------------------------------------
def _random_ranked(rng):
    m = int(rng.integers(3, 6))
    names = [f"c{i}" for i in range(m)]
    ballots = []
    for _ in range(int(rng.integers(3, 12))):
        perm = rng.permutation(m)[: int(rng.integers(1, m + 1))].tolist()
        ballots.append({"ranking": [names[c] for c in perm], "count": int(rng.integers(1, 6))})
    return names, ballots


def _elected(election) -> list[str]:
    return sorted(c for group in election.get_elected() for c in group)


@pytest.mark.slow
@pytest.mark.parametrize("rule", ["sntv", "bloc", "limited", "cumulative", "primary_rcv"])
def test_cross_check_votekit(rule: str) -> None:
    """≥150 random profiles per rule whose count needs no tie-break (votekit raises on ties
    with ``tiebreak=None``): same elected set."""
    pytest.importorskip("votekit")
    from votekit.ballot import RankBallot, ScoreBallot
    from votekit.elections import SNTV, Alaska, BlockPlurality, Cumulative
    from votekit.pref_profile import RankProfile, ScoreProfile

    rng = np.random.default_rng(1818)
    compared = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(400):
            if compared >= 150:
                break
            names, ballots = _random_ranked(rng)
            m = len(names)
            seats = int(rng.integers(1, m))
            votes = int(rng.integers(1, seats + 1))
            finalists = int(rng.integers(2, m + 1))
            data = {"candidates": names, "ballots": ballots}
            if rule == "cumulative":
                for b in ballots:
                    pts = [int(x) for x in rng.integers(0, seats + 1, size=len(b["ranking"]))]
                    while sum(pts) > seats:
                        pts[int(np.argmax(pts))] -= 1
                    if sum(pts) == 0:
                        pts[0] = 1
                    b["scores"] = {c: v for c, v in zip(b.pop("ranking"), pts) if v}
            ours = {"sntv": ("voting.sntv", {"seats": seats}),
                    "bloc": ("voting.bloc", {"seats": seats}),
                    "limited": ("voting.limited", {"seats": seats, "votes": votes}),
                    "cumulative": ("voting.cumulative", {"seats": seats}),
                    "primary_rcv": ("voting.primary_rcv", {"finalists": finalists})}[rule]
            r = hz.mechanism(ours[0], **ours[1]).run(data).result
            if r["tie_broken"]:
                continue  # votekit raises on ties (tiebreak=None)
            if rule == "cumulative":
                sprof = ScoreProfile(ballots=[ScoreBallot(scores=b["scores"], weight=b["count"])
                                              for b in ballots], candidates=names)
                theirs = Cumulative(sprof, n_seats=seats)
            else:
                prof = RankProfile(ballots=[RankBallot(ranking=[{c} for c in b["ranking"]],
                                                       weight=b["count"]) for b in ballots],
                                   candidates=names, max_ranking_length=m)
                try:
                    if rule == "sntv":
                        theirs = SNTV(prof, n_seats=seats)
                    elif rule == "bloc":
                        theirs = BlockPlurality(prof, n_seats=seats)
                    elif rule == "limited":
                        theirs = BlockPlurality(prof, n_seats=seats, budget=votes)
                    else:
                        theirs = Alaska(prof, m_1=finalists, m_2=1)
                except ValueError as err:  # fewer voted-for candidates than finalists
                    assert "Not enough candidates" in str(err)
                    continue
            assert sorted(r["winners"]) == _elected(theirs), data
            compared += 1
    assert compared >= 150, compared


@pytest.mark.parametrize("rule", ["voting.sntv", "voting.bloc", "voting.limited",
                                  "voting.primary_rcv", "voting.cumulative"])
def test_two_to_the_53_voters_are_two_agents(rule: str) -> None:
    """Counts are weights (never expanded) and totals stay exact past 2**53."""
    if rule == "voting.cumulative":
        a, b, params = {"scores": {"a": 5}}, {"scores": {"b": 5}}, {"points": 5}
    else:
        a, b, params = {"ranking": ["a", "b"]}, {"ranking": ["b", "a"]}, {}
    data = {"candidates": ["a", "b"], "ballots": [{**a, "count": 2**53},
                                                  {**b, "count": 2**53 - 1}]}
    out = hz.mechanism(rule, **params).run(data)
    assert out.result["winners"] == ["a"] and not out.result["tie_broken"]
    assert list(out.allocation) == ["b0", "b1"] and out.metrics["voters"] == 2**54 - 1


def _surpluses_overlap(result: dict) -> bool:
    """Whether a candidate was elected while another elected candidate's surplus still waited
    to be transferred. The order of those transfers is where STV rules differ: hurwicz moves
    surpluses one at a time, largest first, and a candidate elected meanwhile receives nothing
    more (the ERS / Scottish convention); votekit's ``simultaneous=True`` moves all of them at
    once. Those counts can elect different committees, both correctly."""
    pending: set[str] = set()
    for stage in result["rounds"]:
        pending |= set(stage["elected"])
        if len(pending) > 1 and stage["transfer"] is not None:
            return True
        if stage["transfer"] is not None and stage["transfer"]["kind"] == "surplus":
            pending.discard(stage["transfer"]["from"])
    return False


@pytest.mark.slow
def test_stv_cross_check_votekit() -> None:
    """``voting.stv`` (Droop quota, weighted inclusive Gregory) elects votekit's ``STV``
    committee (``quota="droop"``, fractional transfers) on random profiles whose count needs no
    tie-break and never holds two surpluses at once (see :func:`_surpluses_overlap`), and on
    the 2002 Dublin West ballots (PrefLib 00001-00000002, 3 seats)."""
    pytest.importorskip("votekit")
    from pathlib import Path

    from votekit.ballot import RankBallot
    from votekit.elections import STV
    from votekit.pref_profile import RankProfile

    from hurwicz.io.preflib import read_preflib

    def theirs(data: dict, seats: int) -> set[str]:
        profile = RankProfile(ballots=[RankBallot(ranking=[{c} for c in b["ranking"]],
                                                  weight=b.get("count", 1))
                                       for b in data["ballots"]], candidates=data["candidates"])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return set().union(*STV(profile, n_seats=seats, quota="droop",
                                    simultaneous=True).get_elected())

    rng = np.random.default_rng(2002)
    compared = 0
    for _ in range(300):
        m = int(rng.integers(3, 7))
        seats = int(rng.integers(1, m))
        names = [f"c{i}" for i in range(m)]
        ballots = [{"ranking": [names[c] for c in rng.permutation(m)[:int(rng.integers(1, m + 1))]],
                    "count": int(rng.integers(1, 6))} for _ in range(int(rng.integers(3, 12)))]
        data = {"candidates": names, "ballots": ballots}
        ours = hz.mechanism("voting.stv", seats=seats).run(data).result
        if ours["tie_broken"] or _surpluses_overlap(ours):
            continue
        assert set(ours["winners"]) == theirs(data, seats), (ballots, seats)
        compared += 1
    assert compared >= 150
    west = Path(__file__).resolve().parents[3] / "examples/inputs/preflib/00001-00000002.soi"
    data = read_preflib(west)
    data = {"candidates": data["candidates"], "ballots": list(data["ballots"])}
    ours = hz.mechanism("voting.stv", seats=3).run(data).result["winners"]
    assert set(ours) == theirs(data, 3) == {"Brian Lenihan F.F.", "Joan Burton Lab",
                                            "Joe Higgins S.P."}

"""Meek STV (``voting.meek_stv``): known answers, the New Zealand arithmetic, invariants and a
cross-check against pref_voting's ``stv_meek``.

Known answers:
- GPUS Steering Committee election 2005-07-24 (94 ballots, 13 candidates, 4 seats), the
  election distributed as ``test/blt/SC.blt`` with Droop (J. Lundell's reference STV counter,
  github.com/jklundell/droop), whose rational-arithmetic Meek report
  (``test/ref/report/SC-meek-o10-rational-d12.txt``) elects LaMarche, Rotzler, Kramer and Olsen
  with an initial quota of 94/5 = 18.8, LaMarche (22) and Rotzler (33) elected at once.
- Droop's ``test/blt/42.blt`` ("Pollux and Helen should tie"): 4 ballots Castor > Pollux and 2
  Helen, 2 seats. Castor's surplus of 2 reaches Pollux only in the limit of Meek's iteration,
  so Pollux and Helen tie exactly at 2; in the New Zealand rules' 9-decimal arithmetic
  (Local Electoral Regulations 2001, Schedule 1A: quota truncated + 10^-9, keep values
  rounded up) Castor keeps 4 × 0.500000001 and Pollux gets 1.999999996 < 2: Helen is elected.
- The "food election" of Wikipedia's *Single transferable vote* article (Tideman 1995): with
  Meek transfers too, chocolate (12 > 20/4) is elected, its surplus lifts strawberries over
  the quota, pears (2) is excluded and oranges reaches 6: chocolate, strawberries, oranges.
Invariants (hypothesis): with one seat Meek's method is the alternative vote (no candidate is
elected before the end, so every keep value stays 1 — Hill, Wichmann & Woodall 1987, and
Tideman 1995 §4), in both arithmetics; the committee always has ``seats`` distinct members;
the New Zealand values are whole multiples of 10^-9.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hurwicz as hz
from hurwicz.core.errors import InputError, ParameterError

SC_NAMES = ["Budd Dickinson", "Kirit Mookerjee", "Tom Sevigny", "Pat LaMarche", "Michael Piacsek",
            "Write-In 2", "Rebecca Rotzler", "Kristen Olsen", "Jason Jones", "Write-In 1",
            "Steve Greenfield", "Jimmy Leas", "Steve Kramer"]
# the ballots of SC.blt, one line per ballot (1-based candidate numbers)
SC_BALLOTS = """7 8 9 11 12|7 8 9 11 12|13 7 5 4 2 1|5 13 2 7 4 1|13 4 1 2|4 2 13 1 3|4 13 2 7
|7 8 12 1 13 9 2 4 11 5|1 13 3 4 7 5 2|4 1 13 7 3 5 2|4 1 13 7 3 5 2|1 4 13 2 7 5 3 9 8 12 11
|7 1 8 9 13 3 2 4 12 5 11|7 8 9 11 12|7 1 8 9 13 3 2 4 12 5 11|7 8 9 11 12|7 8 9 11 12
|7 8 9 11 12|5 1 13 3 2 4 7|7 8 9 3 12 2 13 5 1 4|3 13 1 2|3 13 1 2|4 7 13 5|4 5 13 3 2 1
|7 8 9 11 12|7 9 8 12 11 2 13|7 8 9 11 12|7 8 9 11 12|4 3 13 1|4 3 13 1|13 3 4 1 7 2 5
|3 13 4 1 7 2 5|13 3 4 1 2 5 7|13 1 4 2 5 3 7|13 4 3 1 2 5|3 13 1 4 2 7 5|4 3 13 8|4 3 13 1
|1 4 13 7|1 4 13 7|7 3 4 13 1 5|9 11 8 7|7 8 9 11 12|13 3 5 2|4 5 2 3 13|13 5 2 4 1 3 7
|13 5 2 1 7 3 8|7 8 9 12 11|7 8 4 9 12|13 4 7 2 8|4 13 2 7 1 8|7 8 11 9 12|8 4 7 11 13 9
|7 4 2 13|13 1 7 4|4 1 2 13 9 5|1 4 13 5 3 2|7 5 4 8 11 2 13 1 3 9 12|4 8 7 5 13 2 1 3 9
|3 4 7 2 12 13 8 1 5|7 8 9 11 12|7 8 11 9|7 8 11 9|7 8 9 11 12|7 8 9 11 12|7 8 9 11 12
|13 2 4 7 5 1|7 8 9 11 12|7 8 9 11|7 8 9 11 12|2 7 8 12 13 11 1 5 9|4 7 8 2|4 13 5 2 1 3
|13 4 7 3 1 5 8 2 9|4 3 13 1 7|13 4 1 3|4 1 13 3 2 7 8|2 4 13 5|2 3 4 1 13 7|3 1 4 13
|4 3 1 2 11|3 1 4 13 2 7|4 1 2 8 3|4 1 5 13 2 3|4 1 5 13 2 3|7 8 9 11 12|7 8 9 11 12
|13 7 3 2 5 4 1|13 5 7 2 4 1|7 8 9 11 12|1 13 3 7 2 4 5|13 1 2 7 4 5 3|13 1 2 7 4 5 3
|3 1 4 2 13 7 9 5 8"""


def sc_election() -> dict:
    lines = SC_BALLOTS.replace("\n", "").split("|")
    return {"candidates": SC_NAMES,
            "ballots": [{"ranking": [SC_NAMES[int(x) - 1] for x in line.split()]}
                        for line in lines]}


def test_sc_ballot_data_is_complete() -> None:
    assert len(sc_election()["ballots"]) == 94


@pytest.mark.parametrize("arithmetic", ["exact", "nz"])
def test_gpus_steering_committee_2005(arithmetic: str) -> None:
    out = hz.mechanism("voting.meek_stv", seats=4, arithmetic=arithmetic).run(sc_election())
    r = out.result
    assert set(r["winners"]) == {"Pat LaMarche", "Rebecca Rotzler", "Steve Kramer",
                                 "Kristen Olsen"}
    assert r["rounds"][0]["quota"] == pytest.approx(18.8, abs=2e-9)
    assert r["rounds"][0]["elected"] == ["Rebecca Rotzler", "Pat LaMarche"]  # 33, then 22
    assert r["rounds"][0]["tally"]["Rebecca Rotzler"] == 33
    assert not r["tie_broken"]


def test_castor_pollux_helen_tie_in_the_limit() -> None:
    data = {"candidates": ["Castor", "Pollux", "Helen"],
            "ballots": [{"ranking": ["Castor", "Pollux"], "count": 4},
                        {"ranking": ["Helen"], "count": 2}]}
    exact = hz.mechanism("voting.meek_stv", seats=2).run(data).result
    assert exact["tie_broken"]
    assert exact["tied"] == [["Castor", "Pollux"], ["Castor", "Helen"]]
    assert exact["winners"] == ["Castor", "Pollux"]  # input order: Helen goes first
    nz = hz.mechanism("voting.meek_stv", seats=2, arithmetic="nz").run(data).result
    assert nz["winners"] == ["Castor", "Helen"] and not nz["tie_broken"]
    last = nz["rounds"][-1]
    assert last["excluded"] == "Pollux"
    assert last["tally"]["Pollux"] == pytest.approx(1.999999996, abs=1e-12)
    assert last["keep"]["Castor"] == pytest.approx(0.500000001, abs=1e-12)
    assert last["quota"] == pytest.approx(2.000000001, abs=1e-12)


FOOD = {"candidates": ["oranges", "pears", "chocolate", "strawberries", "hamburgers"],
        "ballots": [{"ranking": ["oranges"], "count": 4},
                    {"ranking": ["pears", "oranges"], "count": 2},
                    {"ranking": ["chocolate", "strawberries"], "count": 8},
                    {"ranking": ["chocolate", "hamburgers"], "count": 4},
                    {"ranking": ["strawberries"], "count": 1},
                    {"ranking": ["hamburgers"], "count": 1}]}


@pytest.mark.parametrize("arithmetic", ["exact", "nz"])
def test_food_election(arithmetic: str) -> None:
    r = hz.mechanism("voting.meek_stv", seats=3, arithmetic=arithmetic).run(FOOD).result
    assert r["winners"] == ["chocolate", "strawberries", "oranges"]
    if arithmetic == "exact":
        assert [x["excluded"] for x in r["rounds"]] == [None, None, "pears", None][
            :len(r["rounds"])]
    else:
        # Schedule 1A runs clause 12 (elect) and clause 13 (exclude) in the same step: at step
        # 2 strawberries reaches the quota and pears, 2 + surplus 0.666666666 < hamburgers'
        # 3.333333332, cannot catch up and is excluded at once
        assert [(x["elected"], x["excluded"]) for x in r["rounds"]] == [
            (["chocolate"], None), (["strawberries"], "pears"), (["oranges"], None)]
    # chocolate keeps 5/12 of each vote in the limit (quota 20/4 = 5 of 12)
    assert r["rounds"][1]["keep"]["chocolate"] == pytest.approx(5 / 12, abs=1e-8)


def test_rounds_schema_matches_stv() -> None:
    r = hz.mechanism("voting.meek_stv", seats=3).run(FOOD).result
    s = hz.mechanism("voting.stv", seats=3).run(FOOD).result
    for mine in r["rounds"]:
        assert set(s["rounds"][0]) <= set(mine)
        assert isinstance(mine["tally"], dict) and isinstance(mine["exhausted"], float)
        assert mine["transfer"] is None or set(mine["transfer"]) == {"from", "kind", "value"}


def test_exhausted_votes_lower_the_quota() -> None:
    data = {"candidates": ["a", "b", "c"], "ballots": [
        {"ranking": ["a"], "count": 6}, {"ranking": ["b"], "count": 3},
        {"ranking": ["c"], "count": 3}]}
    r = hz.mechanism("voting.meek_stv", seats=2).run(data).result
    # a's surplus exhausts: a keeps 1/3 ... the quota falls below 4 = 12/3
    assert r["rounds"][0]["elected"] == ["a"]
    assert r["rounds"][1]["quota"] < 4 and r["rounds"][1]["exhausted"] > 0
    assert r["tie_broken"] and r["tied"] == [["a", "b"], ["a", "c"]]


def test_errors() -> None:
    m = hz.mechanism("voting.meek_stv", seats=3)
    with pytest.raises(ParameterError, match="seats"):
        m.run({"candidates": ["a", "b"], "ballots": [{"ranking": ["a"]}]})
    with pytest.raises(InputError, match="ballots"):
        m.run({"candidates": ["a", "b", "c"], "ballots": [{"ranking": [["a", "b"], "c"]}]})
    with pytest.raises(InputError, match="ballots"):
        m.run({"candidates": ["a", "b", "c"], "ballots": []})
    with pytest.raises(ParameterError):
        hz.mechanism("voting.meek_stv", arithmetic="float")


ballots_st = st.lists(
    st.tuples(st.permutations(range(4)), st.integers(1, 4), st.integers(1, 5)),
    min_size=1, max_size=8)


def _election(raw, m=4):
    names = [f"c{i}" for i in range(m)]
    return {"candidates": names,
            "ballots": [{"ranking": [names[c] for c in perm[:length]], "count": n}
                        for perm, length, n in raw]}


@settings(max_examples=60, deadline=None)
@given(ballots_st, st.sampled_from(["exact", "nz"]))
def test_one_seat_is_irv(raw, arithmetic) -> None:
    data = _election(raw)
    meek = hz.mechanism("voting.meek_stv", arithmetic=arithmetic).run(data).result
    irv = hz.mechanism("voting.irv").run(data).result
    assert meek["winners"] == irv["winners"]
    assert sorted(c[0] for c in meek["tied"]) == sorted(irv["tied"])


@settings(max_examples=60, deadline=None)
@given(ballots_st, st.integers(1, 4), st.sampled_from(["exact", "nz"]))
def test_committee_size_and_nz_grid(raw, seats, arithmetic) -> None:
    r = hz.mechanism("voting.meek_stv", seats=seats, arithmetic=arithmetic).run(
        _election(raw)).result
    assert len(r["winners"]) == seats == len(set(r["winners"]))
    assert sorted(r["winners"]) in r["tied"]  # names c0..c3 sort as the candidates do
    if arithmetic == "nz":
        for rd in r["rounds"]:
            for v in [*rd["tally"].values(), *rd["keep"].values(), rd["quota"]]:
                assert abs(v * 1e9 - round(v * 1e9)) < 1e-3


def _hopeful_at_quota(rounds) -> bool:
    elected: set[str] = set()
    for rd in rounds:
        if any(abs(v - rd["quota"]) < 1e-6 for c, v in rd["tally"].items() if c not in elected):
            return True
        elected |= set(rd["elected"])
    return False


def test_cross_check_pref_voting_stv_meek() -> None:
    """Elected sets agree with pref_voting's float ``stv_meek`` on random profiles without
    ties (complete and truncated rankings)."""
    pv = pytest.importorskip("pref_voting.proportional_methods")
    from pref_voting.profiles_with_ties import ProfileWithTies

    rng = np.random.default_rng(18)
    compared = 0
    for _ in range(260):
        m = int(rng.integers(3, 6))
        seats = int(rng.integers(1, m))
        names = [f"c{i}" for i in range(m)]
        ballots = []
        for _ in range(int(rng.integers(4, 16))):
            perm = rng.permutation(m)[: int(rng.integers(1, m + 1))].tolist()
            ballots.append({"ranking": [names[c] for c in perm],
                            "count": int(rng.integers(1, 4))})
        r = hz.mechanism("voting.meek_stv", seats=seats).run(
            {"candidates": names, "ballots": ballots}).result
        if r["tie_broken"] or _hopeful_at_quota(r["rounds"]):
            continue  # tie conventions (and >= vs > at the quota) differ
        prof = ProfileWithTies([{names.index(c): k + 1 for k, c in enumerate(b["ranking"])}
                                for b in ballots], rcounts=[b["count"] for b in ballots],
                               candidates=list(range(m)))
        theirs = sorted(names[c] for c in pv.stv_meek(prof, num_seats=seats))
        assert theirs == sorted(r["winners"]), ballots
        compared += 1
    assert compared >= 150


DUBLIN_WEST = Path(__file__).resolve().parents[3] / "examples" / "inputs" / "preflib" / \
    "00001-00000002.soi"


@pytest.mark.parametrize("arithmetic", ["exact", "nz"])
def test_dublin_west_2002(arithmetic: str) -> None:
    """PrefLib 00001-00000002 (Dublin West, 2002 Dáil election, 29,988 ballots, 3 seats): the
    members returned were Brian Lenihan (FF), Joe Higgins (SP) and Joan Burton (Lab) (public
    record, e.g. electionsireland.org, Dublin West 2002); Meek's method elects the same three
    (the official count used the Irish rules, so only the elected set is compared)."""
    if not DUBLIN_WEST.exists():
        pytest.skip("examples/inputs/preflib is not available")
    from hurwicz.io.preflib import read_preflib

    data = read_preflib(DUBLIN_WEST)
    r = hz.mechanism("voting.meek_stv", seats=3, arithmetic=arithmetic).run(data).result
    assert sorted(r["winners"]) == ["Brian Lenihan F.F.", "Joan Burton Lab",
                                    "Joe Higgins S.P."]
    assert all(rd["converged"] for rd in r["rounds"])


@pytest.mark.parametrize("arithmetic", ["exact", "nz"])
def test_two_to_the_53_voters(arithmetic: str) -> None:
    """Counts are weights: c (2**52) is excluded and its ballots give b 2**53 + 2**52 − 1
    against a's 2**53 (IRV's answer, computed exactly)."""
    data = {"candidates": ["a", "b", "c"], "ballots": [
        {"ranking": ["a"], "count": 2**53}, {"ranking": ["b"], "count": 2**53 - 1},
        {"ranking": ["c", "b"], "count": 2**52}]}
    r = hz.mechanism("voting.meek_stv", arithmetic=arithmetic).run(data).result
    assert r["winners"] == ["b"] and r["rounds"][0]["excluded"] == "c"

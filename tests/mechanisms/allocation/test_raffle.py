"""Raffles: exact win probabilities, verifiable replayable draws, limits, groups, bots.

Known answer: drawing k of N single-ticket entries uniformly without replacement, an identity
holding m entries wins at least once with probability 1 − C(N−m, k)/C(N, k) (hypergeometric).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import hurwicz as hz
from hurwicz.core.errors import InputError
from hurwicz.mechanisms.allocation.raffle import win_at_least_once


def entries(n: int) -> dict:
    return {f"fan{i:03d}": 1 for i in range(n)}


@given(st.integers(1, 40), st.integers(0, 45), st.text(min_size=1, max_size=8))
def test_individual_lottery_allocates_min_units_entrants(n, k, beacon) -> None:
    m = hz.mechanism("allocation.raffle", beacon=beacon)
    out = m.run({"units": k, "entries": entries(n)})
    assert sum(out.allocation.values()) == min(k, n)
    assert all(p == pytest.approx(min(k, n) / n) for p in out.result["win_probability"]
               .values())
    # anyone can re-run the committed draw and get the same winners
    assert m.run({"units": k, "entries": entries(n)}).result["winners"] == out.result["winners"]


def test_different_beacons_give_different_draws() -> None:
    draws = {tuple(hz.mechanism("allocation.raffle", beacon=str(b)).run(
        {"units": 3, "entries": entries(30)}).result["winners"]) for b in range(10)}
    assert len(draws) > 5


def test_weighted_probabilities_and_limits() -> None:
    m = hz.mechanism("allocation.raffle", mode="weighted", max_entries=3, beacon="x")
    out = m.run({"units": 1, "entries": {"a": 3, "b": 1}})
    assert out.result["win_probability"]["a"] == pytest.approx(0.75, abs=0.03)
    assert out.result["probability_exact"] is False
    with pytest.raises(InputError, match="entries.a"):
        m.run({"units": 1, "entries": {"a": 4}})
    with pytest.raises(InputError, match="entries.a"):
        hz.mechanism("allocation.raffle", beacon="x").run({"units": 1, "entries": {"a": 2}})


def test_group_lottery_is_all_or_nothing() -> None:
    m = hz.mechanism("allocation.raffle", mode="group", beacon="g")
    data = {"units": 3, "entries": {"a": 1, "b": 1, "c": 1, "d": 1, "e": 1},
            "groups": {"pair": ["a", "b"], "trio": ["c", "d", "e"]}}
    for beacon in "abcdef":
        out = hz.mechanism("allocation.raffle", mode="group", beacon=beacon).run(data)
        won = set(out.result["winners"])
        assert won in ({"a", "b"}, {"c", "d", "e"})
    with pytest.raises(InputError, match="two groups"):
        m.run({**data, "groups": {"x": ["a"], "y": ["a"]}})


def test_bots_raise_the_chance_of_winning_as_the_closed_form_says() -> None:
    data = {"units": 2, "entries": entries(20)}
    rep = hz.audit("allocation.raffle", params={"beacon": "b"}, inputs=[data],
                   adversary="bots:5")
    rec = rep.check("bot_proof:5")
    assert rec.holds is False
    # one fan with 5 bots: 6 of 25 entries, 2 units
    assert rec.counterexample["deviating_utility"] == pytest.approx(win_at_least_once(25, 6, 2))
    assert rec.counterexample["truthful_utility"] == pytest.approx(2 / 20)


def test_fcfs_rewards_the_fastest() -> None:
    out = hz.mechanism("allocation.fcfs").run({"units": 2, "arrivals": {"bot": 0.001,
                                                                       "ann": 3.2, "bo": 1.0}})
    assert out.result["winners"] == ["bot", "bo"]

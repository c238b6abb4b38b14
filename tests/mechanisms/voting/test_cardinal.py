"""Cardinal rules: approval, score, STAR, majority judgment, quadratic voting.

Sources: Brams & Fishburn (1978), APSR 72(3) — approval voting; Balinski & Laraki, *Majority
Judgment* (2011), ch. 13 — the median grade and its removal tie-break; STAR voting (Equal Vote
Coalition, 2014) — score then automatic runoff; Lalley & Weyl (2018), AEA P&P 108 — quadratic
voting costs w² per w votes.
"""

from __future__ import annotations

import pytest

import hurwicz as hz
from hurwicz.core.errors import InputError


def test_approval_and_score_totals() -> None:
    data = {"candidates": ["x", "y", "z"], "ballots": [
        {"approve": ["x", "y"], "count": 2}, {"approve": ["z"], "count": 3}]}
    out = hz.mechanism("voting.approval").run(data).result
    assert out["scores"] == {"x": 2.0, "y": 2.0, "z": 3.0} and out["winners"] == ["z"]
    scores = {"candidates": ["x", "y"], "ballots": [{"scores": {"x": 5, "y": 1}},
                                                   {"scores": {"y": 4}, "count": 2}]}
    assert hz.mechanism("voting.score").run(scores).result["scores"] == {"x": 5.0, "y": 9.0}
    with pytest.raises(InputError, match="at most 5"):
        hz.mechanism("voting.score").run({"candidates": ["x"], "ballots": [
            {"scores": {"x": 6}}]})


def test_star_runoff_can_overturn_the_score_leader() -> None:
    # totals: a 12, b 11, c 0; head to head b is preferred on 3 ballots, a on 2
    data = {"candidates": ["a", "b", "c"], "ballots": [
        {"scores": {"a": 5, "b": 0}, "count": 2}, {"scores": {"a": 2, "b": 3}},
        {"scores": {"a": 0, "b": 4}, "count": 2}]}
    out = hz.mechanism("voting.star").run(data).result
    assert out["scores"]["a"] == 12 and out["scores"]["b"] == 11
    assert out["winners"] == ["b"] and out["runoff"]["preferences"] == [2.0, 3.0]


def test_majority_judgment_median_and_tie_break() -> None:
    # both have median 3; removing one median: a [2, 4] → lower median 2, b [3, 3] → 3: b
    data = {"candidates": ["a", "b"], "ballots": [
        {"scores": {"a": 2, "b": 3}}, {"scores": {"a": 3, "b": 3}},
        {"scores": {"a": 4, "b": 3}}]}
    out = hz.mechanism("voting.majority_judgment").run(data).result
    assert out["scores"] == {"a": 3.0, "b": 3.0} and out["winners"] == ["b"]


def test_quadratic_voting_budget_and_negative_votes() -> None:
    data = {"candidates": ["x", "y"], "ballots": [{"votes": {"x": 3, "y": -1}},
                                                 {"votes": {"y": 2}, "count": 2}]}
    out = hz.mechanism("voting.quadratic", credits=10).run(data).result
    assert out["scores"] == {"x": 3.0, "y": 3.0} and out["tied"] == ["x", "y"]
    with pytest.raises(InputError, match="ballots.0.votes: costs 16 voice credits"):
        hz.mechanism("voting.quadratic", credits=15).run(
            {"candidates": ["x"], "ballots": [{"votes": {"x": 4}}]})


def test_wrong_ballot_kind_is_named() -> None:
    with pytest.raises(InputError, match="ballots.0: voting.approval needs 'approve'"):
        hz.mechanism("voting.approval").run({"candidates": ["x"], "ballots": [
            {"scores": {"x": 1}}]})


def test_approval_is_strategyproof_for_dichotomous_voters() -> None:
    """Brams & Fishburn (1978): with dichotomous preferences (the approved set is what the
    voter likes), sincere approval is a dominant strategy — every one of the 2³ approval sets
    is tried for every voter and none gains."""
    base = {"candidates": ["x", "y", "z"], "ballots": [
        {"approve": ["x", "y"]}, {"approve": ["y"]}, {"approve": ["z", "x"]}]}
    rec = hz.audit("voting.approval", inputs=[base], properties=["strategyproof"]).check(
        "strategyproof")
    assert rec.holds is True and rec.budget["methods"] == ["all_reports"]


def test_score_voting_rewards_exaggeration() -> None:
    # totals x 8, y 9, z 5: y wins. Voter b0 (x 5, y 4) gains 1 by scoring y 0; voter b2
    # (z 5, x 3, y 0) gains most, 3, by scoring x 5 so that x (10) beats y (9)
    base = {"candidates": ["x", "y", "z"], "ballots": [
        {"scores": {"x": 5, "y": 4}}, {"scores": {"y": 5}}, {"scores": {"z": 5, "x": 3}}]}
    rec = hz.audit("voting.score", inputs=[base], properties=["manipulable"]).check(
        "strategyproof")
    assert rec.holds is False
    assert rec.counterexample["agent"] == "b2" and rec.max_gain == 3.0

"""The audit engine on ranked reports, with tiny rules written here (so the engine is tested
independently of the voting and matching families).

Known answers: by the Gibbard–Satterthwaite theorem (Gibbard 1973, Econometrica 41(4);
Satterthwaite 1975, JET 10(2)) every onto, non-dictatorial rule over ≥ 3 candidates is
manipulable — Borda included; a dictatorship is strategy-proof; serial dictatorship is
strategy-proof (Svensson 1999, Social Choice and Welfare 16(4)).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from pydantic import BaseModel, ConfigDict

import hurwicz as hz
from hurwicz.auditing.deviations import full_ranking_profiles
from hurwicz.auditing.spec import (
    ANONYMOUS,
    COALITION_STRATEGYPROOF,
    IR,
    STRATEGYPROOF,
    AuditSpec,
    audit_spec,
    properties,
)
from hurwicz.core.mechanism import Mechanism
from hurwicz.core.outcome import Outcome
from hurwicz.core.registry import register, unregister
from hurwicz.mechanisms.voting.audit import MONOTONE, NEUTRAL


class TinyBallots(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    candidates: list[str]
    votes: dict[str, list[str]]


class TinyAudit(AuditSpec):
    """A test family's specification: one ranking per named voter."""

    report_kind = "ranking"
    report_field = "votes"
    properties = properties(STRATEGYPROOF, COALITION_STRATEGYPROOF, IR, ANONYMOUS, NEUTRAL,
                            MONOTONE)

    def report_domain(self, data: Any, agent: str) -> dict[str, Any]:
        return {"kind": "ranking", "candidates": data["candidates"], "truncate": False}

    def utility(self, agent: str, truth: Any, outcome: Outcome) -> float:
        winners = outcome.result["winners"]
        if not winners:  # house allocation: the rank of one's own object
            return float(len(truth) - list(truth).index(outcome.allocation[agent]))
        (winner,) = winners
        return float(len(truth) - list(truth).index(winner))

    def same_outcome(self, before: Outcome, after: Outcome, mapping: Any) -> bool:
        if before.result["winners"]:
            return before.result["winners"] == after.result["winners"]
        return super().same_outcome(before, after, mapping)

    def expand(self, given: Any) -> tuple[list[Any], str | None]:
        return full_ranking_profiles(self, given[0]) if len(given) == 1 else ([], None)


class TinyOrdinal(Mechanism):
    family = "testordinal"
    Input = TinyBallots
    Audit = TinyAudit

    def _outcome(self, inp: TinyBallots, winner: str, tied: list[str] | None = None
                 ) -> Outcome:
        return Outcome(self.name, {}, {v: winner for v in inp.votes},
                       {v: 0.0 for v in inp.votes}, {"winners": [winner],
                                                      "tied": tied or [winner]})


@register
class TinyBorda(TinyOrdinal):
    name, summary = "testordinal.borda", "Borda count, ties to the first candidate listed."

    def run_parsed(self, inp: TinyBallots) -> Outcome:
        m = len(inp.candidates)
        score = dict.fromkeys(inp.candidates, 0)
        for ranking in inp.votes.values():
            for pos, c in enumerate(ranking):
                score[c] += m - 1 - pos
        best = max(score.values())
        tied = [c for c in inp.candidates if score[c] == best]
        return self._outcome(inp, tied[0], tied)


@register
class TinyDictator(TinyOrdinal):
    name, summary = "testordinal.dictator", "The first voter's top choice wins."

    def run_parsed(self, inp: TinyBallots) -> Outcome:
        first = sorted(inp.votes)[0]
        return self._outcome(inp, inp.votes[first][0])


@register
class TinySerialDictatorship(TinyOrdinal):
    """Voters, in name order, each take their favourite remaining object (a house allocation);
    utility is the rank of one's own object."""

    name, summary = "testordinal.serial_dictatorship", "Serial dictatorship over objects."

    def run_parsed(self, inp: TinyBallots) -> Outcome:
        taken: dict[str, str] = {}
        for voter in sorted(inp.votes):
            taken[voter] = next(c for c in inp.votes[voter] if c not in taken.values())
        return Outcome(self.name, {}, taken, {v: 0.0 for v in taken}, {"winners": []})


BASE = {"candidates": ["x", "y", "z"],
        "votes": {"v1": ["x", "y", "z"], "v2": ["y", "x", "z"], "v3": ["y", "x", "z"]}}


def test_borda_manipulation_found_by_exhaustive_search() -> None:
    rep = hz.audit("testordinal.borda", inputs=[BASE], properties=["manipulable"])
    rec = rep.check("strategyproof")
    assert rec.holds is False
    # every profile of 3 voters over 3 candidates; the given one is among them
    assert rec.budget["profiles"] == 6**3 and rec.budget["given_inputs"] == 1
    assert "216 profiles" in rec.budget["space"]
    ce = rec.counterexample
    mech = hz.mechanism("testordinal.borda")
    spec = audit_spec(mech)
    truth = ce["truthful"]["report"][ce["agent"]]
    u_truth = spec.utility(ce["agent"], truth, mech.run(ce["input"]))
    u_dev = spec.utility(ce["agent"], truth, mech.run(ce["deviating_input"]))
    assert u_dev > u_truth
    assert (u_truth, u_dev) == (ce["truthful_utility"], ce["deviating_utility"])


def test_dictatorship_is_proved_strategyproof() -> None:
    rec = hz.audit("testordinal.dictator", inputs=[BASE],
                   properties=["strategyproof"]).check("strategyproof")
    assert rec.holds is True and rec.exhaustive is True


def test_serial_dictatorship_strategyproof_but_anonymity_fails() -> None:
    rep = hz.audit("testordinal.serial_dictatorship", inputs=[BASE],
                   properties=["strategyproof", "anonymous"])
    assert rep.check("strategyproof").holds is True
    assert rep.check("strategyproof").exhaustive is True
    # the order of the dictators is by name: exchanging two voters' lists does not exchange
    # what they get (the generic check used to pass outcomes without winners)
    anonymous = rep.check("anonymous")
    assert anonymous.holds is False
    ce = anonymous.counterexample
    mech = hz.mechanism("testordinal.serial_dictatorship")
    a, b = ce["swapped"]
    before, after = mech.run(ce["input"]), mech.run(ce["swapped_input"])
    assert after.allocation[b] != before.allocation[a]


def test_borda_coalition_manipulation_needs_every_member_to_gain() -> None:
    # Borda scores x 6, z 5, y 4. v3 (z>x>y) and v4 (y>z>x) both prefer z to x; if both
    # report z>y>x the scores become z 6, x 5, y 4 and z wins
    base = {"candidates": ["x", "y", "z"],
            "votes": {"v1": ["x", "z", "y"], "v2": ["y", "x", "z"], "v3": ["z", "x", "y"],
                      "v4": ["y", "z", "x"], "v5": ["x", "z", "y"]}}
    rep = hz.audit("testordinal.borda", inputs=[base], adversary="coalition:2")
    rec = rep.check("coalition_strategyproof")
    assert rec.holds is False
    assert min(rec.counterexample["member_gains"]) > 0


def test_borda_properties_anonymous_neutral_monotone() -> None:
    rep = hz.audit("testordinal.borda", inputs=[BASE],
                   properties=["anonymous", "neutral", "monotone"])
    assert rep.check("anonymous").holds is True
    assert rep.check("monotone").holds is True
    # ties go to the first listed candidate, which relabelling moves: the check skips
    # outcomes where a tie was broken (result["tied"]), and Borda is neutral on the rest
    assert rep.check("neutral").holds is True


def test_dictator_is_not_anonymous() -> None:
    rep = hz.audit("testordinal.dictator", inputs=[{"candidates": ["x", "y"],
                                                    "votes": {"a": ["x", "y"],
                                                              "b": ["y", "x"]}}],
                   properties=["anonymous"])
    assert rep.check("anonymous").holds is False


@pytest.mark.parametrize("name", ["testordinal.borda", "testordinal.dictator"])
def test_abstention_no_show(name: str) -> None:
    rec = hz.audit(name, inputs=[BASE], adversary="abstain").check("ir")
    # abstaining never helps here (a voter's ballot only adds points to what it ranks)
    assert rec.holds is True


def test_larger_elections_use_heuristic_deviations() -> None:
    rng = np.random.default_rng(0)
    cands = list("abcdefg")  # 7! = 5040 rankings > the exhaustive limit
    votes = {f"v{i}": list(rng.permutation(cands)) for i in range(9)}
    rec = hz.audit("testordinal.borda", inputs=[{"candidates": cands, "votes": votes}],
                   properties=["strategyproof"]).check("strategyproof")
    assert rec.exhaustive is False
    assert rec.budget["methods"] == ["report_neighbourhood"]
    assert "space" not in rec.budget  # 9 voters × 7 candidates: nothing was enumerated


def teardown_module() -> None:
    for name in ("testordinal.borda", "testordinal.dictator",
                 "testordinal.serial_dictatorship"):
        unregister(name)

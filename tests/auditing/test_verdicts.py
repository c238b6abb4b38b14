"""Verdicts that cannot pass vacuously: properties a family does not define are refused, a
check that tested nothing says so (``holds: null``), the rule-of-three bound appears only when
it is justified, and user-given inputs are always audited."""

from __future__ import annotations

import inspect
import io
import json
import types
from typing import Any

import numpy as np
import pytest
from pydantic import BaseModel, ConfigDict

import hurwicz as hz
import hurwicz.auditing
from hurwicz.auditing.cli import report_table
from hurwicz.auditing.deviations import full_ranking_profiles
from hurwicz.auditing.spec import STRATEGYPROOF, AuditSpec, properties
from hurwicz.cli import main
from hurwicz.core.errors import AuditError
from hurwicz.core.mechanism import Mechanism
from hurwicz.core.outcome import Outcome
from hurwicz.core.registry import register, unregister


def test_a_property_of_another_family_is_refused() -> None:
    with pytest.raises(AuditError, match="'efficient' is not defined for voting.plurality") as e:
        hz.audit("voting.plurality", properties=["efficient"])
    assert e.value.field == "properties" and "condorcet" in str(e.value)  # what is defined
    with pytest.raises(AuditError, match="'stable' is not defined"):
        hz.audit("auction.first_price", inputs=[{"bids": {"a": 1.0}}], properties=["stable"])


def test_the_cli_refuses_an_undefined_property_with_exit_2(tmp_path, capsys) -> None:
    path = tmp_path / "bids.json"
    path.write_text(json.dumps({"bids": {"a": 3, "b": 2}}))
    with pytest.raises(SystemExit) as done:
        main(["audit", "auction.first_price", "--input", str(path), "--properties", "stable"])
    captured = capsys.readouterr()
    assert done.value.code == 2
    assert captured.err.startswith("error: properties: property 'stable' is not defined")
    assert "Traceback" not in captured.err and captured.err.count("\n") == 1


def test_nothing_tested_is_not_holds(capsys) -> None:
    # no bidder: no deviation can be tried
    rec = hz.audit("auction.second_price", inputs=[{"bids": {}}], properties=["dsic"]).check(
        "dsic")
    assert rec.holds is None and rec.verdict == "not tested" and "no deviation" in rec.notes
    assert rec.to_dict()["holds"] is None and "violation_mass_bound" not in rec.to_dict()
    # a Condorcet cycle has no Condorcet winner: the property says nothing about it
    cycle = {"candidates": ["a", "b", "c"], "ballots": [
        {"ranking": ["a", "b", "c"]}, {"ranking": ["b", "c", "a"]}, {"ranking": ["c", "a", "b"]}]}
    rep = hz.audit("voting.copeland", inputs=[cycle, cycle], properties=["condorcet"])
    assert rep.check("condorcet").holds is None and rep.holds is None
    assert rep.check("condorcet").budget["applicable"] == 0
    # the table and the JSON say so
    from rich.console import Console

    console = Console(record=True, width=160, file=io.StringIO())
    console.print(report_table(rep))
    assert "not tested" in console.export_text()
    # one bidder cannot form a coalition of two
    with pytest.raises(SystemExit) as done:
        main(["audit", "auction.second_price", "--prior", "uniform:0,1", "--agents", "1",
              "--properties", "coalition_strategyproof", "--samples", "50", "--json"])
    document = json.loads(capsys.readouterr().out)
    assert done.value.code == 0 and document["checks"][0]["holds"] is None
    assert document["checks"][0]["verdict"] == "not tested"


def test_the_rule_of_three_bound_only_when_justified() -> None:
    rep = hz.audit("auction.second_price", agents=2, prior="uniform:0,1",
                   properties=["dsic", "ir", "monotone"], samples=300)
    # dsic and monotone: the search on each profile is not exhaustive
    assert "violation_mass_bound" not in rep.check("dsic").to_dict()
    assert "violation_mass_bound" not in rep.check("monotone").to_dict()
    # ir: one exhaustive check per profile, profiles drawn i.i.d. from the prior
    assert rep.check("ir").to_dict()["violation_mass_bound"] == pytest.approx(0.01)
    # instances from the family's own sampler are not draws from a prior the user gave
    sampled = hz.audit("voting.borda", properties=["ir"], samples=30).check("ir")
    assert sampled.holds is True and "violation_mass_bound" not in sampled.to_dict()
    # a culture is a prior: each voter's abstention is the whole deviation space
    culture = hz.audit("voting.borda", prior="impartial", agents=4, properties=["ir"],
                       samples=30).check("ir")
    assert culture.to_dict()["violation_mass_bound"] == pytest.approx(0.1)


class TrapBallots(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    candidates: list[str]
    votes: dict[str, list[str]]


class TrapAudit(AuditSpec):
    report_kind = "ranking"
    report_field = "votes"
    properties = properties(STRATEGYPROOF)

    def report_domain(self, data: Any, agent: str) -> dict[str, Any]:
        return {"kind": "ranking", "candidates": data["candidates"], "truncate": False}

    def utility(self, agent: str, truth: Any, outcome: Outcome) -> float:
        (w,) = outcome.result["winners"]
        return float(len(truth) - truth.index(w)) if w in truth else 0.0

    def expand(self, given: Any) -> tuple[list[Any], str | None]:
        return full_ranking_profiles(self, given[0])


@register
class TruncationTrap(Mechanism):
    """v1 dictates — unless v1's ballot is truncated, then v2 dictates: strategy-proof on every
    profile of full rankings, manipulable only on a truncated ballot like the given one."""

    name, family, summary = "testverdict.trap", "testverdict", "A trap for audits."
    Input = TrapBallots
    Audit = TrapAudit

    def run_parsed(self, inp: TrapBallots) -> Outcome:
        v1 = inp.votes["v1"]
        boss = "v1" if len(v1) == len(inp.candidates) else "v2"
        winner = inp.votes[boss][0]
        return Outcome(self.name, {}, dict.fromkeys(inp.votes, winner),
                       dict.fromkeys(inp.votes, 0.0), {"winners": [winner]})


def test_given_inputs_are_audited_not_replaced() -> None:
    given = {"candidates": ["x", "y", "z"], "votes": {"v1": ["x"], "v2": ["y", "x", "z"]}}
    rec = hz.audit("testverdict.trap", inputs=[given],
                   properties=["strategyproof"]).check("strategyproof")
    # the 36 full-ranking profiles are added; only the given truncated one is manipulable
    assert rec.budget["given_inputs"] == 1 and rec.budget["added_profiles"] == 36
    assert rec.holds is False and rec.counterexample["input"] == given
    full = {"candidates": ["x", "y", "z"], "votes": {"v1": ["x", "y", "z"],
                                                     "v2": ["y", "x", "z"]}}
    proof = hz.audit("testverdict.trap", inputs=[full], properties=["strategyproof"]).check(
        "strategyproof")
    assert proof.holds is True and proof.exhaustive is True
    assert proof.budget["profiles"] == 36  # the given profile is one of them, counted once


class BrokenSamplerAudit(TrapAudit):
    def sample(self, rng: np.random.Generator, agents: int | None = None,
               **options: Any) -> dict[str, Any]:
        return {"candidates": sorted(1, 2)}  # a bug: TypeError


@register
class BrokenSampler(TruncationTrap):
    name = "testverdict.broken_sampler"
    Audit = BrokenSamplerAudit


def test_a_bug_in_a_sampler_is_not_reported_as_a_prior_problem() -> None:
    with pytest.raises(TypeError):
        hz.audit("testverdict.broken_sampler", properties=["strategyproof"], samples=2)
    with pytest.raises(AuditError, match="unknown sample option 'colour'"):
        hz.audit("voting.borda", properties=["strategyproof"], samples=2,
                 sample_options={"colour": "red"})


def test_adversaries_need_the_property_and_the_capability() -> None:
    with pytest.raises(AuditError, match="sybil_proof' is not defined for auction"):
        hz.audit("auction.second_price", inputs=[{"bids": {"a": 1.0}}], adversary="sybil:2")
    with pytest.raises(AuditError, match="checks 'coalition_strategyproof'"):
        hz.audit("auction.second_price", agents=3, prior="uniform:0,1",
                 adversary="coalition:2", properties=["dsic"])


def test_audit_is_a_plain_function() -> None:
    assert inspect.isfunction(hz.audit)
    assert "properties" in inspect.signature(hz.audit).parameters
    assert type(hurwicz.auditing) is types.ModuleType  # no callable-module trick


def teardown_module() -> None:
    for name in ("testverdict.trap", "testverdict.broken_sampler"):
        unregister(name)


def test_a_small_discrete_prior_is_checked_profile_by_profile() -> None:
    """With a discrete prior every profile is checked (4² = 16 here): a proof, not a bound."""
    rep = hz.audit("auction.first_price", agents=2, prior="discrete:0,1,2,3",
                   params={"tie_break": 3}, properties=["ir", "efficient", "budget_balance"])
    for rec in rep.checks:
        assert rec.holds is True and rec.exhaustive is True, rec.property
        assert rec.budget["profiles"] == 16 and rec.budget["methods"] == ["exhaustive"]
        assert "violation_mass_bound" not in rec.to_dict()
    # all-pay is not IR: the exhaustive check finds the losing bidder who paid
    ap = hz.audit("auction.all_pay", agents=2, prior="discrete:0,1,2,3", properties=["ir"])
    assert ap.check("ir").holds is False and ap.check("ir").exhaustive is False


def test_names_typed_two_ways_are_audited_as_one_agent() -> None:
    """A decomposed "Zoë" (e + U+0308) in a given input is the same agent the mechanism
    names after NFC normalisation: the audit finds first price's shading gain for her."""
    rec = hz.audit("auction.first_price", inputs=[{"bids": {"Zoe\u0308": 3.0, "b": 1.0}}],
                   properties=["dsic"]).check("dsic")
    assert rec.holds is False and rec.counterexample["agent"] == "Zo\u00eb"
    assert rec.max_gain == pytest.approx(2.0)

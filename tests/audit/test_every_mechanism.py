"""Every registered mechanism can be audited for its claims without user-given inputs (random
instances of its family's schema, or a culture for voting rules), and every claim holds on
them — a claim that failed would be a bug in the mechanism or in the claim. Known non-claims
are found: greedy (LOS) is not efficient, plurality is not Condorcet-consistent."""

from __future__ import annotations

import pytest

import hurwicz as hz
from hurwicz.core.registry import list_mechanisms

NEEDS = {"auction.myerson": {"prior": "uniform:0,1"}, "auction.posted_price": {"price": 5.0},
         "funding.clarke": {"cost": 10.0}}
NAMES = [m["name"] if isinstance(m, dict) else m for m in list_mechanisms()]


@pytest.mark.parametrize("name", NAMES)
def test_claims_hold_on_random_instances(name):
    report = hz.audit(name, claims=True, samples=25, seed=1, params=NEEDS.get(name, {}))
    assert {rec.property for rec in report.checks} == {
        {"manipulable": "strategyproof"}.get(c, c) for c in hz.mechanism(
            name, **NEEDS.get(name, {})).active_claims()}
    failed = [(rec.property, rec.counterexample) for rec in report.checks if not rec.holds]
    assert not failed, failed


def test_non_claims_are_found_on_random_instances():
    greedy = hz.audit("auction.greedy_combinatorial", properties=["efficient"], samples=80)
    assert greedy.check("efficient").holds is False
    witness = greedy.check("efficient").counterexample["witness"]
    assert witness["welfare"] < witness["best_welfare"]
    plurality = hz.audit("voting.plurality", prior="impartial", agents=7, candidates=3,
                         properties=["condorcet"], samples=200)
    assert plurality.check("condorcet").holds is False
    assert hz.audit("voting.copeland", prior="impartial", agents=7, candidates=3,
                    properties=["condorcet"], samples=200).check("condorcet").holds

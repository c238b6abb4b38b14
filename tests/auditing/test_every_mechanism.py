"""Known non-claims are found on random instances (the claims themselves are audited for every
mechanism and parameter setting by the conformance suite, tests/testing/test_conformance.py):
greedy (LOS) is not efficient, plurality is not Condorcet-consistent."""

from __future__ import annotations

import hurwicz as hz


def test_non_claims_are_found_on_random_instances():
    greedy = hz.audit("auction.greedy_combinatorial", properties=["efficient"], samples=80)
    assert greedy.check("efficient").holds is False
    witness = greedy.check("efficient").counterexample["witness"]
    assert witness["welfare"] < witness["best_welfare"]
    plurality = hz.audit("voting.plurality", prior="impartial", agents=7,
                         sample_options={"candidates": 3}, properties=["condorcet"],
                         samples=200)
    assert plurality.check("condorcet").holds is False
    copeland = hz.audit("voting.copeland", prior="impartial", agents=7,
                        sample_options={"candidates": 3}, properties=["condorcet"],
                        samples=200)
    assert copeland.check("condorcet").holds is True
    # elections without a Condorcet winner say nothing about the property
    assert copeland.check("condorcet").budget["applicable"] < 200

"""Raffle claims follow the mode: only the individual lottery (one ticket per identity, every
entrant wins with probability units / entrants) treats entrants symmetrically ex ante. A
weighted raffle is not claimed anonymous: its win probabilities are estimates seeded by the
named entry list, so exchanging two entrants' tickets need not exchange their estimates.

Regression: the weighted raffle used to claim ``anonymous`` unconditionally.
"""

from __future__ import annotations

import hurwicz as hz
from hurwicz.auditing.spec import audit_spec


def test_anonymous_is_claimed_for_the_individual_mode_only() -> None:
    assert "anonymous" in hz.mechanism("allocation.raffle", beacon="b").active_claims()
    assert "anonymous" not in hz.mechanism("allocation.raffle", mode="weighted",
                                           max_entries=3, beacon="b").active_claims()
    assert "anonymous" not in hz.mechanism("allocation.raffle", mode="group",
                                           beacon="b").active_claims()
    assert hz.describe("allocation.raffle")["claim_conditions"]["anonymous"] == (
        "mode = individual")


def test_weighted_raffle_audit_finds_an_anonymity_violation_that_replays() -> None:
    rec = hz.audit("allocation.raffle",
                   params={"mode": "weighted", "max_entries": 3, "beacon": "b"},
                   properties=["anonymous"], samples=50).check("anonymous")
    assert rec.holds is False
    ce = rec.counterexample
    m = hz.mechanism("allocation.raffle", mode="weighted", max_entries=3, beacon="b")
    a, b = ce["swapped"]
    before, after = m.run(ce["input"]), m.run(ce["swapped_input"])
    assert not audit_spec(m).same_outcome(before, after, {a: b, b: a})
    p_before, p_after = before.result["win_probability"], after.result["win_probability"]
    assert (p_before[a], p_before[b]) != (p_after[b], p_after[a])


def test_individual_raffle_audit_holds() -> None:
    rec = hz.audit("allocation.raffle", params={"mode": "individual", "beacon": "b"},
                   properties=["anonymous"], samples=50).check("anonymous")
    assert rec.holds is True and rec.budget["deviations"] > 0

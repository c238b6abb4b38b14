"""The generic anonymity check: exchanging two agents' reports must exchange *everything* they
get — allocation and payment — whatever the outcome looks like (a definition as in Moulin,
*Axioms of Cooperative Decision Making*, 1988: a rule is anonymous if permuting the agents
permutes the outcome).

Regression: the check used to pass whenever an outcome had no ``winners`` entry (so matchings
and assignments were never tested) and never compared payments.
"""

from __future__ import annotations

from typing import Any

import pytest

import hurwicz as hz
from hurwicz.auditing.spec import audit_spec
from hurwicz.core.outcome import Outcome
from hurwicz.core.registry import unregister
from hurwicz.mechanisms.auctions.single_item import SecondPrice


def _replays(mech: Any, ce: dict[str, Any]) -> tuple[Outcome, Outcome, str, str]:
    a, b = ce["swapped"]
    before, after = mech.run(ce["input"]), mech.run(ce["swapped_input"])
    assert before.to_dict() == ce["outcome"] and after.to_dict() == ce["swapped_outcome"]
    assert not audit_spec(mech).same_outcome(before, after, {a: b, b: a})
    return before, after, a, b


def test_serial_dictatorship_is_not_anonymous() -> None:
    """Serial dictatorship by name order: exchanging the lists of the first and a later
    dictator exchanges who picks first, not what they get. Its outcome has no winners."""
    mech = hz.mechanism("matching.serial_dictatorship")
    rec = hz.audit(mech, properties=["anonymous"], samples=50).check("anonymous")
    assert rec.holds is False
    before, after, a, b = _replays(mech, rec.counterexample)
    assert "winners" not in before.result
    assert (before.allocation[a], before.allocation[b]) != (after.allocation[b],
                                                            after.allocation[a])


def test_second_price_lowest_name_ties_break_anonymity_via_a_real_difference() -> None:
    """Second price with ``lowest_name``: a tie goes to the name that sorts first, so moving a
    tied bid to another name moves the item differently. Without ties it is anonymous."""
    mech = hz.mechanism("auction.second_price")
    tied = [{"bids": {"a": 3.0, "b": 5.0, "c": 5.0}}]
    rec = hz.audit(mech, inputs=tied, properties=["anonymous"]).check("anonymous")
    assert rec.holds is False
    before, after, a, b = _replays(mech, rec.counterexample)
    moved = [(before.allocation[x], before.payments[x]) != (after.allocation[y],
                                                            after.payments[y])
             for x, y in ((a, b), (b, a))]
    assert any(moved)
    untied = [{"bids": {"a": 3.0, "b": 5.0, "c": 4.0}}, {"bids": {"a": 1.0, "b": 2.0}}]
    assert hz.audit(mech, inputs=untied, properties=["anonymous"]).check(
        "anonymous").holds is True


class _NameTax(SecondPrice):
    """Second price, except that the bidder whose name sorts first pays 1 more (an entry fee
    for one name): allocations are anonymous, payments are not."""

    name = "auction.test_name_tax"
    summary = "Second price with a fee on the first name (a test fixture)."
    claims = ()

    def run_parsed(self, inp: Any) -> Outcome:
        out = super().run_parsed(inp)
        if out.payments:
            first = min(out.payments)
            out.payments[first] += 1.0
        return out


@pytest.fixture
def name_tax() -> Any:
    hz.register(_NameTax)
    try:
        yield hz.mechanism("auction.test_name_tax")
    finally:
        unregister("auction.test_name_tax")


def test_payments_alone_can_break_anonymity(name_tax: Any) -> None:
    data = [{"bids": {"a": 2.0, "b": 7.0}}]
    rec = hz.audit(name_tax, inputs=data, properties=["anonymous"]).check("anonymous")
    assert rec.holds is False
    before, after, a, b = _replays(name_tax, rec.counterexample)
    # the item follows the bid ...
    assert before.allocation[a] == after.allocation[b]
    assert before.allocation[b] == after.allocation[a]
    # ... but the fee stays with the name
    assert before.payments[a] != after.payments[b]
    # and the plain second price passes on the same input
    assert hz.audit("auction.second_price", inputs=data,
                    properties=["anonymous"]).check("anonymous").holds is True

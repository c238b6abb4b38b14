"""Two-sided inputs are validated in bulk (dictionary look-ups and array operations over every
listed name), yet every problem in a large market is still reported as one line naming the
field — the first offending entry in input order — exactly as the pydantic schema and the
per-entry checks did before."""

from __future__ import annotations

import copy
from typing import Any

import pytest

import hurwicz as hz
from hurwicz.core.errors import InputError
from hurwicz.mechanisms.matching.generators import school_market
from hurwicz.mechanisms.matching.preferences import TwoSidedInput, encode, validate_two_sided

DA = "matching.deferred_acceptance"


@pytest.fixture(scope="module")
def market() -> dict[str, Any]:
    """20,000 students × 200 schools, 12 choices each: 240,000 listed pairs a side."""
    return school_market(20_000, 200, 12, seed=3)


def _changed(market: dict[str, Any], side: str, who: str, change: Any) -> dict[str, Any]:
    """A copy of ``market`` in which ``change`` rewrites the list (or value) of ``who``."""
    data = {k: dict(v) for k, v in market.items()}
    data[side][who] = change(copy.deepcopy(data[side].get(who)))
    return data


def _error(data: Any) -> str:
    with pytest.raises(InputError) as err:
        hz.mechanism(DA).run(data)
    return str(err.value)


def test_a_large_market_runs(market) -> None:
    out = hz.mechanism(DA).run(market)
    assert len(out.result["matching"]) == 20_000
    assert sum(len(v) for v in out.result["assigned"].values()) == out.metrics["matched"]


@pytest.mark.parametrize(("side", "who", "change", "message"), [
    ("proposers", "s17017", lambda v: [*v[:5], "c9999", *v[5:]],
     "proposers.s17017: unknown receiver 'c9999'"),
    ("proposers", "s12345", lambda v: [*v, v[3]], "proposers.s12345: lists '{v3}' twice"),
    ("receivers", "c3", lambda v: [*v, v[10]], "receivers.c3: lists '{v10}' twice"),
    ("receivers", "c150", lambda v: [*v[:7], "s99999", *v[7:]],
     "receivers.c150: unknown proposer 's99999'"),
    ("receivers", "c7", lambda v: [*v[:4], [], *v[4:]], "receivers.c7.4: is an empty tie group"),
    ("receivers", "c8", lambda v: [v[:3], [], *v[3:]], "receivers.c8.1: is an empty tie group"),
    ("receivers", "s5", lambda v: [], "receivers: 's5' is on both sides"),
    ("capacities", "c999", lambda v: 3, "capacities.c999: is not a receiver"),
    ("capacities", "c12", lambda v: -1, "capacities.c12: must be >= 0, got -1"),
    ("proposers", "s777", lambda v: [*v[:3], 42, *v[3:]],
     "proposers.s777.3: Input should be a valid string (got 42)"),
    ("receivers", "c44", lambda v: [*v[:2], ["s1", 7], *v[2:]],
     "receivers.c44.2: Input should be a valid string"),
    ("proposers", "s31", lambda v: [*v[:1], "c\u202e1"],
     "proposers.s31.1: contains U+202E (RIGHT-TO-LEFT OVERRIDE)"),
])
def test_problems_in_a_large_market_name_the_field(market, side, who, change, message) -> None:
    original = market[side].get(who)
    data = _changed(market, side, who, change)
    if original is not None and "{v" in message:
        message = message.format(v3=original[3], v10=original[10])
    assert _error(data).startswith(message)


def test_the_first_problem_in_input_order_is_reported(market) -> None:
    # s2 comes before s10000 in the input, after it by name
    data = _changed(market, "proposers", "s10000", lambda v: [*v, "c404"])
    data["proposers"]["s2"] = data["proposers"]["s2"] + ["c505"]
    assert _error(data) == "proposers.s2: unknown receiver 'c505'"
    # within one list, the first problem in listed order
    data = _changed(market, "proposers", "s9", lambda v: [v[0], v[1], v[0], "c777"])
    assert _error(data) == f"proposers.s9: lists {market['proposers']['s9'][0]!r} twice"
    # receivers after proposers, whatever the names
    data = _changed(market, "receivers", "c0", lambda v: [*v, "nobody"])
    data["proposers"]["s19999"] = ["c0", "c0"]
    assert _error(data) == "proposers.s19999: lists 'c0' twice"


def test_a_wrong_type_comes_before_any_unknown_name(market) -> None:
    """The schema's problems (types, names) are reported before the cross-checks, as before."""
    data = _changed(market, "proposers", "s3", lambda v: [*v, "c9999"])
    data["receivers"]["c5"] = data["receivers"]["c5"] + [7]
    assert _error(data).startswith("receivers.c5.")
    assert "valid string" in _error(data)


def test_names_are_normalised_across_keys_and_lists() -> None:
    """'Zoë' with a combining diaeresis in a list is the school 'Zoë' (NFC) of the keys."""
    data = {"proposers": {"s1": ["Zoe\u0308"]}, "receivers": {"Zo\u00eb": ["s1"]}}
    out = hz.mechanism(DA).run(data)
    assert out.result["matching"] == {"s1": "Zo\u00eb"}


def test_a_model_instance_is_validated_and_encoded_too(market) -> None:
    small = school_market(300, 10, 4, seed=1)
    inp = TwoSidedInput.model_validate(small)
    assert hz.mechanism(DA).run(inp).to_dict() == hz.mechanism(DA).run(small).to_dict()
    bad = TwoSidedInput.model_validate({"proposers": {"a": ["x", "x"]}, "receivers": {"x": []}})
    with pytest.raises(InputError, match="proposers.a: lists 'x' twice"):
        hz.mechanism(DA).run(bad)
    # validating twice is free: the codes are kept with the validated input
    once = validate_two_sided(small)
    assert validate_two_sided(once) is once
    assert encode(once, 0).pair_rank.shape == (300, 4)

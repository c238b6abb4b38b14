"""Registry, parameter validation and metadata."""

from __future__ import annotations

import pytest

import hurwicz as hz
from hurwicz.core.errors import ParameterError, UnknownMechanismError
from hurwicz.core.mechanism import Mechanism
from hurwicz.core.outcome import Outcome
from hurwicz.core.registry import register, unregister

SINGLE_ITEM = [
    "auction.all_pay",
    "auction.dutch",
    "auction.english",
    "auction.first_price",
    "auction.posted_price",
    "auction.second_price",
]


def test_single_item_auctions_are_registered_with_metadata() -> None:
    names = hz.names()
    for name in SINGLE_ITEM:
        assert name in names
        info = hz.describe(name)
        assert info["family"] == "auction"
        assert info["summary"]
        assert info["batch"] is True
        assert info["report_kind"] == "scalar"
        assert isinstance(info["claims"], list)
    assert hz.describe("auction.second_price")["claims"] == [
        "dsic", "ir", "efficient", "budget_balance"
    ]


def test_params_have_defaults_and_types() -> None:
    params = {p["name"]: p for p in hz.describe("auction.english")["params"]}
    assert params["reserve"]["default"] == 0.0 and params["reserve"]["type"] == "float"
    assert params["increment"]["default"] == 0.01
    assert params["tie_break"]["default"] == "lowest_name"
    posted = {p["name"]: p for p in hz.describe("auction.posted_price")["params"]}
    assert posted["price"]["required"] is True


def test_unknown_mechanism_suggests_close_names() -> None:
    with pytest.raises(UnknownMechanismError) as info:
        hz.mechanism("auction.second_prize")
    assert "auction.second_price" in str(info.value)
    assert info.value.field == "mechanism"


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"reservee": 1}, "params.reservee", "unknown parameter"),
        ({"reserve": -1}, "params.reserve", "greater than or equal to 0"),
        ({"reserve": "1"}, "params.reserve", "valid number"),
        ({"reserve": float("nan")}, "params.reserve", "finite"),
        ({"tie_break": "highest_name"}, "params.tie_break", ""),
        ({"tie_break": -3}, "params.tie_break", ""),
    ],
)
def test_bad_params_raise_parameter_error_naming_the_field(params, field, words) -> None:
    with pytest.raises(ParameterError) as info:
        hz.mechanism("auction.second_price", **params)
    assert info.value.field == field
    assert words in str(info.value)


def test_missing_required_param() -> None:
    with pytest.raises(ParameterError, match="params.price"):
        hz.mechanism("auction.posted_price")


def test_registering_a_new_mechanism_and_bad_names() -> None:
    @register
    class Constant(Mechanism):
        name, family, summary = "test.constant", "test", "Always the same outcome."

        def run_parsed(self, inp):
            return Outcome(self.name, {}, {}, {})

    try:
        assert hz.mechanism("test.constant").run({}).mechanism == "test.constant"
        assert "test.constant" in hz.names()
    finally:
        unregister("test.constant")
    assert "test.constant" not in hz.names()

    with pytest.raises(ValueError, match="family.rule"):
        @register
        class BadName(Mechanism):
            name, family = "NoDot", "x"

            def run_parsed(self, inp): ...


def test_replace_and_repr() -> None:
    m = hz.mechanism("auction.second_price", reserve=2)
    assert m.replace(reserve=3).params.reserve == 3.0
    assert m.params.reserve == 2.0
    assert "reserve=2.0" in repr(m)


def test_active_claims_drop_efficiency_with_a_reserve() -> None:
    assert "efficient" in hz.mechanism("auction.second_price").active_claims()
    assert "efficient" not in hz.mechanism("auction.second_price", reserve=1).active_claims()

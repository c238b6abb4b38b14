"""Clock auctions name the bid whose clock level cannot be counted (issue #13, "Inputs: strict,
and nothing silently changed"). Regression: the error said only ``bids: a bid lies more than
2^53 clock steps ...`` without naming which bid or the parameter to change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import hurwicz as hz
from hurwicz.cli import main
from hurwicz.core.errors import InputError
from hurwicz.mechanisms.auctions.single_item import MAX_CLOCK_LEVELS, check_clock_levels


@pytest.mark.parametrize("name", ["auction.english", "auction.dutch"])
def test_the_error_names_the_bid_and_the_increment(name: str) -> None:
    m = hz.mechanism(name, increment=1e-300, reserve=1.0)
    with pytest.raises(InputError) as err:
        m.run({"bids": {"ann": 0.5, "bob": 7.0, "cat": 9.0}})
    assert err.value.field == "bids.bob"  # first in name order; ann is below the reserve
    assert "1e-300" in err.value.message and "params.increment" in err.value.message


def test_the_limit_is_exactly_2_to_the_53_steps() -> None:
    check_clock_levels({"a": float(MAX_CLOCK_LEVELS)}, 0.0, 1.0)  # at the limit: fine
    with pytest.raises(InputError, match="^bids.a: "):
        check_clock_levels({"a": float(MAX_CLOCK_LEVELS) * 2}, 0.0, 1.0)


@pytest.mark.parametrize("name", ["auction.english", "auction.dutch"])
def test_through_the_cli_it_is_one_line_naming_the_bid(tmp_path: Path, capsys,
                                                       name: str) -> None:
    path = tmp_path / "bids.json"
    path.write_text(json.dumps({"bids": {"alice": 10, "bob": 8}}))
    with pytest.raises(SystemExit) as done:
        main(["run", name, str(path), "--param", "increment=1e-300"])
    err = capsys.readouterr().err
    assert done.value.code == 2 and err.count("\n") == 1
    assert err.startswith("error: bids.alice: 10 lies more than 2^53 clock steps")


@pytest.mark.parametrize("name", ["auction.first_price", "auction.second_price",
                                  "auction.all_pay", "auction.english", "auction.dutch"])
@pytest.mark.parametrize("value", [1e16, 1e17, 1e308, float("inf"), float("nan")])
def test_single_item_bids_beyond_the_maximum_are_refused(name: str, value: float) -> None:
    with pytest.raises(InputError) as err:
        hz.mechanism(name).run({"bids": {"a": value, "b": 1.0}})
    assert err.value.field == "bids.a"


def test_all_pay_at_the_maximum_is_exact() -> None:
    out = hz.mechanism("auction.all_pay").run({"bids": {"a": 1e15, "b": 1e15 - 1}})
    assert out.allocation == {"a": 1, "b": 0}
    assert out.metrics["revenue"] == 2e15 - 1

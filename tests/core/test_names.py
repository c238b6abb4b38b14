"""Names (issue #13, "Inputs: strict, and nothing silently changed"): "Zoë" typed with the
precomposed ë (U+00EB) and as e + combining diaeresis (U+0308) is one agent in every family
(core.types.Name normalises to NFC, dict keys included); two keys that normalise to one name are
an error naming the key, not a silent merge; control characters and invisible formatting
characters (bidi overrides and isolates, zero-width spaces) are refused with the field's name.
Before, "a\\nb" and "eve\\u202egnp.exe" were accepted names and the two Zoës were two bidders."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict

import hurwicz as hz
from hurwicz.cli import main
from hurwicz.core.errors import InputError
from hurwicz.core.types import (
    Name,
    check_name,
    check_unique_names,
    normalise_keys,
    normalise_names,
)
from hurwicz.core.validation import validate_model

PRECOMPOSED = "Zo\u00eb"
DECOMPOSED = "Zoe\u0308"

REFUSED = ["a\nb", "a\tb", "a\rb", "a\x00b", "a\x7fb", "a\x1bb",
           "eve\u202egnp.exe", "a\u202ab", "a\u202db", "a\u2066b", "a\u2069b",
           "a\u200bb", "a\ufeffb", "a\u00adb", "a\u2028b", "a\u2029b", "a\u061cb",
           "a\U000e0041b", "\ud800"]


def test_the_two_spellings_of_zoe_are_one_bidder() -> None:
    assert PRECOMPOSED != DECOMPOSED
    out = hz.mechanism("auction.second_price").run({"bids": {DECOMPOSED: 10, "bob": 8}})
    assert out.allocation == {PRECOMPOSED: 1, "bob": 0}
    assert check_name(DECOMPOSED, "x") == PRECOMPOSED


def test_names_are_normalised_in_values_and_lists_too() -> None:
    """A contributor typed both ways is one contributor: amounts summed, one payment."""
    out = hz.mechanism("funding.quadratic", pool=100).run({"contributions": [
        {"contributor": PRECOMPOSED, "project": "p", "amount": 4},
        {"contributor": DECOMPOSED, "project": "p", "amount": 5},
        {"contributor": "bob", "project": "p", "amount": 1}]})
    assert out.payments == {PRECOMPOSED: 9.0, "bob": 1.0}
    kidney = hz.mechanism("matching.kidney").run({"pairs": [PRECOMPOSED, "b"], "edges": [
        {"donor": DECOMPOSED, "recipient": "b"}, {"donor": "b", "recipient": DECOMPOSED}]})
    assert kidney.result["cycles"] == [[PRECOMPOSED, "b"]]


def test_two_keys_that_become_one_name_are_an_error_naming_the_key() -> None:
    with pytest.raises(InputError) as err:
        hz.mechanism("auction.second_price").run({"bids": {PRECOMPOSED: 10, DECOMPOSED: 8}})
    assert err.value.field == f"bids.{DECOMPOSED}"
    assert "duplicate name" in err.value.message and "NFC" in err.value.message
    # whichever spelling comes second is the one named
    with pytest.raises(InputError) as err:
        hz.mechanism("allocation.raffle", beacon="b").run(
            {"units": 1, "entries": {DECOMPOSED: 1, "x": 1, PRECOMPOSED: 1}})
    assert err.value.field == f"entries.{PRECOMPOSED}"


def test_names_listed_twice_after_normalisation_are_caught_by_the_family() -> None:
    with pytest.raises(InputError, match=r"^projects\.1: lists project"):
        hz.mechanism("funding.quadratic", pool=1).run(
            {"contributions": [], "projects": [PRECOMPOSED, DECOMPOSED]})
    with pytest.raises(InputError, match=r"^pairs\.1: .* appears twice"):
        hz.mechanism("matching.kidney").run({"pairs": [PRECOMPOSED, DECOMPOSED], "edges": []})


@pytest.mark.parametrize("bad", REFUSED)
def test_control_and_invisible_characters_are_refused_naming_the_field(bad: str) -> None:
    with pytest.raises(InputError) as err:
        hz.mechanism("auction.first_price").run({"bids": {bad: 1}})
    assert err.value.field.startswith("bids")  # a lone surrogate cannot be named by pydantic
    assert "\n" not in str(err.value) and "\r" not in str(err.value)
    assert "\u202e" not in str(err.value)  # the message cannot be reversed on screen either
    with pytest.raises(InputError) as err:
        hz.mechanism("funding.quadratic", pool=1).run(
            {"contributions": [{"contributor": bad, "project": "p", "amount": 1}]})
    assert err.value.field == "contributions.0.contributor"
    with pytest.raises(InputError) as err:
        check_name(bad, "candidates.3")
    assert err.value.field == "candidates.3"


@pytest.mark.parametrize("good", [
    "Zoë", "José María", "O'Brien-Smith", "李小龙", "Ольга", "محمد",
    "می\u200cخواهم",  # Persian with a zero-width non-joiner
    "\U0001f469\u200d\U0001f469\u200d\U0001f467",  # family emoji, zero-width joiners
    "a b", "x" * 256,
])
def test_real_names_are_accepted(good: str) -> None:
    assert check_name(good, "x") == good
    out = hz.mechanism("auction.first_price").run({"bids": {good: 1}})
    assert list(out.allocation) == [good]


def test_length_is_checked_after_normalisation() -> None:
    with pytest.raises(InputError, match="longer than 256"):
        check_name("x" * 257, "name")
    with pytest.raises(InputError, match="must not be empty"):
        check_name("", "name")
    with pytest.raises(InputError, match="must be a string"):
        check_name(3, "name")
    # 256 decomposed characters that compose to 128 are fine
    assert len(check_name(DECOMPOSED[-2:] * 128, "name")) == 128


def test_bulk_helpers_for_families_without_pydantic() -> None:
    assert normalise_names(["a", DECOMPOSED], "candidates") == ["a", PRECOMPOSED]
    assert normalise_names([PRECOMPOSED, DECOMPOSED], "ranking") == [PRECOMPOSED] * 2
    with pytest.raises(InputError) as err:
        normalise_names([PRECOMPOSED, DECOMPOSED], "candidates", unique=True)
    assert err.value.field == "candidates.1"
    with pytest.raises(InputError) as err:
        normalise_names(["ok", "a\u202eb"], "ballots.4.ranking")
    assert err.value.field == "ballots.4.ranking.1"
    assert normalise_keys({DECOMPOSED: 1, "b": 2}, "proposers") == {PRECOMPOSED: 1, "b": 2}
    with pytest.raises(InputError) as err:
        normalise_keys({PRECOMPOSED: 1, DECOMPOSED: 2}, "proposers")
    assert err.value.field == f"proposers.{DECOMPOSED}"
    with pytest.raises(InputError) as err:
        normalise_keys({"a\nb": 1}, "proposers")
    assert err.value.field == "proposers.'a\\nb'"


def test_check_unique_names_walks_every_depth() -> None:
    check_unique_names({"a": [{"x": {PRECOMPOSED: 1, "Zoe": 2}}]})
    with pytest.raises(InputError) as err:
        check_unique_names({"a": [{"x": {PRECOMPOSED: 1, DECOMPOSED: 2}}]}, "input")
    assert err.value.field == f"input.a.0.x.{DECOMPOSED}"


def test_dict_keys_of_any_model_get_the_name_type() -> None:
    class Scores(BaseModel):
        model_config = ConfigDict(strict=True, extra="forbid")
        scores: dict[Name, int]
        order: list[Name]

    got = validate_model(Scores, {"scores": {DECOMPOSED: 1}, "order": [DECOMPOSED]})
    assert got.scores == {PRECOMPOSED: 1} and got.order == [PRECOMPOSED]
    with pytest.raises(InputError) as err:
        validate_model(Scores, {"scores": {"a\tb": 1}, "order": []})
    assert err.value.field == "scores.'a\\tb'"


def test_a_bad_name_through_the_cli_is_one_line(tmp_path: Path, capsys) -> None:
    path = tmp_path / "bids.json"
    path.write_text('{"bids": {"alice\\nbob": 10, "carol": 8}}')
    with pytest.raises(SystemExit) as done:
        main(["run", "auction.second_price", str(path)])
    err = capsys.readouterr().err
    assert done.value.code == 2 and err.count("\n") == 1
    assert err.startswith("error: bids.'alice\\nbob': contains U+000A")

"""Liquid democracy resolution and PrefLib I/O (Mattei & Walsh 2013 file formats)."""

from __future__ import annotations

from pathlib import Path

import pytest

import hurwicz as hz
from hurwicz.core.errors import InputError
from hurwicz.io.inputs import read_input
from hurwicz.io.preflib import read_preflib, write_preflib
from hurwicz.mechanisms.voting.delegation import resolve


def test_transitive_weights_cycles_and_dangling() -> None:
    weights, final, cycles, dangling = resolve(
        ["a", "b"], {"c": "a", "d": "c", "e": "f", "f": "e", "g": "nobody", "h": "g"})
    assert weights == {"a": 3, "b": 1}
    assert final == {"c": "a", "d": "a"}
    assert cycles == [["e", "f"]]
    assert sorted(dangling) == ["g", "h"]


def test_liquid_changes_the_winner_and_reports_abstentions() -> None:
    data = {"candidates": ["x", "y"], "ballots": [
        {"voter": "a", "ranking": ["x", "y"]}, {"voter": "b", "ranking": ["y", "x"]},
        {"voter": "c", "ranking": ["y", "x"]}],
        "delegations": {"d": "a", "e": "d", "f": "g", "g": "f"}}
    out = hz.mechanism("voting.liquid").run(data).result
    assert out["weights"] == {"a": 3, "b": 1, "c": 1} and out["winners"] == ["x"]
    assert out["cycles"] == [["f", "g"]] and out["abstaining"] == ["f", "g"]
    with pytest.raises(InputError, match="votes directly and delegates"):
        hz.mechanism("voting.liquid").run({**data, "delegations": {"a": "b"}})


def test_preflib_round_trip_and_cli(tmp_path: Path) -> None:
    path = tmp_path / "election.soi"
    write_preflib({"candidates": ["x", "y", "z"], "ballots": [
        {"ranking": ["x", "y"], "count": 4}, {"ranking": ["z"], "count": 2}]}, path)
    data = read_input(path, "voting.borda")
    assert data["ballots"] == [{"ranking": ["x", "y"], "count": 4},
                               {"ranking": ["z"], "count": 2}]
    assert hz.mechanism("voting.plurality").run(data).result["winners"] == ["x"]
    bad = tmp_path / "bad.soc"
    bad.write_text("# ALTERNATIVE NAME 1: x\n1: 1,{1}\n")
    with pytest.raises(InputError, match="only allowed in .toc/.toi"):
        read_preflib(bad)

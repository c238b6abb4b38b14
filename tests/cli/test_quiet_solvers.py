"""``hurwicz run NAME FILE --json`` with an exact solver prints exactly one JSON document on
stdout and nothing on stderr: HiGHS's banner ("Running HiGHS 1.16.0 ..."), which highspy
writes when the first solver object of a process is created, must not reach either stream
(DESIGN.md: with ``--json`` a command prints one JSON document on stdout and nothing else)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

CASES = {
    "auction.vcg": ([], {"items": ["A", "B"], "bids": {
        "a": [{"bundle": ["A", "B"], "value": 10.5}], "b": [{"bundle": ["A"], "value": 6.25}],
        "c": [{"bundle": ["B"], "value": 5}]}}),
    "matching.kidney": (["-p", "formulation=column_generation"], {
        "pairs": ["a", "b", "c"], "edges": [{"donor": "a", "recipient": "b"},
                                            {"donor": "b", "recipient": "c"},
                                            {"donor": "c", "recipient": "a"}]}),
    "voting.kemeny_young": ([], {"candidates": ["x", "y", "z"], "ballots": [
        {"ranking": ["x", "y", "z"], "count": 2}, {"ranking": ["z", "y", "x"]}]}),
}


def hurwicz_command() -> list[str]:
    """The installed ``hurwicz`` script next to this interpreter, else ``python -m``."""
    script = Path(sys.executable).with_name("hurwicz")
    return [str(script)] if script.exists() else [sys.executable, "-m", "hurwicz.cli"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_json_output_is_one_document_and_stderr_is_empty(name, tmp_path) -> None:
    params, data = CASES[name]
    path = tmp_path / "input.json"
    path.write_text(json.dumps(data))
    done = subprocess.run([*hurwicz_command(), "run", name, str(path), "--json", *params],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    document = json.loads(done.stdout)  # "Extra data" unless stdout is one JSON document
    assert document["mechanism"] == name
    assert document["result"]["exact"] is True

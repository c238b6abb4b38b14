"""PrefLib files both ways, checked against preflibtools (the PrefLib maintainers' library).

Format: Mattei & Walsh (2013), "PrefLib: A Library for Preferences", ADT; the 2022 format
(https://www.preflib.org/format): a header of ``#`` lines with NUMBER ALTERNATIVES / VOTERS /
UNIQUE ORDERS and ALTERNATIVE NAME i (1..N), then ``count: order`` lines; ``.soc`` strict
complete, ``.soi`` strict incomplete, ``.toc`` complete with ties, ``.toi`` incomplete with
ties. preflibtools' own sanity checks (``preflibtools.instances.sanity``) must find nothing
wrong with a file hurwicz writes.
"""

from __future__ import annotations

import itertools
import json
import random
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from preflibtools.instances import OrdinalInstance, sanity

import hurwicz as hz
from hurwicz.core.errors import InputError
from hurwicz.io import preflib
from hurwicz.io.inputs import read_input
from hurwicz.io.preflib import preflib_type, read_preflib, write_preflib

KINDS = ["soc", "soi", "toc", "toi"]


def random_election(kind: str, seed: int, m: int = 5, n: int = 40) -> dict:
    """Ballots that fit ``kind`` and use what it allows (ties, truncation) at least once."""
    rng = random.Random(seed)
    ties, complete = preflib.TYPES[kind]
    cands = [f"cand {i}" for i in range(m)]  # names with spaces
    ballots = []
    for b in range(n):
        k = m if complete else rng.randint(1 if b else m - 1, m)
        order = rng.sample(cands, k)
        ranking, i = [], 0
        while i < len(order):
            size = rng.choice([1, 2, 3]) if ties else 1
            if ties and b == 0:
                size = 2
            group = order[i:i + size]
            ranking.append(group if len(group) > 1 else group[0])
            i += size
        ballots.append({"ranking": ranking, "count": rng.randint(1, 9)})
    return {"candidates": cands, "ballots": ballots}


def as_orders(data: dict) -> Counter:
    """Order (tuple of tie groups of 1-based alternatives) → count, merged."""
    number = {c: i + 1 for i, c in enumerate(data["candidates"])}
    out: Counter = Counter()
    for ballot in data["ballots"]:
        order = tuple(tuple(sorted(number[c] for c in entry)) if isinstance(entry, list)
                      else (number[entry],) for entry in ballot["ranking"])
        out[order] += ballot.get("count", 1)
    return out


def instance_orders(inst: OrdinalInstance) -> Counter:
    return Counter({tuple(tuple(sorted(g)) for g in order): count
                    for order, count in inst.multiplicity.items()})


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("seed", range(5))
def test_written_by_hurwicz_read_by_preflibtools(tmp_path: Path, kind: str, seed: int):
    data = random_election(kind, seed)
    assert preflib_type(data) == kind
    path = tmp_path / f"election.{kind}"
    write_preflib(data, path, title="test election")
    inst = OrdinalInstance(str(path))
    assert inst.num_alternatives == 5 and inst.data_type == kind
    assert inst.num_voters == sum(b["count"] for b in data["ballots"])
    assert inst.num_unique_orders == len(inst.orders)
    assert inst.alternatives_name == {i + 1: c for i, c in enumerate(data["candidates"])}
    assert instance_orders(inst) == as_orders(data)
    assert sanity.metadata(inst) == [] and sanity.orders(inst) == []
    # and back: the same election (orders merged, most frequent first)
    again = read_preflib(path)
    assert again["candidates"] == data["candidates"] and as_orders(again) == as_orders(data)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("seed", range(5))
def test_written_by_preflibtools_read_by_hurwicz(tmp_path: Path, kind: str, seed: int):
    data = random_election(kind, 100 + seed)
    inst = OrdinalInstance()
    inst.append_vote_map(as_orders(data))
    inst.alternatives_name = {i + 1: c for i, c in enumerate(data["candidates"])}
    inst.num_alternatives = len(data["candidates"])
    inst.data_type = kind
    path = tmp_path / f"theirs.{kind}"
    inst.write(str(path))
    read = read_preflib(path)
    assert read["candidates"] == data["candidates"]
    assert as_orders(read) == as_orders(data)
    # every rule gives the same outcome on the file as on the dict
    for rule in ("voting.borda", "voting.schulze"):
        assert hz.mechanism(rule).run(read).result["tied"] == hz.mechanism(rule).run(
            data).result["tied"]


def test_the_header_preflibtools_needs(tmp_path: Path):
    path = tmp_path / "e.soc"
    write_preflib({"candidates": ["x", "y"], "ballots": [
        {"ranking": ["x", "y"], "count": 3}, {"ranking": ["y", "x"]},
        {"ranking": ["x", "y"], "count": 2}]}, path)
    lines = path.read_text().splitlines()
    assert "# DATA TYPE: soc" in lines and "# NUMBER ALTERNATIVES: 2" in lines
    assert "# NUMBER VOTERS: 6" in lines and "# NUMBER UNIQUE ORDERS: 2" in lines
    assert lines[-2:] == ["5: 1,2", "1: 2,1"]  # merged, most frequent first


@pytest.mark.parametrize("suffix,ballot,message", [
    (".soc", {"ranking": [["x", "y"], "z"]}, "write a .toc or .toi file"),
    (".soi", {"ranking": [["x", "y"]]}, "write a .toc or .toi file"),
    (".soc", {"ranking": ["x", "y"]}, "write a .soi or .toi file"),
    (".toc", {"ranking": [["x", "y"]]}, "write a .toi file"),
])
def test_writer_refuses_ballots_the_type_cannot_hold(tmp_path, suffix, ballot, message):
    data = {"candidates": ["x", "y", "z"], "ballots": [{"ranking": ["x", "y", "z"]}, ballot]}
    with pytest.raises(InputError) as info:
        write_preflib(data, tmp_path / f"e{suffix}")
    assert info.value.field == "ballots.1.ranking" and message in info.value.message
    assert not (tmp_path / f"e{suffix}").exists()


@pytest.mark.parametrize("name", ["a\nb", "a\rb", "a\u2028b", " padded", "x "])
def test_writer_refuses_names_a_line_cannot_hold(tmp_path, name):
    data = {"candidates": ["ok", name], "ballots": [{"ranking": ["ok"]}]}
    with pytest.raises(InputError) as info:
        write_preflib(data, tmp_path / "e.soi")
    assert info.value.field == "candidates.1" and "PrefLib" in info.value.message


def test_writer_refuses_other_suffixes_and_bad_input(tmp_path):
    with pytest.raises(InputError, match="ends in .soc"):
        write_preflib({"candidates": ["x"], "ballots": []}, tmp_path / "e.txt")
    with pytest.raises(InputError, match="ballots.0.ranking: unknown candidate 'q'"):
        write_preflib({"candidates": ["x"], "ballots": [{"ranking": ["q"]}]},
                      tmp_path / "e.soi")


HEADER = "# ALTERNATIVE NAME 1: x\n# ALTERNATIVE NAME 2: y\n# ALTERNATIVE NAME 3: z\n"


@pytest.mark.parametrize("suffix,body,where,message", [
    # the reader bugs of the issue: an incomplete order in a .soc, alternative number 0
    (".soc", "2: 1,2,3\n1: 1,2\n", "e.soc:5", "lists 2 of 3 alternatives"),
    (".toc", "1: {1,2}\n", "e.toc:4", "use .toi for incomplete orders"),
    (".soi", "1: 0,1\n", "e.soi:4", "alternative 0: PrefLib numbers alternatives from 1"),
    (".soi", "1: 1,4\n", "e.soi:4", "alternative 4 is not declared"),
    (".soi", "1: 1,2,1\n", "e.soi:4", "alternative 1 is ranked twice"),
    (".toi", "1: {1,2},1\n", "e.toi:4", "alternative 1 is ranked twice"),
    (".soi", "0: 1\n", "e.soi:4", "count 0"),
    (".soi", "9007199254740993: 1\n", "e.soi:4", "count 9007199254740993"),
    (".soi", "x: 1\n", "e.soi:4", "count 'x'"),
    (".soi", "1 1,2\n", "e.soi:4", "expected 'count: order'"),
    (".soi", "1: 1,,2\n", "e.soi:4", "empty entry"),
    (".soi", "1: 1 2\n", "e.soi:4", "'1 2' is not an alternative number"),
    (".soi", "1: {1,2}\n", "e.soi:4", "only allowed in .toc/.toi"),
    (".toi", "1: {1,2\n", "e.toi:4", "malformed tie group"),
    (".toi", "1: {}\n", "e.toi:4", "malformed tie group"),
    (".soi", "1: 1\n\n\n1: 2,2\n", "e.soi:7", "ranked twice"),
    (".soi", "1: 1\n# NUMBER VOTERS: 1\n", "e.soi:5", "a '#' line after the orders"),
])
def test_reader_errors_name_file_and_line(tmp_path, suffix, body, where, message):
    path = tmp_path / f"e{suffix}"
    path.write_text(HEADER + body)
    with pytest.raises(InputError) as info:
        read_preflib(path)
    assert info.value.field == where, str(info.value)
    assert message in info.value.message, str(info.value)


@pytest.mark.parametrize("header,where,message", [
    ("# ALTERNATIVE NAME 0: x\n", "e.soi:1", "PrefLib numbers alternatives from 1"),
    ("# ALTERNATIVE NAME 1: x\n# ALTERNATIVE NAME 3: y\n", "e.soi", "alternative 2 has no"),
    ("# ALTERNATIVE NAME 1: x\n# ALTERNATIVE NAME 1: y\n", "e.soi:2", "named twice"),
    ("# ALTERNATIVE NAME 1: x\n# ALTERNATIVE NAME 2: x\n", "e.soi:2", "both named 'x'"),
    ("# ALTERNATIVE NAME 1:  \n", "e.soi:1", "empty name"),
    ("# NUMBER ALTERNATIVES: 3\n# ALTERNATIVE NAME 1: x\n", "e.soi:1",
     "NUMBER ALTERNATIVES is 3 but 1 alternatives"),
    ("# NUMBER VOTERS: 5\n# ALTERNATIVE NAME 1: x\n", "e.soi:1",
     "NUMBER VOTERS is 5 but the counts add up to 2"),
    ("# NUMBER UNIQUE ORDERS: 2\n# ALTERNATIVE NAME 1: x\n", "e.soi:1",
     "NUMBER UNIQUE ORDERS is 2"),
    ("# DATA TYPE: soc\n# ALTERNATIVE NAME 1: x\n", "e.soi:1", "DATA TYPE soc"),
    ("# TITLE: no names\n", "e.soi", "declares no '# ALTERNATIVE NAME' lines"),
])
def test_header_errors(tmp_path, header, where, message):
    path = tmp_path / "e.soi"
    path.write_text(header + "2: 1\n")
    with pytest.raises(InputError) as info:
        read_preflib(path)
    assert info.value.field == where, str(info.value)
    assert message in info.value.message, str(info.value)


def test_reader_accepts_byte_order_mark_crlf_spaces_and_blank_lines(tmp_path):
    path = tmp_path / "e.toi"
    path.write_bytes(("\ufeff# DATA TYPE: toi\r\n" + HEADER.replace("\n", "\r\n")
                      + "\r\n3 : 1 , { 2 , 3 }\r\n\r\n1:\r\n2: 3").encode())
    data = read_preflib(path)
    assert data == {"candidates": ["x", "y", "z"], "ballots": [
        {"ranking": ["x", ["y", "z"]], "count": 3}, {"ranking": [], "count": 1},
        {"ranking": ["z"], "count": 2}]}


def test_repeated_orders_are_merged_in_order_of_first_appearance(tmp_path):
    path = tmp_path / "e.soc"
    path.write_text("# ALTERNATIVE NAME 1: x\n# ALTERNATIVE NAME 2: y\n"
                    "1: 2,1\n2: 1,2\n3: 2,1\n")
    assert read_preflib(path)["ballots"] == [{"ranking": ["y", "x"], "count": 4},
                                             {"ranking": ["x", "y"], "count": 2}]


@pytest.mark.parametrize("kind", KINDS)
def test_bulk_parser_agrees_with_the_line_reader_across_chunks(monkeypatch, kind):
    """The array parser (in chunks: made tiny here) and the line-by-line reference reader
    give the same orders on valid files, and the array parser gives up on every invalid one
    (the line reader then names the line)."""
    monkeypatch.setattr(preflib, "CHUNK", 16)
    rng = random.Random(7)
    for trial in range(150):
        data = random_election(kind, trial, m=rng.randint(2, 6), n=rng.randint(1, 12))
        number = {c: i + 1 for i, c in enumerate(data["candidates"])}
        lines = []
        for b in data["ballots"]:
            parts = ["{" + ", ".join(str(number[c]) for c in e) + "}" if isinstance(e, list)
                     else str(number[e]) for e in b["ranking"]]
            sep = rng.choice([",", ", "])
            lines.append(f"{b['count']}:{rng.choice(['', ' '])}{sep.join(parts)}")
        block = "\n".join(lines) + rng.choice(["", "\n", "\n\n"])
        m = len(data["candidates"])
        fast = preflib._parse_block_fast(block.encode(), m, kind)
        slow = preflib._parse_block_slow(block, 1, "f", m, kind)
        names = data["candidates"]
        assert fast is not None
        assert preflib._ballots(names, *fast) == preflib._ballots(names, *slow)
        bad = block.replace(",", ",,", 1) if "," in block else block + "\n0: 1"
        assert preflib._parse_block_fast(bad.encode(), m, kind) is None
        with pytest.raises(InputError):
            preflib._parse_block_slow(bad, 1, "f", m, kind)


def test_reading_a_million_orders_is_bulk(tmp_path):
    """10**6 data lines (each order once per voter, as a naive export writes them) merge into
    the distinct orders; reading stays in the seconds (the benchmark has the figures)."""
    rng = np.random.default_rng(0)
    rows = np.argsort(rng.random((10**6, 6)), axis=1) + 1
    path = tmp_path / "big.soc"
    header = "".join(f"# ALTERNATIVE NAME {i + 1}: c{i}\n" for i in range(6))
    path.write_text(header + "\n".join("1: " + ",".join(map(str, r))
                                       for r in rows.tolist()) + "\n")
    start = time.perf_counter()
    data = read_preflib(path)
    assert time.perf_counter() - start < 20
    assert len(data["ballots"]) == math_factorial(6)
    assert sum(b["count"] for b in data["ballots"]) == 10**6
    first = [f"c{c - 1}" for c in rows[0].tolist()]
    assert data["ballots"][0]["ranking"] == first


def math_factorial(k: int) -> int:
    return len(list(itertools.permutations(range(k))))


def test_cli_runs_a_preflib_file(tmp_path):
    path = tmp_path / "e.soi"
    write_preflib({"candidates": ["x", "y", "z"], "ballots": [
        {"ranking": ["x", "y"], "count": 4}, {"ranking": ["z"], "count": 2}]}, path)
    assert read_input(path, "voting.borda")["ballots"] == [
        {"ranking": ["x", "y"], "count": 4}, {"ranking": ["z"], "count": 2}]
    done = subprocess.run([sys.executable, "-m", "hurwicz", "run", "voting.plurality",
                           str(path), "--json"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["result"]["winners"] == ["x"] and out["allocation"] == {"b0": "x", "b1": "x"}
    assert out["result"]["ballot_counts"] == {"b0": 4, "b1": 2}
    bad = tmp_path / "bad.soc"
    bad.write_text("# ALTERNATIVE NAME 1: x\n# ALTERNATIVE NAME 2: y\n1: 1\n")
    done = subprocess.run([sys.executable, "-m", "hurwicz", "run", "voting.plurality",
                           str(bad), "--json"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert "bad.soc:3" in done.stderr and "complete" in done.stderr

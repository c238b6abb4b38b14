"""Large ranked files through the bulk path (issue #13: 10^6 ballots from a PrefLib file or a CSV
of rankings): cells split piece by piece, ballot groups kept as arrays until read
(:class:`~hurwicz.io.ballot_groups.RankedBallots`), and the JSON of large flat dicts.

The reference for every fast path is the plain one: the same input as ordinary dicts (through
``json``), a plain Python split of the text, ``json.dumps``.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hurwicz as hz
from hurwicz.core.errors import InputError
from hurwicz.core.outcome import dumps_json, to_jsonable
from hurwicz.io import cells as cells_module
from hurwicz.io.ballot_groups import RankedBallots
from hurwicz.io.cells import split_cells
from hurwicz.io.inputs import read_input
from hurwicz.io.preflib import write_preflib

RULES = ["plurality", "borda", "irv", "schulze", "copeland", "ranked_pairs", "minimax", "coombs"]


def _split_by_python(text: bytes, separators: bytes) -> list[tuple[str, int]]:
    """Each cell's text and separator, by a plain loop."""
    out, cell = [], bytearray()
    for byte in text:
        if byte in separators:
            out.append((cell.decode("utf-8"), byte))
            cell = bytearray()
        else:
            cell.append(byte)
    return out


_CELL = st.sampled_from(["", "a", "b", " a", "c11", "alice", "Zoë", "exactly8", "ninebytes",
                         "a" * 17, "b" * 17, "long name of sixty bytes".ljust(60, "x"),
                         "long name of sixty bytes".ljust(60, "y")])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_CELL, st.sampled_from([",", "\n", ":"])), min_size=1, max_size=80),
       st.sampled_from([66, 100, 1 << 20]))
def test_split_cells_matches_a_plain_split(cells, piece):
    text = "".join(c + s for c, s in cells).encode("utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cells_module, "_PIECE", piece)  # small pieces: cells meet piece edges
        got = split_cells(text, 0, b",\n:")
    assert got is not None
    expected = _split_by_python(text, b",\n:")
    assert [got.texts[c] for c in got.codes.tolist()] == [t for t, _ in expected]
    assert got.separators.tolist() == [s for _, s in expected]
    assert got.sizes.tolist() == [len(t.encode("utf-8")) for t, _ in expected]
    assert len(set(got.texts)) == len(got.texts)  # one number per distinct text
    firsts = [next(i for i, (t, _) in enumerate(expected) if t == text_)
              for text_ in got.texts]
    assert got.first.tolist() == firsts


def test_split_cells_refuses_nul_and_overlong_cells():
    assert split_cells(b"a\0,b\n", 0, b",\n") is None
    assert split_cells(b"x" * 65 + b"\n", 0, b",\n") is None
    assert split_cells(b"a,b", 0, b",\n") is None  # no separator at the end


def _electorate(n: int, m: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    util = rng.normal(size=m)[None, :] + 2.0 * rng.normal(size=(n, m))
    return np.argsort(-util, axis=1)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A CSV of rankings (some truncated) and a PrefLib .soc with well over 1,024 groups."""
    folder = tmp_path_factory.mktemp("bulk")
    ballots = _electorate(6000, 7)
    names = [f"c{i}" for i in range(7)]
    rows = [[names[c] for c in row] for row in ballots.tolist()]
    for k in range(0, len(rows), 7):
        rows[k] = rows[k][:1 + k % 6]  # truncated ballots
    csv_path = folder / "ballots.csv"
    csv_path.write_text("rank1,rank2,rank3,rank4,rank5,rank6,rank7\n"
                        + "".join(",".join(r) + "\n" for r in rows))
    soc_path = folder / "ballots.soc"
    write_preflib({"candidates": names, "ballots": [{"ranking": [names[c] for c in row]}
                                                    for row in ballots.tolist()]}, soc_path)
    return {"csv": csv_path, "soc": soc_path}


@pytest.mark.parametrize("kind", ["csv", "soc"])
def test_large_files_give_array_groups_with_the_same_outcomes(files, kind):
    data = read_input(files[kind], "voting.borda")
    assert isinstance(data["ballots"], RankedBallots)
    assert len(data["ballots"]) > 1024
    plain = json.loads(json.dumps(to_jsonable(data)))  # the same input as ordinary dicts
    assert isinstance(plain["ballots"], list) and data["ballots"] == plain["ballots"]
    for rule in RULES:
        mech = hz.mechanism(f"voting.{rule}")
        try:
            reference = mech.run(plain).to_dict()
        except InputError as err:  # e.g. Coombs and truncated ballots: the same error
            with pytest.raises(InputError) as ours:
                mech.run(data)
            assert str(ours.value) == str(err), rule
            continue
        assert mech.run(data).to_dict() == reference, rule
    assert data["ballots"].arrays(data["candidates"]) is not None  # nothing read an element


def test_reading_an_element_makes_the_dicts_the_data(files):
    data = read_input(files["csv"], "voting.borda")
    data["ballots"][3]["ranking"] = ["c1", "c1"]
    with pytest.raises(InputError) as err:
        hz.mechanism("voting.borda").run(data)
    assert err.value.field == "ballots.3.ranking" and "twice" in err.value.message
    data["ballots"][3]["ranking"] = ["nobody"]
    with pytest.raises(InputError, match="unknown candidate 'nobody'"):
        hz.mechanism("voting.borda").run(data)


def test_other_candidate_lists_use_the_dicts(files):
    data = read_input(files["csv"], "voting.plurality")
    plain = json.loads(json.dumps(to_jsonable(data)))
    data["candidates"] = data["candidates"][::-1]  # indices no longer match: read the dicts
    plain["candidates"] = plain["candidates"][::-1]
    assert hz.mechanism("voting.plurality").run(data).to_dict() == \
        hz.mechanism("voting.plurality").run(plain).to_dict()
    data["candidates"] = data["candidates"][1:]
    with pytest.raises(InputError, match="unknown candidate"):
        hz.mechanism("voting.plurality").run(data)


def test_array_groups_still_check_the_total_number_of_voters():
    names = ["x", "y"]
    rows = np.tile(np.array([[0, 1]], dtype=np.int8), (2048, 1))
    counts = np.full(2048, 2**53, dtype=np.int64)  # 2**64 voters in all
    data = {"candidates": names, "ballots": RankedBallots(names, rows, counts)}
    with pytest.raises(InputError) as err:
        hz.mechanism("voting.plurality").run(data)
    assert err.value.field == "ballots" and "more than 2**62" in err.value.message


@pytest.mark.parametrize("rule", ["approval", "score", "liquid"])
def test_array_groups_for_rules_of_other_ballots_are_read_as_dicts(rule):
    names = ["x", "y"]
    data = {"candidates": names, "ballots": RankedBallots(
        names, np.array([[0, 1]] * 2000, dtype=np.int8), np.ones(2000, dtype=np.int64))}
    plain = {"candidates": names, "ballots": [{"ranking": ["x", "y"], "count": 1}] * 2000}
    with pytest.raises(InputError) as expected:
        hz.mechanism(f"voting.{rule}").run(plain)
    with pytest.raises(InputError) as err:
        hz.mechanism(f"voting.{rule}").run(data)
    assert str(err.value) == str(expected.value)
    assert err.value.field.startswith("ballots.0")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.integers(-2**70, 2**70),
                          st.floats(allow_nan=False, allow_infinity=False)),
                min_size=1, max_size=30),
       st.sampled_from(["b", "é", 'q"', "k\\"]))
def test_json_of_large_flat_dicts_is_the_standard_text(values, prefix):
    ints = [v for v in values if type(v) is int]
    floats = [v for v in values if type(v) is float]
    for chosen in (values, ints, floats):
        if not chosen:
            continue
        chosen = (chosen * (1100 // len(chosen) + 1))[:1100 - len(values)]  # ≥ 1,024 entries
        doc = {"groups": {f"{prefix}{i}": v for i, v in enumerate(chosen)}, "n": [1, None]}
        assert dumps_json(doc) == json.dumps(doc, allow_nan=False)


@pytest.mark.parametrize("others", [{}, {0: 7}, {2047: 7}, {5: 2**70}, {3: -1, 900: 0, 901: 12}])
def test_json_of_ballot_counts_that_are_mostly_one(others):
    counts = dict.fromkeys((f"b{g}" for g in range(2048)), 1)
    counts.update({f"b{g}": v for g, v in others.items()})
    doc = {"result": {"ballot_counts": counts}}
    assert dumps_json(doc) == json.dumps(doc, allow_nan=False)

"""Adversarial differential tests of the bulk CSV-of-rankings reader (issue #13 review).

Reference: Python's ``csv`` module plus the validation rules documented in
:mod:`hurwicz.io.rankings_csv` (header rank1..rankN, cells stripped, truncated not interrupted,
no name twice, blank lines skipped), written here independently of the bulk path.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from hurwicz.core.errors import InputError
from hurwicz.core.types import Name
from hurwicz.io.cells import split_cells
from hurwicz.io.rankings_csv import read_rankings_csv

_NAME: TypeAdapter[str] = TypeAdapter(Name)

# Two distinct 16-byte cells whose folded keys are equal (w0·O0 + w1·O1 mod 2^64, see
# hurwicz.io.cells): found by solving for w0 given random printable w1, w1', w0.
COLLIDE = ("L3Knsxcivm0CtGim", "ODa4ayVXevMJYzPk")


def reference(data: bytes) -> object:
    text = data.decode("utf-8").removeprefix("\ufeff")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = [h.strip() for h in rows[0]] if rows else []
    if not header or header != [f"rank{k + 1}" for k in range(len(header))]:
        return "error"
    groups: dict[tuple[str, ...], int] = {}
    for row in rows[1:]:
        if not row:
            continue
        if len(row) > len(header):
            return "error"
        names = [c.strip() for c in row]
        while names and not names[-1]:
            names.pop()
        if "" in names or any(len(c.splitlines()) > 1 for c in names):
            return "error"
        try:
            ranking = tuple(_NAME.validate_python(c) for c in names)
        except ValidationError:
            return "error"
        if len(set(ranking)) != len(ranking):
            return "error"
        groups[ranking] = groups.get(ranking, 0) + 1
    candidates = list(dict.fromkeys(n for r in groups for n in r))
    if not candidates:
        return "error"
    return {"candidates": candidates,
            "ballots": [{"ranking": list(r), "count": c} for r, c in groups.items()]}


def read(tmp_path: Path, data: bytes) -> object:
    path = tmp_path / "b.csv"
    path.write_bytes(data)
    try:
        out = read_rankings_csv(path)
    except InputError:
        return "error"
    return {"candidates": out["candidates"], "ballots": list(out["ballots"])}


def _folded(cell: str) -> int:
    raw = cell.encode()
    w0, w1 = int.from_bytes(raw[:8], "little"), int.from_bytes(raw[8:], "little")
    return (w0 * 0x9E3779B97F4A7C15 + w1 * 0xC2B2AE3D27D4EB4F) % 2**64


def test_the_two_cells_really_collide():
    a, b = COLLIDE
    assert a != b and len(a) == len(b) == 16 and _folded(a) == _folded(b)
    cells = split_cells(f"{a},{b}\n{b}\n".encode(), 0, b",\n")
    assert cells is not None and cells.texts == [a, b]
    assert cells.codes.tolist() == [0, 1, 1]


def test_key_collision_then_a_long_cell_keeps_every_ballot(tmp_path):
    # Regression: a folded-key collision in the first piece sent the whole file to the
    # text-keyed fallback, which kept cell sizes as uint8 without checking MAX_CELL: a
    # 256-byte name alone on a line got size 0, was taken for a blank line and its ballot
    # was silently dropped (3 ballots instead of 4).
    a, b = COLLIDE
    data = (f"rank1,rank2\n{a},{b}\n" + "p,q\n" * 300_000 + "z" * 256 + f"\n{b}\n").encode()
    got = read(tmp_path, data)
    assert got == reference(data)
    assert {"ranking": ["z" * 256], "count": 1} in got["ballots"]  # type: ignore[index]


_CELLS = st.sampled_from(["a", "b", " c ", "d" * 8, "d" * 9, "x" * 16, "x" * 17, "y" * 64,
                          "y" * 65, "é", "Zoe\u0308", "Zo\u00eb", '"q,1"', '"q\n2"', "", " ",
                          "a\tb", "\x00", "a\u202e", *COLLIDE])


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.integers(1, 4), st.lists(st.lists(_CELLS, max_size=5), min_size=1, max_size=8),
       st.sampled_from(["\n", "\r\n", "\r"]), st.booleans(), st.booleans())
def test_bulk_reader_equals_reference(tmp_path_factory, width, rows, newline, bom, last):
    text = (",".join(f"rank{k + 1}" for k in range(width)) + newline
            + newline.join(",".join(r) for r in rows) + (newline if last else ""))
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode()
    assert read(tmp_path_factory.mktemp("csv"), data) == reference(data)


def test_preflib_names_are_checked_where_they_are_declared(tmp_path):
    # Regression: alternative names were taken as written. "Zoe\u0308" and "Zo\u00eb" (one
    # name in NFC, as every rule reads names) passed the reader's "named twice" check and
    # the rule then failed with "candidates: lists a candidate twice" (no file:line); a
    # bidi override in a name was reported as "candidates.0" only.
    from hurwicz.io.preflib import read_preflib

    path = tmp_path / "z.soi"
    path.write_text("# ALTERNATIVE NAME 1: a\n# ALTERNATIVE NAME 2: Zoe\u0308\n"
                    "# ALTERNATIVE NAME 3: Zo\u00eb\n1: 1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"z\.soi:3: alternatives 2 and 3 are both named"):
        read_preflib(path)
    path.write_text("# ALTERNATIVE NAME 1: a\u202eb\n1: 1\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"z\.soi:1: contains U\+202E"):
        read_preflib(path)
    path.write_text("# ALTERNATIVE NAME 1: Zoe\u0308\n2: 1\n", encoding="utf-8")
    assert read_preflib(path)["candidates"] == ["Zo\u00eb"]


def _split_reference(raw: bytes, seps: bytes) -> tuple[list[int], list[str], list[int], list[int]]:
    codes, texts, kinds, number = [], [], [], {}  # type: ignore[var-annotated]
    start = 0
    for i, byte in enumerate(raw):
        if byte in seps:
            text = raw[start:i].decode()
            if text not in number:
                number[text] = len(number)
                texts.append(text)
            codes.append(number[text])
            kinds.append(byte)
            start = i + 1
    return codes, texts, kinds, [len(t.encode()) for t in texts]


_PARTS = st.sampled_from(["a", "b", "é", "€", "😀", "x" * 7, "y" * 8, "z" * 9, *COLLIDE,
                          ",", ",", "\n", "\n", ":"])


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_PARTS, max_size=60), st.sampled_from([16, 40, 1 << 20]))
def test_split_cells_equals_a_plain_split(monkeypatch_parts, piece):
    # small pieces put cells and multi-byte characters right at piece boundaries
    import hurwicz.io.cells as cells_module

    raw = ("".join(monkeypatch_parts) + "\n").encode()
    old = cells_module._PIECE
    cells_module._PIECE = piece
    try:
        cells = split_cells(raw, 0, b",\n")
    finally:
        cells_module._PIECE = old
    codes, texts, kinds, _ = _split_reference(raw, b",\n")
    if cells is None:  # only for a cell longer than MAX_CELL or than a piece
        assert max(len(t.encode()) for t in texts) > min(64, piece - 1)
        return
    # numbering may differ: compare the texts cell by cell
    assert [cells.texts[c] for c in cells.codes.tolist()] == [texts[c] for c in codes]
    assert sorted(cells.texts) == sorted(texts)
    assert cells.separators.tolist() == kinds
    assert [len(cells.texts[c].encode()) for c in cells.codes.tolist()] == \
        cells.sizes.tolist()
    assert [cells.codes.tolist().index(c) for c in range(len(cells.texts))] == \
        cells.first.tolist()

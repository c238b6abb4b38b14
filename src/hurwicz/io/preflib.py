"""PrefLib files (.soc, .soi, .toc, .toi; Mattei & Walsh 2013, format of PrefLib 2022) as
ranked-ballot inputs, read and written.

A file is a header of ``#`` lines — ``# DATA TYPE: soc``, ``# NUMBER ALTERNATIVES: 3``,
``# NUMBER VOTERS: 10``, ``# NUMBER UNIQUE ORDERS: 2`` and one ``# ALTERNATIVE NAME i: name``
per alternative, numbered 1..N — then one line per order, ``count: a,b,{c,d},e``: numbers are
alternatives, braces group ties. The suffix says what the orders may be: ``.soc`` strict and
complete, ``.soi`` strict and possibly incomplete, ``.toc`` with ties and complete, ``.toi``
with ties and possibly incomplete.

Reading is strict and names ``file:line``: an order that breaks its file's type (ties in a
``.soc``/``.soi``, an incomplete order in a ``.soc``/``.toc``), an alternative number outside
1..N (PrefLib numbers alternatives from 1), an alternative ranked twice, a count that is not a
whole number from 1 to 2**53, and header counts that disagree with the data are errors. The
data lines are parsed in bulk (numpy over the bytes of the file), so a million orders read in
well under a second; a file that fails the bulk checks is re-read line by line to name the
first bad line. Each distinct order becomes one ballot group whose count is a weight (an order
on several lines — which PrefLib files avoid — is merged, counts added, in order of first
appearance). A file of 1,024 or more distinct strict orders gives its ``ballots`` as a
:class:`~hurwicz.io.ballot_groups.RankedBallots` (the same dicts, kept as arrays until read).

Writing (:func:`write_preflib`) produces files preflibtools reads: the full header, identical
orders merged (most frequent first), and the type the suffix names — a ballot that does not fit
it (ties in a ``.soc``, a truncated ranking in a ``.toc``) is refused naming the ballot, and so
is a candidate name that a PrefLib line cannot hold (a line break, or spaces at either end).
:func:`preflib_type` gives the narrowest type that fits an input.

Example:
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "e.soc"
    >>> _ = p.write_text("# ALTERNATIVE NAME 1: x\\n# ALTERNATIVE NAME 2: y\\n3: 1,2\\n1: 2,1\\n")
    >>> read_preflib(p)["ballots"]
    [{'ranking': ['x', 'y'], 'count': 3}, {'ranking': ['y', 'x'], 'count': 1}]
"""

from __future__ import annotations

import contextlib
import gc
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from hurwicz.core.bits import popcount
from hurwicz.core.errors import InputError
from hurwicz.core.types import check_name

from .ballot_groups import RankedBallots
from .cells import Cells, split_cells
from .inputs import register_reader

NAME = re.compile(r"^#\s*ALTERNATIVE NAME\s+(-?\d+)\s*:(.*)$")
NUMBER = re.compile(r"^#\s*NUMBER (ALTERNATIVES|VOTERS|UNIQUE ORDERS)\s*:\s*(.*)$")
DATA_TYPE = re.compile(r"^#\s*DATA TYPE\s*:\s*(.*)$")
#: (ties allowed, orders must be complete) per suffix
TYPES = {"soc": (False, True), "soi": (False, False), "toc": (True, True), "toi": (True, False)}
#: Largest count of one order (as for any ballot group).
MAX_COUNT = 2**53


# --- reading --------------------------------------------------------------------------------
def read_preflib(path: Path, mechanism: str | None = None) -> dict[str, Any]:
    """Read a PrefLib file into ``{"candidates": [...], "ballots": [...]}``.

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.toc"
        >>> _ = p.write_text("# ALTERNATIVE NAME 1: a\\n# ALTERNATIVE NAME 2: b\\n2: {1,2}\\n")
        >>> read_preflib(p)["ballots"]
        [{'ranking': [['a', 'b']], 'count': 2}]
        >>> _ = p.write_text("# ALTERNATIVE NAME 1: a\\n# ALTERNATIVE NAME 2: b\\n2: 1\\n")
        >>> try:
        ...     read_preflib(p)
        ... except InputError as err:
        ...     print(err)
        t.toc:3: the order lists 1 of 2 alternatives; orders in a .toc file are complete \
(use .toi for incomplete orders)
    """
    kind = path.suffix.lower().lstrip(".")
    if kind not in TYPES:
        raise InputError(path.name, "a PrefLib file ends in .soc, .soi, .toc or .toi")
    text = path.read_bytes().decode("utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    header, first_line, block = _split_header(text, path.name)
    names, numbers = _read_header(header, path.name, kind)
    parsed = _parse_block_fast(block.encode("utf-8"), len(names), kind)
    if parsed is None:  # something is wrong: read line by line to say where
        parsed = _parse_block_slow(block, first_line, path.name, len(names), kind)
    _check_numbers(numbers, parsed[0], path.name)
    counts, items, lens, tiers = merge_orders(*parsed, len(names), path.name)
    if tiers is None and len(counts) >= _GROUPS_FROM:  # validated strict orders: arrays
        from hurwicz.mechanisms.voting.ballots import padded

        table = padded(items, lens, len(names)).astype(_small(len(names)), copy=False)
        return {"candidates": names, "ballots": RankedBallots(names, table, counts)}
    return {"candidates": names, "ballots": _ballots(names, counts, items, lens, tiers)}


#: Fewest ballot groups read as :class:`~hurwicz.io.ballot_groups.RankedBallots` (arrays
#: until an element is read); smaller files give plain lists of dicts.
_GROUPS_FROM = 1024


def _small(m: int) -> type:
    """The smallest integer type holding candidate indices ``-1..m-1``."""
    return np.int8 if m <= 2**7 else np.int16 if m <= 2**15 else np.int64


def _unique_rows(rows: np.ndarray, tiers: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """The first row of each distinct order (a tie group is a set: its members' order does
    not matter) and each row's distinct-order index."""
    from hurwicz.mechanisms.voting.profile import pack_rows, unique_keys

    m = rows.shape[1]
    if tiers is None and m <= 15:  # 4 bits per place: one integer per order
        first, inverse = unique_keys(pack_rows(rows))
    else:
        stacked = rows if tiers is None else np.concatenate(_sorted_ties(rows, tiers), axis=1)
        _, first, inverse = np.unique(stacked, axis=0, return_index=True, return_inverse=True)
    return first, inverse.ravel()


def _sorted_ties(rows: np.ndarray, tiers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each tie group's members in increasing order (padding stays at the end)."""
    m = rows.shape[1]
    key = np.where(rows >= 0, tiers * (m + 1) + rows, np.iinfo(np.int64).max)
    order = np.argsort(key, axis=1, kind="stable")
    return np.take_along_axis(rows, order, 1), np.take_along_axis(tiers, order, 1)


def merge_orders(counts: np.ndarray, alts: np.ndarray, lens: np.ndarray,
                 tiers: np.ndarray | None, m: int, where: str = "input") -> Parsed:
    """Identical orders merged into one, their counts added, in order of first appearance.

    Example:
        >>> merged = merge_orders(np.array([2, 1, 3]), np.array([0, 1, 1, 0, 0, 1]),
        ...                       np.array([2, 2, 2]), None, 2)
        >>> [a.tolist() for a in merged[:3]]
        [[5, 1], [0, 1, 1, 0], [2, 2]]
    """
    from hurwicz.mechanisms.voting.ballots import padded
    from hurwicz.mechanisms.voting.profile import exact_bincount

    n = len(counts)
    if n < 2:
        return counts, alts, lens, tiers
    first, inverse = _unique_rows(padded(alts, lens, m),
                                  None if tiers is None else padded(tiers, lens, m))
    if len(first) == n:
        return counts, alts, lens, tiers
    order = np.argsort(first)
    rank = np.empty(len(first), dtype=np.int64)
    rank[order] = np.arange(len(first))
    merged = exact_bincount(rank[inverse], counts, len(first))
    if int(max(merged.tolist())) > MAX_COUNT:
        raise InputError(where, "an order repeats with counts adding up to more than 2**53")
    keep = first[order]
    kept_lens = lens[keep]
    starts = (np.cumsum(lens) - lens)[keep]
    offsets = np.arange(int(kept_lens.sum())) - np.repeat(np.cumsum(kept_lens) - kept_lens,
                                                          kept_lens)
    items = np.repeat(starts, kept_lens) + offsets
    return (np.asarray(merged, dtype=np.int64), alts[items], kept_lens,
            None if tiers is None else tiers[items])


def _split_header(text: str, where: str) -> tuple[list[tuple[int, str]], int, str]:
    """The header lines (numbered), the number of the first data line and the data block."""
    header = []
    pos, line_no = 0, 1
    while pos < len(text):
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        line = text[pos:end].strip()
        if line and not line.startswith("#"):
            break
        if line:
            header.append((line_no, line))
        pos, line_no = end + 1, line_no + 1
    block = text[pos:]
    if "#" in block:
        k = block.index("#")
        raise InputError(f"{where}:{line_no + block.count(chr(10), 0, k)}",
                         "a '#' line after the orders (the header comes first)")
    return header, line_no, block


def _read_header(header: list[tuple[int, str]], where: str, kind: str
                 ) -> tuple[list[str], dict[str, tuple[int, int]]]:
    names: dict[int, str] = {}
    numbers: dict[str, tuple[int, int]] = {}
    for line_no, line in header:
        at = f"{where}:{line_no}"
        if m := NAME.match(line):
            number, name = int(m.group(1)), m.group(2).strip()
            if number < 1:
                raise InputError(at, f"alternative {number}: PrefLib numbers alternatives "
                                 "from 1")
            if number in names:
                raise InputError(at, f"alternative {number} is named twice")
            if not name:
                raise InputError(at, f"alternative {number} has an empty name")
            name = check_name(name, at)  # NFC, no control characters: as the rules see it
            if name in names.values():
                other = next(k for k, v in names.items() if v == name)
                raise InputError(at, f"alternatives {other} and {number} are both named "
                                 f"{name!r}")
            names[number] = name
        elif m := NUMBER.match(line):
            value = m.group(2).strip()
            if not value.isdecimal():
                raise InputError(at, f"NUMBER {m.group(1)} must be a whole number, got "
                                 f"{value!r}")
            numbers[m.group(1)] = (int(value), line_no)
        elif m := DATA_TYPE.match(line):
            declared = m.group(1).strip().lower()
            if declared != kind:
                raise InputError(at, f"the header says DATA TYPE {declared} but the file "
                                 f"name ends in .{kind}")
    if not names:
        raise InputError(where, "declares no '# ALTERNATIVE NAME' lines")
    if sorted(names) != list(range(1, len(names) + 1)):
        missing = min(set(range(1, max(names) + 1)) - set(names))
        raise InputError(where, f"alternative {missing} has no '# ALTERNATIVE NAME' line "
                         f"(PrefLib numbers alternatives 1..N)")
    if "ALTERNATIVES" in numbers and numbers["ALTERNATIVES"][0] != len(names):
        value, line_no = numbers["ALTERNATIVES"]
        raise InputError(f"{where}:{line_no}", f"NUMBER ALTERNATIVES is {value} but "
                         f"{len(names)} alternatives are named")
    return [names[k] for k in sorted(names)], numbers


def _check_numbers(numbers: dict[str, tuple[int, int]], counts: np.ndarray, where: str
                   ) -> None:
    for key, actual, what in (("VOTERS", sum(counts.tolist()), "the counts add up to"),
                              ("UNIQUE ORDERS", len(counts), "the file has orders:")):
        if key in numbers and numbers[key][0] != actual:
            value, line_no = numbers[key]
            raise InputError(f"{where}:{line_no}", f"NUMBER {key} is {value} but {what} "
                             f"{actual}")


# byte classes of the data block (bit flags, so that a set of classes is one number)
_DIGIT, _COLON, _COMMA, _OPEN, _CLOSE, _NL, _BAD = 1, 2, 4, 8, 16, 32, 64
_CLASS = np.full(256, _BAD, dtype=np.int8)
_CLASS[ord("0"):ord("9") + 1] = _DIGIT
for _ch, _cls in ((":", _COLON), (",", _COMMA), ("{", _OPEN), ("}", _CLOSE), ("\n", _NL)):
    _CLASS[ord(_ch)] = _cls
#: _IN[flags][class]: whether a class is among the flags
_IN = (np.arange(128)[:, None] & np.arange(128)[None, :]) > 0
_SPACES = b" \t\r"
#: digits → "0", spaces → " ": a digit followed by a space shows as b"0 "
_SHAPE = bytes.maketrans(b"0123456789\t\r", b"0000000000  ")


Parsed = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]
#: Bytes of the data block parsed at once (small arrays stay in cache and are reused).
CHUNK = 1 << 22


def _parse_block_fast(block: bytes, m: int, kind: str) -> Parsed | None:
    """Counts, alternatives (0-based, all lines concatenated), items per line and tiers (or
    ``None`` without ties) of the data block, parsed with array operations chunk by chunk;
    ``None`` when the block breaks any rule (the line-by-line reader then names the
    problem)."""
    if b"{" not in block and b"}" not in block:  # strict orders: split into cells in bulk
        cells = split_cells(block if block.endswith(b"\n") else block + b"\n", 0, b":,\n")
        if cells is not None or not block.strip():
            return _parse_cells(cells, m, kind)
    parts: list[Parsed] = []
    start = 0
    while start < len(block):
        end = block.find(b"\n", start + CHUNK)
        end = len(block) if end < 0 else end + 1
        part = _parse_chunk(block[start:end], m, kind)
        if part is None:
            return None
        parts.append(part)
        start = end
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, None
    if len(parts) == 1:
        return parts[0]
    tied = any(p[3] is not None for p in parts)
    tiers = None
    if tied:  # strict chunks: each item its own tier
        tiers = np.concatenate([p[3] if p[3] is not None else
                                np.arange(len(p[1])) - np.repeat(np.cumsum(p[2]) - p[2], p[2])
                                for p in parts])
    return (np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]),
            np.concatenate([p[2] for p in parts]), tiers)


#: What a distinct cell of a data block is: empty (spaces only), a whole number, or neither.
_EMPTY, _NUMBER, _OTHER = 0, 1, 2


def _parse_cells(cells: Cells | None, m: int, kind: str) -> Parsed | None:
    """:func:`_parse_block_fast` for a block without tie groups, from its cells (split at
    ``:``, ``,`` and line ends; ``None``: no cell). Each distinct cell is read once, with the
    line reader's rules (spaces around numbers, ASCII digits); a line is blank (one empty
    cell), or a count cell ended by its only ``:``, then one empty cell (an empty order) or
    alternative numbers."""
    empty = np.zeros(0, dtype=np.int64)
    if cells is None:
        return empty, empty, empty, None
    _, complete = TYPES[kind]
    what = np.full(len(cells.texts), _OTHER, dtype=np.int8)
    value = np.zeros(len(cells.texts), dtype=np.int64)
    for code, text in enumerate(cells.texts):
        text = text.strip()
        if not text:
            what[code] = _EMPTY
        elif text.isascii() and text.isdecimal() and len(text) <= 16:
            what[code], value[code] = _NUMBER, int(text)
    kinds = what[cells.codes]
    colon = cells.separators == ord(":")
    last = np.flatnonzero(cells.separators == ord("\n"))  # the last cell of each line
    per_line = np.diff(last, prepend=-1)
    first = last - per_line + 1
    # the colons of each line: the line of a cell is the first whose last cell is not before it
    colons = np.bincount(np.searchsorted(last, np.flatnonzero(colon)), minlength=len(last))
    blank = (colons == 0) & (per_line == 1) & (kinds[last] == _EMPTY)
    if not (blank | ((colons == 1) & colon[first])).all():
        return None
    lines = ~blank
    count_cells = first[lines]
    if (kinds[count_cells] != _NUMBER).any():
        return None
    counts = value[cells.codes[count_cells]]
    if len(counts) and (counts.min() < 1 or counts.max() > MAX_COUNT):
        return None
    no_order = lines & (per_line == 2) & (kinds[last] == _EMPTY)  # "count:" alone
    items = ~colon
    items[last[blank | no_order]] = False
    if (kinds[items] != _NUMBER).any():
        return None
    alts = value[cells.codes[items]] - 1
    lens = np.where(no_order, 0, per_line - 1)[lines]
    if len(alts) and (alts.min() < 0 or alts.max() >= m):
        return None
    if (complete and (lens != m).any()) or (lens > m).any() or _has_duplicate(alts, lens, m):
        return None
    return counts, alts, lens, None


def _parse_chunk(block: bytes, m: int, kind: str) -> Parsed | None:
    """:func:`_parse_block_fast` on whole lines. The grammar is checked on the structural
    characters alone (``:``, ``,``, ``{``, ``}`` and line ends), each knowing how many digits
    stand right before it."""
    ties_ok, complete = TYPES[kind]
    if b"0 " in block.translate(_SHAPE) and _split_number(block):
        return None  # "1 2" is no alternative 12
    text = block.translate(None, _SPACES)
    while b"\n\n" in text:  # blank lines
        text = text.replace(b"\n\n", b"\n")
    text = text.lstrip(b"\n")
    if not text:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, None
    if not text.endswith(b"\n"):
        text += b"\n"
    cls = _CLASS[np.frombuffer(text, dtype=np.uint8)]
    if (cls == _BAD).any():
        return None
    where = np.flatnonzero(cls != _DIGIT)
    kinds = cls[where]
    gap = np.diff(where, prepend=-1) - 1  # digits right before each structural character
    if (gap > 16).any():  # more digits than any count (≤ 2**53) or alternative
        return None
    number = gap > 0
    values = _numbers(np.frombuffer(text, dtype=np.uint8), where[number], gap[number])
    prev = np.concatenate([[_NL], kinds[:-1]]).astype(np.int8)
    opens = np.cumsum(kinds == _OPEN, dtype=np.int32)
    closes = np.cumsum(kinds == _CLOSE, dtype=np.int32)
    depth = opens - closes + (kinds == _CLOSE) - (kinds == _OPEN)  # before this character
    after_item = _IN[_COLON | _COMMA | _OPEN][prev]  # an item may stand after these
    separator = _IN[_COLON | _COMMA][prev]
    ok = np.where(prev == _NL, (kinds == _COLON) & number, False)  # "count:" opens a line
    ok |= (kinds == _COMMA) & ((number & after_item) | (~number & (prev == _CLOSE)))
    ok |= (kinds == _OPEN) & ~number & separator & (depth == 0)
    ok |= (kinds == _CLOSE) & number & _IN[_OPEN | _COMMA][prev] & (depth == 1)
    ok |= (kinds == _NL) & (depth == 0) & ((number & separator) | (
        ~number & _IN[_CLOSE | _COLON][prev]))
    if not ok.all():
        return None
    line = np.cumsum(kinds == _NL, dtype=np.int64) - (kinds == _NL)
    is_count = kinds[number] == _COLON
    counts = values[is_count]
    alts = values[~is_count] - 1
    if len(counts) and (counts.min() < 1 or counts.max() > MAX_COUNT):
        return None
    if len(alts) and (alts.min() < 0 or alts.max() >= m):
        return None
    lens = np.bincount(line[number][~is_count], minlength=int(line[-1]) + 1)
    tied = bool((kinds == _OPEN).any())
    if (tied and not ties_ok) or (complete and (lens != m).any()) or (lens > m).any():
        return None
    if _has_duplicate(alts, lens, m):
        return None
    tiers = None
    if tied:  # an item opens a tier outside braces or right after '{'
        opened = np.cumsum(((depth == 0) | (prev == _OPEN))[number][~is_count])
        line_start = np.cumsum(lens) - lens
        tiers = opened - opened[np.repeat(line_start, lens)]
    return counts, alts, lens, tiers


def _numbers(chars: np.ndarray, ends: np.ndarray, digits: np.ndarray) -> np.ndarray:
    """The numbers written in ``chars`` right before positions ``ends`` with ``digits``
    digits each (at most 16), digit place by digit place."""
    values = chars[ends - 1].astype(np.int64) - 48
    longer = np.flatnonzero(digits >= 2)
    place = 1
    for j in range(2, int(digits.max(initial=1)) + 1):
        longer = longer[digits[longer] >= j]
        place *= 10
        values[longer] += (chars[ends[longer] - j].astype(np.int64) - 48) * place
    return values


def _has_duplicate(alts: np.ndarray, lens: np.ndarray, m: int) -> bool:
    """Whether some order lists an alternative twice (bit sets per line when m ≤ 62)."""
    if not len(alts):
        return False
    full = lens > 0
    if m <= 62:
        starts = (np.cumsum(lens) - lens)[full]
        sets = np.bitwise_or.reduceat(np.int64(1) << alts, starts)
        return bool((popcount(sets) != lens[full]).any())
    line = np.repeat(np.arange(len(lens)), lens)
    seen = np.bincount(line * m + alts, minlength=len(lens) * m)
    return bool((seen > 1).any())


def _split_number(block: bytes) -> bool:
    """Whether spaces separate two digits somewhere (rare: checked only when a digit is
    followed by a space at all)."""
    return re.search(rb"[0-9][ \t\r]+[0-9]", block) is not None


def _parse_block_slow(block: str, first_line: int, where: str, m: int, kind: str
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """The data block line by line: the reference reader, and the one that names the first
    bad line."""
    ties_ok, complete = TYPES[kind]
    counts: list[int] = []
    alts: list[int] = []
    lens: list[int] = []
    tiers: list[int] = []
    for offset, raw in enumerate(block.split("\n")):
        line = raw.strip()
        if not line:
            continue
        at = f"{where}:{first_line + offset}"
        count_text, sep, order = line.partition(":")
        if not sep:
            raise InputError(at, "expected 'count: order'")
        count_text = count_text.strip()
        if not (count_text.isascii() and count_text.isdecimal()):
            raise InputError(at, f"count {count_text!r} is not a whole number")
        count = int(count_text)
        if not 1 <= count <= MAX_COUNT:
            raise InputError(at, f"count {count} is not from 1 to 2**53")
        groups = _parse_order(order, at, m, ties_ok)
        members = [a for g in groups for a in g]
        if len(set(members)) != len(members):
            twice = next(a for a in members if members.count(a) > 1)
            raise InputError(at, f"alternative {twice + 1} is ranked twice")
        if complete and len(members) != m:
            other = "toi" if ties_ok else "soi"
            raise InputError(at, f"the order lists {len(members)} of {m} alternatives; orders "
                             f"in a .{kind} file are complete (use .{other} for incomplete "
                             "orders)")
        counts.append(count)
        lens.append(len(members))
        for t, g in enumerate(groups):
            alts.extend(g)
            tiers.extend([t] * len(g))
    tied = any(len(set(tiers[i:i + n])) < n for i, n in _spans(lens))
    arrays = (np.array(counts, dtype=np.int64), np.array(alts, dtype=np.int64),
              np.array(lens, dtype=np.int64))
    return (*arrays, np.array(tiers, dtype=np.int64) if tied else None)


def _spans(lens: list[int]) -> list[tuple[int, int]]:
    out, start = [], 0
    for n in lens:
        out.append((start, n))
        start += n
    return out


def _parse_order(text: str, at: str, m: int, ties_ok: bool) -> list[list[int]]:
    """An order's tiers as lists of 0-based alternatives."""
    out: list[list[int]] = []
    text = text.strip()
    if not text:
        return out
    for part in re.split(r",(?![^{]*\})", text):
        part = part.strip()
        if part.startswith("{"):
            if not ties_ok:
                raise InputError(at, "ties ({...}) are only allowed in .toc/.toi files")
            if not part.endswith("}") or not part[1:-1].strip():
                raise InputError(at, f"malformed tie group {part!r}")
            out.append([_alternative(t, at, m) for t in part[1:-1].split(",")])
        else:
            out.append([_alternative(part, at, m)])
    return out


def _alternative(token: str, at: str, m: int) -> int:
    token = token.strip()
    if not token:
        raise InputError(at, "an empty entry in the order (a comma too many)")
    if not (token.isascii() and token.isdecimal()):
        raise InputError(at, f"{token!r} is not an alternative number")
    number = int(token)
    if number == 0:
        raise InputError(at, "alternative 0: PrefLib numbers alternatives from 1")
    if number > m:
        raise InputError(at, f"alternative {number} is not declared (the file names {m})")
    return number - 1


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of containers that form no cycle are
    built (each collection would otherwise walk all of them again), then move them to the
    oldest generation (unless the program keeps objects frozen with ``gc.freeze()``).

    Example:
        >>> with paused_gc():
        ...     rows = [[i] for i in range(3)]
        >>> gc.isenabled()
        True
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if gc.get_freeze_count() == 0:
                # the new containers join the oldest generation at once: the collector would
                # otherwise walk all of them in two young-generation collections first
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def _ballots(names: list[str], counts: np.ndarray, alts: np.ndarray, lens: np.ndarray,
             tiers: np.ndarray | None) -> list[dict[str, Any]]:
    """Ballot dicts from the parsed arrays (built in bulk for strict orders)."""
    with paused_gc():
        return _build_ballots(names, counts, alts, lens, tiers)


def table_ballots(names: list[str], table: np.ndarray, counts: np.ndarray
                  ) -> list[dict[str, Any]]:
    """Ballot dicts from a table of candidate numbers (one row per ballot, −1 padded at the
    end) and their counts, built in bulk.

    Example:
        >>> table_ballots(["x", "y"], np.array([[1, 0], [0, -1]]), np.array([2, 1]))
        [{'ranking': ['y', 'x'], 'count': 2}, {'ranking': ['x'], 'count': 1}]
    """
    with paused_gc():
        if table.size and int(table.min()) >= 0:  # complete rows: one 2-D take builds them
            rankings = np.array(names, dtype=object)[table].tolist()
            return [{"ranking": r, "count": c} for r, c in zip(rankings, counts.tolist())]
        lens = (table >= 0).sum(axis=1)
        return _build_ballots(names, counts, table[table >= 0], lens, None)


def _build_ballots(names: list[str], counts: np.ndarray, alts: np.ndarray, lens: np.ndarray,
                   tiers: np.ndarray | None) -> list[dict[str, Any]]:
    n = len(lens)
    if tiers is None and n and len(alts) == n * int(lens[0]) and (lens == lens[0]).all():
        # orders of one length (complete orders, say): one 2-D take builds every list
        rows = np.array(names, dtype=object)[alts.reshape(n, int(lens[0]))].tolist()
        return [{"ranking": r, "count": c} for r, c in zip(rows, counts.tolist())]
    labels = np.array(names, dtype=object)[alts].tolist() if len(alts) else []
    ends = np.cumsum(lens).tolist()
    starts = [0, *ends[:-1]]
    if tiers is None:
        rankings = [labels[s:e] for s, e in zip(starts, ends)]
    else:
        tier_list = tiers.tolist()
        rankings = []
        for s, e in zip(starts, ends):
            ranking: list[Any] = []
            for k in range(s, e):
                if k > s and tier_list[k] == tier_list[k - 1]:
                    last = ranking[-1]
                    ranking[-1] = [*last, labels[k]] if isinstance(last, list) else [
                        last, labels[k]]
                else:
                    ranking.append(labels[k])
            rankings.append(ranking)
    return [{"ranking": r, "count": c} for r, c in zip(rankings, counts.tolist())]


# --- writing --------------------------------------------------------------------------------
def preflib_type(data: Any) -> str:
    """The narrowest PrefLib type that holds every ballot of a ranked input: ``soc``,
    ``soi``, ``toc`` or ``toi``.

    Example:
        >>> preflib_type({"candidates": ["x", "y"], "ballots": [{"ranking": [["x", "y"]]}]})
        'toc'
    """
    _, rows, tiers, _ = _orders(data)
    tied = tiers is not None and _tied_rows(tiers).any()
    incomplete = bool((rows < 0).any())
    return ("t" if tied else "s") + ("oi" if incomplete else "oc")


def _orders(data: Any) -> tuple[list[str], np.ndarray, np.ndarray | None, np.ndarray]:
    from hurwicz.mechanisms.voting.ballots import envelope, ranked_arrays

    candidates, ballots = envelope(data, "ranking")
    rows, tiers, counts = ranked_arrays(candidates, ballots)
    return candidates, rows, tiers, counts


def _tied_rows(tiers: np.ndarray) -> np.ndarray:
    same = (tiers[:, 1:] == tiers[:, :-1]) & (tiers[:, 1:] >= 0)
    return same.any(axis=1)


def write_preflib(data: Any, path: Path, title: str = "") -> None:
    """Write ranked ballots as a PrefLib file of the type its suffix names (``.soc``,
    ``.soi``, ``.toc`` or ``.toi``): the full header, then identical orders merged, most
    frequent first. Ballots the type cannot hold and names a PrefLib line cannot hold are
    refused.

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "w.soc"
        >>> write_preflib({"candidates": ["x", "y"], "ballots": [{"ranking": ["y", "x"]}]}, p)
        >>> read_preflib(p)["ballots"]
        [{'ranking': ['y', 'x'], 'count': 1}]
        >>> try:
        ...     write_preflib({"candidates": ["x", "y"], "ballots": [{"ranking": ["y"]}]}, p)
        ... except InputError as err:
        ...     print(err)
        ballots.0.ranking: ranks 1 of 2 candidates; a .soc file holds complete orders \
(write a .soi or .toi file)
    """
    path = Path(path)
    kind = path.suffix.lower().lstrip(".")
    if kind not in TYPES:
        raise InputError("path", f"{path.name}: a PrefLib file ends in .soc, .soi, .toc or "
                         ".toi")
    given = data.get("candidates") if isinstance(data, dict) else None
    for i, name in enumerate(given if isinstance(given, list) else []):
        if isinstance(name, str) and (len(name.splitlines()) != 1 or name != name.strip()):
            raise InputError(f"candidates.{i}", f"{name!r} cannot be written to a PrefLib "
                             "file (a name must fit on its line, without spaces at either end)")
    candidates, rows, tiers, counts = _orders(data)
    for text, what in ((title, "title"),):
        if len(text.splitlines()) > 1:
            raise InputError(what, "must fit on one line")
    ties_ok, complete = TYPES[kind]
    m = len(candidates)
    if not ties_ok and tiers is not None:
        b = int(np.argmax(_tied_rows(tiers)))
        raise InputError(f"ballots.{b}.ranking", f"ranks candidates tied; a .{kind} file holds "
                         "strict orders (write a .toc or .toi file)")
    if complete:
        short = (rows < 0).any(axis=1)
        if short.any():
            b = int(np.argmax(short))
            other = "a .toi" if ties_ok else "a .soi or .toi"
            raise InputError(f"ballots.{b}.ranking", f"ranks {int((rows[b] >= 0).sum())} of "
                             f"{m} candidates; a .{kind} file holds complete orders (write "
                             f"{other} file)")
    from hurwicz.mechanisms.voting.profile import exact_bincount

    if len(rows):
        first, inverse = _unique_rows(rows, tiers)
    else:
        first, inverse = np.zeros(0, np.int64), np.zeros(0, np.int64)
    merged = exact_bincount(inverse, counts, len(first)).tolist()
    order = sorted(range(len(first)), key=lambda k: (-merged[k], int(first[k])))
    lines = [f"# FILE NAME: {path.name}", f"# TITLE: {title}", "# DESCRIPTION: ",
             f"# DATA TYPE: {kind}", "# MODIFICATION TYPE: ", "# RELATES TO: ",
             "# RELATED FILES: ", "# PUBLICATION DATE: ", "# MODIFICATION DATE: ",
             f"# NUMBER ALTERNATIVES: {m}", f"# NUMBER VOTERS: {sum(merged)}",
             f"# NUMBER UNIQUE ORDERS: {len(first)}"]
    lines += [f"# ALTERNATIVE NAME {i + 1}: {c}" for i, c in enumerate(candidates)]
    if tiers is not None:  # write tie groups in a canonical order
        rows, tiers = _sorted_ties(rows, tiers)
    for k in order:
        b = int(first[k])
        lines.append(f"{merged[k]}: {_order_text(rows[b], None if tiers is None else tiers[b])}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _order_text(row: np.ndarray, tier: np.ndarray | None) -> str:
    alts = [int(a) + 1 for a in row if a >= 0]
    if tier is None:
        return ",".join(map(str, alts))
    parts: list[list[int]] = []
    tiers = tier.tolist()
    for k, a in enumerate(alts):
        if k and tiers[k] == tiers[k - 1]:
            parts[-1].append(a)
        else:
            parts.append([a])
    return ",".join(str(p[0]) if len(p) == 1 else "{" + ",".join(map(str, p)) + "}"
                    for p in parts)


for _suffix in (".soc", ".soi", ".toc", ".toi"):
    register_reader(_suffix, read_preflib)

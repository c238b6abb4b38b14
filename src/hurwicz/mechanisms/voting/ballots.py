"""Bulk validation of ballot inputs: every ballot checked with array operations, errors naming
the field.

A voting input is ``{"candidates": [...], "ballots": [...]}`` (DESIGN.md). pydantic validates
the envelope (the candidate list); the ballots — possibly millions — are checked here in bulk:
each ballot's fields are gathered with C-level loops (``map``, ``itertools.chain``), candidate
names are turned into indices in one pass, and duplicates, ranges and counts are checked on
numpy arrays. A bad ballot is found by the vectorised check and then described exactly
(``ballots.12345.ranking: unknown candidate 'q'``), so the errors are those of a per-ballot
validation at a fraction of the cost.

Names in ballots are matched to the candidates exactly, or after Unicode normalisation (NFC),
as the candidate names themselves are normalised (:data:`hurwicz.core.types.Name`).

Counts are weights, never expanded: ``count`` is a whole number from 1 to 2**53 and an election
may hold 2**62 voters in total.

Example:
    >>> cands, ballots = envelope({"candidates": ["x", "y"], "ballots": [
    ...     {"ranking": ["y", "x"], "count": 2}]}, "ranking")
    >>> rankings, tiers, counts = ranked_arrays(cands, ballots)
    >>> rankings.tolist(), tiers, counts.tolist()
    ([[1, 0]], None, [2])
"""

from __future__ import annotations

import ctypes
import sys
import unicodedata
from collections.abc import Mapping, Sequence
from itertools import chain, repeat
from operator import itemgetter
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from hurwicz.core.bits import popcount
from hurwicz.core.errors import InputError
from hurwicz.core.outcome import Outcome
from hurwicz.core.types import Name
from hurwicz.core.validation import validate_model
from hurwicz.io.ballot_groups import RankedBallots
from hurwicz.io.cells import find_keys

#: Largest ``count`` of one ballot group (every count is exact in a float64 too).
MAX_COUNT = 2**53
#: Most voters an election may have in total: every sum of counts then fits an int64 exactly.
MAX_VOTERS = 2**62

#: The fields a ballot of each kind may have besides ``count``.
BALLOT_FIELDS = ("ranking", "approve", "scores", "votes")


class _Candidates(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    candidates: list[Name] = Field(min_length=1)


class _Index(dict):  # type: ignore[type-arg]
    """Candidate name → index; a name that is not a candidate maps to −1."""

    def __missing__(self, key: Any) -> int:
        return -1


def group_ids(n: int) -> list[str]:
    """The agent id of each ballot group of an input: ``b{g}``, g its index in ``ballots``.

    Example:
        >>> group_ids(3)
        ['b0', 'b1', 'b2']
    """
    return [f"b{g}" for g in range(n)]


def envelope(data: Any, field: str, rule: str = "this rule", extra: Sequence[str] = ()
             ) -> tuple[list[str], list[Any]]:
    """The validated candidate list and the list of ballot objects (their contents are checked
    by :func:`ranked_arrays` or :func:`cardinal_arrays`).

    ``field`` is the ballot kind the rule (named ``rule`` in messages) reads; ``extra`` names
    other top-level fields the input may have. Candidates must be distinct.

    Example:
        >>> try:
        ...     envelope({"candidates": ["x"], "ballots": [], "voters": 3}, "ranking")
        ... except InputError as err:
        ...     print(err)
        voters: unknown field
    """
    if isinstance(data, BaseModel):
        data = data.model_dump(exclude_none=True)
    if not isinstance(data, Mapping):
        raise InputError("input", f"must be a JSON object, got {type(data).__name__}")
    for key in data:
        if key not in ("candidates", "ballots", *extra):
            raise InputError(str(key), "unknown field")
    inp = validate_model(_Candidates, {k: data[k] for k in ("candidates",) if k in data})
    candidates = list(inp.candidates)
    if len(set(candidates)) != len(candidates):
        raise InputError("candidates", "lists a candidate twice")
    if "ballots" not in data:
        raise InputError("ballots", "required field is missing")
    ballots = data["ballots"]
    if isinstance(ballots, RankedBallots):  # read from a file: validated there, in bulk
        if field == "ranking" and ballots.arrays(candidates) is not None:
            return candidates, ballots  # type: ignore[return-value]
        ballots = ballots.as_list()
    if not isinstance(ballots, list):
        raise InputError("ballots", f"must be a list of ballots, got {type(ballots).__name__}")
    _check_ballot_objects(ballots, field, rule)
    return candidates, ballots


def _check_ballot_objects(ballots: list[Any], field: str, rule: str) -> None:
    """Every ballot is an object with ``field`` and optionally ``count``; on a cardinal ballot
    the other cardinal kinds' fields may be present as null (the schema allows them absent or
    null)."""
    n = len(ballots)
    if set(map(type, ballots)) - {dict}:
        for i, b in enumerate(ballots):
            if not isinstance(b, dict):
                raise InputError(f"ballots.{i}", f"must be an object with {field!r} (and "
                                 f"'count'), got {_short(b)}")
    present = sum(map(dict.__contains__, ballots, repeat(field)))
    counted = sum(map(dict.__contains__, ballots, repeat("count")))
    keys = sum(map(len, ballots))
    if present == n and keys == present + counted:
        return
    nullable = () if field == "ranking" else BALLOT_FIELDS[1:]
    for i, b in enumerate(ballots):  # describe the first bad ballot exactly
        for key, value in b.items():
            if key in nullable and key != field and value is None:
                continue
            if key not in (field, "count", *BALLOT_FIELDS) or (
                    field == "ranking" and field in b and key not in (field, "count")):
                text = str(key)
                raise InputError(f"ballots.{i}.{text if text.isprintable() else repr(text)}",
                                 "unknown field")
            if key != field and key != "count":
                raise InputError(f"ballots.{i}", f"{rule} needs {field!r} ballots")
        if field not in b:
            raise InputError(f"ballots.{i}.{field}", "required field is missing")


def counts_of(ballots: list[Any]) -> tuple[np.ndarray, int]:
    """Each ballot's ``count`` (default 1) as int64, and the total as a Python integer, after
    checking that each is a whole number from 1 to 2**53 and the total at most 2**62.

    Example:
        >>> counts_of([{"count": 2**53}, {}])[1]
        9007199254740993
        >>> try:
        ...     counts_of([{}, {"count": float("nan")}])
        ... except InputError as err:
        ...     print(err)
        ballots.1.count: must be a whole number from 1 to 2**53, got nan
    """
    raw = list(map(dict.get, ballots, repeat("count"), repeat(1)))
    if set(map(type, raw)) - {int}:
        for i, c in enumerate(raw):
            if type(c) is not int:
                _bad_count(i, c)
    try:
        counts = np.fromiter(raw, dtype=np.int64, count=len(raw))
    except OverflowError:
        i = next(i for i, c in enumerate(raw) if not -(2**63) <= c < 2**63)
        _bad_count(i, raw[i])
    bad = (counts < 1) | (counts > MAX_COUNT)
    if bad.any():
        i = int(np.argmax(bad))
        _bad_count(i, raw[i])
    total = sum(raw)
    if total > MAX_VOTERS:
        raise InputError("ballots", f"{total} voters in total, more than 2**62")
    return counts, total


def _bad_count(i: int, value: Any) -> None:
    raise InputError(f"ballots.{i}.count", f"must be a whole number from 1 to 2**53, got "
                     f"{_short(value)}")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _indices(names: list[Any], index: _Index) -> np.ndarray:
    """Candidate indices of hashable ``names`` (−1 for anything that is not a candidate)."""
    return np.fromiter(map(index.__getitem__, names), dtype=np.int64, count=len(names))


def _resolve_unknown(flat: list[Any], idx: np.ndarray, index: _Index) -> np.ndarray:
    """Indices of the entries that are no candidate name as given: names that become one
    after Unicode normalisation are fixed in ``idx``; the others are returned."""
    unknown = np.flatnonzero(idx < 0)
    left = []
    for k in unknown.tolist():
        name = flat[k]
        if isinstance(name, str) and not name.isascii():
            fixed = index.get(unicodedata.normalize("NFC", name), -1)
            if fixed >= 0:
                idx[k] = fixed
                continue
        left.append(k)
    return np.asarray(left, dtype=np.int64)


def _owner(ends: np.ndarray, k: int) -> int:
    """The ballot holding flat entry ``k`` (``ends``: cumulative lengths)."""
    return int(np.searchsorted(ends, k, side="right"))


def _unknown_error(ballot: int, field: str, name: Any) -> InputError:
    if isinstance(name, str):
        return InputError(f"ballots.{ballot}.{field}", f"unknown candidate {_short(name)}")
    return InputError(f"ballots.{ballot}.{field}", f"expects candidate names (strings), got "
                      f"{_short(name)}")


def padded(values: np.ndarray, lens: np.ndarray, width: int, fill: int = -1) -> np.ndarray:
    """Ragged rows (``values`` split by ``lens``) as an (n × width) array padded with
    ``fill``.

    Example:
        >>> padded(np.array([4, 5, 6]), np.array([2, 0, 1]), 2).tolist()
        [[4, 5], [-1, -1], [6, -1]]
    """
    n = len(lens)
    if n and len(values) == n * width and (lens == width).all():  # all rows full: a reshape
        return np.asarray(values, dtype=np.int64).reshape(n, width)
    out = np.full((n, max(width, 0)), fill, dtype=np.int64)
    if len(values):
        rows = np.repeat(np.arange(n), lens)
        starts = np.cumsum(lens) - lens
        cols = np.arange(len(values)) - np.repeat(starts, lens)
        out[rows, cols] = values
    return out


def _widen(rows: np.ndarray, m: int) -> np.ndarray:
    """Rows padded with −1 to ``m`` columns."""
    if rows.shape[1] == m:
        return rows
    return np.pad(rows, ((0, 0), (0, m - rows.shape[1])), constant_values=-1)


def _may_repeat(rows: np.ndarray, m: int) -> bool:
    """Whether some row may name a candidate twice (−1 entries ignored): exact for up to 62
    candidates (each row's set of candidates as bits, counted), otherwise always true."""
    if rows.shape[1] < 2:
        return False
    if m > 62:
        return True
    sets = np.zeros(len(rows), dtype=np.int64)
    named = np.zeros(len(rows), dtype=np.int64)
    for k in range(rows.shape[1]):
        column = rows[:, k]
        ranked = column >= 0
        sets |= np.left_shift(np.int64(1), column, where=ranked, out=np.zeros(len(rows), np.int64))
        named += ranked
    return bool((popcount(sets) != named).any())


def _first_duplicate(matrix: np.ndarray) -> tuple[int, int] | None:
    """(row, candidate) of the first row naming a candidate twice (−1 entries ignored)."""
    if matrix.shape[1] < 2:
        return None
    s = np.sort(matrix, axis=1)
    dup = (s[:, 1:] == s[:, :-1]) & (s[:, 1:] >= 0)
    rows = np.flatnonzero(dup.any(axis=1))
    if not len(rows):
        return None
    r = int(rows[0])
    return r, int(s[r, 1:][dup[r]][0])


def ranked_arrays(candidates: list[str], ballots: list[Any]
                  ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """Rankings (ballots × candidates, candidate indices, −1 padded), tiers (``None`` when no
    ballot ranks candidates tied) and counts, with every check applied.

    Example:
        >>> r, t, c = ranked_arrays(["x", "y", "z"], [{"ranking": [["x", "z"], "y"]}])
        >>> r.tolist(), t.tolist()
        ([[0, 2, 1]], [[0, 0, 1]])
        >>> try:
        ...     ranked_arrays(["x"], [{"ranking": ["x"]}, {"ranking": ["x", "x"]}])
        ... except InputError as err:
        ...     print(err)
        ballots.1.ranking: ranks 'x' twice
    """
    m = len(candidates)
    if isinstance(ballots, RankedBallots):
        arrays = ballots.arrays(candidates)
        if arrays is not None:
            return _from_groups(*arrays, m)
        ballots = ballots.as_list()
    index = _Index((c, i) for i, c in enumerate(candidates))
    rankings = list(map(itemgetter("ranking"), ballots))
    if set(map(type, rankings)) - {list}:
        i = next(i for i, r in enumerate(rankings) if type(r) is not list)
        raise InputError(f"ballots.{i}.ranking", f"must be a list of candidates, got "
                         f"{_short(rankings[i])}")
    lens = np.fromiter(map(len, rankings), dtype=np.int64, count=len(rankings))
    flat: list[Any] | None = None  # the entries as one list: only needed to describe errors
    tiers = None
    idx = _same_objects(rankings, int(lens.sum()), candidates)
    if idx is None:
        try:
            idx = np.fromiter(map(index.__getitem__, chain.from_iterable(rankings)),
                              dtype=np.int64, count=int(lens.sum()))
        except TypeError:  # a tie group (a list) or some other unhashable entry
            flat, idx, lens, tiers = _tied(rankings, list(chain.from_iterable(rankings)),
                                           lens, index)
    if len(idx) and int(idx.min()) < 0:
        flat = list(chain.from_iterable(rankings)) if flat is None else flat
        ends = np.cumsum(lens)
        for k in _resolve_unknown(flat, idx, index)[:1].tolist():
            raise _unknown_error(_owner(ends, k), "ranking", flat[k])
    width = int(lens.max(initial=0))
    rows = padded(idx, lens, width)
    dup = _first_duplicate(rows) if _may_repeat(rows, m) else None
    if dup is not None:
        raise InputError(f"ballots.{dup[0]}.ranking", f"ranks {candidates[dup[1]]!r} twice")
    # without duplicates no ballot ranks more than m candidates
    rows = _widen(rows, m)
    tier_rows = None if tiers is None else _widen(padded(tiers, lens, width), m)
    counts, _ = counts_of(ballots)
    return rows, tier_rows, counts


def _from_groups(rows: np.ndarray, counts: np.ndarray, m: int
                 ) -> tuple[np.ndarray, None, np.ndarray]:
    """:func:`ranked_arrays` of ballot groups a file reader validated (strict orders, no
    candidate twice, counts from 1 to 2**53): only the total is left to check."""
    if len(counts) and float(counts.sum(dtype=np.float64)) > MAX_VOTERS / 2:
        total = sum(counts.tolist())
        if total > MAX_VOTERS:
            raise InputError("ballots", f"{total} voters in total, more than 2**62")
    return _widen(np.asarray(rows, dtype=np.int64), m), None, counts


#: Fewest entries for which :func:`_same_objects` is tried.
_SAME_OBJECTS_FROM = 4096


def _same_objects(rankings: list[list[Any]], total: int, candidates: list[str]
                  ) -> np.ndarray | None:
    """The candidate index of every entry when every entry *is* one of the candidate name
    objects — as in inputs built from one list of names, like those the file readers return —
    found by address at C speed (an entry is the candidate object whose address it holds,
    which in CPython is its ``id``); ``None`` otherwise (the entries are then looked up by
    name)."""
    if (total < _SAME_OBJECTS_FROM or sys.implementation.name != "cpython"
            or np.dtype(object).itemsize != 8):  # 64-bit pointers are read below
        return None
    ids = {id(c): i for i, c in enumerate(candidates)}
    sample = next((r for r in rankings if r), [])
    if not all(id(x) in ids for x in sample):
        return None
    objects = np.fromiter(chain.from_iterable(rankings), dtype=object, count=total)
    # the object pointers the array holds, copied out while it holds them
    pointers = np.frombuffer((ctypes.c_uint64 * total).from_address(objects.ctypes.data),
                             dtype=np.uint64).copy()
    known = np.fromiter(ids, dtype=np.uint64, count=len(ids))
    place = find_keys(known, pointers)
    if not (known[place] == pointers).all():
        return None
    return np.fromiter(ids.values(), dtype=np.int64, count=len(ids))[place]


def _tied(rankings: list[list[Any]], flat: list[Any], lens: np.ndarray, index: _Index
          ) -> tuple[list[Any], np.ndarray, np.ndarray, np.ndarray | None]:
    """Rankings with tie groups: candidates flattened, with the tier of each (its entry's
    position in the ranking). ``tiers`` is ``None`` when every group has one candidate."""
    ends = np.cumsum(lens)
    sizes = np.ones(len(flat), dtype=np.int64)
    groups = []
    for k, entry in enumerate(flat):
        if type(entry) is list:
            if not entry:
                raise InputError(f"ballots.{_owner(ends, k)}.ranking", "has an empty tie group")
            sizes[k] = len(entry)
            groups.append(entry)
        else:
            groups.append((entry,))
    members = list(chain.from_iterable(groups))
    try:
        idx = _indices(members, index)
    except TypeError:
        k = next(k for k, x in enumerate(members) if not isinstance(x, str))
        entry = _owner(np.cumsum(sizes), k)
        ballot = _owner(ends, entry)
        if type(flat[entry]) is not list:
            raise _unknown_error(ballot, "ranking", members[k]) from None
        raise InputError(f"ballots.{ballot}.ranking", "tie groups hold candidate names, got "
                         f"{_short(members[k])}") from None
    starts = ends - lens
    position = np.arange(len(flat)) - np.repeat(starts, lens)
    tiers = np.repeat(position, sizes)
    new_lens = np.zeros(len(lens), dtype=np.int64)
    nonempty = lens > 0
    if nonempty.any():  # segments start at the non-empty ballots (empty ones hold nothing)
        new_lens[nonempty] = np.add.reduceat(sizes, starts[nonempty])
    return members, idx, new_lens, tiers if bool((sizes > 1).any()) else None


def cardinal_arrays(candidates: list[str], ballots: list[Any], field: str,
                    low: int, high: int) -> tuple[np.ndarray, np.ndarray]:
    """Values (ballots × candidates; approvals are 1) and counts, with every check applied:
    approval lists name each candidate once; scores and votes are whole numbers in
    ``low..high``.

    Example:
        >>> values, counts = cardinal_arrays(["x", "y"], [{"scores": {"y": 3}, "count": 2}],
        ...                                  "scores", 0, 5)
        >>> values.tolist(), counts.tolist()
        ([[0, 3]], [2])
        >>> try:
        ...     cardinal_arrays(["x"], [{"approve": ["x", "x"]}], "approve", 0, 1)
        ... except InputError as err:
        ...     print(err)
        ballots.0.approve: approves a candidate twice
    """
    m = len(candidates)
    n = len(ballots)
    index = _Index((c, i) for i, c in enumerate(candidates))
    given = [b[field] for b in ballots]
    kind = list if field == "approve" else dict
    if set(map(type, given)) - {kind}:
        i = next(i for i, g in enumerate(given) if type(g) is not kind)
        what = "a list of candidates" if kind is list else "an object {candidate: number}"
        raise InputError(f"ballots.{i}.{field}", f"must be {what}, got {_short(given[i])}")
    lens = np.fromiter(map(len, given), dtype=np.int64, count=n)
    ends = np.cumsum(lens)
    names = list(chain.from_iterable(given))  # list entries, or dict keys
    try:
        idx = _indices(names, index)
    except TypeError:
        k = next(k for k, x in enumerate(names) if not isinstance(x, str))
        raise _unknown_error(_owner(ends, k), field, names[k]) from None
    for k in _resolve_unknown(names, idx, index)[:1].tolist():
        raise _unknown_error(_owner(ends, k), field, names[k])
    rows = np.repeat(np.arange(n, dtype=np.int64), lens)
    seen = np.bincount(rows * m + idx, minlength=n * m) if n else np.zeros(0, np.int64)
    if (seen > 1).any():
        b = int(np.argmax(seen > 1)) // m
        what = "approves a candidate twice" if field == "approve" else \
            f"names {candidates[int(np.argmax(seen > 1)) % m]!r} twice"
        raise InputError(f"ballots.{b}.{field}", what)
    values = np.zeros((n, m), dtype=np.int64)
    if field == "approve":
        values[rows, idx] = 1
    else:
        raw = list(chain.from_iterable(map(dict.values, given)))
        numbers = _whole_numbers(raw, low, high)
        if numbers is None:
            k = next(k for k, v in enumerate(raw)
                     if type(v) is not int or not low <= v <= high)
            raise InputError(f"ballots.{_owner(ends, k)}.{field}.{names[k]}",
                             f"must be a whole number from {low} to {high}, got "
                             f"{_short(raw[k])}")
        values[rows, idx] = numbers
    counts, _ = counts_of(ballots)
    return values, counts


def _whole_numbers(raw: list[Any], low: int, high: int) -> np.ndarray | None:
    """``raw`` as int64 if every entry is an int in ``low..high``, else ``None``."""
    if set(map(type, raw)) - {int}:
        return None
    try:
        out = np.fromiter(raw, dtype=np.int64, count=len(raw))
    except OverflowError:
        return None
    if len(out) and (out.min() < low or out.max() > high):
        return None
    return out


def first_row(bad: np.ndarray) -> int | None:
    """Index of the first true entry of a boolean vector, or ``None``.

    Example:
        >>> first_row(np.array([False, True])), first_row(np.array([False]))
        (1, None)
    """
    return int(np.argmax(bad)) if bad.any() else None


def group_outcome(mech: Any, value: Any, groups: Sequence[int] | None,
                  result: dict[str, Any], voters: int) -> Outcome:
    """The Outcome of a voting rule: each ballot group ``b{g}`` of the input is an agent whose
    allocation is ``value`` (the winner, or the committee) and whose payment is 0;
    ``result["ballot_counts"]`` gives each group's count and ``metrics["voters"]`` the total.

    Example:
        >>> import hurwicz as hz
        >>> out = group_outcome(hz.mechanism("voting.plurality"), "x", [3, 1], {}, 4)
        >>> out.allocation, out.result["ballot_counts"], out.metrics
        ({'b0': 'x', 'b1': 'x'}, {'b0': 3, 'b1': 1}, {'voters': 4})
    """
    counts = dict(zip(group_ids(len(groups or ())), groups or ()))
    # dicts built from one dict's keys reuse the ids' cached hashes
    result = {**result, "ballot_counts": counts}
    return Outcome(mech.name, mech.param_dict(), dict.fromkeys(counts, value),
                   dict.fromkeys(counts, 0.0), result, {"voters": int(voters)})

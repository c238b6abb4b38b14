"""Two-sided preference input, validation, and the integer-array encoding used by the solvers.

Input (DESIGN.md): ``{"proposers": {"s1": ["c1", "c2"]}, "receivers": {"c1": ["s2", "s1"]},
"capacities": {"c1": 2}}``. Lists may be truncated (unlisted partners are unacceptable —
except in school TTC, which completes each receiver's priority list with the unlisted proposers
as a last tie class; see :mod:`.ttc`).
A receiver's list may contain ties as nested lists, ``[["s1", "s2"], "s3"]``, broken by the
mechanism's ``tie_break``: ``"lowest_name"``, or a seed giving each proposer a lottery number
derived from the seed and its name (``lottery="single"``: the same number at every receiver) or
from the seed, the receiver's and the proposer's names (``"multiple"``) — never from the input's
order. Capacities default to 1 and may be 0; a tie group may not be empty.

A receiver's priorities may instead be given as school districts publish them
(:class:`PriorityClasses`): ``{"classes": [["s1", "s2"], ["s3"]], "others": "lottery"}`` —
priority classes, highest first, each class one tie group; with ``"others": "lottery"`` (the
default) every other proposer who applies ranks below all classes, as one more tie class, and
with ``"unacceptable"`` she is unacceptable. Every tie is broken by the same ``tie_break`` and
``lottery``, so the compact form gives exactly the matching of the equivalent full list.

Validation is done in bulk (one dictionary look-up per listed name, array operations for
duplicates and unknown names); the first offending entry, in input order, is located only when
something is wrong, and every problem names its field (``proposers.s17: unknown receiver
'c9'``). Wrong types and malformed names are reported by the pydantic model
:class:`TwoSidedInput`, the schema of record.

Arrays: ``prefs[i, k]`` is the k-th choice (receiver index) of proposer i, −1 padded;
``pair_rank[i, k]`` is proposer i's rank at that receiver (a large number if unacceptable to the
receiver); ``capacity[j]``; ``priority_flat[priority_start[j]:priority_start[j + 1]]``, receiver
j's listed proposers best first (ties broken; the ``others`` of a :class:`PriorityClasses`
receiver are not listed). Only listed pairs are stored, so memory is O(proposers × list length
+ receivers' list lengths), not O(proposers × receivers).

Example:
    >>> m = encode(validate_two_sided({"proposers": {"a": ["x"], "b": ["x", "y"]},
    ...                                "receivers": {"x": ["b", "a"], "y": ["b"]}}))
    >>> m.prefs.tolist(), m.pair_rank[1].tolist(), m.capacity.tolist()
    ([[0, -1], [0, 1]], [0, 0], [1, 1])
    >>> int(m.pair_rank[0, 0]), bool(m.pair_rank[0, 1] == UNACCEPTABLE)
    (1, True)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import chain, repeat
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from hurwicz.core.errors import InputError
from hurwicz.core.tie_break import seeded_priority
from hurwicz.core.types import MAX_NAME_LENGTH, Name, check_name, join_field
from hurwicz.core.validation import validate_model

UNACCEPTABLE = np.iinfo(np.int64).max // 4
FIELDS = ("proposers", "receivers", "capacities")
#: Largest capacity a receiver may have (more seats than that many students is meaningless,
#: and larger integers would overflow the solvers' int64 arrays).
MAX_CAPACITY = 10**12
OTHERS = ("lottery", "unacceptable")


class PriorityClasses(BaseModel):
    """A receiver's priorities as districts publish them: priority classes (siblings, walk
    zone, ...), highest first, plus a lottery.

    Example:
        >>> PriorityClasses(classes=[["s1", "s2"], ["s3"]]).others
        'lottery'
    """

    model_config = ConfigDict(strict=True, extra="forbid")
    classes: list[list[Name]] = Field(
        description="priority classes, highest first; the members of a class are tied (the "
        "tie is broken by the mechanism's tie_break and lottery); no class may be empty and "
        "nobody may be in two classes")
    others: Literal["lottery", "unacceptable"] = Field(
        "lottery", description="proposers in no class: 'lottery' — every one who applies "
        "ranks below all classes, as one more tie class; 'unacceptable' — they are not "
        "admitted (school TTC: unlisted students always form a last tie class)")


class TwoSidedInput(BaseModel):
    """Proposers' and receivers' preference lists, receivers' capacities.

    A receiver's value is its full list (ties as nested lists) or :class:`PriorityClasses`.
    """

    model_config = ConfigDict(strict=True, extra="forbid")
    proposers: dict[Name, list[Name]]
    receivers: dict[Name, list[Name | list[Name]] | PriorityClasses]
    capacities: dict[Name, Annotated[int, Field(ge=0, le=MAX_CAPACITY)]] = Field(
        default_factory=dict)
    #: the name codes found by :func:`validate_two_sided` (tie-break independent)
    _codes: Codes | None = PrivateAttr(default=None)


@dataclass
class Codes:
    """A validated market's names as integer codes, independent of the tie-break.

    ``proposers`` and ``receivers`` are sorted, so a code's order is its name's order.
    ``entry_member[entry_start[j]:entry_start[j + 1]]``: receiver j's listed proposers in the
    order listed; ``group_start[e]``: the first entry of entry e's tie group (``None`` when no
    receiver has a tie group); ``pair_entry[i, k]``: the entry of proposer i at its k-th choice
    (−1: not listed there); ``others[j]``: receiver j ranks its other applicants last by the
    lottery.
    """

    proposers: list[str]
    receivers: list[str]
    prefs: np.ndarray
    pair_entry: np.ndarray
    entry_start: np.ndarray
    entry_member: np.ndarray
    group_start: np.ndarray | None
    others: np.ndarray
    capacity: np.ndarray


class _ModelDecidesError(Exception):
    """The bulk path met a value it does not handle (a wrong type, a name to normalise): the
    pydantic model decides."""


def clean_names(names: list[Any]) -> bool:
    """Every item is a valid name already in normal form (what the model would return
    unchanged); checked in bulk for ASCII names.

    Example:
        >>> clean_names(["s1", "Zo\u00eb"]), clean_names(["s1", ""]), clean_names(["a\\nb"])
        (True, False, False)
    """
    try:
        joined = "".join(names)
    except TypeError:
        return False
    if joined.isascii():
        return (joined.isprintable() and min(map(len, names), default=1) >= 1
                and max(map(len, names), default=0) <= MAX_NAME_LENGTH)
    for name in names:
        try:
            if check_name(name, "") != name:
                return False
        except InputError:
            return False
    return True


def _envelope(data: Any) -> tuple[dict[str, list[Any]], dict[str, Any], dict[str, int]] | None:
    """The three mappings when their structure is what the bulk path handles (else None: the
    model reports the problem)."""
    if not isinstance(data, Mapping) or not set(data) <= set(FIELDS) or not (
            "proposers" in data and "receivers" in data):
        return None
    proposers, receivers = data["proposers"], data["receivers"]
    capacities = data.get("capacities", {})
    if not (type(proposers) is dict and type(receivers) is dict and type(capacities) is dict):
        return None
    if not (clean_names(list(proposers)) and set(map(type, proposers.values())) <= {list}):
        return None
    if not clean_names(list(receivers)):
        return None
    for value in receivers.values():
        if type(value) is list:
            continue
        if type(value) is not dict:
            return None
        classes = value.get("classes")
        if not (set(value) <= {"classes", "others"} and type(classes) is list
                and all(type(c) is list for c in classes)
                and value.get("others", "lottery") in OTHERS):
            return None
    if not (clean_names(list(capacities))
            and all(type(c) is int and 0 <= c <= MAX_CAPACITY for c in capacities.values())):
        return None
    return proposers, receivers, capacities


def _dump(inp: TwoSidedInput) -> dict[str, Any]:
    return {"proposers": inp.proposers,
            "receivers": {r: v.model_dump() if isinstance(v, PriorityClasses) else v
                          for r, v in inp.receivers.items()},
            "capacities": inp.capacities}


def _validate_model(data: Any) -> TwoSidedInput:
    """pydantic validation of the whole input; a problem inside a :class:`PriorityClasses`
    is reported by that model alone (the union with full lists would tag the location)."""
    try:
        return validate_model(TwoSidedInput, data)
    except InputError as err:
        receivers = data.get("receivers") if isinstance(data, Mapping) else None
        if isinstance(receivers, dict) and (err.field or "").startswith("receivers."):
            for who, value in receivers.items():
                prefix = join_field("receivers", who)
                if isinstance(value, dict) and f"{err.field}.".startswith(f"{prefix}."):
                    validate_model(PriorityClasses, value, prefix)
        raise


def validate_two_sided(data: Any) -> TwoSidedInput:
    """Validate names, duplicates and capacities; every problem names its field — or, for
    data read from a file that can say where each entry came from (a ``locate_error`` method,
    as :class:`hurwicz.io.matching_csv.LocatedMarket` has), the file and line.

    Example:
        >>> try:
        ...     validate_two_sided({"proposers": {"a": ["x", "x"]}, "receivers": {"x": []}})
        ... except InputError as err:
        ...     print(err)
        proposers.a: lists 'x' twice
        >>> try:
        ...     validate_two_sided({"proposers": {"a": ["x"]},
        ...                         "receivers": {"x": {"classes": [["a"], []]}}})
        ... except InputError as err:
        ...     print(err)
        receivers.x.classes.1: is an empty priority class
    """
    try:
        return _validate(data)
    except InputError as err:
        locate = getattr(data, "locate_error", None)
        if callable(locate):
            raise locate(err) from None
        raise


def _validate(data: Any) -> TwoSidedInput:
    if isinstance(data, TwoSidedInput):
        if data._codes is not None:
            return data
        data = _dump(data)
    if isinstance(data, Mapping) and isinstance(data.get("capacities"), dict):
        for name, cap in data["capacities"].items():
            if isinstance(cap, int) and not isinstance(cap, bool) and cap < 0:
                raise InputError(f"capacities.{name}", f"must be >= 0, got {cap}")
    parts = _envelope(data)
    codes = None
    if parts is not None:
        try:
            codes = _check_and_code(*parts)
        except _ModelDecidesError:
            parts = None
    if parts is None:
        # the schema of record reports wrong types and bad names (or normalises names)
        parts = _envelope(_dump(_validate_model(data)))
        try:
            codes = _check_and_code(*parts) if parts is not None else None
        except _ModelDecidesError:
            codes = None
        if parts is None or codes is None:  # pragma: no cover - the model accepted it
            raise InputError("input", "could not be validated")
    proposers, receivers, capacities = parts
    receivers = {r: PriorityClasses.model_construct(classes=v["classes"],
                                                    others=v.get("others", "lottery"))
                 if type(v) is dict else v for r, v in receivers.items()}
    inp = TwoSidedInput.model_construct(proposers=proposers, receivers=receivers,
                                        capacities=capacities)
    inp._codes = codes
    return inp


def _lookup(table: dict[str, int], names: list[Any]) -> np.ndarray:
    """Codes of ``names`` in ``table`` (−1: unknown); a list or dict among them (a wrong type,
    or a tie group the caller expands) raises ``TypeError``."""
    return np.array(list(map(table.get, names, repeat(-1))), dtype=np.int64)


def _unknown_are_names(names: list[Any], codes: np.ndarray) -> None:
    """Unknown entries must at least be clean names, else the model names the problem."""
    bad = np.flatnonzero(codes < 0)
    if bad.size and not clean_names([names[i] for i in bad.tolist()]):
        raise _ModelDecidesError


def _check_and_code(proposers: dict[str, list[Any]], receivers: dict[str, Any],
                    capacities: dict[str, int]) -> Codes:
    """Names to codes in bulk; raise for the first problem in the order the schema lists
    them (a name on both sides; proposers, then receivers, in input order; capacities)."""
    pkeys, rkeys = list(proposers), list(receivers)
    P, R = sorted(pkeys), sorted(rkeys)
    n, m = len(P), len(R)
    pi, rj = dict(zip(P, range(n))), dict(zip(R, range(m)))
    scale = max(n, 1)

    # proposers' lists -> prefs, rows in name order
    plists = list(proposers.values())
    lens = np.fromiter(map(len, plists), np.int64, n)
    width = max(int(lens.max()) if n else 0, 1)
    pflat = list(chain.from_iterable(plists))
    try:
        pcodes = _lookup(rj, pflat)
    except TypeError:
        raise _ModelDecidesError from None
    _unknown_are_names(pflat, pcodes)
    rows_in = np.fromiter(map(pi.__getitem__, pkeys), np.int64, n)  # input position -> row
    prefs = np.full((n, width), -1, dtype=np.int64)
    if pflat:
        starts = np.cumsum(lens) - lens
        prefs[np.repeat(rows_in, lens), np.arange(len(pflat)) - np.repeat(starts, lens)] = pcodes
    flat_prefs = prefs.ravel()
    listed = np.flatnonzero(flat_prefs >= 0)
    qkey = flat_prefs[listed] * scale + listed // width  # (receiver, proposer) of listed pairs
    order_q = np.argsort(qkey)
    sq = qkey[order_q]

    # receivers' lists (name order) -> explicit entries, receiver by receiver
    values = [receivers[r] for r in R]
    is_classes = [type(v) is dict for v in values]
    others = np.array([c and v.get("others", "lottery") == "lottery"
                       for c, v in zip(is_classes, values)], dtype=bool)
    entry_lists = [v["classes"] if c else v for c, v in zip(is_classes, values)]
    entry_counts = np.fromiter(map(len, entry_lists), np.int64, m)
    rflat = list(chain.from_iterable(entry_lists))
    group_start = None
    empty_owner = np.zeros(0, dtype=np.int64)
    try:
        if any(is_classes):
            raise TypeError
        members = _lookup(pi, rflat)  # full lists without ties: one name per entry
        counts = entry_counts
        names = rflat
    except TypeError:  # tie groups or classes: expand every entry into its members
        sizes = np.fromiter((len(e) if type(e) is list else 1 for e in rflat), np.int64,
                            len(rflat))
        names = list(chain.from_iterable(e if type(e) is list else (e,) for e in rflat))
        try:
            members = _lookup(pi, names)
        except TypeError:
            raise _ModelDecidesError from None
        cum = np.concatenate([[0], np.cumsum(sizes)])
        bounds = np.concatenate([[0], np.cumsum(entry_counts)])
        counts = np.diff(cum[bounds])
        group_start = np.repeat(cum[:-1], sizes)
        empty_owner = np.searchsorted(bounds, np.flatnonzero(sizes == 0), side="right") - 1
    _unknown_are_names(names, members)
    entry_start = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    owner = np.repeat(np.arange(m), counts)
    # unknown members get distinct negative keys
    key_e = np.where(members >= 0, owner * scale + members, -1 - np.arange(len(members)))
    order_e = np.argsort(key_e)
    sorted_e = key_e[order_e]

    # --- the first problem, in the order of the schema ------------------------------------------
    both = proposers.keys() & receivers.keys()
    if both:
        raise InputError("receivers", f"{sorted(both)[0]!r} is on both sides")
    bad = np.zeros(n, dtype=bool)  # by row
    bad[(listed[order_q] // width)[1:][sq[1:] == sq[:-1]]] = True  # a receiver listed twice
    bad = bad[rows_in]  # by input position
    bad[np.repeat(np.arange(n), lens)[pcodes < 0]] = True
    if bad.any():
        who = pkeys[int(np.argmax(bad))]
        _list_problem(f"proposers.{who}", proposers[who], rj, "receiver")
    bad = np.zeros(m, dtype=bool)  # by receiver code
    twice = order_e[1:][(sorted_e[1:] == sorted_e[:-1]) & (sorted_e[1:] >= 0)]
    bad[owner[twice]] = True
    bad[owner[members < 0]] = True
    bad[empty_owner] = True
    if bad.any():
        who = rkeys[int(np.argmax(bad[np.fromiter(map(rj.__getitem__, rkeys), np.int64, m)]))]
        _receiver_problem(who, receivers[who], pi)
    for name in capacities:
        if name not in receivers:
            raise InputError(f"capacities.{name}", "is not a receiver")

    # --- which explicit entry each listed pair is: sorted queries against sorted entries ------
    pair_entry = np.full(flat_prefs.shape, -1, dtype=np.int64)
    if listed.size and len(members):
        pos = np.minimum(np.searchsorted(sorted_e, sq), len(sorted_e) - 1)
        hit = sorted_e[pos] == sq
        pair_entry[listed[order_q[hit]]] = order_e[pos[hit]]
    capacity = np.fromiter((capacities.get(r, 1) for r in R), np.int64, m)
    return Codes(P, R, prefs, pair_entry.reshape(prefs.shape), entry_start, members,
                 group_start, others, capacity)


def _list_problem(field: str, names: Any, known: dict[str, int], what: str) -> None:
    """Raise for the first unknown or repeated name of one list, in listed order."""
    seen: set[str] = set()
    for name in names:
        if name not in known:
            raise InputError(field, f"unknown {what} {name!r}")
        if name in seen:
            raise InputError(field, f"lists {name!r} twice")
        seen.add(name)


def _receiver_problem(who: str, value: Any, known: dict[str, int]) -> None:
    """Raise for receiver ``who``'s first problem: an empty tie group or class, then an
    unknown or repeated proposer (in listed order)."""
    if type(value) is dict:
        field = f"receivers.{who}.classes"
        for k, members in enumerate(value["classes"]):
            if not members:
                raise InputError(f"{field}.{k}", "is an empty priority class")
        _list_problem(field, chain.from_iterable(value["classes"]), known, "proposer")
        return
    for k, entry in enumerate(value):
        if type(entry) is list and not entry:
            raise InputError(f"receivers.{who}.{k}", "is an empty tie group")
    _list_problem(f"receivers.{who}", chain.from_iterable(
        e if type(e) is list else (e,) for e in value), known, "proposer")


@dataclass
class Market:
    """Integer-array view of a two-sided market, with the tie-break that encoded it."""

    proposers: list[str]
    receivers: list[str]
    prefs: np.ndarray
    pair_rank: np.ndarray
    capacity: np.ndarray
    #: receiver j's listed proposers (indices), best first, ties broken:
    #: ``priority_flat[priority_start[j]:priority_start[j + 1]]``
    priority_flat: np.ndarray
    priority_start: np.ndarray
    tie_break: Any = "lowest_name"
    lottery: str = "single"

    def priority(self, j: int) -> list[int]:
        """Receiver ``j``'s listed proposers, best first.

        Example:
            >>> mk = encode(validate_two_sided({"proposers": {"a": ["x"], "b": ["x"]},
            ...                                 "receivers": {"x": ["b", "a"]}}))
            >>> mk.priority(0)
            [1, 0]
        """
        return self.priority_flat[self.priority_start[j]:self.priority_start[j + 1]].tolist()


def break_ties(tie_break: Any, lottery: str, receiver: str,
               members: list[str]) -> list[str]:
    """Members of one tie class at ``receiver`` in the order the tie-break ranks them: by name
    (``"lowest_name"``), or by seeded lottery numbers of the proposers' names (``"single"``) or
    of the receiver's and proposers' names (``"multiple"``) — never by input order.

    Example:
        >>> break_ties("lowest_name", "single", "x", ["b", "a"])
        ['a', 'b']
        >>> break_ties(3, "single", "x", ["b", "a"]) == break_ties(3, "single", "y", ["a", "b"])
        True
    """
    if tie_break == "lowest_name":
        return sorted(members)
    keys = members if lottery == "single" else [f"{receiver}\x1f{m}" for m in members]
    prio = seeded_priority(int(tie_break), keys)
    return [m for _, m in sorted(zip(prio.tolist(), members))]


def tie_keys(tie_break: Any, lottery: str, receivers: np.ndarray, members: np.ndarray,
             codes: Codes) -> np.ndarray:
    """The lottery number of each (receiver, proposer) pair: with ``break_ties``' rule, a tie
    is ordered by (number, proposer code) — the code is the name's rank.

    Example:
        >>> c = validate_two_sided({"proposers": {"a": [], "b": []}, "receivers": {"x": []}})._codes
        >>> tie_keys("lowest_name", "single", np.array([0, 0]), np.array([0, 1]), c).tolist()
        [0, 0]
    """
    if tie_break == "lowest_name" or not len(members):
        return np.zeros(len(members), dtype=np.uint64)
    names = codes.proposers
    if lottery == "single":
        unique, inverse = np.unique(members, return_inverse=True)
        return seeded_priority(int(tie_break), [names[i] for i in unique.tolist()])[inverse]
    rec = codes.receivers
    return seeded_priority(int(tie_break), [f"{rec[j]}\x1f{names[i]}" for j, i in
                                             zip(receivers.tolist(), members.tolist())])


def codes_of(inp: TwoSidedInput) -> Codes:
    """The name codes of a validated input (validating it if it was built directly).

    Example:
        >>> codes_of(TwoSidedInput(proposers={"a": ["x"]}, receivers={"x": ["a"]})).prefs.tolist()
        [[0]]
    """
    codes = inp._codes
    if codes is None:
        codes = validate_two_sided(_dump(inp))._codes
        inp._codes = codes
    return codes


def encode(inp: TwoSidedInput, tie_break: Any = 0, lottery: str = "single") -> Market:
    """Encode names as indices; break receivers' ties (``"lowest_name"``, or a seeded lottery:
    ``single`` — one number per proposer shared by every receiver; ``multiple`` — one per
    receiver and proposer), from names only.

    Example:
        >>> inp = validate_two_sided({"proposers": {"a": ["x"], "b": ["x"]},
        ...                           "receivers": {"x": [["a", "b"]]}})
        >>> sorted(encode(inp, 0, "single").pair_rank[:, 0].tolist())
        [0, 1]
        >>> encode(inp, "lowest_name").pair_rank[:, 0].tolist()
        [0, 1]
        >>> classes = validate_two_sided({"proposers": {"a": ["x"], "b": ["x"]},
        ...                               "receivers": {"x": {"classes": [["b"]]}}})
        >>> encode(classes, "lowest_name").pair_rank[:, 0].tolist()  # a: among the others
        [1, 0]
    """
    c = codes_of(inp)
    m = len(c.receivers)
    members = c.entry_member
    counts = np.diff(c.entry_start)
    owner = np.repeat(np.arange(m), counts)
    rank_e = np.arange(len(members)) - c.entry_start[owner]
    if c.group_start is not None and len(members):
        group = c.group_start
        tied = np.flatnonzero(np.bincount(group, minlength=len(members))[group] > 1)
        if tied.size:
            keys = tie_keys(tie_break, lottery, owner[tied], members[tied], c)
            ts = tied[np.lexsort((members[tied], keys, group[tied]))]
            g = group[ts]
            first = np.searchsorted(g, g)  # g is sorted: where each group starts in ts
            rank_e[ts] = g - c.entry_start[owner[g]] + np.arange(len(ts)) - first
    pe = c.pair_entry
    if len(members):
        pair_rank = np.where(pe >= 0, rank_e[np.maximum(pe, 0)], UNACCEPTABLE)
    else:
        pair_rank = np.full(pe.shape, UNACCEPTABLE, dtype=np.int64)
    if c.others.any():
        rest = (pe < 0) & (c.prefs >= 0) & c.others[np.maximum(c.prefs, 0)]
        ri, rk = np.nonzero(rest)
        if ri.size:
            rj = c.prefs[ri, rk]
            order = np.lexsort((ri, tie_keys(tie_break, lottery, rj, ri, c), rj))
            js = rj[order]
            within = np.arange(len(order)) - np.searchsorted(js, js)
            pair_rank[ri[order], rk[order]] = counts[js] + within
    priority_flat = np.empty(len(members), dtype=np.int64)
    priority_flat[c.entry_start[owner] + rank_e] = members
    return Market(c.proposers, c.receivers, c.prefs, pair_rank, c.capacity, priority_flat,
                  c.entry_start, tie_break, lottery)

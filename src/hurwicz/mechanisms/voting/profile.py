"""Ranked ballots as integer arrays with counts, and the pairwise margins every Condorcet
method shares.

Input (DESIGN.md): ``{"candidates": ["x", "y", "z"], "ballots": [{"ranking": ["x", "y"],
"count": 3}]}``. Rankings may be truncated (unranked candidates are below every ranked one and
tied with each other). A nested list ranks candidates tied: ``[["x", "y"], "z"]``.

``Profile.rankings[u, k]`` is ballot group u's k-th choice (candidate index, −1 padded) and
``counts[u]`` its number of voters; identical ballots are merged. With ties, ``tiers[u, k]`` is
the tier of that choice (0 = top; −1 padded) and ``tiers`` is ``None`` for strict profiles.
Tied candidates share what their positions would earn: the average position (so symmetric
Borda points), equal fractions of a first choice, and no pairwise preference between them —
exactly the average over the ballot's linear extensions.

Tallies are exact (DESIGN.md, "What exact means"): counts are integers, sums of them are
integers (never rounded through floating point, whatever their size), and the fractions that
tied ballots create are :class:`fractions.Fraction` values, so rules compare tallies with
``==`` and ``<``, never with a tolerance.

Example:
    >>> p = Profile.from_input({"candidates": ["x", "y", "z"], "ballots": [
    ...     {"ranking": ["x", "y"], "count": 2}, {"ranking": ["x", "y"]}, {"ranking": ["z"]}]})
    >>> p.rankings.tolist(), p.counts.tolist()
    ([[2, -1, -1], [0, 1, -1]], [1, 3])
    >>> p.margins().tolist()
    [[0, 3, 2], [-3, 0, 2], [-2, -2, 0]]
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from hurwicz.core.errors import InputError
from hurwicz.core.types import Name

from .ballots import MAX_VOTERS, envelope, ranked_arrays

#: Below this bound a float64 sum of integers is exact (every partial sum is a whole number
#: under 2**53); the helpers below fall back to integer or Python-integer arithmetic above it.
_FLOAT_EXACT = 2**52


def require_voters(voters: int) -> None:
    """Refuse an election nobody voted in (a rule would otherwise "elect" by tie-break alone).

    Example:
        >>> try:
        ...     require_voters(0)
        ... except InputError as err:
        ...     print(err)
        ballots: no voter cast a ballot (an election needs at least one)
    """
    if voters <= 0:
        raise InputError("ballots", "no voter cast a ballot (an election needs at least one)")
    if voters > MAX_VOTERS:
        raise InputError("ballots", f"{voters} voters in total, more than 2**62")


def exact_bincount(index: np.ndarray, weights: np.ndarray, minlength: int) -> np.ndarray:
    """Sums of integer ``weights`` per ``index``, exactly: an int64 array, or an object array
    of Python integers when a sum does not fit in int64.

    Example:
        >>> exact_bincount(np.array([0, 0, 1]), np.array([2**53, 1, 2]), 2).tolist()
        [9007199254740993, 2]
    """
    index = np.asarray(index, dtype=np.int64)
    weights = np.asarray(weights)
    if len(index) == 0:
        return np.zeros(minlength, dtype=np.int64)
    if weights.dtype != object:
        bound = float(np.abs(weights).sum(dtype=np.float64))
        if bound < _FLOAT_EXACT:  # float64 bincount is exact here and fast
            return np.bincount(index, weights=weights, minlength=minlength).astype(np.int64)
    out = np.zeros(minlength, dtype=object)
    out[:] = 0
    np.add.at(out, index, weights.astype(object))
    return _narrow(out)


def pack_rows(rows: np.ndarray) -> np.ndarray:
    """Each row of small integers (−1 ≤ x ≤ 14, at most 15 columns) as one int64, 4 bits per
    column: equal rows, and only they, get equal keys.

    Example:
        >>> pack_rows(np.array([[0, 1], [1, -1]])).tolist()
        [33, 2]
    """
    rows = np.asarray(rows)
    keys = np.zeros(len(rows), dtype=np.int64)
    for k in range(rows.shape[1]):  # column by column: no (rows × columns) int64 copy
        keys |= (rows[:, k].astype(np.int64) + 1) << (4 * k)
    return keys


def unique_keys(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(keys, return_index=True, return_inverse=True)[1:]`` for int64 keys: the
    first index of each distinct key (in increasing key order) and each key's distinct-key
    number, with one unstable sort.

    Example:
        >>> [a.tolist() for a in unique_keys(np.array([5, 3, 5, 1]))]
        [[3, 1, 0], [2, 1, 2, 0]]
    """
    n = len(keys)
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    order = np.argsort(keys)
    ordered = keys[order]
    new = np.empty(n, dtype=bool)
    new[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    inverse = np.empty(n, dtype=np.int64)
    if new.all():
        inverse[order] = np.arange(n)
        return order.astype(np.int64, copy=False), inverse
    inverse[order] = np.cumsum(new) - 1
    first = np.minimum.reduceat(order, np.flatnonzero(new))  # sorting was not stable
    return first.astype(np.int64, copy=False), inverse


def weighted_column_sums(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``Σ_u counts[u] · values[u, c]`` for integer ``values``, exactly (int64 where the sums
    fit, Python integers beyond).

    Example:
        >>> weighted_column_sums(np.array([[2, 0], [1, 3]]), np.array([2**40, 1])).tolist()
        [2199023255553, 3]
    """
    values = np.asarray(values)
    counts = np.asarray(counts)
    if values.size == 0:
        return np.zeros(values.shape[1], dtype=np.int64)
    bound = int(np.abs(values).max()) * int(counts.sum())
    if bound < _FLOAT_EXACT:  # every partial sum is a whole number below 2**52: BLAS is exact
        kind = np.float32 if bound < 2**24 else np.float64  # (2**24 for float32)
        return (counts.astype(kind) @ values.astype(kind)).astype(np.int64)
    if bound < 2**63:
        return (values.astype(np.int64) * counts.astype(np.int64)[:, None]).sum(axis=0)
    big = values.astype(object) * counts.astype(object)[:, None]
    return _narrow(big.sum(axis=0))


def _narrow(values: np.ndarray) -> np.ndarray:
    """Python integers as int64 when they all fit."""
    ints = [int(v) for v in values]
    if all(-(2**63) <= v < 2**63 for v in ints):
        return np.array(ints, dtype=np.int64)
    out = np.empty(len(ints), dtype=object)
    out[:] = ints
    return out


def exact_ratio(numerators: np.ndarray, denominator: int) -> np.ndarray:
    """``numerators / denominator`` exactly: integers stay an integer array, otherwise an
    object array of :class:`~fractions.Fraction`.

    Example:
        >>> exact_ratio(np.array([4, 2]), 2).tolist(), exact_ratio(np.array([3, 2]), 2).tolist()
        ([2, 1], [Fraction(3, 2), Fraction(1, 1)])
    """
    if denominator == 1:
        return numerators
    ints = [int(v) for v in numerators]
    if all(v % denominator == 0 for v in ints):
        return _narrow(np.array([v // denominator for v in ints], dtype=object))
    out = np.empty(len(ints), dtype=object)
    out[:] = [Fraction(v, denominator) for v in ints]
    return out


class Ballot(BaseModel):
    """One ranking and how many voters cast it (the schema; validation is in bulk, see
    :mod:`.ballots`)."""

    model_config = ConfigDict(strict=True, extra="forbid")
    ranking: list[Name | list[Name]]
    count: int = Field(1, ge=1, le=2**53)


class RankedInput(BaseModel):
    """Candidates and ranked ballots."""

    model_config = ConfigDict(strict=True, extra="forbid")
    candidates: list[Name] = Field(min_length=1)
    ballots: list[Ballot]


@dataclass
class Profile:
    """Merged ballot groups as arrays; ``groups`` holds the counts of the input's ballot
    groups in input order (``None`` for a profile built from arrays)."""

    candidates: list[str]
    rankings: np.ndarray
    counts: np.ndarray
    tiers: np.ndarray | None = None
    groups: list[int] | None = None

    @classmethod
    def from_input(cls, data: Any, rule: str = "this rule") -> Profile:
        """Validate (in bulk) and encode; errors name the ballot and the problem.

        Example:
            >>> try:
            ...     Profile.from_input({"candidates": ["x"], "ballots": [{"ranking": ["q"]}]})
            ... except InputError as err:
            ...     print(err)
            ballots.0.ranking: unknown candidate 'q'
        """
        candidates, ballots = envelope(data, "ranking", rule)
        rows, tiers, counts = ranked_arrays(candidates, ballots)
        profile = cls.from_arrays(candidates, rows, counts, tiers)
        profile.groups = counts.tolist()
        return profile

    @classmethod
    def from_arrays(cls, candidates: list[str], rankings: np.ndarray,
                    counts: np.ndarray | None = None,
                    tiers: np.ndarray | None = None) -> Profile:
        """Merge identical rankings (``np.unique`` over rows) and keep counts.

        Example:
            >>> Profile.from_arrays(["a", "b"], np.array([[0, 1], [0, 1]])).counts.tolist()
            [2]
        """
        rankings = np.asarray(rankings, dtype=np.int64)
        counts = np.ones(len(rankings), dtype=np.int64) if counts is None else np.asarray(
            counts, dtype=np.int64)
        if len(rankings) == 0:
            return cls(candidates, rankings.reshape(0, len(candidates)), counts[:0])
        m = rankings.shape[1]
        if tiers is not None:
            stacked = np.concatenate([rankings, np.asarray(tiers, dtype=np.int64)], axis=1)
            unique, inverse = np.unique(stacked, axis=0, return_inverse=True)
            merged = exact_bincount(inverse.ravel(), counts, len(unique))
            return cls(candidates, unique[:, :m], merged.astype(np.int64), unique[:, m:])
        if m <= 15:
            # pack each ranking into one int64 (4 bits per position): a 1-D grouping is far
            # faster than np.unique over rows
            first, inverse = unique_keys(pack_rows(rankings))
            unique = rankings[first]
            if len(first) == len(rankings):  # all distinct: nothing to add up
                return cls(candidates, unique, counts[first])
        else:
            unique, inverse = np.unique(rankings, axis=0, return_inverse=True)
        merged = exact_bincount(inverse.ravel(), counts, len(unique))
        return cls(candidates, unique, merged.astype(np.int64))

    @property
    def voters(self) -> int:
        return int(self.counts.sum())

    def positions(self) -> np.ndarray:
        """``pos[u, c]``: position of candidate c on ballot u (m if unranked); with ties, the
        average of the positions its tier occupies (a float). Computed once (read-only).

        Example:
            >>> p = Profile.from_input({"candidates": ["a", "b", "c"], "ballots": [
            ...     {"ranking": [["a", "b"], "c"]}]})
            >>> p.positions().tolist()
            [[0.5, 0.5, 2.0]]
        """
        cached = self.__dict__.get("_positions")
        if cached is not None:
            return cached
        if self.tiers is None:
            pos = self._order_table().astype(np.int64)
        else:
            pos = self._order_table() / 2.0
        pos.flags.writeable = False
        self.__dict__["_positions"] = pos
        return pos

    def _order_table(self) -> np.ndarray:
        """(u × m) small integers that order each ballot's candidates as :meth:`positions`
        does: the position itself for strict profiles (m if unranked), twice the (average)
        position with ties (2m if unranked). Computed once."""
        cached = self.__dict__.get("_order")
        if cached is not None:
            return cached
        u, m = self.rankings.shape[0], len(self.candidates)
        top = m if self.tiers is None else 2 * m
        small = np.int8 if top < 2**7 else np.int16 if top < 2**15 else np.int64
        r = self.rankings
        if self.tiers is None:
            table = np.full((u, m), m, dtype=small)
            places = np.broadcast_to(np.arange(r.shape[1], dtype=small), r.shape)
        else:
            table = np.full((u, m), 2 * m, dtype=small)
            t = self.tiers
            first = np.zeros(r.shape, dtype=np.int64)
            last = np.zeros(r.shape, dtype=np.int64)
            for k in range(r.shape[1]):
                first[:, k] = k if k == 0 else np.where(t[:, k] == t[:, k - 1],
                                                        first[:, k - 1], k)
            for k in range(r.shape[1] - 1, -1, -1):
                last[:, k] = k if k == r.shape[1] - 1 else np.where(
                    t[:, k] == t[:, k + 1], last[:, k + 1], k)
            places = (first + last).astype(small)
        if u and r.shape[1]:
            flat = table.reshape(-1)
            index = (np.arange(u, dtype=np.int64) * m)[:, None] + r
            ranked = r >= 0
            if ranked.all():
                flat[index] = places
            else:
                flat[index[ranked]] = places[ranked]
        self.__dict__["_order"] = table
        return table

    def _order_rows(self) -> np.ndarray:
        """:meth:`_order_table` transposed (m × u, C order): one row per candidate."""
        cached = self.__dict__.get("_order_rows_cache")
        if cached is None:
            cached = np.ascontiguousarray(self._order_table().T)
            self.__dict__["_order_rows_cache"] = cached
        return cached

    def prefer(self, a: int, b: int) -> int:
        """How many voters rank candidate a above candidate b (exact).

        Example:
            >>> Profile.from_arrays(["a", "b"], np.array([[1, 0], [0, 1], [1, 0]])).prefer(1, 0)
            2
        """
        rows = self._order_rows()
        return int(self.counts[rows[a] < rows[b]].sum())

    def margins(self, chunk: int = 200_000) -> np.ndarray:
        """Pairwise margins: M[a, b] = #voters preferring a to b − #preferring b to a.

        Example:
            >>> Profile.from_arrays(["a", "b"], np.array([[1, 0]])).margins().tolist()
            [[0, -1], [1, 0]]
        """
        cached = self.__dict__.get("_margins")
        if cached is not None:
            return cached
        support = self.support(chunk)
        self.__dict__["_margins"] = support - support.T  # computed once, shared by all rules
        return self.__dict__["_margins"]

    def support(self, chunk: int = 200_000) -> np.ndarray:
        """S[a, b] = #voters ranking a above b (unranked candidates sit below the ranked ones;
        tied ones have no preference), computed once. A Borda score over a set A of
        candidates is ``S[c, A].sum()``.

        Example:
            >>> Profile.from_arrays(["a", "b", "c"], np.array([[1, 0, -1]])).support().tolist()
            [[0, 0, 1], [1, 0, 1], [0, 0, 0]]
        """
        cached = self.__dict__.get("_support")
        if cached is not None:
            return cached
        m = len(self.candidates)
        support = np.zeros((m, m), dtype=np.int64)
        rows = self._order_rows()
        counts = np.asarray(self.counts, dtype=np.int64)
        heavy = np.flatnonzero(counts != 1)
        if len(heavy) * 8 <= len(counts):  # mostly single voters (distinct ballots)
            # count the ballots where a stands above each other one, then add what the few
            # groups of several voters add beyond one (int64 sums: exact)
            for start in range(0, rows.shape[1], max(int(chunk), 1)):
                block = rows[:, start:start + chunk]
                for a in range(m):
                    support[a] += (block[a] < block).view(np.uint8).sum(axis=1, dtype=np.int64)
            if len(heavy):
                block = rows[:, heavy]
                extra = counts[heavy] - 1
                for a in range(m):
                    support[a] += (block[a] < block).astype(np.int64) @ extra
            self.__dict__["_support"] = support
            return support
        total = int(counts.sum())
        # one row of S per candidate: a weighted count of the ballots where it stands above
        # each other one. BLAS sums are exact while every partial sum is a whole number the
        # float type holds (below 2**24 in float32, 2**53 in float64); beyond, int64.
        kind = np.float32 if total < 2**24 else np.float64 if total < _FLOAT_EXACT else None
        for start in range(0, rows.shape[1], max(int(chunk), 1)):
            block = rows[:, start:start + chunk]
            w = counts[start:start + chunk]
            weights = w.astype(kind) if kind is not None else w
            for a in range(m):
                above = block[a] < block
                if kind is not None:
                    support[a] += (above.astype(kind) @ weights).astype(np.int64)
                else:
                    support[a] += above.astype(np.int64) @ weights
        self.__dict__["_support"] = support
        return support

    def first_choices(self, active: np.ndarray | None = None) -> np.ndarray:
        """Votes for each candidate as the highest-ranked *active* candidate, exactly: an
        integer array, or (when a tie group shares a first choice) an object array of
        :class:`~fractions.Fraction`.

        Example:
            >>> Profile.from_arrays(["a", "b"], np.array([[1, 0]])).first_choices().tolist()
            [0, 1]
            >>> Profile.from_input({"candidates": ["a", "b", "c"], "ballots": [
            ...     {"ranking": [["a", "b", "c"]]}, {"ranking": ["a"]}]}).first_choices().tolist()
            [Fraction(4, 3), Fraction(1, 3), Fraction(1, 3)]
        """
        m = len(self.candidates)
        active = np.ones(m, bool) if active is None else np.asarray(active, dtype=bool)
        r = self.rankings
        if self.tiers is None:  # the active candidate with the smallest position
            chosen = np.flatnonzero(active)
            if not len(chosen) or not len(r):
                return np.zeros(m, dtype=np.int64)
            rows = self._order_rows()
            best = rows[chosen[0]] if len(chosen) == 1 else rows[chosen].min(axis=0)
            voters = np.flatnonzero(best < m)
            top = r[voters, best[voters]]
            return exact_bincount(top, self.counts[voters], m)
        ok = (r >= 0) & active[np.maximum(r, 0)]
        # with ties, the top active tier shares the ballot equally
        level = np.where(ok, self.tiers, np.iinfo(np.int64).max)
        top = level.min(axis=1)
        in_top = ok & (self.tiers == top[:, None])
        size = in_top.sum(axis=1)
        # exact shares: count / size = count · (L / size) / L with L = lcm of the sizes
        scale = math.lcm(*(int(k) for k in np.unique(size[size > 0]))) if size.any() else 1
        per = np.where(size > 0, scale // np.maximum(size, 1), 0)
        if int(per.max(initial=0)) * int(self.counts.sum()) < 2**63:
            weight = self.counts * per
        else:
            weight = self.counts.astype(object) * per.astype(object)
        rows, ks = np.nonzero(in_top)
        return exact_ratio(exact_bincount(r[rows, ks], weight[rows], m), scale)


def group_index(agent: Any, groups: int) -> int | None:
    """The ballot group an agent id names (``b{g}`` with ``0 <= g < groups``, no leading
    zeros), or ``None`` for any other name.

    Example:
        >>> group_index("b1", 3), group_index("b01", 3), group_index("b3", 3), group_index("ann", 3)
        (1, None, None, None)
    """
    if not isinstance(agent, str) or agent[:1] != "b":
        return None
    digits = agent[1:]
    if not (digits.isascii() and digits.isdecimal()) or str(int(digits)) != digits:
        return None
    g = int(digits)
    return g if g < groups else None


def replace_voters(data: Any, reports: Any, field: str) -> dict[str, Any]:
    """A copy of a ballot input where one voter of each named ballot group casts a new ballot.

    Agents are ballot groups: ``b{g}`` stands for one voter of group g of the input's
    ``ballots`` (identical voters have identical options). A report for ``b{g}`` moves one
    voter of the group to the new ballot: the group's count drops by one and the new ballot
    joins the end of the list as a group of one voter (a group whose only voter moves is
    replaced in place and keeps its id); ``None`` removes one voter (a group left empty is
    dropped, and the later groups move up). A name that is no group id of the input adds a new
    group of one voter (rounds collect ballots from named participants this way).

    Example:
        >>> data = {"candidates": ["x", "y"], "ballots": [{"ranking": ["x", "y"], "count": 2}]}
        >>> replace_voters(data, {"b0": ["y", "x"], "dana": ["y", "x"]}, "ranking")["ballots"]
        [{'ranking': ['x', 'y'], 'count': 1}, {'ranking': ['y', 'x'], 'count': 1}, \
{'ranking': ['y', 'x'], 'count': 1}]
    """
    ballots: list[dict[str, Any] | None] = [dict(b) for b in data["ballots"]]
    extra = []
    for agent, content in reports.items():
        g = group_index(agent, len(ballots))
        ballot = ballots[g] if g is not None else None
        if ballot is None:  # a name that is no group id: a new voter
            if content is not None:
                extra.append({field: content, "count": 1})
            continue
        count = int(ballot.get("count", 1))
        if count <= 1:
            ballots[g] = None if content is None else {field: content, "count": 1}
            continue
        ballot["count"] = count - 1
        if content is not None:
            extra.append({field: content, "count": 1})
    return {**data, "ballots": [b for b in ballots if b is not None] + extra}

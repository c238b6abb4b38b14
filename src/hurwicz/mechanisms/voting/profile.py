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
        return (counts.astype(np.float64) @ values.astype(np.float64)).astype(np.int64)
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
            # pack each ranking into one int64 (4 bits per position): a 1-D unique is far
            # faster than np.unique over rows
            keys = ((rankings + 1) * (16 ** np.arange(m, dtype=np.int64))).sum(axis=1)
            _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
            unique = rankings[first]
        else:
            unique, inverse = np.unique(rankings, axis=0, return_inverse=True)
        merged = exact_bincount(inverse.ravel(), counts, len(unique))
        return cls(candidates, unique, merged.astype(np.int64))

    @property
    def voters(self) -> int:
        return int(self.counts.sum())

    def positions(self) -> np.ndarray:
        """``pos[u, c]``: position of candidate c on ballot u (m if unranked); with ties, the
        average of the positions its tier occupies (a float).

        Example:
            >>> p = Profile.from_input({"candidates": ["a", "b", "c"], "ballots": [
            ...     {"ranking": [["a", "b"], "c"]}]})
            >>> p.positions().tolist()
            [[0.5, 0.5, 2.0]]
        """
        u, m = self.rankings.shape[0], len(self.candidates)
        if self.tiers is None:
            pos = np.full((u, m), m, dtype=np.int64)
            rows, ks = np.nonzero(self.rankings >= 0)
            pos[rows, self.rankings[rows, ks]] = ks
            return pos
        t = self.tiers
        first = np.zeros((u, m), dtype=np.int64)
        last = np.zeros((u, m), dtype=np.int64)
        for k in range(m):
            first[:, k] = k if k == 0 else np.where(t[:, k] == t[:, k - 1], first[:, k - 1], k)
        for k in range(m - 1, -1, -1):
            last[:, k] = k if k == m - 1 else np.where(t[:, k] == t[:, k + 1], last[:, k + 1], k)
        pos = np.full((u, m), float(m))
        rows, ks = np.nonzero(self.rankings >= 0)
        pos[rows, self.rankings[rows, ks]] = (first[rows, ks] + last[rows, ks]) / 2.0
        return pos

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
        pos = self.positions()
        for start in range(0, len(pos), chunk):
            p = pos[start:start + chunk]
            w = self.counts[start:start + chunk]
            prefer = (p[:, :, None] < p[:, None, :]).astype(np.int64)
            support += np.einsum("u,uab->ab", w, prefer)
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
        active = np.ones(m, bool) if active is None else active
        r = self.rankings
        ok = (r >= 0) & active[np.maximum(r, 0)]
        if self.tiers is not None:  # the top active tier shares the ballot equally
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
        has = ok.any(axis=1)
        first = np.argmax(ok, axis=1)
        top = r[np.arange(len(r)), first]
        return exact_bincount(top[has], self.counts[has], m)


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

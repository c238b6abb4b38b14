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

Example:
    >>> p = Profile.from_input({"candidates": ["x", "y", "z"], "ballots": [
    ...     {"ranking": ["x", "y"], "count": 2}, {"ranking": ["x", "y"]}, {"ranking": ["z"]}]})
    >>> p.rankings.tolist(), p.counts.tolist()
    ([[2, -1, -1], [0, 1, -1]], [1, 3])
    >>> p.margins().tolist()
    [[0, 3, 2], [-3, 0, 2], [-2, -2, 0]]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from hurwicz.core.errors import InputError
from hurwicz.core.validation import validate_model

Name = Annotated[str, StringConstraints(min_length=1, max_length=256)]


class Ballot(BaseModel):
    """One ranking and how many voters cast it."""

    model_config = ConfigDict(strict=True, extra="forbid")
    ranking: list[Name | list[Name]]
    count: int = Field(1, ge=1)


class RankedInput(BaseModel):
    """Candidates and ranked ballots."""

    model_config = ConfigDict(strict=True, extra="forbid")
    candidates: list[Name] = Field(min_length=1)
    ballots: list[Ballot]


@dataclass
class Profile:
    """Merged ballot groups as arrays."""

    candidates: list[str]
    rankings: np.ndarray
    counts: np.ndarray
    tiers: np.ndarray | None = None

    @classmethod
    def from_input(cls, data: Any) -> Profile:
        """Validate and encode; errors name the ballot and the problem.

        Example:
            >>> try:
            ...     Profile.from_input({"candidates": ["x"], "ballots": [{"ranking": ["q"]}]})
            ... except InputError as err:
            ...     print(err)
            ballots.0.ranking: unknown candidate 'q'
        """
        inp = validate_model(RankedInput, data)
        if len(set(inp.candidates)) != len(inp.candidates):
            raise InputError("candidates", "lists a candidate twice")
        index = {c: i for i, c in enumerate(inp.candidates)}
        m = len(inp.candidates)
        rows = np.full((len(inp.ballots), m), -1, dtype=np.int64)
        tiers = np.full((len(inp.ballots), m), -1, dtype=np.int64)
        tied = False
        for b, ballot in enumerate(inp.ballots):
            seen: set[str] = set()
            k = 0
            for tier, entry in enumerate(ballot.ranking):
                group = entry if isinstance(entry, list) else [entry]
                if not group:
                    raise InputError(f"ballots.{b}.ranking", "has an empty tie group")
                tied |= len(group) > 1
                for name in group:
                    if name not in index:
                        raise InputError(f"ballots.{b}.ranking", f"unknown candidate {name!r}")
                    if name in seen:
                        raise InputError(f"ballots.{b}.ranking", f"ranks {name!r} twice")
                    seen.add(name)
                    rows[b, k], tiers[b, k] = index[name], tier
                    k += 1
        counts = np.array([b.count for b in inp.ballots], dtype=np.int64)
        return cls.from_arrays(list(inp.candidates), rows, counts, tiers if tied else None)

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
            merged = np.bincount(inverse.ravel(), weights=counts, minlength=len(unique))
            return cls(candidates, unique[:, :m], merged.astype(np.int64), unique[:, m:])
        if m <= 15:
            # pack each ranking into one int64 (4 bits per position): a 1-D unique is far
            # faster than np.unique over rows
            keys = ((rankings + 1) * (16 ** np.arange(m, dtype=np.int64))).sum(axis=1)
            _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
            unique = rankings[first]
        else:
            unique, inverse = np.unique(rankings, axis=0, return_inverse=True)
        merged = np.bincount(inverse.ravel(), weights=counts, minlength=len(unique))
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
        m = len(self.candidates)
        support = np.zeros((m, m), dtype=np.int64)
        pos = self.positions()
        for start in range(0, len(pos), chunk):
            p = pos[start:start + chunk]
            w = self.counts[start:start + chunk]
            prefer = (p[:, :, None] < p[:, None, :]).astype(np.int64)
            support += np.einsum("u,uab->ab", w, prefer)
        self.__dict__["_margins"] = support - support.T  # computed once, shared by all rules
        return self.__dict__["_margins"]

    def first_choices(self, active: np.ndarray | None = None) -> np.ndarray:
        """Votes for each candidate as the highest-ranked *active* candidate.

        Example:
            >>> Profile.from_arrays(["a", "b"], np.array([[1, 0]])).first_choices().tolist()
            [0, 1]
        """
        m = len(self.candidates)
        active = np.ones(m, bool) if active is None else active
        r = self.rankings
        ok = (r >= 0) & active[np.maximum(r, 0)]
        if self.tiers is not None:  # the top active tier shares the ballot equally
            level = np.where(ok, self.tiers, np.iinfo(np.int64).max)
            top = level.min(axis=1)
            in_top = ok & (self.tiers == top[:, None])
            share = self.counts / np.maximum(in_top.sum(axis=1), 1)
            rows, ks = np.nonzero(in_top)
            return np.bincount(r[rows, ks], weights=share[rows], minlength=m)
        has = ok.any(axis=1)
        first = np.argmax(ok, axis=1)
        top = r[np.arange(len(r)), first]
        return np.bincount(top[has], weights=self.counts[has], minlength=m).astype(np.int64)


def replace_voters(data: Any, reports: Any, field: str) -> dict[str, Any]:
    """A copy of a ballot input where the named voters cast new ballots.

    Voters of the input are named ``b{ballot}#{k}`` (the k-th of that ballot's ``count``); a
    report for such a name replaces one copy of the ballot (``None`` removes it). Any other name
    is a new voter whose ballot is added (so rounds can collect ballots from named people).

    Example:
        >>> data = {"candidates": ["x", "y"], "ballots": [{"ranking": ["x", "y"], "count": 2}]}
        >>> replace_voters(data, {"b0#1": ["y", "x"], "dana": ["y", "x"]}, "ranking")["ballots"]
        [{'ranking': ['x', 'y'], 'count': 1}, {'ranking': ['y', 'x'], 'count': 1}, \
{'ranking': ['y', 'x'], 'count': 1}]
    """
    ballots = [dict(b) for b in data["ballots"]]
    extra = []
    for voter, content in reports.items():
        group = _ballot_group(voter, data["ballots"])
        if group is not None:
            ballots[group]["count"] = int(ballots[group].get("count", 1)) - 1
        if content is not None:
            extra.append({field: content, "count": 1})
    kept = [b for b in ballots if int(b.get("count", 1)) > 0]
    return {**data, "ballots": kept + extra}


def _ballot_group(voter: str, ballots: Any) -> int | None:
    head, sep, copy = voter.partition("#")
    if not (sep and head[:1] == "b" and head[1:].isdigit() and copy.isdigit()):
        return None
    group = int(head[1:])
    if group < len(ballots) and 1 <= int(copy) <= int(ballots[group].get("count", 1)):
        return group
    return None

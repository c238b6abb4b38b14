"""Positional scoring rules: a score vector s (s_1 ≥ s_2 ≥ … ≥ s_m, s_1 > s_m) gives each
candidate s_k for every ballot that ranks it k-th; the highest total wins. Plurality is
(1, 0, …, 0), Borda (m−1, …, 1, 0), anti-plurality (veto) (1, …, 1, 0). Saari, *Geometry
of Voting* (1994) and *Basic Geometry of Voting* (1995) study the whole family.

``voting.positional`` takes ``scores`` (one per position; default: the Borda vector of the
election's size). ``voting.anti_plurality`` elects the candidate with the fewest last places
(``result.vetoes``); its ``result.scores`` are the voters who do *not* put a candidate last,
its positional score.

Exact: scores may be integers or floats; a float is read as the decimal number it is written
as (its shortest representation: ``0.1`` is exactly 1/10, so ``[1, 0.1, 0]`` ranks exactly as
``[10, 1, 0]``), never as its binary approximation, and totals are exact (integers, or
fractions shown as floats in ``result.scores``); winners are compared exactly.

Tied and truncated ballots. Candidates a ballot ranks tied share the scores of the positions
they occupy equally (the average over the ballot's linear extensions, as everywhere in
:mod:`.profile`). Candidates a ballot leaves unranked occupy its last positions:
``truncated="last"`` (default) gives each of them the last score s_m — for anti-plurality
every unranked candidate gets a veto, for Borda 0 points (``voting.borda``'s ``"zero"``);
``truncated="average"`` shares the scores of those positions equally among them (Borda's
``"average"``; for anti-plurality, one veto shared).

Example:
    >>> import hurwicz as hz
    >>> data = {"candidates": ["a", "b", "c"], "ballots": [
    ...     {"ranking": ["a", "b", "c"], "count": 3}, {"ranking": ["b", "c", "a"], "count": 2},
    ...     {"ranking": ["c", "b", "a"], "count": 2}]}
    >>> hz.mechanism("voting.positional", scores=[1, 0, 0]).run(data).result["winners"]
    ['a']
    >>> hz.mechanism("voting.anti_plurality").run(data).result["vetoes"]
    {'a': 4, 'b': 0, 'c': 3}
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, Field, field_validator

from hurwicz.core.errors import ParameterError
from hurwicz.core.registry import register

from .profile import Profile, exact_ratio, weighted_column_sums
from .ranked import RankedParams, RankedRule, _best

Truncated = Literal["last", "average"]
_TRUNCATED_DOC = ("unranked candidates: each gets the last position's score (last), or they "
                  "share the scores of the positions left (average)")


def positional_scores(p: Profile, scores: list[int | float] | list[Fraction],
                      truncated: Truncated = "last") -> np.ndarray:
    """Each candidate's total score under the vector ``scores`` (one per position), exactly:
    an integer array, or an object array of :class:`~fractions.Fraction`.

    Example:
        >>> p = Profile.from_arrays(["a", "b", "c"], np.array([[0, 1, 2], [1, 0, -1]]))
        >>> positional_scores(p, [2, 1, 0]).tolist()
        [3, 3, 0]
        >>> positional_scores(p, [2, 1, 0], "average").tolist()
        [3, 3, 0]
        >>> positional_scores(p, [1, 1, 0]).tolist()
        [2, 2, 0]
    """
    m = len(p.candidates)
    if len(scores) != m:
        raise ParameterError("scores", f"{len(scores)} scores for an election of {m} "
                             "candidates: give one score per position")
    exact = [exact_score(s) for s in scores]
    scale = math.lcm(*(s.denominator for s in exact))  # integer scores: s · scale
    ints = [int(s * scale) for s in exact]
    complete = bool((p.rankings >= 0).all()) if p.rankings.size else True
    if p.tiers is None and (truncated == "last" or complete):
        table = p._order_table()  # positions, m when unranked
        points = np.array([*ints, ints[-1]], dtype=object if _big(ints, p) else np.int64)
        return exact_ratio(weighted_column_sums(points[table], p.counts), scale)
    totals = [Fraction(0)] * m
    prefix = [0]
    for s in ints:
        prefix.append(prefix[-1] + s)
    for u in range(len(p.rankings)):
        count = int(p.counts[u])
        row = [int(c) for c in p.rankings[u] if c >= 0]
        tiers = ([int(t) for t in p.tiers[u][:len(row)]] if p.tiers is not None
                 else list(range(len(row))))
        k = 0
        while k < len(row):  # one tier: positions k .. j-1 share their scores
            j = k
            while j < len(row) and tiers[j] == tiers[k]:
                j += 1
            share = Fraction(prefix[j] - prefix[k], j - k)
            for c in row[k:j]:
                totals[c] += count * share
            k = j
        left = m - len(row)
        if left:
            share = (Fraction(ints[-1]) if truncated == "last"
                     else Fraction(prefix[m] - prefix[len(row)], left))
            ranked = set(row)
            for c in range(m):
                if c not in ranked:
                    totals[c] += count * share
    out = np.empty(m, dtype=object)
    out[:] = [t / scale for t in totals]
    if all(t.denominator == 1 for t in out):
        return np.array([int(t) for t in out], dtype=object if any(
            abs(int(t)) >= 2**63 for t in out) else np.int64)
    return out


def exact_score(s: int | float | Fraction) -> Fraction:
    """A score as an exact rational: a float is the decimal it prints as (``repr``), so
    ``0.1`` is 1/10 and not the binary double nearest to it.

    Example:
        >>> exact_score(0.1), exact_score(3), exact_score(2.5e-3)
        (Fraction(1, 10), Fraction(3, 1), Fraction(1, 400))
    """
    return Fraction(repr(s)) if isinstance(s, float) else Fraction(s)


def _big(ints: list[int], p: Profile) -> bool:
    return max(abs(s) for s in ints) * max(p.voters, 1) >= 2**62


#: a score: finite, and within ±2**53 (totals then stay far inside the float range)
BoundedScore = Annotated[int | Annotated[float, Field(allow_inf_nan=False)],
                         Field(ge=-(2**53), le=2**53)]


class PositionalParams(RankedParams):
    """The score vector and the truncated-ballot convention."""

    scores: list[BoundedScore] | None = Field(
        None, description="points for the 1st, 2nd, ... position, non-increasing, first > "
        "last, one per candidate (default: Borda, m−1, ..., 0)",
        json_schema_extra={"examples": [[3, 1, 0]]})
    truncated: Truncated = Field("last", description=_TRUNCATED_DOC)

    @field_validator("scores")
    @classmethod
    def _check_scores(cls, v: list[int | float] | None) -> list[int | float] | None:
        if v is None:
            return v
        if not v:
            raise ValueError("give at least one score")
        if any(isinstance(s, float) and not math.isfinite(s) for s in v):
            raise ValueError("scores must be finite numbers")
        if any(abs(s) > 2**53 for s in v):  # totals then stay far inside the float range
            raise ValueError("scores must lie between -2**53 and 2**53")
        exact = [exact_score(s) for s in v]
        if any(a < b for a, b in itertools.pairwise(exact)):
            raise ValueError("scores must be non-increasing (a better position never earns "
                             "less)")
        if len(v) > 1 and exact[0] == exact[-1]:
            raise ValueError("the first score must exceed the last (otherwise every "
                             "candidate ties)")
        return v


class AntiPluralityParams(RankedParams):
    """The truncated-ballot convention."""

    truncated: Truncated = Field("last", description="unranked candidates: each gets a veto "
                                 "(last), or they share one veto (average)")


@register
class Positional(RankedRule):
    """A positional scoring rule with the score vector ``scores`` (default Borda).

    Example:
        >>> import hurwicz as hz
        >>> out = hz.mechanism("voting.positional", scores=[2, 1, 0]).run({
        ...     "candidates": ["a", "b", "c"], "ballots": [{"ranking": ["a", "b", "c"]},
        ...                                                {"ranking": ["b", "a", "c"]}]})
        >>> out.result["tied"], out.result["scores"]
        (['a', 'b'], {'a': 3.0, 'b': 3.0, 'c': 0.0})
    """

    name = "voting.positional"
    summary = "Positional scoring rule with a given score vector (default Borda)."
    claims = ("anonymous",)
    #: 4: float scores are read as the decimals they are written as (0.1 = 1/10)
    version: ClassVar[str] = "4"
    Params: ClassVar[type[BaseModel]] = PositionalParams

    def decide(self, p: Profile, prio: list[int]) -> dict[str, Any]:
        m = len(p.candidates)
        vector = self.params.scores
        if vector is None:
            vector = list(range(m - 1, -1, -1))
        scores = positional_scores(p, vector, self.params.truncated)
        winner, tied = _best(np.asarray(scores), prio)
        return {"winner": winner, "tied": tied, "scores": scores}


@register
class AntiPlurality(RankedRule):
    """Anti-plurality (veto): the fewest last places wins.

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("voting.anti_plurality").run({"candidates": ["a", "b", "c"],
        ...     "ballots": [{"ranking": ["a"]}]}).result["vetoes"]
        {'a': 0, 'b': 1, 'c': 1}
    """

    name = "voting.anti_plurality"
    summary = "Anti-plurality (veto): fewest last places wins."
    claims = ("anonymous",)
    Params: ClassVar[type[BaseModel]] = AntiPluralityParams

    def decide(self, p: Profile, prio: list[int]) -> dict[str, Any]:
        m = len(p.candidates)
        if m == 1:
            scores = np.array([p.voters], dtype=np.int64)
        else:
            scores = positional_scores(p, [1] * (m - 1) + [0], self.params.truncated)
        winner, tied = _best(np.asarray(scores), prio)
        vetoes = {p.candidates[c]: _show(p.voters - scores[c]) for c in range(m)}
        return {"winner": winner, "tied": tied, "scores": scores, "extra": {"vetoes": vetoes}}


def _show(x: Any) -> int | float:
    if isinstance(x, Fraction):
        return int(x) if x.denominator == 1 else float(x)
    return int(x)

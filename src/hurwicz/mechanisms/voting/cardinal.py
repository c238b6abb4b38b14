"""Cardinal ballots: approval, score (range), STAR, majority judgment and quadratic voting.

Ballots (DESIGN.md): ``{"approve": ["x"]}``, ``{"scores": {"x": 5}}`` (unscored = 0) or
``{"votes": {"x": 3, "y": -1}}`` (quadratic voting), each with an optional ``count``.
Quadratic voting: a vote of weight w costs w² voice credits; a ballot over ``credits`` is
rejected with a message naming it — never clipped. A ballot approving a candidate twice is
rejected too (``ballots.3.approve``), and so is an election without ballots (``ballots``).

Totals are exact integers (Python integers where they outgrow int64) and compared exactly;
``result.scores`` shows them as floats. ``result.tied`` holds the candidates with the top total
(STAR: every candidate some tie-breaking order elects — each admissible pair of finalists and
either side of a tied runoff; majority judgment: the candidates with identical median
sequences), and ``result.tie_broken`` whether the tie-break decided the winner.

Example:
    >>> import hurwicz as hz
    >>> hz.mechanism("voting.approval").run({"candidates": ["x", "y"], "ballots": [
    ...     {"approve": ["x", "y"]}, {"approve": ["y"], "count": 2}]}).result["scores"]
    {'x': 1.0, 'y': 3.0}
"""

from __future__ import annotations

import bisect
import itertools
from typing import Annotated, Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from hurwicz.core.errors import InputError
from hurwicz.core.mechanism import Mechanism
from hurwicz.core.outcome import Outcome
from hurwicz.core.registry import register
from hurwicz.core.types import Name

from .audit import ApprovalAudit, QuadraticAudit, ScoreAudit
from .ballots import cardinal_arrays, envelope, first_row, group_outcome
from .profile import exact_bincount, require_voters, weighted_column_sums
from .ranked import RankedParams, priority_order


class CardinalBallot(BaseModel):
    """One of approve / scores / votes, and a count."""

    model_config = ConfigDict(strict=True, extra="forbid")
    approve: list[Name] | None = None
    scores: dict[Name, Annotated[int, Field(ge=0, le=10**9)]] | None = None
    votes: dict[Name, Annotated[int, Field(ge=-10**6, le=10**6)]] | None = None
    count: int = Field(1, ge=1, le=2**53)


class CardinalInput(BaseModel):
    """Candidates and cardinal ballots."""

    model_config = ConfigDict(strict=True, extra="forbid")
    candidates: list[Name] = Field(min_length=1)
    ballots: list[CardinalBallot]


class ScoreParams(RankedParams):
    """Score range."""

    max_score: int = Field(5, ge=1, le=10**9,
                           description="highest score or grade a ballot may give")


class QuadraticParams(RankedParams):
    """Voice-credit budget."""

    credits: int = Field(100, ge=1, le=10**12,
                         description="voice credits per ballot; weight w costs w²")


class CardinalRule(Mechanism):
    """Shared parsing into a ballots × candidates matrix, and the outcome."""

    family: ClassVar[str] = "voting"
    #: 2: exact totals, ``tie_broken``, errors for no ballots and duplicate approvals;
    #: 3: ballot groups are the agents (``b{g}``), ``result.ballot_counts``
    version: ClassVar[str] = "3"
    field: ClassVar[str] = "scores"
    Input = CardinalInput
    Audit = ScoreAudit
    Params: ClassVar[type[BaseModel]] = ScoreParams

    #: the range of one score or vote the schema allows (before the rule's own limits)
    value_range: ClassVar[tuple[int, int]] = (0, 10**9)

    def matrix(self, data: Any) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Candidates, values [ballots, candidates] and counts, with every check applied (in
        bulk: see :mod:`.ballots`)."""
        cands, ballots = envelope(data, self.field, self.name)
        low, high = (-(10**6), 10**6) if self.field == "votes" else self.value_range
        values, counts = cardinal_arrays(cands, ballots, self.field, low, high)
        self.check_values(values)
        require_voters(sum(counts.tolist()))
        return cands, values, counts

    def check_values(self, values: np.ndarray) -> None:
        """Reject ballots the rule does not allow (all ballots at once)."""

    def decide(self, values: np.ndarray, counts: np.ndarray, prio: list[int]
               ) -> dict[str, Any]:
        return {"scores": weighted_column_sums(values, counts)}

    def run_parsed(self, inp: Any) -> Outcome:
        return self.run(inp)

    def run(self, data: Any) -> Outcome:
        cands, values, counts = self.matrix(data)
        prio = priority_order(cands, self.params.tie_break)
        rank = {c: k for k, c in enumerate(prio)}
        decided = self.decide(values, counts, prio)
        scores = decided["scores"]
        if "winner" in decided:
            winner, tied = decided["winner"], decided.get("tied", [decided["winner"]])
        else:
            exact = scores.tolist()  # Python integers: compared exactly
            top = max(exact)
            tied = [c for c in range(len(cands)) if exact[c] == top]
            winner = min(tied, key=rank.__getitem__)
        ranking = sorted(range(len(cands)), key=lambda c: (-scores[c], rank[c]))
        result = {"winners": [cands[winner]], "tied": [cands[c] for c in sorted(tied)],
                  "tie_broken": bool(decided.get("tie_broken", len(tied) > 1)),
                  "ranking": [cands[c] for c in ranking],
                  "scores": {cands[c]: float(scores[c]) for c in range(len(cands))},
                  "tie_break": [cands[c] for c in prio], **decided.get("extra", {})}
        return group_outcome(self, cands[winner], counts.tolist(), result,
                             sum(counts.tolist()))



@register
class Approval(CardinalRule):
    """Approval voting: most approvals wins.

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("voting.approval").field
        'approve'
    """

    name = "voting.approval"
    summary = "Most approvals wins."
    claims = ("anonymous",)
    field = "approve"
    Audit = ApprovalAudit
    Params = RankedParams


@register
class Score(CardinalRule):
    """Score (range) voting: highest total score wins; scores in 0..max_score.

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("voting.score", max_score=10).params.max_score
        10
    """

    name = "voting.score"
    summary = "Highest total score (0..max_score) wins."
    claims = ("anonymous",)

    def check_values(self, values: np.ndarray) -> None:
        b = first_row((values > self.params.max_score).any(axis=1))
        if b is not None:
            raise InputError(f"ballots.{b}.scores", f"scores must be at most "
                             f"{self.params.max_score}")


@register
class Star(Score):
    """STAR (score then automatic runoff): the two highest totals meet; the one scored higher
    on more ballots wins (ties: higher total, then the tie-break).

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("voting.star").run({"candidates": ["a", "b", "c"], "ballots": [
        ...     {"scores": {"a": 5, "b": 4}, "count": 2}, {"scores": {"b": 5, "c": 5}},
        ...     {"scores": {"b": 1, "c": 5}}]}).result["winners"]
        ['b']
    """

    name = "voting.star"
    summary = "Score, then a runoff between the top two totals."

    def decide(self, values, counts, prio):
        scores = weighted_column_sums(values, counts)
        totals = scores.tolist()
        rank = {c: k for k, c in enumerate(prio)}
        m = values.shape[1]
        order = sorted(range(m), key=lambda c: (-totals[c], rank[c]))
        if len(order) == 1:
            return {"scores": scores, "winner": order[0]}

        def runoff(x: int, y: int) -> tuple[int, int, set[int]]:
            """Ballots preferring x, preferring y, and who may win (x listed first)."""
            px = int(counts[values[:, x] > values[:, y]].sum())
            py = int(counts[values[:, y] > values[:, x]].sum())
            if px != py:
                return px, py, {x if px > py else y}
            if totals[x] != totals[y]:  # equal preference: the higher total
                return px, py, {x if totals[x] > totals[y] else y}
            return px, py, {x, y}

        a, b = order[:2]
        pref_a, pref_b, _ = runoff(a, b)
        # equal preference: the higher total (then the tie-break), i.e. a, stands
        winner = b if pref_b > pref_a else a
        # every pair of finalists some tie-break admits, and either side of a tied runoff
        tops = [c for c in range(m) if totals[c] == totals[a]]
        pairs = (list(itertools.combinations(tops, 2)) if len(tops) > 1 else
                 [(a, c) for c in range(m) if c != a and totals[c] == totals[b]])
        tied: set[int] = set()
        for x, y in pairs:
            tied |= runoff(x, y)[2]
        return {"scores": scores, "winner": winner, "tied": sorted(tied),
                "tie_broken": len(pairs) > 1 or len(runoff(a, b)[2]) > 1,
                "extra": {"runoff": {"finalists": [int(a), int(b)],
                                     "preferences": [float(pref_a), float(pref_b)]}}}


def _median_sequence(grades: list[float]) -> list[float]:
    """Lower medians obtained by removing the median grade one at a time (majority
    judgment's tie-breaking sequence; the definition, for small electorates and tests)."""
    g = sorted(grades)
    out = []
    while g:
        k = (len(g) - 1) // 2
        out.append(g[k])
        del g[k]
    return out


def _grade_runs(column: np.ndarray, counts: np.ndarray) -> tuple[list[int], list[int]]:
    """A candidate's grades as runs: distinct grades ascending and the cumulative counts."""
    grades, inverse = np.unique(column, return_inverse=True)
    ends = np.cumsum(exact_bincount(inverse.ravel(), counts, len(grades)).astype(object))
    return [int(g) for g in grades], [int(e) for e in ends]


def _grade_at(runs: tuple[list[int], list[int]], t: int) -> int:
    """The t-th smallest grade (0-based)."""
    grades, ends = runs
    return grades[bisect.bisect_right(ends, t)]


def mj_compare(a: tuple[list[int], list[int]], b: tuple[list[int], list[int]], n: int) -> int:
    """Compare two candidates' median sequences (:func:`_median_sequence`) without expanding
    the counts: +1 if ``a``'s is larger, −1 if ``b``'s, 0 if equal.

    Removing lower medians one at a time reads the sorted grades outwards from the middle:
    the lower side downwards from index ⌊(n−1)/2⌋, the upper side upwards, alternating (odd n:
    the median, then lower, upper, lower, ...; even n: lower, upper, ...). Grades are constant
    between the run boundaries of ``a`` and ``b``, so the first difference is found segment by
    segment.

    Example:
        >>> col = lambda *g: _grade_runs(np.array(g), np.ones(len(g), dtype=np.int64))
        >>> mj_compare(col(2, 3, 4), col(3, 3, 3), 3), _median_sequence([2, 3, 4])
        (-1, [3, 2, 4])
    """
    lower_end = (n - 1) // 2
    odd = n % 2

    def position(t: int) -> int:
        if t <= lower_end:
            i = lower_end - t
            return (2 * i - 1 if i else 0) if odd else 2 * i
        i = t - lower_end - 1
        return 2 * i + 2 if odd else 2 * i + 1

    bounds = sorted({0, *a[1], *b[1]})
    first: tuple[int, int] | None = None
    for lo, hi in itertools.pairwise(bounds):
        if _grade_at(a, lo) == _grade_at(b, lo):
            continue
        # the indices of this segment read first: nearest the middle on either side
        for t in (min(hi - 1, lower_end) if lo <= lower_end else None,
                  max(lo, lower_end + 1) if hi - 1 > lower_end else None):
            if t is not None and (first is None or position(t) < first[0]):
                first = (position(t), t)
    if first is None:
        return 0
    return 1 if _grade_at(a, first[1]) > _grade_at(b, first[1]) else -1


@register
class MajorityJudgment(Score):
    """Majority judgment (Balinski & Laraki 2011): highest median grade wins; ties are broken
    by removing median grades one at a time and comparing again.

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("voting.majority_judgment").run({"candidates": ["a", "b"], "ballots": [
        ...     {"scores": {"a": 4, "b": 3}}, {"scores": {"a": 1, "b": 3}},
        ...     {"scores": {"a": 2, "b": 2}}]}).result["winners"]
        ['b']
    """

    name = "voting.majority_judgment"
    summary = "Highest median grade wins (median-removal tie-break)."

    def decide(self, values, counts, prio):
        n = int(counts.sum())
        runs = [_grade_runs(values[:, c], counts) for c in range(values.shape[1])]
        best = prio[0]
        for c in prio[1:]:  # the best median sequence; equal ones: the earlier priority
            if mj_compare(runs[c], runs[best], n) > 0:
                best = c
        medians = np.array([_grade_at(r, (n - 1) // 2) for r in runs], dtype=np.int64)
        tied = [c for c in range(values.shape[1]) if mj_compare(runs[c], runs[best], n) == 0]
        return {"scores": medians, "winner": best, "tied": tied}


@register
class QuadraticVoting(CardinalRule):
    """Quadratic voting: each ballot spends voice credits, w² for a vote of weight w (negative
    votes allowed); the highest total weight wins. Over-budget ballots are rejected.

    Example:
        >>> import hurwicz as hz
        >>> try:
        ...     hz.mechanism("voting.quadratic", credits=10).run({"candidates": ["x"],
        ...         "ballots": [{"votes": {"x": 4}}]})
        ... except InputError as err:
        ...     print(err)
        ballots.0.votes: costs 16 voice credits, over the budget of 10
    """

    name = "voting.quadratic"
    summary = "Votes of weight w cost w² voice credits; most total weight wins."
    claims = ("anonymous",)
    field = "votes"
    Audit = QuadraticAudit
    Params = QuadraticParams

    def check_values(self, values: np.ndarray) -> None:
        costs = (values ** 2).sum(axis=1)  # votes are at most 10^6: no int64 overflow
        b = first_row(costs > self.params.credits)
        if b is not None:
            raise InputError(f"ballots.{b}.votes", f"costs {int(costs[b])} voice credits, "
                             f"over the budget of {self.params.credits}")


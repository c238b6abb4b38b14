"""Cardinal ballots: approval, score (range), STAR, majority judgment and quadratic voting.

Ballots (DESIGN.md): ``{"approve": ["x"]}``, ``{"scores": {"x": 5}}`` (unscored = 0) or
``{"votes": {"x": 3, "y": -1}}`` (quadratic voting), each with an optional ``count``.
Quadratic voting: a vote of weight w costs w² voice credits; a ballot over ``credits`` is
rejected with a message naming it — never clipped.

Example:
    >>> import hurwicz as hz
    >>> hz.mechanism("voting.approval").run({"candidates": ["x", "y"], "ballots": [
    ...     {"approve": ["x", "y"]}, {"approve": ["y"], "count": 2}]}).result["scores"]
    {'x': 1.0, 'y': 3.0}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from hurwicz.core.errors import InputError
from hurwicz.core.mechanism import Mechanism
from hurwicz.core.outcome import Outcome
from hurwicz.core.registry import register
from hurwicz.core.validation import validate_model
from hurwicz.mechanisms import instances

from .profile import replace_voters
from .ranked import RankedParams, priority_order

Name = Annotated[str, StringConstraints(min_length=1, max_length=256)]


class CardinalBallot(BaseModel):
    """One of approve / scores / votes, and a count."""

    model_config = ConfigDict(strict=True, extra="forbid")
    approve: list[Name] | None = None
    scores: dict[Name, Annotated[int, Field(ge=0)]] | None = None
    votes: dict[Name, int] | None = None
    count: int = Field(1, ge=1)


class CardinalInput(BaseModel):
    """Candidates and cardinal ballots."""

    model_config = ConfigDict(strict=True, extra="forbid")
    candidates: list[Name] = Field(min_length=1)
    ballots: list[CardinalBallot]


class ScoreParams(RankedParams):
    """Score range."""

    max_score: int = Field(5, ge=1, description="highest score or grade a ballot may give")


class QuadraticParams(RankedParams):
    """Voice-credit budget."""

    credits: int = Field(100, ge=1, description="voice credits per ballot; weight w costs w²")


class CardinalRule(Mechanism):
    """Shared parsing into a ballots × candidates matrix, outcome and hooks."""

    family: ClassVar[str] = "voting"
    field: ClassVar[str] = "scores"
    report_kind: ClassVar[str] = "scores"
    Input = CardinalInput
    Params: ClassVar[type[BaseModel]] = ScoreParams

    def matrix(self, data: Any) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Candidates, values [ballots, candidates] and counts, with every check applied."""
        inp = validate_model(CardinalInput, data)
        cands = list(inp.candidates)
        if len(set(cands)) != len(cands):
            raise InputError("candidates", "lists a candidate twice")
        index = {c: i for i, c in enumerate(cands)}
        values = np.zeros((len(inp.ballots), len(cands)))
        for b, ballot in enumerate(inp.ballots):
            given = getattr(ballot, self.field)
            others = [f for f in ("approve", "scores", "votes")
                      if f != self.field and getattr(ballot, f) is not None]
            if given is None or others:
                raise InputError(f"ballots.{b}", f"{self.name} needs {self.field!r} ballots")
            items = given.items() if isinstance(given, dict) else ((c, 1) for c in given)
            for c, v in items:
                if c not in index:
                    raise InputError(f"ballots.{b}.{self.field}", f"unknown candidate {c!r}")
                values[b, index[c]] = v
            self.check_ballot(b, values[b])
        counts = np.array([b.count for b in inp.ballots], dtype=float)
        return cands, values, counts

    def check_ballot(self, b: int, row: np.ndarray) -> None:
        """Reject a ballot the rule does not allow."""

    def decide(self, values: np.ndarray, counts: np.ndarray, prio: list[int]
               ) -> dict[str, Any]:
        scores = (values * counts[:, None]).sum(axis=0)
        return {"scores": scores}

    def run_parsed(self, inp: Any) -> Outcome:
        return self.run(inp)

    def run(self, data: Any) -> Outcome:
        raw = data.model_dump(exclude_none=True) if isinstance(data, BaseModel) else data
        cands, values, counts = self.matrix(raw)
        prio = priority_order(cands, self.params.tie_break)
        rank = {c: k for k, c in enumerate(prio)}
        decided = self.decide(values, counts, prio)
        scores = decided["scores"]
        if "winner" in decided:
            winner, tied = decided["winner"], decided.get("tied", [decided["winner"]])
        else:
            top = scores.max()
            tied = [c for c in range(len(cands)) if np.isclose(scores[c], top)]
            winner = min(tied, key=rank.__getitem__)
        ranking = sorted(range(len(cands)), key=lambda c: (-scores[c], rank[c]))
        voters = [f"b{b}#{k + 1}" for b, ballot in enumerate(raw["ballots"])
                  for k in range(int(ballot.get("count", 1)))]
        result = {"winners": [cands[winner]], "tied": [cands[c] for c in tied],
                  "ranking": [cands[c] for c in ranking],
                  "scores": {cands[c]: float(scores[c]) for c in range(len(cands))},
                  "tie_break": [cands[c] for c in prio], **decided.get("extra", {})}
        return Outcome(self.name, self.param_dict(), dict.fromkeys(voters, cands[winner]),
                       dict.fromkeys(voters, 0.0), result, {"voters": int(counts.sum())})

    # audit hooks: one agent per voter; a report is the ballot's content
    def reports(self, data: Any) -> dict[str, Any]:
        self.matrix(data)
        return {f"b{b}#{k + 1}": ballot[self.field] for b, ballot in enumerate(data["ballots"])
                for k in range(int(ballot.get("count", 1)))}

    def with_reports(self, data: Any, reports: Mapping[str, Any]) -> dict[str, Any]:
        return replace_voters(data, reports, self.field)

    def random_instance(self, rng: Any, agents: int | None, culture: str = "impartial",
                        candidates: int = 3) -> dict[str, Any]:
        """An election of ``agents`` voters (default 5): approval sets or scores derived from
        rankings drawn from a preference culture.

        Example:
            >>> import numpy as np, hurwicz as hz
            >>> e = hz.mechanism("voting.approval").random_instance(np.random.default_rng(0), 3)
            >>> sorted(e["ballots"][0])
            ['approve', 'count']
        """
        from .generators import election

        if self.field not in ("approve", "scores"):
            raise NotImplementedError(f"{self.name} has no random instance generator")
        return election(culture, candidates, agents or 5, rng=rng, kind=self.field,
                        max_score=getattr(self.params, "max_score", 5))

    def report_domain(self, data: Any, agent: str) -> dict[str, Any]:
        if self.field == "approve":
            return {"kind": "approval", "candidates": list(data["candidates"])}
        return {"kind": "scores", "candidates": list(data["candidates"]), "low": 0,
                "high": getattr(self.params, "max_score", 1)}

    def utility(self, agent: str, true_type: Any, outcome: Outcome) -> float:
        """The voter's own (true) score or approval of the winner."""
        (w,) = outcome.result["winners"]
        if isinstance(true_type, dict):
            return float(true_type.get(w, 0))
        return float(w in (true_type or []))


@register
class Approval(CardinalRule):
    """Approval voting: most approvals wins.

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("voting.approval").report_kind
        'approval'
    """

    name = "voting.approval"
    summary = "Most approvals wins."
    claims = ("anonymous",)
    field = "approve"
    report_kind = "approval"
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

    def check_ballot(self, b: int, row: np.ndarray) -> None:
        if (row > self.params.max_score).any():
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
        scores = (values * counts[:, None]).sum(axis=0)
        rank = {c: k for k, c in enumerate(prio)}
        order = sorted(range(values.shape[1]), key=lambda c: (-scores[c], rank[c]))
        if len(order) == 1:
            return {"scores": scores, "winner": order[0]}
        a, b = order[:2]
        pref_a = counts[values[:, a] > values[:, b]].sum()
        pref_b = counts[values[:, b] > values[:, a]].sum()
        # equal preference: the higher total (then the tie-break), i.e. a, stands
        winner = b if pref_b > pref_a else a
        return {"scores": scores, "winner": winner,
                "extra": {"runoff": {"finalists": [int(a), int(b)],
                                     "preferences": [float(pref_a), float(pref_b)]}}}


def _median_sequence(grades: list[float]) -> list[float]:
    """Lower medians obtained by removing the median grade one at a time (majority
    judgment's tie-breaking sequence)."""
    g = sorted(grades)
    out = []
    while g:
        k = (len(g) - 1) // 2
        out.append(g[k])
        del g[k]
    return out


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
        rank = {c: k for k, c in enumerate(prio)}
        seqs = []
        for c in range(values.shape[1]):
            grades = [float(v) for v, n in zip(values[:, c], counts) for _ in range(int(n))]
            seqs.append(_median_sequence(grades))
        best = max(range(values.shape[1]), key=lambda c: (seqs[c], -rank[c]))
        medians = np.array([s[0] if s else 0.0 for s in seqs])
        tied = [c for c in range(values.shape[1]) if seqs[c] == seqs[best]]
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
    random_instance = instances.hook(instances.quadratic_votes)
    field = "votes"
    Params = QuadraticParams

    def check_ballot(self, b: int, row: np.ndarray) -> None:
        cost = int((row ** 2).sum())
        if cost > self.params.credits:
            raise InputError(f"ballots.{b}.votes", f"costs {cost} voice credits, over the "
                             f"budget of {self.params.credits}")

    def report_domain(self, data: Any, agent: str) -> dict[str, Any]:
        return {"kind": "custom"}

    def candidate_deviations(self, data, agent, rng, limit):
        """Concentrate the budget on one candidate, or against one."""
        w = int(np.floor(np.sqrt(self.params.credits)))
        return ([{c: w} for c in data["candidates"]] + [{c: -w} for c in data["candidates"]])[
            :limit]

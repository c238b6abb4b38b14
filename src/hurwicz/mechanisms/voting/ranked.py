"""Single-winner ranked voting rules on :class:`~.profile.Profile` arrays.

Every rule returns ``result.winners`` (one winner after the tie-break), ``result.tied`` (the
co-winners before it), ``result.ranking`` where the rule defines a score order,
``result.scores``, ``result.rounds`` (IRV), ``result.margins`` (Condorcet methods) and
``result.tie_break`` (the priority order used). Tie-break: ``tie_break`` is a list of candidates
(earlier wins a tie, and in IRV the later one is eliminated first), an integer seed (a seeded
random order), or ``"input_order"`` (the order of ``candidates`` in the input, default).

Voters are agents: voter ``b3#2`` is the second voter of ballot 3 in the input;
``allocation[voter]`` is the winner and ``payments`` are 0.

Functions taking a profile (``plurality(profile)``, ``borda(profile)``, ...) are the fast path
for large electorates; the registered mechanisms wrap them.

Example:
    >>> p = Profile.from_arrays(["x", "y", "z"], np.array([[0, 1, 2], [1, 2, 0], [1, 0, 2]]))
    >>> plurality(p)[0].tolist(), condorcet_winner(p), smith_set(p)
    ([1, 2, 0], 1, [1])
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from hurwicz.core.errors import InputError, ParameterError
from hurwicz.core.mechanism import Mechanism
from hurwicz.core.outcome import Outcome
from hurwicz.core.registry import register

from .profile import Profile, RankedInput, replace_voters


def priority_order(candidates: list[str], tie_break: Any) -> list[int]:
    """Candidate indices from highest to lowest tie-break priority.

    Example:
        >>> priority_order(["x", "y", "z"], ["z", "x", "y"])
        [2, 0, 1]
    """
    m = len(candidates)
    if tie_break == "input_order":
        return list(range(m))
    if isinstance(tie_break, int) and not isinstance(tie_break, bool):
        return [int(i) for i in np.random.default_rng(tie_break).permutation(m)]
    if isinstance(tie_break, list):
        if sorted(tie_break) != sorted(candidates):
            raise ParameterError("tie_break", "must list every candidate exactly once")
        return [candidates.index(c) for c in tie_break]
    raise ParameterError("tie_break", "a list of candidates, an integer seed or 'input_order'")


def count_value(x: float) -> int | float:
    """A tally as an int when whole (fractions arise from tied ballots).

    Example:
        >>> count_value(3.0), count_value(2.5)
        (3, 2.5)
    """
    return int(x) if float(x).is_integer() else float(x)


def _best(scores: np.ndarray, prio: list[int]) -> tuple[int, list[int]]:
    top = scores.max()
    tied = [int(c) for c in np.nonzero(np.isclose(scores, top))[0]]
    rank = {c: k for k, c in enumerate(prio)}
    return min(tied, key=rank.__getitem__), sorted(tied)


def plurality(p: Profile) -> tuple[np.ndarray, None]:
    """First-choice counts.

    Example:
        >>> plurality(Profile.from_arrays(["a", "b"], np.array([[1, 0]])))[0].tolist()
        [0, 1]
    """
    return p.first_choices(), None


def borda(p: Profile, truncated: str = "zero") -> tuple[np.ndarray, None]:
    """Borda scores: position k earns m−1−k. Unranked candidates get 0 (``truncated="zero"``)
    or share the points left over equally (``"average"``).

    Example:
        >>> borda(Profile.from_arrays(["a", "b", "c"], np.array([[0, -1, -1]])), "average")[0]
        array([2. , 0.5, 0.5])
    """
    m = len(p.candidates)
    pos = p.positions()
    points = np.where(pos < m, m - 1 - pos, 0).astype(float)
    if truncated == "average":
        ranked = (pos < m).sum(axis=1)
        fill = (m - 1 - ranked) / 2.0
        points = np.where(pos < m, points, np.maximum(fill, 0.0)[:, None])
    return (points * p.counts[:, None]).sum(axis=0), None


def copeland(p: Profile) -> tuple[np.ndarray, np.ndarray]:
    """Copeland: 1 per pairwise win, ½ per tie.

    Example:
        >>> copeland(Profile.from_arrays(["a", "b"], np.array([[0, 1]])))[0].tolist()
        [1.0, 0.0]
    """
    margins = p.margins()
    wins = (margins > 0).sum(axis=1) + 0.5 * ((margins == 0).sum(axis=1) - 1)
    return wins.astype(float), margins


def minimax(p: Profile) -> tuple[np.ndarray, np.ndarray]:
    """Minimax (Simpson–Kramer): score = −max_b margin(b, a), the largest margin by which a
    loses (negative when a beats everyone).

    Example:
        >>> minimax(Profile.from_arrays(["a", "b"], np.array([[0, 1]])))[0].tolist()
        [1.0, -1.0]
    """
    margins = p.margins()
    against = margins.T.astype(float)
    np.fill_diagonal(against, -np.inf)
    if len(p.candidates) == 1:
        return np.zeros(1), margins
    return -against.max(axis=1), margins


def schulze(p: Profile) -> tuple[np.ndarray, np.ndarray]:
    """Schulze (beat path) with margins as link strengths; score = −(number of candidates
    whose strongest path to a beats a's path back): the winners are the unbeaten (score 0).

    Example:
        >>> schulze(Profile.from_arrays(["a", "b"], np.array([[0, 1]])))[0].tolist()
        [0, -1]
    """
    margins = p.margins()
    m = len(p.candidates)
    strength = np.where(margins > 0, margins, 0).astype(np.int64)
    for k in range(m):  # Floyd–Warshall for widest paths
        strength = np.maximum(strength, np.minimum(strength[:, k:k + 1], strength[k:k + 1, :]))
    np.fill_diagonal(strength, 0)
    return -(strength < strength.T).sum(axis=1), margins


def ranked_pairs(p: Profile, prio: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Tideman's ranked pairs: lock pairwise victories from the largest margin down, skipping
    any that would create a cycle (equal margins: the tie-break order of the winners); the
    winner is the candidate nobody beats in the locked graph. Score = −(position in the locked
    order).

    Example:
        >>> ranked_pairs(Profile.from_arrays(["a", "b"], np.array([[1, 0]])), [0, 1])[0].tolist()
        [-1.0, 0.0]
    """
    margins = p.margins()
    m = len(p.candidates)
    rank = {c: k for k, c in enumerate(prio)}
    pairs = [(int(margins[a, b]), a, b) for a in range(m) for b in range(m)
             if margins[a, b] > 0]
    pairs.sort(key=lambda t: (-t[0], rank[t[1]], rank[t[2]]))
    locked = np.zeros((m, m), bool)
    for _, a, b in pairs:
        # adding a→b creates a cycle iff b already reaches a
        reach = {b}
        frontier = [b]
        while frontier:
            x = frontier.pop()
            for y in np.nonzero(locked[x])[0]:
                if int(y) not in reach:
                    reach.add(int(y))
                    frontier.append(int(y))
        if a not in reach:
            locked[a, b] = True
    # topological order of the locked graph, sources first (tie-break among sources)
    order: list[int] = []
    remaining = set(range(m))
    while remaining:
        sources = [c for c in remaining if not locked[list(remaining), c].any()]
        pick = min(sources, key=rank.__getitem__)
        order.append(pick)
        remaining.discard(pick)
    score = np.zeros(m)
    for k, c in enumerate(order):
        score[c] = -k
    return score, margins


def instant_runoff(p: Profile, prio: list[int]) -> tuple[int, list[dict[str, Any]]]:
    """IRV/Hare: eliminate the candidate with the fewest first choices among those still in
    (ties: the lowest tie-break priority goes) until one has a majority of the ballots that
    still rank someone. Returns the winner and the rounds.

    Example:
        >>> p = Profile.from_arrays(["a", "b", "c"], np.array([[0, 1, 2], [1, 0, 2], [2, 1, 0]]))
        >>> winner, rounds = instant_runoff(p, [0, 1, 2])
        >>> winner, [r["eliminated"] for r in rounds]
        (1, [2, None])
    """
    m = len(p.candidates)
    active = np.ones(m, bool)
    rank = {c: k for k, c in enumerate(prio)}
    rounds = []
    while True:
        tally = p.first_choices(active)
        live = tally.sum()
        leader = max(np.nonzero(active)[0], key=lambda c: (tally[c], -rank[int(c)]))
        # tallies from tied ballots are sums of fractions: a relative tolerance absorbs rounding
        if tally[leader] * 2 > live + 1e-9 * max(live, 1.0) or active.sum() == 1:
            rounds.append({"tally": {int(c): count_value(tally[c])
                                     for c in np.nonzero(active)[0]},
                           "eliminated": None})
            return int(leader), rounds
        candidates = np.nonzero(active)[0]
        low = tally[candidates].min()
        lowest = [int(c) for c in candidates if tally[c] <= low + 1e-9 * max(low, 1.0)]
        out = max(lowest, key=rank.__getitem__)
        rounds.append({"tally": {int(c): count_value(tally[c]) for c in candidates},
                       "eliminated": out})
        active[out] = False


def condorcet_winner(p: Profile) -> int | None:
    """The candidate who beats every other one head to head, if any.

    Example:
        >>> condorcet_winner(Profile.from_arrays(["a", "b"], np.array([[1, 0]])))
        1
    """
    margins = p.margins()
    m = len(p.candidates)
    for a in range(m):
        if all(margins[a, b] > 0 for b in range(m) if b != a):
            return a
    return None


def smith_set(p: Profile) -> list[int]:
    """The smallest non-empty set whose members all beat everyone outside it.

    Example:
        >>> smith_set(Profile.from_arrays(["a", "b", "c"],
        ...                               np.array([[0, 1, 2], [1, 2, 0], [2, 0, 1]])))
        [0, 1, 2]
    """
    margins = p.margins()
    m = len(p.candidates)
    # reachability in the "beats or ties" graph; Smith set = candidates reached by... every
    # candidate in the top strongly connected component of the weak-majority graph
    weak = margins >= 0
    reach = weak.copy()
    for k in range(m):
        reach |= reach[:, k:k + 1] & reach[k:k + 1, :]
    copeland_order = sorted(range(m), key=lambda c: -(margins[c] > 0).sum())
    top = copeland_order[0]
    return sorted(c for c in range(m) if reach[c, top] or c == top
                  if all(reach[c, x] for x in range(m)))


class RankedParams(BaseModel):
    """Tie-break (and, for Borda, the truncated-ballot convention)."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)
    tie_break: Literal["input_order"] | int | list[str] = Field(
        "input_order", description="candidate priority list, integer seed, or 'input_order'")


class BordaParams(RankedParams):
    """Borda's truncated-ballot convention."""

    truncated: Literal["zero", "average"] = Field(
        "zero", description="points of unranked candidates: 0, or the average of those left")


class RankedRule(Mechanism):
    """Shared input, outcome, voter ids and audit hooks for ranked rules."""

    family: ClassVar[str] = "voting"
    report_kind: ClassVar[str] = "ranking"
    Input = RankedInput
    Params: ClassVar[type[BaseModel]] = RankedParams

    #: whether ballots may rank candidates tied (rules built on positions, first choices or
    #: margins can; those that walk the rankings themselves cannot)
    supports_ties: ClassVar[bool] = True

    def parse_input(self, data: Any) -> Profile:
        profile = Profile.from_input(data)
        if profile.tiers is not None and not self.supports_ties:
            raise InputError("ballots", f"{self.name} does not accept tied ranks; give strict "
                             "(possibly truncated) rankings")
        return profile

    def decide(self, p: Profile, prio: list[int]) -> dict[str, Any]:
        raise NotImplementedError

    def run(self, data: Any) -> Outcome:
        profile = self.parse_input(data)
        raw = data.model_dump() if isinstance(data, BaseModel) else data
        return self._outcome(profile, self._voters(raw))

    def run_parsed(self, inp: Profile) -> Outcome:
        return self._outcome(inp, [])

    def _outcome(self, p: Profile, voters: list[str]) -> Outcome:
        prio = priority_order(p.candidates, self.params.tie_break)
        decided = self.decide(p, prio)
        names = p.candidates
        winner = names[decided["winner"]]
        result: dict[str, Any] = {
            "winners": [winner],
            "tied": [names[c] for c in decided.get("tied", [decided["winner"]])],
            "tie_break": [names[c] for c in prio],
        }
        if "scores" in decided:
            scores = decided["scores"]
            result["scores"] = {names[c]: float(scores[c]) for c in range(len(names))}
            rank = {c: k for k, c in enumerate(prio)}
            result["ranking"] = [names[c] for c in sorted(range(len(names)),
                                                          key=lambda c: (-scores[c], rank[c]))]
        if decided.get("margins") is not None:
            mg = decided["margins"]
            result["margins"] = {a: {b: int(mg[i, j]) for j, b in enumerate(names) if j != i}
                                 for i, a in enumerate(names)}
        result.update(decided.get("extra", {}))
        if "rounds" in decided:
            result["rounds"] = [{"tally": {names[c]: v for c, v in r["tally"].items()},
                                 "eliminated": names[r["eliminated"]]
                                 if r["eliminated"] is not None else None}
                                for r in decided["rounds"]]
        return Outcome(self.name, self.param_dict(), dict.fromkeys(voters, winner),
                       dict.fromkeys(voters, 0.0), result, {"voters": p.voters})

    @staticmethod
    def _voters(data: Mapping[str, Any]) -> list[str]:
        return [f"b{b}#{k + 1}" for b, ballot in enumerate(data["ballots"])
                for k in range(int(ballot.get("count", 1)))]

    # audit hooks: one agent per voter
    def reports(self, data: Any) -> dict[str, list[str]]:
        self.parse_input(data)
        return {f"b{b}#{k + 1}": list(ballot["ranking"]) for b, ballot in
                enumerate(data["ballots"]) for k in range(int(ballot.get("count", 1)))}

    def with_reports(self, data: Any, reports: Mapping[str, Any]) -> dict[str, Any]:
        return replace_voters(data, reports, "ranking")

    def report_domain(self, data: Any, agent: str) -> dict[str, Any]:
        return {"kind": "ranking", "candidates": list(data["candidates"]), "truncate": False,
                "ties": False}

    def random_instance(self, rng: Any, agents: int | None, culture: str = "impartial",
                        candidates: int = 3) -> dict[str, Any]:
        """An election of ``agents`` voters (default 5) drawn from a preference culture.

        Example:
            >>> import numpy as np, hurwicz as hz
            >>> e = hz.mechanism("voting.borda").random_instance(np.random.default_rng(0), 4)
            >>> e["candidates"], sum(b["count"] for b in e["ballots"])
            (['c1', 'c2', 'c3'], 4)
        """
        from .generators import election

        return election(culture, candidates, agents or 5, rng=rng)

    def utility(self, agent: str, true_type: Any, outcome: Outcome) -> float:
        """Higher the better the winner sits in the voter's true ranking (0 if unranked)."""
        truth = list(true_type)
        vals = [len(truth) - truth.index(w) if w in truth else 0
                for w in outcome.result["winners"]]
        return float(sum(vals) / len(vals))


def _score_rule(name: str, summary: str, fn, claims=("anonymous",), params=RankedParams):
    class Rule(RankedRule):
        Params = params

        def decide(self, p: Profile, prio: list[int]) -> dict[str, Any]:
            if fn is borda:
                scores, margins = fn(p, self.params.truncated)
            elif fn is ranked_pairs:
                scores, margins = fn(p, prio)
            else:
                scores, margins = fn(p)
            winner, tied = _best(np.asarray(scores, dtype=float), prio)
            return {"winner": winner, "tied": tied, "scores": scores, "margins": margins}

    Rule.name = name
    Rule.summary = summary
    Rule.claims = claims
    Rule.__name__ = Rule.__qualname__ = name.split(".")[1].title().replace("_", "") + "Rule"
    Rule.__doc__ = f"{summary}\n\n    Example:\n        >>> import hurwicz as hz\n" \
        f"        >>> hz.mechanism({name!r}).family\n        'voting'\n    "
    return register(Rule)


Plurality = _score_rule("voting.plurality", "Most first choices wins.", plurality)
Borda = _score_rule("voting.borda", "Borda count (m−1 points for a first place, ...).", borda,
                    params=BordaParams)
Copeland = _score_rule("voting.copeland", "Most pairwise victories (ties count ½).", copeland,
                       claims=("anonymous", "condorcet"))
Minimax = _score_rule("voting.minimax", "Smallest worst pairwise defeat wins.", minimax,
                      claims=("anonymous", "condorcet"))
Schulze = _score_rule("voting.schulze", "Schulze beat-path method.", schulze,
                      claims=("anonymous", "condorcet"))
RankedPairs = _score_rule("voting.ranked_pairs", "Tideman's ranked pairs.", ranked_pairs,
                          claims=("anonymous", "condorcet"))


@register
class InstantRunoff(RankedRule):
    """Instant runoff (IRV, Hare): repeatedly eliminate the fewest first choices.

    Example:
        >>> import hurwicz as hz
        >>> out = hz.mechanism("voting.irv").run({"candidates": ["a", "b", "c"], "ballots": [
        ...     {"ranking": ["a", "b", "c"], "count": 4}, {"ranking": ["b", "c", "a"], "count": 3},
        ...     {"ranking": ["c", "b", "a"], "count": 2}]})
        >>> out.result["winners"], [r["eliminated"] for r in out.result["rounds"]]
        (['b'], ['c', None])
    """

    name = "voting.irv"
    summary = "Instant runoff: eliminate the fewest first choices until a majority."
    claims = ("anonymous",)

    def decide(self, p: Profile, prio: list[int]) -> dict[str, Any]:
        winner, rounds = instant_runoff(p, prio)
        return {"winner": winner, "tied": [winner], "rounds": rounds}

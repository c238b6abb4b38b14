"""Multiwinner rules used in real elections: bloc plurality, SNTV, limited and cumulative voting,
and a top-four (Alaska) primary followed by instant runoff.

Committee rules score every candidate and elect the ``seats`` highest scores:

* ``voting.sntv`` — single non-transferable vote (Japan's lower house until 1994, Taiwan,
  Afghanistan): each ballot's first choice gets one vote (a ballot ranking several candidates
  first shares its vote equally among them, as ``voting.plurality`` does).
* ``voting.bloc`` — bloc (block) plurality, the at-large "vote for up to ``seats``" election:
  each ballot gives one point to each of its top ``seats`` ranked candidates.
* ``voting.limited`` — limited voting (Gibraltar; US local boards): each ballot gives one
  point to each of its top ``votes`` ranked candidates, ``votes`` ≤ ``seats`` (``votes`` =
  ``seats`` is bloc voting, ``votes`` = 1 is SNTV). A limited-voting ballot is an unordered
  list of at most ``votes`` names; give it as a ranking of those names (order is ignored
  within the top ``votes``, and names beyond them are not counted, as in votekit's
  ``Limited``/``BlockPlurality`` on ranked ballots).
* ``voting.cumulative`` — cumulative voting (Illinois House 1870–1980, Peoria, US school
  boards under voting-rights settlements): each ballot distributes up to ``points`` whole
  points (default: ``seats``) among the candidates, several on one candidate if it likes
  ("plumping"). Ballots are score ballots, ``{"scores": {"x": 2, "y": 1}}`` (as votekit's
  ``Cumulative`` takes score profiles); a ballot giving more than ``points`` in total is an
  error naming it (``ballots.3.scores``), never scaled down.

Totals are exact integers (fractions for SNTV ballots with tied first places). Ties at the cut:
``result.winners`` holds the candidates above the cut and the tie-break's choice among those
tied at it; ``result.tied`` lists every committee some way of breaking the tie elects — the
candidates above the cut together with each combination of the tied ones (at most
``MAX_TIED_COMMITTEES``; beyond that ``result.tied_complete`` is false and ``result.tied``
holds the tie-break's committee, while ``result.cut`` always states the rule:
``{"above": [...], "tied": [...], "seats_left": k}``). ``result.tie_broken`` says whether the
tie-break chose. ``result.scores`` shows the totals as floats; ``result.ranking`` orders all
candidates by score (then tie-break).

``voting.primary_rcv`` (Alaska Ballot Measure 2, 2020: a top-four open primary and a ranked
general election; ``finalists=5`` for the proposed "final five") counts the primary by
plurality of first choices, keeps the top ``finalists`` candidates, and elects one of them by
instant runoff (exactly ``voting.irv`` restricted to the finalists) on the same ranked ballots.
This is a model: the real system holds two separate elections, and a single ranked ballot
stands for both only if voters vote sincerely and the same voters turn out. Ties — at the
primary's cut, or between the weakest candidates of a runoff round — are broken by the
tie-break, and ``result.tied`` holds every winner over all ways of breaking them (each
admissible finalist set, then IRV's parallel universes). ``result.primary`` has the first-
choice tally and the finalists; ``result.rounds`` the runoff as in ``voting.irv``.

Example:
    >>> import hurwicz as hz
    >>> election = {"candidates": ["a", "b", "c", "d"], "ballots": [
    ...     {"ranking": ["a", "b", "c"], "count": 4}, {"ranking": ["c", "d"], "count": 3},
    ...     {"ranking": ["d", "b"], "count": 2}]}
    >>> [hz.mechanism(rule, seats=2).run(election).result["winners"]
    ...  for rule in ("voting.sntv", "voting.bloc")]
    [['a', 'c'], ['b', 'd']]
"""

from __future__ import annotations

import itertools
import math
from typing import Any, ClassVar

import numpy as np
from pydantic import Field, model_validator

from hurwicz.core.errors import InputError, ParameterError
from hurwicz.core.outcome import Outcome
from hurwicz.core.registry import register

from .audit import ScoreAudit
from .ballots import first_row, group_outcome
from .cardinal import CardinalRule
from .profile import Profile, exact_bincount, require_voters, weighted_column_sums
from .ranked import RankedParams, RankedRule, count_value, eliminate, irv_round, priority_order

#: Most tied committees (or primary finalist sets) listed before ``tied_complete: false``.
MAX_TIED_COMMITTEES = 1000


class SeatsParams(RankedParams):
    """Committee size."""

    seats: int = Field(1, ge=1, description="number of candidates to elect")


class LimitedParams(RankedParams):
    """Committee size and votes per ballot."""

    seats: int = Field(1, ge=1, description="number of candidates to elect")
    votes: int = Field(1, ge=1, description="candidates each ballot may vote for (≤ seats)")

    @model_validator(mode="after")
    def _votes_within_seats(self) -> LimitedParams:
        if self.votes > self.seats:
            raise ValueError(f"votes ({self.votes}) must not exceed seats ({self.seats}); "
                             "limited voting gives each voter fewer votes than seats")
        return self


class CumulativeParams(RankedParams):
    """Committee size and the points each ballot may distribute."""

    seats: int = Field(1, ge=1, description="number of candidates to elect")
    points: int | None = Field(None, ge=1, le=10**9,
                               description="points per ballot (default: seats)")


class PrimaryParams(RankedParams):
    """Number of finalists the primary keeps."""

    finalists: int = Field(4, ge=1, description="candidates advancing from the primary "
                           "(4: Alaska's top four; 5: final five)")


def top_committee(scores: list[Any], seats: int, prio: list[int],
                  limit: int = MAX_TIED_COMMITTEES) -> dict[str, Any]:
    """The ``seats`` highest exact scores (ties at the cut: tie-break priority) and every
    committee a way of breaking the tie at the cut gives.

    Returns ``winners`` (by score, then priority), ``tied`` (sorted committees of sorted
    indices), ``complete``, ``tie_broken`` and ``cut`` (above / tied / seats left).

    Example:
        >>> out = top_committee([3, 2, 2, 2], 2, [0, 1, 2, 3])
        >>> out["winners"], out["tied"], out["tie_broken"]
        ([0, 1], [[0, 1], [0, 2], [0, 3]], True)
    """
    m = len(scores)
    rank = {c: k for k, c in enumerate(prio)}
    order = sorted(range(m), key=lambda c: (-scores[c], rank[c]))
    winners = order[:seats]
    cut = scores[winners[-1]]
    above = [c for c in range(m) if scores[c] > cut]
    level = [c for c in range(m) if scores[c] == cut]
    left = seats - len(above)
    broken = len(level) > left
    complete = True
    if broken and math.comb(len(level), left) <= limit:
        tied = sorted(sorted(above + list(pick)) for pick in itertools.combinations(level, left))
    else:
        tied = [sorted(winners)]
        complete = not broken
    return {"winners": winners, "tied": tied, "complete": complete, "tie_broken": broken,
            "cut": {"above": sorted(above), "tied": level if broken else [], "seats_left": left},
            "ranking": order}


def _committee_result(names: list[str], scores: list[Any], seats: int, prio: list[int]
                      ) -> tuple[list[str], dict[str, Any]]:
    if seats > len(names):
        raise ParameterError("seats", f"{seats} seats but only {len(names)} candidates")
    top = top_committee(scores, seats, prio)
    winners = [names[c] for c in top["winners"]]
    result: dict[str, Any] = {
        "winners": winners,
        "tied": [[names[c] for c in committee] for committee in top["tied"]],
        "tie_broken": top["tie_broken"],
        "cut": {"above": [names[c] for c in top["cut"]["above"]],
                "tied": [names[c] for c in top["cut"]["tied"]],
                "seats_left": top["cut"]["seats_left"]},
        "ranking": [names[c] for c in top["ranking"]],
        "scores": {names[c]: float(scores[c]) for c in range(len(names))},
        "tie_break": [names[c] for c in prio]}
    if not top["complete"]:
        result["tied_complete"] = False
    return winners, result


def top_k_points(p: Profile, k: int) -> np.ndarray:
    """One point to each of a ballot's top ``k`` ranked candidates (strict rankings), summed
    exactly over the ballots.

    Example:
        >>> p = Profile.from_arrays(["a", "b", "c"], np.array([[0, 1, 2], [2, 1, -1]]),
        ...                         np.array([2, 1]))
        >>> top_k_points(p, 2).tolist()
        [2, 3, 1]
    """
    m = len(p.candidates)
    top = p.rankings[:, :k]
    mask = top >= 0
    weights = np.broadcast_to(p.counts.astype(np.int64)[:, None], top.shape)[mask]
    return exact_bincount(top[mask], weights, m)


class _RankedCommittee(RankedRule):
    """Ranked ballots in, the ``seats`` highest scores out."""

    claims = ("anonymous", "committee_size")
    Params: ClassVar[type] = SeatsParams

    def scores(self, p: Profile) -> list[Any]:
        raise NotImplementedError

    def _outcome(self, p: Profile) -> Outcome:
        require_voters(p.voters)
        prio = priority_order(p.candidates, self.params.tie_break)
        winners, result = _committee_result(p.candidates, self.scores(p), self.params.seats,
                                            prio)
        return group_outcome(self, winners, p.groups, result, p.voters)


@register
class SingleNonTransferableVote(_RankedCommittee):
    """SNTV: the ``seats`` candidates with the most first choices.

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("voting.sntv", seats=2).run({"candidates": ["a", "b", "c"],
        ...     "ballots": [{"ranking": ["a"], "count": 3}, {"ranking": ["b", "a"], "count": 2},
        ...                 {"ranking": ["c"]}]}).result["winners"]
        ['a', 'b']
    """

    name = "voting.sntv"
    summary = "Single non-transferable vote: the seats candidates with most first choices."

    def scores(self, p: Profile) -> list[Any]:
        return p.first_choices().tolist()


@register
class BlocPlurality(_RankedCommittee):
    """Bloc plurality: one point to each of a ballot's top ``seats`` candidates.

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("voting.bloc", seats=2).run({"candidates": ["a", "b", "c"],
        ...     "ballots": [{"ranking": ["a", "b"], "count": 3}, {"ranking": ["c", "b"],
        ...     "count": 2}]}).result["winners"]
        ['b', 'a']
    """

    name = "voting.bloc"
    summary = "Bloc plurality: a point to each of a ballot's top `seats` candidates."
    supports_ties = False

    def scores(self, p: Profile) -> list[Any]:
        return top_k_points(p, self.params.seats).tolist()


@register
class LimitedVoting(_RankedCommittee):
    """Limited voting: one point to each of a ballot's top ``votes`` candidates (votes ≤
    seats).

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("voting.limited", seats=3, votes=2).run({"candidates": ["a", "b",
        ...     "c", "d"], "ballots": [{"ranking": ["a", "b"], "count": 3},
        ...     {"ranking": ["c", "d", "a"], "count": 2}]}).result["winners"]
        ['a', 'b', 'c']
    """

    name = "voting.limited"
    summary = "Limited voting: a point to each of a ballot's top `votes` (< seats) candidates."
    supports_ties = False
    Params = LimitedParams

    def scores(self, p: Profile) -> list[Any]:
        return top_k_points(p, self.params.votes).tolist()


class CumulativeAudit(ScoreAudit):
    """Cumulative ballots: scores within the ballot's budget of points."""

    def budget(self) -> int:
        params = self.mech.params
        return int(params.points or params.seats)

    def report_domain(self, data: Any, agent: str) -> dict[str, Any]:
        return {**super().report_domain(data, agent), "high": self.budget()}

    def sample(self, rng: np.random.Generator, agents: int | None = None,
               **options: Any) -> dict[str, Any]:
        """Ranked preferences from the culture; each voter puts its points on its favourites,
        the most on the first, sometimes keeping some back.

        Example:
            >>> import numpy as np, hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> e = audit_spec(hz.mechanism("voting.cumulative", seats=2)).sample(
            ...     np.random.default_rng(0), 4)
            >>> all(sum(b["scores"].values()) <= 2 for b in e["ballots"])
            True
        """
        from .generators import election

        culture, m = self._culture(options)
        ranked = election(culture, m, 5 if agents is None else agents, rng=rng)
        budget = self.budget()
        ballots = []
        for b in ranked["ballots"]:
            spend = int(rng.integers(1, budget + 1))
            parts = int(rng.integers(1, min(spend, len(b["ranking"])) + 1))
            cuts = sorted(rng.choice(np.arange(1, spend), parts - 1, replace=False).tolist()) \
                if parts > 1 else []
            sizes = sorted((e - s for s, e in zip([0, *cuts], [*cuts, spend])), reverse=True)
            ballots.append({"scores": dict(zip(b["ranking"], sizes)), "count": b["count"]})
        return {"candidates": ranked["candidates"], "ballots": ballots}

    def edge_cases(self) -> list[dict[str, Any]]:
        """The score family's degenerate cases, with at most the budget on a candidate.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> audit_spec(hz.mechanism("voting.cumulative")).edge_cases()[0]["ballots"]
            [{'scores': {'b': 1}}]
        """
        top = min(2, self.budget())
        return [{**case, "ballots": [
            {**b, "scores": {c: min(v, top) for c, v in b["scores"].items()}}
            for b in case["ballots"]]} for case in super().edge_cases()]


@register
class CumulativeVoting(CardinalRule):
    """Cumulative voting: each ballot spreads up to ``points`` points; top ``seats`` totals.

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("voting.cumulative", seats=2).run({"candidates": ["a", "b", "c"],
        ...     "ballots": [{"scores": {"a": 2}, "count": 3}, {"scores": {"b": 1, "c": 1},
        ...     "count": 4}, {"scores": {"c": 2}}]}).result["winners"]
        ['a', 'c']
    """

    name = "voting.cumulative"
    summary = "Cumulative voting: spread up to `points` points; the top `seats` totals win."
    claims = ("anonymous", "committee_size")
    Params = CumulativeParams
    Audit = CumulativeAudit

    def check_values(self, values: np.ndarray) -> None:
        budget = self.params.points or self.params.seats
        spent = values.astype(object).sum(axis=1) if len(values) else np.zeros(0)
        b = first_row(np.array([s > budget for s in spent], dtype=bool))
        if b is not None:
            raise InputError(f"ballots.{b}.scores", f"the points add up to {spent[b]}, more "
                             f"than the {budget} a ballot may distribute")

    def run(self, data: Any) -> Outcome:
        cands, values, counts = self.matrix(data)
        prio = priority_order(cands, self.params.tie_break)
        totals = weighted_column_sums(values, counts).tolist()
        winners, result = _committee_result(cands, totals, self.params.seats, prio)
        return group_outcome(self, winners, counts.tolist(), result, sum(counts.tolist()))


def _restricted_irv(p: Profile, finalists: list[int], prio: list[int]) -> dict[str, Any]:
    """IRV among ``finalists`` only (ballots skip everyone else), with parallel universes;
    indices in the returned winner, tied and rounds are the profile's."""
    pos = {c: i for i, c in enumerate(finalists)}
    sub_prio = [pos[c] for c in prio if c in pos]

    def count_round(left: frozenset[int]) -> Any:
        winner, shown, weakest, idle = irv_round(p, frozenset(finalists[i] for i in left))
        return (None if winner is None else pos[winner], shown, [pos[c] for c in weakest],
                idle)

    out = eliminate(len(finalists), sub_prio, count_round)
    return {**out, "winner": finalists[out["winner"]],
            "tied": [finalists[c] for c in out["tied"]],
            "rounds": [{**r, "eliminated": None if r["eliminated"] is None
                        else finalists[r["eliminated"]]} for r in out["rounds"]]}


@register
class PrimaryRCV(RankedRule):
    """Top-``finalists`` plurality primary, then instant runoff among the finalists (Alaska).

    Example:
        >>> import hurwicz as hz
        >>> out = hz.mechanism("voting.primary_rcv", finalists=2).run({"candidates": ["a",
        ...     "b", "c"], "ballots": [{"ranking": ["a", "b"], "count": 4},
        ...     {"ranking": ["b", "a"], "count": 3}, {"ranking": ["c", "b"], "count": 2}]})
        >>> out.result["primary"]["finalists"], out.result["winners"]
        (['a', 'b'], ['b'])
    """

    name = "voting.primary_rcv"
    summary = "Top-four (Alaska) plurality primary, then instant runoff among the finalists."
    claims = ("anonymous",)
    Params = PrimaryParams

    def decide(self, p: Profile, prio: list[int]) -> dict[str, Any]:
        m = len(p.candidates)
        tally = p.first_choices().tolist()
        top = top_committee(tally, min(self.params.finalists, m), prio)
        main = _restricted_irv(p, sorted(top["winners"]), prio)
        tied, complete = set(main["tied"]), main["complete"] and top["complete"]
        if top["tie_broken"]:
            for finalists in top["tied"]:
                other = _restricted_irv(p, finalists, prio)
                tied |= set(other["tied"])
                complete &= other["complete"]
        names = p.candidates
        return {"winner": main["winner"], "tied": sorted(tied),
                "tie_broken": top["tie_broken"] or main["tie_broken"], "complete": complete,
                "rounds": main["rounds"],
                "extra": {"primary": {
                    "tally": {names[c]: count_value(tally[c]) for c in range(m)},
                    "finalists": [names[c] for c in sorted(top["winners"])],
                    "tied_at_cut": [names[c] for c in top["cut"]["tied"]]}}}

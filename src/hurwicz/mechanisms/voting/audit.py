"""The voting family's audit specifications.

Ballot groups are the agents: ``b3`` is ballot group 3 of the input (its ``count`` voters cast
the same ballot, and counts are weights, never expanded). ``reports(data)`` gives
``{"b{g}": ballot}``, and a report for ``b{g}`` means *one voter* of group g:
``with_reports(data, {"b3": new})`` moves one voter of group 3 to ``new`` (the group's count
drops by one and a group of one voter is added; ``None`` removes one voter), and a name that is
no group id adds a new group of one voter (credible rounds collect ballots by participant name
this way). For unilateral deviations one voter per group is exhaustive: identical voters have
identical options. Coalitions are formed of one voter from each of several groups.
Utilities are ordinal: a voter prefers winners it ranks higher (or approves, or scores higher).
Instances are drawn from a preference culture (``prior="impartial"``, ``"mallows:0.5"``,
``"urn:1"``, ``"spatial:2"``; impartial culture by default) with ``candidates`` candidates.

Properties: ``strategyproof`` (no voter gains by another ballot; ``manipulable`` is its alias),
``coalition_strategyproof``, ``ir`` (participation: no voter gains by abstaining — the no-show
paradox), ``anonymous`` (exchanging two voters' ballots keeps the winners), ``neutral``
(relabelling candidates relabels the winners, outcomes decided by a tie-break excepted),
``monotone`` (raising the winner in a ballot keeps it winning), ``condorcet`` (a Condorcet
winner, when there is one, wins) and ``committee_size``.

Example:
    >>> import numpy as np, hurwicz as hz
    >>> from hurwicz.auditing.spec import audit_spec
    >>> spec = audit_spec(hz.mechanism("voting.borda"))
    >>> e = spec.sample(np.random.default_rng(0), 4, candidates=3)
    >>> e["candidates"], sum(b["count"] for b in e["ballots"])
    (['c1', 'c2', 'c3'], 4)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from hurwicz.auditing.deviations import full_ranking_profiles
from hurwicz.auditing.spec import (
    ANONYMOUS,
    COALITION_STRATEGYPROOF,
    IR,
    NOT_APPLICABLE,
    STRATEGYPROOF,
    AuditSpec,
    Property,
    outcome_property,
    properties,
)
from hurwicz.core.errors import AuditError
from hurwicz.core.outcome import Outcome
from hurwicz.core.reports import as_dict

from .profile import replace_voters

#: Most full-ranking profiles an audit of one given election enumerates.
MAX_ENUMERATED_PROFILES = 5000


def singleton_groups(data: Mapping[str, Any]) -> dict[str, Any]:
    """The same election with one ballot group per voter (for small elections only: the
    groups are expanded).

    Example:
        >>> singleton_groups({"candidates": ["x"], "ballots": [{"ranking": ["x"], "count": 2}]}
        ...                  )["ballots"]
        [{'ranking': ['x'], 'count': 1}, {'ranking': ['x'], 'count': 1}]
    """
    ballots = [{**b, "count": 1} for b in data["ballots"] for _ in range(int(b.get("count", 1)))]
    return {**data, "ballots": ballots}


def _winners(out: Outcome) -> list[Any]:
    return list(out.result.get("winners", []))


def condorcet_consistent(mech: Any, data: Any, outcome: Outcome) -> Any:
    """If a candidate beats every other one head to head, it must be the (only) winner; an
    election without a Condorcet winner says nothing (not applicable).

    Example:
        >>> import hurwicz as hz
        >>> e = {"candidates": ["a", "b", "c"], "ballots": [
        ...      {"ranking": ["a", "b", "c"], "count": 3},
        ...      {"ranking": ["b", "c", "a"], "count": 2},
        ...      {"ranking": ["c", "b", "a"], "count": 2}]}
        >>> condorcet_consistent(None, e, hz.mechanism("voting.plurality").run(e))
        {'condorcet_winner': 'b', 'winners': ['a']}
    """
    from .profile import Profile
    from .ranked import condorcet_winner

    profile = Profile.from_input(data)
    winner = condorcet_winner(profile)
    if winner is None:
        return NOT_APPLICABLE
    name = profile.candidates[winner]
    if outcome.result["winners"] == [name]:
        return None
    return {"condorcet_winner": name, "winners": outcome.result["winners"]}


def committee_size(mech: Any, data: Any, outcome: Outcome) -> Any:
    """A committee rule elects exactly ``seats`` distinct candidates.

    Example:
        >>> import hurwicz as hz
        >>> e = {"candidates": ["a", "b"], "ballots": [{"approve": ["a"]}]}
        >>> m = hz.mechanism("voting.pav", seats=2)
        >>> committee_size(m, e, m.run(e)) is None
        True
    """
    seats = getattr(getattr(mech, "params", None), "seats", 1)
    winners = outcome.result["winners"]
    if len(winners) == seats and len(set(winners)) == len(winners):
        return None
    return {"seats": seats, "winners": winners}


def _relabel(report: Any, mapping: Mapping[Any, Any]) -> Any:
    if isinstance(report, list | tuple):
        return [_relabel(r, mapping) for r in report]
    if isinstance(report, dict):
        return {mapping.get(k, k): v for k, v in report.items()}
    return mapping.get(report, report)


def _decided_by_tie_break(out: Outcome) -> bool:
    if out.result.get("tie_broken"):
        return True
    tied = out.result.get("tied")
    return bool(tied) and len(tied) > len(_winners(out))


def neutrality_search(spec: AuditSpec, instances: Sequence[Any], rng: np.random.Generator,
                      tolerance: float = 1e-9, tries: int = 10) -> dict[str, Any]:
    """Relabelling candidates in every ballot must relabel the winners. Outcomes where a tie
    was broken are skipped: a tie-break by name or order is not neutral by design.

    Example:
        >>> import numpy as np, hurwicz as hz
        >>> from hurwicz.auditing.spec import audit_spec
        >>> e = {"candidates": ["a", "b"], "ballots": [{"ranking": ["a", "b"], "count": 2},
        ...                                            {"ranking": ["b", "a"]}]}
        >>> r = neutrality_search(audit_spec(hz.mechanism("voting.borda")), [e],
        ...                       np.random.default_rng(0))
        >>> r["counterexample"] is None, r["deviations"]
        (True, 10)
    """
    tried = 0
    for data in instances:
        out = spec.mech.run(data)
        if _decided_by_tie_break(out):
            continue
        cands = list(as_dict(data)["candidates"])
        reports = spec.reports(data)
        for _ in range(tries):
            perm = [cands[i] for i in rng.permutation(len(cands))]
            mapping = dict(zip(cands, perm))
            tried += 1
            if isinstance(spec, _BallotAudit):  # a report moves one voter: relabel them all
                relabelled = spec.relabel(data, mapping)
            else:
                relabelled = spec.with_reports(data, {a: _relabel(r, mapping)
                                                      for a, r in reports.items()})
            new = spec.mech.run(relabelled)
            expected = [mapping[w] for w in _winners(out)]
            if not _decided_by_tie_break(new) and sorted(_winners(new)) != sorted(expected):
                return {"counterexample": {"input": data, "relabelling": mapping,
                                           "winners": _winners(out),
                                           "relabelled_winners": _winners(new)},
                        "deviations": tried, "complete": False}
    return {"counterexample": None, "deviations": tried, "complete": False}


def monotonicity_search(spec: AuditSpec, instances: Sequence[Any], rng: np.random.Generator,
                        tolerance: float = 1e-9) -> dict[str, Any]:
    """Raising a single winner one place in a voter's ranking must not make it lose.

    Example:
        >>> import numpy as np, hurwicz as hz
        >>> from hurwicz.auditing.spec import audit_spec
        >>> e = {"candidates": ["a", "b", "c"], "ballots": [{"ranking": ["b", "a", "c"]},
        ...      {"ranking": ["a", "b", "c"], "count": 2}]}
        >>> r = monotonicity_search(audit_spec(hz.mechanism("voting.plurality")), [e],
        ...                         np.random.default_rng(0))
        >>> r["counterexample"] is None, r["deviations"]
        (True, 1)
    """
    tried = 0
    for data in instances:
        out = spec.mech.run(data)
        winners = _winners(out)
        if len(winners) != 1:
            continue
        (w,) = winners
        for agent, ranking in spec.reports(data).items():
            flat = list(ranking)
            if w not in flat or flat.index(w) == 0 or any(isinstance(x, list) for x in flat):
                continue
            pos = flat.index(w)
            raised = flat.copy()
            raised[pos - 1], raised[pos] = raised[pos], raised[pos - 1]
            tried += 1
            new = spec.mech.run(spec.with_reports(data, {agent: raised}))
            if w not in _winners(new):
                return {"counterexample": {"input": data, "agent": agent, "raised": raised,
                                           "winners": winners, "new_winners": _winners(new)},
                        "deviations": tried, "complete": False}
    return {"counterexample": None, "deviations": tried, "complete": False}


NEUTRAL = Property("neutral", "relabelling candidates relabels the winners (tie-breaks "
                   "excepted)", "search", search=neutrality_search)
MONOTONE = Property("monotone", "raising the winner in a ballot keeps it winning", "search",
                    search=monotonicity_search)
CONDORCET = outcome_property("condorcet", "a Condorcet winner, when there is one, wins",
                             condorcet_consistent)
COMMITTEE_SIZE = outcome_property("committee_size", "exactly `seats` distinct winners",
                                  committee_size)


class _BallotAudit(AuditSpec):
    """Shared voter naming, ballot replacement, samplers and anonymity for ballot inputs."""

    ballot_field = "ranking"
    properties = properties(STRATEGYPROOF, COALITION_STRATEGYPROOF, IR, ANONYMOUS, NEUTRAL,
                            CONDORCET, COMMITTEE_SIZE)

    def reports(self, data: Any) -> dict[str, Any]:
        """Each ballot group's ballot, keyed ``b{g}`` (the report of one voter of the group).

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> audit_spec(hz.mechanism("voting.irv")).reports({"candidates": ["x", "y"],
            ...     "ballots": [{"ranking": ["x", "y"], "count": 2**53}, {"ranking": ["y"]}]})
            {'b0': ['x', 'y'], 'b1': ['y']}
        """
        base = as_dict(data)
        self.mech.parse_input(base)
        return {f"b{g}": ballot[self.ballot_field] for g, ballot in enumerate(base["ballots"])}

    def with_reports(self, data: Any, reports: Mapping[str, Any]) -> dict[str, Any]:
        """One voter of each named group casts the new ballot (see the module docstring).

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> spec = audit_spec(hz.mechanism("voting.irv"))
            >>> spec.with_reports({"candidates": ["x", "y"], "ballots": [
            ...     {"ranking": ["x", "y"], "count": 3}]}, {"b0": ["y", "x"]})["ballots"]
            [{'ranking': ['x', 'y'], 'count': 2}, {'ranking': ['y', 'x'], 'count': 1}]
        """
        return replace_voters(as_dict(data), reports, self.ballot_field)

    def relabel(self, data: Any, mapping: Mapping[str, str]) -> dict[str, Any]:
        """``data`` with the candidates renamed by ``mapping`` in every voter's ballot.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> audit_spec(hz.mechanism("voting.irv")).relabel({"candidates": ["x", "y"],
            ...     "ballots": [{"ranking": ["x", "y"], "count": 2}]}, {"x": "y", "y": "x"})
            {'candidates': ['x', 'y'], 'ballots': [{'ranking': ['y', 'x'], 'count': 2}]}
        """
        base = as_dict(data)
        field = self.ballot_field
        return {**base, "ballots": [{**b, field: _relabel(b[field], mapping)}
                                    for b in base["ballots"]]}

    def same_outcome(self, before: Outcome, after: Outcome, mapping: Mapping[str, str]) -> bool:
        """Voters are anonymous when the winners do not change.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> m = hz.mechanism("voting.plurality")
            >>> e = {"candidates": ["x", "y"], "ballots": [{"ranking": ["x", "y"]}]}
            >>> audit_spec(m).same_outcome(m.run(e), m.run(e), {})
            True
        """
        return _winners(before) == _winners(after)

    def sample_options(self) -> set[str]:
        return {"candidates", "prior"}

    def _culture(self, options: Mapping[str, Any]) -> tuple[str, int]:
        from .generators import parse_culture

        prior = options.get("prior") or "impartial"
        if not isinstance(prior, str):
            raise AuditError(f"{self.mech.name}: the prior must be a preference culture "
                             "(impartial, mallows:PHI, urn:ALPHA, spatial:D)", "prior")
        parse_culture(prior)
        m = int(options.get("candidates") or 3)
        if m < 1:
            raise AuditError("candidates must be at least 1", "sample_options.candidates")
        return prior, m


class RankedAudit(_BallotAudit):
    """Ranked ballots (single-winner rules and STV)."""

    report_kind = "ranking"
    properties = properties(STRATEGYPROOF, COALITION_STRATEGYPROOF, IR, ANONYMOUS, NEUTRAL,
                            MONOTONE, CONDORCET, COMMITTEE_SIZE)

    def report_domain(self, data: Any, agent: str) -> dict[str, Any]:
        return {"kind": "ranking", "candidates": list(as_dict(data)["candidates"]),
                "truncate": False, "ties": False}

    def utility(self, agent: str, truth: Any, outcome: Outcome) -> float:
        """Points of the winners in the voter's true ranking (m − position; unranked 0),
        summed over a committee.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> m = hz.mechanism("voting.plurality")
            >>> out = m.run({"candidates": ["x", "y"], "ballots": [{"ranking": ["y", "x"]}]})
            >>> audit_spec(m).utility("b0", ["x", "y"], out)
            1.0
        """
        flat = [c for entry in truth for c in (entry if isinstance(entry, list) else [entry])]
        return float(sum(len(flat) - flat.index(w) for w in _winners(outcome) if w in flat))

    def sample(self, rng: np.random.Generator, agents: int | None = None,
               **options: Any) -> dict[str, Any]:
        """An election of ``agents`` voters (default 5) drawn from a culture.

        Example:
            >>> import numpy as np, hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> audit_spec(hz.mechanism("voting.irv")).sample(
            ...     np.random.default_rng(1), 3, prior="mallows:0.5")["candidates"]
            ['c1', 'c2', 'c3']
        """
        from .generators import election

        culture, m = self._culture(options)
        return election(culture, m, 5 if agents is None else agents, rng=rng)

    def edge_cases(self) -> list[dict[str, Any]]:
        """One voter, one candidate, an exact tie, a Condorcet cycle, large counts, truncated
        and tied ballots (for the rules that accept them).

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> len(audit_spec(hz.mechanism("voting.borda")).edge_cases()) >= 5
            True
        """
        abc = ["a", "b", "c"]
        cases = [
            {"candidates": ["a", "b"], "ballots": [{"ranking": ["b", "a"]}]},
            {"candidates": ["a"], "ballots": [{"ranking": ["a"], "count": 3}]},
            {"candidates": ["a", "b"], "ballots": [{"ranking": ["a", "b"]},
                                                   {"ranking": ["b", "a"]}]},
            {"candidates": abc, "ballots": [{"ranking": ["a", "b", "c"]},
                                            {"ranking": ["b", "c", "a"]},
                                            {"ranking": ["c", "a", "b"]}]},
            {"candidates": abc, "ballots": [{"ranking": ["c", "a", "b"], "count": 2},
                                            {"ranking": ["a", "b", "c"], "count": 3}]},
            # counts are weights: a million voters are two agents, never expanded
            {"candidates": abc, "ballots": [{"ranking": ["a", "b", "c"], "count": 10**6},
                                            {"ranking": ["c", "b", "a"], "count": 10**6 - 1}]},
        ]
        if getattr(self.mech, "accepts_truncated", True):
            cases.append({"candidates": abc, "ballots": [{"ranking": ["a"], "count": 2},
                                                         {"ranking": ["b", "c"], "count": 2}]})
        if getattr(self.mech, "supports_ties", False):
            cases.append({"candidates": abc, "ballots": [{"ranking": [["a", "b"], "c"]},
                                                         {"ranking": ["c", "b", "a"]}]})
        seats = getattr(self.mech.params, "seats", 1)
        return [c for c in cases if len(c["candidates"]) >= seats]

    def expand(self, given: Sequence[Any]) -> tuple[list[Any], str | None]:
        """For one given election with few voters and candidates: every profile of full
        rankings for its voters, each voter its own ballot group (the given election is
        audited too).

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> e = {"candidates": ["x", "y"], "ballots": [{"ranking": ["x"], "count": 2}]}
            >>> extra, space = audit_spec(hz.mechanism("voting.borda")).expand([e])
            >>> len(extra), space
            (4, 'every profile of full rankings of 2 agents over 2 candidates (4 profiles)')
        """
        if len(given) != 1:
            return [], None
        data = as_dict(given[0])
        self.mech.parse_input(data)
        voters = sum(int(b.get("count", 1)) for b in data["ballots"])
        # 2^13 > the limit: a larger electorate is never enumerated (nor its groups expanded)
        if not 0 < voters <= 16 or math.factorial(len(data["candidates"])) ** voters > \
                MAX_ENUMERATED_PROFILES:
            return [], None
        return full_ranking_profiles(self, singleton_groups(data), MAX_ENUMERATED_PROFILES)


class CardinalAudit(_BallotAudit):
    """Approval, score and quadratic-vote ballots (see the three subclasses)."""

    properties = properties(STRATEGYPROOF, COALITION_STRATEGYPROOF, IR, ANONYMOUS, NEUTRAL,
                            CONDORCET, COMMITTEE_SIZE)

    def report_domain(self, data: Any, agent: str) -> dict[str, Any]:
        cands = list(as_dict(data)["candidates"])
        if self.ballot_field == "approve":
            return {"kind": "approval", "candidates": cands}
        if self.ballot_field == "scores":
            return {"kind": "scores", "candidates": cands, "low": 0,
                    "high": getattr(self.mech.params, "max_score", 1)}
        return {"kind": "votes", "candidates": cands}

    def deviations(self, data: Any, agent: str, truth: Any, rng: np.random.Generator,
                   limit: int) -> tuple[list[Any], bool]:
        """Quadratic votes: concentrate the budget on one candidate, for or against it (other
        ballots: by report domain).

        Example:
            >>> import numpy as np, hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> spec = audit_spec(hz.mechanism("voting.quadratic", credits=9))
            >>> spec.deviations({"candidates": ["x"], "ballots": []}, "b0", {},
            ...                 np.random.default_rng(0), 10)
            ([{'x': 3}, {'x': -3}], False)
        """
        if self.ballot_field != "votes":
            return super().deviations(data, agent, truth, rng, limit)
        w = math.isqrt(int(self.mech.params.credits))
        cands = list(as_dict(data)["candidates"])
        return ([{c: w} for c in cands] + [{c: -w} for c in cands])[:limit], False

    def utility(self, agent: str, truth: Any, outcome: Outcome) -> float:
        """The voter's own (true) approvals, scores or votes of the winners, summed.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> m = hz.mechanism("voting.approval")
            >>> out = m.run({"candidates": ["x", "y"], "ballots": [{"approve": ["y"]}]})
            >>> audit_spec(m).utility("b0", ["x"], out)
            0.0
        """
        winners = _winners(outcome)
        if isinstance(truth, dict):
            return float(sum(truth.get(w, 0) for w in winners))
        return float(sum(w in (truth or []) for w in winners))

    def sample(self, rng: np.random.Generator, agents: int | None = None,
               **options: Any) -> dict[str, Any]:
        """An election of ``agents`` voters (default 5): approval sets, scores or quadratic
        votes derived from a culture.

        Example:
            >>> import numpy as np, hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> e = audit_spec(hz.mechanism("voting.approval")).sample(np.random.default_rng(0), 3)
            >>> sorted(e["ballots"][0])
            ['approve', 'count']
        """
        from .generators import election

        culture, m = self._culture(options)
        n = 5 if agents is None else agents
        if self.ballot_field == "votes":
            return _quadratic_votes(rng, n, m, int(self.mech.params.credits))
        return election(culture, m, n, rng=rng, kind=self.ballot_field,
                        max_score=getattr(self.mech.params, "max_score", 5))

    def edge_cases(self) -> list[dict[str, Any]]:
        """One voter, an empty ballot, an exact tie, large counts.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> audit_spec(hz.mechanism("voting.approval")).edge_cases()[0]["ballots"]
            [{'approve': ['b']}]
        """
        field = self.ballot_field
        empty: Any = [] if field == "approve" else {}
        one: Any = {"approve": ["b"], "scores": {"b": 2}, "votes": {"b": 1}}[field]
        other: Any = {"approve": ["a"], "scores": {"a": 2}, "votes": {"a": 1}}[field]
        seats = getattr(self.mech.params, "seats", 1)
        cases = [
            {"candidates": ["a", "b"], "ballots": [{field: one}]},
            {"candidates": ["a", "b"], "ballots": [{field: empty}, {field: one}]},
            {"candidates": ["a", "b"], "ballots": [{field: one}, {field: other}]},
            {"candidates": ["a", "b", "c"], "ballots": [{field: one, "count": 2},
                                                        {field: other, "count": 3}]},
            {"candidates": ["a", "b"], "ballots": [{field: one, "count": 10**6},
                                                   {field: other, "count": 10**6 - 1}]},
        ]
        return [c for c in cases if len(c["candidates"]) >= seats]


class ApprovalAudit(CardinalAudit):
    """Approval ballots (single winner and committees)."""

    ballot_field = "approve"
    report_kind = "approval"


class ScoreAudit(CardinalAudit):
    """Score (range) ballots: score, STAR, majority judgment."""

    ballot_field = "scores"
    report_kind = "scores"


class QuadraticAudit(CardinalAudit):
    """Quadratic votes (a vote of weight w costs w² voice credits)."""

    ballot_field = "votes"
    report_kind = "votes"
    signed_fields = ("ballots.*.votes.*",)


def _quadratic_votes(rng: np.random.Generator, n: int, m: int, credits: int) -> dict[str, Any]:
    names = [f"c{i + 1}" for i in range(m)]
    ballots = []
    for _ in range(n):
        votes: dict[str, int] = {}
        left = credits
        for c in rng.permutation(names):
            top = math.isqrt(left)
            w = int(rng.integers(-top, top + 1)) if top else 0
            if w:
                votes[str(c)] = w
                left -= w * w
        ballots.append({"votes": votes})
    return {"candidates": names, "ballots": ballots}


class LiquidAudit(AuditSpec):
    """Liquid democracy: instances with delegations (chains and cycles). Voters' reports mix
    ballots and delegations, whose true preferences are not observed, so no incentive property
    is defined; the conformance suite still runs it on sampled and degenerate inputs."""

    report_kind = "other"
    properties = properties(CONDORCET)

    def reports(self, data: Any) -> dict[str, Any]:
        base = as_dict(data)
        self.mech.parse_input(base)
        out: dict[str, Any] = {b["voter"]: b["ranking"] for b in base["ballots"]}
        out.update({v: {"delegate": d} for v, d in base.get("delegations", {}).items()})
        return out

    def sample(self, rng: np.random.Generator, agents: int | None = None,
               **options: Any) -> dict[str, Any]:
        """Voters either rank three candidates or delegate to another voter.

        Example:
            >>> import numpy as np, hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> d = audit_spec(hz.mechanism("voting.liquid")).sample(np.random.default_rng(0), 4)
            >>> len(d["ballots"]) + len(d["delegations"])
            4
        """
        n = 5 if agents is None else agents
        names = ["c1", "c2", "c3"]
        voters = [f"v{i + 1}" for i in range(n)]
        ballots, delegations = [], {}
        for i, v in enumerate(voters):
            if i > 0 and rng.random() < 0.4:
                target = voters[int(rng.integers(n))]
                delegations[v] = voters[0] if target == v else target
            else:
                ballots.append({"voter": v, "ranking": [names[j] for j in rng.permutation(3)]})
        return {"candidates": names, "ballots": ballots, "delegations": delegations}

    def edge_cases(self) -> list[dict[str, Any]]:
        """A delegation cycle, a dangling delegation, a single direct voter.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> len(audit_spec(hz.mechanism("voting.liquid")).edge_cases())
            3
        """
        ab = ["a", "b"]
        return [
            {"candidates": ab, "ballots": [{"voter": "v1", "ranking": ["a", "b"]}],
             "delegations": {}},
            {"candidates": ab, "ballots": [{"voter": "v1", "ranking": ["b", "a"]}],
             "delegations": {"v2": "v3", "v3": "v2"}},
            {"candidates": ab, "ballots": [{"voter": "v1", "ranking": ["a", "b"]},
                                           {"voter": "v2", "ranking": ["b", "a"]}],
             "delegations": {"v3": "v2", "v4": "v9"}},
        ]

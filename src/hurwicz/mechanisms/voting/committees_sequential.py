"""Approval committee rules that add (or drop) one candidate at a time, plus SAV and SLAV.

Ballots are approval sets (``{"approve": [...]}`` with counts); ``seats`` is the committee size.

* ``voting.sav`` — satisfaction approval voting (Brams & Kilgour 2014): a voter approving s
  candidates gives each of them 1/s; the ``seats`` candidates with the highest totals win.
* ``voting.seq_pav`` — sequential PAV (Thiele 1895; Lackner & Skowron 2023, §2.3): starting
  from the empty committee, add the candidate that raises the PAV score
  Σ_voters (1 + 1/2 + … + 1/|A_i ∩ W|) the most.
* ``voting.rev_seq_pav`` — reverse-sequential PAV: starting from all candidates, drop the one
  whose removal lowers the PAV score the least, until ``seats`` are left.
* ``voting.seq_cc`` — sequential Chamberlin–Courant: add the candidate that covers the most
  voters who have no approved member yet (greedy CC).
* ``voting.slav`` — Sainte-Laguë approval voting (Lackner & Skowron 2023, Def. 2.5): the Thiele
  rule with weights 1, 1/3, 1/5, …; exact (enumeration, or an ILP on HiGHS whose optimum is
  proven and rechecked in integers — the PAV path of :mod:`.committees`).

Tallies are exact (integers, Fractions). Tie-breaking (the priority order of ``tie_break``):
each step takes the highest-priority candidate among those its criterion leaves equal
(rev-seq-PAV drops the lowest-priority one), as abcvoting does with candidate indices.
``result.tie_broken`` says whether some step chose among equal candidates. ``result.tied``
lists every committee some way of breaking those ties elects (parallel universes: each tied
step is branched on, memoised on the set of candidates chosen so far, as abcvoting's
irresolute output); the search visits at most ``MAX_UNIVERSE_STATES`` states, and when it stops
early ``result.tied_complete`` is false and ``tied`` holds the committees found. For SAV
``tied`` is every choice of the candidates at the cut-off score (at most
``MAX_TIED_COMMITTEES``, else ``tied_complete: false``). For SLAV ``tied`` is every optimal
committee when they are enumerated (at most ``committees.MAX_ENUMERATION`` committees); on the
ILP path it holds the tie-broken committee only, with ``tied_complete: false`` when another
committee is optimal too.

Example:
    >>> import hurwicz as hz
    >>> election = {"candidates": ["a", "b", "c", "d"], "ballots": [
    ...     {"approve": ["a", "b"], "count": 3}, {"approve": ["c"], "count": 2},
    ...     {"approve": ["a", "b", "c", "d"], "count": 1}]}
    >>> [hz.mechanism(rule, seats=2).run(election).result["winners"]
    ...  for rule in ("voting.sav", "voting.seq_pav", "voting.seq_cc")]
    [['c', 'a'], ['a', 'c'], ['a', 'c']]
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Hashable
from fractions import Fraction
from typing import Any

import numpy as np

from hurwicz.core.outcome import Outcome
from hurwicz.core.registry import register

from .ballots import envelope
from .committees import MAX_ENUMERATION, CommitteeRule, thiele, thiele_score, thiele_weights
from .profile import weighted_column_sums
from .ranked import MAX_UNIVERSE_STATES

#: Most committees ``result.tied`` lists for SAV before ``tied_complete: false``.
MAX_TIED_COMMITTEES = 10_000


class Process:
    """One sequential rule on one election: a state, the candidates its criterion leaves
    equal for the next step (``options``), and the state after a choice (``advance``).
    ``drop`` rules remove candidates (the tie-break drops the lowest priority). A process
    may set ``state_limit`` below ``MAX_UNIVERSE_STATES`` when its states are costly."""

    drop = False

    def start(self) -> Any:
        raise NotImplementedError

    def options(self, state: Any) -> list[int]:
        raise NotImplementedError

    def advance(self, state: Any, c: int) -> Any:
        raise NotImplementedError

    def key(self, state: Any) -> Hashable:
        return frozenset(self.members(state))

    def members(self, state: Any) -> list[int]:
        return list(state)

    def steps(self) -> int:
        raise NotImplementedError


def run_sequential(proc: Process, prio: list[int], ties: list[bool]
                   ) -> tuple[list[int], list[list[int]], bool]:
    """The tie-broken committee (in the order chosen, or for drop rules in priority order),
    every committee of the parallel universes and whether that search was complete.

    Example:
        >>> A = np.array([[1, 1, 0], [0, 0, 1]], bool)
        >>> ties = []
        >>> run_sequential(SeqThiele(A, np.array([2, 2]), 2, "pav"), [0, 1, 2], ties), ties
        (([0, 2], [[0, 2], [1, 2]], True), [True, False])
    """
    rank = {c: k for k, c in enumerate(prio)}
    pick = max if proc.drop else min
    state = proc.start()
    for _ in range(proc.steps()):
        opts = proc.options(state)
        ties.append(len(opts) > 1)
        state = proc.advance(state, pick(opts, key=rank.__getitem__))
    chosen = proc.members(state)
    if proc.drop:
        chosen = sorted(chosen, key=rank.__getitem__)
    if not any(ties):
        return chosen, [sorted(chosen)], True
    found, complete = universes(proc, getattr(proc, "state_limit", MAX_UNIVERSE_STATES))
    if sorted(chosen) not in found:  # a search cut short still lists the tie-broken one
        found = sorted([*found, sorted(chosen)])
    return chosen, found, complete


def universes(proc: Process, limit: int = MAX_UNIVERSE_STATES
              ) -> tuple[list[list[int]], bool]:
    """Every committee reached by some way of breaking the ties, memoised on ``proc.key``;
    stops after ``limit`` states (then returns False).

    Example:
        >>> A = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1]], bool)
        >>> universes(SeqThiele(A, np.ones(3, np.int64), 2, "cc"))
        ([[0, 1], [0, 2], [1, 2]], True)
    """
    seen: set[Hashable] = set()
    found: set[tuple[int, ...]] = set()
    todo = [(proc.start(), 0)]
    total = proc.steps()
    while todo:
        state, depth = todo.pop()
        if depth == total:
            found.add(tuple(sorted(proc.members(state))))
            continue
        for c in proc.options(state):
            nxt = proc.advance(state, c)
            key = proc.key(nxt)
            if key in seen:
                continue
            if len(seen) >= limit:
                return sorted(list(f) for f in found), False
            seen.add(key)
            todo.append((nxt, depth + 1))
    return sorted(list(f) for f in found), True


def _column_sums(approvals: np.ndarray, weights: list[int]) -> list[int]:
    # Σ_g weights[g] over the groups approving each candidate, exactly (Python ints if big)
    return weighted_column_sums(approvals.astype(np.int64),
                                np.array(weights, dtype=object)).tolist()


class SeqThiele(Process):
    """Sequential Thiele rule: add the candidate with the largest marginal score."""

    def __init__(self, approvals: np.ndarray, counts: np.ndarray, seats: int, kind: str):
        self.approvals, self.counts, self.seats = approvals, counts.tolist(), seats
        self.weights = thiele_weights(kind, seats)

    def start(self) -> tuple[int, ...]:
        return ()

    def steps(self) -> int:
        return self.seats

    def options(self, state: tuple[int, ...]) -> list[int]:
        hits = self.approvals[:, list(state)].sum(axis=1).tolist()
        per = [n * self.weights[h] for n, h in zip(self.counts, hits)]
        gains = _column_sums(self.approvals, per)
        free = [c for c in range(self.approvals.shape[1]) if c not in state]
        best = max(gains[c] for c in free)
        return [c for c in free if gains[c] == best]

    def advance(self, state: tuple[int, ...], c: int) -> tuple[int, ...]:
        return (*state, c)


class RevSeqPAV(Process):
    """Reverse-sequential PAV: drop the candidate whose removal costs the least PAV score
    (marginal weights 1/l for every level l ≤ number of candidates, scaled to integers)."""

    drop = True

    def __init__(self, approvals: np.ndarray, counts: np.ndarray, seats: int):
        self.approvals, self.counts, self.seats = approvals, counts.tolist(), seats
        m = approvals.shape[1]
        self.weights = thiele_weights("pav", max(m, 1))

    def start(self) -> tuple[int, ...]:
        return tuple(range(self.approvals.shape[1]))

    def steps(self) -> int:
        return self.approvals.shape[1] - self.seats

    def options(self, state: tuple[int, ...]) -> list[int]:
        hits = self.approvals[:, list(state)].sum(axis=1).tolist()
        per = [n * self.weights[h - 1] if h else 0 for n, h in zip(self.counts, hits)]
        losses = _column_sums(self.approvals, per)
        least = min(losses[c] for c in state)
        return [c for c in state if losses[c] == least]

    def advance(self, state: tuple[int, ...], c: int) -> tuple[int, ...]:
        return tuple(d for d in state if d != c)


def sav_scores(approvals: np.ndarray, counts: np.ndarray) -> list[Fraction]:
    """Σ over voters approving c of 1/|A_i| (Brams & Kilgour 2014), exact.

    Example:
        >>> sav_scores(np.array([[1, 1, 0], [0, 0, 1]], bool), np.array([3, 1]))
        [Fraction(3, 2), Fraction(3, 2), Fraction(1, 1)]
    """
    scores = [Fraction(0)] * approvals.shape[1]
    for row, n in zip(approvals, counts.tolist()):
        size = int(row.sum())
        for c in np.nonzero(row)[0]:
            scores[c] += Fraction(n, size)
    return scores


def sav(approvals: np.ndarray, counts: np.ndarray, seats: int, prio: list[int],
        ties: list[bool]) -> tuple[list[int], list[list[int]], bool, list[Fraction]]:
    """SAV: the committee (by score, then priority), every committee of top scorers, whether
    that list is complete and the scores.

    Example:
        >>> A = np.array([[1, 1, 0], [0, 0, 1]], bool)
        >>> sav(A, np.array([2, 1]), 2, [0, 1, 2], [])[:3]
        ([0, 1], [[0, 1], [0, 2], [1, 2]], True)
    """
    scores = sav_scores(approvals, counts)
    rank = {c: k for k, c in enumerate(prio)}
    order = sorted(range(len(scores)), key=lambda c: (-scores[c], rank[c]))
    chosen = order[:seats]
    cut = scores[chosen[-1]]
    sure = [c for c in order if scores[c] > cut]
    maybe = [c for c in order if scores[c] == cut]
    ties.append(len(maybe) > seats - len(sure))
    tied, complete = [], True
    for pick in itertools.combinations(sorted(maybe), seats - len(sure)):
        if len(tied) >= MAX_TIED_COMMITTEES:
            complete = False
            break
        tied.append(sorted([*sure, *pick]))
    return chosen, sorted(tied), complete, scores


def best_committees(m: int, seats: int, key, prio: list[int]) -> tuple[list[int], list[list[int]]]:
    """Enumerate every committee; return the tie-broken optimum (smallest ``key``; among those,
    members first in priority order, lexicographically) and every optimal committee.

    Example:
        >>> best_committees(3, 2, lambda w: -sum(w), [2, 1, 0])
        ([2, 1], [[1, 2]])
    """
    rank = {c: k for k, c in enumerate(prio)}
    best, best_key, optimal = None, None, []
    for committee in itertools.combinations(range(m), seats):
        value = key(list(committee))
        if best_key is None or value < best_key:
            best_key, optimal = value, [list(committee)]
        elif value == best_key:
            optimal.append(list(committee))
    best = min(optimal, key=lambda w: sorted(rank[c] for c in w))
    return sorted(best, key=rank.__getitem__), sorted(optimal)


def tied_result(cands: list[str], found: list[list[int]], complete: bool) -> dict[str, Any]:
    """``{"tied": [...committees by name...]}`` plus ``tied_complete: False`` when cut short.

    Example:
        >>> tied_result(["a", "b"], [[0], [1]], False)
        {'tied': [['a'], ['b']], 'tied_complete': False}
    """
    out: dict[str, Any] = {"tied": [[cands[c] for c in f] for f in found]}
    if not complete:
        out["tied_complete"] = False
    return out


class SequentialCommitteeRule(CommitteeRule):
    """A committee rule run by :func:`run_sequential` on a :class:`Process`."""

    def process(self, approvals: np.ndarray, counts: np.ndarray) -> Process:
        raise NotImplementedError

    def choose(self, approvals, counts, prio, ties):
        chosen, found, complete = run_sequential(self.process(approvals, counts), prio, ties)
        if not complete and len(chosen) == approvals.shape[1]:  # seats = candidates
            found, complete = [sorted(chosen)], True
        return chosen, self._tied(found, complete)

    def _tied(self, found: list[list[int]], complete: bool) -> dict[str, Any]:
        # indices here; run() names them (choose() does not see the candidate names)
        return {"_tied": (found, complete)}

    def run(self, data: Any) -> Outcome:
        out = super().run(data)
        found, complete = out.result.pop("_tied")
        out.result.update(tied_result(self.names(data), found, complete))
        return out

    def names(self, data: Any) -> list[str]:
        """The candidates in input order (already validated by ``run``)."""
        return envelope(data, self.field, self.name)[0]


@register
class SatisfactionApprovalVoting(SequentialCommitteeRule):
    """SAV: each voter splits one point equally among the candidates it approves.

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("voting.sav", seats=1).run({"candidates": ["a", "b", "c"], "ballots": [
        ...     {"approve": ["a", "b"], "count": 3}, {"approve": ["c"], "count": 2}]}
        ...     ).result["winners"]
        ['c']
    """

    name = "voting.sav"
    summary = "Satisfaction approval voting (Brams-Kilgour): split each vote, top seats win."
    claims = ("anonymous", "committee_size")

    def choose(self, approvals, counts, prio, ties):
        chosen, found, complete, scores = sav(approvals, counts, self.params.seats, prio, ties)
        return chosen, {**self._tied(found, complete), "_scores": scores}

    def run(self, data: Any) -> Outcome:
        out = super().run(data)
        scores = out.result.pop("_scores")
        out.result["scores"] = {name: float(s) for name, s in zip(self.names(data), scores)}
        return out


@register
class SequentialPAV(SequentialCommitteeRule):
    """Sequential PAV: greedily add the candidate raising the PAV score most.

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("voting.seq_pav", seats=2).run({"candidates": ["a", "b", "c"],
        ...     "ballots": [{"approve": ["a", "b"], "count": 3}, {"approve": ["c"], "count": 2}]}
        ...     ).result["winners"]
        ['a', 'c']
    """

    name = "voting.seq_pav"
    version = "4"  # review3: complete `tied` when seats = candidates
    summary = "Sequential PAV (greedy Thiele), exact integer scores, parallel-universe ties."
    claims = ("anonymous", "committee_size")

    def process(self, approvals, counts):
        return SeqThiele(approvals, counts, self.params.seats, "pav")


@register
class ReverseSequentialPAV(SequentialCommitteeRule):
    """Reverse-sequential PAV: drop the candidate costing the least PAV score until ``seats``
    remain; ``winners`` are listed in priority order.

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("voting.rev_seq_pav", seats=2).run({"candidates": ["a", "b", "c"],
        ...     "ballots": [{"approve": ["a", "b"], "count": 3}, {"approve": ["c"], "count": 2}]}
        ...     ).result["winners"]
        ['a', 'c']
    """

    name = "voting.rev_seq_pav"
    summary = "Reverse-sequential PAV: remove the least valuable candidate, exact."
    claims = ("anonymous", "committee_size")

    def process(self, approvals, counts):
        return RevSeqPAV(approvals, counts, self.params.seats)


@register
class SequentialCC(SequentialCommitteeRule):
    """Sequential (greedy) Chamberlin–Courant: add the candidate covering most uncovered voters.

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("voting.seq_cc", seats=2).run({"candidates": ["a", "b", "c"],
        ...     "ballots": [{"approve": ["a", "b"], "count": 3}, {"approve": ["c"], "count": 2}]}
        ...     ).result["winners"]
        ['a', 'c']
    """

    name = "voting.seq_cc"
    version = "4"  # review3: complete `tied` when seats = candidates
    summary = "Sequential Chamberlin-Courant (greedy coverage), parallel-universe ties."
    claims = ("anonymous", "committee_size")

    def process(self, approvals, counts):
        return SeqThiele(approvals, counts, self.params.seats, "cc")


@register
class SainteLagueApproval(SequentialCommitteeRule):
    """SLAV: the Thiele rule with weights 1, 1/3, 1/5, …, exactly (as ``voting.pav``).

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("voting.slav", seats=3).run({"candidates": ["a", "b", "c", "d"],
        ...     "ballots": [{"approve": ["a", "b", "c"], "count": 5},
        ...                 {"approve": ["d"], "count": 2}]}
        ...     ).result["winners"]
        ['a', 'b', 'd']
    """

    name = "voting.slav"
    summary = "Sainte-Lague approval voting (Thiele 1, 1/3, 1/5, ...): exact, enumeration or ILP."
    claims = ("anonymous", "committee_size")

    def choose(self, approvals, counts, prio, ties):
        m, seats = approvals.shape[1], self.params.seats
        if math.comb(m, seats) <= MAX_ENUMERATION:  # every optimal committee, exactly
            weights = thiele_weights("slav", seats)
            committee, found = best_committees(
                m, seats, lambda w: -thiele_score(approvals, counts, w, weights), prio)
            ties.append(len(found) > 1)
            return committee, {**self._tied(found, True), "exact": True}
        # the ILP proves the optimum and says whether another committee is optimal too
        several: list[bool] = []
        committee = thiele(approvals, counts, seats, "slav", prio, several)
        ties.extend(several)
        return committee, {**self._tied([sorted(committee)], not several[0]), "exact": True}


"""Approval-based committee rules: PAV, Chamberlin–Courant (CC), sequential Phragmén and the
method of equal shares (MES).

Ballots are approval sets (``{"approve": [...]}`` with counts); ``seats`` is the committee size.

* ``voting.pav`` and ``voting.cc`` are Thiele rules: the committee W maximises
  Σ_voters w(|A_i ∩ W|) with w(l) = 1 + 1/2 + … + 1/l (PAV, Thiele 1895) or w(l) = min(l, 1)
  (CC). Exact: enumeration with integer arithmetic when there are at most
  ``MAX_ENUMERATION`` committees, else an ILP on HiGHS (zero relative MIP gap, optimality proof
  checked, and the committee's score recomputed in integers must equal the proven optimum;
  ``result.exact``); among optimal committees the tie-break picks the one whose members come
  first in priority order (lexicographically).
* ``voting.seq_phragmen`` (Phragmén 1894; Brill, Freeman, Janson & Lackner 2017): candidates are
  added one at a time, each to keep the maximal voter load as small as possible; exact fractions.
* ``voting.equal_shares`` (Peters & Skowron 2020): each voter starts with seats/n money; a
  candidate costs 1 and is bought by its approvers, each paying min(budget, ρ), choosing the
  smallest ρ. When no candidate is affordable the committee is completed by ``completion``:
  ``"seq_phragmen"`` (default; voters' initial loads = what they spent), ``"utilitarian"``
  (most approvals), ``"increment"`` (every voter's budget is raised to (seats + 1)/n,
  (seats + 2)/n, … and MES rerun until it fills every seat: the "Add1" completion of Peters,
  Pierczyński & Skowron 2021, as abcvoting's ``equal-shares-with-increment-completion``) or
  ``"none"`` (the committee may be smaller). Exact fractions.

``result.tie_broken`` says whether the tie-break decided anything: for PAV and CC, whether
more than one committee is optimal; for the sequential rules, whether some step chose among
candidates its criterion left equal (equal loads, equal ρ, equal approvals at the
utilitarian cut-off) — even when all of them are elected in the end, since the order of
election steers the later steps. An election without ballots, a ballot approving a candidate
twice and more seats than candidates are errors naming the field.

Example:
    >>> import hurwicz as hz
    >>> election = {"candidates": ["a", "b", "c", "d", "e"], "ballots": [
    ...     {"approve": ["a", "b", "c"], "count": 60}, {"approve": ["d", "e"], "count": 40}]}
    >>> [hz.mechanism(rule, seats=3).run(election).result["winners"]
    ...  for rule in ("voting.pav", "voting.seq_phragmen", "voting.equal_shares")]
    [['a', 'b', 'd'], ['a', 'd', 'b'], ['a', 'd', 'b']]
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, Field

from hurwicz.core.claims import Claim
from hurwicz.core.errors import InputError, ParameterError, SolverError
from hurwicz.core.outcome import Outcome
from hurwicz.core.registry import register

from .audit import ApprovalAudit
from .ballots import group_outcome
from .cardinal import CardinalRule
from .profile import exact_bincount, weighted_column_sums
from .ranked import RankedParams, priority_order

MAX_ENUMERATION = 200_000
#: The increment completion of equal shares reruns MES with budgets (seats + j)/n, j = 0, 1, …
#: It stops (an InputError naming ``ballots``) after MAX_INCREMENT_WORK / (seats × candidates ×
#: ballot groups) reruns, but never before MAX_INCREMENT_RERUNS_MIN: seconds, not hours.
MAX_INCREMENT_WORK = 2_000_000
MAX_INCREMENT_RERUNS_MIN = 200


class CommitteeParams(RankedParams):
    """Committee size."""

    seats: int = Field(1, ge=1, description="committee size")


class EqualSharesParams(CommitteeParams):
    """Committee size and how to complete the committee."""

    completion: Literal["seq_phragmen", "utilitarian", "increment", "none"] = Field(
        "seq_phragmen", description="how to fill seats once no candidate is affordable")


# --- the rules as functions on (approval matrix, counts) ----------------------------------
def thiele_weights(kind: str, seats: int) -> list[int]:
    """Integer marginal weights w(l) − w(l−1), l = 1..seats, scaled by lcm(1..seats)
    (``"pav"``: 1/l; ``"slav"``, Sainte-Laguë approval: 1/(2l − 1), scaled by
    lcm(1, 3, …, 2·seats − 1); ``"cc"``: 1, 0, 0, …).

    Example:
        >>> thiele_weights("pav", 3), thiele_weights("cc", 3), thiele_weights("slav", 3)
        ([6, 3, 2], [1, 0, 0], [15, 5, 3])
    """
    if kind == "cc":
        return [1] + [0] * (seats - 1)
    if kind == "slav":
        odd = math.lcm(*range(1, 2 * seats, 2))
        return [odd // (2 * level - 1) for level in range(1, seats + 1)]
    scale = math.lcm(*range(1, seats + 1))
    return [scale // level for level in range(1, seats + 1)]


def thiele_score(approvals: np.ndarray, counts: np.ndarray, committee: list[int],
                 weights: list[int]) -> int:
    """Σ_voters Σ_{l ≤ |A_i ∩ W|} weights[l−1] (integer).

    Example:
        >>> thiele_score(np.array([[1, 1, 0]], bool), np.array([2]), [0, 1], [2, 1])
        6
    """
    cum = np.concatenate([[0], np.cumsum(weights)]).astype(np.int64)
    hits = approvals[:, committee].sum(axis=1)
    per = cum[np.minimum(hits, len(weights))]
    if len(per) == 0:
        return 0
    return int(weighted_column_sums(per[:, None], np.asarray(counts, dtype=np.int64))[0])


def _thiele_enumerate(approvals, counts, seats, weights, prio) -> tuple[list[int], bool]:
    m = approvals.shape[1]
    rank = {c: k for k, c in enumerate(prio)}
    best, best_key, optimal = None, None, 0
    for committee in itertools.combinations(range(m), seats):
        score = thiele_score(approvals, counts, list(committee), weights)
        key = (-score, sorted(rank[c] for c in committee))
        if best_key is not None and key[0] == best_key[0]:
            optimal += 1
        if best_key is None or key < best_key:
            if best_key is None or key[0] < best_key[0]:
                optimal = 1
            best, best_key = list(committee), key
    return sorted(best, key=rank.__getitem__), optimal > 1


def _thiele_ilp(approvals, counts, seats, weights, prio) -> tuple[list[int], bool]:
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import lil_matrix

    from hurwicz.core.highs import INTEGER_ABS_GAP, milp_options, milp_proof

    u, m = approvals.shape
    levels = [min(seats, int(approvals[g].sum())) for g in range(u)]
    offsets = np.concatenate([[m], m + np.cumsum(levels)]).astype(int)
    nvar = int(offsets[-1])
    cost = np.zeros(nvar)
    for g in range(u):
        cost[offsets[g]:offsets[g + 1]] = -counts[g] * np.array(weights[:levels[g]], float)
    rows = lil_matrix((u + 1, nvar))
    for g in range(u):  # Σ_l y_gl − Σ_{c ∈ A_g} x_c ≤ 0
        rows[g, offsets[g]:offsets[g + 1]] = 1
        rows[g, np.nonzero(approvals[g])[0]] = -1
    rows[u, :m] = 1
    lower = np.concatenate([np.full(u, -np.inf), [seats]])
    upper = np.concatenate([np.zeros(u), [seats]])
    integrality = np.concatenate([np.ones(m), np.zeros(nvar - m)])
    base = [LinearConstraint(rows.tocsr(), lower, upper)]
    lo, hi = np.zeros(nvar), np.ones(nvar)
    options = milp_options()

    def solve(objective, extra, lo, hi):
        res = milp(objective, constraints=base + extra, integrality=integrality,
                   bounds=Bounds(lo, hi), options=options)
        if res.status == 2:  # infeasible
            return None
        if res.status != 0 or res.x is None:
            raise SolverError(f"HiGHS: {res.message}", "thiele")
        return res

    first = solve(cost, [], lo, hi)
    if first is None:
        raise ParameterError("seats", "no committee found by the ILP")
    # the scores are whole numbers (integer weights × counts): a final gap below 0.5 proves
    proof = milp_proof(first, INTEGER_ABS_GAP)
    if not proof.exact:
        raise SolverError(f"HiGHS did not prove the committee optimal ({proof.status}, gap "
                          f"{proof.gap:.3g})", "thiele")
    optimum = round(-first.fun)
    keep = [LinearConstraint(-cost[None, :], optimum - 0.5, np.inf)]  # the optimal face
    feasible = np.zeros(nvar)  # on the face any committee will do: feasibility checks only
    for c in prio:  # lexicographic tie-break among optimal committees
        trial_lo = lo.copy()
        trial_lo[c] = 1
        if solve(feasible, keep, trial_lo, hi) is not None:
            lo = trial_lo
        else:
            hi = hi.copy()
            hi[c] = 0
    rank = {c: k for k, c in enumerate(prio)}
    committee = sorted((c for c in range(m) if lo[c] == 1), key=rank.__getitem__)
    score = thiele_score(approvals, counts, committee, weights)
    if score != optimum:  # exact integer check of the solver's answer
        raise SolverError(f"the committee's score {score} differs from the proven optimum "
                          f"{optimum}", "thiele")
    # is another committee optimal too? (at most seats − 1 members in common)
    member = np.zeros(nvar)
    member[committee] = 1
    other = solve(feasible, [*keep, LinearConstraint(member[None, :], -np.inf, seats - 1)],
                  np.zeros(nvar), np.ones(nvar))
    return committee, other is not None


def thiele(approvals: np.ndarray, counts: np.ndarray, seats: int, kind: str,
           prio: list[int], ties: list[bool] | None = None) -> list[int]:
    """An optimal committee of a Thiele rule (``"pav"``, ``"slav"`` or ``"cc"``), exact. With a list
    ``ties``, appends whether several committees are optimal (the tie-break chose).

    Example:
        >>> A = np.array([[1, 1, 0], [0, 0, 1]], bool)
        >>> ties = []
        >>> thiele(A, np.array([3, 2]), 2, "cc", [0, 1, 2], ties), ties
        ([0, 2], [True])
    """
    weights = thiele_weights(kind, seats)
    if math.comb(approvals.shape[1], seats) <= MAX_ENUMERATION:
        committee, several = _thiele_enumerate(approvals, counts, seats, weights, prio)
    else:
        committee, several = _thiele_ilp(approvals, counts, seats, weights, prio)
    if ties is not None:
        ties.append(several)
    return committee


def _phragmen_steps(approvals, counts, seats, prio, committee, loads,
                    ties: list[bool] | None = None) -> list[int]:
    m = approvals.shape[1]
    rank = {c: k for k, c in enumerate(prio)}
    chosen = list(committee)
    while len(chosen) < min(seats, m):
        best, best_key, equal = None, None, False
        for c in range(m):
            if c in chosen:
                continue
            support = np.nonzero(approvals[:, c])[0]
            weight = sum(int(counts[g]) for g in support)
            if weight == 0:
                key = (1, Fraction(0), rank[c])  # nobody approves: only to fill seats
            else:
                load = (1 + sum(counts[g] * loads[g] for g in support)) / Fraction(weight)
                key = (0, load, rank[c])
            if best_key is not None and key[:2] == best_key[:2]:
                equal = True
            elif best_key is None or key < best_key:
                equal = False
            if best_key is None or key < best_key:
                best, best_key = c, key
        if ties is not None:
            ties.append(equal)
        chosen.append(best)
        if best_key[0] == 0:
            for g in np.nonzero(approvals[:, best])[0]:
                loads[g] = best_key[1]
    return chosen


def seq_phragmen(approvals: np.ndarray, counts: np.ndarray, seats: int,
                 prio: list[int], ties: list[bool] | None = None) -> list[int]:
    """Sequential Phragmén, exact; returns candidates in the order they were added. With a
    list ``ties``, appends for each step whether candidates tied for it (equal loads).

    Example:
        >>> A = np.array([[1, 1, 0], [0, 0, 1]], bool)
        >>> ties = []
        >>> seq_phragmen(A, np.array([3, 2]), 2, [0, 1, 2], ties), ties
        ([0, 2], [True, False])
    """
    loads = [Fraction(0)] * approvals.shape[0]
    return _phragmen_steps(approvals, counts, seats, prio, [], loads, ties)


def equal_shares(approvals: np.ndarray, counts: np.ndarray, seats: int, prio: list[int],
                 completion: str = "seq_phragmen", ties: list[bool] | None = None
                 ) -> tuple[list[int], int]:
    """Method of equal shares; returns the committee (in order) and how many seats MES itself
    filled before the completion. With a list ``ties``, appends for each step whether
    candidates tied for it.

    Example:
        >>> A = np.array([[1, 1, 0], [0, 0, 1]], bool)
        >>> equal_shares(A, np.array([3, 2]), 2, [0, 1, 2])
        ([0, 2], 1)
    """
    m = approvals.shape[1]
    n = int(counts.sum())
    rank = {c: k for k, c in enumerate(prio)}
    if completion == "increment":
        return _equal_shares_increment(approvals, counts, seats, prio, ties)
    chosen, budget = _mes_purchases(approvals, counts, seats, rank, Fraction(seats, n)
                                    if n else Fraction(0), ties)
    bought = len(chosen)
    if completion == "seq_phragmen" and len(chosen) < seats:
        start = Fraction(seats, n) if n else Fraction(0)
        loads = [start - b for b in budget]
        chosen = _phragmen_steps(approvals, counts, seats, prio, chosen, loads, ties)
    elif completion == "utilitarian" and len(chosen) < seats:
        votes = weighted_column_sums(approvals.astype(np.int64), counts).tolist()
        rest = sorted((c for c in range(m) if c not in chosen),
                      key=lambda c: (-votes[c], rank[c]))
        free = seats - len(chosen)
        if ties is not None and len(rest) > free:  # equal approvals at the cut-off
            ties.append(votes[rest[free - 1]] == votes[rest[free]])
        chosen += rest[:free]
    return chosen, bought


def _equal_shares_increment(approvals, counts, seats, prio, ties) -> tuple[list[int], int]:
    # The "Add1"/increment completion of MES (Peters, Pierczyński & Skowron 2021, NeurIPS,
    # and equalshares.net): raise every voter's budget from seats/n in steps of 1/n (the
    # "virtual committee size" K = seats, seats + 1, ...) until MES, stopping at ``seats``
    # purchases, fills every seat; exactly abcvoting's "equal-shares-with-increment-completion"
    # (the reference matched in tests). With fewer approved candidates than seats it is
    # approval voting: the approved ones, then unapproved ones in priority order.
    m = approvals.shape[1]
    n = int(counts.sum())
    rank = {c: k for k, c in enumerate(prio)}
    votes = weighted_column_sums(approvals.astype(np.int64), counts).tolist()
    approved = [c for c in range(m) if votes[c] > 0]
    if len(approved) < seats:
        rest = sorted((c for c in range(m) if votes[c] == 0), key=rank.__getitem__)
        if ties is not None:
            ties.append(len(rest) > seats - len(approved))
        chosen = sorted(approved, key=lambda c: (-votes[c], rank[c]))
        return chosen + rest[:seats - len(chosen)], 0
    # each rerun costs about seats × candidates × ballot groups exact steps; the scan can need
    # up to seats·n reruns (one voter among many approving the last seat's candidate), so it
    # is cut off, naming ``ballots``, instead of running for hours on large counts
    reruns = max(MAX_INCREMENT_RERUNS_MIN,
                 MAX_INCREMENT_WORK // max(1, seats * m * approvals.shape[0]))
    for virtual in range(seats, seats * n + 1):  # K = seats·n: one voter affords anything
        if virtual - seats >= reruns:
            raise InputError("ballots", f"equal shares' increment completion reran MES with "
                             f"budgets {seats}/n … {virtual - 1}/n (n = {n}) without filling "
                             f"{seats} seats and stops at {reruns} reruns (it may need up to "
                             f"{seats * n - seats}): use completion='seq_phragmen' or "
                             "'utilitarian', or fewer voters")
        steps: list[bool] = []
        chosen, _ = _mes_purchases(approvals, counts, seats, rank, Fraction(virtual, n), steps)
        if len(chosen) == seats:
            if ties is not None:
                ties.extend(steps)
            return chosen, seats
    raise AssertionError("unreachable: with a budget of seats per voter every seat is filled")


def _mes_purchases(approvals, counts, seats, rank, start, ties) -> tuple[list[int], list]:
    u, m = approvals.shape
    budget = [start] * u
    chosen: list[int] = []
    while len(chosen) < min(seats, m):
        best, best_key, equal = None, None, False
        for c in range(m):
            if c in chosen:
                continue
            support = sorted(np.nonzero(approvals[:, c])[0], key=lambda g: budget[g])
            if sum(counts[g] * budget[g] for g in support) < 1:
                continue
            cost, weight = Fraction(1), sum(int(counts[g]) for g in support)
            rho = None
            for g in support:
                if budget[g] * weight >= cost:
                    rho = cost / weight
                    break
                cost -= counts[g] * budget[g]
                weight -= int(counts[g])
            key = (rho, rank[c])
            if best_key is not None and key[0] == best_key[0]:
                equal = True
            elif best_key is None or key < best_key:
                equal = False
            if best_key is None or key < best_key:
                best, best_key = c, key
        if best is None:
            break
        if ties is not None:
            ties.append(equal)
        chosen.append(best)
        for g in np.nonzero(approvals[:, best])[0]:
            budget[g] -= min(budget[g], best_key[0])
    return chosen, budget


def merge_approvals(approvals: np.ndarray, counts: np.ndarray | None = None
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Merge identical approval sets (packed into one integer each when there are at most 62
    candidates) and add up their counts.

    Example:
        >>> A = np.array([[1, 0], [1, 0], [0, 1]], bool)
        >>> keys, counts = merge_approvals(A)
        >>> keys.astype(int).tolist(), counts.tolist()
        ([[1, 0], [0, 1]], [2, 1])
    """
    counts = np.ones(len(approvals), dtype=np.int64) if counts is None else np.asarray(
        counts, dtype=np.int64)
    m = approvals.shape[1]
    if len(approvals) == 0:
        return approvals.reshape(0, m), np.zeros(0, dtype=np.int64)
    if m <= 62:
        packed = approvals.astype(np.int64) @ (np.int64(1) << np.arange(m, dtype=np.int64))
        _, first, inverse = np.unique(packed, return_index=True, return_inverse=True)
        keys = approvals[first]
    else:
        keys, inverse = np.unique(approvals, axis=0, return_inverse=True)
    return keys, exact_bincount(inverse.ravel(), counts, len(keys))


# --- properties of committees ------------------------------------------------------------
def satisfies_ejr(approvals: np.ndarray, counts: np.ndarray, seats: int,
                  committee: list[int]) -> bool:
    """Extended justified representation (Aziz et al. 2017): no group of at least l·n/k voters
    who all approve the same l candidates has every member with fewer than l approved members.

    Exact check: for each l and each set T of l candidates, the voters approving all of T and
    having fewer than l approved members in the committee must be fewer than l·n/k.

    Example:
        >>> A = np.array([[1, 1, 0], [0, 0, 1]], bool)
        >>> counts = np.array([1, 2])
        >>> satisfies_ejr(A, counts, 2, [0, 2]), satisfies_ejr(A, counts, 2, [0, 1])
        (True, False)
    """
    n = int(counts.sum())
    m = approvals.shape[1]
    hits = approvals[:, committee].sum(axis=1)
    for size in range(1, seats + 1):
        for common in itertools.combinations(range(m), size):
            group = approvals[:, list(common)].all(axis=1) & (hits < size)
            if counts[group].sum() * seats >= size * n:
                return False
    return True


# --- registered mechanisms ---------------------------------------------------------------
class CommitteeRule(CardinalRule):
    """Approval ballots in, a committee of ``seats`` out."""

    field: ClassVar[str] = "approve"
    Audit = ApprovalAudit
    Params: ClassVar[type[BaseModel]] = CommitteeParams

    def approvals(self, data: Any) -> tuple[list[str], np.ndarray, np.ndarray]:
        # matrix() refuses duplicate approvals and an election without ballots
        cands, values, counts = self.matrix(data)
        keys, merged = merge_approvals(values > 0, counts)
        return cands, keys, merged

    def choose(self, approvals: np.ndarray, counts: np.ndarray, prio: list[int],
               ties: list[bool]) -> tuple[list[int], dict[str, Any]]:
        """The committee and extra result entries; appends to ``ties`` whether each decision
        was made by the tie-break."""
        raise NotImplementedError

    def run(self, data: Any) -> Outcome:
        cands, values, groups = self.matrix(data)
        approvals, counts = merge_approvals(values > 0, groups)
        seats = self.params.seats
        if seats > len(cands):
            raise ParameterError("seats", f"{seats} seats but only {len(cands)} candidates")
        prio = priority_order(cands, self.params.tie_break)
        ties: list[bool] = []
        committee, extra = self.choose(approvals, counts, prio, ties)
        winners = [cands[c] for c in committee]
        support = weighted_column_sums(approvals.astype(np.int64), counts)
        pav = thiele_score(approvals, counts, committee, thiele_weights("pav", seats))
        result = {"winners": winners, "tie_broken": any(ties),
                  "approvals": {cands[c]: int(support[c]) for c in range(len(cands))},
                  "pav_score": pav / math.lcm(*range(1, seats + 1)),
                  "tie_break": [cands[c] for c in prio], **extra}
        return group_outcome(self, winners, groups.tolist(), result, sum(groups.tolist()))



@register
class ProportionalApprovalVoting(CommitteeRule):
    """PAV: the committee maximising Σ_voters (1 + 1/2 + … + 1/|A_i ∩ W|), exactly.

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("voting.pav", seats=2).run({"candidates": ["a", "b", "c"], "ballots": [
        ...     {"approve": ["a", "b"], "count": 3}, {"approve": ["c"], "count": 2}]}
        ...     ).result["winners"]
        ['a', 'c']
    """

    name = "voting.pav"
    summary = "Proportional approval voting (Thiele): exact, enumeration or ILP on HiGHS."
    claims = ("anonymous", "committee_size")

    def choose(self, approvals, counts, prio, ties):
        # exact: enumeration, or an ILP whose optimum is proven and rechecked in integers
        return thiele(approvals, counts, self.params.seats, "pav", prio, ties), {"exact": True}


@register
class ChamberlinCourant(CommitteeRule):
    """Approval Chamberlin–Courant: the committee covering the most voters, exactly.

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("voting.cc", seats=2).run({"candidates": ["a", "b", "c"], "ballots": [
        ...     {"approve": ["a", "b"], "count": 3}, {"approve": ["c"], "count": 1}]}
        ...     ).result["covered"]
        4
    """

    name = "voting.cc"
    summary = "Chamberlin-Courant (approval): maximise voters with an approved member; exact."
    claims = ("anonymous", "committee_size")

    def choose(self, approvals, counts, prio, ties):
        committee = thiele(approvals, counts, self.params.seats, "cc", prio, ties)
        covered = int(counts[approvals[:, committee].any(axis=1)].sum())
        return committee, {"covered": covered, "exact": True}


@register
class SequentialPhragmen(CommitteeRule):
    """Sequential Phragmén: add the candidate that keeps the largest voter load smallest.

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("voting.seq_phragmen", seats=2).run({"candidates": ["a", "b"],
        ...     "ballots": [{"approve": ["a"], "count": 2}, {"approve": ["b"]}]}
        ...     ).result["winners"]
        ['a', 'b']
    """

    name = "voting.seq_phragmen"
    summary = "Sequential Phragmén (load balancing), exact fractions."
    claims = ("anonymous", "committee_size")

    def choose(self, approvals, counts, prio, ties):
        return seq_phragmen(approvals, counts, self.params.seats, prio, ties), {}


@register
class EqualShares(CommitteeRule):
    """Method of equal shares with a completion rule.

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("voting.equal_shares", seats=2, completion="none").run({
        ...     "candidates": ["a", "b"], "ballots": [{"approve": ["a"], "count": 3},
        ...     {"approve": ["b"]}]}).result["winners"]
        ['a']
    """

    name = "voting.equal_shares"
    summary = "Method of equal shares (Peters-Skowron), exact, with a completion method."
    # without a completion the committee may have fewer than `seats` members
    claims = ("anonymous", Claim("committee_size", when=lambda p: p.completion != "none",
                                 condition="completion != none"))
    Params = EqualSharesParams

    def choose(self, approvals, counts, prio, ties):
        committee, bought = equal_shares(approvals, counts, self.params.seats, prio,
                                         self.params.completion, ties)
        return committee, {"bought_by_equal_shares": bought}

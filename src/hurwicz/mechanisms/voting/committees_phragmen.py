"""Approval committee rules built on voter loads and supports: Monroe, minimax and leximax
Phragmén, maximin support and Phragmén–Eneström.

Ballots are approval sets (``{"approve": [...]}`` with counts); ``seats`` is the committee
size k and n is the number of voters.

* ``voting.monroe`` (Monroe 1995; Lackner & Skowron 2023, Def. 2.9): voters are split into k
  districts, one per committee member, of ⌊n/k⌋ or ⌈n/k⌉ voters each (n mod k districts get
  the larger size, as abcvoting does when k does not divide n); the Monroe score is the
  number of voters who approve their district's member, and the committee maximises it. A
  committee's score is a maximum flow (integers, exact); the optimum is found by enumeration
  when there are at most ``MAX_MONROE_ENUMERATION`` committees, else by an ILP on HiGHS
  (committee x_c, "larger district" z_c binary, assignment flows continuous: for fixed x, z
  the flow polytope is integral, so the optimum is a whole number, proven with an absolute
  gap below 1/2 and rechecked by the exact flow).
* ``voting.minimax_phragmen`` (Brill, Freeman, Janson & Lackner 2017): every member's unit
  load is split among its approvers; the committee minimises the largest voter load. For a
  fixed committee W the least possible largest load is, by max-flow/min-cut (Hall's
  condition), max over nonempty S ⊆ W of |S| / n(S), with n(S) the voters approving some
  member of S: computed exactly in fractions over the 2^k subsets. The optimum is found by
  enumeration (at most ``MAX_PHRAGMEN_ENUMERATION`` committees), else by a MIP on HiGHS:
  different committees' values are fractions with denominators at most n, so they differ
  by at least 1/n²; the MIP is accepted only when HiGHS proves optimality and 1/n² exceeds
  four times its tolerances (n ≤ ``MAX_MINIMAX_MIP_VOTERS``), and its committee's value is
  recomputed exactly. Beyond the limits the rule refuses, naming ``seats`` or ``ballots``.
* ``voting.leximax_phragmen`` (Brill, Freeman, Janson & Lackner 2017): the committee whose
  sorted vector of voter loads (largest first) is lexicographically smallest. For a fixed
  committee the leximax-optimal loads are the densest-subset decomposition (Fujishige 1980):
  the members S* maximising |S|/n(S) (the largest such set) load their approvers with
  exactly that ratio, and the rest is solved recursively; exact fractions. Enumeration only
  (at most ``MAX_LEXIMAX_ENUMERATION`` committees, ``seats`` ≤ ``MAX_SUBSET_SEATS``).
* ``voting.maximin_support`` (Sánchez-Fernández, García-Bermejo & Fisteus 2022): sequential;
  each step adds the candidate whose committee has the largest *support*, the largest
  minimum over members of the voter weight they receive when every voter splits its weight
  among its approved members. By LP duality that is min over nonempty S ⊆ W of n(S)/|S|,
  computed exactly over subsets instead of by a floating-point LP (``seats`` ≤
  ``MAX_SUBSET_SEATS``).
* ``voting.phragmen_enestrom`` (Camps, Mora & Saumell 2019; Janson 2016, §18.2, "Phragmén's
  method as used by Eneström"): every voter starts with budget 1 and a seat costs n/k;
  the candidate whose approvers hold the most budget is elected and its approvers' budgets
  are scaled by (support − n/k)/support, or set to 0 when support ≤ n/k; exact fractions.

When fewer than k candidates are approved by anybody, minimax and leximax Phragmén elect all
approved candidates and fill the seats with unapproved ones (as abcvoting does).

Tie-breaking: among optimal committees (Monroe, minimax, leximax) the one whose members come
first in the priority order, lexicographically (as ``voting.pav``); the sequential rules take
the highest-priority candidate among those left equal. ``result.tied`` holds every optimal
committee (enumeration, or the ILP's optimal face enumerated with no-good cuts up to
``MAX_ILP_TIED`` committees) or, for the sequential rules, every committee some tie-breaking
order elects (parallel universes); ``result.tied_complete`` is false when a list was cut
short.

Example:
    >>> import hurwicz as hz
    >>> election = {"candidates": ["a", "b", "c"], "ballots": [
    ...     {"approve": ["a", "b"], "count": 2}, {"approve": ["c"], "count": 2}]}
    >>> out = hz.mechanism("voting.minimax_phragmen", seats=2).run(election)
    >>> out.result["winners"], out.result["max_load"], out.result["tied"]
    (['a', 'c'], 0.5, [['a', 'c'], ['b', 'c']])
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction
from typing import Any

import numpy as np

from hurwicz.core.errors import InputError, ParameterError, SolverError
from hurwicz.core.registry import register

from .committees_sequential import (
    MAX_UNIVERSE_STATES,
    Process,
    SequentialCommitteeRule,
    best_committees,
)
from .profile import weighted_column_sums

MAX_MONROE_ENUMERATION = 2_000
MAX_PHRAGMEN_ENUMERATION = 200_000
MAX_LEXIMAX_ENUMERATION = 50_000
MAX_SUBSET_SEATS = 14
MAX_MINIMAX_MIP_VOTERS = 200
MAX_ILP_TIED = 100
#: Seconds for one ILP/MIP answer (optimum, tie-break and listing the tied committees): past
#: it the rule raises a SolverError (or, while listing ties, reports ``tied_complete: false``)
ILP_TIME_LIMIT = 120.0
MAX_ILP_VARIABLES = 200_000
MAX_ILP_VOTERS = 10**6  # whole-number flows stay far inside double precision
#: Monroe by enumeration with 2^31 voters or more runs Python max flows: committees ×
#: (distinct ballots + seats)² at most this (about ten seconds)
MAX_BIG_FLOW_WORK = 10**8
#: Exact subset computations touch (committees or candidate evaluations) × 2^seats subsets ×
#: ballot groups cells: beyond MAX_SUBSET_WORK (about ten seconds) minimax Phragmén switches to
#: its MIP and leximax Phragmén / maximin support refuse, naming ``seats``; one evaluation
#: holds 2^seats × ballot groups cells in memory, at most MAX_SUBSET_CELLS.
MAX_SUBSET_WORK = 10**9
SUBSET_CALL_COST = 5_000
BIG_COUNT_COST = 40
MAX_SUBSET_CELLS = 2 * 10**7


# --- exact values of one committee -------------------------------------------------------
def _masks(approvals: np.ndarray, committee: list[int]) -> np.ndarray:
    """Per ballot group, the bitmask of the committee positions it approves."""
    bits = np.int64(1) << np.arange(len(committee), dtype=np.int64)
    return approvals[:, committee].astype(np.int64) @ bits


@functools.cache
def _subsets(k: int) -> tuple[np.ndarray, np.ndarray]:
    """The nonempty subsets 1..2^k − 1 of k members as bitmasks, and their sizes."""
    subsets = np.arange(1, 1 << k, dtype=np.int64)
    sizes = np.zeros(len(subsets), dtype=np.int64)
    for bit in range(k):
        sizes += (subsets >> bit) & 1
    subsets.flags.writeable = sizes.flags.writeable = False
    return subsets, sizes


def _subset_weights(masks: np.ndarray, counts: np.ndarray, k: int
                    ) -> tuple[np.ndarray, np.ndarray]:
    """For every nonempty subset S (bitmask 1..2^k − 1) of k members: |S| and n(S)."""
    subsets, sizes = _subsets(k)
    touched = (masks[None, :] & subsets[:, None]) != 0
    weights = weighted_column_sums(touched.T.astype(np.int64), counts)
    return sizes, np.asarray(weights, dtype=np.int64)


def _extreme_ratio(num: np.ndarray, den: np.ndarray, largest: bool) -> tuple[Fraction, np.ndarray]:
    """The exact max (or min) of num/den (den > 0) and a mask of where it is attained."""
    approx = num / den
    best = approx.max() if largest else approx.min()
    near = np.nonzero(np.abs(approx - best) <= 1e-9 * abs(best))[0]
    values = {int(i): Fraction(int(num[i]), int(den[i])) for i in near}
    exact = max(values.values()) if largest else min(values.values())
    where = np.zeros(len(num), bool)
    where[[i for i, v in values.items() if v == exact]] = True
    return exact, where


def max_load(approvals: np.ndarray, counts: np.ndarray, committee: list[int]) -> Fraction | None:
    """The least possible largest voter load when each member's unit load is split among its
    approvers: max over S ⊆ W of |S| / n(S), exactly; ``None`` when a member has no approver.

    Example:
        >>> A = np.array([[1, 1, 0], [0, 0, 1]], bool)
        >>> max_load(A, np.array([2, 1]), [0, 1]), max_load(A, np.array([2, 1]), [0, 2])
        (Fraction(1, 1), Fraction(1, 1))
    """
    if not committee:
        return Fraction(0)
    sizes, weights = _subset_weights(_masks(approvals, committee), counts, len(committee))
    if (weights == 0).any():
        return None
    return _extreme_ratio(sizes, weights, True)[0]


def support_value(approvals: np.ndarray, counts: np.ndarray, committee: list[int]) -> Fraction:
    """Maximin support of a committee: the largest minimum support over members when every
    voter splits its weight among its approved members = min over S ⊆ W of n(S)/|S|, exact.

    Example:
        >>> support_value(np.array([[1, 1, 0], [0, 0, 1]], bool), np.array([3, 1]), [0, 2])
        Fraction(1, 1)
    """
    sizes, weights = _subset_weights(_masks(approvals, committee), counts, len(committee))
    if (weights == 0).any():
        return Fraction(0)
    return _extreme_ratio(weights, sizes, False)[0]


def load_profile(approvals: np.ndarray, counts: np.ndarray, committee: list[int]
                 ) -> tuple[tuple[Fraction, int], ...]:
    """The leximax-optimal voter loads of a committee whose members all have approvers, as
    runs (load, voters) from the largest load down (zero loads last): lexicographically
    smaller tuples are better committees for leximax Phragmén.

    Example:
        >>> A = np.array([[1, 1, 0], [0, 0, 1], [0, 0, 0]], bool)
        >>> [(str(t), v) for t, v in load_profile(A, np.array([2, 4, 1]), [0, 1, 2])]
        [('1', 2), ('1/4', 4), ('0', 1)]
    """
    k = len(committee)
    masks = _masks(approvals, committee)
    alive = (masks != 0) & (counts > 0)
    left = (1 << k) - 1
    runs: list[tuple[Fraction, int]] = []
    if k:
        subsets, sizes = _subsets(k)
    while left and alive.any():
        inside = (subsets & ~left) == 0
        touched = (masks[alive][None, :] & subsets[inside][:, None]) != 0
        weights = np.asarray(weighted_column_sums(touched.T.astype(np.int64), counts[alive]),
                             dtype=np.int64)
        t, where = _extreme_ratio(sizes[inside], weights, True)
        top = int(np.bitwise_or.reduce(subsets[inside][where]))
        hit = alive & ((masks & top) != 0)
        runs.append((t, int(counts[hit].sum())))
        alive &= ~hit
        left &= ~top
    zero = int(counts.sum()) - sum(v for _, v in runs)
    if zero:
        runs.append((Fraction(0), zero))
    merged: list[tuple[Fraction, int]] = []
    for t, v in sorted(runs, key=lambda r: -r[0]):
        if merged and merged[-1][0] == t:
            merged[-1] = (t, merged[-1][1] + v)
        else:
            merged.append((t, v))
    return tuple(merged)


def monroe_score(approvals: np.ndarray, counts: np.ndarray, committee: list[int]) -> int:
    """Monroe score: the most voters who can approve their district's member, districts of
    ⌊n/k⌋ voters and n mod k of them one larger; an exact maximum flow (Python integers:
    any number of voters).

    Example:
        >>> A = np.array([[1, 0], [0, 1]], bool)
        >>> monroe_score(A, np.array([3, 1]), [0, 1]), monroe_score(A, np.array([3, 1]), [0])
        (3, 3)
    """
    u, k = approvals.shape[0], len(committee)
    n = int(counts.sum())
    size, extra = divmod(n, k)
    if n < 2**31:  # scipy's compiled max flow takes int32 capacities
        return _monroe_flow_scipy(approvals, counts, committee, size, extra)
    # nodes: source 0, groups 1..u, members u+1..u+k, "larger district" u+k+1, sink u+k+2
    source, first, spare, sink = 0, 1 + u, 1 + u + k, 2 + u + k
    cap: list[dict[int, int]] = [{} for _ in range(sink + 1)]

    def edge(a: int, b: int, c: int) -> None:
        if c > 0:
            cap[a][b] = cap[a].get(b, 0) + c
            cap[b].setdefault(a, 0)

    for g in range(u):
        edge(source, 1 + g, int(counts[g]))
        for j, c in enumerate(committee):
            if approvals[g, c]:
                edge(1 + g, first + j, int(counts[g]))
    for j in range(k):
        edge(first + j, sink, size)
        edge(first + j, spare, 1)
    edge(spare, sink, extra)
    return _max_flow(cap, source, sink)


def _monroe_flow_scipy(approvals: np.ndarray, counts: np.ndarray, committee: list[int],
                       size: int, extra: int) -> int:
    """:func:`monroe_score`'s network built with numpy (no Python loop over ballots) and
    solved by scipy's compiled max flow; capacities below 2^31."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import maximum_flow

    u, k = approvals.shape[0], len(committee)
    source, first, spare, sink = 0, 1 + u, 1 + u + k, 2 + u + k
    counts = np.asarray(counts, np.int64)
    g, j = np.nonzero(approvals[:, committee])
    groups = np.arange(u)
    members = np.arange(k)
    rows = np.concatenate([np.zeros(u, np.int64), 1 + g, first + members, first + members,
                           [spare]])
    cols = np.concatenate([1 + groups, first + j, np.full(k, sink), np.full(k, spare),
                           [sink]])
    caps = np.concatenate([counts, counts[g], np.full(k, size), np.ones(k, np.int64),
                           [extra]])
    keep = caps > 0
    graph = csr_matrix((caps[keep].astype(np.int32), (rows[keep], cols[keep])),
                       shape=(sink + 1,) * 2)
    graph.sum_duplicates()
    return int(maximum_flow(graph, source, sink).flow_value)


def _max_flow(cap: list[dict[int, int]], source: int, sink: int) -> int:
    """Edmonds–Karp on residual capacities (modified in place); O(V·E²) augmentations
    whatever the capacities, so huge counts cost nothing extra."""
    from collections import deque

    total = 0
    while True:
        parent = {source: source}
        queue = deque([source])
        while queue and sink not in parent:
            a = queue.popleft()
            for b, c in cap[a].items():
                if c > 0 and b not in parent:
                    parent[b] = a
                    queue.append(b)
        if sink not in parent:
            return total
        push, b = None, sink
        while b != source:
            a = parent[b]
            push = cap[a][b] if push is None else min(push, cap[a][b])
            b = a
        b = sink
        while b != source:
            a = parent[b]
            cap[a][b] -= push
            cap[b][a] += push
            b = a
        total += push


# --- optimal committees ------------------------------------------------------------------
def _approved(approvals: np.ndarray, counts: np.ndarray) -> list[int]:
    votes = weighted_column_sums(approvals.astype(np.int64), counts)
    return [c for c in range(approvals.shape[1]) if votes[c] > 0]


def _ilp_committees(m: int, seats: int, cost: np.ndarray, constraints: list, integrality,
                    upper: np.ndarray, abs_gap: float, face_slack: float, verify, prio,
                    rule: str) -> tuple[list[int], list[list[int]], bool, float]:
    """Optimal committees of an ILP whose first ``m`` variables are the committee: the
    optimum (proven within ``abs_gap``), the priority tie-break by feasibility checks on the
    optimal face (objective ≤ optimum + ``face_slack``), then other optimal committees by
    no-good cuts; ``verify(committee)`` confirms each exactly."""
    import time

    from scipy.optimize import Bounds, LinearConstraint, milp

    from hurwicz.core.highs import milp_options, milp_proof

    nvar = len(cost)
    deadline = time.monotonic() + ILP_TIME_LIMIT

    def solve(objective, extra, lo, hi, listing=False):
        left = deadline - time.monotonic()
        if left <= 0:
            if listing:
                return "time"
            raise SolverError(f"the ILP took more than {ILP_TIME_LIMIT:g} s (ILP_TIME_LIMIT): "
                              "use fewer candidates, seats or distinct ballots", rule)
        res = milp(objective, constraints=constraints + extra, integrality=integrality,
                   bounds=Bounds(lo, hi), options=milp_options(time_limit=left))
        if res.status == 2:
            return None
        if res.status == 1 and listing:
            return "time"
        if res.status == 1:
            raise SolverError(f"the ILP took more than {ILP_TIME_LIMIT:g} s (ILP_TIME_LIMIT): "
                              "use fewer candidates, seats or distinct ballots", rule)
        if res.status != 0 or res.x is None:
            raise SolverError(f"HiGHS: {res.message}", rule)
        return res

    lo, hi = np.zeros(nvar), upper.copy()
    first = solve(cost, [], lo, hi)
    if first is None:
        raise ParameterError("seats", "no committee found by the ILP")
    proof = milp_proof(first, abs_gap)
    if not proof.exact:
        raise SolverError(f"HiGHS did not prove the committee optimal ({proof.status}, gap "
                          f"{proof.gap:.3g})", rule)
    optimum = float(first.fun)
    keep = [LinearConstraint(cost[None, :], -np.inf, optimum + face_slack)]
    feasible = np.zeros(nvar)
    for c in prio:
        trial = lo.copy()
        trial[c] = 1
        if solve(feasible, keep, trial, hi) is not None:
            lo = trial
        else:
            hi = hi.copy()
            hi[c] = 0
    rank = {c: k for k, c in enumerate(prio)}
    committee = sorted((c for c in range(m) if lo[c] == 1), key=rank.__getitem__)
    if len(committee) != seats or not verify(committee):
        raise SolverError("the ILP's committee failed the exact check", rule)
    found, cuts, complete = [sorted(committee)], [], True
    latest = found[0]
    while True:  # no-good cuts: every committee on the optimal face, each checked exactly
        member = np.zeros(nvar)
        member[latest] = 1
        cuts.append(LinearConstraint(member[None, :], -np.inf, seats - 1))
        res = solve(feasible, keep + cuts, np.zeros(nvar), upper, listing=True)
        if res is None:
            break
        if isinstance(res, str):  # out of time while listing the other optimal committees
            complete = False
            break
        latest = sorted(int(c) for c in np.nonzero(np.round(res.x[:m]) == 1)[0])
        if not verify(latest):  # within the tolerance but not optimal: cut off, skipped
            continue
        if len(found) >= MAX_ILP_TIED:
            complete = False
            break
        found.append(latest)
    return committee, sorted(found), complete, optimum


def _monroe_ilp(approvals, counts, seats, prio):
    from scipy.optimize import LinearConstraint
    from scipy.sparse import lil_matrix

    from hurwicz.core.highs import INTEGER_ABS_GAP

    u, m = approvals.shape
    n = int(counts.sum())
    size, extra = divmod(n, seats)
    if n > MAX_ILP_VOTERS:
        raise InputError("ballots", f"Monroe's ILP (more than {MAX_MONROE_ENUMERATION} "
                         f"committees) takes at most {MAX_ILP_VOTERS} voters, got {n}")
    pairs = [(g, c) for g in range(u) for c in range(m) if approvals[g, c]]
    nvar = 2 * m + len(pairs)
    if nvar > MAX_ILP_VARIABLES:
        raise InputError("ballots", f"Monroe's ILP would have {nvar} variables (at most "
                         f"{MAX_ILP_VARIABLES}): merge identical ballots or use fewer "
                         "candidates")
    link = 2 + m + u + m  # y_gc ≤ counts_g · x_c: not needed, but a much tighter relaxation
    rows = lil_matrix((link + len(pairs), nvar))
    lower, upper_rows = [], []
    rows[0, :m] = 1  # Σ x = seats
    lower.append(seats)
    upper_rows.append(seats)
    rows[1, m:2 * m] = 1  # Σ z = n mod seats
    lower.append(extra)
    upper_rows.append(extra)
    for c in range(m):  # z_c ≤ x_c
        rows[2 + c, m + c] = 1
        rows[2 + c, c] = -1
        lower.append(-np.inf)
        upper_rows.append(0)
    for j, (g, c) in enumerate(pairs):
        rows[2 + m + g, 2 * m + j] = 1  # Σ_c y_gc ≤ counts_g
        rows[2 + m + u + c, 2 * m + j] = 1  # Σ_g y_gc ≤ size·x_c + z_c
        rows[link + j, 2 * m + j] = 1
        rows[link + j, c] = -float(counts[g])
    for g in range(u):
        lower.append(-np.inf)
        upper_rows.append(float(counts[g]))
    for c in range(m):
        rows[2 + m + u + c, c] = -size
        rows[2 + m + u + c, m + c] = -1
        lower.append(-np.inf)
        upper_rows.append(0)
    lower += [-np.inf] * len(pairs)
    upper_rows += [0] * len(pairs)
    constraints = [LinearConstraint(rows.tocsr(), np.array(lower, float),
                                    np.array(upper_rows, float))]
    cost = np.concatenate([np.zeros(2 * m), -np.ones(len(pairs))])
    integrality = np.concatenate([np.ones(2 * m), np.zeros(len(pairs))])
    upper = np.concatenate([np.ones(2 * m), [float(counts[g]) for g, _ in pairs]])
    box: dict[str, int] = {}

    def verify(committee):
        score = monroe_score(approvals, counts, committee)
        box.setdefault("optimum", score)
        return score == box["optimum"]

    committee, found, complete, optimum = _ilp_committees(
        m, seats, cost, constraints, integrality, upper, INTEGER_ABS_GAP, 0.5, verify, prio,
        "monroe")
    if box["optimum"] != round(-optimum):
        raise SolverError(f"the committee's Monroe score {box['optimum']} differs from the "
                          f"proven optimum {-optimum:g}", "monroe")
    return committee, found, complete


def _minimax_mip(approvals, counts, seats, prio):
    from scipy.optimize import LinearConstraint
    from scipy.sparse import lil_matrix

    u, m = approvals.shape
    n = int(counts.sum())
    if n > MAX_MINIMAX_MIP_VOTERS:
        raise InputError("ballots", f"minimax Phragmén's MIP is exact for at most "
                         f"{MAX_MINIMAX_MIP_VOTERS} voters with more than "
                         f"{MAX_PHRAGMEN_ENUMERATION} committees; got {n} voters")
    pairs = [(g, c) for g in range(u) for c in range(m) if approvals[g, c]]
    nvar = m + len(pairs) + 1  # x, group loads L_gc, t
    if nvar > MAX_ILP_VARIABLES:
        raise InputError("ballots", f"the MIP would have {nvar} variables (at most "
                         f"{MAX_ILP_VARIABLES})")
    rows = lil_matrix((1 + m + u, nvar))
    rows[0, :m] = 1
    for j, (g, c) in enumerate(pairs):
        rows[1 + c, m + j] = 1  # Σ_g L_gc = x_c
        rows[1 + m + g, m + j] = 1  # Σ_c L_gc ≤ counts_g · t
    for c in range(m):
        rows[1 + c, c] = -1
    for g in range(u):
        rows[1 + m + g, nvar - 1] = -float(counts[g])
    lower = np.concatenate([[seats], np.zeros(m), np.full(u, -np.inf)])
    upper_rows = np.concatenate([[seats], np.zeros(m), np.zeros(u)])
    constraints = [LinearConstraint(rows.tocsr(), lower, upper_rows)]
    cost = np.zeros(nvar)
    cost[-1] = 1
    integrality = np.concatenate([np.ones(m), np.zeros(nvar - m)])
    upper = np.concatenate([np.ones(m + len(pairs)), [float(seats)]])
    # values of different committees differ by ≥ 1/n²: accept within a quarter of that
    slack = 1 / (4 * n * n)
    box: dict[str, Fraction] = {}

    def verify(committee):
        load = max_load(approvals, counts, committee)
        if load is None:
            return False
        box.setdefault("optimum", load)
        return load == box["optimum"]

    committee, found, complete, optimum = _ilp_committees(
        m, seats, cost, constraints, integrality, upper, slack, slack, verify, prio,
        "minimax_phragmen")
    if abs(float(box["optimum"]) - optimum) > slack:
        raise SolverError(f"the committee's exact max load {box['optimum']} is not the "
                          f"solver's optimum {optimum:g}", "minimax_phragmen")
    return committee, found, complete


def _fill_unapproved(approvals, counts, seats, prio):
    """Fewer approved candidates than seats: all approved ones plus unapproved ones."""
    import itertools

    rank = {c: k for k, c in enumerate(prio)}
    approved = _approved(approvals, counts)
    rest = [c for c in range(approvals.shape[1]) if c not in approved]
    need = seats - len(approved)
    committee = sorted(approved + sorted(rest, key=rank.__getitem__)[:need],
                       key=rank.__getitem__)
    found, complete = [], True
    for pick in itertools.combinations(rest, need):
        if len(found) >= MAX_ILP_TIED:
            complete = False
            break
        found.append(sorted([*approved, *pick]))
    return committee, sorted(found), complete


def _check_subset_seats(seats: int, groups: int = 1) -> None:
    if seats > MAX_SUBSET_SEATS:
        raise ParameterError("seats", f"at most {MAX_SUBSET_SEATS} seats (exact loads are "
                             f"computed over the 2^seats subsets of the committee)")
    if (1 << seats) * groups > MAX_SUBSET_CELLS:
        raise ParameterError("seats", f"2^{seats} committee subsets × {groups} distinct "
                             f"ballots = {(1 << seats) * groups} > {MAX_SUBSET_CELLS} cells "
                             "per exact evaluation: use fewer seats or merge ballots")


def _subset_work(evaluations: int, seats: int, groups: int, voters: int = 0) -> int:
    """Cells touched by ``evaluations`` exact subset evaluations of committees of ``seats``
    (plus a fixed cost per evaluation for its Python overhead); sums of 2^52 voters or more
    are Python integers, counted BIG_COUNT_COST times."""
    cells = (1 << seats) * groups * (BIG_COUNT_COST if voters >= 2**52 else 1)
    return evaluations * (cells + SUBSET_CALL_COST)


class OptimalCommitteeRule(SequentialCommitteeRule):
    """A rule choosing among optimal committees; ``result.tied`` = every optimal committee."""

    def optimise(self, approvals, counts, prio) -> tuple[list[int], list[list[int]], bool]:
        raise NotImplementedError

    def extras(self, approvals, counts, committee) -> dict[str, Any]:
        return {}

    def choose(self, approvals, counts, prio, ties):
        committee, found, complete = self.optimise(approvals, counts, prio)
        ties.append(len(found) > 1)
        return committee, {**self._tied(found, complete), "exact": True,
                           **self.extras(approvals, counts, committee)}


@register
class Monroe(OptimalCommitteeRule):
    """Monroe's rule: the committee maximising the Monroe score, exactly.

    Example:
        >>> import hurwicz as hz
        >>> out = hz.mechanism("voting.monroe", seats=2).run({"candidates": ["a", "b", "c"],
        ...     "ballots": [{"approve": ["a", "b"], "count": 3}, {"approve": ["c"], "count": 1}]})
        >>> out.result["winners"], out.result["monroe_score"]
        (['a', 'b'], 3)
    """

    name = "voting.monroe"
    summary = "Monroe's rule (approval): balanced districts, exact (flow + enumeration or ILP)."
    claims = ("anonymous", "committee_size")

    def optimise(self, approvals, counts, prio):
        m, seats = approvals.shape[1], self.params.seats
        total = math.comb(m, seats)
        if total <= MAX_MONROE_ENUMERATION and int(counts.sum()) >= 2**31:
            # capacities beyond int32: the pure-Python max flow, O(network²) per committee
            work = total * (len(counts) + seats) ** 2
            if work > MAX_BIG_FLOW_WORK:
                raise InputError("ballots", f"Monroe with {int(counts.sum())} voters (≥ 2^31: "
                                 f"exact Python max flows): C({m}, {seats}) committees × "
                                 f"({len(counts)} distinct ballots + {seats})² = {work} > "
                                 f"{MAX_BIG_FLOW_WORK}: use fewer distinct ballots")
        if total <= MAX_MONROE_ENUMERATION:
            committee, found = best_committees(
                m, seats, lambda w: -monroe_score(approvals, counts, w), prio)
            return committee, found, True
        return _monroe_ilp(approvals, counts, seats, prio)

    def extras(self, approvals, counts, committee):
        return {"monroe_score": monroe_score(approvals, counts, committee)}


def _phragmen_key(approvals, counts, value):
    approved = set(_approved(approvals, counts))

    def key(committee):
        if any(c not in approved for c in committee):
            return (1,)
        return (0, value(committee))
    return key


@register
class MinimaxPhragmen(OptimalCommitteeRule):
    """Minimax Phragmén: the committee with the smallest possible largest voter load.

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("voting.minimax_phragmen", seats=2).run({"candidates": ["a", "b", "c"],
        ...     "ballots": [{"approve": ["a", "b"], "count": 3}, {"approve": ["c"], "count": 1}]}
        ...     ).result["max_load"]
        0.6666666666666666
    """

    name = "voting.minimax_phragmen"
    summary = "Minimax Phragmen: minimise the largest voter load; exact fractions (or MIP)."
    claims = ("anonymous", "committee_size")

    def optimise(self, approvals, counts, prio):
        m, seats = approvals.shape[1], self.params.seats
        _check_subset_seats(seats, len(counts))
        if len(_approved(approvals, counts)) < seats:
            return _fill_unapproved(approvals, counts, seats, prio)
        total = math.comb(m, seats)
        if (total <= MAX_PHRAGMEN_ENUMERATION
                and _subset_work(total, seats, len(counts), int(counts.sum())) <= MAX_SUBSET_WORK):
            key = _phragmen_key(approvals, counts, lambda w: max_load(approvals, counts, w))
            committee, found = best_committees(m, seats, key, prio)
            return committee, found, True
        return _minimax_mip(approvals, counts, seats, prio)

    def extras(self, approvals, counts, committee):
        approved = set(_approved(approvals, counts))
        load = max_load(approvals, counts, [c for c in committee if c in approved])
        return {"max_load": float(load)}


@register
class LeximaxPhragmen(OptimalCommitteeRule):
    """Leximax Phragmén: lexicographically smallest sorted voter-load vector, exactly.

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("voting.leximax_phragmen", seats=2).run({"candidates": ["a", "b", "c"],
        ...     "ballots": [{"approve": ["a", "b"], "count": 3}, {"approve": ["c"], "count": 1}]}
        ...     ).result["loads"]
        [[0.6666666666666666, 3], [0.0, 1]]
    """

    name = "voting.leximax_phragmen"
    summary = "Leximax Phragmen: lexicographically minimal voter loads; exact fractions."
    claims = ("anonymous", "committee_size")

    def optimise(self, approvals, counts, prio):
        m, seats = approvals.shape[1], self.params.seats
        _check_subset_seats(seats, len(counts))
        if len(_approved(approvals, counts)) < seats:
            return _fill_unapproved(approvals, counts, seats, prio)
        if math.comb(m, seats) > MAX_LEXIMAX_ENUMERATION:
            raise ParameterError("seats", f"leximax Phragmén enumerates committees: at most "
                                 f"{MAX_LEXIMAX_ENUMERATION}, got C({m}, {seats}) = "
                                 f"{math.comb(m, seats)}")
        # the load decomposition repeats the subset evaluation: count it twice
        work = 2 * _subset_work(math.comb(m, seats), seats, len(counts),
                                  int(counts.sum()))
        if work > MAX_SUBSET_WORK:
            raise ParameterError("seats", f"leximax Phragmén: C({m}, {seats}) committees × "
                                 f"2^{seats} subsets × {len(counts)} distinct ballots is "
                                 f"{work} > {MAX_SUBSET_WORK} cells (minutes): use fewer "
                                 "seats, candidates or distinct ballots")
        key = _phragmen_key(approvals, counts, lambda w: load_profile(approvals, counts, w))
        committee, found = best_committees(m, seats, key, prio)
        return committee, found, True

    def extras(self, approvals, counts, committee):
        approved = set(_approved(approvals, counts))
        runs = load_profile(approvals, counts, [c for c in committee if c in approved])
        return {"loads": [[float(t), v] for t, v in runs]}


class MaximinSupportProcess(Process):
    """Add the candidate whose committee has the largest (exact) maximin support."""

    def __init__(self, approvals: np.ndarray, counts: np.ndarray, seats: int):
        self.approvals, self.counts, self.seats = approvals, counts, seats
        m, groups = approvals.shape[1], len(counts)
        # one step evaluates at most m committees
        per_state = _subset_work(m, seats, groups, int(counts.sum()))
        if per_state * seats > MAX_SUBSET_WORK:
            raise ParameterError("seats", f"maximin support: {seats} steps × {m} candidates × "
                                 f"2^{seats} subsets × {groups} distinct ballots is "
                                 f"{per_state * seats} > {MAX_SUBSET_WORK} cells (minutes): "
                                 "use fewer seats, candidates or distinct ballots")
        # parallel universes stop (tied_complete: false) within the same work
        self.state_limit = max(1, min(MAX_UNIVERSE_STATES, MAX_SUBSET_WORK // per_state))

    def start(self) -> tuple[int, ...]:
        return ()

    def steps(self) -> int:
        return self.seats

    def options(self, state):
        free = [c for c in range(self.approvals.shape[1]) if c not in state]
        value = {c: support_value(self.approvals, self.counts, [*state, c]) for c in free}
        best = max(value.values())
        return [c for c in free if value[c] == best]

    def advance(self, state, c):
        return (*state, c)


@register
class MaximinSupport(SequentialCommitteeRule):
    """Maximin support method: greedily maximise the committee's minimum support, exactly.

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("voting.maximin_support", seats=2).run({"candidates": ["a", "b", "c"],
        ...     "ballots": [{"approve": ["a", "b"], "count": 3}, {"approve": ["c"], "count": 2}]}
        ...     ).result["support"]
        2.0
    """

    name = "voting.maximin_support"
    version = "4"  # review3: complete `tied` when seats = candidates
    summary = "Maximin support method (sequential), exact supports over committee subsets."
    claims = ("anonymous", "committee_size")

    def process(self, approvals, counts):
        _check_subset_seats(self.params.seats, len(counts))
        return MaximinSupportProcess(approvals, counts, self.params.seats)

    def choose(self, approvals, counts, prio, ties):
        committee, extra = super().choose(approvals, counts, prio, ties)
        return committee, {**extra, "support": float(support_value(approvals, counts,
                                                                   committee))}


class EnestromProcess(Process):
    """Phragmén–Eneström: state = (members, budget per voter of each ballot group)."""

    def __init__(self, approvals: np.ndarray, counts: np.ndarray, seats: int):
        self.approvals, self.seats = approvals, seats
        self.counts = counts.tolist()
        self.price = Fraction(sum(self.counts), seats)

    def start(self):
        return ((), tuple(Fraction(1) for _ in self.counts))

    def steps(self) -> int:
        return self.seats

    def members(self, state):
        return list(state[0])

    def key(self, state):
        return (frozenset(state[0]), state[1])

    def _support(self, state, c) -> Fraction:
        return sum((n * b for n, b, a in zip(self.counts, state[1], self.approvals[:, c])
                    if a and b > 0), Fraction(0))

    def options(self, state):
        free = [c for c in range(self.approvals.shape[1]) if c not in state[0]]
        support = {c: self._support(state, c) for c in free}
        best = max(support.values())
        return [c for c in free if support[c] == best]

    def advance(self, state, c):
        support = self._support(state, c)
        scale = (support - self.price) / support if support > self.price else Fraction(0)
        budget = tuple(b * scale if a else b for b, a in zip(state[1], self.approvals[:, c]))
        return ((*state[0], c), budget)


@register
class PhragmenEnestrom(SequentialCommitteeRule):
    """Phragmén–Eneström: elect the best-funded candidate, charge its supporters n/k.

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("voting.phragmen_enestrom", seats=2).run({"candidates": ["a", "b", "c"],
        ...     "ballots": [{"approve": ["a", "b"], "count": 3}, {"approve": ["c"], "count": 2}]}
        ...     ).result["winners"]
        ['a', 'c']
    """

    name = "voting.phragmen_enestrom"
    version = "4"  # review3: complete `tied` when seats = candidates
    summary = "Phragmen-Enestrom (budgets scaled after each purchase), exact fractions."
    claims = ("anonymous", "committee_size")

    def process(self, approvals, counts):
        return EnestromProcess(approvals, counts, self.params.seats)

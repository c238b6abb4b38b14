"""Meek's method of single transferable vote (``voting.meek_stv``).

Meek (1969; Hill, Wichmann & Woodall 1987, "Algorithm 123 — Single transferable vote by Meek's
method", *Computer Journal* 30(3):277–281) gives every candidate a *keep value* k: hopeful
candidates keep all of a vote (k = 1), excluded candidates none (k = 0), and an elected
candidate keeps just enough of every vote reaching it to hold the quota. A ballot of weight w
gives w·k to its first candidate and passes w·(1 − k) on to the next, so surpluses flow to
later preferences on *every* ballot at once, including to candidates elected later; what is
left after the last preference is exhausted. The quota is Droop-like and recomputed at every
iteration: q = (votes held by candidates) / (seats + 1), so exhausted votes lower it.

A round iterates: distribute every ballot, recompute the quota, elect every hopeful candidate
who reaches it (if more reach it than seats remain, the largest tallies), and otherwise update
each elected candidate's keep value to k·q/v until the surpluses are negligible; then the
hopeful candidate with the lowest tally is excluded (k = 0). The count stops when the seats
are filled, or when the hopeful candidates just fill the remaining seats (all elected).

``arithmetic`` fixes the numbers and the stopping rule (Meek's iteration is infinite in exact
arithmetic, so some rule must stop it):

* ``"exact"`` (default): tallies, quota and surplus are exact rationals
  (:class:`fractions.Fraction`); a keep value k·q/v is rounded *up* to a multiple of
  2^-P (P = 64 + bits of the number of voters) so that its size stays bounded. A hopeful
  candidate is elected when its tally is strictly above the quota (Hill et al.'s quota
  carries 10^-9 to the same end). The iteration stops when every elected candidate's tally is
  within ``MEEK_TOLERANCE`` (10^-12 votes) of the quota, or after
  ``MAX_MEEK_ITERATIONS`` iterations (the round then says ``"converged": false``). Decisions
  compare the tallies at that point exactly, except that the hopeful tallies within the
  distance the iteration has still to go (the sum of |tally − quota| over the elected
  candidates, plus the tolerance) of the lowest one count as tied for exclusion: their order
  in the limit is not yet known, and an exact tie in the limit is a tie here.
* ``"nz"``: the New Zealand method (Local Electoral Regulations 2001, Schedule 1A, Part 1, as
  used in New Zealand local elections), step by step: every value is a fixed-point number
  with 9 decimal places. Step 1 counts first preferences; the quota q = (votes held by
  candidates) / (seats + 1) + 0.000000001 is truncated to 9 decimal places (clauses 5 and
  11), and a candidate whose votes equal or exceed it becomes successful (clauses 6 and 12).
  Each later step first gives every successful candidate the keep value k·q rounded up,
  divided by its votes and rounded up (clauses 7 and 17, from the previous step's quota and
  votes); then on each ballot every product of keep values is rounded up (clause 10: a
  candidate receives w·k rounded up and the ballot moves on with w·(1 − k) rounded up);
  then the quota is recomputed and candidates at it become successful; then the hopeful
  candidate with the fewest votes is excluded if its votes plus the total surplus are below
  every other hopeful candidate's votes, or if the total surplus is below 0.0001 (clause
  13; a successful candidate below the quota counts no surplus) — an election and an
  exclusion can happen in the same step. The count is complete
  when the seats are filled or the hopeful candidates just fill them (clause 3). Rounding up
  can make a ballot give away slightly more than its value; the quota uses the votes the
  candidates hold, so "exhausted" can then be slightly negative. Not taken from the schedule
  (the clauses were read as quoted by the ConcreteSTV and OpenSTV ``MeekNZSTV`` sources, not
  from the official text; the exceptional-case clauses 19–23 were not read; these are
  guards): a step whose
  total surplus did not fall below the previous step's, or the 1,000th step of a round,
  excludes as if the surplus were below 0.0001 (the round says ``"converged": false``);
  keep values are capped at 1; if more candidates reach the quota than seats remain, the
  largest tallies are elected. Ties for exclusion: the NZ rules break them by the "ahead at
  first difference" method and then a pseudo-random number (clause 19); here they are
  broken by the project's tie-break and reported (``result.tied``), like every other rule.

With one seat no candidate is elected before the last round, every keep value stays 1 and the
count is exactly the alternative vote (IRV), in both arithmetics (a strict majority of the
votes held by continuing candidates, or the last candidate left).

``result.rounds`` (the schema ``voting.stv`` uses): ``tally`` (every hopeful or elected
candidate's votes when the round's iteration stopped), ``elected``, ``excluded``,
``transfer`` (``{"from", "kind": "exclusion", "value"}`` for an exclusion; ``None`` when the
round elected candidates, since Meek transfers every surplus at once through the keep values)
and ``exhausted`` (cumulative value of exhausted votes), plus ``keep`` (keep values),
``quota``, ``surplus`` (total surplus of the elected candidates), ``iterations`` and
``converged``. Ties (equal lowest tallies, equal tallies at the last seat) are broken by the
tie-break; ``result.tied`` lists every committee some way of breaking them elects (parallel
universes, at most ``MAX_MEEK_UNIVERSES`` counts, else ``result.tied_complete: false``; in
exact arithmetic a rerun stops once it reaches a state an earlier count went through).
A tie that cannot matter is no choice (``tie_broken`` stays false): hopefuls no vote reaches,
and tied candidates who are all sure to be excluded — their votes together, plus the surplus
still to move, below every other hopeful's (exact arithmetic) — go in tie-break order.
Ballots must be strict (possibly truncated) rankings.

Example:
    >>> import hurwicz as hz
    >>> election = {"candidates": ["a", "b", "c", "d"], "ballots": [
    ...     {"ranking": ["a", "b"], "count": 6}, {"ranking": ["b"], "count": 2},
    ...     {"ranking": ["c"], "count": 3}, {"ranking": ["d", "c"], "count": 1}]}
    >>> out = hz.mechanism("voting.meek_stv", seats=2).run(election)
    >>> out.result["winners"], out.result["rounds"][0]["elected"]
    (['a', 'b'], ['a'])
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any, Literal

import numpy as np
from pydantic import Field

from hurwicz.core.errors import ParameterError
from hurwicz.core.outcome import Outcome
from hurwicz.core.registry import register

from .ballots import group_outcome
from .profile import Profile, exact_bincount, require_voters
from .ranked import RankedParams, RankedRule, priority_order
from .stv import named_round

#: Most counts the parallel-universe search for ``result.tied`` reruns.
MAX_MEEK_UNIVERSES = 64
#: Most keep-value iterations in one round.
MAX_MEEK_ITERATIONS = 1000
#: Exact arithmetic: the iteration stops when every elected tally is this close to the quota.
MEEK_TOLERANCE = Fraction(1, 10**12)
#: New Zealand arithmetic: values are integers in units of 10^-9 (Schedule 1A).
NZ_SCALE = 10**9
#: New Zealand rules, clause 13: the lowest hopeful candidate is excluded once the total surplus
#: is below 0.0001 (in units of 10^-9).
NZ_SURPLUS_LIMIT = 100_000

HOPEFUL, ELECTED, EXCLUDED = 0, 1, 2


class MeekParams(RankedParams):
    """Seats and arithmetic."""

    seats: int = Field(1, ge=1, description="number of candidates to elect")
    arithmetic: Literal["exact", "nz"] = Field(
        "exact", description="exact rationals (keep values iterated to 1e-12), or the New "
        "Zealand rules (Schedule 1A): 9-decimal fixed point, exclusion when the total surplus "
        "is below 0.0001 or the lowest candidate cannot catch up")


class _Exact:
    """Exact rational arithmetic; keep values on a grid of 2^-bits (rounded up)."""

    def __init__(self, p: Profile) -> None:
        self.bits = 64 + p.voters.bit_length()
        self.one = 1 << self.bits  # keep value 1 as a numerator over 2^bits

    def distribute(self, r: np.ndarray, counts: np.ndarray, keep: list[int], m: int
                   ) -> list[Fraction]:
        """Every candidate's votes (exact) under the keep numerators ``keep``."""
        u = len(r)
        weights = np.empty(u, dtype=object)
        weights[:] = 1  # numerators over one^j at column j
        counts_obj = counts.astype(object)
        keep_arr = np.array(keep, dtype=object)
        tally = [Fraction(0)] * m
        for j in range(r.shape[1]):
            col = r[:, j]
            live = (col >= 0) & (weights != 0)
            idx = np.nonzero(live)[0]
            if len(idx) == 0:
                break
            cand = col[idx]
            k = keep_arr[cand]
            got = weights[idx] * k * counts_obj[idx]
            sums: dict[int, int] = {}
            for c, g in zip(cand.tolist(), got.tolist()):
                if g:
                    sums[c] = sums.get(c, 0) + g
            scale = self.one ** (j + 1)
            for c, s in sums.items():
                tally[c] += Fraction(s, scale)
            rest = weights * self.one
            rest[idx] = weights[idx] * (self.one - k)
            weights = rest
        return tally

    def quota(self, held: Fraction, seats: int) -> Fraction:
        return held / (seats + 1)

    @staticmethod
    def reaches(v: Fraction, q: Fraction) -> bool:
        return v > q

    def update(self, k: int, q: Fraction, v: Fraction) -> int:
        """k·q/v rounded up to the grid, at most 1."""
        x = Fraction(k) * q / v
        return min(self.one, -(-x.numerator // x.denominator))

    def converged(self, elected_tallies: list[Fraction], q: Fraction, last: Any
                  ) -> tuple[bool, Any, Fraction]:
        surplus = sum((v - q for v in elected_tallies), Fraction(0))
        done = all(abs(v - q) <= MEEK_TOLERANCE for v in elected_tallies)
        return done, None, surplus

    @staticmethod
    def slack(elected_tallies: list[Fraction], q: Fraction) -> Fraction:
        """How far a hopeful tally may still move before the limit: ties within it."""
        return sum((abs(v - q) for v in elected_tallies), MEEK_TOLERANCE)

    def value(self, x: Any) -> Fraction:
        return x

    def keep_value(self, k: int) -> Fraction:
        return Fraction(k, self.one)


class _NewZealand:
    """Schedule 1A fixed point: integers in units of 10^-9, rounding as the rules say."""

    one = NZ_SCALE

    def __init__(self, p: Profile) -> None:
        self.big = p.voters * NZ_SCALE >= 2**62  # products of counts and values need Python ints

    def distribute(self, r: np.ndarray, counts: np.ndarray, keep: list[int], m: int
                   ) -> list[int]:
        u = len(r)
        s = NZ_SCALE
        weights = np.full(u, s, dtype=np.int64)
        keep_arr = np.array(keep, dtype=np.int64)
        tally = np.zeros(m, dtype=object)
        tally[:] = 0
        for j in range(r.shape[1]):
            col = r[:, j]
            idx = np.nonzero((col >= 0) & (weights > 0))[0]
            if len(idx) == 0:
                break
            cand = col[idx]
            k = keep_arr[cand]
            w = weights[idx]
            got = -((-(w * k)) // s)  # w·k rounded up (w, k ≤ 10^9: the product fits int64)
            weights[idx] = -((-(w * (s - k))) // s)  # w·(1 − k) rounded up
            amounts = got.astype(object) * counts[idx].astype(object) if self.big else \
                got * counts[idx]
            tally += exact_bincount(cand, amounts, m).astype(object)
        return [int(t) for t in tally]

    def quota(self, held: int, seats: int) -> int:
        # (v − vnt) / (n + 1) + 0.000000001, truncated to 9 decimal places (clause 5)
        return held // (seats + 1) + 1

    @staticmethod
    def reaches(v: int, q: int) -> bool:
        return v >= q

    def update(self, k: int, q: int, v: int) -> int:
        kq = -((-(k * q)) // NZ_SCALE)  # k·q rounded up (clause 17)
        # ÷ v rounded up; the cap at 1 is a guard of ours, not in the schedule
        return min(NZ_SCALE, -((-(kq * NZ_SCALE)) // v))

    def value(self, x: int) -> Fraction:
        return Fraction(x, NZ_SCALE)

    def keep_value(self, k: int) -> Fraction:
        return Fraction(k, NZ_SCALE)


class _ExploredError(Exception):
    """A parallel-universe count reached a state another count has already explored."""


def meek(p: Profile, seats: int, arithmetic: str, prio: list[int],
         choose: Callable[[list[int]], int] | None = None,
         visit: Callable[[tuple[int, ...]], bool] | None = None) -> dict[str, Any]:
    """Run a Meek count; returns the elected candidates (in order of election), the rounds
    (candidate indices, exact values) and whether the tie-break decided something.

    ``choose(options)`` picks among options the rule leaves tied (listed in tie-break order;
    it returns an index into them, default 0: the tie-break's pick). ``visit(statuses)``, if
    given, is called (exact arithmetic) after each round with every candidate's status; when
    it returns true the count stops with :class:`_ExploredError` (used by :func:`meek_committees`).

    Example:
        >>> p = Profile.from_arrays(["a", "b", "c"], np.array([[0, 1, -1], [2, -1, -1]]),
        ...                         np.array([5, 4]))
        >>> meek(p, 2, "exact", [0, 1, 2])["elected"]
        [0, 2]
    """
    if arithmetic == "nz":
        return _meek_nz(p, seats, prio, choose)
    m = len(p.candidates)
    calc: Any = _Exact(p)
    r, counts = p.rankings, p.counts.astype(np.int64)
    rank = {c: k for k, c in enumerate(prio)}
    total = Fraction(p.voters)
    status = [HOPEFUL] * m
    keep = [calc.one] * m
    elected: list[int] = []
    rounds: list[dict[str, Any]] = []
    decided = False

    def pick(options: list[int], lowest: bool = False) -> int:
        nonlocal decided
        ordered = sorted(options, key=rank.__getitem__, reverse=lowest)
        if len(ordered) == 1:
            return ordered[0]
        decided = True
        return ordered[choose(ordered) if choose else 0]

    def record(tally: list[Any], q: Any, surplus: Any, iterations: int, converged: bool
               ) -> dict[str, Any]:
        held = sum(tally)
        return {"tally": {c: calc.value(tally[c]) for c in range(m) if status[c] != EXCLUDED},
                "elected": [], "excluded": None, "transfer": None,
                "exhausted": calc.value(total - held),
                "keep": {c: calc.keep_value(keep[c]) for c in range(m)
                         if status[c] != EXCLUDED},
                "quota": calc.value(q), "surplus": calc.value(surplus),
                "iterations": iterations, "converged": converged}

    while len(elected) < seats:
        hopeful = [c for c in range(m) if status[c] == HOPEFUL]
        free = seats - len(elected)
        last: Any = None
        iterations = 0
        newly: list[int] = []
        converged = True
        while True:  # iterate the keep values
            iterations += 1
            tally = calc.distribute(r, counts, keep, m)
            q = calc.quota(sum(tally), seats)
            newly = [c for c in hopeful if calc.reaches(tally[c], q)]
            if newly:
                break
            ok, last, surplus = calc.converged(
                [tally[c] for c in elected], q, last)
            if ok:
                break
            if iterations >= MAX_MEEK_ITERATIONS:
                converged = False
                break
            for c in elected:
                keep[c] = calc.update(keep[c], q, tally[c])
        surplus = sum((tally[c] - q for c in elected), 0 * q)
        if newly:
            if len(newly) > free:  # more reach the quota than seats remain: the largest
                newly.sort(key=lambda c: (-tally[c], rank[c]))
                cut = tally[newly[free - 1]]
                sure = [c for c in newly if tally[c] > cut]
                level = [c for c in newly if tally[c] == cut]
                while len(sure) < free:
                    c = pick(level)
                    level.remove(c)
                    sure.append(c)
                newly = sure
            newly.sort(key=lambda c: (-tally[c], rank[c]))
            rec = record(tally, q, surplus, iterations, converged)
            for c in newly:
                status[c] = ELECTED
                elected.append(c)
            rec["elected"] = newly
            # the round's surplus includes the candidates it elects (as in the "nz" rounds)
            rec["surplus"] = calc.value(sum((tally[c] - q for c in elected), 0 * q))
            left = [c for c in range(m) if status[c] == HOPEFUL]
            if len(elected) < seats and len(elected) + len(left) <= seats:
                fill = sorted(left, key=lambda c: (-tally[c], rank[c]))
                for c in fill:
                    status[c] = ELECTED
                elected.extend(fill)
                rec["elected"] = newly + fill
            rounds.append(rec)
            if visit is not None and visit(tuple(status)):
                raise _ExploredError
            continue
        rec = record(tally, q, surplus, iterations, converged)
        if len(elected) + len(hopeful) <= seats:  # only reached when nobody was excluded yet
            fill = sorted(hopeful, key=lambda c: (-tally[c], rank[c]))
            for c in fill:
                status[c] = ELECTED
            elected.extend(fill)
            rec["elected"] = fill
            rounds.append(rec)
            break
        low = min(tally[c] for c in hopeful)
        slack = calc.slack([tally[c] for c in elected], q) if elected else 0
        lowest = [c for c in hopeful if tally[c] <= low + slack]
        # hopefuls no vote reaches move nothing when excluded: while enough others remain for
        # the seats, the order in which they go is no choice
        idle = all(tally[c] == 0 for c in lowest) and len(hopeful) - len(lowest) >= free
        # tied sure losers (their votes together, plus all the surplus still to move, stay
        # below every other hopeful's) are all excluded one after the other whatever the
        # order, to the same end (Droop's "safe" batch defeat): no choice either, and no
        # parallel universes (one rerun per order made large counts with a few one-vote
        # write-ins take minutes)
        rest = [tally[c] for c in hopeful if c not in lowest]
        sure = bool(rest) and len(hopeful) - len(lowest) >= free and \
            sum((tally[c] for c in lowest), slack) < min(rest)
        out = max(lowest, key=rank.__getitem__) if idle or sure else pick(lowest, lowest=True)
        status[out] = EXCLUDED
        keep[out] = 0
        rec["excluded"] = out
        rec["transfer"] = {"from": out, "kind": "exclusion", "value": calc.value(tally[out])}
        left = [c for c in range(m) if status[c] == HOPEFUL]
        if len(elected) + len(left) <= seats:
            after = calc.distribute(r, counts, keep, m)
            fill = sorted(left, key=lambda c: (-after[c], rank[c]))
            for c in fill:
                status[c] = ELECTED
            elected.extend(fill)
            rec["elected"] = fill
        rounds.append(rec)
        if visit is not None and visit(tuple(status)):
            raise _ExploredError
    return {"elected": elected, "rounds": rounds, "tie_broken": decided}


def _meek_nz(p: Profile, seats: int, prio: list[int],
             choose: Callable[[list[int]], int] | None = None) -> dict[str, Any]:
    """The New Zealand count (Schedule 1A, Part 1), step by step; returns what :func:`meek`
    returns.

    Step 1 (clauses 5–6) counts first preferences and makes every candidate at the quota
    successful. Every later step recomputes the keep values of the successful candidates from
    the previous step's quota and votes (clauses 7 and 17), allocates the votes (clause 10),
    recomputes the quota (clause 11), makes every hopeful candidate at the quota successful
    (clause 12), and excludes the hopeful candidate with the fewest votes when the total
    surplus is below 0.0001 or when its votes plus the total surplus are below every other
    hopeful candidate's votes (clause 13). Counting ends when the seats are filled or the
    hopeful candidates just fill them (clause 3). Not in the schedule (guards, documented):
    a step in which the total surplus did not fall, or the 1,000th step of a round, excludes
    as if the surplus were below the limit (the round says ``"converged": false``); keep
    values are capped at 1; more candidates at the quota than seats left elects the largest.

    Example:
        >>> p = Profile.from_arrays(["a", "b", "c"], np.array([[0, 1, -1], [2, -1, -1]]),
        ...                         np.array([4, 2]))
        >>> out = _meek_nz(p, 2, [0, 1, 2])
        >>> out["elected"], out["rounds"][-1]["excluded"], out["rounds"][-1]["tally"][1]
        ([0, 2], 1, Fraction(499999999, 250000000))
    """
    m = len(p.candidates)
    calc = _NewZealand(p)
    r, counts = p.rankings, p.counts.astype(np.int64)
    rank = {c: k for k, c in enumerate(prio)}
    total = NZ_SCALE * p.voters
    status = [HOPEFUL] * m
    keep = [NZ_SCALE] * m
    elected: list[int] = []
    rounds: list[dict[str, Any]] = []
    decided = False

    def pick(options: list[int], lowest: bool = False) -> int:
        nonlocal decided
        ordered = sorted(options, key=rank.__getitem__, reverse=lowest)
        if len(ordered) == 1:
            return ordered[0]
        decided = True
        return ordered[choose(ordered) if choose else 0]

    def hopeful() -> list[int]:
        return [c for c in range(m) if status[c] == HOPEFUL]

    def record(tally: list[int], q: int, surplus: int, iterations: int, converged: bool
               ) -> dict[str, Any]:
        return {"tally": {c: calc.value(tally[c]) for c in range(m) if status[c] != EXCLUDED},
                "elected": [], "excluded": None, "transfer": None,
                "exhausted": calc.value(total - sum(tally)),
                "keep": {c: calc.keep_value(keep[c]) for c in range(m)
                         if status[c] != EXCLUDED},
                "quota": calc.value(q), "surplus": calc.value(surplus),
                "iterations": iterations, "converged": converged}

    def elect(reached: list[int], tally: list[int]) -> list[int]:
        """Clauses 6 and 12: every candidate at the quota, or the largest if more than the
        seats left (not covered by the schedule's text as read here)."""
        free = seats - len(elected)
        chosen = sorted(reached, key=lambda c: (-tally[c], rank[c]))
        if len(chosen) > free:
            cut = tally[chosen[free - 1]]
            chosen = [c for c in chosen if tally[c] > cut]
            level = [c for c in reached if tally[c] == cut]
            while len(chosen) < free:
                c = pick(level)
                level.remove(c)
                chosen.append(c)
        for c in chosen:
            status[c] = ELECTED
            elected.append(c)
        return chosen

    def surplus_of(tally: list[int], q: int) -> int:
        return sum(max(0, tally[c] - q) for c in elected)

    # Step 1 (clauses 5 and 6): first preferences (every keep value is 1)
    tally = calc.distribute(r, counts, keep, m)
    q = calc.quota(sum(tally), seats)
    iterations = 1
    rec: dict[str, Any] | None = None
    reached = [c for c in range(m) if tally[c] >= q]
    if reached:
        rec = record(tally, q, 0, iterations, True)
        rec["elected"] = elect(reached, tally)
        rec["surplus"] = calc.value(surplus_of(tally, q))
    last: int | None = None
    while True:
        left = hopeful()
        if len(elected) < seats and len(elected) + len(left) <= seats:  # clause 3
            order = tally if rec is None or rec["excluded"] is None else \
                calc.distribute(r, counts, keep, m)
            fill = sorted(left, key=lambda c: (-order[c], rank[c]))
            for c in fill:
                status[c] = ELECTED
            elected.extend(fill)
            if rec is None:
                rec = record(tally, q, surplus_of(tally, q), iterations, True)
            rec["elected"] = [*rec["elected"], *fill]
        if rec is not None:
            rounds.append(rec)
            rec, iterations, last = None, 0, None
        if len(elected) >= seats:
            break
        # the next step: keep values (clauses 7 and 17), votes (10), quota (11)
        for c in elected:
            keep[c] = calc.update(keep[c], q, tally[c])
        tally = calc.distribute(r, counts, keep, m)
        q = calc.quota(sum(tally), seats)
        iterations += 1
        newly = [c for c in left if tally[c] >= q]  # clause 12
        if newly:
            rec = record(tally, q, 0, iterations, True)
            rec["elected"] = elect(newly, tally)
        surplus = surplus_of(tally, q)
        if rec is not None:
            rec["surplus"] = calc.value(surplus)
        left = hopeful()
        if len(elected) >= seats or len(elected) + len(left) <= seats:
            continue
        # clause 13: exclude the lowest hopeful candidate when it cannot catch up, or when
        # the total surplus is below 0.0001
        low = min(tally[c] for c in left)
        lowest = [c for c in left if tally[c] == low]
        others = [tally[c] for c in left if tally[c] != low]
        sure = len(lowest) == 1 and bool(others) and low + surplus < min(others)
        stalled = not newly and last is not None and surplus >= last
        capped = iterations >= MAX_MEEK_ITERATIONS
        last = None if newly else surplus
        if not (sure or surplus < NZ_SURPLUS_LIMIT or stalled or capped):
            continue
        if rec is None:
            rec = record(tally, q, surplus, iterations, True)
        rec["converged"] = sure or surplus < NZ_SURPLUS_LIMIT
        # hopefuls no vote reaches move nothing when excluded: while enough others remain
        # for the seats, the order in which they go is no choice
        idle = low == 0 and len(left) - len(lowest) >= seats - len(elected)
        out = max(lowest, key=rank.__getitem__) if idle else pick(lowest, lowest=True)
        status[out] = EXCLUDED
        keep[out] = 0
        rec["excluded"] = out
        rec["transfer"] = {"from": out, "kind": "exclusion", "value": calc.value(tally[out])}
    return {"elected": elected, "rounds": rounds, "tie_broken": decided}


def meek_committees(p: Profile, seats: int, arithmetic: str, prio: list[int],
                    limit: int = MAX_MEEK_UNIVERSES) -> tuple[list[list[int]], bool]:
    """Every committee some way of breaking the count's ties elects (each tie is branched on
    and the count rerun), sorted; and whether all were found within ``limit`` counts.

    In exact arithmetic a rerun stops as soon as it reaches, past its branching point, a
    state (every candidate's status) an earlier count has been through: the limit of Meek's
    iteration depends on the statuses alone, so the earlier count and its branches cover what
    follows. Stopped reruns cost little and do not count towards ``limit`` (at most
    16 × ``limit`` of them).

    Example:
        >>> p = Profile.from_arrays(["a", "b", "c"], np.array([[0, -1, -1], [1, -1, -1],
        ...                                                   [2, -1, -1]]))
        >>> meek_committees(p, 2, "exact", [0, 1, 2])
        ([[0, 1], [0, 2], [1, 2]], True)
    """
    found: set[tuple[int, ...]] = set()
    seen: set[tuple[int, ...]] = set()
    todo: list[list[int]] = [[]]
    runs = pruned = 0
    while todo:
        if runs >= limit or pruned >= 16 * limit:
            return sorted(list(c) for c in found), False
        script = todo.pop()
        taken: list[tuple[int, int]] = []  # (choice, number of options) at each tie

        def choose(options: list[int], script: list[int] = script,
                   taken: list[tuple[int, int]] = taken) -> int:
            k = script[len(taken)] if len(taken) < len(script) else 0
            taken.append((k, len(options)))
            return k

        def visit(state: tuple[int, ...], script: list[int] = script,
                  taken: list[tuple[int, int]] = taken) -> bool:
            if len(taken) < len(script):  # still on the path of the count it branches from
                return False
            if state in seen:
                return True
            seen.add(state)
            return False

        try:
            elected = meek(p, seats, arithmetic, prio, choose,
                           visit if arithmetic == "exact" else None)["elected"]
            runs += 1
            found.add(tuple(sorted(elected)))
        except _ExploredError:
            pruned += 1
        for depth in range(len(script), len(taken)):  # branch on ties met past the script
            prefix = [k for k, _ in taken[:depth]]
            todo.extend([*prefix, j] for j in range(1, taken[depth][1]))
    return sorted(list(c) for c in found), True


@register
class MeekSTV(RankedRule):
    """STV by Meek's method (keep values), exact or with the New Zealand rules' arithmetic.

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("voting.meek_stv", seats=2, arithmetic="nz").run({
        ...     "candidates": ["a", "b", "c"], "ballots": [{"ranking": ["a", "b"], "count": 5},
        ...     {"ranking": ["c"], "count": 4}]}).result["winners"]
        ['a', 'c']
    """

    name = "voting.meek_stv"
    version = "4"  # nz: Schedule 1A's step order and clause 13 (surplus < 0.0001, sure loser)
    summary = "STV by Meek's method: keep values, Droop quota recomputed each iteration."
    claims = ("anonymous", "committee_size")
    supports_ties = False
    Params = MeekParams

    def _outcome(self, p: Profile) -> Outcome:
        seats, m = self.params.seats, len(p.candidates)
        if seats > m:
            raise ParameterError("seats", f"{seats} seats but only {m} candidates")
        require_voters(p.voters)
        prio = priority_order(p.candidates, self.params.tie_break)
        args = (p, seats, self.params.arithmetic, prio)
        counted = meek(*args)
        names = p.candidates
        winners = [names[c] for c in counted["elected"]]
        rounds = []
        for r in counted["rounds"]:
            rounds.append({
                **named_round(r, names),
                "keep": {names[c]: float(v) for c, v in r["keep"].items()},
                "quota": float(r["quota"]), "surplus": float(r["surplus"]),
                "iterations": r["iterations"], "converged": r["converged"]})
        committees, complete = [sorted(counted["elected"])], True
        if counted["tie_broken"]:
            committees, complete = meek_committees(*args)
        result: dict[str, Any] = {
            "winners": winners,
            "tied": [[names[c] for c in committee] for committee in committees],
            "tie_broken": counted["tie_broken"],
            "quota": rounds[-1]["quota"] if rounds else 0.0,
            "arithmetic": self.params.arithmetic,
            "rounds": rounds, "tie_break": [names[c] for c in prio]}
        if not complete:
            result["tied_complete"] = False
        return group_outcome(self, winners, p.groups, result, p.voters)

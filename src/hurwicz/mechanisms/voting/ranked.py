"""Single-winner ranked voting rules on :class:`~.profile.Profile` arrays.

Every rule returns ``result.winners`` (one winner after the tie-break), ``result.tied`` (every
candidate that wins under some way of breaking the ties, see below), ``result.tie_broken``
(whether the tie-break decided anything), ``result.ranking`` where the rule defines a score
order, ``result.scores``, ``result.rounds`` (IRV: each round's ``tally``, the candidate
``eliminated`` and the ballots ``exhausted``, i.e. ranking no candidate still in the count),
``result.margins`` (Condorcet methods) and
``result.tie_break`` (the priority order used).

Tallies are compared exactly (integers, or :class:`~fractions.Fraction` where tied ballots
share a first choice or Borda points), never with a floating tolerance; ``result.scores`` shows
them as floats.

``tied``: for score rules, the candidates with the top score. For elimination rules (IRV, and
in :mod:`.iterative` Coombs and Baldwin) it is the *parallel-universe* winner set (Conitzer,
Rognlie & Xia 2009): every branch where the count had to break a tie is followed, memoised on
the set of candidates still in the count, and ``tied`` holds every winner reached. Each branch
is what some priority order would do (eliminate the branch's choices lowest-priority first), so
this is exactly the set of winners over all tie-breaking orders. Ranked pairs explores every
order of the equal-margin pairs (and every unbeaten candidate of the locked graph). A search
stops after ``MAX_UNIVERSE_STATES`` states; it then says so with ``result.tied_complete:
false`` (``tied`` is then the winners found so far, the tie-break's winner included).

``tie_broken`` is true exactly when the tie-break chose between options the rule's own
criterion left equal in a step that decides the count: the winner among equal top scores, an
elimination among equally weak candidates, a locked pair among equal margins, a finalist. It
can be true while ``tied`` has one name (a tie-break decided an elimination, yet every branch
elects the same winner); orderings among losers in ``ranking`` do not count, nor does the
order in which IRV drops candidates without a single first choice while others hold ballots.

An election nobody voted in is an :class:`~hurwicz.core.errors.InputError` naming ``ballots``.

Tie-break (the project's one vocabulary,
:mod:`hurwicz.core.tie_break`): ``"input_order"`` (the order of ``candidates`` in the input,
default), ``"lowest_name"``, an integer seed (a seeded priority per candidate *name*, independent
of the input's order) or a list of candidates (earlier wins a tie, and in IRV the later one is
eliminated first).

Ballot groups are the agents (counts are weights, never expanded): ``b3`` is ballot 3 of the
input (all ``count`` voters who cast it); ``allocation["b3"]`` is the winner, ``payments`` are
0, ``result["ballot_counts"]["b3"]`` is the group's count and ``metrics["voters"]`` the total.

Functions taking a profile (``plurality(profile)``, ``borda(profile)``, ...) are the fast path
for large electorates; the registered mechanisms wrap them.

Example:
    >>> p = Profile.from_arrays(["x", "y", "z"], np.array([[0, 1, 2], [1, 2, 0], [1, 0, 2]]))
    >>> plurality(p)[0].tolist(), condorcet_winner(p), smith_set(p)
    ([1, 2, 0], 1, [1])
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from fractions import Fraction
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from hurwicz.core.errors import InputError
from hurwicz.core.mechanism import Mechanism
from hurwicz.core.outcome import Outcome
from hurwicz.core.registry import register
from hurwicz.core.tie_break import CANDIDATE_TIE_BREAK_DOC, CandidateTieBreak
from hurwicz.core.tie_break import priority_order as _priority_order

from .audit import RankedAudit
from .ballots import group_outcome
from .profile import Profile, RankedInput, exact_ratio, require_voters, weighted_column_sums

#: Most states a parallel-universe search (``result.tied``) visits before it stops and reports
#: ``result.tied_complete: false``.
MAX_UNIVERSE_STATES = 10_000


def priority_order(candidates: list[str], tie_break: Any) -> list[int]:
    """Candidate indices from highest to lowest tie-break priority.

    Example:
        >>> priority_order(["x", "y", "z"], ["z", "x", "y"])
        [2, 0, 1]
        >>> priority_order(["x", "y"], 5) == priority_order(["y", "x"], 5)[::-1]
        True
    """
    return _priority_order(candidates, tie_break)


def count_value(x: Any) -> int | float:
    """A tally for display: an int when whole, else a float (fractions arise from tied
    ballots; decisions use the exact value, never this one).

    Example:
        >>> count_value(3.0), count_value(Fraction(5, 2)), count_value(np.int64(2**53 + 1))
        (3, 2.5, 9007199254740993)
    """
    if isinstance(x, int | np.integer):
        return int(x)
    if isinstance(x, Fraction):
        return int(x) if x.denominator == 1 else float(x)
    return int(x) if float(x).is_integer() else float(x)


def _best(scores: np.ndarray, prio: list[int]) -> tuple[int, list[int]]:
    """The tie-break's pick among the top scores, and all of them (exact comparison)."""
    values = scores.tolist()
    top = max(values)
    tied = [c for c, v in enumerate(values) if v == top]
    rank = {c: k for k, c in enumerate(prio)}
    return min(tied, key=rank.__getitem__), tied


def possible_winners(start: Hashable,
                     step: Callable[[Any], tuple[frozenset[int] | None, list[Any]]],
                     limit: int | None = None) -> tuple[set[int], bool]:
    """Parallel-universe search: ``step(state)`` gives the winners of a final state, or
    ``None`` and the states each way of breaking the tie leads to. Every branch is followed
    (memoised on the state); returns the winners reached and whether the search finished
    within ``limit`` states (default :data:`MAX_UNIVERSE_STATES`).

    Example:
        >>> moves = {"s": (None, ["a", "b"]), "a": (frozenset({0}), []),
        ...          "b": (None, ["a", "c"]), "c": (frozenset({2}), [])}
        >>> possible_winners("s", moves.__getitem__)
        ({0, 2}, True)
    """
    limit = MAX_UNIVERSE_STATES if limit is None else limit
    done: dict[Any, frozenset[int]] = {}
    expanded: dict[Any, list[Any]] = {}
    found: set[int] = set()
    stack = [start]
    while stack:
        state = stack[-1]
        if state in done:
            stack.pop()
            continue
        if state not in expanded:
            if len(expanded) >= limit:
                return found, False
            winners, nexts = step(state)
            if winners is not None:
                done[state] = winners
                found |= winners
                stack.pop()
                continue
            expanded[state] = nexts
            stack.extend(n for n in nexts if n not in done)
            continue
        done[state] = frozenset().union(*(done[n] for n in expanded[state]))
        stack.pop()
    return found, True


Round = tuple[int | None, dict[int, Any], list[int], bool]


def eliminate(m: int, prio: list[int],
              count_round: Callable[[frozenset[int]], Round]) -> dict[str, Any]:
    """An elimination count with parallel-universe co-winners.

    ``count_round(remaining)`` returns ``(winner, tally shown, weakest, idle)``: the winner
    when the count stops (``weakest`` empty), else ``None`` and the candidates equally
    weakest; ``idle`` says that eliminating them all, one after another in any order, leads to
    the same count (IRV: they hold no ballot and someone else does), so their order is no
    decision. The tie-break eliminates the weakest with the lowest priority. Returns the
    winner, the rounds, ``tied`` (every winner some tie-breaking order gives:
    :func:`possible_winners` over the sets of remaining candidates), ``tie_broken`` and
    ``complete``.

    Example:
        >>> def rounds(left):  # everyone is equally weak until one is left
        ...     return (min(left), {}, [], False) if len(left) == 1 else (
        ...         None, {}, sorted(left), False)
        >>> out = eliminate(3, [0, 1, 2], rounds)
        >>> out["winner"], out["tied"], out["tie_broken"]
        (0, [0, 1, 2], True)
    """
    rank = {c: k for k, c in enumerate(prio)}
    cache: dict[frozenset[int], tuple[int | None, list[int], bool]] = {}

    def step(left: frozenset[int]) -> tuple[frozenset[int] | None, list[frozenset[int]]]:
        if left not in cache:
            winner, _, weakest, idle = count_round(left)
            cache[left] = (winner, weakest, idle)
        winner, weakest, idle = cache[left]
        if winner is not None:
            return frozenset([winner]), []
        if idle:  # every order of these eliminations reaches the same count
            return None, [left - set(weakest)]
        return None, [left - {c} for c in weakest]

    start = frozenset(range(m))
    left = start
    rounds: list[dict[str, Any]] = []
    decided = False
    while True:
        winner, shown, weakest, idle = count_round(left)
        cache[left] = (winner, weakest, idle)
        if winner is not None:
            rounds.append({"tally": shown, "eliminated": None})
            break
        out = max(weakest, key=rank.__getitem__)
        decided |= len(weakest) > 1 and not idle
        rounds.append({"tally": shown, "eliminated": out})
        left = left - {out}
    tied, complete = {winner}, True
    if decided:
        found, complete = possible_winners(start, step)
        tied |= found
    return {"winner": winner, "tied": sorted(tied), "tie_broken": decided,
            "complete": complete, "rounds": rounds}


def plurality(p: Profile) -> tuple[np.ndarray, None]:
    """First-choice counts (exact: integers, or fractions from tied ballots).

    Example:
        >>> plurality(Profile.from_arrays(["a", "b"], np.array([[1, 0]])))[0].tolist()
        [0, 1]
    """
    return p.first_choices(), None


def borda(p: Profile, truncated: str = "zero") -> tuple[np.ndarray, None]:
    """Borda scores: position k earns m−1−k. Unranked candidates get 0 (``truncated="zero"``)
    or share the points left over equally (``"average"``). Exact: points are counted in
    halves (tied and unranked candidates average whole positions), so the scores are
    integers, or :class:`~fractions.Fraction` halves.

    Example:
        >>> scores, _ = borda(Profile.from_arrays(["a", "b", "c"], np.array([[0, -1, -1]])),
        ...                   "average")
        >>> [float(s) for s in scores]
        [2.0, 0.5, 0.5]
    """
    m = len(p.candidates)
    table = p._order_table()  # positions (strict), or twice the average positions (ties)
    if p.tiers is None and truncated == "zero":  # whole points: position k earns m−1−k
        return weighted_column_sums(np.where(table < m, (m - 1) - table, 0), p.counts), None
    pos2 = table.astype(np.int64) * (2 if p.tiers is None else 1)  # twice the position
    points2 = np.where(pos2 < 2 * m, 2 * (m - 1) - pos2, 0)
    if truncated == "average":
        ranked = (pos2 < 2 * m).sum(axis=1)
        fill2 = np.maximum(m - 1 - ranked, 0)  # twice (m − 1 − ranked) / 2
        points2 = np.where(pos2 < 2 * m, points2, fill2[:, None])
    return exact_ratio(weighted_column_sums(points2, p.counts), 2), None


def copeland(p: Profile) -> tuple[np.ndarray, np.ndarray]:
    """Copeland: 1 per pairwise win, ½ per tie.

    Example:
        >>> copeland(Profile.from_arrays(["a", "b"], np.array([[0, 1]])))[0].tolist()
        [1, 0]
    """
    margins = p.margins()
    wins2 = 2 * (margins > 0).sum(axis=1) + ((margins == 0).sum(axis=1) - 1)
    return exact_ratio(wins2.astype(np.int64), 2), margins


def minimax(p: Profile) -> tuple[np.ndarray, np.ndarray]:
    """Minimax (Simpson–Kramer): score = −max_b margin(b, a), the largest margin by which a
    loses (negative when a beats everyone).

    Example:
        >>> minimax(Profile.from_arrays(["a", "b"], np.array([[0, 1]])))[0].tolist()
        [1, -1]
    """
    margins = p.margins()
    if len(p.candidates) == 1:
        return np.zeros(1, dtype=np.int64), margins
    against = margins.T.copy()
    np.fill_diagonal(against, np.iinfo(np.int64).min)
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


def _reaches(succ: tuple[int, ...] | list[int], start: int, target: int) -> bool:
    """Whether ``target`` is reachable from ``start`` (``succ[x]``: bit mask of x's
    successors)."""
    seen = 1 << start
    frontier = [start]
    while frontier:
        x = frontier.pop()
        if x == target:
            return True
        new = succ[x] & ~seen
        seen |= new
        while new:
            low = new & -new
            frontier.append(low.bit_length() - 1)
            new ^= low
    return False


def _margin_groups(margins: np.ndarray) -> list[list[tuple[int, int]]]:
    """Positive-margin pairs (a beats b), grouped by equal margin, largest first."""
    m = len(margins)
    by: dict[int, list[tuple[int, int]]] = {}
    for a in range(m):
        for b in range(m):
            if margins[a, b] > 0:
                by.setdefault(int(margins[a, b]), []).append((a, b))
    return [by[k] for k in sorted(by, reverse=True)]


def _lock_all(succ: tuple[int, ...], pairs: frozenset[tuple[int, int]]
              ) -> tuple[int, ...] | None:
    """The graph with every pair locked, or None if together they would close a cycle (then
    the order in which they are tried matters)."""
    trial = list(succ)
    for a, b in sorted(pairs):
        if _reaches(trial, b, a):
            return None
        trial[a] |= 1 << b
    return tuple(trial)


def _unbeaten(succ: tuple[int, ...] | list[int], among: set[int]) -> list[int]:
    beaten = 0
    for x in among:
        beaten |= succ[x]
    return sorted(c for c in among if not beaten >> c & 1)


def _ranked_pairs_count(p: Profile, prio: list[int]) -> tuple[list[int], bool]:
    """The locked order (sources first) and whether the tie-break decided something: the
    order of equal-margin pairs changed which pairs get locked, or several candidates were
    unbeaten at the top."""
    margins = p.margins()
    m = len(p.candidates)
    rank = {c: k for k, c in enumerate(prio)}
    succ = [0] * m
    decided = False
    for group in _margin_groups(margins):
        before = list(succ)
        for a, b in sorted(group, key=lambda e: (rank[e[0]], rank[e[1]])):
            if not _reaches(succ, b, a):  # adding a→b creates a cycle iff b reaches a
                succ[a] |= 1 << b
            elif not _reaches(before, b, a):
                decided = True  # skipped only because of an equal pair locked first
    # topological order of the locked graph, sources first (tie-break among sources)
    order: list[int] = []
    remaining = set(range(m))
    while remaining:
        sources = _unbeaten(succ, remaining)
        decided |= not order and len(sources) > 1
        pick = min(sources, key=rank.__getitem__)
        order.append(pick)
        remaining.discard(pick)
    return order, decided


def ranked_pairs(p: Profile, prio: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Tideman's ranked pairs: lock pairwise victories from the largest margin down, skipping
    any that would create a cycle (equal margins: the tie-break order of the winners); the
    winner is the candidate nobody beats in the locked graph. Score = −(position in the locked
    order).

    Example:
        >>> ranked_pairs(Profile.from_arrays(["a", "b"], np.array([[1, 0]])), [0, 1])[0].tolist()
        [-1, 0]
    """
    order, _ = _ranked_pairs_count(p, prio)
    score = np.zeros(len(order), dtype=np.int64)
    for k, c in enumerate(order):
        score[c] = -k
    return score, p.margins()


def ranked_pairs_winners(p: Profile, limit: int | None = None) -> tuple[list[int], bool]:
    """Every ranked-pairs winner under some order of the equal-margin pairs (and some choice
    among unbeaten candidates): a search over the locked graphs, memoised, with every pair
    that can no longer be locked dropped and a group locked at once when all of it fits.
    Returns the winners and whether the search finished within ``limit`` states.

    Example:
        >>> cycle = Profile.from_arrays(["a", "b", "c"],
        ...                             np.array([[0, 1, 2], [1, 2, 0], [2, 0, 1]]))
        >>> ranked_pairs_winners(cycle)
        ([0, 1, 2], True)
    """
    groups = _margin_groups(p.margins())
    m = len(p.candidates)

    def step(state: tuple[int, tuple[int, ...], frozenset[tuple[int, int]]]) -> tuple[
            frozenset[int] | None, list[Any]]:
        g, succ, left = state
        while True:
            # a pair closing a cycle now closes one in every later graph: it is never locked
            left = frozenset(e for e in left if not _reaches(succ, e[1], e[0]))
            if left:
                whole = _lock_all(succ, left)
                if whole is None:
                    break  # the order of these equal pairs matters: branch on the next one
                succ = whole  # the whole group fits, in any order
            g += 1
            if g >= len(groups):
                return frozenset(_unbeaten(succ, set(range(m)))), []
            left = frozenset(groups[g])
        nexts = []
        for a, b in sorted(left):
            locked = list(succ)
            locked[a] |= 1 << b
            nexts.append((g, tuple(locked), left - {(a, b)}))
        return None, nexts

    if not groups:
        return list(range(m)), True
    found, complete = possible_winners((0, (0,) * m, frozenset(groups[0])), step, limit)
    return sorted(found), complete


def _mask(m: int, left: frozenset[int]) -> np.ndarray:
    active = np.zeros(m, bool)
    active[list(left)] = True
    return active


def irv_round(p: Profile, left: frozenset[int]) -> Round:
    """One IRV round over the candidates ``left``: the winner (a majority of the ballots that
    still rank someone, or the last one left) or the candidates with the fewest first choices
    (exact tallies). Candidates without a single first choice move no ballot when eliminated:
    while someone else holds ballots, the order in which they go is no decision (``idle``)."""
    tally = p.first_choices(_mask(len(p.candidates), left))
    order = sorted(left)
    values = {c: tally[c] for c in order}
    shown = {c: count_value(v) for c, v in values.items()}
    top = max(values.values())
    if len(order) == 1 or top * 2 > sum(values.values()):
        return next(c for c in order if values[c] == top), shown, [], False
    low = min(values.values())
    return None, shown, [c for c in order if values[c] == low], low == 0 and top > 0


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
    rank = {c: k for k, c in enumerate(prio)}
    left = frozenset(range(m))
    rounds = []
    while True:
        winner, shown, weakest, _ = irv_round(p, left)
        if winner is not None:
            rounds.append({"tally": shown, "eliminated": None})
            return winner, rounds
        out = max(weakest, key=rank.__getitem__)
        rounds.append({"tally": shown, "eliminated": out})
        left = left - {out}


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
    tie_break: CandidateTieBreak = Field("input_order", description=CANDIDATE_TIE_BREAK_DOC)


class BordaParams(RankedParams):
    """Borda's truncated-ballot convention."""

    truncated: Literal["zero", "average"] = Field(
        "zero", description="points of unranked candidates: 0, or the average of those left")


class RankedRule(Mechanism):
    """Shared input, outcome and voter ids for ranked rules."""

    family: ClassVar[str] = "voting"
    #: 2: exact tallies, parallel-universe ``tied``, ``tie_broken``, no-ballot and seat errors;
    #: 3: ballot groups are the agents (``b{g}``), ``result.ballot_counts``
    version: ClassVar[str] = "3"
    Input = RankedInput
    Audit = RankedAudit
    Params: ClassVar[type[BaseModel]] = RankedParams

    #: whether ballots may rank candidates tied (rules built on positions, first choices or
    #: margins can; those that walk the rankings themselves cannot)
    supports_ties: ClassVar[bool] = True

    def parse_input(self, data: Any) -> Profile:
        profile = Profile.from_input(data, self.name)
        if profile.tiers is not None and not self.supports_ties:
            raise InputError("ballots", f"{self.name} does not accept tied ranks; give strict "
                             "(possibly truncated) rankings")
        require_voters(profile.voters)
        return profile

    def decide(self, p: Profile, prio: list[int]) -> dict[str, Any]:
        raise NotImplementedError

    def run(self, data: Any) -> Outcome:
        return self._outcome(self.parse_input(data))

    def run_parsed(self, inp: Profile) -> Outcome:
        return self._outcome(inp)

    def _outcome(self, p: Profile) -> Outcome:
        require_voters(p.voters)
        prio = priority_order(p.candidates, self.params.tie_break)
        decided = self.decide(p, prio)
        names = p.candidates
        winner = names[decided["winner"]]
        tied = decided.get("tied", [decided["winner"]])
        result: dict[str, Any] = {
            "winners": [winner],
            "tied": [names[c] for c in sorted(tied)],
            "tie_broken": bool(decided.get("tie_broken", len(tied) > 1)),
            "tie_break": [names[c] for c in prio],
        }
        if not decided.get("complete", True):
            result["tied_complete"] = False
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
                                 if r["eliminated"] is not None else None,
                                 **({"exhausted": r["exhausted"]} if "exhausted" in r else {})}
                                for r in decided["rounds"]]
        return group_outcome(self, winner, p.groups, result, p.voters)


def _score_rule(name: str, summary: str, fn, claims=("anonymous",), params=RankedParams):
    class Rule(RankedRule):
        Params = params

        def decide(self, p: Profile, prio: list[int]) -> dict[str, Any]:
            if fn is ranked_pairs:
                order, decided = _ranked_pairs_count(p, prio)
                scores = np.zeros(len(order), dtype=np.int64)
                scores[order] = -np.arange(len(order))
                margins = p.margins()
                tied, complete = [order[0]], True
                if decided:  # every winner of some order of the equal-margin pairs
                    found, complete = ranked_pairs_winners(p)
                    tied = sorted(set(found) | {order[0]})
                return {"winner": order[0], "tied": tied, "tie_broken": decided,
                        "complete": complete, "scores": scores, "margins": margins}
            if fn is borda:
                scores, margins = fn(p, self.params.truncated)
            else:
                scores, margins = fn(p)
            winner, tied = _best(np.asarray(scores), prio)
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
        >>> [r["exhausted"] for r in out.result["rounds"]]
        [0, 0]
    """

    name = "voting.irv"
    summary = "Instant runoff: eliminate the fewest first choices until a majority."
    claims = ("anonymous",)
    #: 4: ``result.rounds[k].exhausted``, the ballots that rank no candidate still in the count
    version = "4"

    def decide(self, p: Profile, prio: list[int]) -> dict[str, Any]:
        decided = eliminate(len(p.candidates), prio, lambda left: irv_round(p, left))
        left = set(range(len(p.candidates)))
        for r in decided["rounds"]:  # exhausted: voters minus the exact tallies of this round
            live = p.first_choices(_mask(len(p.candidates), frozenset(left)))
            r["exhausted"] = count_value(p.voters - sum(live[c] for c in left))
            if r["eliminated"] is not None:
                left.discard(r["eliminated"])
        return decided

"""Distance-to-Condorcet rules, exact by integer programming on HiGHS: Dodgson, Young and
Slater.

Each rule measures how far the election is from one where a candidate is the Condorcet winner
(or, for Slater, from a ranking that agrees with the majority relation) and elects the
candidates closest to it. All three are NP-hard (Bartholdi, Tovey & Trick 1989; Rothe,
Spakowski & Vogel 2003; Alon 2006), so each is solved as an integer program on HiGHS
(``scipy.optimize.milp``) with a zero relative MIP gap; every objective is a sum of whole
numbers, so a final gap below 0.5 proves the optimum (:func:`hurwicz.core.highs.milp_proof`).
The solver's answer is then rounded, checked against every constraint and its objective
recomputed in Python integers; any disagreement raises :class:`~hurwicz.core.errors.SolverError`
instead of returning a wrong winner (``result.exact`` is true on every returned outcome).

* **Dodgson** (Dodgson 1876): the score of c is the fewest swaps of adjacent candidates in the
  voters' rankings that make c the (strict) Condorcet winner: c must then be ranked above each
  rival by more than half of the voters, as in pref_voting's ``dodgson`` (its
  ``strict_maj_size``). The program is Bartholdi, Tovey & Trick's (1989) in cumulative form,
  per ballot type (ballots that put the same rivals short of a majority at the same distances
  above c are merged): ``z[t, k]`` = voters of type t that move c up *at least* k places
  (``count_t ≥ z[t, 1] ≥ z[t, 2] ≥ …``), so the swaps are ``Σ z`` and c passes a rival k
  places above it for exactly ``z[t, k]`` voters. Rankings must be strict and complete (a
  ballot may leave out one candidate: it is last); tied or shorter ballots are refused, since
  swaps between unranked candidates have no agreed meaning.
* **Young** (Young 1977): the score of c is the fewest voters to remove so that c becomes a
  Condorcet winner of the voters left. The literature uses both a strict and a weak Condorcet
  winner here; the parameter ``condorcet`` chooses (``"strict"``, the default: c beats every
  rival among the voters left; ``"weak"``: c beats or ties every rival). Variables are the
  whole number of voters kept in each ballot group. Under ``"strict"`` a candidate that no set
  of voters makes a Condorcet winner gets the score ``voters`` (everyone removed, and even
  that is not enough); pref_voting has no Young rule. Young only needs, for each voter and each
  rival, whether c is above, below or level with it, so tied and truncated ballots are
  accepted (unranked candidates are level with each other, below the ranked ones).
* **Slater** (Slater 1961): a Slater ranking is a ranking of all candidates that reverses the
  fewest pairwise majority relations (a majority tie is never reversed, as in pref_voting's
  ``slater``, whose distance to the majority graph counts only strict majorities);
  ``result.slater_distance`` is that number. The optimum over a set S of candidates is a
  linear-ordering program (``x_ab + x_ba = 1``, ``x_ab + x_bc + x_ca ≤ 2``); a candidate tops
  some Slater ranking exactly when the majorities it wins in S plus the optimum over S
  without it equal the optimum over S (sets of at most four candidates are enumerated). The
  winners are the candidates that top some Slater ranking (pref_voting's convention).

Outputs: ``result.tied`` is the whole winner set (the candidates with the best score, or that
top some Slater ranking), ``result.winners`` the one among them that comes first in the
tie-break order, and ``result.tie_broken`` is true when ``tied`` has more than one name. For
Dodgson and Young ``result.scores`` holds the scores (lower is better) and ``result.ranking``
orders candidates by score (tie-break order among equal scores); for Slater ``result.ranking``
is the first Slater ranking in the tie-break's lexicographic order (place by place, the
highest-priority candidate that some Slater ranking puts there) and ``result.scores`` gives
m − position in it.

Limits: at most ``MAX_CANDIDATES`` candidates (``candidates``); Dodgson and Young also accept
at most ``MAX_VOTERS`` voters and ``MAX_GROUPS`` distinct ballots (``ballots``), which keep the
integer variables (voter counts) well inside the precision HiGHS works in and each solve quick.

Example:
    >>> import hurwicz as hz
    >>> cycle = {"candidates": ["a", "b", "c"], "ballots": [
    ...     {"ranking": ["a", "b", "c"], "count": 2}, {"ranking": ["b", "c", "a"], "count": 2},
    ...     {"ranking": ["c", "a", "b"]}]}
    >>> out = hz.mechanism("voting.dodgson").run(cycle)
    >>> out.result["winners"], out.result["scores"]
    (['a'], {'a': 1.0, 'b': 1.0, 'c': 2.0})
    >>> out.result["tied"], out.result["tie_broken"]
    (['a', 'b'], True)
"""

from __future__ import annotations

import itertools
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, Field

from hurwicz.core.errors import InputError, SolverError
from hurwicz.core.registry import register

from .profile import Profile, require_voters
from .ranked import RankedParams, RankedRule

#: Most candidates any of the three rules accepts (the problems are NP-hard).
MAX_CANDIDATES = 12
#: Most voters Dodgson and Young accept: the integer variables are voter counts, and below
#: this every count and sum of counts is a whole number far inside double precision.
MAX_VOTERS = 10**9
#: Most distinct ballots Dodgson and Young accept (the programs have a variable per ballot
#: group, and per place for Dodgson).
MAX_GROUPS = 2000
#: Slater's optimum over a set of at most this many candidates is found by trying every
#: ranking of them (24); larger sets are solved by the integer program.
SLATER_ENUMERATE = 4


def _check_candidates(p: Profile, rule: str) -> None:
    m = len(p.candidates)
    if m > MAX_CANDIDATES:
        raise InputError("candidates", f"{rule} is NP-hard: the exact integer program accepts "
                         f"at most {MAX_CANDIDATES} candidates (got {m})")


def _check_voters(p: Profile, rule: str) -> None:
    if p.voters > MAX_VOTERS:
        raise InputError("ballots", f"{rule}'s exact integer program accepts at most "
                         f"{MAX_VOTERS} voters (got {p.voters})")
    if len(p.counts) > MAX_GROUPS:
        raise InputError("ballots", f"{rule}'s exact integer program accepts at most "
                         f"{MAX_GROUPS} distinct ballots (got {len(p.counts)})")


def _milp(cost: np.ndarray, matrix: Any, lower: np.ndarray, upper: np.ndarray,
          bounds_hi: np.ndarray, rule: str) -> tuple[np.ndarray | None, int | None]:
    """Minimise ``cost · x`` over integers ``0 ≤ x ≤ bounds_hi`` with ``lower ≤ A x ≤ upper``
    (whole-number costs). Returns the rounded solution and the proven optimum, or
    ``(None, None)`` when HiGHS proves the program infeasible."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    from hurwicz.core.highs import INTEGER_ABS_GAP, milp_options, milp_proof

    constraints = [LinearConstraint(matrix, lower, upper)] if matrix.shape[0] else []
    res = milp(cost, integrality=np.ones(len(cost)), bounds=Bounds(np.zeros(len(cost)),
               bounds_hi), constraints=constraints, options=milp_options())
    if res.status == 2:
        return None, None
    proof = milp_proof(res, INTEGER_ABS_GAP)
    if not proof.exact:
        raise SolverError(f"HiGHS did not prove the {rule} program optimal ({proof.status}, "
                          f"gap {proof.gap:.3g})", rule.lower())
    return np.round(res.x).astype(np.int64), round(res.fun)


def _complete_rankings(p: Profile) -> np.ndarray:
    """Full rankings (a ballot leaving out one candidate ranks it last); refuses ties and
    shorter ballots."""
    m = len(p.candidates)
    if p.tiers is not None:
        raise InputError("ballots", "Dodgson needs strict rankings; tied ranks are refused")
    rows = p.rankings[:, :m].copy() if p.rankings.shape[1] >= m else np.concatenate(
        [p.rankings, np.full((len(p.rankings), m - p.rankings.shape[1]), -1)], axis=1)
    ranked = (rows >= 0).sum(axis=1)
    if np.any(ranked < m - 1):
        raise InputError("ballots", "Dodgson needs complete rankings (every candidate, or all "
                         "but the last); truncated ballots are refused")
    for u in np.flatnonzero(ranked == m - 1):
        missing = (set(range(m)) - set(rows[u, :m - 1].tolist())).pop()
        rows[u, m - 1] = missing
    return rows


def dodgson_score(p: Profile, c: int, rows: np.ndarray | None = None) -> int:
    """The Dodgson score of candidate ``c``: the fewest adjacent swaps in the ballots that make
    it beat every rival by a strict majority (exact ILP).

    Example:
        >>> p = Profile.from_arrays(["a", "b", "c"], np.array([[0, 1, 2], [1, 2, 0], [2, 0, 1]]))
        >>> [dodgson_score(p, c) for c in range(3)]
        [1, 1, 1]
    """
    from scipy.sparse import coo_matrix

    rows = _complete_rankings(p) if rows is None else rows
    m = len(p.candidates)
    counts = [int(k) for k in p.counts]
    n = sum(counts)
    need = n // 2 + 1  # a strict majority of the voters
    support = p.support()
    deficit = {d: need - int(support[c, d]) for d in range(m) if d != c}
    short = [d for d in deficit if deficit[d] > 0]
    if not short:
        return 0
    pos = np.argsort(rows, axis=1)  # pos[g, x]: place of x on ballot g
    # Ballots that put the same short rivals at the same distances above c are
    # interchangeable: merge them into one type (its voters move c independently).
    types: dict[tuple[tuple[int, int], ...], int] = {}
    for g, count in enumerate(counts):
        pc = int(pos[g, c])
        key = tuple(sorted((pc - int(pos[g, d]), d) for d in short if pos[g, d] < pc))
        if key:
            types[key] = types.get(key, 0) + count
    keys = list(types)
    # variables z[t, k] (k = 1..K_t): voters of type t moving c up at least k places, where
    # K_t reaches the farthest rival still short of a majority above c
    index: dict[tuple[int, int], int] = {}
    upper: list[int] = []
    for t, key in enumerate(keys):
        for k in range(1, key[-1][0] + 1):
            index[(t, k)] = len(upper)
            upper.append(types[key])
    r_rows, r_cols, r_vals, lo, hi = [], [], [], [], []
    r = 0
    for (t, k), j in index.items():  # z[t, k] ≤ z[t, k − 1]
        if k > 1:
            r_rows += [r, r]
            r_cols += [j, index[(t, k - 1)]]
            r_vals += [1.0, -1.0]
            lo.append(-np.inf)
            hi.append(0.0)
            r += 1
    passes: dict[int, list[int]] = {d: [] for d in short}
    for t, key in enumerate(keys):
        for dist, d in key:
            passes[d].append(index[(t, dist)])
    for d in short:  # enough voters move c past d
        terms = passes[d]
        r_rows += [r] * len(terms)
        r_cols += terms
        r_vals += [1.0] * len(terms)
        lo.append(float(deficit[d]))
        hi.append(np.inf)
        r += 1
    nvar = len(upper)
    matrix = coo_matrix((r_vals, (r_rows, r_cols)), shape=(r, nvar)).tocsr()
    z, best = _milp(np.ones(nvar), matrix, np.array(lo), np.array(hi),
                    np.array(upper, float), "Dodgson")
    if z is None:  # pragma: no cover - moving c to the top of every ballot is feasible
        raise SolverError("HiGHS found no way to make the candidate a Condorcet winner",
                          "dodgson")
    zs = [int(v) for v in z]
    ok = all(0 <= zs[j] <= upper[j] for j in range(nvar))
    ok &= all(zs[j] <= zs[index[(t, k - 1)]] for (t, k), j in index.items() if k > 1)
    ok &= all(sum(zs[j] for j in passes[d]) >= deficit[d] for d in short)
    if not ok or sum(zs) != best:  # exact integer check of the solver's answer
        raise SolverError(f"the Dodgson solution (swaps {sum(zs)}) does not check against the "
                          f"proven optimum {best}", "dodgson")
    return best


def young_score(p: Profile, c: int, strict: bool = True) -> int:
    """The Young score of candidate ``c``: the fewest voters to remove so that it beats
    (``strict``) or beats or ties (weak) every rival among the voters left (exact ILP);
    ``voters`` when no set of voters makes it a strict Condorcet winner.

    Example:
        >>> p = Profile.from_arrays(["a", "b", "c"], np.array([[0, 1, 2], [1, 2, 0], [2, 0, 1]]))
        >>> young_score(p, 0), young_score(p, 0, strict=False)
        (2, 1)
    """
    from scipy.sparse import csr_matrix

    m = len(p.candidates)
    counts = [int(k) for k in p.counts]
    n = sum(counts)
    need = 1 if strict else 0
    margins = p.margins()
    if all(int(margins[c, d]) >= need for d in range(m) if d != c):
        return 0
    order = p._order_table()  # smaller = ranked higher; ties and unranked compare equal
    table = order.astype(np.int64)
    rivals = [d for d in range(m) if d != c]
    # sign[d]: +1 c above d, −1 d above c, 0 level; ballots with equal signs are merged
    merged: dict[tuple[int, ...], int] = {}
    for row, count in zip(np.sign(table[:, rivals] - table[:, [c]]).tolist(), counts):
        merged[tuple(row)] = merged.get(tuple(row), 0) + count
    sign = np.array(list(merged), dtype=np.int64).reshape(len(merged), len(rivals))
    counts = list(merged.values())
    matrix = csr_matrix(sign.T.astype(float))
    kept, best = _milp(-np.ones(len(counts)), matrix, np.full(len(rivals), float(need)),
                       np.full(len(rivals), np.inf), np.array(counts, float), "Young")
    if kept is None:  # no set of voters makes c a strict Condorcet winner
        return n
    ks = [int(v) for v in kept]
    ok = all(0 <= ks[g] <= counts[g] for g in range(len(counts)))
    ok &= all(sum(int(sign[g, j]) * ks[g] for g in range(len(counts))) >= need
              for j in range(len(rivals)))
    if not ok or -sum(ks) != best:  # exact integer check of the solver's answer
        raise SolverError(f"the Young solution (kept {sum(ks)}) does not check against the "
                          f"proven optimum {-best}", "young")
    if strict and sum(ks) == 0:  # pragma: no cover - the empty electorate has no winner
        raise SolverError("the Young program kept no voter", "young")
    return n - sum(ks)


def _agreement(beats: np.ndarray, order: list[int] | tuple[int, ...]) -> int:
    return sum(int(beats[a, b]) for i, a in enumerate(order) for b in order[i + 1:])


def _majority_order_value(beats: np.ndarray, members: list[int]) -> tuple[int, list[int]]:
    """The most majority relations among ``members`` one ranking of them can agree with, and
    such a ranking (exact ILP; sets of at most ``SLATER_ENUMERATE`` candidates by trying every
    ranking)."""
    from scipy.sparse import coo_matrix

    k = len(members)
    if k <= SLATER_ENUMERATE:
        orders = list(itertools.permutations(members))
        values = [_agreement(beats, o) for o in orders]
        top = max(values, default=0)
        return top, list(orders[values.index(top)]) if orders else []
    pairs = [(a, b) for a in members for b in members if a != b]
    col = {pr: j for j, pr in enumerate(pairs)}
    rows, cols, vals, lo, hi = [], [], [], [], []
    r = 0
    for a, b in itertools.combinations(members, 2):  # x_ab + x_ba = 1
        rows += [r, r]
        cols += [col[(a, b)], col[(b, a)]]
        vals += [1.0, 1.0]
        lo.append(1.0)
        hi.append(1.0)
        r += 1
    for a, b, c in itertools.combinations(members, 3):  # no 3-cycle, either orientation
        for x, y, z in ((a, b, c), (a, c, b)):
            rows += [r, r, r]
            cols += [col[(x, y)], col[(y, z)], col[(z, x)]]
            vals += [1.0, 1.0, 1.0]
            lo.append(-np.inf)
            hi.append(2.0)
            r += 1
    matrix = coo_matrix((vals, (rows, cols)), shape=(r, len(pairs))).tocsr()
    cost = -np.array([float(beats[a, b]) for a, b in pairs])
    x, best = _milp(cost, matrix, np.array(lo), np.array(hi), np.ones(len(pairs)), "Slater")
    if x is None:  # pragma: no cover - every ranking is feasible
        raise SolverError("HiGHS found no ranking", "slater")
    above = {pr: int(x[j]) for pr, j in col.items()}
    # a linear order: its out-degrees are k − 1, …, 0 and every pair agrees with them
    order = sorted(members, key=lambda a: -sum(above[(a, b)] for b in members if b != a))
    place = {a: i for i, a in enumerate(order)}
    agree = sum(int(beats[a, b]) for a, b in pairs if place[a] < place[b])
    consistent = all(above[(a, b)] == (place[a] < place[b]) for a, b in pairs)
    if not consistent or agree != -best:  # exact integer check of the solver's answer
        raise SolverError(f"the Slater ranking agrees with {agree} majorities, not the proven "
                          f"optimum {-best}", "slater")
    return agree, order


def slater_solve(p: Profile, prio: list[int]) -> tuple[list[int], int, list[int]]:
    """The first Slater ranking in the tie-break's lexicographic order (candidate indices,
    best first), its distance (majority relations reversed) and every candidate that tops
    some Slater ranking (sorted).

    Example:
        >>> p = Profile.from_arrays(["a", "b", "c"], np.array([[0, 1, 2], [1, 2, 0], [2, 0, 1]]))
        >>> slater_solve(p, [1, 0, 2])
        ([1, 2, 0], 1, [0, 1, 2])
    """
    m = len(p.candidates)
    beats = p.margins() > 0
    memo: dict[frozenset[int], tuple[int, list[int]]] = {}

    def best(members: frozenset[int]) -> int:
        if members not in memo:
            memo[members] = _majority_order_value(beats, sorted(members))
        return memo[members][0]

    def can_lead(c: int, members: frozenset[int]) -> bool:
        optimum = best(members)
        if memo[members][1][:1] == [c]:  # the optimal ranking found puts c first
            return True
        rest = members - {c}
        wins = sum(int(beats[c, d]) for d in rest)
        if wins + sum(int(beats[a, b]) for a in rest for b in rest) < optimum:
            return False  # even agreeing with every majority among the rest falls short
        return wins + best(rest) == optimum

    everyone = frozenset(range(m))
    tops = [c for c in range(m) if can_lead(c, everyone)]
    order: list[int] = []
    left = everyone
    while left:
        pick = next(c for c in prio if c in left and can_lead(c, left))
        order.append(pick)
        left = left - {pick}
    edges = int(beats.sum())
    agree = _agreement(beats, order)
    if agree != best(everyone):  # pragma: no cover - the chain of optima adds up
        raise SolverError("the Slater ranking is not optimal", "slater")
    return order, edges - agree, tops


class YoungParams(RankedParams):
    """Tie-break and the Condorcet winner Young's score aims for."""

    condorcet: Literal["strict", "weak"] = Field(
        "strict", description="make the candidate beat every rival (strict) or beat or tie "
        "every rival (weak) among the voters kept")


class _DistanceRule(RankedRule):
    """Shared checks and the scored outcome (lower scores win)."""

    claims = ("anonymous", "condorcet")
    label: ClassVar[str] = ""

    def parse_input(self, data: Any) -> Profile:
        profile = super().parse_input(data)
        _check_candidates(profile, self.label)
        return profile

    def _scored(self, p: Profile, prio: list[int], scores: list[int]) -> dict[str, Any]:
        low = min(scores)
        tied = [c for c, s in enumerate(scores) if s == low]
        rank = {c: k for k, c in enumerate(prio)}
        names = p.candidates
        ranking = sorted(range(len(scores)), key=lambda c: (scores[c], rank[c]))
        return {"winner": min(tied, key=rank.__getitem__), "tied": tied,
                "scores": np.array(scores, dtype=np.int64), "margins": p.margins(),
                "extra": {"ranking": [names[c] for c in ranking], "exact": True}}


@register
class Dodgson(_DistanceRule):
    """Dodgson: fewest adjacent swaps to become the Condorcet winner (exact ILP).

    Example:
        >>> import hurwicz as hz
        >>> out = hz.mechanism("voting.dodgson").run({"candidates": ["a", "b", "c"],
        ...     "ballots": [{"ranking": ["a", "b", "c"], "count": 2}, {"ranking": ["b", "a"]}]})
        >>> out.result["winners"], out.result["scores"]["b"]
        (['a'], 1.0)
    """

    name = "voting.dodgson"
    label = "Dodgson"
    summary = "Dodgson: fewest adjacent swaps in the ballots making a Condorcet winner (ILP)."
    supports_ties = False
    accepts_truncated = False

    def parse_input(self, data: Any) -> Profile:
        profile = super().parse_input(data)
        _complete_rankings(profile)
        _check_voters(profile, "Dodgson")
        return profile

    def decide(self, p: Profile, prio: list[int]) -> dict[str, Any]:
        _check_candidates(p, "Dodgson")
        _check_voters(p, "Dodgson")
        rows = _complete_rankings(p)
        scores = [dodgson_score(p, c, rows) for c in range(len(p.candidates))]
        return self._scored(p, prio, scores)


@register
class Young(_DistanceRule):
    """Young: fewest voters to remove to become the Condorcet winner (exact ILP).

    Example:
        >>> import hurwicz as hz
        >>> out = hz.mechanism("voting.young", condorcet="weak").run({"candidates": ["a", "b"],
        ...     "ballots": [{"ranking": ["a", "b"], "count": 2}, {"ranking": ["b", "a"]}]})
        >>> out.result["winners"], out.result["scores"]
        (['a'], {'a': 0.0, 'b': 1.0})
    """

    name = "voting.young"
    label = "Young"
    summary = "Young: fewest voters to remove making a Condorcet winner (ILP)."
    Params: ClassVar[type[BaseModel]] = YoungParams

    def parse_input(self, data: Any) -> Profile:
        profile = super().parse_input(data)
        _check_voters(profile, "Young")
        return profile

    def decide(self, p: Profile, prio: list[int]) -> dict[str, Any]:
        _check_candidates(p, "Young")
        _check_voters(p, "Young")
        strict = self.params.condorcet == "strict"
        scores = [young_score(p, c, strict) for c in range(len(p.candidates))]
        return self._scored(p, prio, scores)


@register
class Slater(_DistanceRule):
    """Slater: tops of the rankings reversing the fewest majority relations (exact ILP).

    Example:
        >>> import hurwicz as hz
        >>> out = hz.mechanism("voting.slater").run({"candidates": ["a", "b", "c"], "ballots": [
        ...     {"ranking": ["c", "a", "b"], "count": 2}, {"ranking": ["a", "b", "c"]}]})
        >>> out.result["winners"], out.result["ranking"], out.result["slater_distance"]
        (['c'], ['c', 'a', 'b'], 0)
    """

    name = "voting.slater"
    label = "Slater"
    summary = "Slater: tops of rankings reversing the fewest majority relations (ILP)."

    def decide(self, p: Profile, prio: list[int]) -> dict[str, Any]:
        _check_candidates(p, "Slater")
        require_voters(p.voters)
        order, distance, tops = slater_solve(p, prio)
        m = len(order)
        scores = np.zeros(m, dtype=np.int64)
        for k, c in enumerate(order):
            scores[c] = m - k
        return {"winner": order[0], "tied": tops, "scores": scores, "margins": p.margins(),
                "extra": {"slater_distance": distance, "exact": True}}

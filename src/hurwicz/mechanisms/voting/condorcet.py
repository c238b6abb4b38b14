"""Condorcet-consistent single-winner rules built on the majority relation: Split Cycle,
Stable Voting, Black, Smith-IRV, Condorcet-IRV, the uncovered set and the Banks set.

All of them elect the Condorcet winner when there is one (the conformance suite checks it).
Pairwise margins come from :meth:`~.profile.Profile.margins` (exact integers; tied and
unranked candidates carry no preference), so every rule here accepts tied and truncated
ballots.

Set-valued rules (Split Cycle, Stable Voting, uncovered set, Banks set, and Black when Borda
ties) put the whole winner set in ``result.tied`` and the member with the highest tie-break
priority in ``result.winners``; ``result.tie_broken`` is true when the set has more than one
member. The IRV hybrids return the parallel-universe winner set of their elimination
(:func:`~.ranked.eliminate`) in ``result.tied``.

Sources: Holliday & Pacuit, "Split Cycle: a new Condorcet-consistent voting method
independent of clones and immune to spoilers", Public Choice 197 (2023); Holliday & Pacuit,
"Stable Voting", Constitutional Political Economy 34 (2023); Black, *The Theory of Committees
and Elections* (1958); Gillies (1959), Fishburn (1977), Bordes (1983), McKelvey (1986) for the
covering relations and Laslier, *Tournament Solutions and Majority Voting* (1997) for the
uncovered and Banks sets (Banks 1985). The Smith-IRV and Condorcet-IRV hybrids follow
pref_voting's ``smith_irv_put`` and ``condorcet_irv_put`` (IRV on the Smith set; a Condorcet
winner, else IRV).

Example:
    >>> import hurwicz as hz
    >>> cycle = {"candidates": ["a", "b", "c"], "ballots": [
    ...     {"ranking": ["a", "b", "c"], "count": 4}, {"ranking": ["b", "c", "a"], "count": 3},
    ...     {"ranking": ["c", "a", "b"], "count": 2}]}
    >>> out = hz.mechanism("voting.split_cycle").run(cycle)
    >>> out.result["winners"], out.result["tied"]
    (['a'], ['a'])
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, Field

from hurwicz.core.errors import InputError
from hurwicz.core.registry import register

from .profile import Profile
from .ranked import (
    BordaParams,
    RankedParams,
    RankedRule,
    Round,
    borda,
    condorcet_winner,
    eliminate,
    irv_round,
    smith_set,
)

#: Most candidates Stable Voting (a recursion over sub-elections) and the Banks set (an
#: enumeration of majority chains) accept when there is no Condorcet winner; both can visit
#: up to 2**m subsets of the candidates.
MAX_CANDIDATES = 16


def _bits(mask: int) -> list[int]:
    out = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out


def _widest_paths(weights: np.ndarray) -> np.ndarray:
    """Strongest path strengths (the largest minimum edge weight over paths; 0 when none)."""
    strength = weights.copy()
    for k in range(len(strength)):
        strength = np.maximum(strength, np.minimum(strength[:, k:k + 1], strength[k:k + 1, :]))
    return strength


def split_cycle_winners(margins: np.ndarray, among: Any = None) -> list[int]:
    """Split Cycle (Holliday & Pacuit 2023): a defeats b when a's margin over b is positive
    and larger than the strength of every path of positive margins from b back to a — that
    is, when a→b is not a weakest edge of any majority cycle. The winners are the undefeated
    candidates (among ``among``, default all).

    Example:
        >>> m = np.array([[0, 5, -3], [-5, 0, 1], [3, -1, 0]])  # a>b 5, b>c 1, c>a 3
        >>> split_cycle_winners(m)  # the weakest edge b>c is split: c beats a, a beats b
        [2]
    """
    idx = list(range(len(margins))) if among is None else sorted(among)
    sub = np.asarray(margins)[np.ix_(idx, idx)]
    positive = np.where(sub > 0, sub, 0)
    strength = _widest_paths(positive)
    defeated = (positive > strength.T).any(axis=0)  # a→b with margin above b's way back
    return [idx[i] for i in range(len(idx)) if not defeated[i]]


def condorcet_winner_of(margins: np.ndarray) -> int | None:
    """The candidate with a positive margin over every other one, if any.

    Example:
        >>> condorcet_winner_of(np.array([[0, -1], [1, 0]]))
        1
    """
    m = len(margins)
    for a in range(m):
        if all(margins[a, b] > 0 for b in range(m) if b != a):
            return a
    return None


def _refuse_large(m: int, rule: str) -> None:
    if m > MAX_CANDIDATES:
        raise InputError("candidates", f"{rule} without a Condorcet winner needs exponential "
                         f"time: at most {MAX_CANDIDATES} candidates are accepted (got {m})")


def stable_voting_winners(margins: np.ndarray) -> list[int]:
    """Stable Voting (Holliday & Pacuit 2023), irresolute, as in pref_voting's
    ``stable_voting``: a Condorcet winner wins; otherwise, among the Split Cycle winners a,
    take the pairs (a, b) from the largest margin of a over b down, and elect every a of the
    first margin at which a wins Stable Voting in the election without b. Sub-elections are
    memoised on their candidate sets.

    Example:
        >>> m = np.array([[0, 1, -3], [-1, 0, 5], [3, -5, 0]])  # a>b 1, b>c 5, c>a 3
        >>> stable_voting_winners(m)
        [1]
    """
    margins = np.asarray(margins)
    m = len(margins)
    memo: dict[frozenset[int], frozenset[int]] = {}

    def sv(left: frozenset[int]) -> frozenset[int]:
        if left in memo:
            return memo[left]
        members = sorted(left)
        cw = [a for a in members if all(margins[a, b] > 0 for b in members if b != a)]
        if len(members) == 1 or cw:
            result = frozenset(members if len(members) == 1 else cw)
        else:
            undefeated = split_cycle_winners(margins, members)
            if len(undefeated) == 1:
                result = frozenset(undefeated)
            else:
                matches = sorted(((int(margins[a, b]), a, b) for a in undefeated
                                  for b in members if b != a), reverse=True)
                found: set[int] = set()
                witness = None
                for s, a, b in matches:
                    if witness is not None and s < witness:
                        break
                    if a not in found and a in sv(left - {b}):
                        found.add(a)
                        witness = s
                result = frozenset(found)
        memo[left] = result
        return result

    if condorcet_winner_of(margins) is None:
        _refuse_large(m, "Stable Voting")
    return sorted(sv(frozenset(range(m))))


Covering = Literal["gillies", "fishburn", "bordes", "mckelvey"]


def uncovered_set(margins: np.ndarray, covering: Covering = "gillies") -> list[int]:
    """The candidates no other one covers. With D(x) = {y : y beats x by majority} and
    W(x) = {y : y beats or ties x} (x included), a covers b when

    * ``gillies`` (Gillies 1959): a beats b and D(a) ⊆ D(b);
    * ``fishburn`` (Fishburn 1977): D(a) ⊊ D(b);
    * ``bordes`` (Bordes 1983): a beats b and W(a) ⊆ W(b);
    * ``mckelvey`` (McKelvey 1986): a beats b, D(a) ⊆ D(b) and W(a) ⊆ W(b).

    These are pref_voting's ``uc_gill``, ``uc_fish``, ``uc_bordes`` and ``uc_mckelvey``; in
    a tournament (no zero margins) the four coincide (Laslier 1997, ch. 5).

    Example:
        >>> uncovered_set(np.array([[0, 1, 1], [-1, 0, 1], [-1, -1, 0]]))
        [0]
    """
    margins = np.asarray(margins)
    m = len(margins)
    dom = [sum(1 << x for x in range(m) if margins[x, c] > 0) for c in range(m)]
    weak = [sum(1 << x for x in range(m) if margins[x, c] >= 0) for c in range(m)]

    def covers(a: int, b: int) -> bool:
        strict = dom[a] & ~dom[b] == 0
        if covering == "fishburn":
            return strict and dom[a] != dom[b]
        beats = bool(margins[a, b] > 0)
        loose = weak[a] & ~weak[b] == 0
        if covering == "gillies":
            return beats and strict
        if covering == "bordes":
            return beats and loose
        return beats and strict and loose

    return [b for b in range(m) if not any(covers(a, b) for a in range(m) if a != b)]


def banks_set(margins: np.ndarray) -> list[int]:
    """The Banks set (Banks 1985; Laslier 1997, ch. 7): the top elements of the maximal
    chains, where a chain is a set of candidates linearly ordered by strict majority (every
    pair decided, no cycle) and maximal means no candidate can join it. A zero margin
    decides no pair, so two tied candidates never share a chain (as in pref_voting's
    ``banks``). Exact: for each candidate every chain it tops is enumerated, built downward,
    until a maximal one is found (at most 2**m chains; see :data:`MAX_CANDIDATES`).

    Example:
        >>> banks_set(np.array([[0, 1, -1], [-1, 0, 1], [1, -1, 0]]))
        [0, 1, 2]
    """
    margins = np.asarray(margins)
    m = len(margins)
    if condorcet_winner_of(margins) is None:
        _refuse_large(m, "the Banks set")
    beats = [sum(1 << y for y in range(m) if margins[x, y] > 0) for x in range(m)]
    beaten_by = [sum(1 << x for x in range(m) if margins[x, y] > 0) for y in range(m)]

    def joins(chain: int, y: int) -> bool:
        above, below = chain & beaten_by[y], chain & beats[y]
        if above | below != chain:  # y ties some member
            return False
        return all(below & ~beats[u] == 0 for u in _bits(above))  # no cycle through y

    def maximal(chain: int) -> bool:
        return not any(joins(chain, y) for y in range(m) if not chain >> y & 1)

    winners = []
    for x in range(m):
        stack = [(1 << x, beats[x])]  # (chain, candidates every member beats)
        while stack:
            chain, common = stack.pop()
            if common == 0:  # nobody fits below: only such chains can be maximal
                if maximal(chain):
                    winners.append(x)
                    break
                continue
            stack.extend((chain | 1 << y, common & beats[y]) for y in _bits(common))
    return winners


class _SetRule(RankedRule):
    """A rule whose answer is a set: ``tied`` is the set, ``winners`` its member with the
    highest tie-break priority."""

    claims = ("anonymous", "condorcet")

    def winner_set(self, p: Profile) -> tuple[list[int], dict[str, Any]]:
        raise NotImplementedError

    def decide(self, p: Profile, prio: list[int]) -> dict[str, Any]:
        tied, extra = self.winner_set(p)
        rank = {c: k for k, c in enumerate(prio)}
        return {"winner": min(tied, key=rank.__getitem__), "tied": sorted(tied),
                "tie_broken": len(tied) > 1, "margins": p.margins(), "extra": extra}


@register
class SplitCycle(_SetRule):
    """Split Cycle (Holliday & Pacuit 2023): in every majority cycle the weakest edges are
    discarded; the winners are the candidates left undefeated.

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("voting.split_cycle").run({"candidates": ["a", "b"], "ballots": [
        ...     {"ranking": ["b", "a"]}]}).result["winners"]
        ['b']
    """

    name = "voting.split_cycle"
    summary = "Split Cycle: undefeated once each majority cycle's weakest edges are split."

    def winner_set(self, p: Profile) -> tuple[list[int], dict[str, Any]]:
        return split_cycle_winners(p.margins()), {}


@register
class StableVoting(_SetRule):
    """Stable Voting (Holliday & Pacuit 2023): recursive, memoised over sub-elections;
    irresolute (every winner of the first deciding margin), at most 16 candidates without a
    Condorcet winner.

    Example:
        >>> import hurwicz as hz
        >>> "condorcet" in hz.mechanism("voting.stable_voting").claims
        True
    """

    name = "voting.stable_voting"
    summary = "Stable Voting: the strongest win that survives removing the loser."

    def winner_set(self, p: Profile) -> tuple[list[int], dict[str, Any]]:
        return stable_voting_winners(p.margins()), {}


class UncoveredParams(RankedParams):
    """Which covering relation defines the uncovered set."""

    covering: Covering = Field("gillies", description="covering relation: gillies (default), "
                               "fishburn, bordes or mckelvey (as in pref_voting's uc_*)")


@register
class UncoveredSet(_SetRule):
    """The uncovered set of the majority relation (Gillies covering by default).

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("voting.uncovered_set", covering="fishburn").params.covering
        'fishburn'
    """

    name = "voting.uncovered_set"
    summary = "Candidates no other candidate covers in the majority relation."
    Params: ClassVar[type[BaseModel]] = UncoveredParams

    def winner_set(self, p: Profile) -> tuple[list[int], dict[str, Any]]:
        return uncovered_set(p.margins(), self.params.covering), {}


@register
class Banks(_SetRule):
    """The Banks set: the tops of the maximal majority chains (exact enumeration, at most 16
    candidates without a Condorcet winner).

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("voting.banks").name
        'voting.banks'
    """

    name = "voting.banks"
    summary = "Banks set: tops of the maximal chains of the majority relation."

    def winner_set(self, p: Profile) -> tuple[list[int], dict[str, Any]]:
        return banks_set(p.margins()), {}


@register
class Black(_SetRule):
    """Black's rule (Black 1958): the Condorcet winner if there is one, else the Borda
    winners (``truncated`` as for ``voting.borda``).

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("voting.black").params.truncated
        'zero'
    """

    name = "voting.black"
    summary = "Condorcet winner if any, else Borda."
    Params: ClassVar[type[BaseModel]] = BordaParams

    def winner_set(self, p: Profile) -> tuple[list[int], dict[str, Any]]:
        cw = condorcet_winner(p)
        if cw is not None:
            return [cw], {"condorcet_winner": p.candidates[cw]}
        scores, _ = borda(p, self.params.truncated)
        values = list(scores)
        top = max(values)
        return ([c for c, v in enumerate(values) if v == top],
                {"condorcet_winner": None,
                 "borda": {p.candidates[c]: float(v) for c, v in enumerate(values)}})


def _irv_among(p: Profile, prio: list[int], among: list[int]) -> dict[str, Any]:
    """IRV with parallel-universe co-winners, on the candidates ``among`` only: the others
    leave first, all at once (no decision, no round shown)."""
    outside = set(range(len(p.candidates))) - set(among)

    def count_round(left: frozenset[int]) -> Round:
        gone = sorted(left & outside)
        if gone:
            return None, {}, gone, True
        return irv_round(p, left)

    decided = eliminate(len(p.candidates), prio, count_round)
    decided["rounds"] = [r for r in decided["rounds"] if r["tally"]]
    return decided


@register
class SmithIRV(RankedRule):
    """Smith-IRV: instant runoff among the Smith set only (pref_voting's ``smith_irv_put``:
    ``result.tied`` is the parallel-universe winner set).

    Example:
        >>> import hurwicz as hz
        >>> out = hz.mechanism("voting.smith_irv").run({"candidates": ["a", "b", "c"],
        ...     "ballots": [{"ranking": ["a", "b", "c"], "count": 4},
        ...                 {"ranking": ["c", "b", "a"], "count": 3}]})
        >>> out.result["winners"], out.result["smith_set"]
        (['a'], ['a'])
    """

    name = "voting.smith_irv"
    summary = "Instant runoff restricted to the Smith set."
    claims = ("anonymous", "condorcet")

    def decide(self, p: Profile, prio: list[int]) -> dict[str, Any]:
        smith = smith_set(p)
        decided = _irv_among(p, prio, smith)
        decided["margins"] = p.margins()
        decided["extra"] = {"smith_set": [p.candidates[c] for c in smith]}
        return decided


@register
class CondorcetIRV(RankedRule):
    """Condorcet-IRV: the Condorcet winner if there is one, else instant runoff
    (pref_voting's ``condorcet_irv_put``: ``result.tied`` is IRV's parallel-universe set).

    Example:
        >>> import hurwicz as hz
        >>> out = hz.mechanism("voting.condorcet_irv").run({"candidates": ["a", "b", "c"],
        ...     "ballots": [{"ranking": ["a", "b", "c"], "count": 4},
        ...                 {"ranking": ["b", "c", "a"], "count": 3},
        ...                 {"ranking": ["c", "b", "a"], "count": 2}]})
        >>> out.result["winners"], out.result["condorcet_winner"]
        (['b'], 'b')
    """

    name = "voting.condorcet_irv"
    summary = "Condorcet winner if any, else instant runoff."
    claims = ("anonymous", "condorcet")

    def decide(self, p: Profile, prio: list[int]) -> dict[str, Any]:
        cw = condorcet_winner(p)
        if cw is not None:
            return {"winner": cw, "tied": [cw], "tie_broken": False, "margins": p.margins(),
                    "extra": {"condorcet_winner": p.candidates[cw]}}
        decided = eliminate(len(p.candidates), prio, lambda left: irv_round(p, left))
        decided["margins"] = p.margins()
        decided["extra"] = {"condorcet_winner": None}
        return decided

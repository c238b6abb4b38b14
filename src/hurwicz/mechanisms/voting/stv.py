"""Single transferable vote (multiwinner, ranked ballots).

Quota: Droop ``floor(n / (seats + 1)) + 1`` (default) or Hare ``n / seats``, where n counts the
valid ballots, those ranking at least one candidate (a blank ballot is no vote, as in every
STV jurisdiction; an election of blank ballots only is refused naming ``ballots``). A
candidate whose tally reaches the quota is elected; surpluses are transferred largest first,
one at a time, and any candidate reaching the quota meanwhile is elected too. When nobody
reaches it, the candidate with the lowest tally is excluded (ties: the one with the lowest
tie-break priority) and all its ballots move on at their current value. When the continuing
candidates just fill the remaining seats, they are all elected.

Surplus transfers (``transfer``):

* ``"wigm"`` — weighted inclusive Gregory, exact: every ballot held by the elected candidate
  moves on, its value multiplied by surplus / tally, with no rounding at all (the method the
  Scottish rules prescribe, without their decimal truncation: see ``"scottish"``);
* ``"gregory"`` — last-parcel Gregory: only the ballots in the parcel that got the candidate
  elected move on, their value multiplied by min(1, surplus / value of that parcel); the others
  stay with the elected candidate;
* ``"scottish"`` — the count of the Scottish Local Government Elections Order 2007 (SSI
  2007/42), Schedule 1, rules 45–52, exactly as written: the quota of rule 46 (with the default
  ``quota="droop"``: valid papers divided by seats + 1, decimals ignored, plus one; a ballot
  ranking nobody is not a valid paper, rule 43, and an election without one is refused); a
  candidate whose votes equal or exceed it is elected (rule 47); each surplus moves every paper
  the candidate holds, and each paper's new value is *A / B* **truncated to five decimal
  places** (rule 48(3)), where *A* = surplus × the paper's value when the candidate received it
  (1 for a first preference, else its transfer value: rule 48(4)) and *B* = the candidate's
  total; the highest surplus goes first (rule 49(1)), a surplus is transferred only when the
  total *exceeds* the quota (rule 48(1)); an excluded candidate's papers move at the value they
  had (rule 50(4)), all in one stage; the candidates left are elected once they just fill the
  seats, with no further transfer (rule 52(1), (3)). Rule 52(2) (one vacancy left and a
  continuing candidate with at least the other continuing candidates' votes plus any surplus
  not transferred is deemed elected) is not a separate step: when one candidate meets it, the
  count carried on elects that same candidate (the others can gain at most those votes, and a
  Droop quota cannot be reached by two of them for one seat), so only the stage sheet is
  longer than an official one; when two meet it (equal totals, nothing else left) the Order
  does not say which, and rule 51's tie rule decides. Equal surpluses (rule 49(2)) and equal lowest
  candidates (rule 51(2)(a)) are decided by the totals at the end of the most recent preceding
  stage at which they were unequal (the highest surplus first, the lowest total out); only when
  they were equal at every stage does the ``tie_break`` stand in for the Order's lot (rules
  49(3), 51(2)(b)). Tallies are then exact multiples of 0.00001, and the value the truncation
  drops (at most 0.00001 per paper per surplus transfer) is lost to the count, as under the
  Order. With ``quota="hare"`` the same arithmetic runs with a Hare quota (no longer the
  Order's count).

None of them is the Irish rule (Electoral Act 1992: the surplus moves as a *sample* of whole
papers from the last parcel); ``"gregory"`` transfers that same last parcel, fractionally.

Arithmetic is exact: ballot values and tallies are :class:`fractions.Fraction` (ballot groups
sharing a value are summed as integers first, so a count stays fast), and a tally reaches the
quota only when it is at least the quota — no tolerance, and no rounding except the
truncation ``"scottish"`` prescribes. ``result.rounds`` shows them as floats: round *k* has
``tally`` (the continuing candidates' totals at its start), ``elected`` (those reaching the
quota on it, or filling the last seats), ``excluded`` (or null), ``transfer`` (``{"from",
"kind": "surplus" | "exclusion", "value"}`` made next, or null when the count ends) and
``exhausted`` (the value of exhausted ballots *after* that transfer).

Ties (the lowest tally to exclude, equal surpluses to transfer first) are broken by the
tie-break; ``result.tie_broken`` says whether that happened (excluding candidates who hold no
ballot, one after another, is no choice when all of them go anyway), and ``result.tied`` lists every
committee some way of breaking those ties elects (parallel universes: each tie is branched on
and the count rerun, at most ``MAX_STV_UNIVERSES`` counts; beyond that ``result.tied_complete``
is false). ``seats`` must not exceed the number of candidates (``params.seats`` error), and an
election without ballots is refused (``ballots`` error).

Example:
    >>> import hurwicz as hz
    >>> food = {"candidates": ["oranges", "pears", "chocolate", "strawberries", "hamburgers"],
    ...         "ballots": [{"ranking": ["oranges"], "count": 4},
    ...                     {"ranking": ["pears", "oranges"], "count": 2},
    ...                     {"ranking": ["chocolate", "strawberries"], "count": 8},
    ...                     {"ranking": ["chocolate", "hamburgers"], "count": 4},
    ...                     {"ranking": ["strawberries"], "count": 1},
    ...                     {"ranking": ["hamburgers"], "count": 1}]}
    >>> hz.mechanism("voting.stv", seats=3).run(food).result["winners"]
    ['chocolate', 'oranges', 'strawberries']
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any, Literal

import numpy as np
from pydantic import Field

from hurwicz.core.errors import InputError, ParameterError
from hurwicz.core.outcome import Outcome
from hurwicz.core.registry import register

from .ballots import group_outcome
from .profile import Profile, exact_bincount, require_voters
from .ranked import RankedParams, RankedRule, priority_order

EXHAUSTED, RETAINED = -1, -2
#: Most counts the parallel-universe search for ``result.tied`` reruns.
MAX_STV_UNIVERSES = 256


class STVParams(RankedParams):
    """Seats, quota and transfer method."""

    seats: int = Field(1, ge=1, description="number of candidates to elect")
    quota: Literal["droop", "hare"] = Field("droop", description="Droop or Hare quota")
    transfer: Literal["wigm", "gregory", "scottish"] = Field(
        "wigm", description="weighted inclusive Gregory (exact), last-parcel Gregory, or the "
        "Scottish rules (SSI 2007/42 Sch. 1 rules 45-52: WIGM with transfer values truncated "
        "to 5 decimals)")


class _Count:
    """The state of an STV count over merged ballot groups, exactly.

    Each group's value is a class id into ``values`` (distinct :class:`Fraction` values), so
    tallies sum integer counts per (holder, value class) before any fraction is touched.
    """

    def __init__(self, p: Profile) -> None:
        self.r = p.rankings
        self.counts = p.counts.astype(np.int64)
        u, m = self.r.shape
        self.values: list[Fraction] = [Fraction(1)]
        self.value_id: dict[Fraction, int] = {Fraction(1): 0}
        self.vid = np.zeros(u, dtype=np.int64)
        self.ptr = np.zeros(u, dtype=np.int64)
        self.holder = np.full(u, EXHAUSTED, dtype=np.int64)
        self.parcel = np.zeros(u, dtype=np.int64)
        self.continuing = np.ones(m, bool)
        self.last_parcel = np.zeros(m, dtype=np.int64)
        self.step = 0
        self.exhausted = Fraction(0)
        self.move(np.arange(u), start=0)

    def worth(self, groups: np.ndarray) -> Fraction:
        """Total value of the given ballot groups."""
        if len(groups) == 0:
            return Fraction(0)
        sums = exact_bincount(self.vid[groups], self.counts[groups], len(self.values))
        return sum((self.values[v] * int(n) for v, n in enumerate(sums) if n), Fraction(0))

    def scale(self, groups: np.ndarray, factor: Fraction, places: int | None = None) -> None:
        """Multiply the value of the given groups by ``factor``; with ``places``, each new
        value is truncated to that many decimal places (any remainder ignored)."""
        if len(groups) == 0:
            return
        old = np.unique(self.vid[groups])
        new = np.empty(len(old), dtype=np.int64)
        for k, v in enumerate(old):
            value = self.values[v] * factor
            if places is not None:
                value = truncate(value, places)
            if value not in self.value_id:
                self.value_id[value] = len(self.values)
                self.values.append(value)
            new[k] = self.value_id[value]
        self.vid[groups] = new[np.searchsorted(old, self.vid[groups])]

    def move(self, groups: np.ndarray, start: int | None = None) -> None:
        """Give each group to its next continuing preference (from ``ptr + 1``, or ``start``)."""
        if len(groups) == 0:
            return
        m = self.r.shape[1]
        rows = self.r[groups]
        first = self.ptr[groups] + 1 if start is None else np.full(len(groups), start)
        ok = (rows >= 0) & self.continuing[np.maximum(rows, 0)] & (
            np.arange(m)[None, :] >= first[:, None])
        has = ok.any(axis=1)
        k = np.argmax(ok, axis=1)
        self.ptr[groups] = np.where(has, k, self.ptr[groups])
        new_holder = np.where(has, rows[np.arange(len(groups)), k], EXHAUSTED)
        self.exhausted += self.worth(groups[~has])
        self.holder[groups] = new_holder
        self.parcel[groups] = self.step
        for c in np.unique(new_holder[has]):
            self.last_parcel[c] = self.step

    def tally(self) -> list[Fraction]:
        m = self.r.shape[1]
        held = np.nonzero(self.holder >= 0)[0]
        width = len(self.values)
        sums = exact_bincount(self.holder[held] * width + self.vid[held], self.counts[held],
                              m * width)
        out = [Fraction(0)] * m
        for key in np.nonzero(sums)[0]:
            c, v = divmod(int(key), width)
            out[c] += self.values[v] * int(sums[key])
        return out


#: Decimal places of a Scottish transfer value (SSI 2007/42 Sch. 1 rule 48(3)).
SCOTTISH_PLACES = 5


def truncate(x: Fraction, places: int) -> Fraction:
    """``x`` to ``places`` decimal places, any remainder ignored (toward zero).

    Example:
        >>> float(truncate(Fraction(2, 3), 5)), float(truncate(Fraction(-2, 3), 1))
        (0.66666, -0.6)
    """
    scale = 10 ** places
    q = abs(x.numerator) * scale // x.denominator
    return Fraction(q if x >= 0 else -q, scale)


def precedence(options: list[int], history: list[list[Fraction]], lowest: bool) -> list[int]:
    """The options the totals at earlier stages single out (SSI 2007/42 Sch. 1 rules 49(2)
    and 51(2)(a)): going back from the most recent stage, at the first stage where their
    totals are unequal keep those with the highest total (or, with ``lowest``, the lowest);
    repeat while several remain. Returns every option still tied after the first stage.

    Example:
        >>> F = Fraction
        >>> precedence([0, 1, 2], [[F(5), F(3), F(3)], [F(4), F(4), F(6)]], lowest=True)
        [1]
        >>> precedence([0, 1], [[F(3), F(3)], [F(4), F(4)]], lowest=False)
        [0, 1]
    """
    left = list(options)
    for totals in reversed(history):
        if len(left) == 1:
            break
        values = [totals[c] for c in left]
        if len(set(values)) > 1:
            target = min(values) if lowest else max(values)
            left = [c for c in left if totals[c] == target]
    return left


def valid_papers(p: Profile) -> int:
    """The ballots that give a first preference (SSI 2007/42 Sch. 1 rule 43(1)(b) rejects a
    paper "on which the figure 1 standing alone is not placed so as to indicate a first
    preference for some candidate"; rule 46 divides the *valid* papers).

    Example:
        >>> valid_papers(Profile.from_arrays(["a", "b"], np.array([[0, 1], [-1, -1]]),
        ...                                  np.array([3, 2])))
        3
    """
    if len(p.counts) == 0:
        return 0
    return int(p.counts[p.rankings[:, 0] >= 0].sum())


def stv(p: Profile, seats: int, quota_kind: str, transfer: str, prio: list[int],
        choose: Callable[[list[int]], int] | None = None) -> dict[str, Any]:
    """Run an STV count; returns elected candidates (in order), the quota, the rounds and
    whether the tie-break decided something (``tie_broken``).

    ``choose(options)`` picks among options the rule leaves tied (listed in tie-break order;
    it returns an index into them, default 0: the tie-break's pick). Tallies, quota and
    values are exact :class:`Fraction` values.

    Example:
        >>> p = Profile.from_arrays(["a", "b", "c"], np.array([[0, 1, 2], [0, 2, 1], [1, 0, 2]]),
        ...                         np.array([3, 1, 2]))
        >>> stv(p, 2, "droop", "wigm", [0, 1, 2])["elected"]
        [0, 1]
    """
    m = len(p.candidates)
    n = valid_papers(p)  # a blank ballot is no vote (Scottish rules 43 and 46 say so)
    quota = Fraction(n // (seats + 1) + 1) if quota_kind == "droop" else Fraction(n, seats)
    rank = {c: k for k, c in enumerate(prio)}
    decided = False
    scottish = transfer == "scottish"
    history: list[list[Fraction]] = []  # totals at the end of each earlier stage (Scottish)

    def pick(options: list[int], lowest: bool = False) -> int:
        """The tie-break's (or ``choose``'s) pick among equally ranked options: the highest
        priority, or with ``lowest`` the lowest (the one to exclude)."""
        nonlocal decided
        ordered = sorted(options, key=rank.__getitem__, reverse=lowest)
        if len(ordered) == 1:
            return ordered[0]
        decided = True
        return ordered[choose(ordered) if choose else 0]

    count = _Count(p)
    elected: list[int] = []
    pending: list[int] = []  # elected, surplus not yet transferred
    rounds: list[dict[str, Any]] = []
    while len(elected) < min(seats, m):
        tally = count.tally()
        history.append(tally)
        reached = sorted((int(c) for c in np.nonzero(count.continuing)[0]
                          if tally[c] >= quota), key=lambda c: (-tally[c], rank[c]))
        record: dict[str, Any] = {
            "tally": {int(c): tally[c] for c in np.nonzero(count.continuing)[0]},
            "elected": [], "excluded": None, "transfer": None, "exhausted": count.exhausted}
        free = seats - len(elected)
        if len(reached) > free:  # more reach the quota than seats remain: the largest tallies
            cut = tally[reached[free - 1]]
            sure = [c for c in reached if tally[c] > cut]
            level = [c for c in reached if tally[c] == cut]
            while len(sure) < free:
                c = pick(level)
                level.remove(c)
                sure.append(c)
            reached = sorted(sure, key=lambda c: (-tally[c], rank[c]))
        for c in reached:
            elected.append(c)
            pending.append(c)
            record["elected"].append(c)
            count.continuing[c] = False
        left = [int(c) for c in np.nonzero(count.continuing)[0]]
        if len(elected) >= seats:
            rounds.append(record)
            break
        if len(elected) + len(left) <= seats:
            fill = sorted(left, key=lambda c: (-tally[c], rank[c]))
            elected.extend(fill)
            record["elected"].extend(fill)
            rounds.append(record)
            break
        count.step += 1
        if scottish:  # a surplus is transferred only when the total exceeds the quota (48(1))
            pending = [c for c in pending if tally[c] > quota]
        if pending:
            most = max(tally[c] for c in pending)
            # equal positive surpluses: which goes first is the tie-break's choice (Scottish:
            # first the totals at earlier stages, rule 49(2))
            level = [c for c in pending if tally[c] == most]
            if scottish:
                level = precedence(level, history[:-1], lowest=False)
            source = pick(level) if most > quota else min(level, key=rank.__getitem__)
            pending.remove(source)
            surplus = max(tally[source] - quota, Fraction(0))
            held = np.nonzero(count.holder == source)[0]
            if transfer == "gregory":
                last = held[count.parcel[held] == count.last_parcel[source]]
                parcel_value = count.worth(last)
                factor = min(Fraction(1), surplus / parcel_value) if parcel_value > 0 else \
                    Fraction(0)
                count.holder[np.setdiff1d(held, last)] = RETAINED
                moving = last
            else:
                factor = surplus / tally[source] if tally[source] > 0 else Fraction(0)
                moving = held
            count.scale(moving, factor, SCOTTISH_PLACES if scottish else None)
            count.move(moving)
            record["transfer"] = {"from": source, "kind": "surplus", "value": surplus}
        else:
            low = min(tally[c] for c in left)
            lowest = [c for c in left if tally[c] == low]
            if scottish:  # the lowest at the most recent stage where they differed (51(2))
                lowest = precedence(lowest, history[:-1], lowest=True)
            # candidates holding no ballot move nothing when excluded; when they all go before
            # anything else happens (enough others stay for the seats), their order is no choice
            idle = (len(left) - len(lowest) >= seats - len(elected)
                    and not np.isin(count.holder, lowest).any())
            out = max(lowest, key=rank.__getitem__) if idle else pick(lowest, lowest=True)
            count.continuing[out] = False
            held = np.nonzero(count.holder == out)[0]
            count.move(held)
            record["excluded"] = out
            record["transfer"] = {"from": out, "kind": "exclusion", "value": tally[out]}
        record["exhausted"] = count.exhausted
        rounds.append(record)
    return {"elected": elected, "quota": quota, "rounds": rounds, "tie_broken": decided}


def named_round(r: dict[str, Any], names: list[str]) -> dict[str, Any]:
    """One round of a count as ``result.rounds`` shows it (the schema every STV rule shares,
    read by ``hurwicz count``): candidates by name, exact values as floats.

    Example:
        >>> named_round({"tally": {0: Fraction(7, 2)}, "elected": [0], "excluded": None,
        ...              "transfer": {"from": 0, "kind": "surplus", "value": Fraction(1, 2)},
        ...              "exhausted": Fraction(0)}, ["a"])["transfer"]
        {'from': 'a', 'kind': 'surplus', 'value': 0.5}
    """
    transfer = r["transfer"]
    return {"tally": {names[c]: float(v) for c, v in r["tally"].items()},
            "elected": [names[c] for c in r["elected"]],
            "excluded": names[r["excluded"]] if r["excluded"] is not None else None,
            "transfer": None if transfer is None else {
                **transfer, "from": names[transfer["from"]], "value": float(transfer["value"])},
            "exhausted": float(r.get("exhausted", 0))}


def stv_committees(p: Profile, seats: int, quota_kind: str, transfer: str, prio: list[int],
                   limit: int = MAX_STV_UNIVERSES) -> tuple[list[list[int]], bool]:
    """Every committee some way of breaking the count's ties elects (parallel universes: the
    count is rerun for each choice at each tie), sorted; and whether all fit in ``limit``
    counts.

    Example:
        >>> p = Profile.from_arrays(["a", "b", "c"], np.array([[0, -1, -1], [1, -1, -1],
        ...                                                   [2, -1, -1]]))
        >>> stv_committees(p, 2, "droop", "wigm", [0, 1, 2])
        ([[0, 1], [0, 2], [1, 2]], True)
    """
    found: set[tuple[int, ...]] = set()
    todo: list[list[int]] = [[]]
    runs = 0
    while todo:
        if runs >= limit:
            return sorted(list(c) for c in found), False
        script = todo.pop()
        taken: list[tuple[int, int]] = []  # (choice, number of options) at each tie

        def choose(options: list[int], script: list[int] = script,
                   taken: list[tuple[int, int]] = taken) -> int:
            k = script[len(taken)] if len(taken) < len(script) else 0
            taken.append((k, len(options)))
            return k

        runs += 1
        found.add(tuple(sorted(stv(p, seats, quota_kind, transfer, prio, choose)["elected"])))
        for depth in range(len(script), len(taken)):  # branch on the ties met past the script
            prefix = [k for k, _ in taken[:depth]]
            todo.extend([*prefix, j] for j in range(1, taken[depth][1]))
    return sorted(list(c) for c in found), True


@register
class SingleTransferableVote(RankedRule):
    """STV with a Droop or Hare quota and weighted-inclusive, last-parcel Gregory or Scottish
    (SSI 2007/42, five-decimal truncation) transfers.

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("voting.stv", seats=2).run({"candidates": ["a", "b", "c"], "ballots": [
        ...     {"ranking": ["a", "b"], "count": 5}, {"ranking": ["c"], "count": 4}]}
        ...     ).result["winners"]
        ['a', 'c']
    """

    name = "voting.stv"
    summary = ("Single transferable vote: Droop/Hare quota; WIGM, Gregory or Scottish-rules "
               "surplus transfers.")
    claims = ("anonymous", "committee_size")
    #: 4: the quota counts the valid ballots only (a blank ballot gives no first preference;
    #: Scottish rules 43 and 46), ``transfer="scottish"``
    version = "4"
    supports_ties = False
    Params = STVParams

    def _outcome(self, p: Profile) -> Outcome:
        seats, m = self.params.seats, len(p.candidates)
        if seats > m:
            raise ParameterError("seats", f"{seats} seats but only {m} candidates")
        require_voters(p.voters)
        if valid_papers(p) == 0:
            raise InputError("ballots", "no ballot gives a first preference (a blank ballot "
                             "is no vote)")
        prio = priority_order(p.candidates, self.params.tie_break)
        args = (p, seats, self.params.quota, self.params.transfer, prio)
        counted = stv(*args)
        names = p.candidates
        winners = [names[c] for c in counted["elected"]]
        rounds = [named_round(r, names) for r in counted["rounds"]]
        quota = counted["quota"]
        committees, complete = [sorted(counted["elected"])], True
        if counted["tie_broken"]:
            committees, complete = stv_committees(*args)
        result = {"winners": winners,
                  "tied": [[names[c] for c in committee] for committee in committees],
                  "tie_broken": counted["tie_broken"],
                  "quota": int(quota) if self.params.quota == "droop" else float(quota),
                  "rounds": rounds, "tie_break": [names[c] for c in prio]}
        if not complete:
            result["tied_complete"] = False
        return group_outcome(self, winners, p.groups, result, p.voters)

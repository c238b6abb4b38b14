"""Single transferable vote (multiwinner, ranked ballots).

Quota: Droop ``floor(n / (seats + 1)) + 1`` (default) or Hare ``n / seats``. A candidate whose
tally reaches the quota is elected; surpluses are transferred largest first, one at a time, and
any candidate reaching the quota meanwhile is elected too. When nobody reaches it, the candidate
with the lowest tally is excluded (ties: the one with the lowest tie-break priority) and all its
ballots move on at their current value. When the continuing candidates just fill the remaining
seats, they are all elected.

Surplus transfers (``transfer``):

* ``"wigm"`` — weighted inclusive Gregory (Scottish STV rules 2007): every ballot held by the
  elected candidate moves on, its value multiplied by surplus / tally;
* ``"gregory"`` — last-parcel Gregory: only the ballots in the parcel that got the candidate
  elected move on, their value multiplied by min(1, surplus / value of that parcel); the others
  stay with the elected candidate.

Values are floats; a tally reaches the quota within 1e-9.

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

import math
from typing import Any, Literal

import numpy as np
from pydantic import Field

from hurwicz.core.outcome import Outcome
from hurwicz.core.registry import register

from .profile import Profile
from .ranked import RankedParams, RankedRule, priority_order

EPS = 1e-9
EXHAUSTED, RETAINED = -1, -2


class STVParams(RankedParams):
    """Seats, quota and transfer method."""

    seats: int = Field(1, ge=1, description="number of candidates to elect")
    quota: Literal["droop", "hare"] = Field("droop", description="Droop or Hare quota")
    transfer: Literal["wigm", "gregory"] = Field(
        "wigm", description="weighted inclusive Gregory, or last-parcel Gregory")


class _Count:
    """The state of an STV count over merged ballot groups."""

    def __init__(self, p: Profile) -> None:
        self.r = p.rankings
        self.counts = p.counts.astype(float)
        u, m = self.r.shape
        self.value = np.ones(u)
        self.ptr = np.zeros(u, dtype=np.int64)
        self.holder = np.full(u, EXHAUSTED, dtype=np.int64)
        self.parcel = np.zeros(u, dtype=np.int64)
        self.continuing = np.ones(m, bool)
        self.last_parcel = np.zeros(m, dtype=np.int64)
        self.step = 0
        self.exhausted = 0.0
        self.move(np.arange(u), start=0)

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
        self.exhausted += float((self.value[groups] * self.counts[groups])[~has].sum())
        self.holder[groups] = new_holder
        self.parcel[groups] = self.step
        for c in np.unique(new_holder[has]):
            self.last_parcel[c] = self.step

    def tally(self) -> np.ndarray:
        m = self.r.shape[1]
        held = self.holder >= 0
        return np.bincount(self.holder[held], weights=(self.value * self.counts)[held],
                           minlength=m)


def stv(p: Profile, seats: int, quota_kind: str, transfer: str, prio: list[int]
        ) -> dict[str, Any]:
    """Run an STV count; returns elected candidates (in order), the quota and the rounds.

    Example:
        >>> p = Profile.from_arrays(["a", "b", "c"], np.array([[0, 1, 2], [0, 2, 1], [1, 0, 2]]),
        ...                         np.array([3, 1, 2]))
        >>> stv(p, 2, "droop", "wigm", [0, 1, 2])["elected"]
        [0, 1]
    """
    m = len(p.candidates)
    n = float(p.voters)
    quota = math.floor(n / (seats + 1)) + 1 if quota_kind == "droop" else n / seats
    rank = {c: k for k, c in enumerate(prio)}
    count = _Count(p)
    elected: list[int] = []
    pending: list[int] = []  # elected, surplus not yet transferred
    rounds: list[dict[str, Any]] = []
    while len(elected) < min(seats, m):
        tally = count.tally()
        reached = sorted((c for c in np.nonzero(count.continuing)[0] if tally[c] >= quota - EPS),
                         key=lambda c: (-tally[c], rank[int(c)]))
        record: dict[str, Any] = {
            "tally": {int(c): float(tally[c]) for c in np.nonzero(count.continuing)[0]},
            "elected": [], "excluded": None, "transfer": None, "exhausted": count.exhausted}
        for c in reached:
            if len(elected) < seats:
                elected.append(int(c))
                pending.append(int(c))
                record["elected"].append(int(c))
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
        if pending:
            source = max(pending, key=lambda c: (tally[c] - quota, -rank[c]))
            pending.remove(source)
            surplus = max(tally[source] - quota, 0.0)
            held = np.nonzero(count.holder == source)[0]
            if transfer == "gregory":
                last = held[count.parcel[held] == count.last_parcel[source]]
                parcel_value = float((count.value[last] * count.counts[last]).sum())
                factor = min(1.0, surplus / parcel_value) if parcel_value > 0 else 0.0
                count.holder[np.setdiff1d(held, last)] = RETAINED
                moving = last
            else:
                factor = surplus / tally[source] if tally[source] > 0 else 0.0
                moving = held
            count.value[moving] *= factor
            count.move(moving)
            record["transfer"] = {"from": source, "kind": "surplus", "value": float(surplus)}
        else:
            low = min(tally[c] for c in left)
            lowest = [c for c in left if tally[c] <= low + EPS]
            out = max(lowest, key=rank.__getitem__)
            count.continuing[out] = False
            held = np.nonzero(count.holder == out)[0]
            count.move(held)
            record["excluded"] = out
            record["transfer"] = {"from": out, "kind": "exclusion", "value": float(tally[out])}
        record["exhausted"] = count.exhausted
        rounds.append(record)
    return {"elected": elected, "quota": quota, "rounds": rounds}


@register
class SingleTransferableVote(RankedRule):
    """STV with a Droop or Hare quota and weighted-inclusive or last-parcel Gregory transfers.

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("voting.stv", seats=2).run({"candidates": ["a", "b", "c"], "ballots": [
        ...     {"ranking": ["a", "b"], "count": 5}, {"ranking": ["c"], "count": 4}]}
        ...     ).result["winners"]
        ['a', 'c']
    """

    name = "voting.stv"
    summary = "Single transferable vote: Droop/Hare quota, WIGM or Gregory surplus transfers."
    claims = ("anonymous", "committee_size")
    supports_ties = False
    Params = STVParams

    def _outcome(self, p: Profile, voters: list[str]) -> Outcome:
        prio = priority_order(p.candidates, self.params.tie_break)
        counted = stv(p, self.params.seats, self.params.quota, self.params.transfer, prio)
        names = p.candidates
        winners = [names[c] for c in counted["elected"]]
        rounds = []
        for r in counted["rounds"]:
            transfer = r["transfer"]
            rounds.append({
                "tally": {names[c]: v for c, v in r["tally"].items()},
                "elected": [names[c] for c in r["elected"]],
                "excluded": names[r["excluded"]] if r["excluded"] is not None else None,
                "transfer": None if transfer is None else {**transfer,
                                                           "from": names[transfer["from"]]},
                "exhausted": r.get("exhausted", 0.0)})
        result = {"winners": winners, "quota": counted["quota"], "rounds": rounds,
                  "tie_break": [names[c] for c in prio]}
        return Outcome(self.name, self.param_dict(), dict.fromkeys(voters, winners),
                       dict.fromkeys(voters, 0.0), result, {"voters": p.voters})

    def utility(self, agent: str, true_type: Any, outcome: Outcome) -> float:
        """Sum over the committee of Borda-style points from the voter's true ranking."""
        truth = list(true_type)
        return float(sum(len(truth) - truth.index(w) for w in outcome.result["winners"]
                         if w in truth))

"""Raffles for scarce goods (sneaker and ticket drops) and a first-come-first-served baseline.

``allocation.raffle`` draws ``units`` winners from the entries with a *verifiable* draw: the
random order is derived from SHA-256 of the ``beacon`` string and the canonical entry list, so
anyone can re-run the draw and get the same winners. Modes:

- ``individual``: one entry per identity (tickets beyond ``max_entries`` are refused);
- ``weighted``: tickets are weights (successive draws without replacement, ∝ tickets);
- ``group``: ``groups`` (``{"groups": {"family": ["ann", "bob"]}}``, each member with its own
  entry, in at most one group) enter as one lot; a drawn group wins only if enough units
  remain for all its members (all-or-nothing, as in group ticket lotteries).

Every identity wins at most one unit. Exact win probabilities are reported for the individual
lottery (k/N); for the other modes they are estimated from 4,000 seeded re-draws.

**Choosing the beacon.** The draw is a public function of the beacon and the entries, so whoever
knows the beacon while entries are open can compute the winners of every entry list and enter
(or add bots) until they win. The beacon must therefore be a random value that *nobody* — the
operator included — knows or controls before entries close, fixed by name in the published
rules before the raffle opens: e.g. the randomness of a drand round whose time is after the
close (``"drand-quicknet-round-<N>:<randomness hex>"``), or the hash of a named future block of
a public blockchain. After the close, anyone fetches that value and re-runs the draw. A beacon
the operator chooses (a date, the drop's name) lets the operator pick the winners. It is
required; an empty beacon is refused unless ``unsafe_beacon=true`` says, on the record, that the
draw is predictable (tests, demos).

Example:
    >>> import hurwicz as hz
    >>> m = hz.mechanism("allocation.raffle", beacon="drand-quicknet-round-9000001:7f3a...")
    >>> out = m.run({"units": 2, "entries": {"ann": 1, "bob": 1, "cat": 1, "dan": 1}})
    >>> sum(out.allocation.values()), out.result["win_probability"]["ann"]
    (2, 0.5)
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from hurwicz.core.capabilities import BotIdentities
from hurwicz.core.claims import Claim
from hurwicz.core.errors import InputError
from hurwicz.core.mechanism import Mechanism
from hurwicz.core.outcome import Outcome
from hurwicz.core.registry import register
from hurwicz.core.types import MAX_AMOUNT, Name

from .audit import FcfsAudit, RaffleAudit


class RaffleInput(BaseModel):
    """``{"units": k, "entries": {identity: tickets}, "groups": {group: [identities]}}``."""

    model_config = ConfigDict(strict=True, extra="forbid")
    units: int = Field(ge=0, le=10**9)
    entries: dict[Name, Annotated[int, Field(ge=0, le=10**9)]]
    groups: dict[Name, list[Name]] = Field(default_factory=dict)


#: What the beacon must be, in the parameter's description and in the error refusing it.
BEACON_HELP = ("a public random value nobody knows before entries close, named in the rules in "
               "advance (e.g. a future drand round or block hash); unsafe_beacon=true accepts "
               "none, and then anyone can predict the draw")


class RaffleParams(BaseModel):
    """Raffle mode, limits and the committed randomness."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)
    mode: Literal["individual", "weighted", "group"] = "individual"
    max_entries: int = Field(1, ge=1, le=10**9, description="tickets allowed per identity")
    unsafe_beacon: bool = Field(False, description="allow an empty (or no) beacon: the draw is "
                                "then predictable by anyone, entrants included (tests, demos)")
    beacon: str = Field(description=f"{BEACON_HELP}; the draw is SHA-256(beacon, entries), so "
                        "anyone can re-run it",
                        json_schema_extra={"examples": ["drand-quicknet-round-9000001"]})

    @model_validator(mode="before")
    @classmethod
    def _no_beacon_when_unsafe(cls, data: Any) -> Any:
        # unsafe_beacon=true stands for an empty beacon, so it need not be spelled out
        if isinstance(data, Mapping) and data.get("unsafe_beacon") is True and \
                "beacon" not in data:
            return {**data, "beacon": ""}
        return data

    @field_validator("beacon")
    @classmethod
    def _beacon_given(cls, value: str, info: ValidationInfo) -> str:
        if not value and info.data.get("unsafe_beacon") is not True:
            raise PydanticCustomError("beacon_empty", "must not be empty: " + BEACON_HELP)
        return value


def win_at_least_once(total_entries: int, own_entries: int, units: int) -> float:
    """Probability that one of ``own_entries`` single-ticket entries is among ``units`` drawn
    uniformly without replacement from ``total_entries``: 1 − C(N−m, k)/C(N, k).

    Example:
        >>> round(win_at_least_once(10, 1, 1), 12), round(win_at_least_once(10, 3, 1), 12)
        (0.1, 0.3)
    """
    n, m, k = total_entries, own_entries, min(units, total_entries)
    if m <= 0:
        return 0.0
    if n - m < k:
        return 1.0
    return 1.0 - math.comb(n - m, k) / math.comb(n, k)


def draw_seed(beacon: str, entries: Mapping[str, int], units: int) -> int:
    """The seed of the verifiable draw: SHA-256 over the beacon and the canonical entry list.

    Example:
        >>> draw_seed("x", {"a": 1}, 1) == draw_seed("x", {"a": 1}, 1)
        True
    """
    doc = json.dumps({"beacon": beacon, "entries": dict(sorted(entries.items())),
                      "units": units}, sort_keys=True, separators=(",", ":"))
    return int.from_bytes(hashlib.sha256(doc.encode()).digest()[:8], "big")


@register
class Raffle(Mechanism, BotIdentities):
    """Verifiable lottery for scarce goods (individual, weighted or group entries).

    Example:
        >>> import hurwicz as hz
        >>> m = hz.mechanism("allocation.raffle", mode="weighted", max_entries=5, beacon="b")
        >>> out = m.run({"units": 1, "entries": {"a": 4, "b": 1}})
        >>> round(out.result["win_probability"]["a"], 1)
        0.8
    """

    name = "allocation.raffle"
    family = "allocation"
    # 2: the beacon is required (or unsafe_beacon=true); params record unsafe_beacon
    version = "2"
    summary = "Verifiable lottery: individual, weighted or group entries, per-identity limits."
    # exact, symmetric win probabilities only in the individual lottery; weighted and group
    # probabilities are Monte Carlo estimates seeded by the (named) entry list
    claims = (Claim("anonymous", when=lambda p: p.mode == "individual",
                    condition="mode = individual"),)
    Params = RaffleParams
    Input = RaffleInput
    Audit = RaffleAudit

    def parse_input(self, data: Any) -> RaffleInput:
        inp = super().parse_input(data)
        for who, tickets in inp.entries.items():
            if tickets > self.params.max_entries:
                raise InputError(f"entries.{who}", f"{tickets} tickets exceed the limit of "
                                 f"{self.params.max_entries} per identity")
        seen: set[str] = set()
        for g, members in inp.groups.items():
            for member in members:
                if member not in inp.entries:
                    raise InputError(f"groups.{g}", f"{member!r} has no entry")
                if member in seen:
                    raise InputError(f"groups.{g}", f"{member!r} is in two groups")
                seen.add(member)
        return inp

    def _order(self, inp: RaffleInput, rng: np.random.Generator) -> list[list[str]]:
        """Draw order of the lots (a lot is one identity, or a group)."""
        names = sorted(n for n, t in inp.entries.items() if t > 0)
        if self.params.mode == "group":
            grouped = {m for ms in inp.groups.values() for m in ms}
            lots = [sorted(ms) for _, ms in sorted(inp.groups.items())]
            lots += [[n] for n in names if n not in grouped]
            weights = np.ones(len(lots))
        else:
            lots = [[n] for n in names]
            weights = (np.array([inp.entries[n] for n in names], dtype=float)
                       if self.params.mode == "weighted" else np.ones(len(lots)))
        if not lots:
            return []
        # successive sampling without replacement ∝ weights (Efraimidis–Spirakis keys)
        keys = np.log(rng.random(len(lots))) / weights
        return [lots[i] for i in np.argsort(-keys)]

    def _winners(self, inp: RaffleInput, order: list[list[str]]) -> list[str]:
        left = inp.units
        won: list[str] = []
        for lot in order:
            if len(lot) <= left:
                won += lot
                left -= len(lot)
            if left == 0:
                break
        return won

    def run_parsed(self, inp: RaffleInput) -> Outcome:
        seed = draw_seed(self.params.beacon, inp.entries, inp.units)
        order = self._order(inp, np.random.default_rng(seed))
        winners = self._winners(inp, order)
        names = sorted(inp.entries)
        active = [n for n in names if inp.entries[n] > 0]
        if self.params.mode == "individual":
            prob = {n: (min(inp.units, len(active)) / len(active) if n in active else 0.0)
                    for n in names}
            exact = True
        else:
            counts = dict.fromkeys(names, 0)
            sims = np.random.default_rng(seed ^ 0x5EED)
            for _ in range(4000):
                for w in self._winners(inp, self._order(inp, sims)):
                    counts[w] += 1
            prob = {n: counts[n] / 4000 for n in names}
            exact = False
        won = set(winners)
        return Outcome(
            self.name, self.param_dict(),
            allocation={n: int(n in won) for n in names},
            payments=dict.fromkeys(names, 0.0),
            result={"winners": winners, "draw_order": [lot for lot in order],
                    "draw_seed": seed, "win_probability": prob,
                    "probability_exact": exact},
            metrics={"units": inp.units, "allocated": len(winners)},
        )

    def add_identities(self, data: Any, agent: str, k: int) -> tuple[dict[str, Any], list[str]]:
        """``agent`` keeps its entry and adds ``k`` bot identities with one ticket each.

        Example:
            >>> import hurwicz as hz
            >>> _, ids = hz.mechanism("allocation.raffle", beacon="b").add_identities(
            ...     {"units": 1, "entries": {"a": 1}}, "a", 2)
            >>> ids
            ['a', 'a+bot1', 'a+bot2']
        """
        ids = [agent] + [f"{agent}+bot{i + 1}" for i in range(k)]
        entries = dict(data["entries"])
        for bot in ids[1:]:
            entries[bot] = 1
        return {**data, "entries": entries}, ids


class FcfsInput(BaseModel):
    """``{"units": k, "arrivals": {identity: arrival time}}``."""

    model_config = ConfigDict(strict=True, extra="forbid")
    units: int = Field(ge=0, le=10**9)
    arrivals: dict[Name, Annotated[float, Field(ge=0, le=MAX_AMOUNT, allow_inf_nan=False)]]


@register
class FirstComeFirstServed(Mechanism):
    """First come, first served: the ``units`` earliest arrivals win (ties by name). The
    baseline raffles are compared with: whoever is fastest (bots) wins.

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("allocation.fcfs").run({"units": 1, "arrivals": {"a": 2.0,
        ...                                                               "b": 1.5}}).allocation
        {'a': 0, 'b': 1}
    """

    name = "allocation.fcfs"
    family = "allocation"
    summary = "The earliest arrivals get the units (ties by name)."
    Input = FcfsInput
    Audit = FcfsAudit

    def run_parsed(self, inp: FcfsInput) -> Outcome:
        order = sorted(inp.arrivals, key=lambda n: (inp.arrivals[n], n))
        won = set(order[:inp.units])
        names = sorted(inp.arrivals)
        return Outcome(self.name, {}, {n: int(n in won) for n in names},
                       dict.fromkeys(names, 0.0), {"winners": order[:inp.units],
                                                   "order": order},
                       {"units": inp.units, "allocated": len(won)})

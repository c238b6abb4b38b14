"""Top trading cycles: the Shapley–Scarf housing market and TTC for school choice.

``matching.ttc`` (Shapley & Scarf 1974, J. Math. Econ. 1(1); algorithm attributed to Gale):
every agent owns one house; each remaining agent points to the owner of its favourite remaining
house (its own house if nothing better is acceptable — an agent's own house is appended to its
list if missing); every cycle trades; repeat. The result is the core: individually rational,
Pareto efficient, and strategy-proof (Roth 1982).

``matching.school_ttc`` (Abdulkadiroğlu & Sönmez 2003, "School Choice: A Mechanism Design
Approach", AER 93(3), §4.2): each remaining student points to her favourite school with a seat
left among those she lists (a student with none left leaves unassigned), each school with a seat
left to its highest-priority remaining student *whether or not she lists it*; every cycle trades
and a school whose seats run out leaves. Strategy-proof and Pareto efficient for students.
Priorities are complete orders, as in the paper: a school's list ranks the students it names;
the students it does not name rank below all of them, as one last tie class broken by the
mechanism's ``tie_break`` (by name with ``"lowest_name"``, by the seeded lottery otherwise) —
so, unlike deferred acceptance, an unlisted student is not unacceptable to the school.

Example:
    >>> import hurwicz as hz
    >>> data = {"agents": {"a": {"owns": "h1", "ranking": ["h2", "h1"]},
    ...                    "b": {"owns": "h2", "ranking": ["h1", "h2"]},
    ...                    "c": {"owns": "h3", "ranking": ["h1", "h3"]}}}
    >>> hz.mechanism("matching.ttc").run(data).allocation
    {'a': 'h2', 'b': 'h1', 'c': 'h3'}
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from hurwicz.core.errors import InputError
from hurwicz.core.mechanism import Mechanism
from hurwicz.core.outcome import Outcome
from hurwicz.core.registry import register
from hurwicz.core.tie_break import seeded_priority
from hurwicz.core.types import Name
from hurwicz.core.validation import validate_model

from .audit import HousingAudit
from .deferred_acceptance import TieBreakParams, TwoSidedMechanism
from .preferences import Market


class Endowment(BaseModel):
    """An agent's house and its ranking of houses."""

    model_config = ConfigDict(strict=True, extra="forbid")
    owns: Name
    ranking: list[Name]


class HousingInput(BaseModel):
    """``{"agents": {name: {"owns": house, "ranking": [houses]}}}``."""

    model_config = ConfigDict(strict=True, extra="forbid")
    agents: dict[Name, Endowment]


def validate_housing(data: Any) -> HousingInput:
    """Validate: each house owned once, rankings over known houses without repeats.

    Example:
        >>> try:
        ...     validate_housing({"agents": {"a": {"owns": "h", "ranking": []},
        ...                                  "b": {"owns": "h", "ranking": []}}})
        ... except InputError as err:
        ...     print(err)
        agents.b.owns: house 'h' is owned twice
    """
    inp = validate_model(HousingInput, data)
    owner: dict[str, str] = {}
    for who in sorted(inp.agents):
        house = inp.agents[who].owns
        if house in owner:
            raise InputError(f"agents.{who}.owns", f"house {house!r} is owned twice")
        owner[house] = who
    for who, e in inp.agents.items():
        if len(set(e.ranking)) != len(e.ranking):
            raise InputError(f"agents.{who}.ranking", "lists a house twice")
        for h in e.ranking:
            if h not in owner:
                raise InputError(f"agents.{who}.ranking", f"unknown house {h!r}")
    return inp


def top_trading_cycles(inp: HousingInput) -> dict[str, str]:
    """The TTC allocation of a housing market.

    Example:
        >>> inp = validate_housing({"agents": {"a": {"owns": "x", "ranking": ["y"]},
        ...                                    "b": {"owns": "y", "ranking": ["x"]}}})
        >>> top_trading_cycles(inp)
        {'a': 'y', 'b': 'x'}
    """
    owner = {e.owns: who for who, e in inp.agents.items()}
    prefs = {}
    for who, e in inp.agents.items():
        cut = e.ranking.index(e.owns) + 1 if e.owns in e.ranking else len(e.ranking)
        prefs[who] = e.ranking[:cut] + ([] if e.owns in e.ranking else [e.owns])
    remaining = set(inp.agents)
    result: dict[str, str] = {}
    while remaining:
        points = {a: owner[next(h for h in prefs[a] if owner[h] in remaining)]
                  for a in remaining}
        # walk from any agent until a node repeats: that is a cycle
        start = min(remaining)
        seen: list[str] = []
        node = start
        while node not in seen:
            seen.append(node)
            node = points[node]
        cycle = seen[seen.index(node):]
        for a in cycle:
            result[a] = inp.agents[points[a]].owns
        remaining -= set(cycle)
    return dict(sorted(result.items()))


@register
class TopTradingCycles(Mechanism):
    """Shapley–Scarf housing market solved by top trading cycles.

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("matching.ttc").claims
        ('strategyproof', 'ir', 'pareto')
    """

    name = "matching.ttc"
    family = "matching"
    summary = "Top trading cycles for a housing market (the core allocation)."
    claims = ("strategyproof", "ir", "pareto")
    Input = HousingInput
    Audit = HousingAudit

    def parse_input(self, data: Any) -> HousingInput:
        return validate_housing(data)

    def run_parsed(self, inp: HousingInput) -> Outcome:
        alloc = top_trading_cycles(inp)
        traded = [a for a, h in alloc.items() if h != inp.agents[a].owns]
        return Outcome(self.name, {}, alloc, dict.fromkeys(alloc, 0.0), {"traded": traded},
                       {"trades": len(traded)})


def school_ttc_arrays(market: Market) -> np.ndarray:
    """Top trading cycles for school choice (Abdulkadiroğlu & Sönmez 2003, §4.2) over the
    encoded market; each student's school index, −1 for unassigned.

    In each round every remaining student points to her favourite school among those she lists
    that still have a seat (a student with none left is removed, unassigned); every school with
    a seat left points to its highest-priority remaining student — whether or not she lists it;
    every cycle trades (each student in it gets a seat at the school she points to); a school
    whose seats run out is removed. A school's priority order is complete: its listed students
    first (ties broken as encoded), then every student it does not list, as one last tie class
    broken by the same tie-break (``market.tie_break``, ``market.lottery``).

    Example:
        >>> from hurwicz.mechanisms.matching.preferences import encode, validate_two_sided
        >>> mk = encode(validate_two_sided({"proposers": {"a": ["x"], "b": ["x"]},
        ...                                 "receivers": {"x": ["b", "a"]}}))
        >>> school_ttc_arrays(mk).tolist()
        [-1, 0]
        >>> mk = encode(validate_two_sided({  # y points to a, who does not list it
        ...     "proposers": {"a": ["x"], "b": ["y", "x"], "c": ["x"]},
        ...     "receivers": {"x": ["b", "c", "a"], "y": ["a", "b", "c"]}}))
        >>> school_ttc_arrays(mk).tolist()
        [0, 1, -1]
    """
    n = len(market.proposers)
    seats = market.capacity.astype(np.int64).copy()
    match = np.full(n, -1, dtype=np.int64)
    removed = np.zeros(n, dtype=bool)
    prefs = [[int(j) for j in row if j >= 0] for row in market.prefs]
    next_choice = [0] * n  # students' pointers into their own lists (full schools skipped)
    order = _SchoolOrder(market)

    def target(i: int) -> int:
        row, k = prefs[i], next_choice[i]
        while k < len(row) and seats[row[k]] <= 0:
            k += 1
        next_choice[i] = k
        return row[k] if k < len(row) else -1

    # Follow student -> school -> student from each remaining student, one cycle at a time.
    # A cycle, once formed, persists until it trades (its schools keep a seat and point into
    # it), so clearing cycles one by one gives the simultaneous rounds' outcome; pointers only
    # move forward, so the walk costs O(list lengths + priority lengths) in all.
    for start in range(n):
        if removed[start]:
            continue
        path: list[int] = [start]
        on_path = {start: 0}
        while path:
            i = path[-1]
            j = target(i)
            if j < 0:  # nothing acceptable with a seat left: leaves unassigned
                removed[i] = True
                del on_path[path.pop()]
                continue
            nxt = order.top(j, removed)
            if nxt not in on_path:
                on_path[nxt] = len(path)
                path.append(nxt)
                continue
            cycle = path[on_path[nxt]:]
            del path[on_path[nxt]:]
            for c in cycle:
                school = target(c)
                match[c] = school
                seats[school] -= 1
                removed[c] = True
                del on_path[c]
    return match


class _SchoolOrder:
    """Each school's complete priority order, walked with a pointer past removed students:
    its listed students, then (computed only if reached) the unlisted ones in tie-break
    order."""

    def __init__(self, market: Market) -> None:
        self.market = market
        self.listed = market.priority_flat.tolist()
        self.end = market.priority_start[1:].tolist()
        self.pos = market.priority_start[:-1].tolist()
        self.unlisted: dict[int, list[int]] = {}
        self.unlisted_pos: dict[int, int] = {}
        self.shared: list[int] | None = None

    def _tie_order(self, j: int) -> list[int]:
        """Every student in school ``j``'s tie-break order (by name, or by lottery number and
        name; the order is the same at every school unless the lottery is ``multiple``)."""
        mk = self.market
        n = len(mk.proposers)
        if mk.tie_break == "lowest_name":
            return list(range(n))
        if mk.lottery == "single" and self.shared is not None:
            return self.shared
        keys = mk.proposers if mk.lottery == "single" else [
            f"{mk.receivers[j]}\x1f{p}" for p in mk.proposers]
        order = np.lexsort((np.arange(n), seeded_priority(int(mk.tie_break), keys))).tolist()
        if mk.lottery == "single":
            self.shared = order
        return order

    def top(self, j: int, removed: np.ndarray) -> int:
        listed, end = self.listed, self.end[j]
        k = self.pos[j]
        while k < end and removed[listed[k]]:
            k += 1
        self.pos[j] = k
        if k < end:
            return listed[k]
        if j not in self.unlisted:
            start = int(self.market.priority_start[j])
            known = set(listed[start:end])
            self.unlisted[j] = [i for i in self._tie_order(j) if i not in known]
            self.unlisted_pos[j] = 0
        rest = self.unlisted[j]
        k = self.unlisted_pos[j]
        while removed[rest[k]]:  # a student points here, so one remains
            k += 1
        self.unlisted_pos[j] = k
        return rest[k]


@register
class SchoolTTC(TwoSidedMechanism):
    """Top trading cycles for school choice (priorities and capacities): students trade the
    priorities schools give them (Abdulkadiroğlu & Sönmez 2003). A school's list is its
    priority order; students it does not list rank below the listed ones (one tie class, broken
    by ``tie_break``) and may still get its seats.

    Example:
        >>> import hurwicz as hz
        >>> data = {"proposers": {"s1": ["c2", "c1"], "s2": ["c1", "c2"]},
        ...         "receivers": {"c1": ["s1", "s2"], "c2": ["s2", "s1"]}}
        >>> hz.mechanism("matching.school_ttc").run(data).result["matching"]
        {'s1': 'c2', 's2': 'c1'}
    """

    name = "matching.school_ttc"
    # 3: schools point to their top remaining student even if she does not list them
    version = "3"
    summary = "TTC with priorities and capacities (Abdulkadiroğlu–Sönmez 2003)."
    claims = ("strategyproof",)
    Params = TieBreakParams

    def match_indices(self, market: Market) -> np.ndarray:
        return school_ttc_arrays(market)

"""Top trading cycles: the Shapley–Scarf housing market and TTC for school choice.

``matching.ttc`` (Shapley & Scarf 1974, J. Math. Econ. 1(1); algorithm attributed to Gale):
every agent owns one house; each remaining agent points to the owner of its favourite remaining
house (its own house if nothing better is acceptable — an agent's own house is appended to its
list if missing); every cycle trades; repeat. The result is the core: individually rational,
Pareto efficient, and strategy-proof (Roth 1982).

``matching.school_ttc`` (Abdulkadiroğlu & Sönmez 2003): students point to their favourite school
with seats left, schools to their highest-priority remaining student; cycles trade seats.

Example:
    >>> import hurwicz as hz
    >>> data = {"agents": {"a": {"owns": "h1", "ranking": ["h2", "h1"]},
    ...                    "b": {"owns": "h2", "ranking": ["h1", "h2"]},
    ...                    "c": {"owns": "h3", "ranking": ["h1", "h3"]}}}
    >>> hz.mechanism("matching.ttc").run(data).allocation
    {'a': 'h2', 'b': 'h1', 'c': 'h3'}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, StringConstraints

from hurwicz.core.errors import InputError
from hurwicz.core.mechanism import Mechanism
from hurwicz.core.outcome import Outcome
from hurwicz.core.registry import register
from hurwicz.core.validation import validate_model
from hurwicz.mechanisms import instances

from .deferred_acceptance import DAParams, TwoSidedMechanism
from .preferences import Market

Name = Annotated[str, StringConstraints(min_length=1, max_length=256)]


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
    random_instance = instances.hook(instances.housing)
    summary = "Top trading cycles for a housing market (the core allocation)."
    claims = ("strategyproof", "ir", "pareto")
    report_kind = "ranking"
    Input = HousingInput

    def parse_input(self, data: Any) -> HousingInput:
        return validate_housing(data)

    def run_parsed(self, inp: HousingInput) -> Outcome:
        alloc = top_trading_cycles(inp)
        traded = [a for a, h in alloc.items() if h != inp.agents[a].owns]
        return Outcome(self.name, {}, alloc, dict.fromkeys(alloc, 0.0), {"traded": traded},
                       {"trades": len(traded)})

    def reports(self, data: Any) -> dict[str, list[str]]:
        return {a: list(e.ranking) for a, e in self.parse_input(data).agents.items()}

    def with_reports(self, data: Any, reports: Mapping[str, Any]) -> dict[str, Any]:
        agents = {a: dict(e) for a, e in data["agents"].items()}
        for who, r in reports.items():
            # staying out = keeping one's own house: a list with only it never trades
            ranking = [agents[who]["owns"]] if r is None else list(r)
            agents[who] = {**agents[who], "ranking": ranking}
        return {**data, "agents": agents}

    def report_domain(self, data: Any, agent: str) -> dict[str, Any]:
        return {"kind": "ranking", "candidates": sorted(e["owns"] for e in
                                                        data["agents"].values()),
                "truncate": True}

    def utility(self, agent: str, true_type: Any, outcome: Outcome) -> float:
        """Rank of the house received in the true list (own house if unlisted counts as the
        least acceptable)."""
        got = outcome.allocation[agent]
        truth = list(true_type)
        return float(len(truth) - truth.index(got)) if got in truth else 0.0


def school_ttc_arrays(market: Market) -> np.ndarray:
    """TTC for school choice over the encoded market; −1 for unassigned.

    Example:
        >>> from hurwicz.mechanisms.matching.preferences import encode, validate_two_sided
        >>> mk = encode(validate_two_sided({"proposers": {"a": ["x"], "b": ["x"]},
        ...                                 "receivers": {"x": ["b", "a"]}}))
        >>> school_ttc_arrays(mk).tolist()
        [-1, 0]
    """
    from .preferences import UNACCEPTABLE

    n = len(market.proposers)
    m = len(market.receivers)
    seats = market.capacity.astype(int).copy()
    match = np.full(n, -1, dtype=np.int64)
    active = set(range(n))
    # each school's priority order over students who find it acceptable... and any listed
    order: list[list[int]] = [[] for _ in range(m)]
    rows, cols = np.nonzero(market.pair_rank < UNACCEPTABLE)
    for j, _, i in sorted(zip(market.prefs[rows, cols], market.pair_rank[rows, cols], rows)):
        order[int(j)].append(int(i))
    while active:
        student_points: dict[int, int] = {}
        for i in list(active):
            nxt = next((int(j) for k, j in enumerate(market.prefs[i])
                        if j >= 0 and seats[j] > 0 and market.pair_rank[i, k] < UNACCEPTABLE),
                       None)
            if nxt is None:
                active.discard(i)
            else:
                student_points[i] = nxt
        if not active:
            break
        school_points = {}
        for j in set(student_points.values()):
            school_points[j] = next(i for i in order[j] if i in active)
        # follow student -> school -> student until a student repeats
        start = min(active)
        seen: list[int] = []
        node = start
        while node not in seen:
            seen.append(node)
            node = school_points[student_points[node]]
        for i in seen[seen.index(node):]:
            j = student_points[i]
            match[i] = j
            seats[j] -= 1
            active.discard(i)
    return match


@register
class SchoolTTC(TwoSidedMechanism):
    """Top trading cycles for school choice (priorities and capacities).

    Example:
        >>> import hurwicz as hz
        >>> data = {"proposers": {"s1": ["c2", "c1"], "s2": ["c1", "c2"]},
        ...         "receivers": {"c1": ["s1", "s2"], "c2": ["s2", "s1"]}}
        >>> hz.mechanism("matching.school_ttc").run(data).result["matching"]
        {'s1': 'c2', 's2': 'c1'}
    """

    name = "matching.school_ttc"
    summary = "TTC with priorities and capacities (Abdulkadiroğlu–Sönmez 2003)."
    claims = ("strategyproof",)
    Params = DAParams

    def match_indices(self, market: Market) -> np.ndarray:
        return school_ttc_arrays(market)

"""One-sided assignment of objects: serial dictatorship, random serial dictatorship (with exact
probabilities) and the probabilistic serial (eating) rule.

Input: ``{"agents": {"a1": ["o1", "o2"]}, "objects": {"o1": 1, "o2": 1}}`` — each agent ranks the
objects it finds acceptable; ``objects`` gives capacities (0 allowed).

Example:
    >>> import hurwicz as hz
    >>> data = {"agents": {"a": ["x", "y"], "b": ["x", "y"]}, "objects": {"x": 1, "y": 1}}
    >>> hz.mechanism("matching.serial_dictatorship", order=["b", "a"]).run(data).allocation
    {'a': 'y', 'b': 'x'}
    >>> hz.mechanism("matching.probabilistic_serial").run(data).allocation["a"]
    {'x': 0.5, 'y': 0.5}
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from typing import Annotated, Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from hurwicz.core.errors import InputError, ParameterError
from hurwicz.core.mechanism import Mechanism
from hurwicz.core.outcome import Outcome
from hurwicz.core.registry import register
from hurwicz.core.types import Name
from hurwicz.core.validation import validate_model

from .audit import OneSidedAudit

EXACT_RSD_LIMIT = 8


class OneSidedInput(BaseModel):
    """Agents' rankings of acceptable objects and the objects' capacities."""

    model_config = ConfigDict(strict=True, extra="forbid")
    agents: dict[Name, list[Name]]
    objects: dict[Name, Annotated[int, Field(ge=0)]]


def validate_one_sided(data: Any) -> OneSidedInput:
    """Validate: known objects, no duplicates.

    Example:
        >>> try:
        ...     validate_one_sided({"agents": {"a": ["z"]}, "objects": {"x": 1}})
        ... except InputError as err:
        ...     print(err)
        agents.a: unknown object 'z'
    """
    if isinstance(data, dict) and isinstance(data.get("objects"), dict):
        for name, cap in data["objects"].items():
            if isinstance(cap, int) and not isinstance(cap, bool) and cap < 0:
                raise InputError(f"objects.{name}", f"capacity must be >= 0, got {cap}")
    inp = validate_model(OneSidedInput, data)
    for who, ranking in inp.agents.items():
        if len(set(ranking)) != len(ranking):
            raise InputError(f"agents.{who}", "lists an object twice")
        for o in ranking:
            if o not in inp.objects:
                raise InputError(f"agents.{who}", f"unknown object {o!r}")
    return inp


def serial_dictatorship(inp: OneSidedInput, order: list[str]) -> dict[str, str | None]:
    """Each agent in ``order`` takes its favourite object with a seat left.

    Example:
        >>> inp = validate_one_sided({"agents": {"a": ["x"], "b": ["x"]}, "objects": {"x": 1}})
        >>> serial_dictatorship(inp, ["b", "a"])
        {'a': None, 'b': 'x'}
    """
    left = dict(inp.objects)
    out: dict[str, str | None] = {}
    for who in order:
        pick = next((o for o in inp.agents[who] if left[o] > 0), None)
        if pick is not None:
            left[pick] -= 1
        out[who] = pick
    return dict(sorted(out.items()))


def rsd_probabilities(inp: OneSidedInput) -> dict[str, dict[str, Fraction]]:
    """Exact random-serial-dictatorship assignment probabilities (all n! orders; n ≤ 8).

    Example:
        >>> inp = validate_one_sided({"agents": {"a": ["x"], "b": ["x"]}, "objects": {"x": 1}})
        >>> rsd_probabilities(inp)["a"]
        {'x': Fraction(1, 2)}
    """
    agents = sorted(inp.agents)
    if len(agents) > EXACT_RSD_LIMIT:
        raise InputError("agents", f"exact RSD probabilities enumerate n! orders: at most "
                         f"{EXACT_RSD_LIMIT} agents (got {len(agents)})")
    counts: dict[str, dict[str, int]] = {a: {} for a in agents}
    for order in itertools.permutations(agents):
        for who, obj in serial_dictatorship(inp, list(order)).items():
            if obj is not None:
                counts[who][obj] = counts[who].get(obj, 0) + 1
    total = math.factorial(len(agents))
    return {a: {o: Fraction(c, total) for o, c in sorted(counts[a].items())} for a in agents}


def probabilistic_serial(inp: OneSidedInput) -> dict[str, dict[str, Fraction]]:
    """The eating algorithm (Bogomolnaia & Moulin 2001, JET 100(2)) in exact arithmetic: every
    agent eats its favourite object with supply left at speed 1 during [0, 1].

    Example:
        >>> inp = validate_one_sided({"agents": {"a": ["x", "y"], "b": ["x"]},
        ...                           "objects": {"x": 1, "y": 1}})
        >>> probabilistic_serial(inp)["a"]
        {'x': Fraction(1, 2), 'y': Fraction(1, 2)}
    """
    supply = {o: Fraction(c) for o, c in inp.objects.items()}
    share: dict[str, dict[str, Fraction]] = {a: {} for a in sorted(inp.agents)}
    t = Fraction(0)
    while t < 1:
        eating: dict[str, str] = {}
        for a in share:
            top = next((o for o in inp.agents[a] if supply[o] > 0), None)
            if top is not None:
                eating[a] = top
        if not eating:
            break
        eaters: dict[str, int] = {}
        for o in eating.values():
            eaters[o] = eaters.get(o, 0) + 1
        step = min([supply[o] / k for o, k in eaters.items()] + [1 - t])
        for a, o in eating.items():
            share[a][o] = share[a].get(o, Fraction(0)) + step
        for o, k in eaters.items():
            supply[o] -= step * k
        t += step
    return {a: dict(sorted(s.items())) for a, s in share.items()}


class SDParams(BaseModel):
    """Order of the dictators, or a seed for a uniformly random order (RSD)."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)
    order: list[Name] | None = Field(None, description="priority order (default: by name)")
    seed: int | None = Field(None, ge=0, description="random serial dictatorship: draw the "
                             "order with this seed")


class OneSidedMechanism(Mechanism):
    """Shared input for one-sided assignment."""

    family: ClassVar[str] = "matching"
    Input = OneSidedInput
    Audit = OneSidedAudit

    def parse_input(self, data: Any) -> OneSidedInput:
        return validate_one_sided(data)


@register
class SerialDictatorship(OneSidedMechanism):
    """Serial dictatorship (a given order) or random serial dictatorship (``seed``).

    Example:
        >>> import hurwicz as hz
        >>> m = hz.mechanism("matching.serial_dictatorship", seed=3)
        >>> out = m.run({"agents": {"a": ["x"], "b": ["x"]}, "objects": {"x": 1}})
        >>> out.result["probabilities"]["a"]
        {'x': Fraction(1, 2)}
    """

    name = "matching.serial_dictatorship"
    summary = "Agents pick in turn (fixed order, or a seeded random order)."
    claims = ("strategyproof", "pareto")
    Params = SDParams

    def run_parsed(self, inp: OneSidedInput) -> Outcome:
        agents = sorted(inp.agents)
        if self.params.order is not None:
            if sorted(self.params.order) != agents:
                raise ParameterError("order", "must list every agent exactly once")
            order = list(self.params.order)
        elif self.params.seed is not None:
            order = [agents[i] for i in np.random.default_rng(self.params.seed).permutation(
                len(agents))]
        else:
            order = agents
        allocation = serial_dictatorship(inp, order)
        result: dict[str, Any] = {"order": order}
        if self.params.seed is not None and len(agents) <= EXACT_RSD_LIMIT:
            result["probabilities"] = rsd_probabilities(inp)
        return Outcome(self.name, self.param_dict(), allocation, dict.fromkeys(agents, 0.0),
                       result, {"assigned": sum(v is not None for v in allocation.values())})


@register
class ProbabilisticSerial(OneSidedMechanism):
    """Probabilistic serial: exact fractional assignment by simultaneous eating. The Python API
    keeps exact fractions in ``result['exact']``; ``allocation`` holds floats for JSON.

    Example:
        >>> import hurwicz as hz
        >>> out = hz.mechanism("matching.probabilistic_serial").run(
        ...     {"agents": {"a": ["x"], "b": ["x"]}, "objects": {"x": 1}})
        >>> out.result["exact"]["b"]
        {'x': Fraction(1, 2)}
    """

    name = "matching.probabilistic_serial"
    summary = "Eating algorithm: ordinally efficient random assignment (exact fractions)."
    claims = ()

    def run_parsed(self, inp: OneSidedInput) -> Outcome:
        exact = probabilistic_serial(inp)
        allocation = {a: {o: float(p) for o, p in s.items()} for a, s in exact.items()}
        return Outcome(self.name, {}, allocation, dict.fromkeys(allocation, 0.0),
                       {"exact": exact}, {})

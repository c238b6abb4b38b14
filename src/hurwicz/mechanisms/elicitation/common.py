"""Field types, parameters and checks shared by the elicitation mechanisms.

Example:
    >>> check_distribution({"yes": 0.7, "no": 0.3}, ["no", "yes"], "forecasts.ann")
    [0.3, 0.7]
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Annotated

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from hurwicz.core.errors import InputError
from hurwicz.core.types import MAX_AMOUNT, join_field

from .rules import PROBABILITY_TOLERANCE

#: A probability: finite, in [0, 1].
Probability = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
#: A real number (a forecast or an observation): finite, |x| ≤ 10^15.
Real = Annotated[float, Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT, allow_inf_nan=False)]
#: A signed share quantity (negative: selling).
Quantity = Annotated[float, Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT, allow_inf_nan=False)]


class ScaleParams(BaseModel):
    """A reward ``scale·score`` is paid (the payment is its negative)."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)
    scale: float = Field(1.0, gt=0, le=1e6, allow_inf_nan=False,
                         description="money paid per unit of score (payment = −scale·score)")


def check_distribution(dist: Mapping[str, float], support: Sequence[str], field: str,
                       positive: bool = False) -> list[float]:
    """The probabilities of ``dist`` in ``support`` order, after checking that it names every
    outcome of the support and nothing else and sums to 1 within
    :data:`~hurwicz.mechanisms.elicitation.rules.PROBABILITY_TOLERANCE` (10^-6; the numbers
    are used as given, never renormalised). ``positive``: every probability must be > 0.

    Example:
        >>> try:
        ...     check_distribution({"yes": 0.7, "no": 0.2}, ["no", "yes"], "forecasts.ann")
        ... except InputError as err:
        ...     print(err)
        forecasts.ann: probabilities sum to 0.9, not 1 (tolerance 1e-06)
    """
    for key in dist:
        if key not in support:
            raise InputError(join_field(field, key),
                             f"{key!r} is not one of the outcomes {list(support)}")
    for key in support:
        if key not in dist:
            raise InputError(field, f"gives no probability for {key!r} (every outcome needs "
                             "one, 0 included)")
        value = dist[key]
        number = isinstance(value, int | float | np.number) and not isinstance(value, bool)
        if not number or not math.isfinite(value) or not 0 <= value <= 1:
            raise InputError(join_field(field, key), f"must be a probability in [0, 1], got "
                             f"{value!r}")
        if positive and dist[key] <= 0:
            raise InputError(join_field(field, key), "must be > 0 (its logarithm is taken)")
    total = sum(dist[k] for k in support)
    if abs(total - 1.0) > PROBABILITY_TOLERANCE:
        raise InputError(field, f"probabilities sum to {total:.12g}, not 1 "
                         f"(tolerance {PROBABILITY_TOLERANCE:g})")
    return [float(dist[k]) for k in support]


def check_support(values: Sequence[str], field: str, at_least: int = 1) -> list[str]:
    """A declared outcome (or signal) list: distinct names, at least ``at_least`` of them.

    Example:
        >>> check_support(["a", "b"], "outcomes", 2)
        ['a', 'b']
    """
    seen: set[str] = set()
    for i, v in enumerate(values):
        if v in seen:
            raise InputError(f"{field}.{i}", f"duplicate outcome {v!r}")
        seen.add(v)
    if len(values) < at_least:
        raise InputError(field, f"needs at least {at_least} outcomes, got {len(values)}")
    return list(values)


def check_member(value: str, support: Sequence[str], field: str) -> str:
    """``value`` if it is in the support, else an error naming ``field``.

    Example:
        >>> check_member("h", ["h", "l"], "outcome")
        'h'
    """
    if value not in support:
        raise InputError(field, f"{value!r} is not one of {list(support)}")
    return value


def check_agents(count: int, least: int, field: str, why: str) -> None:
    """Refuse fewer than ``least`` agents.

    Example:
        >>> try:
        ...     check_agents(2, 3, "answers", "each agent needs a reference and a peer")
        ... except InputError as err:
        ...     print(err)
        answers: needs at least 3 agents, got 2: each agent needs a reference and a peer
    """
    if count < least:
        raise InputError(field, f"needs at least {least} agents, got {count}: {why}")

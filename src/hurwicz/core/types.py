"""Field types shared by every family's input and parameter schemas, defined once.

* :data:`Name` — an agent, candidate, item or project name: 1–256 characters.
* :data:`Money` — a finite amount ≥ 0 and at most :data:`MAX_AMOUNT`.
* :data:`PositiveWeight` — a finite weight > 0 and at most :data:`MAX_AMOUNT`.
* :data:`Seed` — a non-negative integer seed.

``MAX_AMOUNT`` (10^15) bounds every amount of money or value a mechanism accepts: sums of up to
10^6 such amounts stay exact to a cent-sized fraction in binary floating point, and products
such as value × clicks cannot overflow. Larger numbers (1e308 and the like) are refused with a
message naming the field, never silently turned into ``inf`` or ``null``.

Example:
    >>> from pydantic import TypeAdapter
    >>> TypeAdapter(Money).validate_python(2.5)
    2.5
    >>> try:
    ...     TypeAdapter(Money).validate_python(1e308)
    ... except Exception as err:
    ...     print("less than or equal to" in str(err))
    True
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

#: Largest amount of money (or value, cost, weight) any input or parameter may hold.
MAX_AMOUNT = 1e15

Name = Annotated[str, StringConstraints(min_length=1, max_length=256)]
Money = Annotated[float, Field(ge=0, le=MAX_AMOUNT, allow_inf_nan=False)]
PositiveWeight = Annotated[float, Field(gt=0, le=MAX_AMOUNT, allow_inf_nan=False)]
Seed = Annotated[int, Field(ge=0)]

__all__ = ["MAX_AMOUNT", "Money", "Name", "PositiveWeight", "Seed"]

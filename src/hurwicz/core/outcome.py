"""The result of running a mechanism once, and of running it on a batch of profiles.

Example:
    >>> out = Outcome(mechanism="auction.second_price", params={"reserve": 0.0},
    ...               allocation={"alice": 1, "bob": 0}, payments={"alice": 8.0, "bob": 0.0},
    ...               result={"winners": ["alice"]}, metrics={"welfare": 10.0, "revenue": 8.0})
    >>> out.to_dict()["payments"]
    {'alice': 8.0, 'bob': 0.0}
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np


def to_jsonable(value: Any) -> Any:
    """Convert numpy scalars/arrays, fractions, tuples and sets into plain JSON types.

    Fractions become floats (the exact value stays available from the Python API);
    non-finite floats become ``None`` so that the document is strict JSON.

    Example:
        >>> to_jsonable({"p": Fraction(1, 4), "xs": np.array([1, 2])})
        {'p': 0.25, 'xs': [1, 2]}
    """
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value  # the common case first: plain values need no work
    if kind is float:
        return value if math.isfinite(value) else None
    if kind is dict:
        out = {}
        for k, v in value.items():
            vk = type(v)
            out[k if type(k) is str else str(k)] = v if (
                vk is str or vk is int or vk is bool or v is None
                or (vk is float and math.isfinite(v))) else to_jsonable(v)
        return out
    if kind is list:
        return [v if (type(v) is str or v is None) else to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, set | frozenset):
        return [to_jsonable(v) for v in sorted(value, key=str)]
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, Fraction):
        return float(value)
    if isinstance(value, float | np.floating):
        f = float(value)
        return f if math.isfinite(f) else None
    if hasattr(value, "model_dump"):
        return to_jsonable(value.model_dump(mode="json"))
    if hasattr(value, "to_dict"):
        return to_jsonable(value.to_dict())
    return value


@dataclass
class Outcome:
    """What a mechanism decided for one report profile.

    ``allocation[agent]`` is what each agent gets (units, items, a slot, a partner, ...);
    ``payments[agent] > 0`` means the agent pays the designer, ``< 0`` that it receives money.
    ``result`` holds the family's own summary, ``metrics`` numeric summaries
    (``welfare``, ``revenue``, ...). Every agent named in the input appears in both
    ``allocation`` and ``payments``.

    Example:
        >>> Outcome("auction.first_price", {}, {"a": 1}, {"a": 3.0}).payment("a")
        3.0
    """

    mechanism: str
    params: dict[str, Any]
    allocation: dict[str, Any]
    payments: dict[str, float]
    result: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)

    def payment(self, agent: str) -> float:
        """Payment of ``agent`` (0.0 if the mechanism charged nothing).

        Example:
            >>> Outcome("m", {}, {"a": 0}, {}).payment("a")
            0.0
        """
        return float(self.payments.get(agent, 0.0))

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of DESIGN.md's Outcome.

        Example:
            >>> sorted(Outcome("m", {}, {}, {}).to_dict())
            ['allocation', 'mechanism', 'metrics', 'params', 'payments', 'result']
        """
        return {
            "mechanism": self.mechanism,
            "params": to_jsonable(self.params),
            "allocation": to_jsonable(self.allocation),
            "payments": to_jsonable(self.payments),
            "result": to_jsonable(self.result),
            "metrics": to_jsonable(self.metrics),
        }

    def to_json(self, **kwargs: Any) -> str:
        """Serialise :meth:`to_dict` as JSON text.

        Example:
            >>> Outcome("m", {}, {}, {}).to_json()[:15]
            '{"mechanism": "'
        """
        return json.dumps(self.to_dict(), **kwargs)

    def rows(self) -> tuple[list[str], list[dict[str, Any]]]:
        """Columns and one row per agent: ``agent, allocation, payment``, then each
        ``result`` field that maps agents to single values (the ``--format csv`` rows).

        Example:
            >>> columns, rows = Outcome("m", {}, {"a": 1}, {"a": 2.0}, {"bid": {"a": 3.0}}).rows()
            >>> columns, rows[0]["bid"]
            (['agent', 'allocation', 'payment', 'bid'], 3.0)
        """
        from hurwicz.report.tables import outcome_rows

        return outcome_rows(self.to_dict())

    def to_frame(self) -> Any:
        """A pandas DataFrame with one row per agent (the columns of :meth:`rows`); needs
        the ``frames`` extra (pandas).

        Example:
            >>> Outcome("m", {}, {"a": 1, "b": 0}, {"a": 2.0, "b": 0.0}).to_frame().shape
            (2, 3)
        """
        from hurwicz.report.tables import frame

        return frame(*self.rows(), "Outcome.to_frame()")

    def _repr_html_(self) -> str:
        """A compact HTML table (Jupyter): one row per agent, then the result summary."""
        from hurwicz.report.html import outcome_html

        return outcome_html(self.to_dict())


@dataclass
class BatchOutcome:
    """Outcomes of many numeric report profiles at once.

    ``allocation`` and ``payments`` have shape ``[batch, agents]`` (or
    ``[batch, agents, ...]`` for multi-dimensional allocations); agent ``i`` is column ``i``.

    Example:
        >>> b = BatchOutcome(np.array([[1.0, 0.0]]), np.array([[0.5, 0.0]]))
        >>> b.revenue().tolist()
        [0.5]
    """

    allocation: np.ndarray
    payments: np.ndarray
    extra: dict[str, np.ndarray] = field(default_factory=dict)

    def revenue(self) -> np.ndarray:
        """Total payments per profile, shape ``[batch]``.

        Example:
            >>> BatchOutcome(np.zeros((2, 3)), np.ones((2, 3))).revenue().tolist()
            [3.0, 3.0]
        """
        return self.payments.reshape(self.payments.shape[0], -1).sum(axis=1)

    def welfare(self, values: np.ndarray) -> np.ndarray:
        """Sum of value × allocation per profile for scalar (single-parameter) types.

        Example:
            >>> BatchOutcome(np.array([[1.0, 0.0]]), np.zeros((1, 2))).welfare(
            ...     np.array([[3.0, 2.0]])).tolist()
            [3.0]
        """
        return (values * self.allocation).sum(axis=1)

    def utilities(self, values: np.ndarray) -> np.ndarray:
        """Quasilinear utilities value × allocation − payment, shape ``[batch, agents]``.

        Example:
            >>> BatchOutcome(np.array([[1.0]]), np.array([[2.0]])).utilities(np.array([[5.0]]))
            array([[3.]])
        """
        return values * self.allocation - self.payments

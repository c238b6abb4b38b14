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
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import chain
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
        if len(value) >= _BULK and _plain_dict(value):  # e.g. one entry per ballot group
            return dict(value)
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
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        # e.g. ballot groups read from a file (kept as arrays: a fresh list is written)
        items = value.fresh_list() if hasattr(value, "fresh_list") else value
        return [to_jsonable(v) for v in items]
    return value


#: Size from which a dict is checked as a whole (C-level passes) before entry by entry.
_BULK = 1024
_PLAIN = frozenset({str, int, bool, type(None)})


def _plain_dict(value: dict[Any, Any]) -> bool:
    """Whether a dict is already plain JSON: string keys and values that are strings, ints,
    bools, ``None`` or finite floats (checked in bulk)."""
    if set(map(type, value)) != {str}:
        return False
    kinds = set(map(type, value.values()))
    if kinds <= _PLAIN:
        return True
    if kinds - _PLAIN != {float}:
        return False
    floats = value.values() if kinds == {float} else [
        v for v in value.values() if type(v) is float]
    return bool(np.isfinite(np.fromiter(floats, dtype=np.float64, count=len(floats))).all())


def dumps_json(document: Any) -> str:
    """``json.dumps(document, allow_nan=False)``, the same text, written faster for documents
    holding large flat dicts (an outcome's one entry per ballot group): their entries are
    joined at C level instead of passing through the encoder one by one.

    Example:
        >>> doc = {"a": dict.fromkeys([f"b{g}" for g in range(2000)], 0.0), "n": [1, None]}
        >>> dumps_json(doc) == json.dumps(doc, allow_nan=False)
        True
    """
    return "".join(json_parts(document))


def json_parts(document: Any) -> list[str]:
    """:func:`dumps_json` as pieces of text to write one after the other (a large document
    is then never copied whole).

    Example:
        >>> json_parts({"a": [1], "b": "x"})
        ['{', '"a"', ': ', '[1]', ', ', '"b"', ': ', '"x"', '}']
    """
    parts: list[str] = []
    _add_parts(document, parts)
    return parts


def _add_parts(document: Any, parts: list[str]) -> None:
    if type(document) is dict and len(document) < _BULK and all(
            type(k) is str for k in document):
        if not document:
            parts.append("{}")
            return
        parts.append("{")
        for i, (k, v) in enumerate(document.items()):
            if i:
                parts.append(", ")
            parts.append(_ENCODE_KEY(k))
            parts.append(": ")
            _add_parts(v, parts)
        parts.append("}")
        return
    if type(document) is dict:
        text = _flat_dict_json(document)
        if text is not None:
            parts.extend(text)
            return
    parts.append(json.dumps(document, allow_nan=False))


def _mostly_one_int(value: dict[str, int]) -> list[str] | None:
    """The JSON text pieces of a large dict (keys that need no escaping, int values) where
    nearly every value is one small number (ballot counts of distinct ballots: mostly 1):
    runs of that value are joined at C level, the few others written one by one. ``None``
    when the values are not like that."""
    n = len(value)
    try:
        numbers = np.fromiter(value.values(), dtype=np.int64, count=n)
    except OverflowError:
        return None
    small = numbers[(numbers >= 0) & (numbers < 1024)]
    if len(small) * 2 < n:
        return None
    common = int(np.bincount(small).argmax())
    others = np.flatnonzero(numbers != common)
    if len(others) * 16 > n:
        return None
    keys = list(value)
    run = f'": {common}, "'
    parts = ['{"']
    start = 0
    for k in others.tolist():
        if k > start:
            parts += [run.join(keys[start:k]), run]
        parts += [keys[k], f'": {int(numbers[k])}, "']
        start = k + 1
    if start < n:
        parts += [run.join(keys[start:]), f'": {common}}}']
    else:
        parts[-1] = parts[-1][:-3] + "}"  # the last entry: no separator after it
    return parts


_ENCODE_KEY = json.encoder.encode_basestring_ascii  # type: ignore[attr-defined]


def _flat_dict_json(value: dict[Any, Any]) -> list[str] | None:
    """A large dict with string keys and plain values of one type as pieces of JSON text, or
    ``None`` (then the standard encoder writes it)."""
    if set(map(type, value)) != {str}:
        return None
    kinds = set(map(type, value.values()))
    if len(kinds) != 1:
        return None
    (kind,) = kinds
    values = value.values()
    constant: str | None = None  # the text of the one value every key has, if so
    encoded: Any
    if kind is str or kind is bool or kind is type(None):
        if len(set(values)) == 1:
            constant = json.dumps(next(iter(values)))
        elif kind is not str:
            return None
        encoded = map(_ENCODE_KEY, values)
    elif kind is int:
        encoded = map(int.__repr__, values)
    elif kind is float:
        numbers = np.fromiter(values, dtype=np.float64, count=len(value))
        if not np.isfinite(numbers).all():
            return None  # json.dumps raises the error for NaN and infinities
        bits = numbers.view(np.int64)
        if (bits == bits[0]).all():  # the same float, sign of zero included
            constant = float.__repr__(next(iter(values)))
        encoded = map(float.__repr__, values)
    else:
        return None
    keys = "".join(value)
    if keys.isascii() and keys.isprintable() and '"' not in keys and "\\" not in keys:
        names: Any = value  # no key needs escaping: quotes are written around them
        start, quote = '{"', '"'
    else:
        names = map(_ENCODE_KEY, value)
        start, quote = "{", ""
    if constant is not None:
        return [start, (f"{quote}: {constant}, {quote}").join(names),
                f"{quote}: {constant}}}"]
    if quote and kind is int:
        mostly = _mostly_one_int(value)
        if mostly is not None:
            return mostly
    if quote and kind is not str:
        # numbers: one C-level repr of all values, split; the keys joined around a mark no
        # printable key holds, split; then the two lists interleaved, all at C level
        texts = repr(list(values))[1:-1].split(", ")
        texts.append("}")
        pieces = ('": \x01, "'.join(names) + '": \x01').split("\x01")
        return [start, "".join(chain.from_iterable(zip(pieces, texts)))]
    return [start, f", {quote}".join(map(("{}" + quote + ": {}").format, names, encoded)), "}"]


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

"""Ranked ballot groups read from a file, kept as arrays until someone looks at them.

The bulk readers (a CSV of rankings, a PrefLib file) validate every ballot with array
operations; building one Python dict per distinct ballot only for the voting rule to turn them
back into arrays would cost more than the reading and the rule together at 10^6 ballot groups.
So their ``"ballots"`` is a :class:`RankedBallots`: a read-only sequence of
``{"ranking": [...], "count": n}`` dicts that a voting rule reads as the arrays it holds, and
that becomes an ordinary list of dicts (built once, then used for everything) as soon as
anything reads an element. From then on the rules validate those dicts as they validate any
input, so changing one is safe.

Example:
    >>> import numpy as np
    >>> groups = RankedBallots(["x", "y"], np.array([[1, 0], [0, -1]]), np.array([2, 1]))
    >>> len(groups), groups.arrays(["x", "y"]) is not None
    (2, True)
    >>> groups
    [{'ranking': ['y', 'x'], 'count': 2}, {'ranking': ['x'], 'count': 1}]
    >>> groups[0]["count"] = 5  # reading an element makes the dicts the data
    >>> groups.arrays(["x", "y"]) is None, groups[0]
    (True, {'ranking': ['y', 'x'], 'count': 5})
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, overload

import numpy as np


class RankedBallots(Sequence[dict[str, Any]]):
    """Validated ranked ballot groups as arrays: ``rows[u, k]`` is group u's k-th choice (a
    candidate index, −1 padded at the end; no candidate twice), ``counts[u]`` its voters (1 to
    2**53). Behaves as the list of ballot dicts it stands for (equality, ``repr``, indexing,
    iteration); :meth:`arrays` gives the arrays while no element has been read."""

    __slots__ = ("_candidates", "_counts", "_list", "_rows")

    def __init__(self, candidates: Sequence[str], rows: np.ndarray, counts: np.ndarray) -> None:
        self._candidates = tuple(candidates)
        self._rows = rows
        self._counts = np.asarray(counts, dtype=np.int64)
        self._list: list[dict[str, Any]] | None = None

    def arrays(self, candidates: Sequence[str]) -> tuple[np.ndarray, np.ndarray] | None:
        """``(rows, counts)`` when the ballots are still the arrays read and ``candidates``
        are the names they index (in that order); ``None`` otherwise (then read the dicts).

        Example:
            >>> g = RankedBallots(["x", "y"], np.array([[1, 0]]), np.array([1]))
            >>> g.arrays(["y", "x"]) is None
            True
        """
        if self._list is not None or tuple(candidates) != self._candidates:
            return None
        return self._rows, self._counts

    def as_list(self) -> list[dict[str, Any]]:
        """The ballot dicts (built once; from then on they are the data).

        Example:
            >>> RankedBallots(["x"], np.array([[0]]), np.array([3])).as_list()
            [{'ranking': ['x'], 'count': 3}]
        """
        if self._list is None:
            self._list = self._build()
        return self._list

    def _build(self) -> list[dict[str, Any]]:
        from .preflib import table_ballots

        return table_ballots(list(self._candidates), self._rows, self._counts)

    def fresh_list(self) -> list[dict[str, Any]]:
        """The ballot dicts as a new list of new dicts, without making them the data (for
        writing the input out: the arrays stay in use).

        Example:
            >>> g = RankedBallots(["x"], np.array([[0]]), np.array([3]))
            >>> g.fresh_list(), g.arrays(["x"]) is not None
            ([{'ranking': ['x'], 'count': 3}], True)
        """
        if self._list is not None:
            return [{**b, "ranking": list(b["ranking"])} for b in self._list]
        return self._build()

    def _view(self) -> list[dict[str, Any]]:
        """The dicts, without making them the data (for equality and ``repr``)."""
        return self._list if self._list is not None else self._build()

    def __len__(self) -> int:
        return len(self._counts) if self._list is None else len(self._list)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> Any:
        return self.as_list()[index]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.as_list())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RankedBallots):
            other = other._view()
        return self._view() == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._view())

"""Tie-breaking for auction kernels, in the project's one vocabulary
(:mod:`hurwicz.core.tie_break`).

``"lowest_name"`` gives a tie to the agent whose name sorts first (column order in batches);
an integer seed gives it to the agent with the lowest seeded priority, derived from the seed and
the agent's *name* only — so ``run`` and ``run_batch`` agree, every batch row uses the same
priorities, and adding or removing another bidder does not reshuffle the others.

Example:
    >>> import numpy as np
    >>> tied = np.array([[False, True, True]])
    >>> pick_tied(tied, None).tolist()
    [1]
    >>> prio = column_priority(3, ["a1", "a2", "a3"])
    >>> pick_tied(tied, prio).tolist() == [1 + int(prio[2] < prio[1])]
    True
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from hurwicz.core.tie_break import TIE_BREAK_DOC, AgentTieBreak, seeded_priority

TieBreak = AgentTieBreak

__all__ = ["TIE_BREAK_DOC", "TieBreak", "column_priority", "pick_tied"]


def column_priority(tie_break: TieBreak, names: Sequence[str]) -> np.ndarray | None:
    """Priority of each column's agent (lower wins), or ``None`` for ``lowest_name``.

    Example:
        >>> column_priority("lowest_name", ["a", "b"]) is None
        True
        >>> column_priority(7, ["a", "b"]).shape
        (2,)
    """
    if tie_break == "lowest_name":
        return None
    return seeded_priority(int(tie_break), names)


def pick_tied(tied: np.ndarray, prio: np.ndarray | None = None) -> np.ndarray:
    """Index of the chosen agent among the ``True`` entries of each row of ``tied``.

    Rows with no ``True`` entry return 0 (callers mask them out).

    Example:
        >>> import numpy as np
        >>> pick_tied(np.array([[True, True], [False, True]])).tolist()
        [0, 1]
    """
    if tied.shape[1] == 0:
        return np.zeros(tied.shape[0], dtype=np.int64)
    if prio is None:
        return np.argmax(tied, axis=1)
    sentinel = np.iinfo(np.uint64).max
    return np.argmin(np.where(tied, prio[None, :], sentinel), axis=1)

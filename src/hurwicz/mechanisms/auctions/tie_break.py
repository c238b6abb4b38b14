"""Explicit, replayable tie-breaking for auctions.

``"lowest_name"`` gives a tie to the agent whose name sorts first (column order in batches);
an integer is a seed: ties go to the agent with the smallest random priority drawn from
``numpy.random.default_rng(seed)``, so the same seed replays the same outcome.

Example:
    >>> import numpy as np
    >>> tied = np.array([[False, True, True]])
    >>> pick_tied(tied, "lowest_name").tolist()
    [1]
"""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from pydantic import Field

TieBreak = Literal["lowest_name"] | Annotated[int, Field(ge=0)]

TIE_BREAK_DOC = (
    "'lowest_name' (ties go to the name that sorts first) or an integer seed "
    "(ties go to a seeded random priority; the same seed replays the same outcome)"
)


def priorities(tie_break: TieBreak, shape: tuple[int, int]) -> np.ndarray | None:
    """Random priorities ``[batch, agents]`` for a seed, or ``None`` for ``lowest_name``.

    Example:
        >>> priorities("lowest_name", (2, 3)) is None
        True
        >>> priorities(7, (2, 3)).shape
        (2, 3)
    """
    if tie_break == "lowest_name":
        return None
    return np.random.default_rng(int(tie_break)).random(shape)


def pick_tied(tied: np.ndarray, tie_break: TieBreak, prio: np.ndarray | None = None) -> np.ndarray:
    """Index of the chosen agent among the ``True`` entries of each row of ``tied``.

    Rows with no ``True`` entry return 0 (callers mask them out).

    Example:
        >>> import numpy as np
        >>> tied = np.array([[True, True], [False, True]])
        >>> pick_tied(tied, 3).tolist() in ([0, 1], [1, 1])
        True
    """
    if tie_break == "lowest_name":
        return np.argmax(tied, axis=1)
    if prio is None:
        prio = priorities(tie_break, tied.shape)
    return np.argmin(np.where(tied, prio, np.inf), axis=1)

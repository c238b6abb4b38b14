"""One tie-breaking vocabulary for every family.

``tie_break`` always names the priority used when a rule's own criterion leaves a tie, among
agents (bidders, students) or candidates:

* ``"lowest_name"`` — the name that sorts first wins the tie;
* ``"input_order"`` — the order in which the input lists them (only where the input has an
  order: a voting input's ``candidates``);
* an integer seed — a seeded random priority: each name's priority is derived from SHA-256 of
  the seed and the name alone, so it does not depend on the input's order, on the other names,
  or on the row of a batch, and the same seed replays the same outcome;
* a list of names — an explicit priority order, earliest first (every name exactly once).

Families accept the subset that makes sense for them (auctions: a name or a seed; voting: all
four) and validate it when the mechanism is configured.

Example:
    >>> priority_order(["b", "a", "c"], "lowest_name")
    [1, 0, 2]
    >>> priority_order(["b", "a", "c"], "input_order")
    [0, 1, 2]
    >>> priority_order(["b", "a", "c"], ["c", "a", "b"])
    [2, 1, 0]
    >>> sorted(priority_order(["x", "y"], 7)) == [0, 1]
    True
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from .errors import ParameterError
from .types import Name, Seed

#: Auctions and other agent-level ties: by name, or by a seeded priority.
AgentTieBreak = Literal["lowest_name"] | Seed
#: Candidate-level ties (voting): by name, input order, a seeded priority, or a list.
CandidateTieBreak = Literal["input_order", "lowest_name"] | Seed | list[Name]

TIE_BREAK_DOC = (
    "'lowest_name' (the name that sorts first wins a tie) or an integer seed (a seeded random "
    "priority per name, independent of input order; the same seed replays the same outcome)"
)
CANDIDATE_TIE_BREAK_DOC = (
    "'input_order' (the order of candidates in the input), 'lowest_name', an integer seed "
    "(a seeded random priority per candidate name) or a list giving the priority order"
)


def seeded_priority(seed: int, names: Sequence[str]) -> np.ndarray:
    """Priority of each name under ``seed`` (lower wins): the first 8 bytes of
    SHA-256(``"{seed}:{name}"``) as an unsigned integer, a function of the seed and the name only.

    Example:
        >>> p = seeded_priority(3, ["a", "b"])
        >>> p.dtype.name, int(seeded_priority(3, ["b"])[0]) == int(p[1])
        ('uint64', True)
    """
    out = np.empty(len(names), dtype=np.uint64)
    for i, name in enumerate(names):
        digest = hashlib.sha256(f"{int(seed)}:{name}".encode()).digest()
        out[i] = int.from_bytes(digest[:8], "big")
    return out


def priority_order(names: Sequence[str], tie_break: Any) -> list[int]:
    """Indices of ``names`` from highest to lowest tie-break priority.

    Example:
        >>> priority_order(["z", "x"], "lowest_name")
        [1, 0]
    """
    n = len(names)
    if tie_break == "lowest_name":
        return sorted(range(n), key=lambda i: names[i])
    if tie_break == "input_order":
        return list(range(n))
    if isinstance(tie_break, int) and not isinstance(tie_break, bool):
        prio = seeded_priority(tie_break, names)
        return sorted(range(n), key=lambda i: (int(prio[i]), names[i]))
    if isinstance(tie_break, list | tuple):
        if sorted(tie_break) != sorted(names) or len(set(tie_break)) != len(tie_break):
            raise ParameterError("tie_break", "a priority list must name every candidate "
                                 "exactly once")
        index = {name: i for i, name in enumerate(names)}
        return [index[name] for name in tie_break]
    raise ParameterError("tie_break", f"unknown tie-break {tie_break!r} (use 'lowest_name', "
                         "'input_order', an integer seed or a list of names)")


def rank_of(names: Sequence[str], tie_break: Any) -> np.ndarray:
    """``rank[i]``: position of ``names[i]`` in the priority order (0 = wins every tie).

    Example:
        >>> rank_of(["b", "a"], "lowest_name").tolist()
        [1, 0]
    """
    rank = np.empty(len(names), dtype=np.int64)
    rank[priority_order(names, tie_break)] = np.arange(len(names))
    return rank

"""The least core (Maschler, Peleg & Shapley 1979) as a linear program solved by HiGHS.

    minimise e  subject to  Σ_{i∈S} x_i + e ≥ v(S)  for every coalition ∅ ≠ S ≠ N,
                            Σ_{i∈N} x_i = v(N).

The optimal ``e`` (``extra["subsidy"]``) is the least-core value: ``e ≤ 0`` exactly when the
core is non-empty. The least core can be a set; one point of it is returned. All 2^n − 2
constraints are built at once (``n`` ≤ :data:`MAX_LEAST_CORE_PLAYERS`).

Example:
    >>> r = least_core(lambda s: float(len(s) >= 2), players=["a", "b", "c"])
    >>> [round(r.values[p], 9) for p in "abc"], round(r.extra["subsidy"], 9) + 0.0
    ([0.333333333, 0.333333333, 0.333333333], 0.333333333)
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any

import highspy
import numpy as np

from hurwicz.core.errors import HurwiczError, InputError
from hurwicz.core.highs import new_highs

from .games import as_game
from .values import ValuationResult, _result

#: Most players for the least-core LP (2^n − 2 rows).
MAX_LEAST_CORE_PLAYERS = 16


def least_core(game: Any, *, players: Iterable[Hashable] | None = None) -> ValuationResult:
    """A point of the least core and the least-core value ``extra["subsidy"]``.

    Example:
        >>> glove = lambda s: float("L" in s and ("R1" in s or "R2" in s))
        >>> r = least_core(glove, players=["L", "R1", "R2"])
        >>> {p: round(v, 9) + 0.0 for p, v in r.values.items()}, round(r.extra["subsidy"], 9) + 0.0
        ({'L': 1.0, 'R1': 0.0, 'R2': 0.0}, 0.0)
    """
    g = as_game(game, players)
    n = g.n
    if n > MAX_LEAST_CORE_PLAYERS:
        raise InputError("players", f"{n} players: the least-core LP has 2^n − 2 constraints "
                         f"and allows at most {MAX_LEAST_CORE_PLAYERS}")
    v = g.all_values()
    full = (1 << n) - 1
    grand = float(v[full])
    if n <= 1:  # no proper coalition constrains e: the core is {v(N)}
        return _result("least_core", "lp", g, np.full(n, grand), np.zeros(n), g.calls, grand,
                       extra={"subsidy": 0.0, "core_nonempty": True})
    masks = np.arange(1, full, dtype=np.int64)
    member = (masks[:, None] >> np.arange(n)[None, :]) & 1  # [rows, n]
    inf = highspy.kHighsInf
    h = new_highs(abs_gap=1e-9)
    # columns: x_0..x_{n-1}, e (all free); objective: minimise e
    cost = np.zeros(n + 1)
    cost[n] = 1.0
    h.addVars(n + 1, np.full(n + 1, -inf), np.full(n + 1, inf))
    h.changeColsCost(n + 1, np.arange(n + 1, dtype=np.int32), cost)
    rows, cols = np.nonzero(np.hstack([member, np.ones((len(masks), 1), dtype=np.int64)]))
    starts = np.searchsorted(rows, np.arange(len(masks))).astype(np.int32)
    lower = np.concatenate([v[masks], [grand]])
    upper = np.concatenate([np.full(len(masks), inf), [grand]])
    starts = np.concatenate([starts, [len(cols)]]).astype(np.int32)
    index = np.concatenate([cols, np.arange(n)]).astype(np.int32)
    h.addRows(len(masks) + 1, lower, upper, len(index), starts, index, np.ones(len(index)))
    h.run()
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        raise HurwiczError(f"least core: HiGHS stopped with status {h.modelStatusToString(status)}")
    x = np.asarray(h.getSolution().col_value, dtype=float)
    subsidy = float(x[n])
    return _result("least_core", "lp", g, x[:n], np.zeros(n), g.calls, grand,
                   extra={"subsidy": subsidy, "core_nonempty": subsidy <= 1e-9})


__all__ = ["MAX_LEAST_CORE_PLAYERS", "least_core"]

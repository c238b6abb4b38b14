"""Spending a matching pool: scaling ideal matches, per-project caps, saturation.

Each project p has an ideal match ``ideal_p`` (what the formula asks for). The pool pays
``a_p = min(k · ideal_p, U_p)`` with one common factor ``k`` chosen so that the pool is spent
exactly when it can be; ``U_p`` is the cap (if any) and, with ``saturation="ideal"``, also the
ideal match itself (a project never receives more than its formula asks). This water-filling is
the fixed point of "cap the largest, redistribute the excess proportionally, repeat".

Saturation rule (pool larger than the ideal total): ``"ideal"`` pays the ideal matches and
reports the rest as unspent (Buterin–Hitzig–Weyl's subsidy is the ideal, not more);
``"spend_pool"`` scales every match up proportionally until the pool (or every cap) is spent.

Example:
    >>> import numpy as np
    >>> a, k, unspent = allocate_pool(np.array([30.0, 10.0]), 20.0)
    >>> a.tolist(), k, unspent
    ([15.0, 5.0], 0.5, 0.0)
    >>> allocate_pool(np.array([30.0, 10.0]), 20.0, cap=10.0)[0].tolist()
    [10.0, 10.0]
"""

from __future__ import annotations

import numpy as np


def allocate_pool(ideal: np.ndarray, pool: float, cap: float | None = None,
                  saturation: str = "ideal") -> tuple[np.ndarray, float, float]:
    """Matches per project, the common scale factor ``k``, and the unspent part of the pool.

    Example:
        >>> import numpy as np
        >>> allocate_pool(np.array([1.0, 3.0]), 100.0)[2]
        96.0
        >>> allocate_pool(np.array([1.0, 3.0]), 8.0, saturation="spend_pool")[0].tolist()
        [2.0, 6.0]
    """
    ideal = np.asarray(ideal, dtype=float)
    upper = np.full(ideal.shape, np.inf)
    if cap is not None:
        upper = np.minimum(upper, cap)
    if saturation == "ideal":
        upper = np.minimum(upper, ideal)
    positive = ideal > 0
    if not positive.any() or pool <= 0:
        return np.zeros_like(ideal), 0.0, float(max(pool, 0.0))
    # breakpoints: project p saturates at k_p = U_p / ideal_p
    k_break = np.where(positive, upper / np.where(positive, ideal, 1.0), np.inf)
    order = np.argsort(k_break[positive])
    ks = k_break[positive][order]
    ids = ideal[positive][order]
    ups = upper[positive][order]
    # spending at k: sum of saturated uppers (k_p <= k) + k * sum of the unsaturated ideals
    saturated_sum = 0.0
    remaining_ideal = float(ids.sum())
    k = np.inf
    for j in range(len(ks)):
        # spending just before project j saturates is saturated_sum + ks[j] * remaining_ideal
        if saturated_sum + ks[j] * remaining_ideal >= pool:
            k = (pool - saturated_sum) / remaining_ideal
            break
        saturated_sum += ups[j]
        remaining_ideal -= ids[j]
        if remaining_ideal <= 1e-300:
            remaining_ideal = 0.0
            break
    if not np.isfinite(k):
        # every project hit its bound before the pool ran out
        match = np.where(positive, upper, 0.0)
        match = np.where(np.isfinite(match), match, 0.0)
        k_report = float(ks[-1]) if len(ks) and np.isfinite(ks[-1]) else 0.0
        return match, k_report, float(pool - match.sum())
    match = np.where(positive, np.minimum(k * ideal, upper), 0.0)
    return match, float(k), float(max(pool - match.sum(), 0.0))

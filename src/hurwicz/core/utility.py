"""Utility models. hurwicz agents are quasilinear unless a family says otherwise.

Example:
    >>> quasilinear(value=10.0, allocation=1, payment=8.0)
    2.0
"""

from __future__ import annotations

import numpy as np


def quasilinear(value: float, allocation: float, payment: float) -> float:
    """Utility of an agent with value ``value`` per unit, receiving ``allocation`` units and paying.

    Example:
        >>> quasilinear(5.0, 0, 0.0)
        0.0
    """
    return float(value) * float(allocation) - float(payment)


def quasilinear_batch(
    values: np.ndarray, allocation: np.ndarray, payments: np.ndarray
) -> np.ndarray:
    """Vectorised :func:`quasilinear` over arrays of equal shape.

    Example:
        >>> quasilinear_batch(np.array([3.0, 2.0]), np.array([1.0, 0.0]), np.array([1.0, 0.0]))
        array([2., 0.])
    """
    return np.asarray(values) * np.asarray(allocation) - np.asarray(payments)

"""Bit counting on integer arrays, on every supported numpy (``np.bitwise_count`` is numpy ≥ 2).

Example:
    >>> import numpy as np
    >>> popcount(np.array([0, 1, 3, 255, -1], dtype=np.int64)).tolist()
    [0, 1, 2, 8, 64]
"""

from __future__ import annotations

import numpy as np

_M1 = np.uint64(0x5555555555555555)
_M2 = np.uint64(0x3333333333333333)
_M4 = np.uint64(0x0F0F0F0F0F0F0F0F)
_H01 = np.uint64(0x0101010101010101)


def popcount(values: np.ndarray) -> np.ndarray:
    """The number of set bits of each 64-bit integer (two's complement for negative ones).

    Example:
        >>> import numpy as np
        >>> popcount(np.array([6, 7], dtype=np.int64)).tolist()
        [2, 3]
    """
    x = np.asarray(values).astype(np.int64).view(np.uint64)
    if hasattr(np, "bitwise_count"):  # numpy ≥ 2 (on signed integers it counts |x|'s bits)
        return np.bitwise_count(x).astype(np.int64)
    x = x - ((x >> np.uint64(1)) & _M1)
    x = (x & _M2) + ((x >> np.uint64(2)) & _M2)
    x = (x + (x >> np.uint64(4))) & _M4
    return ((x * _H01) >> np.uint64(56)).astype(np.int64)

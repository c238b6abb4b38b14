"""Closed forms for what splitting one donor into K identities gains (ideal matches).

A donor gives c to a project whose other donors have Σ√c_j = R. Plain QF's ideal match grows
from (R + √c)² − Σc to (R + K·√(c/K))² − Σc = (R + √(Kc))² − Σc: the sybil gain
(R + √(Kc))² − (R + √c)² grows without bound in K. Under pairwise matching the K identities
overlap only on the donor's projects; for a donor giving c to one project the K(K−1) ordered
identity pairs each carry k = M/(M + c/K) × c/K, so their joint subsidy is (K−1)·c·M/(M + c/K),
strictly less than plain QF's (K−1)·c. Under cluster matching the identities stay in the donor's
groups and gain nothing from each other.

Example:
    >>> qf_sybil_gain(c=4.0, others_root_sum=0.0, k=4)
    12.0
    >>> round(pairwise_self_subsidy(c=4.0, k=4, M=1.0), 4)
    6.0
"""

from __future__ import annotations

import math


def qf_sybil_gain(c: float, others_root_sum: float, k: int) -> float:
    """Increase of a project's ideal QF match when a donor of ``c`` splits into ``k``.

    Example:
        >>> qf_sybil_gain(1.0, 1.0, 1)
        0.0
    """
    r = others_root_sum
    return (r + math.sqrt(k * c)) ** 2 - (r + math.sqrt(c)) ** 2


def pairwise_self_subsidy(c: float, k: int, M: float) -> float:
    """Joint pairwise subsidy among ``k`` identities splitting ``c`` on one project.

    Example:
        >>> pairwise_self_subsidy(2.0, 1, 1.0)
        0.0
    """
    each = c / k
    return k * (k - 1) * (M / (M + each)) * each


def qf_self_subsidy(c: float, k: int) -> float:
    """Plain QF's joint subsidy among ``k`` identities splitting ``c``: (K − 1)·c.

    Example:
        >>> qf_self_subsidy(3.0, 3)
        6.0
    """
    return (k - 1) * c

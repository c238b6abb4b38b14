"""The Boston mechanism (immediate acceptance; Abdulkadiroğlu & Sönmez 2003, AER 93(3)).

Round k: every unassigned student applies to the k-th school on its list; each school admits
applicants by priority up to its *remaining* seats, and admissions are final. Students who rank
a school first are favoured there, which makes the mechanism manipulable.

Example:
    >>> import hurwicz as hz
    >>> data = {"proposers": {"s1": ["c1", "c2"], "s2": ["c2", "c1"], "s3": ["c1", "c2"]},
    ...         "receivers": {"c1": ["s2", "s1", "s3"], "c2": ["s1", "s3", "s2"]}}
    >>> hz.mechanism("matching.boston").run(data).result["matching"]
    {'s1': 'c1', 's2': 'c2', 's3': None}
"""

from __future__ import annotations

import numpy as np

from hurwicz.core.registry import register

from .deferred_acceptance import TwoSidedMechanism
from .preferences import UNACCEPTABLE, Market


def boston_arrays(prefs: np.ndarray, pair_rank: np.ndarray, capacity: np.ndarray
                  ) -> np.ndarray:
    """Immediate acceptance over integer arrays; −1 for unassigned.

    Example:
        >>> boston_arrays(np.array([[0], [0]]), np.array([[1], [0]]), np.array([1])).tolist()
        [-1, 0]
    """
    n, length = prefs.shape
    m = len(capacity)
    remaining = capacity.astype(np.int64).copy()
    match = np.full(n, -1, dtype=np.int64)
    for k in range(length):
        school = prefs[:, k]
        applying = np.nonzero((match < 0) & (school >= 0) & (pair_rank[:, k] < UNACCEPTABLE))[0]
        if not applying.size:
            continue
        sch = school[applying]
        rank = pair_rank[applying, k]
        order = np.lexsort((rank, sch))
        applying, sch = applying[order], sch[order]
        starts = np.searchsorted(sch, np.arange(m))
        within = np.arange(len(sch)) - starts[sch]
        admit = within < remaining[sch]
        match[applying[admit]] = sch[admit]
        remaining -= np.bincount(sch[admit], minlength=m)
    return match


@register
class Boston(TwoSidedMechanism):
    """Immediate acceptance (the 'Boston mechanism') for school choice.

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("matching.boston").claims
        ()
    """

    name = "matching.boston"
    version = "2"
    summary = "Immediate acceptance: admissions in each round are final (manipulable)."
    claims = ()

    def match_indices(self, market: Market) -> np.ndarray:
        return boston_arrays(market.prefs, market.pair_rank, market.capacity)

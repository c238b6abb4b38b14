"""Agent names, profile sampling and candidate misreports for numeric (scalar) reports.

Example:
    >>> agent_names(3)
    ['a1', 'a2', 'a3']
    >>> agent_names(10)[:2]
    ['a01', 'a02']
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from hurwicz.core.capabilities import BatchLayout, default_agent_names
from hurwicz.core.mechanism import Mechanism
from hurwicz.core.priors import Prior

MAX_EXHAUSTIVE_PROFILES = 200_000


def agent_names(n: int) -> list[str]:
    """Names ``a1..an``, zero-padded so that name order equals column order.

    Example:
        >>> agent_names(2)
        ['a1', 'a2']
    """
    return list(default_agent_names(n))


def report_ceiling(priors: Sequence[Prior], mech: Mechanism) -> float:
    """An upper end for misreport grids: 1.5 × the largest plausible type or parameter.

    Example:
        >>> from hurwicz.core.priors import parse_prior
        >>> import hurwicz as hz
        >>> report_ceiling([parse_prior("uniform:0,2")], hz.mechanism("auction.first_price"))
        3.0
    """
    tops = []
    for p in priors:
        _lo, hi = p.support()
        tops.append(hi if math.isfinite(hi) else float(p.quantile(0.999)))
    tops.extend(numeric_params(mech))
    return 1.5 * max([*tops, 1e-9])


def numeric_params(mech: Mechanism) -> list[float]:
    """Every float-valued parameter (reserves, prices): natural breakpoints for misreports.

    Example:
        >>> import hurwicz as hz
        >>> numeric_params(hz.mechanism("auction.second_price", reserve=2))
        [2.0]
    """
    out = []
    for value in mech.params.model_dump().values():
        if isinstance(value, float) and math.isfinite(value):
            out.append(value)
    return out


def discrete_profiles(priors: Sequence[Prior]) -> tuple[np.ndarray, np.ndarray] | None:
    """All type profiles of discrete priors and their probabilities, or None if too many.

    Example:
        >>> from hurwicz.core.priors import parse_prior
        >>> profiles, probs = discrete_profiles([parse_prior("discrete:1,2")] * 2)
        >>> profiles.tolist(), probs.tolist()
        ([[1.0, 1.0], [1.0, 2.0], [2.0, 1.0], [2.0, 2.0]], [0.25, 0.25, 0.25, 0.25])
    """
    if not all(p.discrete for p in priors):
        return None
    sizes = [len(p.values) for p in priors]  # type: ignore[attr-defined]
    if math.prod(sizes) > MAX_EXHAUSTIVE_PROFILES:
        return None
    grids = [p.values for p in priors]  # type: ignore[attr-defined]
    probs = [p.probabilities for p in priors]  # type: ignore[attr-defined]
    profiles = np.array(list(itertools.product(*grids)), dtype=float)
    weights = np.array([math.prod(ws) for ws in itertools.product(*probs)], dtype=float)
    return profiles.reshape(-1, len(priors)), weights


def critical_values(mech: Any, profiles: np.ndarray, agent: int, ceiling: float,
                    iterations: int = 40, layout: BatchLayout | None = None) -> np.ndarray:
    """Per profile, the smallest own report at which ``agent``'s allocation rises above its
    allocation at report 0 (vectorised bisection); ``nan`` where it never rises.

    For a monotone allocation rule this is the critical (threshold) bid.

    Example:
        >>> import numpy as np, hurwicz as hz
        >>> m = hz.mechanism("auction.second_price")
        >>> critical_values(m, np.array([[0.3, 0.7]]), 0, 2.0).round(6).tolist()
        [0.7]
    """
    s = profiles.shape[0]
    low_rep = profiles.copy()
    low_rep[:, agent] = 0.0
    high_rep = profiles.copy()
    high_rep[:, agent] = ceiling
    a0 = _alloc(mech, low_rep, agent, layout)
    a1 = _alloc(mech, high_rep, agent, layout)
    rises = a1 > a0 + 1e-12
    lo = np.zeros(s)
    hi = np.full(s, ceiling)
    work = profiles.copy()
    for _ in range(iterations):
        mid = (lo + hi) / 2
        work[:, agent] = mid
        up = _alloc(mech, work, agent, layout) > a0 + 1e-12
        hi = np.where(up, mid, hi)
        lo = np.where(up, lo, mid)
    return np.where(rises, hi, np.nan)


def _alloc(mech: Any, reports: np.ndarray, agent: int,
           layout: BatchLayout | None) -> np.ndarray:
    alloc = mech.run_batch(reports, layout).allocation
    return alloc.reshape(alloc.shape[0], alloc.shape[1], -1).sum(axis=2)[:, agent]


def scalar_candidates(
    mech: Any, profiles: np.ndarray, agent: int, ceiling: float, grid: int = 16,
    eps: Sequence[float] = (1e-7, 1e-3), layout: BatchLayout | None = None,
) -> tuple[np.ndarray, list[str]]:
    """Candidate misreports ``[profiles, K]`` for one agent, and a label per column.

    Candidates: the truth, 0, every other agent's report (and ± ε), the numeric parameters
    (reserve, price) ± ε, the critical value ± ε, and a grid over ``[0, ceiling]``.

    Example:
        >>> import numpy as np, hurwicz as hz
        >>> cands, labels = scalar_candidates(hz.mechanism("auction.second_price"),
        ...                                   np.array([[0.3, 0.7]]), 0, 1.5, grid=4)
        >>> "critical+1e-07" in labels and "other:a2" in labels
        True
    """
    s, n = profiles.shape
    names = list(layout.agents) if layout is not None else agent_names(n)
    cols: list[np.ndarray] = [profiles[:, agent], np.zeros(s)]
    labels = ["truth", "zero"]
    for j in range(n):
        if j == agent:
            continue
        cols.append(profiles[:, j])
        labels.append(f"other:{names[j]}")
        for e in eps:
            cols += [profiles[:, j] + e, np.maximum(profiles[:, j] - e, 0.0)]
            labels += [f"other:{names[j]}+{e:g}", f"other:{names[j]}-{e:g}"]
    for value in numeric_params(mech):
        for delta, tag in ((0.0, ""), *((e, f"+{e:g}") for e in eps),
                           *((-e, f"-{e:g}") for e in eps)):
            cols.append(np.full(s, max(value + delta, 0.0)))
            labels.append(f"param:{value:g}{tag}")
    crit = critical_values(mech, profiles, agent, ceiling, layout=layout)
    crit_filled = np.where(np.isnan(crit), profiles[:, agent], crit)
    cols.append(crit_filled)
    labels.append("critical")
    for e in eps:
        cols += [crit_filled + e, np.maximum(crit_filled - e, 0.0)]
        labels += [f"critical+{e:g}", f"critical-{e:g}"]
    for k, g in enumerate(np.linspace(0.0, ceiling, grid)):
        cols.append(np.full(s, g))
        labels.append(f"grid:{k}")
    return np.stack(cols, axis=1), labels


def profile_dict(names: Sequence[str], row: np.ndarray) -> dict[str, Any]:
    """A profile row as ``{name: float}``.

    Example:
        >>> profile_dict(["a1", "a2"], np.array([0.5, 1.0]))
        {'a1': 0.5, 'a2': 1.0}
    """
    return {name: float(v) for name, v in zip(names, row)}

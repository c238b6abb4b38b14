"""Candidate misreports for non-numeric report spaces (rankings, approvals, scores, bundles...).

The generators follow the report domain a family declares (``AuditSpec.report_domain``); a
family with a special report space overrides ``AuditSpec.deviations`` itself.
Each generator returns ``(candidates, complete)``: ``complete`` is True when the list is the
whole report space, which makes a search over it exhaustive.

Example:
    >>> cands, complete = ranking_deviations(["x", "y", "z"], ["x", "y", "z"], None, limit=100)
    >>> len(cands), complete
    (6, True)
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from hurwicz.core.errors import AuditError


def _perm_count(m: int, truncate: bool) -> int:
    if truncate:
        return sum(math.perm(m, k) for k in range(m + 1))
    return math.factorial(m)


def ranking_deviations(truth: Sequence[Any], candidates: Sequence[Any],
                       rng: np.random.Generator | None, limit: int = 720,
                       truncate: bool = False) -> tuple[list[list[Any]], bool]:
    """All (possibly truncated) rankings when there are at most ``limit``; otherwise swaps,
    pushes (compromise: raise one candidate to the top), burials (drop one to the bottom),
    truncations of the truth, and random rankings up to ``limit``.

    Example:
        >>> cands, complete = ranking_deviations(["a", "b"], ["a", "b"], None, truncate=True)
        >>> sorted(map(tuple, cands)), complete
        ([(), ('a',), ('a', 'b'), ('b',), ('b', 'a')], True)
    """
    truth = [c for c in truth if not isinstance(c, list | tuple)] if truth else []
    pool = list(candidates)
    m = len(pool)
    if _perm_count(m, truncate) <= limit:
        lengths = range(m + 1) if truncate else [m]
        out = [list(p) for k in lengths for p in itertools.permutations(pool, k)]
        return out, True
    rng = rng or np.random.default_rng(0)
    base = list(truth) + [c for c in pool if c not in truth]
    seen: set[tuple[Any, ...]] = set()
    out: list[list[Any]] = []

    def add(r: list[Any]) -> None:
        key = tuple(r)
        if key not in seen:
            seen.add(key)
            out.append(r)

    for i, j in itertools.combinations(range(m), 2):
        r = base.copy()
        r[i], r[j] = r[j], r[i]
        add(r)
    for c in pool:
        add([c] + [x for x in base if x != c])
        add([x for x in base if x != c] + [c])
    if truncate:
        for k in range(m):
            add(base[:k])
    while len(out) < limit:
        add(list(rng.permutation(np.array(pool, dtype=object))))
        if len(seen) >= math.factorial(m):
            break
    return out[:max(limit, len(out))], False


def subset_deviations(candidates: Sequence[Any], truth: Sequence[Any],
                      rng: np.random.Generator | None, limit: int = 1024
                      ) -> tuple[list[list[Any]], bool]:
    """All approval sets when ``2^m <= limit``, else single flips and random subsets.

    Example:
        >>> cands, complete = subset_deviations(["x", "y"], ["x"], None)
        >>> sorted(map(tuple, cands)), complete
        ([(), ('x',), ('x', 'y'), ('y',)], True)
    """
    pool = list(candidates)
    if 2 ** len(pool) <= limit:
        return [list(s) for k in range(len(pool) + 1)
                for s in itertools.combinations(pool, k)], True
    rng = rng or np.random.default_rng(0)
    truth_set = set(truth)
    out = [sorted(truth_set ^ {c}, key=pool.index) for c in pool]
    while len(out) < limit:
        mask = rng.random(len(pool)) < 0.5
        out.append([c for c, keep in zip(pool, mask) if keep])
    return out, False


def scalar_deviations(truth: float, others: Sequence[float], high: float,
                      points: int = 24) -> list[float]:
    """Numeric misreports for mechanisms without a batch path: breakpoints and a grid.

    Example:
        >>> scalar_deviations(1.0, [2.0], 4.0, points=3)
        [0.0, 1.0, 1.9999999, 2.0, 2.0000001, 4.0]
    """
    out = {0.0, float(truth)}
    for o in others:
        out |= {float(o), float(o) + 1e-7, max(float(o) - 1e-7, 0.0)}
    out |= {float(g) for g in np.linspace(0.0, high, points)}
    return sorted(out)


def dict_amount_deviations(truth: dict[str, float], projects: Sequence[str]
                           ) -> list[dict[str, float]]:
    """Misreports of a ``{target: amount}`` report: scale one or all amounts, move everything
    to another target, or drop a target.

    Example:
        >>> dict_amount_deviations({"p": 4.0}, ["p", "q"])[:3]
        [{'p': 0.0}, {'p': 2.0}, {'p': 8.0}]
    """
    out: list[dict[str, float]] = []
    for factor in (0.0, 0.5, 2.0):
        out.append({k: v * factor for k, v in truth.items()})
    for k in truth:
        for factor in (0.0, 0.5, 2.0):
            out.append({**truth, k: truth[k] * factor})
    total = sum(truth.values())
    for p in projects:
        out.append({p: total})
    return out


def by_domain(domain: dict[str, Any], data: Any, agent: str, truth: Any,
              reports: dict[str, Any], rng: np.random.Generator, limit: int
              ) -> tuple[list[Any], bool]:
    """Candidate misreports of ``agent`` for a report domain (``{"kind": ...}``), and whether
    they are the whole report space.

    Example:
        >>> cands, complete = by_domain({"kind": "scalar"}, {}, "a", 1.0, {"a": 1.0, "b": 2.0},
        ...                             np.random.default_rng(0), 10)
        >>> 2.0 in cands, complete
        (True, False)
    """
    kind = domain.get("kind")
    if kind == "ranking":
        return ranking_deviations(truth, domain["candidates"], rng, limit,
                                  truncate=bool(domain.get("truncate", False)))
    if kind == "approval":
        return subset_deviations(domain["candidates"], truth or [], rng, limit)
    if kind == "scores":
        lo, hi = domain.get("low", 0), domain.get("high", 10)
        cands = [{**truth, c: v} for c in domain["candidates"] for v in (lo, hi)]
        cands += [{c: (hi if c == top else lo) for c in domain["candidates"]}
                  for top in domain["candidates"]]
        return cands, False
    if kind == "scalar":
        others = [float(v) for a, v in reports.items() if a != agent and v is not None]
        high = domain.get("high") or 1.5 * max([float(truth), *others, 1.0])
        return scalar_deviations(float(truth), others, float(high)), False
    if kind == "vector":
        base = [float(x) for x in truth]
        cands = [[x * f for x in base] for f in (0.0, 0.5, 0.9, 1.1, 2.0)]
        cands += [base[:k] for k in range(len(base))]
        if base:
            cands += [[base[0]] * len(base), [max(base)] * (len(base) + 1)]
        return cands, False
    if kind == "contributions" and isinstance(truth, dict):
        return dict_amount_deviations(truth, domain.get("projects", list(truth))), False
    raise AuditError(f"no deviation generator for report domain {kind!r}: the family's audit "
                     "specification must override deviations()", "adversary")


def full_ranking_profiles(spec: Any, data: Any, limit: int = 5000
                          ) -> tuple[list[Any], str | None]:
    """Every profile in which each agent of ``data`` reports a full ranking of its report
    domain's candidates (for a family's ``expand``), or ``([], None)`` above ``limit``.

    Example:
        >>> import hurwicz as hz
        >>> from hurwicz.auditing.spec import audit_spec
        >>> spec = audit_spec(hz.mechanism("matching.serial_dictatorship"))
        >>> profiles, space = full_ranking_profiles(
        ...     spec, {"agents": {"a": ["x"], "b": []}, "objects": {"x": 1, "y": 1}})
        >>> len(profiles), space
        (4, 'every profile of full rankings of 2 agents over 2 candidates (4 profiles)')
    """
    reports = spec.reports(data)
    agents = sorted(reports)
    if not agents:
        return [], None
    domain = spec.report_domain(data, agents[0])
    if domain.get("kind") != "ranking":
        return [], None
    cands = list(domain["candidates"])
    total = math.factorial(len(cands)) ** len(agents)
    if total > limit:
        return [], None
    perms = [list(p) for p in itertools.permutations(cands)]
    profiles = [spec.with_reports(data, dict(zip(agents, combo)))
                for combo in itertools.product(perms, repeat=len(agents))]
    return profiles, (f"every profile of full rankings of {len(agents)} agents over "
                      f"{len(cands)} candidates ({total} profiles)")

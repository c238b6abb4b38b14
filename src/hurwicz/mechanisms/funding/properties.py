"""Outcome checks for public-goods funding (used by the family's audit specification).

Example:
    >>> import hurwicz as hz
    >>> data = {"contributions": [{"contributor": "u", "project": "p", "amount": 4}], "pool": 10}
    >>> match_within_pool(None, data, hz.mechanism("funding.quadratic").run(data)) is None
    True
"""

from __future__ import annotations

from typing import Any

from hurwicz.core.mechanism import Mechanism
from hurwicz.core.outcome import Outcome

TOLERANCE = 1e-6


def match_within_pool(mech: Mechanism | None, data: Any,
                      outcome: Outcome) -> dict[str, Any] | None:
    """Matching funds are non-negative and never exceed the pool.

    Example:
        >>> match_within_pool(None, {"pool": 1}, Outcome("m", {}, {}, {},
        ...     {"matching": {"p": 2.0}}))
        {'pool': 1, 'matched': 2.0}
    """
    matching = outcome.result.get("matching", {})
    total = float(sum(matching.values()))
    pool = data.get("pool") if isinstance(data, dict) else None
    if any(v < -TOLERANCE for v in matching.values()):
        return {"negative_match": {k: v for k, v in matching.items() if v < -TOLERANCE}}
    if pool is not None and total > float(pool) + TOLERANCE * max(1.0, float(pool)):
        return {"pool": pool, "matched": total}
    return None


def funding_adds_up(mech: Mechanism | None, data: Any, outcome: Outcome) -> dict[str, Any] | None:
    """Each project's funding is its contributions plus its match.

    Example:
        >>> import hurwicz as hz
        >>> data = {"contributions": [{"contributor": "u", "project": "p", "amount": 4}],
        ...         "pool": 10}
        >>> funding_adds_up(None, data, hz.mechanism("funding.quadratic").run(data)) is None
        True
    """
    given: dict[str, float] = {}
    for c in data.get("contributions", []):
        given[c["project"]] = given.get(c["project"], 0.0) + float(c["amount"])
    funding = outcome.result.get("funding", {})
    matching = outcome.result.get("matching", {})
    for project, total in funding.items():
        expected = given.get(project, 0.0) + float(matching.get(project, 0.0))
        if abs(total - expected) > TOLERANCE * max(1.0, expected):
            return {"project": project, "funding": total, "contributions_plus_match": expected}
    return None



"""Outcome checks for matching markets (used by the family's audit specification).

Each check returns ``None`` when the property holds, else a JSON-ready witness.

Example:
    >>> import hurwicz as hz
    >>> data = {"proposers": {"a": ["x"], "b": ["x"]}, "receivers": {"x": ["b", "a"]}}
    >>> m = hz.mechanism("matching.deferred_acceptance")
    >>> blocking_pair(m, data, m.run(data)) is None
    True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hurwicz.core.mechanism import Mechanism
from hurwicz.core.outcome import Outcome

#: the class of a proposer a receiver finds unacceptable: below every real class
UNLISTED = 10**9


def _classes(entry: Any) -> Callable[[str], int | None]:
    """Priority class of a proposer at a receiver (ties share a class; with
    :class:`~.preferences.PriorityClasses` and ``others="lottery"``, every other proposer is
    in one last class); ``None`` when the receiver finds her unacceptable."""
    if hasattr(entry, "model_dump"):
        entry = entry.model_dump()
    if isinstance(entry, dict):
        classes = entry["classes"]
        listed = {m: k for k, members in enumerate(classes) for m in members}
        rest = len(classes) if entry.get("others", "lottery") == "lottery" else None
        return lambda p: listed.get(p, rest)
    listed = {m: k for k, e in enumerate(entry) for m in (e if isinstance(e, list) else [e])}
    return listed.get


def _rank(cls: int | None) -> int:
    return UNLISTED if cls is None else cls


def blocking_pair(mech: Mechanism, data: Any, outcome: Outcome) -> dict[str, Any] | None:
    """A proposer and receiver who both strictly prefer each other to what they got (with
    respect to the *original* weak priorities), or a receiver with a free seat that an
    acceptable proposer prefers (wastefulness).

    Example:
        >>> import hurwicz as hz
        >>> data = {"proposers": {"a": ["x"]}, "receivers": {"x": ["a"]}}
        >>> out = hz.mechanism("matching.boston").run(data)
        >>> blocking_pair(None, data, out) is None
        True
    """
    matching = outcome.result["matching"]
    assigned = outcome.result["assigned"]
    caps = data.get("capacities", {})
    for p, prefs in data["proposers"].items():
        current = matching.get(p)
        better = prefs[:prefs.index(current)] if current in prefs else prefs
        for r in better:
            cls = _classes(data["receivers"][r])
            if cls(p) is None:
                continue  # p is unacceptable to r
            held = assigned.get(r, [])
            if caps.get(r, 1) == 0:
                continue  # no seat to block with
            if len(held) < caps.get(r, 1):
                return {"proposer": p, "receiver": r, "reason": "free seat"}
            worst = max(held, key=lambda q, cls=cls: _rank(cls(q)))
            if _rank(cls(p)) < _rank(cls(worst)):
                return {"proposer": p, "receiver": r, "displaces": worst}
    return None


def individually_rational(mech: Mechanism, data: Any, outcome: Outcome) -> dict[str, Any] | None:
    """No one is matched to a partner it did not list (or that did not list it).

    Example:
        >>> individually_rational(None, {"proposers": {"a": []}, "receivers": {"x": []}},
        ...     Outcome("m", {}, {}, {}, {"matching": {"a": None}, "assigned": {"x": []}}))
    """
    for p, r in outcome.result["matching"].items():
        if r is None:
            continue
        if r not in data["proposers"][p] or _classes(data["receivers"][r])(p) is None:
            return {"proposer": p, "receiver": r}
    return None


def justified_envy(mech: Mechanism, data: Any, outcome: Outcome) -> dict[str, Any] | None:
    """A student who prefers another student's school and has strictly higher priority there.

    Example:
        >>> import hurwicz as hz
        >>> data = {"proposers": {"a": ["x", "y"], "b": ["x", "y"], "c": ["x", "y"]},
        ...         "receivers": {"x": ["c", "a", "b"], "y": ["a", "b", "c"]}}
        >>> out = hz.mechanism("matching.boston").run(data)
        >>> justified_envy(None, data, out) is None
        True
    """
    matching = outcome.result["matching"]
    for p, prefs in data["proposers"].items():
        current = matching.get(p)
        better = prefs[:prefs.index(current)] if current in prefs else prefs
        for r in better:
            cls = _classes(data["receivers"][r])
            mine = cls(p)
            if mine is None:
                continue
            for q in outcome.result["assigned"].get(r, []):
                if mine < _rank(cls(q)):
                    return {"student": p, "envies": q, "school": r}
    return None


def pareto_improvement(mech: Mechanism, data: Any, outcome: Outcome) -> dict[str, Any] | None:
    """For house allocation (``matching.ttc`` inputs): a trading cycle among agents that makes
    everyone in it strictly better off (TTC from the current allocation changes something).

    Example:
        >>> import hurwicz as hz
        >>> data = {"agents": {"a": {"owns": "x", "ranking": ["y", "x"]},
        ...                    "b": {"owns": "y", "ranking": ["x", "y"]}}}
        >>> stuck = Outcome("m", {}, {"a": "x", "b": "y"}, {})
        >>> pareto_improvement(None, data, stuck)["trades"]
        {'a': 'y', 'b': 'x'}
    """
    from .ttc import top_trading_cycles, validate_housing

    if "agents" not in data:
        return None
    if all(isinstance(e, list) for e in data["agents"].values()):
        return _one_sided_improvement(data, outcome)
    base = {a: {"owns": outcome.allocation[a], "ranking": e["ranking"]}
            for a, e in data["agents"].items()}
    improved = top_trading_cycles(validate_housing({"agents": base}))
    trades = {a: h for a, h in improved.items() if h != outcome.allocation[a]}
    return {"trades": trades} if trades else None


def _one_sided_improvement(data: Any, outcome: Outcome) -> dict[str, Any] | None:
    """Pareto check for one-sided assignment (deterministic allocations): an agent who prefers
    a free seat of an object to what it has, or a trading cycle among the assigned agents
    (each copy of an object is its own "house")."""
    from .ttc import top_trading_cycles, validate_housing

    held = outcome.allocation
    if any(isinstance(v, dict) for v in held.values()):
        return None  # random assignments: ex-post efficiency is not this check
    used: dict[str, int] = {}
    for obj in held.values():
        if obj is not None:
            used[obj] = used.get(obj, 0) + 1
    for agent, ranking in data["agents"].items():
        own = held.get(agent)
        better = ranking[:ranking.index(own)] if own in ranking else ranking
        for obj in better:
            if used.get(obj, 0) < data["objects"].get(obj, 0):
                return {"agent": agent, "free_seat": obj, "holds": own}
    copies: dict[str, list[str]] = {}
    houses: dict[str, str] = {}
    for agent, obj in sorted(held.items()):
        if obj is not None:
            houses[agent] = f"{obj}#{len(copies.setdefault(obj, []))}"
            copies[obj].append(houses[agent])
    base = {}
    for agent, house in houses.items():
        ranking = []
        for obj in data["agents"][agent]:
            ranking += copies.get(obj, [])
            if obj == held[agent]:
                break
        base[agent] = {"owns": house, "ranking": ranking}
    improved = top_trading_cycles(validate_housing({"agents": base}))
    trades = {a: h.split("#")[0] for a, h in improved.items()
              if h.split("#")[0] != held[a]}
    return {"trades": trades} if trades else None



"""Efficiency of auction outcomes on given inputs (used by the family's audit specification).

``efficient`` compares the welfare of the outcome (reported values taken as true; the seller
values the goods at 0) with the best possible welfare for the same input: the highest bid
(single item), the ``units`` highest marginal values (multi-unit), assortative slot assignment
(position auctions), the best set of disjoint XOR bids found by exhaustive search
(combinatorial) or every trade with buyer value above seller cost (double auctions).

Example:
    >>> import hurwicz as hz
    >>> data = {"bids": {"a": 3.0, "b": 5.0}}
    >>> efficient(None, data, hz.mechanism("auction.second_price").run(data)) is None
    True
"""

from __future__ import annotations

from typing import Any

from hurwicz.core.mechanism import Mechanism
from hurwicz.core.outcome import Outcome

TOLERANCE = 1e-9


def _best_combination(bids: dict[str, list[dict[str, Any]]]) -> float:
    bidders = sorted(bids)
    best = 0.0

    def go(i: int, used: frozenset, total: float) -> None:
        nonlocal best
        best = max(best, total)
        if i == len(bidders):
            return
        go(i + 1, used, total)
        for bid in bids[bidders[i]]:
            bundle = frozenset(bid["bundle"])
            if used.isdisjoint(bundle):
                go(i + 1, used | bundle, total + float(bid["value"]))

    go(0, frozenset(), 0.0)
    return best


def welfare(data: dict[str, Any], outcome: Outcome) -> tuple[float, float] | None:
    """(welfare of the outcome, best welfare) for an auction input, or None if not one.

    Example:
        >>> import hurwicz as hz
        >>> data = {"units": 2, "bids": {"a": [5.0, 1.0], "b": [3.0]}}
        >>> welfare(data, hz.mechanism("auction.vcg_multi_unit").run(data))
        (8.0, 8.0)
    """
    alloc = outcome.allocation
    if "buyers" in data and "sellers" in data:
        buyers = sorted(data["buyers"].values(), reverse=True)
        sellers = sorted(data["sellers"].values())
        best = sum(max(b - s, 0.0) for b, s in zip(buyers, sellers))
        got = sum(v for k, v in data["buyers"].items() if alloc.get(k, 0) > 0) - sum(
            v for k, v in data["sellers"].items() if alloc.get(k, 0) < 0)
        return got, best
    if "items" in data:
        got = 0.0
        for bidder, won in alloc.items():
            if won:
                match = [float(b["value"]) for b in data["bids"][bidder]
                         if set(b["bundle"]) == set(won)]
                got += max(match, default=0.0)
        return got, _best_combination(data["bids"])
    if "units" in data:
        values = sorted((v for vs in data["bids"].values() for v in vs), reverse=True)
        best = sum(v for v in values[:data["units"]] if v > 0)
        got = sum(sum(data["bids"][k][:int(n)]) for k, n in alloc.items() if n)
        return got, best
    if "slots" in data:
        quality = data.get("quality", {})
        scores = sorted((v * quality.get(k, 1.0) for k, v in data["bids"].items()),
                        reverse=True)
        best = sum(s * c for s, c in zip(scores, sorted(data["slots"], reverse=True)))
        got = sum(data["bids"][k] * quality.get(k, 1.0) * data["slots"][slot]
                  for k, slot in alloc.items() if slot is not None)
        return got, best
    if "bids" in data and all(isinstance(v, int | float) for v in data["bids"].values()):
        best = max([0.0, *data["bids"].values()])
        got = sum(v for k, v in data["bids"].items() if alloc.get(k, 0))
        return got, best
    return None


def efficient(mech: Mechanism | None, data: Any, outcome: Outcome) -> dict[str, Any] | None:
    """A witness when the outcome's welfare falls short of the best welfare.

    Example:
        >>> import hurwicz as hz
        >>> data = {"bids": {"a": 3.0, "b": 5.0}}
        >>> efficient(None, data, hz.mechanism("auction.second_price", reserve=6).run(data))
        {'welfare': 0.0, 'best_welfare': 5.0}
    """
    measured = welfare(data, outcome) if isinstance(data, dict) else None
    if measured is None:
        return None
    got, best = measured
    if got < best - TOLERANCE * max(1.0, abs(best)):
        return {"welfare": float(got), "best_welfare": float(best)}
    return None



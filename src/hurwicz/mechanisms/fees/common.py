"""Shared pieces of the transaction-fee mechanisms: input schema and block packing.

A transaction has a ``bid`` (the most it will pay per unit of gas: its fee cap), a ``gas``
amount (its size) and, for EIP-1559, an optional ``tip`` (the most it pays the block producer
per unit of gas on top of the base fee). A block holds transactions up to ``block_limit`` gas.

Example:
    >>> best_subset({"a": 3.0, "b": 2.9}, {"a": 2, "b": 3}, 3)   # greedy by bid would take a
    ['b']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from hurwicz.core.types import Money, Name

MAX_GAS = 10**12
Gas = Annotated[int, Field(ge=1, le=MAX_GAS)]
#: Branch-and-bound nodes before the packing falls back to the greedy order (then flagged).
MAX_NODES = 200_000
#: More competing transactions than this are packed greedily (flagged as not proven optimal).
MAX_ITEMS = 400


class Transaction(BaseModel):
    """``{"bid": fee cap per gas, "gas": size, "tip": priority fee cap per gas (EIP-1559)}``."""

    model_config = ConfigDict(strict=True, extra="forbid")
    bid: Money
    gas: Gas = 21_000
    tip: Money | None = None


class BlockInput(BaseModel):
    """``{"transactions": {tx: {"bid": b, "gas": g}}, "block_limit": gas}``."""

    model_config = ConfigDict(strict=True, extra="forbid")
    transactions: dict[Name, Transaction]
    block_limit: Gas


class Eip1559Input(BlockInput):
    """``{"transactions": {...}, "block_limit": gas, "base_fee": per gas}``; the gas target
    is ``block_limit / elasticity`` (elasticity 2 in the EIP)."""

    base_fee: Money


def greedy_order(priority: Mapping[str, float]) -> list[str]:
    """Names by priority (highest first), ties by name.

    Example:
        >>> greedy_order({"b": 1.0, "a": 1.0, "c": 2.0})
        ['c', 'a', 'b']
    """
    return sorted(priority, key=lambda t: (-priority[t], t))


def best_subset(value_per_gas: Mapping[str, float], gas: Mapping[str, int], limit: int
                ) -> list[str]:
    """A set of transactions of total gas ≤ ``limit`` maximising Σ value × gas, exactly (a
    0/1 knapsack by depth-first branch and bound with the fractional bound); among optimal
    sets, the first found with items in :func:`greedy_order`. Transactions of value 0 fill
    the space left in that order. Falls back to the greedy packing after
    :data:`MAX_NODES` nodes (see :func:`pack`).

    Example:
        >>> best_subset({"x": 1.0, "y": 1.0}, {"x": 3, "y": 3}, 5)
        ['x']
    """
    return pack(value_per_gas, gas, limit)[0]


def pack(value_per_gas: Mapping[str, float], gas: Mapping[str, int], limit: int
         ) -> tuple[list[str], bool]:
    """:func:`best_subset` and whether it is proven optimal (False after the node limit).

    Example:
        >>> pack({"a": 2.0}, {"a": 5}, 4)
        ([], True)
    """
    names = [t for t in greedy_order(value_per_gas) if gas[t] <= limit]
    if sum(gas[t] for t in names) <= limit:
        return names, True
    positive = [t for t in names if value_per_gas[t] > 0]
    w = [gas[t] for t in positive]
    v = [value_per_gas[t] * gas[t] for t in positive]
    n = len(positive)
    if n > MAX_ITEMS:  # too deep for the exact search: greedy, flagged as not proven
        return _greedy(names, positive, gas, limit), False
    best_val = -1.0
    best: list[int] = []
    nodes = 0
    exact = True

    def bound(i: int, room: int, val: float) -> float:
        for k in range(i, n):
            if w[k] <= room:
                room -= w[k]
                val += v[k]
            else:
                return val + v[k] * room / w[k]
        return val

    chosen: list[int] = []

    def dfs(i: int, room: int, val: float) -> None:
        nonlocal best_val, best, nodes, exact
        nodes += 1
        if nodes > MAX_NODES:
            exact = False
            return
        if val > best_val:
            best_val, best = val, list(chosen)
        if i == n or bound(i, room, val) <= best_val:
            return
        if w[i] <= room:
            chosen.append(i)
            dfs(i + 1, room - w[i], val + v[i])
            chosen.pop()
        dfs(i + 1, room, val)

    dfs(0, limit, 0.0)
    if not exact:  # greedy in priority order, skipping what does not fit
        best, room = [], limit
        for k in range(n):
            if w[k] <= room:
                best.append(k)
                room -= w[k]
    picked = {positive[k] for k in best}
    room = limit - sum(gas[t] for t in picked)
    for t in names:  # zero-value transactions fill the space left
        if t not in picked and value_per_gas[t] <= 0 and gas[t] <= room:
            picked.add(t)
            room -= gas[t]
    return [t for t in names if t in picked], exact


def _greedy(names: list[str], positive: list[str], gas: Mapping[str, int], limit: int
            ) -> list[str]:
    picked, room = set(), limit
    for t in positive + [t for t in names if t not in set(positive)]:
        if gas[t] <= room:
            picked.add(t)
            room -= gas[t]
    return [t for t in names if t in picked]

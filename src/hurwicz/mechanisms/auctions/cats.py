"""Random combinatorial-auction instances in the style of the Combinatorial Auction Test Suite
(Leyton-Brown, Pearson & Shoham 2000, "Towards a Universal Test Suite for Combinatorial Auction
Algorithms", EC'00): the ``arbitrary`` and ``regions`` distributions, simplified.

- ``arbitrary``: items have common values; a bid's bundle grows item by item, each next item
  chosen with probability ∝ its relatedness to the bundle so far (a random symmetric matrix);
  value = Σ common values × (1 + noise) × |bundle|^0.2 (mild complementarity).
- ``regions``: items sit on a √m × √m grid; a bundle is a random walk of adjacent cells (a
  contiguous region), valued like ``arbitrary``.

Each bidder submits a few XOR bids on related bundles. The generator is deterministic in
``seed``.

Example:
    >>> inst = generate("regions", items=16, bids=30, seed=1)
    >>> len(inst["items"]), sum(len(b) for b in inst["bids"].values())
    (16, 30)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from hurwicz.core.errors import ParameterError


def _bundle_arbitrary(rng, m, related, size):
    first = int(rng.integers(m))
    bundle = [first]
    while len(bundle) < size:
        weights = related[bundle].sum(axis=0)
        weights[bundle] = 0.0
        if weights.sum() <= 0:
            break
        bundle.append(int(rng.choice(m, p=weights / weights.sum())))
    return bundle


def _bundle_regions(rng, side, size):
    cell = (int(rng.integers(side)), int(rng.integers(side)))
    bundle = {cell}
    frontier = [cell]
    while len(bundle) < size and frontier:
        x, y = frontier[int(rng.integers(len(frontier)))]
        nbrs = [(x + dx, y + dy) for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1))
                if 0 <= x + dx < side and 0 <= y + dy < side and (x + dx, y + dy) not in bundle]
        if not nbrs:
            frontier.remove((x, y))
            continue
        nxt = nbrs[int(rng.integers(len(nbrs)))]
        bundle.add(nxt)
        frontier.append(nxt)
    return [x * side + y for x, y in bundle]


def generate(distribution: str, items: int, bids: int, seed: int = 0,
             bids_per_bidder: int = 3) -> dict[str, Any]:
    """A combinatorial auction input with ``items`` items and ``bids`` XOR bids.

    Example:
        >>> sorted(generate("arbitrary", items=5, bids=4, seed=0))
        ['bids', 'items']
    """
    if distribution not in {"arbitrary", "regions"}:
        raise ParameterError("distribution", "must be 'arbitrary' or 'regions'")
    if items < 1 or bids < 0:
        raise ParameterError("items", "need at least one item and a non-negative bid count")
    rng = np.random.default_rng(seed)
    names = [f"i{k:0{len(str(items))}d}" for k in range(items)]
    common = rng.uniform(1.0, 10.0, items)
    related = rng.uniform(0, 1, (items, items)) ** 4
    related = (related + related.T) / 2
    side = math.ceil(math.sqrt(items))
    out: dict[str, list[dict[str, Any]]] = {}
    made = 0
    bidder = 0
    while made < bids:
        count = min(int(rng.integers(1, bids_per_bidder + 1)), bids - made)
        size = max(1, int(rng.geometric(0.35)))
        own = []
        for _ in range(count):
            if distribution == "regions":
                cells = [c for c in _bundle_regions(rng, side, size) if c < items]
                bundle = cells or [int(rng.integers(items))]
            else:
                bundle = _bundle_arbitrary(rng, items, related, min(size, items))
            bundle = sorted(set(bundle))
            value = float(common[bundle].sum() * (1 + rng.uniform(-0.2, 0.2))
                          * len(bundle) ** 0.2)
            own.append({"bundle": [names[i] for i in bundle], "value": round(value, 4)})
        out[f"b{bidder:04d}"] = own
        made += count
        bidder += 1
    return {"items": names, "bids": out}

"""Random inputs for audits and simulations without user-given inputs, one generator per input
schema (DESIGN.md). Each is attached to its family's base class as the ``random_instance``
hook with :func:`hook`; ``agents`` is the number of participants (a family default if None).

Values are small and rounded (two decimals, or whole numbers) so that counterexamples read
well; ties happen, which is what tie-breaking rules must survive.

Example:
    >>> import numpy as np
    >>> single_item(None, np.random.default_rng(0), 2)
    {'bids': {'a1': 6.37, 'a2': 2.7}}
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

Generator = Callable[[Any, np.random.Generator, int | None], dict[str, Any]]


def hook(generator: Generator) -> Callable[..., dict[str, Any]]:
    """A ``random_instance`` method calling ``generator(mechanism, rng, agents)``.

    Example:
        >>> class M:
        ...     random_instance = hook(lambda mech, rng, agents: {"n": agents})
        >>> M().random_instance(None, 3)
        {'n': 3}
    """

    def random_instance(self: Any, rng: np.random.Generator, agents: int | None
                        ) -> dict[str, Any]:
        return generator(self, rng, agents)

    random_instance.__doc__ = generator.__doc__
    return random_instance


def _money(rng: np.random.Generator, size: int | None = None, high: float = 10.0) -> Any:
    values = np.round(rng.uniform(0, high, size), 2)
    return float(values) if size is None else [float(v) for v in values]


def single_item(mech: Any, rng: np.random.Generator, agents: int | None) -> dict[str, Any]:
    """``{"bids": {a1: value, ...}}`` with values uniform on [0, 10].

    Example:
        >>> sorted(single_item(None, np.random.default_rng(1), 3)["bids"])
        ['a1', 'a2', 'a3']
    """
    n = agents or 3
    return {"bids": {f"a{i + 1}": _money(rng) for i in range(n)}}


def multi_unit(mech: Any, rng: np.random.Generator, agents: int | None) -> dict[str, Any]:
    """Three units; each bidder has 1–3 non-increasing marginal values.

    Example:
        >>> multi_unit(None, np.random.default_rng(0), 2)["units"]
        3
    """
    n = agents or 3
    bids = {f"a{i + 1}": sorted(_money(rng, int(rng.integers(1, 4))), reverse=True)
            for i in range(n)}
    return {"units": 3, "bids": bids}


def position(mech: Any, rng: np.random.Generator, agents: int | None) -> dict[str, Any]:
    """Slots with click-through rates 1, 0.6, 0.3 (one fewer slot than bidders, at most 3).

    Example:
        >>> position(None, np.random.default_rng(0), 3)["slots"]
        [1.0, 0.6]
    """
    n = agents or 3
    slots = [1.0, 0.6, 0.3][:max(1, min(3, n - 1))]
    return {"slots": slots, "bids": {f"a{i + 1}": _money(rng) for i in range(n)}}


def double(mech: Any, rng: np.random.Generator, agents: int | None) -> dict[str, Any]:
    """Half the traders buy, half sell (values and costs uniform on [0, 10]).

    Example:
        >>> sorted(double(None, np.random.default_rng(0), 4))
        ['buyers', 'sellers']
    """
    n = max(agents or 4, 2)
    buyers = (n + 1) // 2
    return {"buyers": {f"b{i + 1}": _money(rng) for i in range(buyers)},
            "sellers": {f"s{i + 1}": _money(rng) for i in range(n - buyers)}}


def combinatorial(mech: Any, rng: np.random.Generator, agents: int | None) -> dict[str, Any]:
    """Four items, two XOR bids per bidder (CATS-style "arbitrary" bundles).

    Example:
        >>> combinatorial(None, np.random.default_rng(0), 2)["items"]
        ['i0', 'i1', 'i2', 'i3']
    """
    from hurwicz.mechanisms.auctions.cats import generate

    n = agents or 3
    per = 1 if getattr(mech, "name", "") == "auction.greedy_combinatorial" else 2  # LOS
    return generate("arbitrary", items=4, bids=per * n, seed=int(rng.integers(2**31)),
                    bids_per_bidder=per)


def raffle(mech: Any, rng: np.random.Generator, agents: int | None) -> dict[str, Any]:
    """Two units; each identity enters 1..max_entries tickets.

    Example:
        >>> raffle(None, np.random.default_rng(0), 3)["units"]
        2
    """
    n = agents or 5
    most = getattr(getattr(mech, "params", None), "max_entries", 1)
    return {"units": 2, "entries": {f"u{i + 1}": int(rng.integers(1, most + 1))
                                    for i in range(n)}}


def funding(mech: Any, rng: np.random.Generator, agents: int | None) -> dict[str, Any]:
    """Contributors give 1–10 to one or two of three projects; pool 100; two social groups.

    Example:
        >>> f = funding(None, np.random.default_rng(0), 4)
        >>> f["pool"], sorted(f["groups"])
        (100.0, ['g1', 'g2'])
    """
    n = agents or 5
    contributions = []
    for i in range(n):
        for p in rng.choice(3, size=int(rng.integers(1, 3)), replace=False):
            contributions.append({"contributor": f"u{i + 1}", "project": f"p{p + 1}",
                                  "amount": float(rng.integers(1, 11))})
    members = [f"u{i + 1}" for i in range(n)]
    split = int(rng.integers(1, n)) if n > 1 else 1
    groups = {"g1": members[:split], "g2": members[split:]} if n > 1 else {"g1": members}
    return {"contributions": contributions, "pool": 100.0, "groups": groups}


def public_project(mech: Any, rng: np.random.Generator, agents: int | None) -> dict[str, Any]:
    """``{"values": {...}}`` for a Clarke pivot (values uniform on [0, 10]).

    Example:
        >>> len(public_project(None, np.random.default_rng(0), 3)["values"])
        3
    """
    n = agents or 3
    return {"values": {f"a{i + 1}": _money(rng) for i in range(n)}}


def two_sided(mech: Any, rng: np.random.Generator, agents: int | None) -> dict[str, Any]:
    """``agents`` proposers (default 4), about half as many receivers with capacities 1–2,
    complete strict lists on both sides.

    Example:
        >>> m = two_sided(None, np.random.default_rng(0), 4)
        >>> sorted(m["receivers"]), m["capacities"]
        (['r1', 'r2'], {'r1': 2, 'r2': 2})
    """
    n = agents or 4
    k = max(2, n // 2)
    props = [f"p{i + 1}" for i in range(n)]
    recs = [f"r{j + 1}" for j in range(k)]
    return {"proposers": {p: [recs[j] for j in rng.permutation(k)] for p in props},
            "receivers": {r: [props[i] for i in rng.permutation(n)] for r in recs},
            "capacities": {r: int(rng.integers(1, 3)) for r in recs}}


def one_sided(mech: Any, rng: np.random.Generator, agents: int | None) -> dict[str, Any]:
    """``agents`` agents ranking as many objects (capacity 1 each) in random orders.

    Example:
        >>> one_sided(None, np.random.default_rng(0), 2)["objects"]
        {'o1': 1, 'o2': 1}
    """
    n = agents or 3
    objects = [f"o{j + 1}" for j in range(n)]
    return {"agents": {f"a{i + 1}": [objects[j] for j in rng.permutation(n)] for i in range(n)},
            "objects": dict.fromkeys(objects, 1)}


def housing(mech: Any, rng: np.random.Generator, agents: int | None) -> dict[str, Any]:
    """A housing market: agent i owns house hi and ranks every house.

    Example:
        >>> housing(None, np.random.default_rng(0), 2)["agents"]["a1"]["owns"]
        'h1'
    """
    n = agents or 4
    houses = [f"h{i + 1}" for i in range(n)]
    return {"agents": {f"a{i + 1}": {"owns": houses[i],
                                     "ranking": [houses[j] for j in rng.permutation(n)]}
                       for i in range(n)}}


def kidney(mech: Any, rng: np.random.Generator, agents: int | None) -> dict[str, Any]:
    """A small Saidman-style pool of ``agents`` pairs (default 8) with 20% altruists.

    Example:
        >>> sorted(kidney(None, np.random.default_rng(0), 5))
        ['altruists', 'edges', 'pairs']
    """
    from hurwicz.mechanisms.matching.generators import kidney_pool

    return kidney_pool(agents or 8, altruist_share=0.2, seed=int(rng.integers(2**31)))


def quadratic_votes(mech: Any, rng: np.random.Generator, agents: int | None) -> dict[str, Any]:
    """Three candidates; each voter spends at most its voice credits on integer votes.

    Example:
        >>> q = quadratic_votes(None, np.random.default_rng(0), 2)
        >>> all(sum(v * v for v in b["votes"].values()) <= 100 for b in q["ballots"])
        True
    """
    n = agents or 5
    credits = getattr(getattr(mech, "params", None), "credits", 100)
    names = ["c1", "c2", "c3"]
    ballots = []
    for _ in range(n):
        votes: dict[str, int] = {}
        left = credits
        for c in rng.permutation(names):
            top = int(np.sqrt(left))
            w = int(rng.integers(-top, top + 1)) if top else 0
            if w:
                votes[str(c)] = w
                left -= w * w
        ballots.append({"votes": votes})
    return {"candidates": names, "ballots": ballots}


def delegation(mech: Any, rng: np.random.Generator, agents: int | None) -> dict[str, Any]:
    """Voters either rank three candidates or delegate to another voter (cycles possible).

    Example:
        >>> d = delegation(None, np.random.default_rng(0), 4)
        >>> len(d["ballots"]) + len(d["delegations"])
        4
    """
    n = agents or 5
    names = ["c1", "c2", "c3"]
    voters = [f"v{i + 1}" for i in range(n)]
    ballots, delegations = [], {}
    for i, v in enumerate(voters):
        if i > 0 and rng.random() < 0.4:
            delegations[v] = voters[int(rng.integers(n))] if n > 1 else v
            if delegations[v] == v:
                delegations[v] = voters[0]
        else:
            ballots.append({"voter": v, "ranking": [names[j] for j in rng.permutation(3)]})
    return {"candidates": names, "ballots": ballots, "delegations": delegations}

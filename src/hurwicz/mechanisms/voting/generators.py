"""Random preference profiles ("cultures") with a seed, as ranking arrays or election inputs.

* ``impartial`` — impartial culture: every ranking equally likely;
* ``mallows:PHI`` — Mallows (1957) around a reference ranking (default: input order), drawn by
  the repeated insertion model: candidate i (1-based) is inserted at position j ≤ i with
  probability ∝ PHI^(i − j); PHI = 1 is impartial culture, PHI → 0 everyone agrees;
* ``urn:ALPHA`` — Pólya–Eggenberger urn: voter t+1 copies a uniformly drawn earlier voter with
  probability αt / (1 + αt), else draws a fresh uniform ranking (α = 0: impartial culture);
* ``spatial:D`` — voters and candidates uniform in [0, 1]^D, each voter ranks candidates by
  Euclidean distance (D = 1 gives single-peaked profiles).

Approval ballots are derived from a ranking culture by approving each voter's top ``t``
candidates, ``t`` uniform in 1..m−1 (for ``spatial:D``: the candidates within distance 0.3… of
the voter, at least one).

Example:
    >>> import numpy as np
    >>> rankings = sample_rankings("mallows:0.0", 3, 4, np.random.default_rng(0))
    >>> rankings.tolist()
    [[0, 1, 2], [0, 1, 2], [0, 1, 2], [0, 1, 2]]
    >>> election("impartial", 3, 5, seed=1)["candidates"]
    ['c1', 'c2', 'c3']
"""

from __future__ import annotations

from typing import Any

import numpy as np

from hurwicz.core.errors import PriorError

CULTURES = ("impartial", "mallows:PHI", "urn:ALPHA", "spatial:D")
SPATIAL_RADIUS = 0.3


def parse_culture(spec: str) -> tuple[str, float]:
    """Split ``"mallows:0.5"`` into ``("mallows", 0.5)``; checks the parameter.

    Example:
        >>> parse_culture("urn:0.1"), parse_culture("impartial")
        (('urn', 0.1), ('impartial', 0.0))
    """
    name, _, arg = str(spec).partition(":")
    if name == "impartial" and not arg:
        return name, 0.0
    if name in ("mallows", "urn", "spatial") and arg:
        try:
            value = float(arg)
        except ValueError:
            raise PriorError(spec, f"{name} needs a number, got {arg!r}") from None
        if name == "mallows" and not 0 <= value <= 1:
            raise PriorError(spec, "mallows:PHI needs 0 <= PHI <= 1")
        if name == "urn" and value < 0:
            raise PriorError(spec, "urn:ALPHA needs ALPHA >= 0")
        if name == "spatial" and (value != int(value) or value < 1):
            raise PriorError(spec, "spatial:D needs a whole dimension D >= 1")
        return name, value
    raise PriorError(spec, f"is not a preference culture (expected one of "
                     f"{', '.join(CULTURES)})")


def is_culture(spec: Any) -> bool:
    """Whether ``spec`` names a preference culture (rather than a numeric prior).

    Example:
        >>> is_culture("mallows:0.3"), is_culture("uniform:0,1")
        (True, False)
    """
    return isinstance(spec, str) and spec.partition(":")[0] in ("impartial", "mallows", "urn",
                                                                 "spatial")


def _mallows(m: int, n: int, phi: float, rng: np.random.Generator) -> np.ndarray:
    out = np.empty((n, m), dtype=np.int64)
    for v in range(n):
        order: list[int] = []
        for i in range(m):  # insert candidate i among the first i+1 positions
            weights = phi ** np.arange(i, -1, -1, dtype=float) if phi > 0 else (
                np.eye(1, i + 1, i).ravel())
            j = int(rng.choice(i + 1, p=weights / weights.sum()))
            order.insert(j, i)
        out[v] = order
    return out


def sample_rankings(spec: str, m: int, n: int, rng: np.random.Generator,
                    positions: bool = False) -> np.ndarray:
    """``n`` complete rankings of ``m`` candidates (row = candidate indices, best first).

    Example:
        >>> sample_rankings("impartial", 3, 2, np.random.default_rng(0)).shape
        (2, 3)
    """
    name, value = parse_culture(spec)
    if m < 1 or n < 0:
        raise PriorError(spec, "needs at least one candidate and a non-negative number of "
                         "voters")
    if name == "impartial":
        return np.argsort(rng.random((n, m)), axis=1)
    if name == "mallows":
        return _mallows(m, n, value, rng)
    if name == "urn":
        out = np.empty((n, m), dtype=np.int64)
        for t in range(n):
            if t > 0 and rng.random() < value * t / (1 + value * t):
                out[t] = out[int(rng.integers(t))]
            else:
                out[t] = rng.permutation(m)
        return out
    dim = int(value)
    voters, cands = rng.random((n, dim)), rng.random((m, dim))
    distance = np.linalg.norm(voters[:, None, :] - cands[None, :, :], axis=2)
    return np.argsort(distance, axis=1, kind="stable")


def sample_approvals(spec: str, m: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` approval sets as a boolean matrix [voters, candidates] (each non-empty).

    Example:
        >>> sample_approvals("impartial", 4, 3, np.random.default_rng(0)).any(axis=1).all()
        np.True_
    """
    name, value = parse_culture(spec)
    if name == "spatial":
        dim = int(value)
        voters, cands = rng.random((n, dim)), rng.random((m, dim))
        distance = np.linalg.norm(voters[:, None, :] - cands[None, :, :], axis=2)
        approve = distance <= SPATIAL_RADIUS * np.sqrt(dim)
        approve[np.arange(n), distance.argmin(axis=1)] = True
        return approve
    rankings = sample_rankings(spec, m, n, rng)
    top = rng.integers(1, max(m, 2), size=n)
    approve = np.zeros((n, m), bool)
    for v in range(n):
        approve[v, rankings[v, :top[v]]] = True
    return approve


def election(spec: str, m: int, n: int, seed: int | None = None, kind: str = "ranking",
             rng: np.random.Generator | None = None, max_score: int = 5) -> dict[str, Any]:
    """A random election input: ``kind`` ``"ranking"``, ``"approve"`` or ``"scores"``
    (scores: 0..max_score, decreasing along a sampled ranking). Identical ballots are merged.

    Example:
        >>> e = election("urn:1.0", 3, 10, seed=0)
        >>> sum(b["count"] for b in e["ballots"])
        10
    """
    rng = rng or np.random.default_rng(seed)
    names = [f"c{i + 1}" for i in range(m)]
    if kind == "approve":
        rows = [tuple(names[c] for c in np.nonzero(a)[0])
                for a in sample_approvals(spec, m, n, rng)]
        return {"candidates": names, "ballots": _merged(rows, "approve")}
    rankings = sample_rankings(spec, m, n, rng)
    if kind == "scores":
        scale = np.linspace(max_score, 0, m).round().astype(int)
        rows = [tuple((names[c], int(scale[k])) for k, c in enumerate(r)) for r in rankings]
        ballots = _merged(rows, "scores")
        for b in ballots:
            b["scores"] = dict(b["scores"])
        return {"candidates": names, "ballots": ballots}
    rows = [tuple(names[c] for c in r) for r in rankings]
    return {"candidates": names, "ballots": _merged(rows, "ranking")}


def _merged(rows: list[tuple], field: str) -> list[dict[str, Any]]:
    counts: dict[tuple, int] = {}
    for row in rows:
        counts[row] = counts.get(row, 0) + 1
    return [{field: list(row), "count": k} for row, k in counts.items()]

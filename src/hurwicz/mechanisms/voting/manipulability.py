"""Manipulability rates of voting rules over a culture of profiles (as svvamp reports them).

For each sampled election the check asks:

* **individual manipulation** (IM): can one voter obtain a winner they strictly prefer by
  casting another ballot? Every alternative ballot is tried when the report space is small
  (all m! rankings for m ≤ 6, every approval set for m ≤ 9); otherwise a budget of swaps,
  pushes and random ballots is tried and the rate is a lower bound (``exhaustive: false``).
* **trivial (coalitional) manipulation** (TM, ranked rules): for a candidate c other than the
  winner w, all voters preferring c to w put c first and w last, keeping their sincere order
  on the rest; if c then wins, the election is coalitionally manipulable (a lower bound on
  coalitional manipulability, as in svvamp's ``is_tm_``).

The rate comes with a 95% Wilson interval over the sampled elections.

Example:
    >>> r = manipulability("voting.plurality", "impartial", voters=3, candidates=3,
    ...                    samples=20, seed=0)
    >>> 0 <= r["individual"]["rate"] <= 1, r["individual"]["exhaustive"]
    (True, True)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from hurwicz.auditing.spec import audit_spec
from hurwicz.core.errors import AuditError
from hurwicz.core.mechanism import Mechanism
from hurwicz.core.registry import mechanism as make_mechanism

from .generators import election, parse_culture


def wilson_interval(hits: int, total: int, z: float = 1.959964) -> tuple[float, float]:
    """95% Wilson score interval for a proportion.

    Example:
        >>> [round(x, 3) for x in wilson_interval(0, 10)]
        [0.0, 0.278]
    """
    if total == 0:
        return 0.0, 1.0
    p = hits / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return max(0.0, centre - half), min(1.0, centre + half)


def _ballot_kind(mech: Mechanism) -> str:
    if mech.family != "voting":
        raise AuditError(f"{mech.name}: manipulability rates are defined for voting rules",
                         "mechanism")
    field = getattr(audit_spec(mech), "ballot_field", None)
    if field in ("ranking", "approve", "scores"):
        return field
    raise AuditError(f"{mech.name}: manipulability rates need ranked, approval or score "
                     "ballots", "mechanism")


def individually_manipulable(mech: Mechanism, data: dict[str, Any], rng: np.random.Generator,
                             limit: int = 720, tolerance: float = 1e-9
                             ) -> tuple[dict[str, Any] | None, bool]:
    """A profitable unilateral deviation (or None) and whether every ballot was tried.

    One voter per distinct ballot is enough: identical voters have identical options.

    Example:
        >>> import hurwicz as hz
        >>> e = {"candidates": ["a", "b", "c"], "ballots": [{"ranking": ["a", "b", "c"]},
        ...      {"ranking": ["b", "c", "a"]}, {"ranking": ["c", "b", "a"], "count": 2}]}
        >>> found, complete = individually_manipulable(hz.mechanism("voting.plurality"), e,
        ...                                            np.random.default_rng(0))
        >>> found["voter"], found["ballot"], complete
        ('b0', ['b', 'a', 'c'], True)
    """
    spec = audit_spec(mech)
    truthful = mech.run(data)
    complete = True
    for g, ballot in enumerate(data["ballots"]):
        voter = f"b{g}"
        truth = ballot[spec.ballot_field]  # type: ignore[attr-defined]
        base = spec.utility(voter, truth, truthful)
        options, full = spec.deviations(data, voter, truth, rng, limit)
        complete &= full
        for option in options:
            out = mech.run(spec.with_reports(data, {voter: option}))
            if spec.utility(voter, truth, out) > base + tolerance:
                return {"voter": voter, "truth": truth, "ballot": option,
                        "winners": truthful.result["winners"],
                        "manipulated_winners": out.result["winners"]}, complete
    return None, complete


def trivially_manipulable(mech: Mechanism, data: dict[str, Any]) -> dict[str, Any] | None:
    """svvamp's trivial manipulation for ranked rules (complete rankings): the first candidate
    c for which it succeeds, or None.

    Example:
        >>> import hurwicz as hz
        >>> e = {"candidates": ["a", "b", "c"], "ballots": [{"ranking": ["a", "b", "c"],
        ...      "count": 2}, {"ranking": ["b", "c", "a"], "count": 2},
        ...      {"ranking": ["c", "b", "a"], "count": 1}]}
        >>> trivially_manipulable(hz.mechanism("voting.plurality"), e)["candidate"]
        'b'
    """
    (winner,) = mech.run(data).result["winners"][:1]
    for c in data["candidates"]:
        if c == winner:
            continue
        ballots = []
        coalition = 0
        for ballot in data["ballots"]:
            ranking = list(ballot["ranking"])
            if c in ranking and (winner not in ranking
                                 or ranking.index(c) < ranking.index(winner)):
                rest = [x for x in ranking if x not in (c, winner)]
                ranking = [c, *rest, winner]
                coalition += int(ballot.get("count", 1))
            ballots.append({"ranking": ranking, "count": int(ballot.get("count", 1))})
        if coalition and mech.run({**data, "ballots": ballots}).result["winners"][0] == c:
            return {"candidate": c, "against": winner, "coalition_size": coalition}
    return None


def manipulability(mech: Mechanism | str, culture: str = "impartial", voters: int = 5,
                   candidates: int = 3, samples: int = 200, seed: int = 0,
                   params: dict[str, Any] | None = None, coalitional: bool = True,
                   limit: int = 720) -> dict[str, Any]:
    """Share of sampled elections that are individually (and trivially coalitionally)
    manipulable, with Wilson intervals and a replayable example.

    Example:
        >>> r = manipulability("voting.borda", "impartial", voters=3, candidates=3,
        ...                    samples=30, seed=1)
        >>> r["profiles"], r["individual"]["manipulable"] <= 30
        (30, True)
    """
    if isinstance(mech, str):
        mech = make_mechanism(mech, **(params or {}))
    parse_culture(culture)
    kind = _ballot_kind(mech)
    if voters < 1 or candidates < 2 or samples < 1:
        raise AuditError("need voters >= 1, candidates >= 2 and samples >= 1", "samples")
    rng = np.random.default_rng(seed)
    im_hits = tm_hits = 0
    exhaustive = True
    im_example = tm_example = None
    for _ in range(samples):
        data = election(culture, candidates, voters, kind=kind, rng=rng,
                        max_score=getattr(mech.params, "max_score", 5))
        found, complete = individually_manipulable(mech, data, rng, limit)
        exhaustive &= complete
        if found:
            im_hits += 1
            im_example = im_example or {"election": data, **found}
        if coalitional and kind == "ranking":
            tm = trivially_manipulable(mech, data)
            if tm:
                tm_hits += 1
                tm_example = tm_example or {"election": data, **tm}
    report: dict[str, Any] = {
        "mechanism": mech.name, "params": mech.param_dict(), "culture": culture,
        "voters": voters, "candidates": candidates, "profiles": samples, "seed": seed,
        "individual": {"manipulable": im_hits, "rate": im_hits / samples,
                       "ci95": list(wilson_interval(im_hits, samples)),
                       "exhaustive": exhaustive, "example": im_example}}
    if coalitional and kind == "ranking":
        report["trivial_coalitional"] = {
            "manipulable": tm_hits, "rate": tm_hits / samples,
            "ci95": list(wilson_interval(tm_hits, samples)), "lower_bound": True,
            "example": tm_example}
    return report


"""Deferred acceptance with ties in receivers' priorities: the tie-break must come from names,
never from the input's key order (DESIGN.md, principle 1: outcomes are functions of the input's
content; ``hurwicz.core.tie_break``: a seeded priority depends on the seed and the name only).

Regression: with ``tie_break=seed, lottery="multiple"`` (formerly ``tie_break="multiple"``) the
lotteries were drawn receiver by receiver in the dict's iteration order, so reordering the keys
of ``receivers`` changed the matching. Single and multiple tie-breaking as in Abdulkadiroğlu,
Pathak & Roth (2009), "Strategy-proofness versus efficiency in matching with indifferences",
AER 99(5): one lottery shared by every school, or one per school.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

import hurwicz as hz
from hurwicz.core.errors import InputError
from hurwicz.core.tie_break import seeded_priority

DA = "matching.deferred_acceptance"


def _tied_market(rng: random.Random, n: int = 6, m: int = 3) -> dict[str, Any]:
    """Coarse priorities (two or three tie classes per school) so that ties decide a lot."""
    students = [f"st{i}" for i in range(n)]
    schools = [f"sc{j}" for j in range(m)]
    receivers = {}
    for c in schools:
        order = rng.sample(students, n)
        cut = sorted(rng.sample(range(1, n), 2))
        receivers[c] = [order[:cut[0]], order[cut[0]:cut[1]], order[cut[1]:]]
    proposers = {s: rng.sample(schools, rng.randint(1, m)) for s in students}
    return {"proposers": proposers, "receivers": receivers,
            "capacities": {c: rng.randint(1, 2) for c in schools}}


def _shuffled(data: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """The same market with the insertion order of every mapping shuffled (and the members of
    each tie group), keeping every list's meaning."""
    out: dict[str, Any] = {}
    for key in rng.sample(sorted(data), len(data)):
        value = data[key]
        items = rng.sample(sorted(value.items()), len(value))
        if key == "receivers":
            items = [(r, [rng.sample(e, len(e)) if isinstance(e, list) else e for e in v])
                     for r, v in items]
        out[key] = dict(items)
    return out


@pytest.mark.parametrize("lottery", ["single", "multiple"])
@pytest.mark.parametrize("seed", [0, 1, 2, 7, 42, 2024])
def test_matching_is_invariant_to_key_order(lottery: str, seed: int) -> None:
    m = hz.mechanism(DA, tie_break=seed, lottery=lottery)
    rng = random.Random(seed * 31 + len(lottery))
    changed_by_seed = False
    for _ in range(15):
        data = _tied_market(rng)
        base = m.run(data).result["matching"]
        for _ in range(4):
            assert m.run(_shuffled(data, rng)).result["matching"] == base
        other = hz.mechanism(DA, tie_break=seed + 1, lottery=lottery).run(data)
        changed_by_seed |= other.result["matching"] != base
    assert changed_by_seed  # the ties matter in these markets: the seed does change outcomes


def test_receiver_proposing_da_and_school_ttc_are_invariant_too() -> None:
    rng = random.Random(5)
    for name, params in [(DA, {"proposing": "receivers"}), ("matching.school_ttc", {}),
                         ("matching.boston", {})]:
        for lottery in ("single", "multiple"):
            m = hz.mechanism(name, tie_break=11, lottery=lottery, **params)
            for _ in range(10):
                data = _tied_market(rng)
                assert m.run(_shuffled(data, rng)).result["matching"] == m.run(
                    data).result["matching"], name


def test_multiple_lottery_is_per_school_and_single_is_shared() -> None:
    """Two students, both ranking x then y, tied at both one-seat schools: x takes the one the
    tie-break ranks first there. Single tie-breaking: the lower lottery number of (seed, name);
    multiple: of (seed, school, name) — names only either way."""
    data = {"proposers": {"u": ["x", "y"], "w": ["x", "y"]},
            "receivers": {"x": [["u", "w"]], "y": [["w", "u"]]}}
    outcomes = set()
    for seed in range(12):
        single = hz.mechanism(DA, tie_break=seed, lottery="single").run(data)
        prio = dict(zip("uw", seeded_priority(seed, ["u", "w"]).tolist()))
        assert single.result["matching"][min("uw", key=prio.__getitem__)] == "x"
        multi = hz.mechanism(DA, tie_break=seed, lottery="multiple").run(data)
        px = dict(zip("uw", seeded_priority(seed, ["x\x1fu", "x\x1fw"]).tolist()))
        assert multi.result["matching"][min("uw", key=px.__getitem__)] == "x"
        outcomes.add((single.result["matching"]["u"], multi.result["matching"]["u"]))
    assert len(outcomes) > 1


@pytest.mark.parametrize("name", [DA, "matching.boston", "matching.school_ttc"])
def test_empty_tie_group_is_refused_naming_the_field(name: str) -> None:
    data = {"proposers": {"s1": ["c1"], "s2": ["c1"]}, "receivers": {"c1": [[], "s1"]}}
    with pytest.raises(InputError) as err:
        hz.mechanism(name).run(data)
    assert err.value.field == "receivers.c1.0"
    assert "empty tie group" in str(err.value)

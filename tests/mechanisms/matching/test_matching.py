"""Matching markets: known instances, invariants, audits and a cross-check with `matching`.

Sources: Gale & Shapley (1962), AMM 69(1) — DA is stable and proposer-optimal; Gusfield & Irving,
*The Stable Marriage Problem* (1989), §1.2 — a cyclic 3×3 instance whose man- and woman-optimal
matchings differ; Dubins & Freedman (1981) and Roth (1982) — DA is strategy-proof for proposers;
Abdulkadiroğlu & Sönmez (2003), AER 93(3) — Boston is manipulable, school TTC is strategy-proof;
Shapley & Scarf (1974) and Roth (1982) — TTC is IR, Pareto efficient and strategy-proof;
Bogomolnaia & Moulin (2001), JET 100(2), §2 — RSD gives agent 1 (5/12, 1/12, 5/12, 1/12) and
PS gives (1/2, 0, 1/2, 0) on their four-agent example.
"""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hurwicz as hz
from hurwicz.core.errors import InputError
from hurwicz.mechanisms.matching.one_sided import (
    probabilistic_serial,
    rsd_probabilities,
    validate_one_sided,
)
from hurwicz.mechanisms.matching.properties import (
    blocking_pair,
    individually_rational,
    pareto_improvement,
)

CYCLIC = {
    "proposers": {"m1": ["w1", "w2", "w3"], "m2": ["w2", "w3", "w1"], "m3": ["w3", "w1", "w2"]},
    "receivers": {"w1": ["m2", "m3", "m1"], "w2": ["m3", "m1", "m2"], "w3": ["m1", "m2", "m3"]},
}


def test_proposer_and_receiver_optimal_matchings_differ() -> None:
    men = hz.mechanism("matching.deferred_acceptance").run(CYCLIC)
    women = hz.mechanism("matching.deferred_acceptance", proposing="receivers").run(CYCLIC)
    assert men.result["matching"] == {"m1": "w1", "m2": "w2", "m3": "w3"}
    assert women.result["matching"] == {"m1": "w3", "m2": "w1", "m3": "w2"}
    m = hz.mechanism("matching.deferred_acceptance")
    assert blocking_pair(m, CYCLIC, men) is None and blocking_pair(m, CYCLIC, women) is None
    assert men.allocation["w1"] == ["m1"]  # receivers' view in allocation too


names_p = [f"s{i}" for i in range(6)]
names_r = [f"c{j}" for j in range(4)]


@st.composite
def markets(draw):
    proposers = {p: draw(st.permutations(names_r).map(lambda xs: xs[:draw(st.integers(0, 4))]))
                 for p in names_p[:draw(st.integers(1, 6))]}
    receivers = {}
    for r in names_r:
        listed = draw(st.permutations(list(proposers)))
        cut = draw(st.integers(0, len(listed)))
        tie = draw(st.booleans())
        lst = list(listed[:cut])
        receivers[r] = [lst[:2], *lst[2:]] if tie and len(lst) >= 2 else lst
    caps = {r: draw(st.integers(0, 2)) for r in names_r}
    return {"proposers": proposers, "receivers": receivers, "capacities": caps}


@settings(max_examples=80)
@given(markets(), st.integers(0, 3), st.sampled_from(["single", "multiple"]))
def test_da_is_stable_ir_and_respects_capacities(data, seed, lottery) -> None:
    for side in ("proposers", "receivers"):
        m = hz.mechanism("matching.deferred_acceptance", proposing=side, tie_break=seed,
                         lottery=lottery)
        out = m.run(data)
        assert blocking_pair(m, data, out) is None
        assert individually_rational(m, data, out) is None
        for r, held in out.result["assigned"].items():
            assert len(held) <= data["capacities"][r]


@settings(max_examples=60)
@given(markets())
def test_proposing_side_gets_its_optimal_stable_matching(data) -> None:
    strict = {**data, "receivers": {r: [x for e in v for x in (e if isinstance(e, list)
                                                              else [e])]
                                    for r, v in data["receivers"].items()}}
    mine = hz.mechanism("matching.deferred_acceptance").run(strict).result["matching"]
    theirs = hz.mechanism("matching.deferred_acceptance", proposing="receivers").run(
        strict).result["matching"]
    for p, prefs in strict["proposers"].items():
        def rank(r, prefs=prefs):
            return prefs.index(r) if r in prefs else len(prefs)
        assert rank(mine[p]) <= rank(theirs[p])


def test_ties_are_broken_reproducibly_by_seed() -> None:
    data = {"proposers": {f"s{i}": ["c"] for i in range(6)},
            "receivers": {"c": [[f"s{i}" for i in range(6)]]}, "capacities": {"c": 2}}
    winners = {seed: tuple(hz.mechanism("matching.deferred_acceptance", tie_break=seed)
                           .run(data).result["assigned"]["c"]) for seed in range(8)}
    again = {seed: tuple(hz.mechanism("matching.deferred_acceptance", tie_break=seed)
                         .run(data).result["assigned"]["c"]) for seed in range(8)}
    assert winners == again and len(set(winners.values())) > 1


def test_zero_capacity_and_more_applicants_than_seats() -> None:
    data = {"proposers": {"a": ["x", "y"], "b": ["x", "y"], "c": ["x"]},
            "receivers": {"x": ["c", "b", "a"], "y": ["a", "b"]},
            "capacities": {"x": 1, "y": 0}}
    out = hz.mechanism("matching.deferred_acceptance").run(data)
    assert out.result["matching"] == {"a": None, "b": None, "c": "x"}
    assert out.result["unmatched"] == ["a", "b"]


BOSTON = {"proposers": {"s1": ["c1", "c2"], "s2": ["c2", "c1"], "s3": ["c1", "c2"]},
          "receivers": {"c1": ["s2", "s1", "s3"], "c2": ["s1", "s3", "s2"]}}


def test_boston_is_manipulable_da_and_ttc_are_not() -> None:
    boston = hz.audit("matching.boston", inputs=[BOSTON], properties=["manipulable"])
    rec = boston.check("strategyproof")
    assert rec.holds is False and rec.counterexample is not None
    for name in ("matching.deferred_acceptance", "matching.school_ttc"):
        r = hz.audit(name, inputs=[BOSTON], properties=["strategyproof"]).check("strategyproof")
        assert r.holds is True, name
        assert r.exhaustive is True  # every full-ranking profile, and every report
        assert "full rankings of 3 agents" in r.budget["space"]
    # Boston's own outcome here: s3 is left out; reporting c2 first gets it c2
    out = hz.mechanism("matching.boston").run(BOSTON)
    assert out.result["matching"]["s3"] is None
    dev = hz.mechanism("matching.boston").run({**BOSTON, "proposers": {**BOSTON["proposers"],
                                                                        "s3": ["c2", "c1"]}})
    assert dev.result["matching"]["s3"] == "c2"


def test_justified_envy_and_stability_properties_via_audit() -> None:
    rep = hz.audit("matching.deferred_acceptance", inputs=[BOSTON],
                   properties=["stable", "no_justified_envy"])
    assert rep.check("stable").holds is True and rep.check("no_justified_envy").holds is True
    boston_envy = hz.audit("matching.boston", inputs=[BOSTON],
                           properties=["no_justified_envy"])
    assert boston_envy.check("no_justified_envy").holds is False


def test_shapley_scarf_ttc() -> None:
    data = {"agents": {"a": {"owns": "h1", "ranking": ["h3", "h2", "h1"]},
                       "b": {"owns": "h2", "ranking": ["h1", "h3", "h2"]},
                       "c": {"owns": "h3", "ranking": ["h1", "h2", "h3"]},
                       "d": {"owns": "h4", "ranking": ["h3", "h4"]}}}
    out = hz.mechanism("matching.ttc").run(data)
    # round 1: a→c (h3), c→a (h1): cycle a↔c; round 2: b keeps h2 (h1, h3 gone); d keeps h4
    assert out.allocation == {"a": "h3", "b": "h2", "c": "h1", "d": "h4"}
    assert pareto_improvement(None, data, out) is None


@settings(max_examples=60)
@given(st.integers(2, 6), st.randoms(use_true_random=False))
def test_ttc_is_individually_rational_and_pareto_efficient(n, rnd) -> None:
    houses = [f"h{i}" for i in range(n)]
    agents = {}
    for i in range(n):
        ranking = houses[:]
        rnd.shuffle(ranking)
        agents[f"a{i}"] = {"owns": houses[i], "ranking": ranking[:rnd.randint(0, n)]}
    data = {"agents": agents}
    m = hz.mechanism("matching.ttc")
    out = m.run(data)
    for a, e in agents.items():
        truth = e["ranking"] if e["owns"] in e["ranking"] else e["ranking"] + [e["owns"]]
        got = out.allocation[a]
        assert got in truth and truth.index(got) <= truth.index(e["owns"])  # IR
    assert pareto_improvement(m, data, out) is None
    assert sorted(out.allocation.values()) == sorted(houses)


def test_ttc_is_strategyproof_on_every_small_profile() -> None:
    data = {"agents": {"a": {"owns": "x", "ranking": ["y", "z", "x"]},
                       "b": {"owns": "y", "ranking": ["z", "x", "y"]},
                       "c": {"owns": "z", "ranking": ["x", "y", "z"]}}}
    rec = hz.audit("matching.ttc", inputs=[data], properties=["strategyproof"]).check(
        "strategyproof")
    assert rec.holds is True and rec.exhaustive is True


def test_bogomolnaia_moulin_rsd_vs_ps() -> None:
    inp = validate_one_sided({"agents": {"1": ["a", "b", "c", "d"], "2": ["a", "b", "c", "d"],
                                         "3": ["b", "a", "d", "c"], "4": ["b", "a", "d", "c"]},
                              "objects": {"a": 1, "b": 1, "c": 1, "d": 1}})
    rsd = rsd_probabilities(inp)
    ps = probabilistic_serial(inp)
    assert rsd["1"] == {"a": Fraction(5, 12), "b": Fraction(1, 12), "c": Fraction(5, 12),
                        "d": Fraction(1, 12)}
    assert ps["1"] == {"a": Fraction(1, 2), "c": Fraction(1, 2)}
    assert all(sum(p.values()) == 1 for p in ps.values())


def test_serial_dictatorship_order_and_capacity() -> None:
    data = {"agents": {"a": ["x", "y"], "b": ["x", "y"], "c": ["x"]},
            "objects": {"x": 2, "y": 0}}
    out = hz.mechanism("matching.serial_dictatorship", order=["c", "b", "a"]).run(data)
    assert out.allocation == {"a": None, "b": "x", "c": "x"}


@pytest.mark.parametrize(("data", "words"), [
    ({"proposers": {"a": ["zz"]}, "receivers": {"x": []}}, "proposers.a: unknown receiver"),
    ({"proposers": {"a": ["x", "x"]}, "receivers": {"x": []}}, "lists 'x' twice"),
    ({"proposers": {"a": []}, "receivers": {"x": ["a", "a"]}}, "receivers.x: lists 'a' twice"),
    ({"proposers": {"a": []}, "receivers": {"x": []}, "capacities": {"x": -1}},
     "capacities.x: must be >= 0"),
])
def test_bad_matching_inputs(data, words) -> None:
    with pytest.raises(InputError, match=words):
        hz.mechanism("matching.deferred_acceptance").run(data)


def test_house_owned_twice() -> None:
    with pytest.raises(InputError, match="owned twice"):
        hz.mechanism("matching.ttc").run({"agents": {"a": {"owns": "h", "ranking": []},
                                                     "b": {"owns": "h", "ranking": []}}})


def test_cross_check_with_the_matching_package() -> None:
    """Proposer-optimal stable marriages agree with `matching` (Wilde et al. 2020) on random
    complete markets (strict preferences make the optimal stable matching unique)."""
    from matching.games import StableMarriage

    rng = random.Random(0)
    for _ in range(40):
        n = rng.randint(2, 7)
        men = [f"m{i}" for i in range(n)]
        women = [f"w{i}" for i in range(n)]
        mp = {m: rng.sample(women, n) for m in men}
        wp = {w: rng.sample(men, n) for w in women}
        ours = hz.mechanism("matching.deferred_acceptance").run(
            {"proposers": mp, "receivers": wp}).result["matching"]
        game = StableMarriage.create_from_dictionaries(mp, wp)
        theirs = {str(s): str(r) for s, r in game.solve(optimal="suitor").items()}
        assert ours == theirs

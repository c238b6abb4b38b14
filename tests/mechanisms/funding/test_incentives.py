"""Sybils, colluders and the Clarke pivot mechanism, through the audit engine.

Utility model (hurwicz.mechanisms.funding.audit): donor i values a dollar of project p's funding
at θ_ip = √c_ip / Σ_j √c_jp — the value at which its truthful contribution is its own best
response under ideal QF (Buterin, Hitzig & Weyl 2019, §3) — and pays what it gives.

Closed forms: splitting a donation c into K identities raises plain QF's ideal match by
(R + √(Kc))² − (R + √c)² (Buterin, Hitzig & Weyl 2019: QF is not sybil-proof), worth θ times
that to the donor (it pays the same money); pairwise
matching's intra-sybil subsidy is (K−1)·c·M/(M + c/K) < (K−1)·c; identities kept in the donor's
group gain nothing under cluster matching (Miller, Weyl & Erichsen 2022). The Clarke pivot
mechanism is DSIC (Clarke 1971; Mas-Colell, Whinston & Green 1995, Prop. 23.C.4).
"""

from __future__ import annotations

import pytest

import hurwicz as hz
from hurwicz.mechanisms.funding.sybil import (
    pairwise_self_subsidy,
    qf_self_subsidy,
    qf_sybil_gain,
)

BIG_POOL = 1e9  # no scaling: ideal matches are paid in full


def round_with(groups: dict | None = None) -> dict:
    return {"pool": BIG_POOL, "groups": groups or {"g_attacker": ["a"], "g_b": ["b"],
                                                   "g_c": ["c"]},
            "contributions": [{"contributor": "a", "project": "p", "amount": 16},
                              {"contributor": "b", "project": "p", "amount": 1},
                              {"contributor": "c", "project": "p", "amount": 4}]}


def sybil_gain(name: str, k: int, **params) -> float:
    rep = hz.audit(name, inputs=[round_with()], adversary=f"sybil:{k}", params=params)
    return rep.check(f"sybil_proof:{k}").max_gain


def test_plain_qf_sybil_gain_grows_with_k_and_matches_the_closed_form() -> None:
    gains = [sybil_gain("funding.quadratic", k) for k in (2, 4, 8)]
    assert gains[0] < gains[1] < gains[2]
    # the best splitter is the big donor a (c = 16) with others' root sum R = 1 + 2 = 3; it
    # values the project's funding at θ = √16 / (√16 + √1 + √4) = 4/7 and pays the same money
    for k, gain in zip((2, 4, 8), gains):
        assert gain == pytest.approx(4 / 7 * qf_sybil_gain(16, 3, k))
    rep = hz.audit("funding.quadratic", inputs=[round_with()], adversary="sybil:4")
    rec = rep.check("sybil_proof:4")
    assert rec.holds is False and rec.counterexample["agent"] == "a"
    assert rec.counterexample["identities"] == ["a~1", "a~2", "a~3", "a~4"]


def test_pairwise_and_cluster_matching_damp_sybils() -> None:
    for k in (2, 4, 8):
        qf = sybil_gain("funding.quadratic", k)
        pw = sybil_gain("funding.pairwise", k, M=10.0)
        cm = sybil_gain("funding.cluster_match", k)
        assert pw < qf
        assert cm == pytest.approx(0.0, abs=1e-9)
    # the closed forms for one donor alone on a project
    assert pairwise_self_subsidy(16, 4, 10.0) < qf_self_subsidy(16, 4) == 48.0


def test_pairwise_intra_sybil_subsidy_closed_form() -> None:
    alone = {"pool": BIG_POOL, "contributions": [{"contributor": "a", "project": "p",
                                                  "amount": 16}]}
    m = hz.mechanism("funding.pairwise", M=10.0)
    split, _ = m.sybil_split(alone, "a", 4)
    assert m.run(split).result["ideal_matching"]["p"] == pytest.approx(
        pairwise_self_subsidy(16, 4, 10.0))
    q = hz.mechanism("funding.quadratic")
    assert q.run(q.sybil_split(alone, "a", 4)[0]).result["ideal_matching"]["p"] == \
        pytest.approx(qf_self_subsidy(16, 4))


def test_collusion_among_donors_is_found() -> None:
    """Real collusion, not over-donation: alone, no donor gains by giving more or less (the
    model makes each truthful amount a best response), yet two donors who raise their gifts
    together gain — their joint value of a dollar of funding exceeds each one's own."""
    alone = hz.audit("funding.quadratic", inputs=[round_with()], properties=["dsic"])
    assert alone.check("dsic").holds is True
    assert alone.check("dsic").budget["deviations"] > 0
    rep = hz.audit("funding.quadratic", inputs=[round_with()], adversary="coalition:2")
    rec = rep.check("coalition_strategyproof")
    assert rec.holds is False and rec.max_gain > 1.0
    ce = rec.counterexample
    members = ce["agent"]
    truth = {c["contributor"]: c["amount"] for c in round_with()["contributions"]}
    # both members give more than they want to, and the group pays for it
    assert all(sum(ce["deviation"]["report"][m].values()) > truth[m] for m in members)
    assert ce["deviating_utility"] - ce["truthful_utility"] == pytest.approx(rec.max_gain)


def test_bots_under_quadratic_funding() -> None:
    rep = hz.audit("funding.quadratic", inputs=[round_with()], adversary="bots:3")
    assert rep.check("bot_proof:3").holds is False


def test_clarke_pivot_truthful_and_budget_surplus() -> None:
    rep = hz.audit("funding.clarke", agents=3, prior="uniform:0,1",
                   properties=["dsic", "budget_balance"], samples=3000, params={"cost": 1.2})
    assert rep.check("dsic").holds is True
    assert rep.check("budget_balance").holds is True  # weak: taxes only add money
    ir = hz.audit("funding.clarke", agents=3, prior="uniform:0,1", properties=["ir"],
                  samples=1000, params={"cost": 1.2})
    assert ir.check("ir").holds is False  # equal cost shares can exceed a low value


def test_clarke_known_example() -> None:
    """MWG-style example: cost 90 shared 30 each; values 60, 20, 20: built (100 ≥ 90); without
    a the others' net value is −20 < 0, so a is pivotal and pays 30 + 20."""
    out = hz.mechanism("funding.clarke", cost=90).run({"values": {"a": 60, "b": 20, "c": 20}})
    assert out.result["build"] is True
    assert out.result["taxes"] == {"a": 20.0, "b": 0.0, "c": 0.0}
    not_built = hz.mechanism("funding.clarke", cost=90).run({"values": {"a": 50, "b": 20,
                                                                        "c": 15}})
    # net values 20, −10, −15: sum −5 → not built; without a: −25 (no change); without b:
    # 5 ≥ 0 → b pivotal, pays 5; without c: 10 → c pivotal, pays 10
    assert not_built.result["build"] is False
    assert not_built.payments == {"a": 0.0, "b": 5.0, "c": 10.0}

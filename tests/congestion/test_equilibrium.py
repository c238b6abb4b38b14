"""User equilibrium, system optimum, marginal-cost tolls and the price of anarchy, against
answers from the literature."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hurwicz as hz
from hurwicz.congestion import Network, sioux_falls
from hurwicz.congestion.assignment import CostModel, _line_search
from hurwicz.core.errors import InputError


# --- Pigou and Braess -------------------------------------------------------------------------
def test_pigou_price_of_anarchy_is_four_thirds() -> None:
    # Roughgarden & Tardos (2002), "How bad is selfish routing?", §1 (Pigou's example): the
    # equilibrium sends everything on the x-link (cost 1); the optimum splits 1/2-1/2 (3/4)
    net = Network.pigou()
    ue, so = net.equilibrium(gap=1e-12), net.equilibrium(kind="system", gap=1e-12)
    assert ue.flow_array.tolist() == [1.0, 0.0] and ue.total_cost == 1.0
    assert so.flow_array == pytest.approx([0.5, 0.5], abs=1e-9)
    assert so.total_cost == pytest.approx(0.75, abs=1e-12)
    assert net.price_of_anarchy(gap=1e-12) == pytest.approx(4 / 3, abs=1e-9)


@pytest.mark.parametrize("p", [1, 2, 4])
def test_nonlinear_pigou_price_of_anarchy(p: int) -> None:
    # Roughgarden (2003), "The price of anarchy is independent of the network topology",
    # Pigou's network with cost x^p: PoA = [1 − p·(p+1)^(−(p+1)/p)]^(−1) (≈ 2.151 for p = 4)
    want = 1.0 / (1.0 - p * (p + 1) ** (-(p + 1) / p))
    assert Network.pigou(power=p).price_of_anarchy(gap=1e-12) == pytest.approx(want, rel=1e-8)


def test_braess_paradox() -> None:
    # Braess (1968): adding the zero-cost link A→B raises everyone's travel time from 65 to 80
    with_link, without = Network.braess(), Network.braess(shortcut=False)
    ue = with_link.equilibrium(gap=1e-12)
    assert ue.flows == {("s", "A"): 4000.0, ("A", "t"): 0.0, ("s", "B"): 0.0,
                        ("B", "t"): 4000.0, ("A", "B"): 4000.0}
    assert ue.total_travel_time / 4000 == 80.0
    split = without.equilibrium(gap=1e-12)
    assert split.flow_array == pytest.approx([2000, 2000, 2000, 2000], abs=1e-6)
    assert split.total_travel_time / 4000 == pytest.approx(65.0)
    # system optimum with the link: 1750 on each outer route, 500 through A→B (marginal costs
    # 2x/100 + 45 = 4x/100 at x = 2250), total 258,750; PoA = 320000/258750 = 256/207
    so = with_link.equilibrium(kind="system", gap=1e-12)
    assert so.flows[("A", "B")] == pytest.approx(500.0, abs=1e-6)
    assert so.total_cost == pytest.approx(258_750.0, rel=1e-12)
    assert with_link.price_of_anarchy(gap=1e-12) == pytest.approx(256 / 207, rel=1e-10)


def test_marginal_cost_tolls_turn_pigou_and_braess_into_their_optimum() -> None:
    # Pigou (1920)/Beckmann et al. (1956): the toll x·t'(x) at the optimum (1/2 on the
    # x-link) makes the optimum an equilibrium
    net = Network.pigou()
    tolls = net.marginal_cost_tolls(gap=1e-12)
    assert tolls == pytest.approx({("s", "t", 0): 0.5, ("s", "t", 1): 0.0}, abs=1e-9)
    braess = Network.braess()
    tolls = braess.marginal_cost_tolls(gap=1e-12)
    assert tolls[("s", "A")] == pytest.approx(22.5) and tolls[("A", "B")] == 0.0
    tolled = braess.with_tolls(tolls).equilibrium(gap=1e-12)
    assert tolled.flows[("A", "B")] == pytest.approx(500.0, abs=1e-4)
    assert tolled.total_cost == pytest.approx(258_750.0, rel=1e-9)
    assert tolled.toll_revenue == pytest.approx(2 * 2250 * 22.5, rel=1e-9)


# --- Sioux Falls ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sf() -> Network:
    return sioux_falls()


@pytest.fixture(scope="module")
def sf_user(sf: Network):
    return sf.equilibrium(gap=1e-8)


def test_sioux_falls_user_equilibrium_matches_the_published_objective(sf_user) -> None:
    # Transportation Networks for Research, SiouxFalls: best known Beckmann objective
    # 42.31335287107440 × 10^5 and total travel time 7,480,225.3 (Bar-Gera's solution)
    assert sf_user.converged and sf_user.relative_gap <= 1e-8
    assert f"{sf_user.objective:.7g}" == f"{4_231_335.287107440:.7g}"
    assert sf_user.objective == pytest.approx(4_231_335.287107440, rel=1e-9)
    assert sf_user.total_travel_time == pytest.approx(7_480_225.3, rel=1e-6)


def test_bi_conjugate_beats_plain_frank_wolfe_on_sioux_falls(sf: Network) -> None:
    # Mitradjieva & Lindberg (2013): BFW needs far fewer iterations than FW for a given gap
    bfw = sf.equilibrium(gap=1e-5, method="bfw")
    cfw = sf.equilibrium(gap=1e-5, method="cfw", max_iter=20_000)
    fw = sf.equilibrium(gap=1e-5, method="fw", max_iter=2_000)
    assert bfw.converged and bfw.relative_gap <= 1e-5
    assert bfw.iterations < cfw.iterations
    assert not fw.converged or fw.iterations > bfw.iterations
    assert bfw.objective == pytest.approx(4_231_335.287, rel=2e-6)


def test_sioux_falls_tolls_turn_user_equilibrium_into_system_optimum(sf: Network,
                                                                     sf_user) -> None:
    so = sf.equilibrium(kind="system", gap=1e-11)
    tolls = sf.marginal_cost_tolls(system=so)
    tolled = sf.with_tolls(tolls).equilibrium(gap=1e-11)
    assert so.converged and tolled.converged
    assert np.allclose(tolled.flow_array, so.flow_array, rtol=1e-5, atol=1e-3)
    assert tolled.total_travel_time == pytest.approx(so.total_cost, rel=1e-10)
    assert sf_user.total_travel_time > so.total_cost * 1.03  # selfish routing costs more
    # every used link's toll is x·t'(x) = t0·b·p·(x/c)^p at the optimum
    k = sf.link_keys.index((10, 15))
    x, c = so.flows[(10, 15)], sf.capacity[k]
    assert tolls[(10, 15)] == pytest.approx(sf.t0[k] * 0.15 * 4 * (x / c) ** 4, rel=1e-9)


def test_wardrop_conditions_hold_at_the_sioux_falls_equilibrium(sf: Network, sf_user) -> None:
    # every origin's used links lie on shortest paths: reduced costs of used links vanish
    # (up to the gap): check through SPTT = TSTT
    c = sf_user.link_costs
    tstt = float(np.dot(sf_user.flow_array, c))
    assert (tstt - tstt * (1 - sf_user.relative_gap)) / tstt <= 1e-8
    assert sf_user.total_cost == pytest.approx(tstt)


# --- properties -------------------------------------------------------------------------------
def _random_network(seed: int, power: float) -> Network:
    rng = np.random.default_rng(seed)
    nodes = list(range(5))
    links = []
    for u in nodes:
        for v in nodes:
            if u != v and rng.random() < 0.6:
                links.append({"tail": u, "head": v, "t0": float(rng.integers(0, 4)),
                              "a": float(rng.integers(0, 3)), "power": power})
    for u in range(4):  # a path so that every pair below is connected
        links.append({"tail": u, "head": u + 1, "t0": 1.0, "a": 1.0, "power": power})
        links.append({"tail": u + 1, "head": u, "t0": 1.0, "a": 1.0, "power": power})
    demand = {(0, 4): float(rng.integers(1, 5)), (1, 3): float(rng.integers(0, 3)),
              (4, 0): 1.0}
    return Network.from_links(links, demand)


@settings(max_examples=12, deadline=None, derandomize=True)
@given(st.integers(0, 10_000))
def test_linear_price_of_anarchy_is_at_most_four_thirds(seed: int) -> None:
    # Roughgarden & Tardos (2002), Theorem 4.5: affine costs give PoA ≤ 4/3 on any network
    poa = _random_network(seed, 1.0).price_of_anarchy(gap=1e-10)
    assert 1.0 - 1e-7 <= poa <= 4 / 3 + 1e-7


@settings(max_examples=8, deadline=None, derandomize=True)
@given(st.integers(0, 10_000))
def test_tolled_equilibrium_is_the_optimum_on_random_networks(seed: int) -> None:
    # quartic costs (BPR power 4): the Pigouvian tolls make the optimum an equilibrium
    # (Beckmann, McGuire & Winsten 1956); degree-4 PoA ≤ 2.151 (Roughgarden 2003)
    net = _random_network(seed, 4.0)
    so = net.equilibrium(kind="system", gap=1e-10)
    tolled = net.with_tolls(net.marginal_cost_tolls(gap=1e-10)).equilibrium(gap=1e-10)
    assert tolled.total_travel_time == pytest.approx(so.total_cost, rel=1e-6, abs=1e-9)
    ue = net.equilibrium(gap=1e-10)
    assert so.total_cost <= ue.total_cost * (1 + 1e-7)
    assert ue.total_cost <= 1 / (1 - 4 * 5 ** (-5 / 4)) * so.total_cost * (1 + 1e-7)


@settings(max_examples=20, deadline=None, derandomize=True)
@given(st.integers(0, 10_000))
def test_methods_agree_on_the_equilibrium_objective(seed: int) -> None:
    net = _random_network(seed, 2.0)
    gp = net.equilibrium(gap=1e-10, method="gp")
    bfw = net.equilibrium(gap=1e-6, method="bfw")
    assert gp.converged
    assert bfw.objective == pytest.approx(gp.objective, rel=1e-5, abs=1e-9)
    assert gp.objective <= bfw.objective + 1e-9 * max(1.0, abs(bfw.objective))


@settings(max_examples=50, deadline=None, derandomize=True)
@given(st.lists(st.floats(0, 10), min_size=3, max_size=3),
       st.lists(st.floats(-5, 5), min_size=3, max_size=3))
def test_line_search_finds_the_minimum_along_the_direction(x0: list, d0: list) -> None:
    model = CostModel(np.array([1.0, 2.0, 0.5]), np.array([0.1, 1.0, 0.0]),
                      np.array([4.0, 1.0, 1.0]))
    x, d = np.array(x0), np.array(d0)
    d = np.where(x + d < 0, -x, d)  # stay feasible at τ = 1
    tau = _line_search(model, x, d)
    f = model.objective(x + tau * d)
    for t in np.linspace(0, 1, 41):
        assert f <= model.objective(x + t * d) + 1e-9 * (1 + abs(f))


# --- input errors -----------------------------------------------------------------------------
def test_errors_name_the_field() -> None:
    with pytest.raises(InputError, match=r"^kind: must be 'user' or 'system'"):
        Network.pigou().equilibrium(kind="selfish")
    with pytest.raises(InputError, match=r"^gap: must be a number in \(0, 1\)"):
        Network.pigou().equilibrium(gap=0)
    with pytest.raises(InputError, match=r"^method: must be"):
        Network.pigou().equilibrium(method="msa")
    with pytest.raises(InputError, match=r"^demand\.t: is not a node"):
        Network.from_links([{"tail": "s", "head": "u", "t0": 1}], {("s", "t"): 1})
    with pytest.raises(InputError, match=r"^demand\.u\.s: zone s cannot be reached"):
        Network.from_links([{"tail": "s", "head": "u", "t0": 1}], {("u", "s"): 1})
    with pytest.raises(InputError, match=r"^links\[0\]\.capacity: must be a number"):
        Network.from_links([{"tail": 1, "head": 2, "free_flow_time": 1, "capacity": "x"}],
                           {(1, 2): 1})
    with pytest.raises(InputError, match=r"capacity: must be >= 0, got -5"):
        Network.from_links([{"tail": 1, "head": 2, "free_flow_time": 1, "capacity": -5}],
                           {(1, 2): 1})
    with pytest.raises(InputError, match=r"^links\.power: link \(1, 2\): must be 0 or >= 1"):
        Network.from_links([{"tail": 1, "head": 2, "a": 1, "power": 0.5}], {(1, 2): 1})
    with pytest.raises(InputError, match=r"^tolls\.\('s', 'x'\): is not a link"):
        Network.braess().with_tolls({("s", "x"): 1.0})


def test_reachable_through_hz_namespace() -> None:
    assert hz.congestion.Network is Network
    assert math.isclose(hz.congestion.Network.pigou().price_of_anarchy(), 4 / 3, rel_tol=1e-6)

"""TNTP reader edge cases found by an adversarial review (each failed before its fix)."""

from __future__ import annotations

import pytest

from hurwicz.congestion import Network
from hurwicz.core.errors import InputError

NET = ("<NUMBER OF ZONES> 2\n<NUMBER OF NODES> 2\n<FIRST THRU NODE> 1\n<END OF METADATA>\n"
       "~ init term cap len fft b power ;\n1 2 10 1 3 0.15 {power} ;\n")
TRIPS = "<NUMBER OF ZONES> 2\n<END OF METADATA>\nOrigin 1\n  2 : 10.0;\n"


def test_byte_order_mark_is_not_data(tmp_path):
    # a UTF-8 file saved with a BOM (Windows editors) was read as a link "\ufeff<NUMBER ..."
    net, trips = tmp_path / "x_net.tntp", tmp_path / "x_trips.tntp"
    net.write_text("\ufeff" + NET.format(power=4), encoding="utf-8")
    trips.write_text("\ufeff" + TRIPS, encoding="utf-8")
    eq = Network.from_tntp(net, trips).equilibrium()
    # one link, 10 trips: BPR time 3 · (1 + 0.15 · (10/10)^4) = 3.45 each
    assert eq.total_travel_time == pytest.approx(34.5)


def test_non_convex_power_names_the_file_and_line(tmp_path):
    net, trips = tmp_path / "x_net.tntp", tmp_path / "x_trips.tntp"
    net.write_text(NET.format(power=0.5))
    trips.write_text(TRIPS)
    with pytest.raises(InputError) as err:
        Network.from_tntp(net, trips)
    assert err.value.field == "x_net.tntp:6: power"


def test_atomic_price_of_anarchy_against_a_free_optimum_is_infinite():
    # found by brute force over small games: everyone on b (load 3, cost 0 each) is an
    # optimum costing 0, while (b), (b, a), (a) is also a pure equilibrium (b at load 2 costs
    # 2 to each of its two users, a at load 2 costs 0; nobody gains alone) costing 4. The
    # ratio 4/0 is unbounded; it was reported as 1.
    from hurwicz.congestion.atomic import AtomicCongestionGame

    g = AtomicCongestionGame([[["b"], ["b", "a"]], [["b", "a"], ["b"]], [["a"], ["b"]]],
                             {"a": [3, 0, 1], "b": [0, 2, 0]})
    assert g.optimum()[1] == 0
    worst = max(g.social_cost(p) for p in g.pure_nash())
    assert worst == 4
    assert g.price_of_anarchy() == float("inf")
    assert g.price_of_stability() == 1


@pytest.mark.parametrize("method", ["bfw", "cfw", "fw", "gp"])
@pytest.mark.parametrize("kind", ["user", "system"])
def test_a_trip_table_without_trips_has_the_empty_equilibrium(kind, method):
    # every trip 0 (or intrazonal): crashed with a numpy/scipy ValueError in every solver;
    # with no demand the zero flow is the equilibrium and the optimum (Beckmann 0, gap 0)
    net = Network.from_links([{"tail": 1, "head": 2, "t0": 1, "a": 1}], {(1, 2): 0.0})
    eq = net.equilibrium(kind, method=method)
    assert eq.flows == {(1, 2): 0.0} and eq.objective == 0 and eq.total_travel_time == 0
    assert eq.converged and eq.relative_gap == 0


def test_tiny_capacity_names_the_field():
    # capacity 1e-300: capacity**4 underflows to 0 and a bare ZeroDivisionError escaped
    with pytest.raises(InputError) as err:
        Network.from_links([{"tail": 1, "head": 2, "free_flow_time": 1, "capacity": 1e-300,
                             "b": 1, "power": 4}], {(1, 2): 1.0})
    assert err.value.field == "links[0]: capacity"


@pytest.mark.filterwarnings("ignore:overflow")
def test_overflowing_costs_are_not_a_converged_empty_equilibrium():
    # one link, 1e80 trips, t = 1 + x^4: the cost overflows to inf, the shortest paths saw no
    # route and the solver reported every flow 0 with relative gap 0, converged. A single
    # link must carry all the demand; failing that, the result must be refused.
    net = Network.from_links([{"tail": 1, "head": 2, "t0": 1, "a": 1, "power": 4}],
                             {(1, 2): 1e80})
    with pytest.raises(InputError) as err:
        net.equilibrium()
    assert err.value.field == "demand"
    # at a representable scale the single link carries everything (t = 1 + (1e10)^4)
    ok = Network.from_links([{"tail": 1, "head": 2, "t0": 1, "a": 1, "power": 4}],
                            {(1, 2): 1e10}).equilibrium()
    assert ok.flows == {(1, 2): 1e10} and ok.total_travel_time == pytest.approx(1e50)

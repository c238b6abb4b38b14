"""The TNTP reader: metadata, comments, terminators, zones closed to through traffic, and
errors that name the file, line and field."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hurwicz.congestion import Network, sioux_falls, sioux_falls_files
from hurwicz.core.errors import InputError

# zones 1-3, node 4; the cheap route 1 -> 2 -> 3 passes through zone 2
NET = """<NUMBER OF ZONES> 3
<NUMBER OF NODES> 4
<FIRST THRU NODE> {first}
<NUMBER OF LINKS> 4
<END OF METADATA>

~ init term capacity length fftt b power speed toll type ;
1\t2\t100\t1\t1\t0.15\t4\t0\t0\t1\t;
2\t3\t100\t1\t1\t0.15\t4\t0\t0\t1\t; ~ a comment after the terminator
1\t4\t100\t1\t5\t0.15\t4\t0\t0\t1\t;
4\t3\t100\t1\t5\t0.15\t4\t0\t0\t1\t;
"""
TRIPS = """<NUMBER OF ZONES> 3
<TOTAL OD FLOW> 10.0
<END OF METADATA>
~ a comment

Origin  1
    1 :      0.0;     3 :     10.0;
"""


def write(tmp_path: Path, net: str, trips: str = TRIPS) -> tuple[Path, Path]:
    (tmp_path / "t_net.tntp").write_text(net)
    (tmp_path / "t_trips.tntp").write_text(trips)
    return tmp_path / "t_net.tntp", tmp_path / "t_trips.tntp"


def test_sioux_falls_sizes_match_the_collection_readme() -> None:
    # Transportation Networks for Research: Sioux Falls has 24 zones, 24 nodes, 76 links,
    # 360,600 trips (LeBlanc, Morlok & Pierskalla 1975)
    net = sioux_falls()
    assert (len(net.nodes), len(net.tail), len(net.zones)) == (24, 76, 24)
    assert net.demand.sum() == pytest.approx(360_600.0)
    assert net.no_through == set()  # <FIRST THRU NODE> 1
    # link 1 -> 2: capacity 25900.20064, free-flow time 6, b 0.15, power 4
    k = net.link_keys.index((1, 2))
    assert net.t0[k] == 6 and net.a[k] == pytest.approx(6 * 0.15 / 25900.20064 ** 4)
    assert [p.name for p in sioux_falls_files()] == ["SiouxFalls_net.tntp",
                                                      "SiouxFalls_trips.tntp"]


def test_zones_below_the_first_through_node_are_not_passed_through(tmp_path: Path) -> None:
    open_ = Network.from_tntp(*write(tmp_path, NET.format(first=1)))
    closed = Network.from_tntp(*write(tmp_path, NET.format(first=4)))
    assert closed.no_through == {0, 1, 2}
    via_zone = open_.equilibrium(gap=1e-10).flows
    around = closed.equilibrium(gap=1e-10).flows
    assert via_zone[(1, 2)] == pytest.approx(10.0) and via_zone[(1, 4)] == 0.0
    assert around[(1, 2)] == 0.0 and around[(1, 4)] == pytest.approx(10.0)
    assert around[(4, 3)] == pytest.approx(10.0)


def test_a_zone_can_still_start_and_end_trips_when_closed(tmp_path: Path) -> None:
    trips = TRIPS.replace("3 :     10.0;", "2 :     4.0;    3 :     10.0;")
    closed = Network.from_tntp(*write(tmp_path, NET.format(first=4), trips))
    eq = closed.equilibrium(gap=1e-10)
    assert eq.flows[(1, 2)] == pytest.approx(4.0)  # to zone 2 itself
    assert eq.flows[(2, 3)] == 0.0  # never through it


def test_demand_to_an_unreachable_zone_is_an_error(tmp_path: Path) -> None:
    net = NET.format(first=4).replace("1\t4\t100\t1\t5", "3\t4\t100\t1\t5")
    with pytest.raises(InputError, match=r"demand\.1\.3: zone 3 cannot be reached from "
                                         r"zone 1 \(zones below the first through node"):
        Network.from_tntp(*write(tmp_path, net))


def test_negative_capacity_names_file_line_and_field(tmp_path: Path) -> None:
    net = NET.format(first=1).replace("2\t3\t100", "2\t3\t-100")
    with pytest.raises(InputError, match=r"t_net.tntp:9: capacity: must be >= 0, got -100"):
        Network.from_tntp(*write(tmp_path, net))


def test_missing_node_names_file_line_and_field(tmp_path: Path) -> None:
    net = NET.format(first=1).replace("4\t3\t100", "7\t3\t100")
    with pytest.raises(InputError, match=r"t_net.tntp:11: init_node: node 7 is not in the "
                                         r"network \(nodes are 1..4\)"):
        Network.from_tntp(*write(tmp_path, net))
    trips = TRIPS.replace("3 :     10.0;", "5 :     10.0;")
    with pytest.raises(InputError, match=r"t_trips.tntp:7: destination: zone 5 is not a zone"):
        Network.from_tntp(*write(tmp_path, NET.format(first=1), trips))


@pytest.mark.parametrize(("text", "message"), [
    ("1\t2\tx\t1\t1\t0.15\t4\t0\t0\t1\t;", r"t_net.tntp:7: not a number: 'x'"),
    ("1\t2\t100\t;", r"t_net.tntp:7: a link needs at least"),
    ("1\t2\t0\t1\t1\t0.15\t4\t0\t0\t1\t;", r"t_net.tntp:7: capacity: is 0 on a link"),
])
def test_malformed_link_lines(tmp_path: Path, text: str, message: str) -> None:
    net = NET.format(first=1).replace("<NUMBER OF LINKS> 4\n", "")
    lines = net.splitlines()
    lines[6] = text
    with pytest.raises(InputError, match=message):
        Network.from_tntp(*write(tmp_path, "\n".join(lines) + "\n"))


def test_link_count_must_match_the_metadata(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"NUMBER OF LINKS: says 5 but the file lists 4"):
        Network.from_tntp(*write(tmp_path, NET.format(first=1).replace(
            "<NUMBER OF LINKS> 4", "<NUMBER OF LINKS> 5")))


def test_negative_trips_and_garbage_in_trip_tables(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"t_trips.tntp:7: trips from 1 to 3 must be >= 0"):
        Network.from_tntp(*write(tmp_path, NET.format(first=1),
                                 TRIPS.replace("10.0;", "-10.0;")))
    with pytest.raises(InputError, match=r"t_trips.tntp:8: cannot read 'oops'"):
        Network.from_tntp(*write(tmp_path, NET.format(first=1), TRIPS + "  1 : 2; oops\n"))


def test_generalized_cost_weights_from_metadata_or_arguments(tmp_path: Path) -> None:
    net = NET.format(first=1).replace("<END OF METADATA>",
                                      "<DISTANCE FACTOR> 0.5\n<TOLL FACTOR> 2\n<END OF METADATA>")
    net = net.replace("2\t3\t100\t1\t1\t0.15\t4\t0\t0", "2\t3\t100\t1\t1\t0.15\t4\t0\t3")
    tagged = Network.from_tntp(*write(tmp_path, net))
    k = tagged.link_keys.index((2, 3))
    assert tagged.fixed_cost[k] == pytest.approx(2 * 3 + 0.5 * 1)
    given = Network.from_tntp(*write(tmp_path, net), toll_factor=0.0, distance_factor=0.04)
    assert np.allclose(given.fixed_cost, 0.04)


def test_missing_files_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^net: cannot read"):
        Network.from_tntp(tmp_path / "none_net.tntp", tmp_path / "none_trips.tntp")


def test_anaheim_zones_closed_to_through_traffic_give_the_published_objective() -> None:
    # Anaheim (TNTP, <FIRST THRU NODE> 39): the Beckmann objective of the best-known
    # equilibrium flows is 1,286,032.17 (shared/data/tntp/README.md); letting traffic pass
    # through the 38 zones would give about 1,205,591 instead
    data = Path(__file__).parent / "data"
    net = Network.from_tntp(data / "Anaheim_net.tntp", data / "Anaheim_trips.tntp")
    assert len(net.no_through) == 38 and len(net.tail) == 914
    eq = net.equilibrium(gap=1e-9)
    assert eq.converged
    assert eq.objective == pytest.approx(1_286_032.17, abs=0.01)


def test_empty_network_file_and_bad_factors_name_the_culprit(tmp_path: Path) -> None:
    # An empty net file used to be reported against the *trips* file ("24 zones but only 0
    # nodes"), and a NaN/negative --toll-factor/--distance-factor as "links.fixed_cost".
    with pytest.raises(InputError) as err:
        Network.from_tntp(*write(tmp_path, ""))
    assert err.value.field == "t_net.tntp"
    net = NET.format(first=1)
    with pytest.raises(InputError) as err:
        Network.from_tntp(*write(tmp_path, net), toll_factor=float("nan"))
    assert err.value.field == "toll_factor"
    with pytest.raises(InputError) as err:
        Network.from_tntp(*write(tmp_path, net), distance_factor=-1.0)
    assert err.value.field == "distance_factor"

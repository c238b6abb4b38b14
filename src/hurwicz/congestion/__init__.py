"""Congestion and traffic: selfish routing on road networks and the tolls that fix it.

* :class:`Network` — TNTP reader, user equilibrium and system optimum with BPR costs
  (bi-conjugate Frank–Wolfe), marginal-cost tolls, price of anarchy; Pigou and Braess examples.
* :class:`AtomicCongestionGame` — Rosenthal's potential, best-response dynamics, pure Nash
  equilibria and price of anarchy by enumeration.

Example:
    >>> import hurwicz as hz
    >>> round(hz.congestion.Network.pigou().price_of_anarchy(), 6)
    1.333333
"""

from __future__ import annotations

from pathlib import Path

from .atomic import AtomicCongestionGame, BestResponseRun
from .network import Equilibrium, Network

__all__ = ["AtomicCongestionGame", "BestResponseRun", "Equilibrium", "Network", "sioux_falls",
           "sioux_falls_files"]


def sioux_falls_files() -> tuple[Path, Path]:
    """Paths of the bundled Sioux Falls network and trip table (TNTP; from the
    "Transportation Networks for Research" collection, LeBlanc et al. 1975).

    Example:
        >>> [p.name for p in sioux_falls_files()]
        ['SiouxFalls_net.tntp', 'SiouxFalls_trips.tntp']
    """
    from hurwicz.demo import examples_dir

    folder = examples_dir() / "inputs" / "tntp"
    return folder / "SiouxFalls_net.tntp", folder / "SiouxFalls_trips.tntp"


def sioux_falls() -> Network:
    """The Sioux Falls network with its demand (24 zones, 76 links, 360,600 trips).

    Example:
        >>> sioux_falls()
        Network('SiouxFalls': 24 nodes, 76 links, 24 zones, 360600 trips)
    """
    return Network.from_tntp(*sioux_falls_files())

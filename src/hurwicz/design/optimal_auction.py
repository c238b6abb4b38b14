"""``hz.design.optimal_auction``: Myerson's auction configured for a prior.

Example:
    >>> best = optimal_auction("uniform:0,1", agents=1, samples=50_000)
    >>> best.mechanism.name, best.reserves
    ('auction.myerson', [0.5])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hurwicz.core.errors import ParameterError
from hurwicz.core.registry import mechanism
from hurwicz.mechanisms.auctions.optimal import Myerson


@dataclass
class OptimalAuction:
    """The revenue-optimal mechanism, its reserves (one per bidder) and expected revenue."""

    mechanism: Myerson
    reserves: list[float]
    expected_revenue: float
    stderr: float


def optimal_auction(prior: str | Sequence[str], agents: int, samples: int = 200_000,
                    seed: int = 0) -> OptimalAuction:
    """Configure Myerson's auction for ``prior`` (one spec, or one per bidder) and ``agents``.

    Example:
        >>> r = optimal_auction(["uniform:0,1", "uniform:0,2"], agents=2, samples=20_000)
        >>> r.reserves
        [0.5, 1.0]
    """
    if agents < 1:
        raise ParameterError("agents", "must be at least 1")
    if not isinstance(prior, str):
        prior = list(prior)
        if len(prior) != agents:
            raise ParameterError("prior", f"lists {len(prior)} priors for {agents} agents")
    mech = mechanism("auction.myerson", prior=prior)
    assert isinstance(mech, Myerson)
    reserves = [round(vv.reserve, 9) for vv in mech.virtual_values(agents)]
    mean, se = mech.expected_revenue(agents, samples, seed)
    return OptimalAuction(mech, reserves, mean, se)

"""Mechanism design: optimal mechanisms for a prior.

Example:
    >>> import hurwicz as hz
    >>> best = hz.design.optimal_auction("uniform:0,1", agents=2, samples=50_000)
    >>> best.reserves, abs(best.expected_revenue - 5 / 12) < 4 * best.stderr
    ([0.5, 0.5], True)
"""

from .optimal_auction import OptimalAuction, optimal_auction

__all__ = ["OptimalAuction", "optimal_auction"]

"""The EIP-1559 base-fee update rule and a multi-block simulation of the base fee.

EIP-1559 (Buterin, Conner, Dudley, Slipper, Norden, Bakhta, "Fee market change for ETH 1.0
chain", https://eips.ethereum.org/EIPS/eip-1559) moves the base fee by at most 1/8 per block
towards the gas target (half the block limit):

    base_fee' = base_fee · (1 + (gas_used − gas_target) / gas_target / 8)

The specification computes it in integers (wei), with floor divisions in this order and a
minimum increase of 1 wei when the block is above target:

    delta = base_fee * |gas_used − gas_target| // gas_target // 8   (≥ 1 when above target)

:func:`next_base_fee` follows the specification exactly when every argument is an ``int``
and uses the real-valued formula otherwise.

Example:
    >>> next_base_fee(1_000_000_000, 30_000_000, 15_000_000)   # full block: +12.5 %
    1125000000
    >>> next_base_fee(100.0, 0, 15_000_000)                     # empty block: −12.5 %
    87.5
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from hurwicz.core.errors import InputError

#: BASE_FEE_MAX_CHANGE_DENOMINATOR of EIP-1559.
BASE_FEE_MAX_CHANGE_DENOMINATOR = 8
#: Most expected arrivals per block :func:`simulate_base_fee` accepts (shocks included).
MAX_ARRIVALS = 1e6


def next_base_fee(base_fee: int | float, gas_used: int | float, gas_target: int | float,
                  elasticity: int = 2) -> int | float:
    """The next block's base fee under EIP-1559: integer arithmetic exactly as in the EIP
    when all arguments are ints (wei), else ``base_fee · (1 + (used − target)/target/8)``.
    A block holds at most ``elasticity × gas_target`` gas (the EIP's
    ``ELASTICITY_MULTIPLIER = 2``, so the base fee moves by at most 1/8): more ``gas_used``
    is refused, as the EIP's block validity check does.

    Example:
        >>> next_base_fee(100, 15, 10)     # int: 100 + max(100*5//10//8, 1) = 106
        106
        >>> next_base_fee(7, 11, 10)       # int: the increase is at least 1 wei
        8
        >>> next_base_fee(100.0, 15, 10)
        106.25
    """
    for name, value in (("base_fee", base_fee), ("gas_used", gas_used),
                        ("gas_target", gas_target)):
        if isinstance(value, bool) or not isinstance(value, int | float | np.integer
                                                     | np.floating):
            raise InputError(name, f"must be a number, got {value!r}")
        if not math.isfinite(float(value)) or value < 0:
            raise InputError(name, f"must be a finite non-negative number, got {value!r}")
    if gas_target <= 0:
        raise InputError("gas_target", "must be positive")
    if isinstance(elasticity, bool) or not isinstance(elasticity, int | np.integer) \
            or elasticity < 1:
        raise InputError("elasticity", f"must be a positive integer, got {elasticity!r}")
    limit = elasticity * gas_target
    if gas_used > (limit if isinstance(limit, int | np.integer) else limit * (1 + 1e-12)):
        raise InputError("gas_used", f"{gas_used!r} exceeds the block limit "
                         f"elasticity × gas_target = {limit!r}")
    denom = BASE_FEE_MAX_CHANGE_DENOMINATOR
    if all(isinstance(v, int | np.integer) for v in (base_fee, gas_used, gas_target)):
        b, used, target = int(base_fee), int(gas_used), int(gas_target)
        if used == target:
            return b
        if used > target:
            return b + max(b * (used - target) // target // denom, 1)
        return b - b * (target - used) // target // denom
    return float(base_fee) * (1.0 + (float(gas_used) - float(gas_target))
                              / float(gas_target) / denom)


@dataclass
class BaseFeeSimulation:
    """Per-block series of a simulation: the base fee each block starts with, gas used,
    transactions included and left waiting, fees burned and tips paid."""

    base_fee: list[float] = field(default_factory=list)
    gas_used: list[int] = field(default_factory=list)
    included: list[int] = field(default_factory=list)
    pending: list[int] = field(default_factory=list)
    burned: list[float] = field(default_factory=list)
    tips: list[float] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready series."""
        return {k: list(v) for k, v in self.__dict__.items()}


def simulate_base_fee(blocks: int = 200, base_fee: float = 10.0, gas_target: int = 15_000_000,
                      arrivals: float = 600.0, value_mean: float = 20.0,
                      shocks: list[tuple[int, int, float]] | None = None, tip: float = 1.0,
                      tx_gas: int = 21_000, patience: int = 20, seed: int = 0
                      ) -> BaseFeeSimulation:
    """Simulate EIP-1559 over ``blocks`` blocks under demand shocks (seeded).

    Each block ``Poisson(arrivals × m)`` transactions arrive, ``m`` the product of the
    ``shocks`` ``(first_block, last_block, multiplier)`` active at that block, each of
    ``tx_gas`` gas with a value per gas drawn from an exponential of mean ``value_mean``;
    a transaction waits in the mempool for at most ``patience`` blocks. Every block includes
    the waiting transactions willing to pay ``base_fee + tip`` (highest values first) up to
    the limit ``2 × gas_target``, burns the base fee and pays the tips; then the base fee is
    updated by :func:`next_base_fee`. Under a demand shock the base fee climbs by up to 12.5 %
    per block until the willing demand is back near the target, then settles.

    Example:
        >>> sim = simulate_base_fee(blocks=60, shocks=[(20, 40, 3.0)], seed=0)
        >>> sim.base_fee[40] > sim.base_fee[19], max(sim.gas_used) <= 30_000_000
        (True, True)
    """
    if not isinstance(blocks, int) or blocks < 1:
        raise InputError("blocks", "must be a positive integer")
    for name, v, least in (("gas_target", gas_target, 1), ("tx_gas", tx_gas, 1),
                           ("patience", patience, 0)):
        if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < least:
            raise InputError(name, f"must be an integer >= {least}, got {v!r}")
    for name, v in (("base_fee", base_fee), ("arrivals", arrivals),
                    ("value_mean", value_mean), ("tip", tip)):
        if not math.isfinite(v) or v < 0:
            raise InputError(name, "must be a finite non-negative number")
    peak = float(arrivals)
    for k, shock in enumerate(shocks or []):
        if not isinstance(shock, tuple | list) or len(shock) != 3:
            raise InputError(f"shocks[{k}]", "must be (first_block, last_block, multiplier)")
        first, last, m = shock
        if not (isinstance(first, int) and isinstance(last, int)) or first > last:
            raise InputError(f"shocks[{k}]", "blocks must be integers with first <= last")
        if isinstance(m, bool) or not isinstance(m, int | float) or not math.isfinite(m) \
                or m < 0:
            raise InputError(f"shocks[{k}]", f"multiplier must be finite and >= 0, got {m!r}")
        peak *= max(float(m), 1.0)
    if peak > MAX_ARRIVALS:
        raise InputError("arrivals", f"up to {peak:.3g} arrivals per block (with the shocks) "
                         f"is more than this simulation handles ({MAX_ARRIVALS:.0e})")
    rng = np.random.default_rng(seed)
    limit = 2 * gas_target
    capacity = limit // tx_gas
    pool_values = np.zeros(0)
    pool_age = np.zeros(0, dtype=int)
    sim = BaseFeeSimulation()
    fee = float(base_fee)
    for b in range(blocks):
        mult = 1.0
        for first, last, m in shocks or []:
            if first <= b <= last:
                mult *= m
        k = int(rng.poisson(arrivals * mult))
        pool_values = np.concatenate([pool_values, rng.exponential(value_mean, k)])
        pool_age = np.concatenate([pool_age, np.zeros(k, dtype=int)])
        willing = np.flatnonzero(pool_values >= fee + tip)
        order = willing[np.argsort(-pool_values[willing], kind="stable")]
        chosen = order[:capacity]
        used = int(len(chosen) * tx_gas)
        sim.base_fee.append(fee)
        sim.gas_used.append(used)
        sim.included.append(len(chosen))
        sim.burned.append(fee * used)
        sim.tips.append(tip * used)
        keep = np.ones(len(pool_values), dtype=bool)
        keep[chosen] = False
        pool_age = pool_age + 1
        keep &= pool_age <= patience
        pool_values, pool_age = pool_values[keep], pool_age[keep]
        sim.pending.append(len(pool_values))
        fee = float(next_base_fee(fee, used, gas_target))
    return sim

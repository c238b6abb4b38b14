"""Transaction-fee mechanisms for congested block space: ``fees.first_price``,
``fees.second_price`` and ``fees.eip1559`` (one block each), the EIP-1559 base-fee rule
:func:`next_base_fee` and a multi-block base-fee simulation :func:`simulate_base_fee`.

Example:
    >>> import hurwicz as hz
    >>> hz.fees.next_base_fee(100, 20, 10)   # a full block (twice the target): +1/8
    112
"""

from .basefee import BaseFeeSimulation, next_base_fee, simulate_base_fee
from .mechanisms import Eip1559, FirstPrice, SecondPrice

__all__ = ["BaseFeeSimulation", "Eip1559", "FirstPrice", "SecondPrice", "next_base_fee",
           "simulate_base_fee"]

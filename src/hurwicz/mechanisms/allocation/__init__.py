"""Allocation of scarce goods: raffles (lotteries) and first-come-first-served.

Example:
    >>> import hurwicz as hz
    >>> "allocation.raffle" in hz.names()
    True
"""

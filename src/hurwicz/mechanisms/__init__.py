"""Mechanism families. Every module below this package is imported by the registry on first use.

Example:
    >>> import hurwicz as hz
    >>> "auction.vcg" in hz.names() or "auction.first_price" in hz.names()
    True
"""

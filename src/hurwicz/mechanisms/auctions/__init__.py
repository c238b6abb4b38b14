"""Auctions: single-item (first/second price, all-pay, posted price, English, Dutch) and more.

Example:
    >>> import hurwicz as hz
    >>> hz.mechanism("auction.first_price").run({"bids": {"a": 4, "b": 6}}).payments["b"]
    6.0
"""

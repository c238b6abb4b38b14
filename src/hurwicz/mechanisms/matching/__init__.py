"""Matching markets and exchange: deferred acceptance, Boston, serial dictatorship, probabilistic
serial, top trading cycles.

Example:
    >>> import hurwicz as hz
    >>> out = hz.mechanism("matching.deferred_acceptance").run({
    ...     "proposers": {"s1": ["c1"], "s2": ["c1"]}, "receivers": {"c1": ["s2", "s1"]}})
    >>> out.result["matching"]
    {'s1': None, 's2': 'c1'}
"""

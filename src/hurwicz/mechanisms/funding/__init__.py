"""Public-goods funding: quadratic funding and its collusion-resistant variants, and the Clarke
pivot mechanism for a binary public project.

Example:
    >>> import hurwicz as hz
    >>> out = hz.mechanism("funding.quadratic").run({"pool": 100, "contributions": [
    ...     {"contributor": "a", "project": "p", "amount": 4},
    ...     {"contributor": "b", "project": "p", "amount": 1}]})
    >>> out.result["matching"]
    {'p': 4.0}
"""

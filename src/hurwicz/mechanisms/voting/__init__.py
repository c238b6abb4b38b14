"""Voting rules over ranked ballots with counts (a first set of rules; see docs/voting.md).

Example:
    >>> import hurwicz as hz
    >>> hz.mechanism("voting.borda").run({"candidates": ["x", "y", "z"], "ballots": [
    ...     {"ranking": ["x", "y", "z"], "count": 2}, {"ranking": ["y", "z", "x"]}]}
    ... ).result["winners"]
    ['x']
"""

"""Voting rules over ranked ballots with counts (a first set of rules; see docs/voting.md).

Example:
    >>> import hurwicz as hz
    >>> hz.mechanism("voting.borda").run({"candidates": ["x", "y", "z"], "ballots": [
    ...     {"ranking": ["x", "y", "z"], "count": 2}, {"ranking": ["y", "z", "x"]}]}
    ... ).result["winners"]
    ['x']
"""


def __getattr__(name: str):
    # `hz.voting.axioms` without importing every voting module first
    if name == "axioms":
        import importlib

        return importlib.import_module(f"{__name__}.axioms")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

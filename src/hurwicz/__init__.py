"""hurwicz: a toolkit for mechanism design — run, audit, simulate, design and credibly execute.

Example:
    >>> import hurwicz as hz
    >>> out = hz.mechanism("auction.second_price").run({"bids": {"alice": 10, "bob": 8}})
    >>> out.allocation, out.payments
    ({'alice': 1, 'bob': 0}, {'alice': 8.0, 'bob': 0.0})
"""

from ._version import __version__
from .core import (
    BatchOutcome,
    HurwiczError,
    InputError,
    Mechanism,
    Outcome,
    ParameterError,
    Prior,
    PriorError,
    UnknownMechanismError,
    describe,
    get,
    list_mechanisms,
    mechanism,
    names,
    parse_prior,
    parse_priors,
    register,
)

__all__ = [
    "BatchOutcome",
    "HurwiczError",
    "InputError",
    "Mechanism",
    "Outcome",
    "ParameterError",
    "Prior",
    "PriorError",
    "UnknownMechanismError",
    "__version__",
    "describe",
    "get",
    "list_mechanisms",
    "mechanism",
    "names",
    "parse_prior",
    "parse_priors",
    "register",
]


def __getattr__(name: str):
    # Optional subsystems are imported lazily so that `import hurwicz` stays fast.
    import importlib

    lazy = {
        "audit": ("hurwicz.auditing", "audit"),
        "testing": ("hurwicz.testing", None),
        "evaluate": ("hurwicz.simulate", "evaluate"),
        "design": ("hurwicz.design", None),
        "simulate": ("hurwicz.simulate", None),
        "credible": ("hurwicz.credible", None),
        "io": ("hurwicz.io", None),
        "elicitation": ("hurwicz.mechanisms.elicitation", None),
        "congestion": ("hurwicz.congestion", None),
        "games": ("hurwicz.games", None),
        "fees": ("hurwicz.mechanisms.fees", None),
        "valuation": ("hurwicz.valuation", None),
        "fl": ("hurwicz.fl", None),
        "voting": ("hurwicz.mechanisms.voting", None),
    }
    if name in lazy:
        module_name, attr = lazy[name]
        module = importlib.import_module(module_name)
        return getattr(module, attr) if attr else module
    raise AttributeError(f"module 'hurwicz' has no attribute {name!r}")

"""Simulation: strategies and Monte Carlo evaluation (on the executors of :mod:`hurwicz.executors`).

Example:
    >>> import hurwicz as hz
    >>> hz.evaluate("auction.second_price", agents=2, prior="uniform:0,1",
    ...             samples=1000)["samples"]
    1000
"""

from hurwicz.executors import open_executor

from .evaluation import Evaluation
from .montecarlo import evaluate
from .strategies import best_response, parse_strategy

__all__ = ["Evaluation", "best_response", "evaluate", "open_executor", "parse_strategy"]

"""Demo handler for examples of kind ``evaluate``.

Example:
    >>> from rich.console import Console
    >>> import io
    >>> c = Console(file=io.StringIO(), width=120)
    >>> run_example({"mechanism": "auction.second_price", "agents": 2, "prior": "uniform:0,1",
    ...              "samples": 1000, "compare": [{"mechanism": "auction.first_price",
    ...                                            "strategy": "bne"}]}, c)
    >>> "auction.first_price" in c.file.getvalue()
    True
"""

from __future__ import annotations

from typing import Any

from rich.console import Console

from .cli import evaluation_table
from .montecarlo import evaluate


def run_example(example: dict[str, Any], console: Console) -> None:
    """Evaluate the example's mechanism (and any it is compared with) and print tables."""
    runs = [{"mechanism": example["mechanism"], "strategy": example.get("strategy", "truthful"),
             "params": example.get("params", {})}, *example.get("compare", [])]
    for run in runs:
        report = evaluate(run["mechanism"], example["agents"], example["prior"],
                          run.get("strategy", "truthful"), example.get("samples", 100_000),
                          example.get("seed", 0), params=run.get("params"))
        console.print(evaluation_table(report))

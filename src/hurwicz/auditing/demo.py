"""Demo handler for examples of kind ``audit``.

Example:
    >>> from rich.console import Console
    >>> import io
    >>> c = Console(file=io.StringIO(), width=120)
    >>> run_example({"mechanism": "auction.all_pay", "agents": 2, "prior": "uniform:0,1",
    ...              "properties": ["ir"], "samples": 100}, c)
    >>> "VIOLATED" in c.file.getvalue()
    True
"""

from __future__ import annotations

from typing import Any

from rich.console import Console

from .cli import report_table
from .engine import audit


def run_example(example: dict[str, Any], console: Console) -> None:
    """Run the audit an example describes and print its table and first counterexample."""
    report = audit(example["mechanism"], agents=example.get("agents"),
                   prior=example.get("prior"), properties=example.get("properties"),
                   samples=example.get("samples", 2000), seed=example.get("seed", 0),
                   adversary=example.get("adversary", "misreport"),
                   inputs=example.get("inputs"), params=example.get("params"))
    console.print(report_table(report))
    for rec in report.checks:
        if rec.counterexample is not None:
            ce = rec.counterexample
            if ce.get("identities"):
                how = f"acting through identities {', '.join(map(str, ce['identities']))}"
            else:
                how = f"by reporting {(ce.get('deviation') or {}).get('report')}"
            console.print(f"{rec.property}: agent {ce.get('agent')} gains {rec.max_gain:.4g} "
                          f"{how} (replayed through run())", highlight=False)

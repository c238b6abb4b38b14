"""Outputs people read: CSV rows and pandas frames, notebook HTML, report pages with figures,
and the schema and example input ``hurwicz describe`` shows (see docs/outputs.md).

pandas (the ``frames`` extra) and matplotlib (the ``plot`` extra) are imported only when a frame
or a figure is made; without them, a :class:`MissingExtraError` names the extra to install.

Example:
    >>> import hurwicz as hz
    >>> out = hz.mechanism("auction.first_price").run({"bids": {"a": 3, "b": 1}})
    >>> print(to_csv(*outcome_rows(out.to_dict())), end="")
    agent,allocation,payment
    a,1,3.0
    b,0,0.0
"""

from .html import audit_html, evaluation_html, kind_of, outcome_html, page, write_page
from .tables import (
    AUDIT_COLUMNS,
    EVALUATION_COLUMNS,
    OUTCOME_COLUMNS,
    MissingExtraError,
    audit_rows,
    evaluation_rows,
    fmt,
    frame,
    outcome_rows,
    summary_items,
    to_csv,
)

__all__ = ["AUDIT_COLUMNS", "EVALUATION_COLUMNS", "OUTCOME_COLUMNS", "MissingExtraError",
           "audit_html", "audit_rows", "evaluation_html", "evaluation_rows", "fmt", "frame",
           "kind_of", "outcome_html", "outcome_rows", "page", "summary_items", "to_csv",
           "write_page"]

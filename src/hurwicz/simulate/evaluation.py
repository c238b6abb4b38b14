"""The result of ``hz.evaluate``: a plain ``dict`` (its JSON document) that also shows itself.

Example:
    >>> ev = Evaluation({"mechanism": "m", "strategy": "truthful", "samples": 10,
    ...                  "revenue": {"mean": 1.0, "stderr": 0.1}, "utility": []})
    >>> ev["revenue"]["mean"], ev.to_dict() == ev
    (1.0, True)
"""

from __future__ import annotations

from typing import Any


class Evaluation(dict):
    """Expected revenue, welfare, efficiency and utilities (each ``{"mean", "stderr"}``) and
    the settings that produced them; a ``dict``, so ``ev["revenue"]["mean"]`` and
    ``json.dumps(ev)`` work as they always did. Notebooks show it as a table.

    Example:
        >>> ev = Evaluation({"mechanism": "m", "strategy": "truthful", "samples": 10,
        ...                  "revenue": {"mean": 1.0, "stderr": 0.1}, "utility": []})
        >>> "<table" in ev._repr_html_()
        True
    """

    def to_dict(self) -> dict[str, Any]:
        """The JSON document (a plain ``dict`` copy).

        Example:
            >>> type(Evaluation({"a": 1}).to_dict()).__name__
            'dict'
        """
        return dict(self)

    def rows(self) -> tuple[list[str], list[dict[str, Any]]]:
        """Columns and one row per quantity (``quantity, agent, mean, stderr``).

        Example:
            >>> Evaluation({"welfare": {"mean": 2.0, "stderr": 0.0}}).rows()[1][0]["quantity"]
            'welfare'
        """
        from hurwicz.report.tables import evaluation_rows

        return evaluation_rows(self)

    def to_frame(self) -> Any:
        """A pandas DataFrame with one row per quantity (needs the ``frames`` extra).

        Example:
            >>> Evaluation({"revenue": {"mean": 1.0, "stderr": 0.1}}).to_frame().shape
            (1, 4)
        """
        from hurwicz.report.tables import frame

        return frame(*self.rows(), "Evaluation.to_frame()")

    def _repr_html_(self) -> str:
        from hurwicz.report.html import evaluation_html

        return evaluation_html(self)

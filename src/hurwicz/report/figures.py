"""Figures of report pages: what to plot for each document, and the plot as inline SVG.

Choosing the data (:func:`outcome_figures`, :func:`audit_figures`, :func:`evaluation_figures`)
is separate from drawing it (:func:`svg`, matplotlib from the ``plot`` extra), so the numbers a
figure shows are known exactly: they travel with the figure in its ``data-values`` attribute.

* outcomes: funding rounds — contributions and match per project (stacked); elimination rules
  (IRV, STV, Coombs, ...) — each candidate's tally round by round; rules with scores — the scores;
  any outcome with payments — the payment of each agent;
* audits: the largest gain from deviating found for each property, against the tolerance;
* evaluations: the distributions of revenue and welfare over the sampled profiles (when the
  evaluation carries histograms: ``hz.evaluate(..., histograms=True)``).

Example:
    >>> figs = outcome_figures({"allocation": {}, "payments": {}, "result": {"rounds": [
    ...     {"tally": {"a": 3, "b": 2, "c": 1}}, {"tally": {"a": 3, "b": 3}}]}})
    >>> figs[0].key, figs[0].labels, figs[0].series
    ('rounds', ['a', 'b', 'c'], {'round 1': [3, 2, 1], 'round 2': [3, 3, None]})
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .tables import require

#: the most bars a figure draws (the largest ones; the caption says so)
MAX_BARS = 50


@dataclass
class FigureData:
    """One figure: bars (one group per label, one bar per series) or a histogram.

    Example:
        >>> FigureData("k", "t", ["a"], {"s": [1.0]}).values()
        {'labels': ['a'], 'series': {'s': [1.0]}}
    """

    key: str
    title: str
    labels: list[Any]
    series: dict[str, list[Any]]
    kind: str = "bars"  # "bars", "stacked" or "histogram"
    xlabel: str = ""
    ylabel: str = ""
    label_name: str = "label"
    edges: list[float] | None = None
    reference: tuple[str, float] | None = None  # a horizontal line: (name, y)
    note: str = ""
    svg: str = field(default="", repr=False)

    def values(self) -> dict[str, Any]:
        """The plotted numbers (the ``data-values`` JSON)."""
        doc: dict[str, Any] = {"labels": self.labels, "series": self.series}
        if self.edges is not None:
            doc["edges"] = self.edges
        if self.reference is not None:
            doc["reference"] = {"name": self.reference[0], "value": self.reference[1]}
        return doc


def _number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _numeric_map(value: Any) -> bool:
    return isinstance(value, Mapping) and bool(value) and all(_number(v) for v in value.values())


def _largest(labels: list[Any], series: dict[str, list[Any]]) -> tuple[list[Any], dict, str]:
    if len(labels) <= MAX_BARS:
        return labels, series, ""
    totals = [sum(abs(s[i] or 0) for s in series.values()) for i in range(len(labels))]
    keep = sorted(sorted(range(len(labels)), key=lambda i: -totals[i])[:MAX_BARS])
    return ([labels[i] for i in keep], {k: [v[i] for i in keep] for k, v in series.items()},
            f"the {MAX_BARS} largest of {len(labels)}")


# --- what to plot -------------------------------------------------------------------------------
def outcome_figures(doc: Mapping[str, Any]) -> list[FigureData]:
    """Figures for an outcome document (see the module docstring).

    Example:
        >>> [f.key for f in outcome_figures({"allocation": {"a": 1}, "payments": {"a": 2.0},
        ...                                  "result": {}})]
        ['payments']
    """
    result = doc.get("result") or {}
    figs: list[FigureData] = []
    matching = result.get("matching")
    if _numeric_map(matching):
        projects = list(matching)
        contributions = result.get("contributions")
        series: dict[str, list[Any]] = {}
        if _numeric_map(contributions) and set(contributions) >= set(projects):
            series["contributions"] = [contributions[p] for p in projects]
        series["match"] = [matching[p] for p in projects]
        labels, series, note = _largest(projects, series)
        figs.append(FigureData("matching", "Contributions and match per project", labels, series,
                               kind="stacked", ylabel="amount", label_name="project",
                               note=note))
    rounds = result.get("rounds")
    if isinstance(rounds, list) and rounds and all(
            isinstance(r, Mapping) and _numeric_map(r.get("tally")) for r in rounds):
        candidates: list[Any] = []
        for r in rounds:
            candidates += [c for c in r["tally"] if c not in candidates]
        series = {f"round {i + 1}": [r["tally"].get(c) for c in candidates]
                  for i, r in enumerate(rounds)}
        labels, series, note = _largest(candidates, series)
        figs.append(FigureData("rounds", "Tallies round by round", labels, series,
                               ylabel="votes", label_name="candidate", note=note))
    elif _numeric_map(result.get("scores")):
        scores = result["scores"]
        labels, series, note = _largest(list(scores), {"score": list(scores.values())})
        figs.append(FigureData("scores", "Scores", labels, series, ylabel="score",
                               label_name="candidate", note=note))
    payments = doc.get("payments") or {}
    if _numeric_map(payments) and any(v for v in payments.values()):
        labels, series, note = _largest(list(payments), {"payment": list(payments.values())})
        figs.append(FigureData("payments", "Payment of each agent", labels, series,
                               ylabel="payment", label_name="agent", note=note))
    return figs


def audit_figures(doc: Mapping[str, Any]) -> list[FigureData]:
    """The largest gain found for each property with a gain (the counterexamples follow the
    figure on the page).

    Example:
        >>> f = audit_figures({"checks": [{"property": "dsic", "max_gain": 0.25,
        ...                                "tolerance": 1e-9}]})[0]
        >>> f.labels, f.series
        (['dsic'], {'max gain': [0.25]})
    """
    checks = [c for c in doc.get("checks") or [] if _number(c.get("max_gain"))]
    if not checks:
        return []
    tolerance = max(float(c.get("tolerance") or 0.0) for c in checks)
    return [FigureData("max_gain", "Largest gain from deviating found, per property",
                       [c["property"] for c in checks],
                       {"max gain": [c["max_gain"] for c in checks]}, ylabel="gain",
                       label_name="property", reference=("tolerance", tolerance))]


def evaluation_figures(doc: Mapping[str, Any]) -> list[FigureData]:
    """Histograms of revenue and welfare over the sampled profiles (when present).

    Example:
        >>> f = evaluation_figures({"histograms": {"revenue": {"edges": [0.0, 0.5, 1.0],
        ...                                                    "counts": [3, 1]}}})[0]
        >>> f.labels, f.series, f.edges
        (['[0, 0.5)', '[0.5, 1]'], {'profiles': [3, 1]}, [0.0, 0.5, 1.0])
    """
    figs = []
    for key, hist in (doc.get("histograms") or {}).items():
        edges, counts = list(hist["edges"]), list(hist["counts"])
        labels = [f"[{edges[i]:.4g}, {edges[i + 1]:.4g}{']' if i == len(counts) - 1 else ')'}"
                  for i in range(len(counts))]
        figs.append(FigureData(key, f"Distribution of {key} over {sum(counts):,} profiles",
                               labels, {"profiles": counts}, kind="histogram", xlabel=key,
                               ylabel="profiles", label_name=key, edges=edges))
    return figs


# --- drawing ------------------------------------------------------------------------------------
_STRIP = (re.compile(r"<\?xml[^>]*\?>\s*"), re.compile(r"<!DOCTYPE[^>]*>\s*"),
          re.compile(r"<metadata>.*?</metadata>\s*", re.S))


def svg(fig: FigureData) -> str:
    """Draw ``fig`` with matplotlib (no pyplot, no global state) as inline SVG text.

    Example:
        >>> svg(FigureData("k", "t", ["a", "b"], {"s": [1.0, 2.0]})).startswith("<svg")
        True
    """
    mpl = require("matplotlib", "plot", "HTML figures")
    import numpy as np
    from matplotlib.figure import Figure

    with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "hurwicz",
                         "font.size": 9}):
        width = 6.4 if fig.kind == "histogram" else min(
            11.0, max(5.0, 0.35 * len(fig.labels) * max(1, len(fig.series)) + 2))
        figure = Figure(figsize=(width, 3.2), layout="constrained")
        ax = figure.subplots()
        if fig.kind == "histogram" and fig.edges is not None:
            counts = next(iter(fig.series.values()))
            ax.stairs(counts, fig.edges, fill=True, alpha=0.8)
        else:
            x = np.arange(len(fig.labels))
            n = len(fig.series)
            width_bar = 0.8 / (1 if fig.kind == "stacked" else max(n, 1))
            bottom = np.zeros(len(fig.labels))
            for i, (name, values) in enumerate(fig.series.items()):
                ys = np.array([np.nan if v is None else float(v) for v in values])
                if fig.kind == "stacked":
                    ax.bar(x, np.nan_to_num(ys), width_bar, bottom=bottom, label=name)
                    bottom = bottom + np.nan_to_num(ys)
                else:
                    ax.bar(x - 0.4 + width_bar * (i + 0.5), ys, width_bar, label=name)
            ax.set_xticks(x, [str(label) for label in fig.labels],
                          rotation=45 if len(fig.labels) > 8 else 0,
                          ha="right" if len(fig.labels) > 8 else "center")
            if n > 1:
                ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        if fig.reference is not None:
            ax.axhline(fig.reference[1], color="grey", linestyle="--", linewidth=1,
                       label=fig.reference[0])
        ax.set_title(fig.title)
        ax.set_xlabel(fig.xlabel)
        ax.set_ylabel(fig.ylabel)
        buf = io.StringIO()
        figure.savefig(buf, format="svg", metadata={"Date": None})
    text = buf.getvalue()
    for pattern in _STRIP:
        text = pattern.sub("", text)
    return text.strip()


def draw(figs: list[FigureData]) -> list[FigureData]:
    """Fill in each figure's SVG.

    Example:
        >>> draw([FigureData("k", "t", ["a"], {"s": [1]})])[0].svg[:4]
        '<svg'
    """
    for fig in figs:
        fig.svg = svg(fig)
    return figs

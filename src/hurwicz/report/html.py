"""HTML views: compact tables for notebooks (``_repr_html_``) and self-contained report pages
with figures (``--html FILE``).

Every name and value is escaped (:func:`html.escape`); a page loads nothing from elsewhere (its
figures are inline SVG, its style is inline). Each figure is a ``<figure>`` whose
``data-values`` attribute holds the plotted numbers as JSON, followed by a table of the same
numbers, so that what a figure shows can be checked and copied.

Example:
    >>> import hurwicz as hz
    >>> out = hz.mechanism("auction.second_price").run({"bids": {"<b>": 2, "c": 1}})
    >>> snippet = outcome_html(out.to_dict())
    >>> "&lt;b&gt;" in snippet and "<b>" not in snippet
    True
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from hurwicz.core.errors import InputError

from .rounds import count_stages, stages_html
from .tables import audit_rows, clean, evaluation_rows, fmt, outcome_rows, summary_items

MAX_ROWS = 25

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto;
       max-width: 60em; padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; }
table.hz { border-collapse: collapse; margin: .5em 0; font-size: .9em; }
table.hz th, table.hz td { border: 1px solid #ccc; padding: .2em .5em; text-align: left;
                            vertical-align: top; overflow-wrap: anywhere; }
table.hz td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.hz caption { font-weight: bold; text-align: left; padding: .2em 0; }
.holds { color: #1a7f37; } .violated { color: #cf222e; font-weight: bold; }
.not-tested { color: #9a6700; }
figure.hz-figure { margin: 1.5em 0; } figure.hz-figure svg { max-width: 100%; height: auto; }
pre.hz { background: #f6f8fa; padding: .5em; overflow-x: auto; font-size: .85em; }
"""


def esc(value: Any) -> str:
    """A value formatted for people (:func:`~hurwicz.report.tables.fmt`) and escaped.

    Example:
        >>> esc("<x>"), esc(-0.0)
        ('&lt;x&gt;', '0')
    """
    return html.escape(value if isinstance(value, str) else fmt(value))


def table(columns: Sequence[str], rows: Sequence[Mapping[str, Any]], caption: str | None = None,
          max_rows: int | None = None, numeric: Sequence[str] = ()) -> str:
    """An HTML table; beyond ``max_rows`` rows, a last row counts the others.

    Example:
        >>> table(["a"], [{"a": 1}, {"a": 2}], max_rows=1).count("<tr>")
        3
    """
    out = ['<table class="hz">']
    if caption:
        out.append(f"<caption>{html.escape(caption)}</caption>")
    out.append("<thead><tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in columns)
               + "</tr></thead><tbody>")
    shown = rows if max_rows is None else rows[:max_rows]
    for row in shown:
        cells = []
        for col in columns:
            value = row.get(col)
            number = isinstance(value, int | float) and not isinstance(value, bool)
            cls = ' class="num"' if col in numeric or number else ""
            cells.append(f"<td{cls}>{esc(value)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    if len(shown) < len(rows):
        out.append(f'<tr><td colspan="{len(columns)}">… {len(rows) - len(shown)} more</td></tr>')
    out.append("</tbody></table>")
    return "".join(out)


def key_values(items: Sequence[tuple[str, Any]], caption: str | None = None) -> str:
    """A two-column table of ``key: value`` pairs.

    Example:
        >>> "<th>price</th><td>3</td>" in key_values([("price", 3.0)])
        True
    """
    out = ['<table class="hz">']
    if caption:
        out.append(f"<caption>{html.escape(caption)}</caption>")
    out += [f"<tr><th>{html.escape(str(k))}</th><td>{esc(v)}</td></tr>" for k, v in items]
    out.append("</table>")
    return "".join(out)


# --- notebook views -----------------------------------------------------------------------------
def outcome_html(doc: Mapping[str, Any], max_rows: int = MAX_ROWS) -> str:
    """A compact HTML view of an outcome document: one row per agent, then the summary.

    Example:
        >>> "<caption>m</caption>" in outcome_html({"mechanism": "m", "allocation": {},
        ...                                         "payments": {}})
        True
    """
    columns, rows = outcome_rows(doc)
    parts = [table(columns, rows, caption=str(doc.get("mechanism", "outcome")),
                   max_rows=max_rows)]
    items = summary_items(doc)
    if items:
        parts.append(key_values(items))
    return '<div class="hz-outcome">' + "".join(parts) + "</div>"


_VERDICT_CLASS = {"holds": "holds", "violated": "violated", "not tested": "not-tested",
                  "measured": "measured"}


def _audit_title(doc: Mapping[str, Any]) -> str:
    title = f"audit of {doc.get('mechanism')}"
    if doc.get("agents") is not None:
        title += f" · agents {doc['agents']}"
    if doc.get("prior") is not None:
        prior = doc["prior"]
        title += f" · prior {', '.join(map(str, prior)) if isinstance(prior, list) else prior}"
    return title


def audit_html(doc: Mapping[str, Any]) -> str:
    """A compact HTML view of an audit report document: one row per check.

    Example:
        >>> snippet = audit_html({"mechanism": "m", "checks": [{"property": "ir",
        ...     "holds": False, "verdict": "violated", "max_gain": 0.5, "budget": {}}]})
        >>> '<td class="violated">violated</td>' in snippet
        True
    """
    _, rows = audit_rows(doc)
    head = ["property", "verdict", "max gain / value", "exhaustive", "profiles", "methods",
            "notes"]
    out = ['<div class="hz-audit"><table class="hz">',
           f"<caption>{html.escape(_audit_title(doc))}</caption>",
           "<thead><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr></thead><tbody>"]
    for r in rows:
        verdict = str(r["verdict"])
        figure = (f"{fmt(r['value'])} ± {fmt(r['stderr'], 2)}" if r["value"] is not None
                  else fmt(r["max_gain"]))
        out.append(
            f"<tr><td>{esc(r['property'])}</td>"
            f'<td class="{_VERDICT_CLASS.get(verdict, "")}">{html.escape(verdict)}</td>'
            f'<td class="num">{html.escape(figure)}</td><td>{"yes" if r["exhaustive"] else "no"}'
            f'</td><td class="num">{esc(r["profiles"])}</td><td>{esc(r["methods"])}</td>'
            f"<td>{esc(r['notes'])}</td></tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


def _evaluation_title(doc: Mapping[str, Any]) -> str:
    return (f"{doc.get('mechanism')} · strategy {doc.get('strategy')} · "
            f"{doc.get('samples', 0):,} profiles")


def evaluation_html(doc: Mapping[str, Any]) -> str:
    """A compact HTML view of an evaluation: one row per quantity (mean, standard error).

    Example:
        >>> "<td>revenue</td>" in evaluation_html({"mechanism": "m", "strategy": "truthful",
        ...     "samples": 2, "revenue": {"mean": 1.0, "stderr": 0.1}, "utility": []})
        True
    """
    columns, rows = evaluation_rows(doc)
    return ('<div class="hz-evaluation">'
            + table(columns, rows, caption=_evaluation_title(doc), numeric=("mean", "stderr"))
            + "</div>")


# --- report pages -------------------------------------------------------------------------------
def kind_of(doc: Any) -> str:
    """``outcome``, ``audit`` or ``evaluation``: which document this is.

    Example:
        >>> kind_of({"checks": []}), kind_of({"allocation": {}, "payments": {}})
        ('audit', 'outcome')
    """
    if isinstance(doc, Mapping):
        if "checks" in doc:
            return "audit"
        if "allocation" in doc and "payments" in doc:
            return "outcome"
        if "strategy" in doc and "revenue" in doc:
            return "evaluation"
    raise InputError("report", "not an outcome, audit or evaluation document (the output of "
                     "hurwicz run, audit or evaluate with --json)")


def figure_html(fig: Any) -> str:
    """A figure, its plotted numbers as ``data-values`` JSON and as a table.

    Example:
        >>> from hurwicz.report.figures import FigureData
        >>> f = FigureData("x", "X", ["a"], {"n": [1.0]}, svg="<svg></svg>")
        >>> 'data-values="{&quot;labels&quot;: [&quot;a&quot;]' in figure_html(f)
        True
    """
    values = json.dumps(clean(fig.values()), ensure_ascii=False)
    columns = [fig.label_name, *fig.series]
    rows = [{fig.label_name: label, **{name: fig.series[name][i] for name in fig.series}}
            for i, label in enumerate(fig.labels)]
    note = f"<p>{html.escape(fig.note)}</p>" if fig.note else ""
    return (f'<figure class="hz-figure" id="figure-{html.escape(fig.key)}" '
            f'data-figure="{html.escape(fig.key)}" data-values="{html.escape(values)}">'
            f"{fig.svg}<figcaption>{html.escape(fig.title)}</figcaption>{note}"
            f"{table(columns, rows)}</figure>")


def _section(doc: Mapping[str, Any], figures: bool) -> str:
    from . import figures as figs

    kind = kind_of(doc)
    parts: list[str] = []
    if kind == "outcome":
        parts.append(f"<h2>Outcome of {esc(doc.get('mechanism'))}</h2>")
        if doc.get("params"):
            parts.append(key_values(list(doc["params"].items()), caption="parameters"))
        columns, rows = outcome_rows(doc)
        parts.append(table(columns, rows, caption="per agent"))
        items = summary_items(doc)
        if items:
            parts.append(key_values(items, caption="summary"))
        stages = count_stages(doc)  # IRV/STV rounds: the count stage by stage
        if stages:
            parts.append(stages_html(stages))
        found = figs.outcome_figures(doc) if figures else []
    elif kind == "audit":
        parts.append(f"<h2>{esc(_audit_title(doc))}</h2>")
        parts.append(audit_html(doc))
        found = figs.audit_figures(doc) if figures else []
        for check in doc.get("checks") or []:
            if check.get("counterexample") is not None:
                text = json.dumps(clean(check["counterexample"]), indent=2, ensure_ascii=False)
                parts.append(f'<h3>Counterexample to {esc(check["property"])}</h3>'
                             f'<pre class="hz" data-property="{html.escape(check["property"])}">'
                             f"{html.escape(text)}</pre>")
        budgets = [(c["property"], c.get("budget")) for c in doc.get("checks") or []]
        if budgets:
            parts.append(key_values(budgets, caption="budgets"))
    else:
        parts.append(f"<h2>Evaluation: {esc(_evaluation_title(doc))}</h2>")
        parts.append(evaluation_html(doc))
        found = figs.evaluation_figures(doc) if figures else []
    parts += [figure_html(f) for f in figs.draw(found)]
    return f'<section class="hz-{kind}">' + "".join(parts) + "</section>"


def page(docs: Sequence[Mapping[str, Any]], title: str | None = None,
         figures: bool = True) -> str:
    """A self-contained HTML page for outcome, audit and evaluation documents.

    Example:
        >>> text = page([{"mechanism": "m", "allocation": {"a": 1}, "payments": {"a": 1.0}}],
        ...             figures=False)
        >>> text.startswith("<!DOCTYPE html>") and "http" not in text
        True
    """
    docs = [clean(d) for d in docs]
    if title is None:
        title = "hurwicz report: " + ", ".join(str(d.get("mechanism")) for d in docs)
    body = "".join(_section(d, figures) for d in docs)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="generator" content="hurwicz"><title>{html.escape(title)}</title>'
            f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>{body}"
            f"</body></html>\n")


def write_page(path: str | Path, docs: Sequence[Any], title: str | None = None) -> Path:
    """Write :func:`page` for outcomes, audit reports or evaluations (objects or their
    documents) to ``path``; figures need matplotlib (the ``plot`` extra).

    Example:
        >>> import tempfile, hurwicz as hz
        >>> out = hz.mechanism("auction.second_price").run({"bids": {"a": 2, "b": 1}})
        >>> target = write_page(Path(tempfile.mkdtemp()) / "r.html", [out])
        >>> "data-figure=" in target.read_text()
        True
    """
    docs = [d.to_dict() if hasattr(d, "to_dict") else d for d in docs]
    target = Path(path)
    try:
        target.write_text(page(docs, title), encoding="utf-8")
    except OSError as err:
        raise InputError("--html", f"cannot write {target}: {err.strerror or err}") from None
    return target

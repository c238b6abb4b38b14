"""Round-by-round counts (IRV, STV, Meek STV) as stages, the way official count sheets show
them: stage 1 is the first preferences, each later stage is one transfer (a surplus, an
exclusion, an elimination) and shows every candidate's new total, the change from the stage
before, the exhausted ballots and who was elected or excluded at that stage.

:func:`count_stages` reads the ``result.rounds`` of an outcome document — round ``k`` holds the
totals at the start of the round (``tally``), what was decided on them (``elected``,
``excluded`` / ``eliminated``) and the transfer made next (``transfer``); STV rounds give the
exhausted value *after* their transfer, IRV rounds the ballots exhausted *at* their tally — and
puts the totals and the exhausted value of the same moment side by side. For STV a stage also
shows ``with_elected``: the ballots cast minus the continuing candidates' totals and the
exhausted value, i.e. what the candidates elected at earlier stages keep (plus, under the
Scottish rules, the value their five-decimal truncation dropped). :func:`stages_html` is the
escaped HTML table of the stages used by ``hurwicz count --html`` and ``hurwicz run ... --html``.

Example:
    >>> doc = {"result": {"winners": ["a"], "rounds": [
    ...     {"tally": {"a": 3, "b": 2, "c": 2}, "eliminated": "c", "exhausted": 0},
    ...     {"tally": {"a": 3, "b": 2}, "eliminated": None, "exhausted": 2}]},
    ...     "metrics": {"voters": 7}}
    >>> [(s["action"], s["changes"], s["exhausted"]) for s in count_stages(doc)]
    [('first preferences', {}, 0), ('elimination of c', {'a': 0, 'b': 0, 'c': -2}, 2)]
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from .tables import fmt


def _is_rounds(rounds: Any) -> bool:
    return isinstance(rounds, list) and bool(rounds) and all(
        isinstance(r, Mapping) and isinstance(r.get("tally"), Mapping) for r in rounds)


#: Rules whose ``result.rounds`` tally the ballots by their current first preference, so that
#: the rounds are the stages of a count sheet. Other rules with rounds (Coombs' last places,
#: Baldwin's and Nanson's Borda scores, Bucklin's cumulative counts) are no such count: for
#: them :func:`count_stages` returns None (a document naming no mechanism is read as one).
COUNT_SHEET_RULES = frozenset({"voting.irv", "voting.stv", "voting.meek_stv", "voting.runoff",
                               "voting.smith_irv", "voting.condorcet_irv",
                               "voting.primary_rcv"})


def count_stages(doc: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    """The stages of the count in an outcome document, or None if it has no rounds.

    Each stage: ``stage`` (from 1), ``action`` (``"first preferences"``, ``"surplus of X"``,
    ``"exclusion of X"``, ``"elimination of X"``), ``from`` and ``kind`` of that transfer,
    ``totals`` (continuing candidates), ``changes`` (from the stage before; the candidate the
    votes came from shows minus what it passed on), ``exhausted``, ``exhausted_change``,
    ``with_elected`` (STV only, else None), ``elected`` (reached the quota or won at these
    totals) and ``excluded`` (goes next, on these totals).

    Example:
        >>> doc = {"result": {"winners": ["a", "b"], "rounds": [
        ...     {"tally": {"a": 5.0, "b": 2.0, "c": 1.0}, "elected": ["a"], "excluded": None,
        ...      "transfer": {"from": "a", "kind": "surplus", "value": 2.0}, "exhausted": 0.0},
        ...     {"tally": {"b": 4.0, "c": 1.0}, "elected": ["b"], "excluded": None,
        ...      "transfer": None, "exhausted": 0.0}]}, "metrics": {"voters": 8}}
        >>> last = count_stages(doc)[-1]
        >>> last["action"], last["changes"], last["with_elected"], last["elected"]
        ('surplus of a', {'b': 2.0, 'c': 0.0, 'a': -2.0}, 3.0, ['b'])
    """
    result = doc.get("result") or {}
    rounds = result.get("rounds")
    if not _is_rounds(rounds) or doc.get("mechanism", "voting.irv") not in COUNT_SHEET_RULES:
        return None
    voters = (doc.get("metrics") or {}).get("voters")
    irv = any("eliminated" in r for r in rounds)
    stages: list[dict[str, Any]] = []
    before: dict[str, Any] | None = None
    for k, r in enumerate(rounds):
        totals = dict(r["tally"])
        source = kind = value = None
        if k:
            prev = rounds[k - 1]
            if irv:
                source, kind = prev.get("eliminated"), "elimination"
                value = before["totals"].get(source) if before else None
            elif prev.get("transfer"):
                t = prev["transfer"]
                source, kind, value = t.get("from"), t.get("kind"), t.get("value")
        if irv:
            exhausted = r.get("exhausted")
        elif k:
            exhausted = rounds[k - 1].get("exhausted")
        else:
            exhausted = voters - sum(totals.values()) if voters is not None else None
        changes: dict[str, Any] = {}
        if before is not None:
            changes = {c: v - before["totals"].get(c, 0) for c, v in totals.items()}
            if source is not None and source not in totals and value is not None:
                changes[source] = -value
        with_elected = None
        if not irv and voters is not None and exhausted is not None:
            with_elected = voters - sum(totals.values()) - exhausted
        exhausted_change = None
        if before is not None and exhausted is not None and before["exhausted"] is not None:
            exhausted_change = exhausted - before["exhausted"]
        if irv:
            # the winner is known on the last round's totals only (a runoff's first round
            # eliminates nobody by name, yet elects nobody either)
            elected = list(result.get("winners") or []) if k == len(rounds) - 1 else []
            excluded = r.get("eliminated")
        else:
            elected, excluded = list(r.get("elected") or []), r.get("excluded")
        action = "first preferences" if k == 0 else (
            f"{'surplus' if kind == 'surplus' else kind} of {source}" if source is not None
            else "runoff of the top two" if doc.get("mechanism") == "voting.runoff" else "count")
        stage = {"stage": k + 1, "action": action, "from": source, "kind": kind,
                 "value": value, "totals": totals, "changes": changes, "exhausted": exhausted,
                 "exhausted_change": exhausted_change, "with_elected": with_elected,
                 "elected": elected, "excluded": excluded}
        stages.append(stage)
        before = stage
    return stages


def format_tally(value: Any) -> str:
    """A tally for people: whole numbers as integers, else rounded to five decimals.

    Example:
        >>> format_tally(7498.0), format_tally(135.0907741775909), format_tally(None)
        ('7,498', '135.09077', '')
    """
    if value is None:
        return ""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.5f}".rstrip("0").rstrip(".")
    return f"{int(value):,}" if isinstance(value, int | float) else fmt(value)


def _signed(value: Any) -> str:
    if value is None or value == 0:
        return ""
    return ("+" if value > 0 else "−") + format_tally(abs(value))


def stage_cells(stages: list[dict[str, Any]]) -> tuple[list[str], list[list[str]]]:
    """Row labels and plain-text cells of the stage table (rows: candidates, then exhausted
    and, for STV, the value with elected candidates; columns: stages). A cell is the total,
    its change on the line below, and ``ELECTED``/``EXCLUDED`` at the stage it happens.

    Example:
        >>> doc = {"result": {"winners": ["a"], "rounds": [
        ...     {"tally": {"a": 3, "b": 1}, "eliminated": None, "exhausted": 0}]},
        ...     "metrics": {"voters": 4}}
        >>> stage_cells(count_stages(doc))
        (['a', 'b', 'exhausted'], [['3\\nELECTED'], ['1'], ['0']])
    """
    names: list[str] = []
    for s in stages:
        names += [c for c in s["totals"] if c not in names]
    for s in stages:
        names += [c for c in s["changes"] if c not in names]
    rows: list[list[str]] = []
    done: dict[str, str] = {}
    for c in names:
        row = []
        for s in stages:
            if c in s["totals"]:
                parts = [format_tally(s["totals"][c])]
                change = _signed(s["changes"].get(c))
                if change:
                    parts.append(f"({change})")
                if c in s["elected"]:
                    parts.append("ELECTED")
                    done[c] = "elected"
                if c == s["excluded"]:
                    parts.append("EXCLUDED")
                    done[c] = "excluded"
                row.append("\n".join(parts))
            elif c in s["changes"]:
                row.append(f"({_signed(s['changes'][c])})")
            else:
                row.append("elected" if done.get(c) == "elected" else "–" if c in done else "")
        rows.append(row)
    labels = list(names)
    if any(s["exhausted"] is not None for s in stages):
        labels.append("exhausted")
        rows.append(["\n".join(x for x in (format_tally(s["exhausted"]),
                                            f"({_signed(s['exhausted_change'])})"
                                            if _signed(s["exhausted_change"]) else "") if x)
                     for s in stages])
    if any(s["with_elected"] is not None for s in stages):
        labels.append("kept by elected")
        rows.append([format_tally(s["with_elected"]) for s in stages])
    return labels, rows


def stages_html(stages: list[dict[str, Any]], caption: str = "Count, stage by stage") -> str:
    """The stage table as escaped HTML (``<table class="hz hz-rounds">``).

    Example:
        >>> doc = {"result": {"winners": ["<a>"], "rounds": [
        ...     {"tally": {"<a>": 3}, "eliminated": None, "exhausted": 0}]},
        ...     "metrics": {"voters": 3}}
        >>> text = stages_html(count_stages(doc))
        >>> "&lt;a&gt;" in text and "<a>" not in text
        True
    """
    labels, rows = stage_cells(stages)
    out = ['<table class="hz hz-rounds">', f"<caption>{html.escape(caption)}</caption>",
           "<thead><tr><th>candidate</th>"]
    out += [f"<th>stage {s['stage']}<br>{html.escape(s['action'])}</th>" for s in stages]
    out.append("</tr></thead><tbody>")
    for label, row in zip(labels, rows, strict=True):
        cells = "".join('<td class="num">' + "<br>".join(html.escape(x) for x in cell.split("\n"))
                        + "</td>" for cell in row)
        out.append(f"<tr><th>{html.escape(label)}</th>{cells}</tr>")
    out.append("</tbody></table>")
    return "".join(out)

"""Why a project got the match it got: per-project and per-contribution explanations.

Per project: total contributions, contributors, Σ√c, the plain QF ideal match, the rule's ideal
match (after pairwise discounts or cluster attenuation), the share of the pool before caps
(ideal × the common scale), the match after caps and redistribution, and whether it was capped.
Per contribution: the summed amount per contributor and project, whether it was matched (or why
not: below the minimum, self-contribution) and the match attributed to it.

Example:
    >>> import hurwicz as hz
    >>> rows = explain(hz.mechanism("funding.quadratic"), {"pool": 10, "contributions": [
    ...     {"contributor": "a", "project": "p", "amount": 1},
    ...     {"contributor": "b", "project": "p", "amount": 1}]})
    >>> rows["projects"][0]["match_after_caps"], rows["contributions"][0]["attributed_match"]
    (2.0, 1.0)
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import numpy as np

from hurwicz.core.errors import InputError
from hurwicz.core.mechanism import Mechanism

from .common import FundingMechanism, contribution_matrix, qf_ideal


def explain(mech: Mechanism, data: Any) -> dict[str, list[dict[str, Any]]]:
    """Explanation rows for a funding mechanism on one input.

    Example:
        >>> import hurwicz as hz
        >>> sorted(explain(hz.mechanism("funding.pairwise"), {"pool": 1, "contributions": [
        ...     {"contributor": "a", "project": "p", "amount": 1}]}))
        ['contributions', 'projects']
    """
    if not isinstance(mech, FundingMechanism):
        raise InputError("mechanism", f"{mech.name} is not a quadratic-funding rule")
    inp = mech.parse_input(data)
    outcome = mech.run_parsed(inp)
    m = contribution_matrix(inp, mech.params.min_contribution, mech.params.exclude_self)
    roots, _, plain = qf_ideal(m.matched)
    ideal, shares, _ = mech.ideal_matches(inp, m)
    scale = outcome.result["scale"]
    counts = np.diff(m.amounts.tocsc().indptr)
    projects = []
    for j, p in enumerate(m.projects):
        projects.append({
            "project": p,
            "contributions": outcome.result["contributions"][p],
            "contributors": int(counts[j]),
            "sum_sqrt": float(roots[j]),
            "qf_ideal_match": float(plain[j]),
            "rule_ideal_match": float(ideal[j]),
            "discount": float(1 - ideal[j] / plain[j]) if plain[j] > 0 else 0.0,
            "share_before_caps": float(ideal[j] * scale),
            "match_after_caps": outcome.result["matching"][p],
            "capped": p in outcome.result["capped"],
            "funding": outcome.result["funding"][p],
        })
    ratio = {p: (outcome.result["matching"][p] / ideal[j] if ideal[j] > 0 else 0.0)
             for j, p in enumerate(m.projects)}
    amounts, matched, shares = m.amounts.tocoo(), m.matched.tocsr(), shares.tocsr()
    owners = {(o, p) for p, os_ in inp.owners.items() for o in os_}
    contributions = []
    for i, j, amount in sorted(zip(amounts.row, amounts.col, amounts.data)):
        who, p = m.contributors[i], m.projects[j]
        is_matched = matched[i, j] > 0
        reason = ""
        if not is_matched:
            reason = ("self-contribution" if mech.params.exclude_self and (who, p) in owners
                      else "below min_contribution" if amount < mech.params.min_contribution
                      else "zero")
        contributions.append({
            "contributor": who, "project": p, "amount": float(amount),
            "matched": bool(is_matched), "not_matched_because": reason,
            "attributed_match": float(shares[i, j] * ratio[p]),
        })
    return {"projects": projects, "contributions": contributions}


def write_explanation(rows: dict[str, list[dict[str, Any]]], path: str | Path) -> list[Path]:
    """Write the explanation as JSON (one file) or CSV (``NAME.projects.csv`` and
    ``NAME.contributions.csv``); returns the files written.

    Example:
        >>> import tempfile
        >>> out = Path(tempfile.mkdtemp()) / "x.json"
        >>> write_explanation({"projects": [], "contributions": []}, out)[0].name
        'x.json'
    """
    path = Path(path)
    if path.suffix.lower() == ".json":
        path.write_text(json.dumps(rows, indent=2), encoding="utf-8")
        return [path]
    if path.suffix.lower() != ".csv":
        raise InputError("--out", "must end in .csv or .json")
    written = []
    for table in ("projects", "contributions"):
        target = path.with_name(f"{path.stem}.{table}.csv")
        target.write_text(to_csv(rows[table]), encoding="utf-8")
        written.append(target)
    return written


def to_csv(rows: list[dict[str, Any]]) -> str:
    """Rows as CSV text with a header.

    Example:
        >>> to_csv([{"a": 1, "b": "x"}]).splitlines()
        ['a,b', '1,x']
    """
    if not rows:
        return ""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()

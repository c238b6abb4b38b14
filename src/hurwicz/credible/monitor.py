"""``hurwicz monitor``: poll a server and its witnesses, keep every signed tree head seen, and
report a split view.

Each poll collects the server's current tree head, the head each witness last cosigned, the
equivocation proofs the witnesses published, and any heads given by hand; every head is kept in
a state file, so that heads seen at different times (or by different people, whose files can be
merged) are compared with each other. Two heads of one size with different roots are
*equivocation*; heads of different sizes must be linked by an RFC 6962 consistency proof (asked
of the server), else the log was *forked*.

Example:
    >>> from hurwicz.credible.keys import generate_key, public_hex
    >>> from hurwicz.credible.receipts import sign_tree_head
    >>> op = generate_key()
    >>> a = sign_tree_head(op, "r1", 3, "aa" * 32, "2026-01-01T00:00:00.000000Z")
    >>> b = sign_tree_head(op, "r1", 3, "bb" * 32, "2026-01-01T00:00:01.000000Z")
    >>> [p.split(":")[0] for p in compare_heads([a, b], public_hex(op))]
    ['equivocation']
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

from .merkle import verify_consistency
from .receipts import head_problems


def _key(head: Mapping[str, Any]) -> tuple[Any, ...]:
    return (head.get("round"), head.get("size"), head.get("root"), head.get("signature"))


def compare_heads(heads: Sequence[Mapping[str, Any]], operator: str,
                  consistency: Callable[[int, int], list[str]] | None = None,
                  up_to: int | None = None) -> list[str]:
    """Problems among signed tree heads of one round: ``equivocation`` (same size, different
    roots) and, given ``consistency(old, new)`` (a proof as hex hashes), ``fork`` (a smaller
    head that is not a prefix of a larger one; only heads up to size ``up_to`` are linked).
    Heads not signed by ``operator`` are skipped with a note.

    Example:
        >>> compare_heads([], "00" * 32)
        []
    """
    problems: list[str] = []
    roots: dict[int, Mapping[str, Any]] = {}
    for head in heads:
        bad = head_problems(head, operator)
        if bad:
            problems.append(f"head: {bad[0]} (ignored)")
            continue
        other = roots.setdefault(head["size"], head)
        if other["root"] != head["root"]:
            problems.append(f"equivocation: the operator signed two tree heads of size "
                            f"{head['size']} with different roots ({other['root'][:16]}… at "
                            f"{other['time']}, {head['root'][:16]}… at {head['time']}): a "
                            "split view")
    if consistency is None or any(p.startswith("equivocation") for p in problems):
        return problems
    sizes = sorted(size for size in roots if up_to is None or size <= up_to)
    for old, new in pairwise(sizes):
        try:
            proof = [bytes.fromhex(p) for p in consistency(old, new)]
            ok = verify_consistency(old, new, bytes.fromhex(roots[old]["root"]),
                                    bytes.fromhex(roots[new]["root"]), proof)
        except Exception as err:  # an unreachable server or a garbled proof
            problems.append(f"consistency: no proof from size {old} to {new}: {err}")
            continue
        if not ok:
            problems.append(f"fork: the signed head of size {old} is not a prefix of the "
                            f"signed head of size {new}: the log was rewritten")
    return problems


def read_heads(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Heads kept in a monitor file (none if it does not exist yet).

    Example:
        >>> read_heads("/nonexistent/heads.json")
        []
    """
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    heads = document.get("heads") if isinstance(document, dict) else None
    return list(heads) if isinstance(heads, list) else []


def poll(server: str, witnesses: Sequence[str], rid: str, path: str | os.PathLike[str],
         extra: Sequence[Mapping[str, Any]] = ()
         ) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """One poll: collect heads from the server and the witnesses, keep them all in ``path``
    (with those kept before and ``extra``), and compare them. Returns the heads, the problems
    found and notes (a server or witness that could not be reached)."""
    from .client import RoundClient, ServerError
    from .witness import WitnessClient, WitnessError

    client = RoundClient(server)
    status = client.status(rid)  # the rules are checked to hash to rid
    operator = status["rules"]["operator"]
    heads = read_heads(path) + [dict(h) for h in extra]
    notes: list[str] = []
    current = 0  # the size of the server's log now
    try:
        latest = client.call("GET", f"/v1/rounds/{rid}/tree-head")
        heads.append(latest)
        current = latest["size"] if isinstance(latest.get("size"), int) else 0
    except ServerError as err:
        notes.append(f"server: {err}")
    for url in witnesses:
        witness = WitnessClient(url)
        try:
            last = witness.head(rid, operator)
            if last:
                heads.append(last["tree_head"])
            for proof in witness.equivocations(rid):
                heads.extend(proof.get("heads") or [])
        except WitnessError as err:
            notes.append(f"witness {url}: {err}")
    unique: dict[tuple[Any, ...], dict[str, Any]] = {}
    for head in heads:
        if isinstance(head, dict) and head.get("round") == rid:
            unique.setdefault(_key(head), head)
    # the server's own signed head at every size seen elsewhere: a head it showed someone else
    # then stands next to one of the same size (equivocation, with both signatures as proof)
    for size in sorted({h.get("size") for h in unique.values()
                        if isinstance(h.get("size"), int) and 0 < h["size"] <= current}):
        try:
            head = client.call("GET", f"/v1/rounds/{rid}/tree-head", params={"size": size})
            unique.setdefault(_key(head), head)
        except ServerError as err:
            notes.append(f"server: {err}")
    kept = sorted(unique.values(), key=lambda h: (str(h.get("size")), str(h.get("time"))))
    tmp = Path(f"{path}.tmp")
    tmp.write_text(json.dumps({"round": rid, "operator": operator, "heads": kept}, indent=1)
                   + "\n", encoding="utf-8")
    tmp.replace(path)

    def consistency(old: int, new: int) -> list[str]:
        answer = client.call("GET", f"/v1/rounds/{rid}/proofs/consistency",
                             params={"old": old, "new": new})
        return list(answer["proof"])

    problems = compare_heads(kept, operator, consistency, up_to=current)
    longer = [h for h in kept if isinstance(h.get("size"), int) and h["size"] > current
              and not head_problems(h, operator)]
    if current and longer:
        problems.append(f"fork: the operator signed a tree head of size {longer[-1]['size']} at "
                        f"{longer[-1]['time']}, but its log now has {current} entries: entries "
                        "were removed")
    return kept, problems, notes

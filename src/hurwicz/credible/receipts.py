"""Signed tree heads and receipts.

A tree head ``{"round", "size", "root", "time"}`` is signed by the operator's key as a
``tree_head`` message; a receipt ``{"round", "index", "entry_hash", "tree_head"}`` (the tree
head with its signature inside) is signed as a ``receipt`` message, and proves that the entry
with that RFC 6962 leaf hash was accepted at ``index`` and that the log then had the signed
head. (See :func:`hurwicz.credible.keys.signing_bytes` for the bytes signed.)

Example:
    >>> from hurwicz.credible.keys import generate_key, public_hex
    >>> op = generate_key()
    >>> head = sign_tree_head(op, "r1", 1, "00" * 32, "2026-01-01T00:00:00Z")
    >>> receipt = sign_receipt(op, "r1", 0, "11" * 32, head)
    >>> receipt_problems(receipt, public_hex(op))
    []
    >>> receipt_problems({**receipt, "index": 1}, public_hex(op))
    ['receipt is not signed by the operator']
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .canonical import canonical_bytes
from .keys import sign, verify
from .merkle import leaf_hash

HEAD_FIELDS = ("round", "size", "root", "time")
RECEIPT_FIELDS = ("round", "index", "entry_hash", "tree_head")
_HEX64 = re.compile(r"[0-9a-f]{64}")  # always used with fullmatch ("$" allows a newline)
_HEX128 = re.compile(r"[0-9a-f]{128}")


def entry_leaf(entry: Any) -> bytes:
    """The RFC 6962 leaf hash of an entry: SHA-256(0x00 ‖ canonical JSON of the entry).

    Example:
        >>> entry_leaf({"kind": "close"}).hex()[:16]
        '67bd8cace1547023'
    """
    return leaf_hash(canonical_bytes(entry))


def _is_count(value: Any) -> bool:
    return type(value) is int and value >= 0


def _shape_problem(document: Mapping[str, Any], what: str, fields: tuple[str, ...]) -> str | None:
    for name in (*fields, "signature"):
        if name not in document:
            return f"{what} lacks {name}"
    checks = {"round": lambda v: isinstance(v, str), "size": _is_count, "index": _is_count,
              "time": lambda v: isinstance(v, str),
              "root": lambda v: isinstance(v, str) and bool(_HEX64.fullmatch(v)),
              "entry_hash": lambda v: isinstance(v, str) and bool(_HEX64.fullmatch(v)),
              "tree_head": lambda v: isinstance(v, dict),
              "signature": lambda v: isinstance(v, str) and bool(_HEX128.fullmatch(v))}
    expected = {"round": "a string", "size": "a count", "index": "a count", "time": "a string",
                "root": "64 hex digits", "entry_hash": "64 hex digits",
                "tree_head": "an object", "signature": "128 hex digits"}
    for name in (*fields, "signature"):
        if not checks[name](document[name]):
            return f"{what} {name} is not {expected[name]}"
    return None


def sign_tree_head(key: Ed25519PrivateKey, round_id: str, size: int, root: str,
                   time: str) -> dict[str, Any]:
    """A tree head signed by the operator.

    Example:
        >>> from hurwicz.credible.keys import generate_key
        >>> sorted(sign_tree_head(generate_key(), "r", 0, "00", "t"))
        ['root', 'round', 'signature', 'size', 'time']
    """
    head = {"round": round_id, "size": size, "root": root, "time": time}
    return {**head, "signature": sign(key, "tree_head", head)}


def sign_receipt(key: Ed25519PrivateKey, round_id: str, index: int, entry_hash: str,
                 tree_head: Mapping[str, Any]) -> dict[str, Any]:
    """A receipt for the entry at ``index`` under ``tree_head``.

    Example:
        >>> from hurwicz.credible.keys import generate_key
        >>> sorted(sign_receipt(generate_key(), "r", 0, "00", {}))
        ['entry_hash', 'index', 'round', 'signature', 'tree_head']
    """
    body = {"round": round_id, "index": index, "entry_hash": entry_hash,
            "tree_head": dict(tree_head)}
    return {**body, "signature": sign(key, "receipt", body)}


def head_problems(head: Mapping[str, Any], operator: str) -> list[str]:
    """What is wrong with a signed tree head (empty if nothing).

    Example:
        >>> head_problems({"round": "r"}, "00" * 32)[0]
        'tree head lacks size'
    """
    if not isinstance(head, Mapping):
        return ["tree head is not an object"]
    problem = _shape_problem(head, "tree head", HEAD_FIELDS)
    if problem:
        return [problem]
    body = {k: head[k] for k in HEAD_FIELDS}
    if not verify(operator, "tree_head", body, head["signature"]):
        return ["tree head is not signed by the operator"]
    return []


def receipt_problems(receipt: Mapping[str, Any], operator: str) -> list[str]:
    """What is wrong with a receipt on its own (signatures and shape; empty if nothing).

    Example:
        >>> receipt_problems({}, "00" * 32)
        ['receipt lacks round']
    """
    if not isinstance(receipt, Mapping):
        return ["receipt is not an object"]
    problem = _shape_problem(receipt, "receipt", RECEIPT_FIELDS)
    if problem:
        return [problem]
    body = {k: receipt[k] for k in RECEIPT_FIELDS}
    if not verify(operator, "receipt", body, receipt["signature"]):
        return ["receipt is not signed by the operator"]
    head = receipt["tree_head"]
    problems = head_problems(head, operator)
    if not problems and head["round"] != receipt["round"]:
        problems.append("receipt and its tree head are for different rounds")
    if not problems and not receipt["index"] < head["size"]:
        problems.append("receipt index is not inside its tree head")
    return problems


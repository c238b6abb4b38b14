"""Signed tree heads and receipts.

A tree head ``{"round", "size", "root", "time"}`` is signed by the operator's key; a receipt
``{"round", "index", "entry_hash", "tree_head"}`` (also signed) proves that the entry with that
RFC 6962 leaf hash was accepted at ``index`` and that the log then had the signed head.

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

from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .canonical import canonical_bytes
from .keys import sign, verify
from .merkle import leaf_hash

HEAD_FIELDS = ("round", "size", "root", "time")
RECEIPT_FIELDS = ("round", "index", "entry_hash", "tree_head")


def entry_leaf(entry: Mapping[str, Any]) -> bytes:
    """The RFC 6962 leaf hash of an entry's canonical bytes.

    Example:
        >>> entry_leaf({"kind": "close"}).hex()[:4] == entry_leaf({"kind": "close"}).hex()[:4]
        True
    """
    return leaf_hash(canonical_bytes(dict(entry)))


def sign_tree_head(key: Ed25519PrivateKey, round_id: str, size: int, root: str,
                   time: str) -> dict[str, Any]:
    """A tree head signed by the operator.

    Example:
        >>> from hurwicz.credible.keys import generate_key
        >>> sorted(sign_tree_head(generate_key(), "r", 0, "00", "t"))
        ['root', 'round', 'signature', 'size', 'time']
    """
    head = {"round": round_id, "size": size, "root": root, "time": time}
    return {**head, "signature": sign(key, head)}


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
    return {**body, "signature": sign(key, body)}


def head_problems(head: Mapping[str, Any], operator: str) -> list[str]:
    """What is wrong with a signed tree head (empty if nothing).

    Example:
        >>> head_problems({"round": "r"}, "00" * 32)[0]
        'tree head lacks size'
    """
    for name in (*HEAD_FIELDS, "signature"):
        if name not in head:
            return [f"tree head lacks {name}"]
    body = {k: head[k] for k in HEAD_FIELDS}
    if not verify(operator, body, str(head["signature"])):
        return ["tree head is not signed by the operator"]
    return []


def receipt_problems(receipt: Mapping[str, Any], operator: str) -> list[str]:
    """What is wrong with a receipt on its own (signatures and shape; empty if nothing).

    Example:
        >>> receipt_problems({}, "00" * 32)
        ['receipt lacks round']
    """
    for name in (*RECEIPT_FIELDS, "signature"):
        if name not in receipt:
            return [f"receipt lacks {name}"]
    body = {k: receipt[k] for k in RECEIPT_FIELDS}
    if not verify(operator, body, str(receipt["signature"])):
        return ["receipt is not signed by the operator"]
    head = receipt["tree_head"]
    problems = head_problems(head, operator) if isinstance(head, dict) else ["bad tree head"]
    if not problems and (head["round"] != receipt["round"]
                         or not isinstance(receipt["index"], int)
                         or not 0 <= receipt["index"] < head["size"]):
        problems.append("receipt index is not inside its tree head")
    return problems


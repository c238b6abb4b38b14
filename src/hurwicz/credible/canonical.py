"""Canonical JSON and hashes: the bytes everyone signs and hashes the same way.

Canonical form: UTF-8 JSON with sorted keys and no insignificant whitespace, so that equal
documents always give equal bytes. Values go through the same conversion as Outcome JSON
(non-finite floats become null); anything that is not JSON data is refused.

Example:
    >>> canonical_bytes({"b": 1, "a": [1.5, "x"]})
    b'{"a":[1.5,"x"],"b":1}'
    >>> sha256_hex(b"")[:16]
    'e3b0c44298fc1c14'
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from hurwicz.core.errors import InputError
from hurwicz.core.outcome import to_jsonable


def canonical_bytes(document: Any) -> bytes:
    """The canonical UTF-8 JSON encoding of ``document``.

    Example:
        >>> canonical_bytes({"z": None, "a": True})
        b'{"a":true,"z":null}'
    """
    try:  # fast path: plain JSON data (what every parsed entry is)
        return _dumps(document).encode("utf-8")
    except (ValueError, TypeError):
        pass
    try:
        text = _dumps(to_jsonable(document))
    except (ValueError, TypeError) as err:
        raise InputError("document", f"cannot be canonicalised: {err}") from None
    return text.encode("utf-8")


def _dumps(document: Any) -> str:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 of bytes.

    Example:
        >>> len(sha256_hex(b"abc"))
        64
    """
    return hashlib.sha256(data).hexdigest()


def document_hash(document: Any) -> str:
    """Hex SHA-256 of the canonical encoding of ``document``.

    Example:
        >>> document_hash({"a": 1}) == document_hash({"a": 1})
        True
    """
    return sha256_hex(canonical_bytes(document))


def commitment(round_id: str, report: Any, salt: str) -> str:
    """H(round id ‖ canonical report ‖ salt), the commit-reveal commitment (each part is
    length-prefixed so that no two different triples share an encoding).

    Example:
        >>> commitment("r1", {"bid": 10}, "s") != commitment("r1", {"bid": 10}, "t")
        True
    """
    parts = [round_id.encode("utf-8"), canonical_bytes(report), salt.encode("utf-8")]
    framed = b"".join(len(p).to_bytes(8, "big") + p for p in parts)
    return sha256_hex(framed)

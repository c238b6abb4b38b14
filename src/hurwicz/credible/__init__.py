"""Credible execution: commit-reveal rounds with published rules, signed receipts, an RFC 6962
Merkle transcript, an offline verifier and an HTTP server (see docs/credible.md).

Modules: ``canonical`` (canonical JSON, commitments), ``merkle``, ``keys`` (Ed25519), ``rules``,
``state`` (the rules of a round, shared by server and verifier), ``receipts``, ``store``
(SQLite/PostgreSQL), ``service`` (the operator), ``server`` (FastAPI), ``client``, ``verify``,
``witness`` (cosigning witnesses, equivocation proofs, acknowledgements) and ``monitor``.

Example:
    >>> from hurwicz.credible import merkle_root
    >>> merkle_root([]).hex()[:8]
    'e3b0c442'
"""

from .canonical import canonical_bytes, commitment, document_hash
from .keys import generate_key, public_hex, sign, verify
from .merkle import (
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    merkle_root,
    verify_consistency,
    verify_inclusion,
)

__all__ = [
    "canonical_bytes",
    "commitment",
    "consistency_proof",
    "document_hash",
    "generate_key",
    "inclusion_proof",
    "leaf_hash",
    "merkle_root",
    "public_hex",
    "sign",
    "verify",
    "verify_consistency",
    "verify_inclusion",
]

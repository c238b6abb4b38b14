"""Credible execution building blocks: canonical JSON, commitments, RFC 6962 Merkle trees and
Ed25519 signatures (rounds, receipts, the transcript verifier and the server are still to come).

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

"""Ed25519 keys, signatures and their text encodings (via ``cryptography``).

Example:
    >>> key = generate_key()
    >>> sig = sign(key, {"bid": 10})
    >>> verify(public_hex(key), {"bid": 10}, sig), verify(public_hex(key), {"bid": 11}, sig)
    (True, False)
"""

from __future__ import annotations

from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from hurwicz.core.errors import InputError

from .canonical import canonical_bytes


def generate_key() -> Ed25519PrivateKey:
    """A new Ed25519 private key.

    Example:
        >>> isinstance(generate_key(), Ed25519PrivateKey)
        True
    """
    return Ed25519PrivateKey.generate()


def private_hex(key: Ed25519PrivateKey) -> str:
    """The 32-byte raw private key as hex (keep it secret).

    Example:
        >>> len(private_hex(generate_key()))
        64
    """
    return key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                             serialization.NoEncryption()).hex()


def load_private(text: str) -> Ed25519PrivateKey:
    """Load a private key from its hex form.

    Example:
        >>> k = generate_key()
        >>> public_hex(load_private(private_hex(k))) == public_hex(k)
        True
    """
    try:
        return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(text.strip()))
    except ValueError:
        raise InputError("key", "not a 32-byte hex Ed25519 private key") from None


def public_hex(key: Ed25519PrivateKey) -> str:
    """The raw public key as hex.

    Example:
        >>> len(public_hex(generate_key()))
        64
    """
    return key.public_key().public_bytes(serialization.Encoding.Raw,
                                         serialization.PublicFormat.Raw).hex()


def sign(key: Ed25519PrivateKey, document: Any) -> str:
    """Hex signature over the canonical encoding of ``document``.

    Example:
        >>> len(sign(generate_key(), {"a": 1}))
        128
    """
    return key.sign(canonical_bytes(document)).hex()


def verify(public: str, document: Any, signature: str) -> bool:
    """Whether ``signature`` is a valid signature of ``document`` by ``public``.

    Example:
        >>> verify("00" * 32, {"a": 1}, "00" * 64)
        False
    """
    try:
        pub = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public))
        pub.verify(bytes.fromhex(signature), canonical_bytes(document))
        return True
    except (InvalidSignature, ValueError):
        return False

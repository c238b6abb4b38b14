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

try:
    from nacl.bindings import crypto_sign_open as _sodium_open
    from nacl.exceptions import CryptoError as _SodiumError
except ImportError:  # pragma: no cover - pynacl is a core dependency
    _sodium_open = None
    _SodiumError = ValueError


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
    return verify_bytes(public, canonical_bytes(document), signature)


def verify_bytes(public: str, message: bytes, signature: str) -> bool:
    """Whether ``signature`` (hex) signs ``message`` for the hex public key ``public``.

    Uses libsodium (PyNaCl) when present, else OpenSSL through ``cryptography``; both follow
    RFC 8032 and reject non-canonical signatures.

    Example:
        >>> key = generate_key()
        >>> verify_bytes(public_hex(key), b"m", key.sign(b"m").hex())
        True
    """
    try:
        pub, sig = bytes.fromhex(public), bytes.fromhex(signature)
    except ValueError:
        return False
    if len(pub) != 32 or len(sig) != 64:
        return False
    if _sodium_open is not None:
        try:
            _sodium_open(sig + message, pub)
            return True
        except (_SodiumError, ValueError, TypeError):
            return False
    try:
        Ed25519PublicKey.from_public_bytes(pub).verify(sig, message)
        return True
    except (InvalidSignature, ValueError):
        return False

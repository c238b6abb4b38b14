"""Ed25519 keys, signatures and their text encodings (via ``cryptography``).

Every signature is domain-separated: what is signed is ``signing_bytes(kind, document)``, the
ASCII line ``hurwicz/1 <kind>`` and a newline, then the canonical JSON (RFC 8785) of the
document. ``<kind>`` names the message (:data:`SIGNATURE_KINDS`) and ``hurwicz/1`` the protocol
version, so a signature made for one kind of message (or one version) never verifies as another.

Example:
    >>> key = generate_key()
    >>> sig = sign(key, "commit", {"bid": 10})
    >>> verify(public_hex(key), "commit", {"bid": 10}, sig)
    True
    >>> verify(public_hex(key), "commit", {"bid": 11}, sig), verify(public_hex(key), "reveal",
    ...                                                              {"bid": 10}, sig)
    (False, False)
    >>> signing_bytes("tree_head", {"size": 1})
    b'hurwicz/1 tree_head\\n{"size":1}'
"""

from __future__ import annotations

import re
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from hurwicz.core.errors import InputError

from .canonical import canonical_bytes

#: The protocol version every signature commits to.
PROTOCOL = "hurwicz/1"
#: What hurwicz signs: participants sign their ``commit`` and ``reveal`` entries, the operator
#: signs ``tree_head`` and ``receipt`` documents, witnesses sign ``cosignature`` (of a tree
#: head, at their own time) and ``ack`` (of a submission lodged with them).
SIGNATURE_KINDS = frozenset({"commit", "reveal", "tree_head", "receipt", "cosignature", "ack"})
_HEX = re.compile(r"(?:[0-9a-f]{2})+")  # always used with fullmatch ("$" allows a newline)
_PREFIXES = {kind: f"{PROTOCOL} {kind}\n".encode("ascii") for kind in SIGNATURE_KINDS}

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


def signing_prefix(kind: str) -> bytes:
    """``b"hurwicz/1 <kind>\\n"``, the domain-separation line that starts every signed message.

    Example:
        >>> signing_prefix("receipt")
        b'hurwicz/1 receipt\\n'
        >>> signing_prefix("close")
        Traceback (most recent call last):
        ...
        hurwicz.core.errors.InputError: kind: 'close' is not signed; signed kinds: ack, ...
    """
    try:
        return _PREFIXES[kind]
    except (KeyError, TypeError):
        raise InputError("kind", f"{kind!r} is not signed; signed kinds: "
                         f"{', '.join(sorted(SIGNATURE_KINDS))}") from None


def signing_bytes(kind: str, document: Any) -> bytes:
    """The exact bytes signed for a message of ``kind``: :func:`signing_prefix` then the
    canonical JSON of ``document``.

    Example:
        >>> signing_bytes("commit", {"b": 1, "a": "x"})
        b'hurwicz/1 commit\\n{"a":"x","b":1}'
    """
    return signing_prefix(kind) + canonical_bytes(document)


def sign(key: Ed25519PrivateKey, kind: str, document: Any) -> str:
    """Hex Ed25519 signature of :func:`signing_bytes` ``(kind, document)``.

    Example:
        >>> len(sign(generate_key(), "receipt", {"a": 1}))
        128
    """
    return key.sign(signing_bytes(kind, document)).hex()


def verify(public: str, kind: str, document: Any, signature: str) -> bool:
    """Whether ``signature`` is ``public``'s signature of ``document`` as a message of
    ``kind``. A document that has no canonical form does not verify.

    Example:
        >>> verify("00" * 32, "commit", {"a": 1}, "00" * 64)
        False
    """
    try:
        message = signing_bytes(kind, document)
    except InputError:
        return False
    return verify_bytes(public, message, signature)


def verify_bytes(public: str, message: bytes, signature: str) -> bool:
    """Whether ``signature`` (hex) signs ``message`` for the hex public key ``public``.

    Uses libsodium (PyNaCl) when present, else OpenSSL through ``cryptography``; both follow
    RFC 8032 and reject non-canonical signatures.

    Example:
        >>> key = generate_key()
        >>> verify_bytes(public_hex(key), b"m", key.sign(b"m").hex())
        True
    """
    # one spelling only (lower-case hex, nothing else): ``bytes.fromhex`` also reads upper
    # case and spaces, so one key could be named twice and one signature sent two ways
    if not isinstance(public, str) or not isinstance(signature, str) or \
            not _HEX.fullmatch(public) or not _HEX.fullmatch(signature):
        return False
    pub, sig = bytes.fromhex(public), bytes.fromhex(signature)
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

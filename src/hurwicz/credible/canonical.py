"""Canonical JSON (RFC 8785, the JSON Canonicalization Scheme) and hashes: the bytes everyone
signs and hashes the same way, in any language.

The canonical form of a JSON value is its UTF-8 text with

* object members sorted by their keys compared as arrays of UTF-16 code units, no whitespace;
* strings written with the minimal escapes (RFC 8785 §3.2.2.2): ``\\"``, ``\\\\``, ``\\b``,
  ``\\t``, ``\\n``, ``\\f``, ``\\r``, other controls below U+0020 as ``\\u00xx`` (lower-case hex);
  every other character as itself (``/``, U+007F, non-ASCII — never a ``\\u`` escape);
* numbers as IEEE 754 doubles written as ECMAScript's ``Number.prototype.toString`` writes
  them: the shortest digits that read back to the same double, ``1e+21`` and ``1e-7`` in
  exponent form, ``100`` and ``0.000001`` without; ``-0`` becomes ``0``.

Anything that is not JSON data is refused with an :class:`InputError` naming where it is: NaN
and infinities (never written as ``null``), integers that no double holds exactly, object keys
that are not strings, lone UTF-16 surrogates, and nesting deeper than :data:`MAX_DEPTH`.
Tuples are written as arrays and numpy scalars and arrays as the numbers and arrays they hold.

Example:
    >>> canonical_bytes({"b": 1, "a": [1.5, "x", 2.0, 1e21, 1e-7]})
    b'{"a":[1.5,"x",2,1e+21,1e-7],"b":1}'
    >>> sha256_hex(b"")[:16]
    'e3b0c44298fc1c14'
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from json.encoder import encode_basestring as _quote  # the C escaper: RFC 8785's escapes
from typing import Any

from hurwicz.core.errors import InputError

#: Deepest nesting of arrays and objects that canonical JSON accepts.
MAX_DEPTH = 64
_EXACT = 2**53  # every integer up to this magnitude is a double, written with all its digits


class _RefusedError(Exception):
    """Internal: a value that has no canonical form; ``path`` is filled in on the way out."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.path = ""


def format_number(x: float) -> str:
    """A double as ECMAScript writes it (RFC 8785 §3.2.2.3): the shortest round-trip digits,
    in fixed notation for 1e-6 <= |x| < 1e21 and in exponent notation otherwise.

    Example:
        >>> [format_number(x) for x in (0.1, -0.0, 100.0, 1e21, 1.5e-7, 123e-20, 2.0**60)]
        ['0.1', '0', '100', '1e+21', '1.5e-7', '1.23e-18', '1152921504606847000']
        >>> format_number(float("inf"))
        Traceback (most recent call last):
        ...
        hurwicz.core.errors.InputError: number: inf is not a JSON number (canonical JSON ...
    """
    try:
        return _number(float(x))
    except _RefusedError as err:
        raise InputError("number", err.message) from None


def _number(x: float) -> str:
    if x.is_integer():
        if -_EXACT <= x <= _EXACT:
            return str(int(x))  # all its digits are the shortest round-trip digits
    else:
        text = repr(x)
        if "e" not in text and "n" not in text:  # not 'inf' or 'nan' either
            return text  # Python's fixed notation is ECMAScript's for these magnitudes
    return _ecmascript(x)


def _ecmascript(x: float) -> str:
    if not math.isfinite(x):
        raise _RefusedError(f"{x!r} is not a JSON number (canonical JSON refuses NaN and "
                            "infinities)")
    sign = "-" if x < 0 else ""
    mantissa, _, exponent = repr(abs(x)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    scale = int(exponent or 0) - len(fraction)  # value = int(digits) * 10**scale
    stripped = digits.rstrip("0")
    scale += len(digits) - len(stripped)
    digits = stripped
    k = len(digits)
    n = k + scale  # ECMAScript's n: value = 0.digits * 10**n
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * -n + digits
    e = n - 1
    head = digits[0] + ("." + digits[1:] if k > 1 else "")
    return f"{sign}{head}e{'+' if e >= 0 else '-'}{abs(e)}"


def _integer(value: int) -> str:
    if -_EXACT <= value <= _EXACT:
        return str(value)
    try:
        as_double = float(value)
    except OverflowError:
        as_double = math.inf
    if as_double != value:
        shown = str(value) if value.bit_length() < 200 else f"of {value.bit_length()} bits"
        raise _RefusedError(f"the integer {shown} is not exactly an IEEE 754 double (canonical "
                            "JSON numbers are doubles); send it as a string")
    return _number(as_double)


def _utf16(item: tuple[str, Any]) -> bytes:
    return item[0].encode("utf-16-be", "surrogatepass")


def _encode(value: Any, depth: int) -> str:
    kind = type(value)
    if kind is str:
        return _quote(value)
    if kind is dict:
        return _object(value, depth)
    if kind is list:
        return _array(value, depth)
    if kind is float:
        return _number(value)
    if kind is int:
        return _integer(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    return _encode(_plain(value), depth)


def _object(obj: dict[str, Any], depth: int) -> str:
    if depth >= MAX_DEPTH:
        raise _RefusedError(f"is nested deeper than {MAX_DEPTH} arrays and objects")
    if not obj:
        return "{}"
    try:
        ascii_keys = "".join(obj).isascii()
    except TypeError:
        key = next(k for k in obj if type(k) is not str)
        raise _RefusedError(f"has a key that is not a string: {key!r}") from None
    items = sorted(obj.items()) if ascii_keys else sorted(obj.items(), key=_utf16)
    depth += 1
    parts = []
    append = parts.append
    try:
        for k, v in items:
            append(_quote(k) + ":" + (_quote(v) if type(v) is str else _encode(v, depth)))
    except _RefusedError as err:  # name the member at fault on the way out (no re-encoding)
        key = items[len(parts)][0]
        err.path = f".{key}{err.path}" if key.isidentifier() else f"[{key!r}]{err.path}"
        raise
    return "{" + ",".join(parts) + "}"


def _array(items: list[Any], depth: int) -> str:
    if depth >= MAX_DEPTH:
        raise _RefusedError(f"is nested deeper than {MAX_DEPTH} arrays and objects")
    depth += 1
    parts = []
    append = parts.append
    try:
        for v in items:
            append(_quote(v) if type(v) is str else _encode(v, depth))
    except _RefusedError as err:  # the item at fault is the one after those encoded
        err.path = f"[{len(parts)}]{err.path}"
        raise
    return "[" + ",".join(parts) + "]"


def _plain(value: Any) -> Any:
    """The plain JSON value of a tuple, mapping or numpy value (else refuse)."""
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, tuple | list):
        return list(value)
    module = type(value).__module__
    if module == "numpy" and hasattr(value, "tolist"):  # numpy scalars and arrays
        return value.tolist()
    raise _RefusedError(f"a {type(value).__name__} is not JSON data")


def canonical_text(document: Any) -> str:
    """The canonical JSON text of ``document`` (see the module's description).

    Example:
        >>> canonical_text({"é": "\\u20ac", "e": [None, True]})
        '{"e":[null,true],"é":"€"}'
        >>> canonical_text({"x": [1, float("nan")]})
        Traceback (most recent call last):
        ...
        hurwicz.core.errors.InputError: x[1]: nan is not a JSON number (canonical JSON refuses ...
    """
    try:
        return _encode(document, 0)
    except _RefusedError as err:
        where = err.path.lstrip(".") or "document"
        if len(where) > 120:
            where = where[:100] + "…" + where[-19:]
        raise InputError(where, err.message) from None
    except RecursionError:
        raise InputError("document", "is nested too deeply") from None


def canonical_bytes(document: Any) -> bytes:
    """The canonical UTF-8 JSON encoding of ``document`` (RFC 8785).

    Example:
        >>> canonical_bytes({"z": None, "a": True, "n": -0.0})
        b'{"a":true,"n":0,"z":null}'
    """
    text = canonical_text(document)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(_surrogate_path(document) or "document",
                         "contains a lone UTF-16 surrogate (not Unicode text)") from None


def _surrogate_path(value: Any, path: str = "") -> str | None:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path or "document"
        return None
    if isinstance(value, dict):
        for key, sub in value.items():
            found = _surrogate_path(key, path) or _surrogate_path(sub, f"{path}.{key}".lstrip("."))
            if found:
                return found
    if isinstance(value, list | tuple):
        for i, sub in enumerate(value):
            found = _surrogate_path(sub, f"{path}[{i}]")
            if found:
                return found
    return None


def _object_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) != len(pairs):
        seen: set[str] = set()
        key = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise _RefusedError(f"an object has the key {key!r} twice")
    return document


def _no_constant(name: str) -> Any:
    raise _RefusedError(f"{name} is not a JSON number")


def _integer_literal(text: str) -> int | float:
    value = int(text)
    return value if -_EXACT <= value <= _EXACT else float(text)


def _float_literal(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _RefusedError(f"the number {text[:40]} is too large for a double")
    return value


def loads(text: str | bytes, field: str = "document") -> Any:
    """Parse JSON strictly, as a verifier in any language reads it: numbers are IEEE 754
    doubles (an integer beyond 2**53 reads as the nearest double, as in JavaScript), and
    ``NaN``/``Infinity``, numbers too large for a double and duplicate object keys are refused
    with one :class:`InputError` line. (What parses but has no canonical form — a lone
    surrogate, nesting deeper than :data:`MAX_DEPTH` — is left to the reader to report.)

    Example:
        >>> loads('{"a": [1, 2.50, 1e400]}', "t")
        Traceback (most recent call last):
        ...
        hurwicz.core.errors.InputError: t: not JSON: the number 1e400 is too large for a double
        >>> loads('{"a": 1, "a": 2}', "transcript")
        Traceback (most recent call last):
        ...
        hurwicz.core.errors.InputError: transcript: not JSON: an object has the key 'a' twice
    """
    try:
        document = json.loads(text, object_pairs_hook=_object_pairs, parse_constant=_no_constant,
                              parse_int=_integer_literal, parse_float=_float_literal)
    except _RefusedError as err:
        raise InputError(field, f"not JSON: {err.message}") from None
    except RecursionError:
        raise InputError(field, "not JSON: nested too deeply") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputError(field, f"not JSON: {err}") from None
    return document


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
        >>> document_hash({"a": 1}) == document_hash({"a": 1.0})
        True
    """
    return sha256_hex(canonical_bytes(document))


def commitment(round_id: str, report: Any, salt: str) -> str:
    """H(round id ‖ canonical report ‖ salt), the commit-reveal commitment: SHA-256 of the
    three parts, each UTF-8 and preceded by its length in bytes as 8 bytes big-endian (so that
    no two different triples share an encoding).

    Example:
        >>> commitment("r1", {"bid": 10}, "s") != commitment("r1", {"bid": 10}, "t")
        True
    """
    try:
        parts = [round_id.encode("utf-8"), canonical_bytes(report), salt.encode("utf-8")]
    except UnicodeEncodeError:
        raise InputError("salt", "contains a lone UTF-16 surrogate (not Unicode text)") from None
    framed = b"".join(len(p).to_bytes(8, "big") + p for p in parts)
    return sha256_hex(framed)

"""Field types shared by every family's input and parameter schemas, defined once.

* :data:`Name` — an agent, candidate, item or project name: 1–256 characters, Unicode
  NFC-normalised, with no control or invisible formatting character (see below).
* :data:`Money` — a finite amount ≥ 0 and at most :data:`MAX_AMOUNT`.
* :data:`PositiveWeight` — a finite weight > 0 and at most :data:`MAX_AMOUNT`.
* :data:`Seed` — a non-negative integer seed.
* :data:`Seconds` — a finite solver time limit > 0 and at most :data:`MAX_SECONDS` (11.6 days).

``MAX_AMOUNT`` (10^15) bounds every amount of money or value a mechanism accepts: sums of up to
10^6 such amounts stay exact to a cent-sized fraction in binary floating point, and products
such as value × clicks cannot overflow. Larger numbers (1e308 and the like) are refused with a
message naming the field, never silently turned into ``inf`` or ``null``.

**Names.** "Zoë" typed with the precomposed ``ë`` (U+00EB) and typed as ``e`` + combining
diaeresis (U+0308) look the same and are the same agent: every name is brought to Unicode
normal form C, so both spellings become one name. Two keys of one object that become the same
name are an error naming the key (:func:`check_unique_names`), never silently merged. A name may
not hold a control character (newline, tab, NUL: category Cc), an invisible formatting
character (category Cf: bidirectional overrides and isolates U+202A–U+202E, U+2066–U+2069,
soft hyphen, zero-width no-break space, tag characters), a lone surrogate (Cs) or a line or
paragraph separator (Zl, Zp): such characters make one name print as another, or break the
one-line error messages and the tables. Zero-width non-joiner and joiner (U+200C, U+200D) are
allowed: Persian and Indic names and emoji sequences need them.

Families that validate names without pydantic (bulk paths over large profiles) call
:func:`check_name`, :func:`normalise_names` or :func:`normalise_keys`, which apply the same
rules and raise :class:`~hurwicz.core.errors.InputError` naming the field.

Example:
    >>> from pydantic import TypeAdapter
    >>> TypeAdapter(Money).validate_python(2.5)
    2.5
    >>> try:
    ...     TypeAdapter(Money).validate_python(1e308)
    ... except Exception as err:
    ...     print("less than or equal to" in str(err))
    True
    >>> TypeAdapter(Name).validate_python("Zoe\\u0308") == "Zo\\u00eb"
    True
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

from .errors import InputError

#: Largest amount of money (or value, cost, weight) any input or parameter may hold.
MAX_AMOUNT = 1e15
#: Longest time limit a solver may be given, in seconds.
MAX_SECONDS = 1e6
#: Longest name, in characters (after normalisation).
MAX_NAME_LENGTH = 256

#: Unicode categories refused in names: control, format, surrogate, line and paragraph separator.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
#: Format characters that real names need (ZWNJ, ZWJ), allowed despite their category.
ALLOWED_FORMAT_CHARACTERS = frozenset({"\u200c", "\u200d"})

V = TypeVar("V")


def _describe_char(ch: str) -> str:
    """``U+202E (RIGHT-TO-LEFT OVERRIDE)``; control characters have no Unicode name."""
    fallback = "a lone surrogate" if unicodedata.category(ch) == "Cs" else "a control character"
    label = unicodedata.name(ch, "") or fallback
    return f"U+{ord(ch):04X} ({label})"


def _name_problem(value: str) -> tuple[str, str | None]:
    """``(normalised name, problem or None)`` for a string."""
    if value.isascii():
        # NFC leaves ASCII unchanged; the only refused ASCII characters are the controls,
        # exactly what isprintable() rejects
        text = value
        if text.isprintable():
            return text, _length_problem(text)
    else:
        text = unicodedata.normalize("NFC", value)
        if text.isprintable():  # nothing non-printable at all: no refused category either
            return text, _length_problem(text)
    for i, ch in enumerate(text):
        if unicodedata.category(ch) in REFUSED_CATEGORIES and ch not in ALLOWED_FORMAT_CHARACTERS:
            return text, (f"contains {_describe_char(ch)} at position {i}: names may not hold "
                          "control or invisible formatting characters")
    return text, _length_problem(text)


def _length_problem(text: str) -> str | None:
    if not text:
        return "must not be empty"
    if len(text) > MAX_NAME_LENGTH:
        return f"is longer than {MAX_NAME_LENGTH} characters ({len(text)})"
    return None


def field_part(part: Any) -> str:
    """One part of a dotted field path, quoted when it would not print as itself (a key with a
    newline or an invisible character must not break or disguise the one-line message).

    Example:
        >>> field_part("alice"), field_part(3), field_part("a\\nb")
        ('alice', '3', "'a\\\\nb'")
    """
    text = str(part)
    return text if text.isprintable() else repr(text)


def join_field(prefix: str, part: Any) -> str:
    """``prefix.part`` (just ``part`` without a prefix), the part quoted by :func:`field_part`.

    Example:
        >>> join_field("bids", "alice"), join_field("", "bids")
        ('bids.alice', 'bids')
    """
    return f"{prefix}.{field_part(part)}" if prefix else field_part(part)


def check_name(value: Any, field: str) -> str:
    """Validate one name outside pydantic: a string of 1–256 characters with no control or
    invisible formatting character. Return it in Unicode normal form C; raise
    :class:`InputError` naming ``field`` otherwise.

    Example:
        >>> check_name("Zoe\\u0308", "candidates.0") == "Zo\\u00eb"
        True
        >>> try:
        ...     check_name("eve\\u202egnp.exe", "bids")
        ... except InputError as err:
        ...     print(err)  # doctest: +ELLIPSIS
        bids: contains U+202E (RIGHT-TO-LEFT OVERRIDE) at position 3: names may not hold ...
    """
    if not isinstance(value, str):
        raise InputError(field, f"must be a string, got {type(value).__name__}")
    text, problem = _name_problem(value)
    if problem:
        raise InputError(field, problem)
    return text


def normalise_names(names: Iterable[Any], field: str, *, unique: bool = False) -> list[str]:
    """:func:`check_name` over a list (e.g. a ranking or a candidate list); the error of the
    ``i``-th name names ``field.i``. With ``unique``, two entries that are the same name after
    normalisation are an error naming the later one.

    Example:
        >>> normalise_names(["a", "Zoe\\u0308"], "candidates") == ["a", "Zo\\u00eb"]
        True
        >>> try:
        ...     normalise_names(["Zo\\u00eb", "Zoe\\u0308"], "candidates", unique=True)
        ... except InputError as err:
        ...     print(err)  # doctest: +ELLIPSIS
        candidates.1: duplicate name: 'Zoe\\u0308' is 'Zo\\xeb' (entry 0) after Unicode ...
    """
    out: list[str] = []
    first: dict[str, int] = {}
    for i, raw in enumerate(names):
        name = check_name(raw, f"{field}.{i}")
        if unique:
            if name in first:
                j = first[name]
                raise InputError(f"{field}.{i}", _duplicate_message(raw, out[j], f"entry {j}"))
            first[name] = i
        out.append(name)
    return out


def normalise_keys(mapping: Mapping[Any, V], field: str) -> dict[str, V]:
    """A copy of ``mapping`` whose keys went through :func:`check_name` (errors name
    ``field.key``); two keys that become the same name are an error naming the later key.

    Example:
        >>> normalise_keys({"a": 1}, "bids")
        {'a': 1}
        >>> try:
        ...     normalise_keys({"Zo\\u00eb": 1, "Zoe\\u0308": 2}, "bids")
        ... except InputError as err:
        ...     print(ascii(err.field), err.message)  # doctest: +ELLIPSIS
        'bids.Zoe\\u0308' duplicate name: 'Zoe\\u0308' is 'Zo\\xeb' (another key) after ...
    """
    out: dict[str, V] = {}
    original: dict[str, Any] = {}
    for key, value in mapping.items():
        where = join_field(field, key)
        name = check_name(key, where)
        if name in out:
            raise InputError(where, _duplicate_message(key, original[name], "another key"))
        out[name] = value
        original[name] = key
    return out


def _duplicate_message(raw: Any, other: Any, what: str) -> str:
    return (f"duplicate name: {raw!a} is {other!a} ({what}) after Unicode "
            "normalisation (NFC)")


def check_unique_names(data: Any, prefix: str = "") -> None:
    """Refuse an object (at any depth of ``data``) with two keys that are the same name after
    Unicode normalisation; the error names the later key. Keys that are ASCII cannot collide
    (pure-ASCII objects cost one pass over their keys).

    :func:`hurwicz.core.validation.validate_model` calls this before pydantic, which would
    otherwise keep only the last of the two values.

    Example:
        >>> try:
        ...     check_unique_names({"bids": {"Zo\\u00eb": 10, "Zoe\\u0308": 8}})
        ... except InputError as err:
        ...     print(ascii(err.field))
        'bids.Zoe\\u0308'
    """
    if not _is_container(data):
        return
    # the walk keeps no paths (it runs over every input); the path is found again on an error
    stack: list[Any] = [data]
    push = stack.append
    while stack:
        node = stack.pop()
        cls = node.__class__
        if cls is dict or (cls is not list and isinstance(node, Mapping)):
            plain = True
            for k, v in node.items():
                if k.__class__ is not str or not k.isascii():
                    plain = False
                c = v.__class__
                if c is dict or c is list or (c not in _SCALARS and _is_container(v)):
                    push(v)
            if not plain:
                _check_keys(node, data, prefix)
        else:
            for v in node:
                c = v.__class__
                if c is dict or c is list or (c not in _SCALARS and _is_container(v)):
                    push(v)


#: Types that hold no keys, skipped without an isinstance check (the walk's hot path).
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _is_container(value: Any) -> bool:
    return isinstance(value, Mapping | list | tuple)


def path_of(data: Any, target: Any, prefix: str = "") -> str:
    """Dotted field path of the object ``target`` (found by identity) inside ``data``; the walk
    is iterative, so deep data cannot exhaust the stack.

    Example:
        >>> data = {"bids": {"a": [1, {"x": 2}]}}
        >>> path_of(data, data["bids"]["a"][1])
        'bids.a.1'
    """
    stack: list[tuple[Any, str]] = [(data, prefix)]
    while stack:
        node, path = stack.pop()
        if node is target:
            return path
        items = node.items() if isinstance(node, Mapping) else enumerate(node)
        stack.extend((v, join_field(path, k)) for k, v in items if _is_container(v))
    return prefix


def _check_keys(node: Mapping[Any, Any], data: Any, prefix: str) -> None:
    seen: dict[str, Any] = {}
    for key in node:
        if not isinstance(key, str):
            continue
        name = key if key.isascii() else unicodedata.normalize("NFC", key)
        if name in seen:
            # the key that comes second in the object is named
            raise InputError(join_field(path_of(data, node, prefix), key),
                             _duplicate_message(key, seen[name], "another key"))
        seen[name] = key


def _pydantic_name(value: str) -> str:
    text, problem = _name_problem(value)
    if problem:
        raise PydanticCustomError("invalid_name", problem)
    return text


Name = Annotated[str, StringConstraints(min_length=1, max_length=MAX_NAME_LENGTH),
                 AfterValidator(_pydantic_name)]
Money = Annotated[float, Field(ge=0, le=MAX_AMOUNT, allow_inf_nan=False)]
PositiveWeight = Annotated[float, Field(gt=0, le=MAX_AMOUNT, allow_inf_nan=False)]
Seed = Annotated[int, Field(ge=0)]
Seconds = Annotated[float, Field(gt=0, le=MAX_SECONDS, allow_inf_nan=False)]

__all__ = ["ALLOWED_FORMAT_CHARACTERS", "MAX_AMOUNT", "MAX_NAME_LENGTH", "MAX_SECONDS",
           "REFUSED_CATEGORIES", "Money", "Name", "PositiveWeight", "Seconds", "Seed",
           "check_name", "check_unique_names", "field_part", "join_field", "normalise_keys",
           "normalise_names", "path_of"]

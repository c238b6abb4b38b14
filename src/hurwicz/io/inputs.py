"""Reading a mechanism input from a file, chosen by the file's suffix.

Families register readers for their own formats (``.csv`` contributions, PrefLib ``.soc``...)
with :func:`register_reader`; JSON is built in. ``-`` reads JSON from standard input.

Example:
    >>> import json, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "bids.json"
    >>> _ = path.write_text(json.dumps({"bids": {"a": 1}}))
    >>> read_input(path)
    {'bids': {'a': 1}}
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hurwicz.core.errors import InputError
from hurwicz.core.types import join_field, path_of

Reader = Callable[[Path, str | None], Any]
_READERS: dict[str, Reader] = {}
_LOADED = False


def register_reader(suffix: str, reader: Reader) -> None:
    """Register ``reader(path, mechanism_name)`` for files ending in ``suffix``.

    Example:
        >>> register_reader(".txt", lambda path, name: {"text": path.read_text()})
        >>> ".txt" in input_readers()
        True
        >>> _ = _READERS.pop(".txt")
    """
    _READERS[suffix.lower()] = reader


def input_readers() -> dict[str, Reader]:
    """All known readers by suffix.

    Example:
        >>> sorted(input_readers())[0].startswith(".")
        True
    """
    global _LOADED
    if not _LOADED:
        # every module of hurwicz.io may register readers for its formats on import
        _LOADED = True
        package = importlib.import_module("hurwicz.io")
        for mod in pkgutil.walk_packages(package.__path__, prefix="hurwicz.io."):
            importlib.import_module(mod.name)
    return dict(_READERS)


def parse_json_text(text: str, where: str) -> Any:
    """Parse JSON, turning every problem into a one-line :class:`InputError`.

    Syntax errors name the line and column. Two equal keys in one object are an error naming
    the key's path (``bids.alice: duplicate key``), never "last one wins". A leading UTF-8
    byte-order mark is skipped. Input nested too deeply for the parser (about 1,000 levels) and
    number literals too long to convert (over 4,300 digits) are refused. ``NaN`` and
    ``Infinity`` are read (Python's json accepts them); the schemas then refuse them with the
    field's name.

    Example:
        >>> parse_json_text('{"a": 1}', "x.json")
        {'a': 1}
        >>> try:
        ...     parse_json_text('{"bids": {"alice": 10, "alice": 8}}', "x.json")
        ... except InputError as err:
        ...     print(err)
        bids.alice: duplicate key in x.json
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    duplicates: list[tuple[dict[str, Any], str]] = []

    def pairs_to_dict(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) != len(pairs) and not duplicates:
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen:
                    duplicates.append((obj, key))
                    break
                seen.add(key)
        return obj

    try:
        data = json.loads(text, object_pairs_hook=pairs_to_dict)
    except json.JSONDecodeError as err:
        raise InputError(where, f"malformed JSON at line {err.lineno} column {err.colno}: "
                         f"{err.msg}") from None
    except RecursionError:
        raise InputError(where, "JSON nested too deeply (arrays or objects about 1,000 levels "
                         "deep)") from None
    except ValueError:  # int() refuses literals over sys.get_int_max_str_digits() digits
        raise InputError(where, f"malformed JSON: a number literal is longer than "
                         f"{sys.get_int_max_str_digits()} digits") from None
    if duplicates:
        obj, key = duplicates[0]
        raise InputError(join_field(path_of(data, obj), key), f"duplicate key in {where}")
    return data


def _read_json(path: Path, mechanism: str | None = None) -> Any:
    return parse_json_text(path.read_text(encoding="utf-8"), str(path))


register_reader(".json", _read_json)


def read_input(path: str | Path, mechanism: str | None = None) -> Any:
    """Read a mechanism input from ``path`` (``-`` for JSON on stdin).

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "in.json"
        >>> _ = p.write_text('{"bids": {}}')
        >>> read_input(str(p))
        {'bids': {}}
    """
    if str(path) == "-":
        return parse_json_text(sys.stdin.read(), "stdin")
    p = Path(path)
    if not p.exists():
        raise InputError("input", f"file not found: {p}")
    if p.is_dir():
        raise InputError("input", f"is a directory, not a file: {p}")
    readers = input_readers()
    reader = readers.get(p.suffix.lower())
    if reader is None:
        known = ", ".join(sorted(readers))
        raise InputError("input", f"no reader for {p.suffix or 'files without a suffix'} "
                         f"(known: {known})")
    try:
        return reader(p, mechanism)
    except UnicodeDecodeError:
        raise InputError(str(p), "is not UTF-8 text") from None

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
    """Parse JSON, turning syntax errors into an :class:`InputError` naming the location.

    Example:
        >>> parse_json_text('{"a": 1}', "x.json")
        {'a': 1}
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(where, f"malformed JSON at line {err.lineno} column {err.colno}: "
                         f"{err.msg}") from None


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

"""PrefLib files (.soc, .soi, .toc, .toi; Mattei & Walsh 2013) as ranked-ballot inputs.

Format (PrefLib 2022): ``# ALTERNATIVE NAME i: name`` metadata lines, then data lines
``count: a,b,{c,d},e`` where numbers are alternatives and braces group ties (only in .toc/.toi).
Incomplete orders (.soi/.toi) simply list fewer alternatives.

Example:
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "e.soc"
    >>> _ = p.write_text("# ALTERNATIVE NAME 1: x\\n# ALTERNATIVE NAME 2: y\\n3: 1,2\\n1: 2,1\\n")
    >>> read_preflib(p)["ballots"]
    [{'ranking': ['x', 'y'], 'count': 3}, {'ranking': ['y', 'x'], 'count': 1}]
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from hurwicz.core.errors import InputError

from .inputs import register_reader

NAME = re.compile(r"^#\s*ALTERNATIVE NAME\s+(\d+)\s*:\s*(.*)$")


def _parse_order(text: str, names: dict[int, str], where: str, ties: bool) -> list[Any]:
    out: list[Any] = []
    for group in re.findall(r"\{[^}]*\}|[^,{}]+", text):
        group = group.strip()
        if not group:
            continue
        if group.startswith("{"):
            if not ties:
                raise InputError(where, "ties ({...}) are only allowed in .toc/.toi files")
            members = [m.strip() for m in group[1:-1].split(",") if m.strip()]
            out.append([_name(m, names, where) for m in members])
        else:
            out.append(_name(group, names, where))
    return out


def _name(token: str, names: dict[int, str], where: str) -> str:
    try:
        number = int(token)
    except ValueError:
        raise InputError(where, f"{token!r} is not an alternative number") from None
    if number not in names:
        raise InputError(where, f"alternative {number} is not declared")
    return names[number]


def read_preflib(path: Path, mechanism: str | None = None) -> dict[str, Any]:
    """Read a PrefLib file into ``{"candidates": [...], "ballots": [...]}``.

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.toc"
        >>> _ = p.write_text("# ALTERNATIVE NAME 1: a\\n# ALTERNATIVE NAME 2: b\\n2: {1,2}\\n")
        >>> read_preflib(p)["ballots"]
        [{'ranking': [['a', 'b']], 'count': 2}]
    """
    ties = path.suffix.lower() in {".toc", ".toi"}
    names: dict[int, str] = {}
    ballots = []
    for line_no, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            m = NAME.match(line)
            if m:
                names[int(m.group(1))] = m.group(2).strip()
            continue
        where = f"{path.name}:{line_no}"
        count_text, sep, order = line.partition(":")
        if not sep:
            raise InputError(where, "expected 'count: order'")
        try:
            count = int(count_text)
        except ValueError:
            raise InputError(where, f"count {count_text.strip()!r} is not an integer") from None
        if count < 1:
            raise InputError(where, "count must be positive")
        ballots.append({"ranking": _parse_order(order, names, where, ties), "count": count})
    if not names:
        raise InputError(path.name, "declares no '# ALTERNATIVE NAME' lines")
    return {"candidates": [names[k] for k in sorted(names)], "ballots": ballots}


def write_preflib(data: dict[str, Any], path: Path) -> None:
    """Write ranked ballots as a PrefLib file (the suffix decides nothing: ties are written
    with braces whenever present).

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "w.soc"
        >>> write_preflib({"candidates": ["x", "y"], "ballots": [{"ranking": ["y", "x"]}]}, p)
        >>> read_preflib(p)["ballots"]
        [{'ranking': ['y', 'x'], 'count': 1}]
    """
    index = {c: i + 1 for i, c in enumerate(data["candidates"])}
    lines = [f"# ALTERNATIVE NAME {i}: {c}" for c, i in index.items()]
    for ballot in data["ballots"]:
        parts = []
        for entry in ballot["ranking"]:
            if isinstance(entry, list):
                parts.append("{" + ",".join(str(index[c]) for c in entry) + "}")
            else:
                parts.append(str(index[entry]))
        lines.append(f"{ballot.get('count', 1)}: {','.join(parts)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


for _suffix in (".soc", ".soi", ".toc", ".toi"):
    register_reader(_suffix, read_preflib)

"""CSV inputs for matching markets (a header row is required; every error names file:line).

* two-sided markets (``matching.deferred_acceptance``, ``matching.boston``,
  ``matching.school_ttc``): columns ``side,name,capacity,preferences`` and, optionally,
  ``others`` — ``side`` is ``proposer`` or ``receiver``; ``capacity`` (receivers only,
  blank = 1, 0 allowed); ``preferences`` lists names best first separated by ``;``, a tie group
  joined by ``|`` (receivers only, e.g. ``s1|s2;s3``); blank = nobody acceptable. A receiver
  whose ``others`` cell says ``lottery`` (or ``unacceptable``) gives its priorities as classes
  (:class:`~hurwicz.mechanisms.matching.preferences.PriorityClasses`): each ``;``-separated
  group is one priority class, and every other applicant ranks below them by the lottery (or
  is unacceptable). Unknown names, a name listed twice and a name on both sides are errors
  naming the file and line of the row that lists them;
* one-sided assignment (``matching.serial_dictatorship``, ``matching.probabilistic_serial``):
  columns ``kind,name,capacity,preferences`` with ``kind`` ``agent`` or ``object``;
* housing markets (``matching.ttc``): columns ``agent,owns,preferences``;
* kidney exchange (``matching.kidney``): columns ``donor,recipient,weight,altruist`` —
  ``weight`` blank = 1; ``altruist`` is ``yes`` on the rows of a non-directed donor; a pair
  with no compatible donor can be listed with a blank ``recipient``.

Example:
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "market.csv"
    >>> _ = p.write_text("side,name,capacity,preferences\\nproposer,s1,,c1;c2\\n"
    ...                  "receiver,c1,2,s1\\nreceiver,c2,,\\n")
    >>> read_matching_csv(p, "matching.deferred_acceptance")
    {'proposers': {'s1': ['c1', 'c2']}, 'receivers': {'c1': ['s1'], 'c2': []}, \
'capacities': {'c1': 2, 'c2': 1}}
"""

from __future__ import annotations

import contextlib
import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hurwicz.core.errors import InputError
from hurwicz.core.types import check_name, join_field

from .csv_rows import csv_rows

TWO_SIDED = ("side", "name", "capacity", "preferences", "others")
ONE_SIDED = ("kind", "name", "capacity", "preferences")
HOUSING = ("agent", "owns", "preferences")
KIDNEY = ("donor", "recipient", "weight", "altruist")


def _name(row: dict[str, str], key: str, where: str) -> str:
    value = row.get(key, "")
    if not value:
        raise InputError(f"{where}.{key}", "is empty")
    return value


def _capacity(row: dict[str, str], where: str) -> int:
    raw = row.get("capacity", "")
    if raw == "":
        return 1
    try:
        value = int(raw)
    except ValueError:
        raise InputError(f"{where}.capacity", f"not a whole number: {raw!r}") from None
    if value < 0:
        raise InputError(f"{where}.capacity", f"must be >= 0, got {value}")
    return value


_SPLIT = re.compile(r"\s*;\s*")
_TIE = re.compile(r"\s*\|\s*")


def _preferences(raw: str, where: str, ties: bool) -> list[Any]:
    """``c1;c2`` → ``["c1", "c2"]``; ``s1|s2;s3`` → ``[["s1", "s2"], "s3"]`` (spaces around
    the separators dropped). Most cells take one ``split``: the name lists of large markets
    are long."""
    if not raw:
        return []
    # any whitespace but the ASCII space is unprintable: one C-level test for most cells
    spaced = " " in raw or not raw.isprintable()
    names = _SPLIT.split(raw) if spaced else raw.split(";")
    if "|" not in raw:
        if "" in names:
            raise InputError(f"{where}.preferences", f"empty name in {raw!r}")
        return names
    if not ties:
        raise InputError(f"{where}.preferences", "ties ('|') are only allowed in "
                         "receivers' priorities")
    out: list[Any] = []
    for part in names:
        group = _TIE.split(part) if spaced else part.split("|")
        if "" in group:
            raise InputError(f"{where}.preferences", f"empty name in {raw!r}")
        out.append(group if len(group) > 1 else group[0])
    return out


@contextlib.contextmanager
def _long_cells() -> Iterator[None]:
    """Let one cell hold a whole receiver's list (over 131,072 characters, Python's default
    limit, once a school ranks some 10,000 applicants); the old limit comes back after."""
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, 2**31 - 1))
    try:
        yield
    finally:
        csv.field_size_limit(limit)


def _unique(seen: set[str], name: str, where: str) -> None:
    if name in seen:
        raise InputError(f"{where}.name", f"{name!r} is listed twice")
    seen.add(name)


def read_matching_csv(path: Path, mechanism: str | None = None) -> LocatedMarket:
    """A two-sided market from CSV. The rows are checked here; the names they list are checked
    by the mechanism, which reports a problem at the file and line of the row at fault
    (:class:`LocatedMarket`).

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "m.csv"
        >>> _ = p.write_text("side,name,capacity,preferences\\nstudent,s1,,c1\\n")
        >>> try:
        ...     read_matching_csv(p)
        ... except InputError as err:
        ...     print(err)
        m.csv:2.side: must be proposer or receiver, got 'student'
        >>> _ = p.write_text("side,name,capacity,preferences,others\\nproposer,s1,,c1\\n"
        ...                  "proposer,s2,,c1\\nreceiver,c1,1,s2,lottery\\n")
        >>> read_matching_csv(p)["receivers"]
        {'c1': {'classes': [['s2']], 'others': 'lottery'}}
    """
    proposers: dict[str, list[Any]] = {}
    receivers: dict[str, Any] = {}
    capacities: dict[str, int] = {}
    lines: dict[str, str] = {}
    with _long_cells():
        for where, row in csv_rows(path, TWO_SIDED, ("side", "name", "preferences")):
            side, name = row["side"], _name(row, "name", where)
            others = row.get("others", "")
            if name in lines:
                raise InputError(f"{where}.name", f"{name!r} is listed twice")
            lines[name] = where
            if side == "proposer":
                if row.get("capacity"):
                    raise InputError(f"{where}.capacity", "only receivers have capacities")
                if others:
                    raise InputError(f"{where}.others", "only receivers have priority classes")
                proposers[name] = _preferences(row["preferences"], where, ties=False)
            elif side == "receiver":
                ranking = _preferences(row["preferences"], where, ties=True)
                if others in ("lottery", "unacceptable"):
                    receivers[name] = {"classes": [e if isinstance(e, list) else [e]
                                                   for e in ranking], "others": others}
                elif others:
                    raise InputError(f"{where}.others", "must be lottery, unacceptable or "
                                     f"blank (a full list), got {others!r}")
                else:
                    receivers[name] = ranking
                capacities[name] = _capacity(row, where)
            else:
                raise InputError(f"{where}.side", f"must be proposer or receiver, got {side!r}")
    _check_row_names(lines)
    return LocatedMarket({"proposers": proposers, "receivers": receivers,
                          "capacities": capacities}, lines)


def _check_row_names(lines: dict[str, str]) -> None:
    """Every row's name is a valid name, and no two are one name after normalisation (in bulk
    when every name is plain ASCII)."""
    from hurwicz.mechanisms.matching.preferences import clean_names

    if clean_names(list(lines)):
        return
    first: dict[str, str] = {}
    for name, where in lines.items():
        normal = check_name(name, f"{where}.name")
        if normal in first:
            raise InputError(f"{where}.name", f"{name!a} is {first[normal]!a} (an "
                             "earlier row) after Unicode normalisation (NFC): listed twice")
        first[normal] = name


class LocatedMarket(dict[str, Any]):
    """A two-sided market read from CSV that remembers the ``file:line`` of every row: when
    a mechanism finds a problem in one row's list (an unknown name, a name listed twice), the
    error names that line (:meth:`locate_error`) — without validating the market twice.

    Example:
        >>> m = LocatedMarket({"proposers": {"s1": ["c9"]}, "receivers": {}}, {"s1": "m.csv:2"})
        >>> str(m.locate_error(InputError("proposers.s1", "unknown receiver 'c9'")))
        "m.csv:2.preferences: unknown receiver 'c9'"
    """

    def __init__(self, data: dict[str, Any], lines: dict[str, str]) -> None:
        super().__init__(data)
        self.lines = lines

    def locate_error(self, err: InputError) -> InputError:
        """``err`` at the line of the row its field names (unchanged if none does)."""
        field = err.field or ""
        side = field.split(".", 1)[0]
        if side not in ("proposers", "receivers", "capacities"):
            return err
        # the row whose (quoted) name the field continues with; a pass over every row, but
        # only when something is wrong
        rows = [(len(f), name) for name in self.lines
                if field == (f := join_field(side, name)) or field.startswith(f"{f}.")]
        if not rows:
            return err
        column = "capacity" if side == "capacities" else "preferences"
        return InputError(f"{self.lines[max(rows)[1]]}.{column}", err.message)


def read_one_sided_csv(path: Path, mechanism: str | None = None) -> dict[str, Any]:
    """Agents' rankings and objects' capacities from CSV.

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "o.csv"
        >>> _ = p.write_text("kind,name,capacity,preferences\\nagent,a,,x;y\\nobject,x,1,\\n"
        ...                  "object,y,0,\\n")
        >>> read_one_sided_csv(p)
        {'agents': {'a': ['x', 'y']}, 'objects': {'x': 1, 'y': 0}}
    """
    agents: dict[str, list[Any]] = {}
    objects: dict[str, int] = {}
    seen: set[str] = set()
    for where, row in csv_rows(path, ONE_SIDED, ("kind", "name")):
        kind, name = row.get("kind", ""), _name(row, "name", where)
        _unique(seen, name, where)
        if kind == "agent":
            agents[name] = _preferences(row.get("preferences", ""), where, ties=False)
        elif kind == "object":
            if row.get("preferences"):
                raise InputError(f"{where}.preferences", "objects have no preferences")
            objects[name] = _capacity(row, where)
        else:
            raise InputError(f"{where}.kind", f"must be agent or object, got {kind!r}")
    return {"agents": agents, "objects": objects}


def read_housing_csv(path: Path, mechanism: str | None = None) -> dict[str, Any]:
    """A housing market (each agent owns one house) from CSV.

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "h.csv"
        >>> _ = p.write_text("agent,owns,preferences\\na,h1,h2;h1\\nb,h2,h1\\n")
        >>> read_housing_csv(p)["agents"]["a"]
        {'owns': 'h1', 'ranking': ['h2', 'h1']}
    """
    agents: dict[str, dict[str, Any]] = {}
    for where, row in csv_rows(path, HOUSING, HOUSING):
        name = _name(row, "agent", where)
        if name in agents:
            raise InputError(f"{where}.agent", f"{name!r} is listed twice")
        agents[name] = {"owns": _name(row, "owns", where),
                        "ranking": _preferences(row.get("preferences", ""), where, ties=False)}
    return {"agents": agents}


def read_kidney_csv(path: Path, mechanism: str | None = None) -> dict[str, Any]:
    """A kidney exchange pool (compatibility edges) from CSV.

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "k.csv"
        >>> _ = p.write_text("donor,recipient,weight,altruist\\np1,p2,,\\np2,p1,2,\\n"
        ...                  "n1,p3,,yes\\np3,,,\\n")
        >>> pool = read_kidney_csv(p)
        >>> pool["pairs"], pool["altruists"], pool["edges"][1]
        (['p1', 'p2', 'p3'], ['n1'], {'donor': 'p2', 'recipient': 'p1', 'weight': 2.0})
    """
    pairs: list[str] = []
    altruists: list[str] = []
    edges: list[dict[str, Any]] = []
    kind: dict[str, str] = {}

    def note(name: str, what: str, where: str) -> None:
        if kind.setdefault(name, what) != what:
            raise InputError(where, f"{name!r} is both a pair and an altruist")
        if what == "pair" and name not in pairs:
            pairs.append(name)
        if what == "altruist" and name not in altruists:
            altruists.append(name)

    for where, row in csv_rows(path, KIDNEY, ("donor", "recipient")):
        donor = _name(row, "donor", where)
        flag = row.get("altruist", "").lower()
        if flag not in ("", "yes", "no", "true", "false", "1", "0"):
            raise InputError(f"{where}.altruist", f"must be yes or no, got {flag!r}")
        note(donor, "altruist" if flag in ("yes", "true", "1") else "pair", where)
        recipient = row.get("recipient", "")
        if not recipient:
            if row.get("weight"):
                raise InputError(f"{where}.weight", "a row without recipient has no weight")
            continue
        note(recipient, "pair", f"{where}.recipient")
        raw = row.get("weight", "")
        try:
            weight = 1.0 if raw == "" else float(raw)
        except ValueError:
            raise InputError(f"{where}.weight", f"not a number: {raw!r}") from None
        edges.append({"donor": donor, "recipient": recipient, "weight": weight})
    return {"pairs": pairs, "altruists": altruists, "edges": edges}

"""Cooperative games (transferable utility): players and a characteristic function ``v``.

A game reaches the valuation functions in one of three forms, all turned into a :class:`Game`
by :func:`as_game`:

* a table ``{"players": ["a", "b"], "values": {"": 0, "a": 1, "b": 1, "a,b": 3}}`` —
  coalitions are comma-joined *sorted* player names, ``""`` is the empty coalition;
* a Python callable on a ``frozenset`` of players, with ``players=[...]`` given alongside
  (a utility such as "train on these clients' data, score on validation");
* a :class:`Game` (e.g. :meth:`Game.from_array`, values indexed by bitmask: bit ``i`` set
  means ``players[i]`` is in the coalition — the fast path for exact values).

``v(∅)`` must be 0; a table whose ``""`` entry is not 0, or that lacks a coalition a method
needs, is refused with an :class:`~hurwicz.core.errors.InputError` naming the field.
Coalition utilities are cached: each coalition is evaluated at most once per game, and
:attr:`Game.calls` counts the evaluations of the underlying utility.

Example:
    >>> g = as_game({"players": ["a", "b"], "values": {"": 0, "a": 1, "b": 1, "a,b": 3}})
    >>> g.value(frozenset({"a", "b"})), g.n
    (3.0, 2)
    >>> h = as_game(lambda s: float(len(s)) ** 2, players=["x", "y", "z"])
    >>> h.value(frozenset({"x", "y"})), h.value(frozenset({"y", "x"})), h.calls  # v(∅) checked too
    (4.0, 4.0, 2)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from hurwicz.core.errors import InputError

#: Largest number of players for which all 2^n coalitions are enumerated.
MAX_EXACT_PLAYERS = 25


def _check_players(players: Iterable[Hashable], field: str = "players") -> tuple[Any, ...]:
    out = tuple(players)
    if len(set(out)) != len(out):
        raise InputError(field, "player names must be distinct")
    return out


class Game:
    """A cooperative game: ``players`` and a cached characteristic function.

    Subclasses implement :meth:`_evaluate` (one coalition) and may override
    :meth:`_evaluate_masks` (many coalitions given as bitmasks, vectorised).

    Example:
        >>> g = Game.from_array(["a", "b"], [0.0, 1.0, 2.0, 4.0])
        >>> g.value(frozenset({"b"})), g.mask_values(np.array([3, 1])).tolist()
        (2.0, [4.0, 1.0])
    """

    def __init__(self, players: Iterable[Hashable]) -> None:
        self.players = _check_players(players)
        self.index = {p: i for i, p in enumerate(self.players)}
        self.calls = 0
        self._cache: dict[int, float] = {}

    @property
    def n(self) -> int:
        """Number of players."""
        return len(self.players)

    # --- coalitions ------------------------------------------------------------------------
    def mask(self, coalition: Iterable[Hashable]) -> int:
        """The bitmask of a coalition (an error names an unknown player).

        Example:
            >>> Game.from_array(["a", "b"], [0, 1, 1, 2]).mask({"b"})
            2
        """
        m = 0
        for p in coalition:
            if p not in self.index:
                raise InputError("coalition", f"unknown player {p!r}")
            m |= 1 << self.index[p]
        return m

    def coalition(self, mask: int) -> frozenset:
        """The coalition of a bitmask.

        Example:
            >>> sorted(Game.from_array(["a", "b"], [0, 1, 1, 2]).coalition(3))
            ['a', 'b']
        """
        return frozenset(p for i, p in enumerate(self.players) if mask >> i & 1)

    # --- values ----------------------------------------------------------------------------
    def value(self, coalition: Iterable[Hashable]) -> float:
        """``v(coalition)``, cached.

        Example:
            >>> Game.from_array(["a"], [0.0, 5.0]).value({"a"})
            5.0
        """
        return self.mask_value(self.mask(coalition))

    def mask_value(self, mask: int) -> float:
        """``v`` of the coalition with this bitmask, cached."""
        cached = self._cache.get(mask)
        if cached is None:
            raw = self._evaluate(mask)
            try:
                cached = float(raw)
            except (TypeError, ValueError):
                raise InputError("game", f"v({_label(self.coalition(mask))}) = {raw!r} is not "
                                 "a number") from None
            if not math.isfinite(cached):
                raise InputError("game", f"v({_label(self.coalition(mask))}) = {cached} is "
                                 "not a finite number")
            self.calls += 1
            self._cache[mask] = cached
        return cached

    def mask_values(self, masks: np.ndarray) -> np.ndarray:
        """``v`` of many coalitions given as an integer array of bitmasks.

        Example:
            >>> Game.from_array(["a", "b"], [0, 1, 2, 3]).mask_values(np.arange(4)).tolist()
            [0.0, 1.0, 2.0, 3.0]
        """
        return np.array([self.mask_value(int(m)) for m in np.asarray(masks).ravel()],
                        dtype=float).reshape(np.shape(masks))

    def all_values(self) -> np.ndarray:
        """``v`` of all 2^n coalitions, indexed by bitmask (``n`` ≤ :data:`MAX_EXACT_PLAYERS`).

        Example:
            >>> as_game(lambda s: len(s), players=["a", "b"]).all_values().tolist()
            [0.0, 1.0, 1.0, 2.0]
        """
        check_exact_size(self.n)
        return self.mask_values(np.arange(1 << self.n, dtype=np.int64))

    def check_empty(self) -> None:
        """Refuse a game with ``v(∅) ≠ 0``."""
        empty = self.mask_value(0)
        if empty != 0.0:
            raise InputError(self._empty_field, f"v(empty coalition) must be 0, got {empty:g}")

    _empty_field = "game"

    def _evaluate(self, mask: int) -> float:
        raise NotImplementedError

    @staticmethod
    def from_array(players: Iterable[Hashable], values: Sequence[float] | np.ndarray) -> Game:
        """A game from ``values[mask]`` for all 2^n bitmasks (bit ``i``: ``players[i]``).

        Example:
            >>> Game.from_array(["a", "b"], [0, 1, 1, 3]).value({"a", "b"})
            3.0
        """
        return ArrayGame(players, values)


def check_exact_size(n: int) -> None:
    """Refuse more players than enumerating all coalitions allows.

    Example:
        >>> try:
        ...     check_exact_size(30)
        ... except InputError as err:
        ...     print(err.field)
        players
    """
    if n > MAX_EXACT_PLAYERS:
        raise InputError("players", f"{n} players: exact values enumerate all 2^n coalitions "
                         f"and allow at most {MAX_EXACT_PLAYERS}; use method='permutation' or "
                         "'tmc' (Monte Carlo with standard errors)")


class ArrayGame(Game):
    """A game stored as a dense array of the 2^n coalition values (vectorised lookups)."""

    _empty_field = "values"

    def __init__(self, players: Iterable[Hashable], values: Sequence[float] | np.ndarray) -> None:
        super().__init__(players)
        check_exact_size(self.n)
        arr = np.asarray(values, dtype=float)
        if arr.shape != (1 << self.n,):
            raise InputError("values", f"need 2^{self.n} = {1 << self.n} coalition values, "
                             f"got shape {arr.shape}")
        if not np.isfinite(arr).all():
            raise InputError("values", "coalition values must be finite numbers")
        self._array = arr

    def _evaluate(self, mask: int) -> float:
        return float(self._array[mask])

    def mask_values(self, masks: np.ndarray) -> np.ndarray:
        masks = np.asarray(masks, dtype=np.int64)
        self.calls += int(masks.size)  # lookups, not distinct coalitions (no cache needed)
        return self._array[masks]

    def all_values(self) -> np.ndarray:
        self.calls += 1 << self.n
        return self._array


class TableGame(Game):
    """A game from ``{"players": [...], "values": {"a,b": 3.0, "": 0, ...}}``."""

    _empty_field = 'values[""]'

    def __init__(self, players: Iterable[Any], values: Mapping[str, Any]) -> None:
        plist = list(players)
        for p in plist:
            if not isinstance(p, str) or not p or "," in p:
                raise InputError("players", f"player names must be non-empty strings without "
                                 f"commas, got {p!r}")
        super().__init__(plist)
        if not isinstance(values, Mapping):
            raise InputError("values", "must be an object mapping coalitions to numbers")
        self._dense: np.ndarray | None = None
        self._table: dict[int, float] = {}
        if 0 < self.n <= MAX_EXACT_PLAYERS and len(values) == 1 << self.n:
            self._dense = _complete_table(self.players, values)
            if self._dense is not None:
                if self._dense[0] != 0.0:
                    raise InputError('values[""]', f"v(empty coalition) must be 0, got "
                                     f"{self._dense[0]:g}")
                return
        table: dict[int, float] = {}
        for key, val in values.items():
            if not isinstance(key, str):
                raise InputError("values", f"coalition keys must be strings, got {key!r}")
            names = [] if key == "" else key.split(",")
            mask = 0
            for name in names:
                if name not in self.index:
                    raise InputError(f"values[{key!r}]", f"unknown player {name!r}")
                bit = 1 << self.index[name]
                if mask & bit:
                    raise InputError(f"values[{key!r}]", f"player {name!r} listed twice")
                mask |= bit
            if isinstance(val, bool) or not isinstance(val, int | float) or \
                    not math.isfinite(float(val)):
                raise InputError(f"values[{key!r}]", f"must be a finite number, got {val!r}")
            if mask in table:
                raise InputError(f"values[{key!r}]", "the same coalition is given twice")
            table[mask] = float(val)
        if 0 not in table:
            raise InputError('values[""]', "the empty coalition must be given, with value 0")
        self._table = table

    def _evaluate(self, mask: int) -> float:
        if self._dense is not None:
            return float(self._dense[mask])
        if mask not in self._table:
            names = ",".join(sorted(str(p) for p in self.coalition(mask)))
            raise InputError("values", f"missing coalition {names!r}")
        return self._table[mask]

    def all_values(self) -> np.ndarray:
        check_exact_size(self.n)
        if self._dense is not None and not self._table:
            self.calls = 1 << self.n
            return self._dense
        if self._dense is None:
            if len(self._table) != 1 << self.n:
                missing = next(m for m in range(1 << self.n) if m not in self._table)
                self._evaluate(missing)  # raises, naming the coalition
            dense = np.empty(1 << self.n)
            masks = np.fromiter(self._table.keys(), dtype=np.int64, count=len(self._table))
            dense[masks] = np.fromiter(self._table.values(), dtype=float,
                                       count=len(self._table))
            self._dense = dense
            self._cache.update(self._table)
            self.calls = len(self._cache)
        return self._dense


def _complete_table(players: Sequence[Any], values: Mapping[str, Any]) -> np.ndarray | None:
    """Fast path for a complete table in canonical form (every coalition once, names sorted,
    plain finite numbers): the dense array by bitmask, or None (the careful parser then
    reports whatever is wrong, naming the coalition)."""
    order = sorted(range(len(players)), key=lambda i: players[i])
    keys = [""]
    masks = np.zeros(1, dtype=np.int64)
    for i in order:  # doubling in sorted-name order keeps every key canonical
        name = players[i]
        keys = keys + [f"{k},{name}" if k else name for k in keys]
        masks = np.concatenate([masks, masks | (1 << i)])
    try:
        raw = [values[k] for k in keys]
    except KeyError:
        return None
    if not all(type(v) is float or type(v) is int for v in raw):
        return None
    dense = np.empty(len(keys))
    dense[masks] = np.array(raw, dtype=float)
    return dense if np.isfinite(dense).all() else None


class CallableGame(Game):
    """A game whose characteristic function is a Python callable on frozensets of players."""

    def __init__(self, fn: Callable[[frozenset], float], players: Iterable[Hashable]) -> None:
        super().__init__(players)
        self.fn = fn

    def _evaluate(self, mask: int) -> float:
        return self.fn(self.coalition(mask))


def _label(coalition: frozenset) -> str:
    return "{" + ", ".join(sorted(map(str, coalition))) + "}"


def as_game(game: Any, players: Iterable[Hashable] | None = None) -> Game:
    """A :class:`Game` from a table, a callable (with ``players``) or a game; ``v(∅) = 0`` is
    checked.

    Example:
        >>> try:
        ...     as_game({"players": ["a"], "values": {"": 1, "a": 2}})
        ... except InputError as err:
        ...     print(err)
        values[""]: v(empty coalition) must be 0, got 1
    """
    if isinstance(game, Game):
        g = game
        if players is not None and tuple(players) != g.players:
            raise InputError("players", "differ from the game's own players")
    elif isinstance(game, Mapping):
        extra = set(game) - {"players", "values"}
        if extra:
            raise InputError(sorted(extra)[0], "unknown field (a table has players, values)")
        if "players" not in game:
            raise InputError("players", "a table game needs its list of players")
        if "values" not in game:
            raise InputError("values", "a table game needs its coalition values")
        if not isinstance(game["players"], list | tuple):
            raise InputError("players", "must be a list of names")
        if players is not None and list(players) != list(game["players"]):
            raise InputError("players", "differ from the table's own players")
        g = TableGame(game["players"], game["values"])
    elif callable(game):
        if players is None:
            players = getattr(game, "players", None)
        if players is None:
            raise InputError("players", "a callable game needs players=[...]")
        g = CallableGame(game, players)
    else:
        raise InputError("game", "must be a table {players, values}, a callable on frozensets "
                         "of players, or a Game")
    g.check_empty()
    return g


__all__ = ["MAX_EXACT_PLAYERS", "ArrayGame", "CallableGame", "Game", "TableGame", "as_game",
           "check_exact_size"]

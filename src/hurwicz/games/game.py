"""Normal-form games: payoff arrays, validation, regrets and pure Nash equilibria.

A game with N players is one payoff array per player, each of shape
``(actions of player 1, ..., actions of player N)``. Payoffs may be ints, floats or
``fractions.Fraction``; the exact methods (pure enumeration, support and vertex enumeration,
Lemke–Howson) compute with Fractions built from the payoffs as given (a float is taken at its
exact binary value), so their equilibria have regret exactly 0.

Example:
    >>> g = Game([[[3, 0], [5, 1]], [[3, 5], [0, 1]]])   # prisoner's dilemma
    >>> g.shape, [e.profile for e in g.nash("pure")]
    ((2, 2), [(1, 1)])
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from hurwicz.core.errors import InputError

#: Most pure profiles the vectorised pure-equilibrium search enumerates.
MAX_PURE_PROFILES = 20_000_000

Number = int | float | Fraction


def _to_fraction(x: Any, where: str) -> Fraction:
    if isinstance(x, Fraction):
        return x
    if isinstance(x, bool):
        raise InputError(where, f"a payoff must be a number, got {x!r}")
    if isinstance(x, int | np.integer):
        return Fraction(int(x))
    if isinstance(x, float | np.floating):
        if not math.isfinite(float(x)):
            raise InputError(where, f"payoffs must be finite numbers, got {float(x)!r}")
        return Fraction(float(x))
    if isinstance(x, str):
        try:
            return Fraction(x.strip())
        except (ValueError, ZeroDivisionError):
            raise InputError(where, f"not a number: {x!r}") from None
    raise InputError(where, f"a payoff must be a number, got {type(x).__name__}")


def _exact_array(values: Any, where: str) -> np.ndarray:
    """An object array of Fractions from nested lists / an array; errors name ``where``."""
    try:
        arr = np.array(values, dtype=object)
    except ValueError:
        raise InputError(where, "ragged array: every row must have the same length") from None
    if arr.dtype != object or any(isinstance(v, list | tuple) for v in arr.flat):
        raise InputError(where, "ragged array: every row must have the same length")
    out = np.empty(arr.shape, dtype=object)
    for idx, v in np.ndenumerate(arr):
        out[idx] = _to_fraction(v, where + "".join(f"[{i}]" for i in idx))
    return out


def _numeric_array(values: Any, where: str) -> np.ndarray | None:
    """A float copy of a numeric (int/float) array, NaN and infinities refused with the
    index named; None when ``values`` is not a plain numeric array (Fractions, strings,
    ragged lists: the exact path validates those)."""
    try:
        arr = np.asarray(values)
    except (ValueError, TypeError):
        return None
    if arr.dtype.kind not in "iuf":
        return None
    out = arr.astype(float)
    bad = np.argwhere(~np.isfinite(out))
    if len(bad) and arr.dtype.kind == "f":
        idx = tuple(int(v) for v in bad[0])
        raise InputError(where + "".join(f"[{i}]" for i in idx),
                         f"payoffs must be finite numbers, got {float(arr[idx])!r}")
    return out


@dataclass(frozen=True)
class Equilibrium:
    """One equilibrium: a strategy (probability vector) per player, the expected payoffs and
    each player's regret (best deviation payoff minus equilibrium payoff; 0 for exact ones).

    Example:
        >>> g = Game([[[1, -1], [-1, 1]], [[-1, 1], [1, -1]]])
        >>> e = g.nash("vertex")[0]
        >>> [str(p) for p in e.strategies[0]], e.regret
        (['1/2', '1/2'], (Fraction(0, 1), Fraction(0, 1)))
    """

    strategies: tuple[tuple[Any, ...], ...]
    payoffs: tuple[Any, ...]
    regret: tuple[Any, ...]
    exact: bool
    method: str

    @property
    def profile(self) -> tuple[int, ...] | None:
        """The pure profile when every strategy is pure, else None.

        Example:
            >>> Game([[[1, 0]], [[2, 3]]]).nash("pure")[0].profile
            (0, 1)
        """
        out = []
        for s in self.strategies:
            ones = [i for i, p in enumerate(s) if p == 1]
            if len(ones) != 1:
                return None
            out.append(ones[0])
        return tuple(out)

    @property
    def max_regret(self) -> float:
        """The largest player regret, as a float."""
        return float(max(self.regret)) if self.regret else 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: exact Fractions as strings ``"p/q"`` (and floats next to them).

        Example:
            >>> Game([[[1]], [[2]]]).nash("pure")[0].to_dict()["strategies"]
            [['1'], ['1']]
        """
        def show(x: Any) -> Any:
            return str(x) if isinstance(x, Fraction) else float(x)

        doc: dict[str, Any] = {
            "strategies": [[show(p) for p in s] for s in self.strategies],
            "payoffs": [show(v) for v in self.payoffs],
            "regret": [show(r) for r in self.regret],
            "exact": self.exact, "method": self.method,
        }
        if self.exact:
            doc["strategies_float"] = [[float(p) for p in s] for s in self.strategies]
            doc["payoffs_float"] = [float(v) for v in self.payoffs]
        return doc


class Game:
    """An N-player normal-form game: ``payoffs[p]`` is player p's payoff array, of shape
    (actions of each player).

    Args:
        payoffs: one array per player (nested lists, numpy arrays; ints, floats, Fractions or
            ``"p/q"`` strings). NaN, infinities, ragged or mismatched shapes are refused with
            an error naming the field (``payoffs[1]``...).
        players: optional player names (default ``P1``, ``P2``...).
        actions: optional action names per player (default ``a0``, ``a1``...).

    Example:
        >>> g = Game([[[2, 0], [0, 1]], [[1, 0], [0, 2]]], players=["ann", "bob"])
        >>> g.players, g.shape, len(g.nash("vertex"))
        (['ann', 'bob'], (2, 2), 3)
    """

    payoffs: list[np.ndarray]
    players: list[str]
    actions: list[list[str]]

    def __repr__(self) -> str:
        return f"<Game {' × '.join(map(str, self.shape))}: players {self.players}>"

    def __init__(self, payoffs: Sequence[Any], players: Sequence[str] | None = None,
                 actions: Sequence[Sequence[str]] | None = None) -> None:
        if isinstance(payoffs, np.ndarray) and payoffs.dtype != object and payoffs.ndim >= 2:
            payoffs = list(payoffs)
        if not isinstance(payoffs, Sequence) or isinstance(payoffs, str) or not payoffs:
            raise InputError("payoffs", "give one payoff array per player (a non-empty list)")
        floats: list[np.ndarray] = []
        exact: list[np.ndarray | None] = []
        sources: list[Any] = []
        for i, p in enumerate(payoffs):
            fast = _numeric_array(p, f"payoffs[{i}]")
            if fast is not None:  # a numeric array: Fractions are made when first needed
                floats.append(fast)
                exact.append(None)
                sources.append(np.array(p, copy=True))
            else:
                ex = _exact_array(p, f"payoffs[{i}]")
                exact.append(ex)
                sources.append(None)
                try:
                    floats.append(np.array(ex, dtype=float))
                except OverflowError:
                    raise InputError(f"payoffs[{i}]", "payoffs too large for a float "
                                     "(beyond ±1.8e308)") from None
        n = len(floats)
        shape = floats[0].shape
        for i, arr in enumerate(floats):
            if arr.ndim != n:
                raise InputError(f"payoffs[{i}]", f"a {n}-player game needs {n}-dimensional "
                                 f"payoff arrays, got shape {arr.shape}")
            if arr.shape != shape:
                raise InputError(f"payoffs[{i}]", f"shape {arr.shape} does not match "
                                 f"payoffs[0]'s {shape}")
            if not np.all(np.isfinite(arr)):
                raise InputError(f"payoffs[{i}]", "payoffs too large for a float")
        if any(k < 1 for k in shape):
            raise InputError("payoffs", f"every player needs at least one action, got {shape}")
        self._exact_cache = exact
        self._sources = sources
        # payoffs given as floats, or ints a double holds exactly: the float arrays *are* the
        # payoffs, so float comparisons are exact comparisons
        self._floats_exact = all(
            src is not None and (src.dtype.kind == "f" or bool(np.all(np.abs(src) < 2**53)))
            for src in sources)
        self.payoffs = floats
        self.players = list(players) if players is not None else [f"P{i + 1}" for i in range(n)]
        if len(self.players) != n or len(set(self.players)) != n:
            raise InputError("players", f"need {n} distinct player names, got {self.players}")
        if actions is None:
            self.actions = [[f"a{j}" for j in range(k)] for k in shape]
        else:
            self.actions = [list(a) for a in actions]
            if len(self.actions) != n:
                raise InputError("actions", f"need one action list per player ({n})")
            for i, (a, k) in enumerate(zip(self.actions, shape)):
                if len(a) != k:
                    raise InputError(f"actions[{i}]", f"{len(a)} names for {k} actions")
                if len(set(a)) != k:
                    raise InputError(f"actions[{i}]", "action names must be distinct")

    @property
    def _exact(self) -> list[np.ndarray]:
        """Payoff arrays of Fractions (built from the input on first use)."""
        for i, ex in enumerate(self._exact_cache):
            if ex is None:
                self._exact_cache[i] = _exact_array(self._sources[i], f"payoffs[{i}]")
        self._sources = [None] * len(self._sources)
        return self._exact_cache  # type: ignore[return-value]

    # --- construction -------------------------------------------------------------------------
    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> Game:
        """From ``{"players": [...], "actions": [[...], ...], "payoffs": [...]}`` (players and
        actions optional; ``payoffs`` one array per player).

        Example:
            >>> Game.from_dict({"payoffs": [[[1, 0]], [[0, 1]]]}).shape
            (1, 2)
        """
        if not isinstance(doc, Mapping):
            raise InputError("game", "a game is a JSON object with a 'payoffs' field")
        unknown = set(doc) - {"players", "actions", "payoffs", "name", "description"}
        if unknown:
            raise InputError(sorted(unknown)[0], "unknown field (expected players, actions, "
                             "payoffs)")
        if "payoffs" not in doc:
            raise InputError("payoffs", "missing: one payoff array per player")
        players = doc.get("players")
        actions = doc.get("actions")
        if players is not None and (not isinstance(players, list)
                                    or not all(isinstance(p, str) for p in players)):
            raise InputError("players", "a list of player names")
        if actions is not None and (not isinstance(actions, list) or not all(
                isinstance(a, list) and all(isinstance(x, str) for x in a) for a in actions)):
            raise InputError("actions", "a list of action-name lists, one per player")
        if not isinstance(doc["payoffs"], list):
            raise InputError("payoffs", "one payoff array per player (a list)")
        if players is not None and len(players) != len(doc["payoffs"]):
            raise InputError("payoffs", f"{len(players)} players named but "
                             f"{len(doc['payoffs'])} payoff arrays (one per player)")
        return cls(doc["payoffs"], players=players, actions=actions)

    @classmethod
    def from_json(cls, path: str | Path) -> Game:
        """Read a game from a JSON file (see :meth:`from_dict`).

        Example:
            >>> import tempfile, os
            >>> p = os.path.join(tempfile.mkdtemp(), "g.json")
            >>> _ = open(p, "w").write('{"payoffs": [[[1, 2]], [[2, 1]]]}')
            >>> Game.from_json(p).shape
            (1, 2)
        """
        try:
            text = Path(path).read_text()
        except OSError as exc:
            raise InputError("file", f"cannot read {path}: {exc.strerror}") from None
        try:
            doc = json.loads(text, parse_constant=lambda c: float(c))
        except json.JSONDecodeError as exc:
            raise InputError("file", f"not valid JSON: {exc.msg} (line {exc.lineno})") from None
        return cls.from_dict(doc)

    @classmethod
    def from_csv(cls, path: str | Path) -> Game:
        """Read a game from a CSV file, one row per action profile: a header
        ``player1,...,playerN,payoff:player1,...,payoff:playerN`` then the actions and payoffs
        of every profile (see :mod:`hurwicz.games.gamefile`); errors name ``file:line``.

        Example:
            >>> import tempfile, os
            >>> p = os.path.join(tempfile.mkdtemp(), "g.csv")
            >>> _ = open(p, "w").write("a,b,payoff:a,payoff:b\\nx,l,1,2\\nx,r,2,1\\n")
            >>> Game.from_csv(p).actions
            [['x'], ['l', 'r']]
        """
        from .gamefile import read_game_csv

        return read_game_csv(path)

    @classmethod
    def from_file(cls, path: str | Path) -> Game:
        """Read a game from a ``.csv`` file (:meth:`from_csv`) or else a JSON file
        (:meth:`from_json`).

        Example:
            >>> import tempfile, os
            >>> p = os.path.join(tempfile.mkdtemp(), "g.CSV")
            >>> _ = open(p, "w").write("a,payoff:a\\nx,1\\ny,2\\n")
            >>> [e.profile for e in Game.from_file(p).nash("pure")]
            [(1,)]
        """
        if str(path).lower().endswith(".csv"):
            return cls.from_csv(path)
        return cls.from_json(path)

    @classmethod
    def bimatrix(cls, A: Any, B: Any | None = None) -> Game:
        """A two-player game from the row player's matrix ``A`` and the column player's ``B``
        (zero-sum ``B = -A`` when omitted).

        Example:
            >>> Game.bimatrix([[0, -1, 1], [1, 0, -1], [-1, 1, 0]]).shape
            (3, 3)
        """
        a = _exact_array(A, "payoffs[0]")
        b = -a if B is None else _exact_array(B, "payoffs[1]")
        return cls([a, b])

    def to_dict(self) -> dict[str, Any]:
        """The JSON format read by :meth:`from_dict` (exact non-integers as ``"p/q"``).

        Example:
            >>> Game([[[1, 0]], [[0, 1]]]).to_dict()["payoffs"]
            [[[1, 0]], [[0, 1]]]
        """
        def show(x: Fraction) -> Any:
            return int(x) if x.denominator == 1 else str(x)

        return {"players": self.players, "actions": self.actions,
                "payoffs": [np.vectorize(show, otypes=[object])(a).tolist()
                            for a in self._exact]}

    # --- shape --------------------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        """Actions per player."""
        return tuple(self.payoffs[0].shape)

    @property
    def n_players(self) -> int:
        """How many players."""
        return len(self.payoffs)

    @property
    def is_zero_sum(self) -> bool:
        """Whether the payoffs sum to zero in every profile (exactly).

        Example:
            >>> Game.bimatrix([[1, -1], [-1, 1]]).is_zero_sum
            True
        """
        total = sum(self._exact[1:], self._exact[0])
        return all(v == 0 for v in total.flat)

    def exact_payoffs(self) -> list[np.ndarray]:
        """Payoff arrays of ``Fraction`` objects (copies)."""
        return [a.copy() for a in self._exact]

    # --- payoffs of mixed profiles ------------------------------------------------------------
    def deviation_payoffs(self, strategies: Sequence[Sequence[Any]], player: int,
                          exact: bool = False) -> np.ndarray:
        """Expected payoff of each pure action of ``player`` against the others' strategies.

        Example:
            >>> g = Game.bimatrix([[1, -1], [-1, 1]])
            >>> g.deviation_payoffs([[0.5, 0.5], [1, 0]], 0).tolist()
            [1.0, -1.0]
        """
        arr = self._exact[player] if exact else self.payoffs[player]
        arr = np.moveaxis(arr, player, 0)
        others = [q for q in range(self.n_players) if q != player]
        # contract the last axis repeatedly: others in reverse order
        for q in reversed(others):
            vec = (np.array([_to_fraction(x, "strategy") for x in strategies[q]], dtype=object)
                   if exact else np.asarray(strategies[q], dtype=float))
            arr = arr @ vec if arr.ndim > 1 else arr * vec
        return arr

    def expected_payoffs(self, strategies: Sequence[Sequence[Any]],
                         exact: bool = False) -> tuple[Any, ...]:
        """Each player's expected payoff under a mixed profile.

        Example:
            >>> Game.bimatrix([[1, -1], [-1, 1]]).expected_payoffs([[1, 0], [1, 0]])
            (1.0, -1.0)
        """
        out = []
        for p in range(self.n_players):
            dev = self.deviation_payoffs(strategies, p, exact)
            s = strategies[p]
            val = sum((_to_fraction(x, "strategy") if exact else float(x)) * d
                      for x, d in zip(s, dev))
            out.append(val if exact else float(val))
        return tuple(out)

    def regret(self, strategies: Sequence[Sequence[Any]], exact: bool = False
               ) -> tuple[Any, ...]:
        """Each player's regret: its best pure deviation payoff minus its expected payoff
        (0 for every player exactly at a Nash equilibrium, computed with Fractions when
        ``exact``).

        Example:
            >>> Game.bimatrix([[1, -1], [-1, 1]]).regret([[1, 0], [1, 0]])
            (0.0, 2.0)
        """
        self._check_profile(strategies)
        pay = self.expected_payoffs(strategies, exact)
        out = []
        for p in range(self.n_players):
            best = max(self.deviation_payoffs(strategies, p, exact))
            out.append(best - pay[p] if exact else float(best - pay[p]))
        return tuple(out)

    def _check_profile(self, strategies: Sequence[Sequence[Any]]) -> None:
        if len(strategies) != self.n_players:
            raise InputError("strategies", f"need {self.n_players} strategies")
        for p, (s, k) in enumerate(zip(strategies, self.shape)):
            if len(s) != k:
                raise InputError(f"strategies[{p}]", f"{len(s)} probabilities for {k} actions")

    def equilibrium(self, strategies: Sequence[Sequence[Any]], exact: bool, method: str
                    ) -> Equilibrium:
        """An :class:`Equilibrium` record (payoffs and regrets computed) for a profile."""
        strategies = tuple(tuple(s) for s in strategies)
        return Equilibrium(strategies, self.expected_payoffs(strategies, exact),
                           self.regret(strategies, exact), exact, method)

    # --- solvers ------------------------------------------------------------------------------
    def pure_nash(self) -> list[tuple[int, ...]]:
        """Every pure Nash equilibrium, by vectorised enumeration of all profiles (exact
        comparisons), in lexicographic order.

        Example:
            >>> Game([[[2, 0], [0, 1]], [[1, 0], [0, 2]]]).pure_nash()
            [(0, 0), (1, 1)]
        """
        total = math.prod(self.shape)
        if total > MAX_PURE_PROFILES:
            raise InputError("payoffs", f"{total} pure profiles exceed the enumeration limit "
                             f"of {MAX_PURE_PROFILES}; try correlated() or learning dynamics")
        ok = np.ones(self.shape, dtype=bool)
        if self._floats_exact:  # the floats are the payoffs: comparisons are exact
            for p, fl in enumerate(self.payoffs):
                ok &= fl == fl.max(axis=p, keepdims=True)
            return [tuple(int(v) for v in i) for i in np.argwhere(ok)]
        for p, (fl, ex) in enumerate(zip(self.payoffs, self._exact)):
            best = fl.max(axis=p, keepdims=True)
            # floats first (fast); exact comparison where floats cannot decide
            near = fl >= best - 1e-9 * (1 + np.abs(best))
            cand = ok & near
            if cand.any():
                exact_best = _object_max(ex, axis=p)
                idx = np.argwhere(cand)
                for i in idx:
                    t = tuple(i)
                    key = (*t[:p], 0, *t[p + 1:])
                    if ex[t] != exact_best[key]:
                        cand[t] = False
            ok = cand
        return [tuple(int(v) for v in i) for i in np.argwhere(ok)]

    def nash(self, method: str = "vertex", **options: Any) -> list[Equilibrium]:
        """Nash equilibria.

        Methods:
            ``"pure"``: every pure equilibrium (N players, exact).
            ``"vertex"``: every *extreme* equilibrium of a two-player game by vertex
            enumeration of the best-response polytopes with exact Fractions; correct on
            degenerate games (a continuum of equilibria is reported by its extreme points).
            ``"support"``: support enumeration (two players, equal-size supports, exact);
            complete on nondegenerate games only — it says so on degenerate ones.
            ``"lemke_howson"``: one equilibrium by exact Lemke–Howson pivoting (option
            ``label``, the dropped label, default 0).
            ``"lp"``: value and optimal strategies of a two-player zero-sum game by linear
            programming (HiGHS; floats).

        Example:
            >>> rps = Game.bimatrix([[0, -1, 1], [1, 0, -1], [-1, 1, 0]])
            >>> [str(p) for p in rps.nash("lemke_howson")[0].strategies[0]]
            ['1/3', '1/3', '1/3']
        """
        from . import twoplayer

        if method == "pure":
            return [self.equilibrium(_pure_strategies(self.shape, prof), True, "pure")
                    for prof in self.pure_nash()]
        if method in ("vertex", "support", "lemke_howson", "lp") and self.n_players != 2:
            raise InputError("method", f"{method!r} is for two-player games; this game has "
                             f"{self.n_players} players (use 'pure' or correlated())")
        if method == "vertex":
            return twoplayer.vertex_enumeration(self, **options)
        if method == "support":
            return twoplayer.support_enumeration(self, **options)
        if method == "lemke_howson":
            return [twoplayer.lemke_howson(self, **options)]
        if method == "lp":
            from .zerosum import zero_sum_equilibrium

            return [zero_sum_equilibrium(self)]
        raise InputError("method", f"unknown method {method!r} (pure, vertex, support, "
                         "lemke_howson, lp)")

    def zero_sum(self) -> Any:
        """Value and optimal strategies of a two-player zero-sum game (LP on HiGHS).

        Example:
            >>> round(Game.bimatrix([[0, -1, 1], [1, 0, -1], [-1, 1, 0]]).zero_sum().value, 9)
            0.0
        """
        from .zerosum import solve_zero_sum

        return solve_zero_sum(self)

    def correlated(self, objective: Any = "welfare", coarse: bool = False) -> Any:
        """A correlated (or coarse correlated) equilibrium by LP on HiGHS; see
        :func:`hurwicz.games.correlated.correlated_equilibrium`.

        Example:
            >>> chicken = Game([[[0, 7], [2, 6]], [[0, 2], [7, 6]]])
            >>> round(chicken.correlated("welfare").value, 6)
            10.5
        """
        from .correlated import correlated_equilibrium

        return correlated_equilibrium(self, objective=objective, coarse=coarse)


def _object_max(arr: np.ndarray, axis: int) -> np.ndarray:
    """Max along ``axis`` of an object array of Fractions, keeping the axis (length 1)."""
    return np.maximum.reduce(arr, axis=axis, keepdims=True)  # exact: Fraction comparisons


def _pure_strategies(shape: Sequence[int], profile: Sequence[int]) -> list[list[Fraction]]:
    return [[Fraction(int(j == a)) for j in range(k)] for k, a in zip(shape, profile)]

"""A small CSV format for N-player games: one row per action profile.

The header names the players, then one payoff column per player, ``payoff:NAME``, in the
same order; every following row gives an action for each player, then each player's payoff::

    # prisoner's dilemma (lines starting with # are comments)
    row,column,payoff:row,payoff:column
    cooperate,cooperate,3,3
    cooperate,defect,0,5
    defect,cooperate,5,0
    defect,defect,1,1

Each player's actions are taken in the order they first appear. Every action profile must
appear exactly once. Payoffs are integers, decimals (read exactly: ``0.1`` is 1/10) or
fractions ``p/q``; NaN and infinities are refused. Cells may be quoted as in any CSV and
blank lines are skipped. Errors name ``file:line``.

Example:
    >>> g = parse_game_csv("a,b,payoff:a,payoff:b\\nx,l,1,0\\nx,r,0,1\\ny,l,0,1\\ny,r,1,0\\n")
    >>> g.players, g.actions, [e.profile for e in g.nash("vertex")]
    (['a', 'b'], [['x', 'y'], ['l', 'r']], [None])
"""

from __future__ import annotations

import csv
import io
import itertools
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from hurwicz.core.errors import InputError

if TYPE_CHECKING:
    from .game import Game

#: The prefix of a payoff column's header.
PAYOFF_PREFIX = "payoff:"


def _payoff(text: str, where: str, player: str) -> Fraction:
    try:
        value = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise InputError(where, f"payoff of {player}: not a number: {text!r} (integers, "
                         "decimals or fractions p/q)") from None
    return value


def parse_game_csv(text: str, where: str = "game.csv") -> Game:
    """A :class:`~hurwicz.games.game.Game` from the text of a game CSV file (see the module
    docstring); ``where`` names the file in errors.

    Example:
        >>> parse_game_csv("a,payoff:a\\nx,1\\nx,2\\n", "g.csv")
        Traceback (most recent call last):
        ...
        hurwicz.core.errors.InputError: g.csv:3: profile (x) appears twice (first on line 2)
    """
    from .game import Game

    rows: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    for cells in reader:
        cells = [c.strip() for c in cells]
        if not any(cells) or cells[0].startswith("#"):
            continue
        rows.append((reader.line_num, cells))
    if not rows:
        raise InputError(where, "empty: expected a header row "
                         "'player1,...,playerN,payoff:player1,...,payoff:playerN'")
    line, header = rows[0]
    if len(header) % 2 or not header:
        raise InputError(f"{where}:{line}", f"header has {len(header)} columns; expected the N "
                         "player names then N payoff columns 'payoff:NAME'")
    n = len(header) // 2
    players = header[:n]
    if any(not p for p in players) or len(set(players)) != n:
        raise InputError(f"{where}:{line}", f"player names must be distinct and non-empty, "
                         f"got {players}")
    expected = [PAYOFF_PREFIX + p for p in players]
    if header[n:] != expected:
        raise InputError(f"{where}:{line}", f"payoff columns must be {expected} (in the "
                         f"players' order), got {header[n:]}")
    actions: list[list[str]] = [[] for _ in range(n)]
    index: list[dict[str, int]] = [{} for _ in range(n)]
    cells_of: dict[tuple[str, ...], tuple[int, list[Fraction]]] = {}
    for line, cells in rows[1:]:
        loc = f"{where}:{line}"
        if len(cells) != 2 * n:
            raise InputError(loc, f"{len(cells)} cells; expected {2 * n} ({n} actions, then "
                             f"{n} payoffs)")
        profile = tuple(cells[:n])
        for p, a in enumerate(profile):
            if not a:
                raise InputError(loc, f"empty action for player {players[p]}")
            if a not in index[p]:
                index[p][a] = len(actions[p])
                actions[p].append(a)
        if profile in cells_of:
            raise InputError(loc, f"profile ({', '.join(profile)}) appears twice (first on "
                             f"line {cells_of[profile][0]})")
        pay = [_payoff(c, loc, players[p]) for p, c in enumerate(cells[n:])]
        cells_of[profile] = (line, pay)
    if not cells_of:
        raise InputError(where, "no action profiles after the header")
    shape = tuple(len(a) for a in actions)
    payoffs = [np.empty(shape, dtype=object) for _ in range(n)]
    for combo in itertools.product(*actions):
        if combo not in cells_of:
            raise InputError(where, f"profile ({', '.join(combo)}) is missing: every "
                             f"combination of actions needs a row ({np.prod(shape)} rows)")
        idx = tuple(index[p][a] for p, a in enumerate(combo))
        for p, v in enumerate(cells_of[combo][1]):
            payoffs[p][idx] = int(v) if v.denominator == 1 else v
    return Game(payoffs, players=players, actions=actions)


def read_game_csv(path: str | Path) -> Game:
    """Read a game CSV file (see :func:`parse_game_csv`); errors name ``file:line``.

    Example:
        >>> read_game_csv("/no/such/game.csv")
        Traceback (most recent call last):
        ...
        hurwicz.core.errors.InputError: file: cannot read /no/such/game.csv: No such file ...
    """
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError("file", f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError("file", f"{path} is not UTF-8 text") from None
    return parse_game_csv(text, Path(path).name)

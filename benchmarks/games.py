"""Vertex enumeration of bimatrix games: hurwicz (exact Fractions) vs nashpy (floats).

Random integer games of each size (payoffs in −9..9; a few are degenerate), end to end through
the public APIs: ``hz.games.Game(...).nash("vertex")`` and ``nashpy.Game(A, B).
vertex_enumeration()``. Asserts the same equilibria where nashpy's answers are equilibria
(on degenerate games hurwicz may return more extreme equilibria — never fewer) and prints the
time ratio.

Run: ``python benchmarks/games.py [--sizes 4 6 8] [--games 5]``
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

import nashpy
import numpy as np

import hurwicz as hz

try:  # optional third column: Gambit's enummixed (C++, rational), when pygambit is installed
    import pygambit
except ImportError:  # pragma: no cover
    pygambit = None


def _gambit(A: np.ndarray, B: np.ndarray) -> int:
    cls = getattr(pygambit, "StrategicGame", None) or pygambit.Game
    res = pygambit.nash.enummixed_solve(cls.from_arrays(A, B), rational=True)
    return len({str(eq) for eq in res.equilibria})


def _contains(ours, x, y) -> bool:
    return any(np.allclose(np.array(e.strategies[0], float), x, atol=1e-9)
               and np.allclose(np.array(e.strategies[1], float), y, atol=1e-9) for e in ours)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[4, 6, 8])
    parser.add_argument("--games", type=int, default=5)
    parser.add_argument("--degenerate", type=int, default=200,
                        help="random degenerate games (payoffs in −1..1, up to 4×4)")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f"vertex enumeration, {args.games} random games per size "
          f"(load: {os.getloadavg()[0]:.2f})")
    for m in args.sizes:
        ours_s = theirs_s = gambit_s = 0.0
        extra = 0
        for _ in range(args.games):
            A, B = rng.integers(-9, 10, (m, m)), rng.integers(-9, 10, (m, m))
            start = time.perf_counter()
            game = hz.games.Game([A, B])
            ours = game.nash("vertex")
            ours_s += time.perf_counter() - start
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                theirs = list(nashpy.Game(A, B).vertex_enumeration())
            theirs_s += time.perf_counter() - start
            right = [(x, y) for x, y in theirs if max(game.regret([x, y])) <= 1e-9]
            assert all(_contains(ours, x, y) for x, y in right), "an equilibrium is missing"
            assert all(e.regret == (0, 0) for e in ours)
            if pygambit is not None:
                start = time.perf_counter()
                count = _gambit(A, B)
                gambit_s += time.perf_counter() - start
                assert count == len(ours), "different from Gambit's enummixed"
            if not hz.games.is_degenerate(game):
                assert len(ours) == len(theirs), "different equilibrium sets"
            extra += len(ours) - len(right)
        print(f"{m}×{m}: hurwicz {ours_s / args.games * 1e3:8.1f} ms/game, nashpy "
              f"{theirs_s / args.games * 1e3:8.1f} ms/game, ratio (nashpy/hurwicz) "
              f"{theirs_s / ours_s:5.2f}×, same answers "
              f"(hurwicz found {extra} more extreme equilibria on degenerate games)"
              + (f"; Gambit enummixed {gambit_s / args.games * 1e3:.1f} ms/game"
                 if pygambit is not None else ""))

    degenerate(args.degenerate, rng)


def degenerate(count: int, rng: np.random.Generator) -> None:
    """Small degenerate games: how many extreme equilibria each side reports."""
    games = ours_total = theirs_total = missed = crashed = 0
    while games < count:
        m, n = rng.integers(2, 5, 2)
        A, B = rng.integers(-1, 2, (m, n)), rng.integers(-1, 2, (m, n))
        game = hz.games.Game([A, B])
        if not hz.games.is_degenerate(game):
            continue
        games += 1
        ours = game.nash("vertex")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                theirs = list(nashpy.Game(A, B).vertex_enumeration())
        except Exception:  # nashpy fails on some degenerate games
            crashed += 1
            theirs = []
        right = [(x, y) for x, y in theirs if max(game.regret([x, y])) <= 1e-9]
        assert all(_contains(ours, x, y) for x, y in right), "an equilibrium is missing"
        ours_total += len(ours)
        theirs_total += len(right)
        missed += sum(1 for e in ours if not any(
            np.allclose(np.array(e.strategies[0], float), x, atol=1e-9)
            and np.allclose(np.array(e.strategies[1], float), y, atol=1e-9)
            for x, y in theirs))
    print(f"{games} degenerate games: hurwicz {ours_total} extreme equilibria, nashpy "
          f"{theirs_total} (it missed {missed}, and raised an error on {crashed} games); "
          "every nashpy equilibrium is among hurwicz's")


if __name__ == "__main__":
    main()

"""hurwicz.valuation vs pyDVL (a benchmark-only peer) on pyDVL's own games, end to end through
public APIs, in one process.

1. Exact Shapley values (all coalitions) on ``ShoesGame`` with the same utility object: the
   values must agree to 1e-8; prints both times and the ratio.
2. Permutation Monte Carlo to the same accuracy: both run until every standard error is at most
   ``--tolerance`` (pyDVL's ``AbsoluteStandardError`` stopping criterion, our ``tolerance``);
   prints wall time, utility calls, the largest error against the closed-form values pyDVL
   ships, and the time ratio.
3. The issue's target: exact Shapley for n = 20 with a table-lookup utility in ≤ 2 s (a dense
   array game and a ``{"players", "values"}`` table of 2^20 string keys).

Run: ``python benchmarks/valuation.py [--exact-players 12] [--mc-players 20]``
"""

from __future__ import annotations

import argparse
import logging
import os
import time
import warnings

import numpy as np

import hurwicz as hz

warnings.filterwarnings("ignore")
logging.disable(logging.WARNING)


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def exact(n: int) -> None:
    from pydvl.value import ShapleyMode, compute_shapley_values
    from pydvl.value.games import ShoesGame

    game = ShoesGame(left=n // 2, right=n - n // 2)
    theirs, t_theirs = timed(lambda: compute_shapley_values(
        game.u, mode=ShapleyMode.CombinatorialExact, progress=False, n_jobs=1))
    players = [int(i) for i in game.u.data.indices]
    ours, t_ours = timed(lambda: hz.valuation.shapley(
        lambda s: float(game.u(tuple(sorted(s)))), players=players))
    order = [list(theirs.indices).index(p) for p in players]
    np.testing.assert_allclose([ours.values[p] for p in players],
                               np.asarray(theirs.values)[order], atol=1e-8)
    print(f"exact Shapley, ShoesGame n={n} (2^{n} coalitions): pyDVL {t_theirs:.2f} s, "
          f"hurwicz {t_ours:.2f} s ({ours.calls} utility calls) -> {t_theirs / t_ours:.1f}x; "
          "same values")


def monte_carlo(n: int, tolerance: float, seed: int) -> None:
    from pydvl.value import (
        AbsoluteStandardError,
        MaxUpdates,
        ShapleyMode,
        compute_shapley_values,
    )
    from pydvl.value.games import SymmetricVotingGame

    game = SymmetricVotingGame(n_players=n)
    truth = np.asarray(game.shapley_values().values)
    done = AbsoluteStandardError(threshold=tolerance, fraction=1.0, burn_in=30) | \
        MaxUpdates(200_000)
    theirs, t_theirs = timed(lambda: compute_shapley_values(
        game.u, mode=ShapleyMode.PermutationMontecarlo, done=done, progress=False, n_jobs=1,
        seed=seed))
    players = [int(i) for i in game.u.data.indices]
    ours, t_ours = timed(lambda: hz.valuation.shapley(
        lambda s: float(game.u(tuple(sorted(s)))), "permutation", players=players,
        tolerance=tolerance, max_permutations=200_000, seed=seed))
    err_theirs = np.abs(np.asarray(theirs.values) - truth).max()
    err_ours = np.abs(np.array([ours.values[p] for p in players]) - truth).max()
    se_theirs = float(np.max(theirs.stderr))
    se_ours = max(ours.stderr.values())
    print(f"permutation MC, SymmetricVotingGame n={n}, target stderr {tolerance}: "
          f"pyDVL {t_theirs:.2f} s (max stderr {se_theirs:.4f}, max error {err_theirs:.4f}), "
          f"hurwicz {t_ours:.2f} s ({ours.samples} permutations, {ours.calls} utility calls, "
          f"max stderr {se_ours:.4f}, max error {err_ours:.4f}) -> {t_theirs / t_ours:.1f}x")
    assert se_ours <= tolerance and err_ours <= 4 * tolerance


def n20() -> None:
    rng = np.random.default_rng(0)
    players = [f"c{i:02d}" for i in range(20)]
    values = rng.random(1 << 20)
    values[0] = 0.0
    r, t_array = timed(lambda: hz.valuation.shapley(hz.valuation.Game.from_array(players,
                                                                                 values)))
    table = {"players": players, "values": {
        ",".join(p for i, p in enumerate(players) if m >> i & 1): float(values[m])
        for m in range(1 << 20)}}
    r2, t_table = timed(lambda: hz.valuation.shapley(table))
    assert all(abs(r.values[p] - r2.values[p]) < 1e-9 for p in players)
    print(f"exact Shapley n=20, table lookup: dense array {t_array:.2f} s, "
          f"JSON-style table (parsing 2^20 keys included) {t_table:.2f} s (target <= 2 s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--exact-players", type=int, nargs="+", default=[10, 14])
    parser.add_argument("--mc-players", type=int, default=20)
    parser.add_argument("--tolerance", type=float, default=0.005)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}")
    for n in args.exact_players:
        exact(n)
    monte_carlo(args.mc_players, args.tolerance, args.seed)
    n20()


if __name__ == "__main__":
    main()

"""School-choice deferred acceptance at scale (issue #6), and the `matching` package for
comparison.

Markets with correlated preferences: school quality (common) + idiosyncratic noise; each
student lists its 12 best schools; schools rank students by a common score + noise. DA runs
on integer arrays (preferences never become object graphs). Peak memory is measured with
tracemalloc around the solve.

Kidney exchange: Saidman-style pools (blood types, PRA levels) of 256 and 1,024 pairs plus 5%
altruists, cycles ≤ 3, chains ≤ 3, solved to proven optimality on HiGHS by column generation
(the full cycle formulation has ~3.6 million 3-cycles at 1,024 pairs).

Run: ``python benchmarks/matching.py [--students 100000,1000000] [--peer 100,1000,3000]
[--kidney 256,1024]``
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import time
import tracemalloc

import numpy as np

from hurwicz.mechanisms.matching.deferred_acceptance import da_arrays


def market(students: int, schools: int, choices: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    quality = rng.normal(size=schools)
    # each student's utility for a school: common quality + idiosyncratic noise; the top
    # `choices` schools are found by sampling candidates (avoids a students × schools matrix)
    cand = rng.integers(0, schools, size=(students, choices * 3))
    util = quality[cand] + rng.gumbel(size=cand.shape)
    order = np.argsort(-util, axis=1)
    ranked = np.take_along_axis(cand, order, axis=1)
    prefs = np.full((students, choices), -1, dtype=np.int64)
    # keep the first occurrence of each school per row, in order, up to `choices`
    keys = ranked
    first = np.ones_like(keys, bool)
    srt = np.argsort(keys, axis=1, kind="stable")
    ks = np.take_along_axis(keys, srt, axis=1)
    dup = np.zeros_like(keys, bool)
    dup_sorted = np.concatenate([np.zeros((students, 1), bool), ks[:, 1:] == ks[:, :-1]], 1)
    np.put_along_axis(dup, srt, dup_sorted, axis=1)
    first &= ~dup
    pos = np.cumsum(first, axis=1) - 1
    keep = first & (pos < choices)
    rows = np.nonzero(keep)[0]
    prefs[rows, pos[keep]] = keys[keep]
    score = rng.normal(size=students)  # common priority score
    pair_rank = np.where(prefs >= 0,
                         np.argsort(np.argsort(-(score[:, None] + 0.5 * rng.normal(
                             size=prefs.shape)), axis=0), axis=0), 0)
    capacity = np.full(schools, max(1, int(students * 0.9 / schools)), dtype=np.int64)
    return prefs, pair_rank.astype(np.int64), capacity


def ours(students: int, schools: int = 1000, choices: int = 12) -> None:
    prefs, rank, cap = market(students, schools, choices)
    tracemalloc.start()
    start = time.perf_counter()
    match = da_arrays(prefs, rank, cap)
    took = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    inputs = (prefs.nbytes + rank.nbytes) / 2**20
    print(f"DA {students:,} students × {schools:,} schools × {choices} choices: {took:.2f} s, "
          f"peak {peak / 2**20:.0f} MiB during the solve (+ {inputs:.0f} MiB input arrays); "
          f"{(match >= 0).mean():.1%} placed")


def _peer_worker(n: int, queue) -> None:
    import sys

    # this file is called matching.py: keep it from shadowing the `matching` package
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    sys.modules.pop("matching", None)
    from matching.games import HospitalResident

    prefs, rank, cap = market(n, max(2, n // 100), 12, seed=1)
    residents = {f"r{i}": [f"h{j}" for j in row if j >= 0] for i, row in enumerate(prefs)}
    hospitals: dict[str, list[str]] = {}
    for j in range(len(cap)):
        applicants = [(rank[i, k], f"r{i}") for i in range(n) for k in range(prefs.shape[1])
                      if prefs[i, k] == j]
        hospitals[f"h{j}"] = [r for _, r in sorted(applicants)]
    caps = {f"h{j}": int(c) for j, c in enumerate(cap)}
    start = time.perf_counter()
    game = HospitalResident.create_from_dictionaries(residents, hospitals, caps)
    game.solve(optimal="resident")
    peer = time.perf_counter() - start
    start = time.perf_counter()
    da_arrays(prefs, rank, cap)
    mine = time.perf_counter() - start
    queue.put((peer, mine))


def versus_peer(sizes: list[int], timeout: float) -> None:
    for n in sizes:
        queue: mp.Queue = mp.Queue()
        proc = mp.Process(target=_peer_worker, args=(n, queue))
        proc.start()
        proc.join(timeout)
        if proc.is_alive():
            proc.kill()
            print(f"matching package at {n:,} residents: no result within {timeout:.0f} s "
                  "(stopped) — this is where it fails")
            break
        if queue.empty():
            print(f"matching package at {n:,} residents: crashed")
            break
        peer, mine = queue.get()
        print(f"{n:,} residents: matching {peer:.3f} s vs hurwicz {mine * 1e3:.2f} ms "
              f"→ {peer / mine:,.0f}×")


def kidney(sizes: list[int], seeds: int = 2) -> None:
    import hurwicz as hz
    from hurwicz.mechanisms.matching.generators import kidney_pool

    for n in sizes:
        for seed in range(seeds):
            pool = kidney_pool(n, seed=seed)
            start = time.perf_counter()
            out = hz.mechanism("matching.kidney").run(pool)
            seconds = time.perf_counter() - start
            r = out.result
            print(f"kidney {n} pairs + {len(pool['altruists'])} altruists (seed {seed}, "
                  f"{len(pool['edges']):,} edges): {out.metrics['transplants']} transplants, "
                  f"LP bound {r['lp_bound']:.1f}, optimal={r['exact']}, {seconds:.1f} s "
                  f"({r['columns_generated']:,} of {r['columns_total']:,} columns generated "
                  f"in {r['pricing_rounds']} pricing rounds)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", default="100000,1000000")
    parser.add_argument("--peer", default="100,1000,3000,10000")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--kidney", default="256,1024")
    args = parser.parse_args()
    print(f"load average: {os.getloadavg()[0]:.2f}")
    for n in (int(x) for x in args.students.split(",") if x):
        ours(n)
    versus_peer([int(x) for x in args.peer.split(",") if x], args.timeout)
    kidney([int(x) for x in args.kidney.split(",") if x])


if __name__ == "__main__":
    main()

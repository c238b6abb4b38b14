"""Batch revenue of Myerson's auction vs second price over 10^6 profiles (issue #3), with a
per-profile loop over ``run`` for the ratio (like benchmarks/auction_batch.py).

Run: ``python benchmarks/myerson_batch.py [--profiles N] [--bidders B]``
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

import hurwicz as hz


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profiles", type=int, default=1_000_000)
    parser.add_argument("--bidders", type=int, default=3)
    parser.add_argument("--loop", type=int, default=2_000)
    args = parser.parse_args()
    n, b = args.profiles, args.bidders
    values = np.random.default_rng(0).uniform(size=(n, b))
    names = [f"b{i}" for i in range(b)]
    print(f"{n:,} profiles × {b} bidders, U[0,1] (load {os.getloadavg()[0]:.2f})")
    for mech in (hz.mechanism("auction.myerson", prior="uniform:0,1"),
                 hz.mechanism("auction.second_price")):
        start = time.perf_counter()
        revenue = mech.run_batch(values).revenue().mean()
        batch_s = time.perf_counter() - start
        start = time.perf_counter()
        for row in values[:args.loop]:
            mech.run({"bids": dict(zip(names, row.tolist()))})
        loop_s = (time.perf_counter() - start) / args.loop
        print(f"{mech.name:22s} revenue {revenue:.5f} | batch {batch_s:.2f} s "
              f"({n * b / batch_s / 1e6:.1f}M bidder-profiles/s) | loop {loop_s * 1e6:.0f} "
              f"µs/profile | ratio {loop_s * n / batch_s:,.0f}×")
    print("theory: Myerson 17/32 = 0.53125, second price 1/2 (3 bidders)")


if __name__ == "__main__":
    main()

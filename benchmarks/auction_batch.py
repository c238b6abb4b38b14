"""Batch path vs a per-profile loop: expected revenue of first and second price.

10^6 profiles × 5 bidders with U[0,1] values. The batch path runs all profiles; the loop over
``Mechanism.run`` runs a slice of them (it is far slower) and its per-profile time is
extrapolated. Targets (issue #2): ≥ 5·10^6 bidder-profiles/s on one core, ≥ 50× the loop.

Run: ``python benchmarks/auction_batch.py [--profiles N] [--loop M]``
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
    parser.add_argument("--bidders", type=int, default=5)
    parser.add_argument("--loop", type=int, default=20_000, help="profiles run one by one")
    args = parser.parse_args()
    n, b = args.profiles, args.bidders
    values = np.random.default_rng(0).uniform(0, 1, size=(n, b))
    names = [f"bidder{i}" for i in range(b)]
    print(f"{n:,} profiles × {b} bidders, U[0,1] values (load: {os.getloadavg()[0]:.2f})")
    for name, shade in (("auction.first_price", (b - 1) / b), ("auction.second_price", 1.0)):
        mech = hz.mechanism(name)
        bids = values * shade
        start = time.perf_counter()
        revenue = mech.run_batch(bids).revenue().mean()
        batch_s = time.perf_counter() - start
        m = min(args.loop, n)
        start = time.perf_counter()
        loop_rev = 0.0
        for row in bids[:m]:
            loop_rev += mech.run({"bids": dict(zip(names, row.tolist()))}).metrics["revenue"]
        loop_s = time.perf_counter() - start
        per_profile_loop = loop_s / m
        per_profile_batch = batch_s / n
        print(
            f"{name:22s} revenue {revenue:.5f} (theory {(b - 1) / (b + 1):.5f}) | "
            f"batch {batch_s:.3f} s = {n * b / batch_s / 1e6:.1f}M bidder-profiles/s | "
            f"loop {per_profile_loop * 1e6:.1f} µs/profile ({m:,} run, "
            f"{per_profile_loop * n:.0f} s extrapolated) | "
            f"ratio {per_profile_loop / per_profile_batch:,.0f}×"
        )


if __name__ == "__main__":
    main()

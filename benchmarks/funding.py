"""Funding benchmarks (issue #7).

1. Standard QF on 100,000 contributions × 1,000 projects (target ≤ 0.5 s): end to end from the
   JSON-like input (validation included) and the matrix core alone.
2. Pairwise-bounded QF on 20,000 contributors × 500 projects through sparse algebra
   (target ≤ 30 s), and the ratio to a per-pair loop on a smaller case.

Run: ``python benchmarks/funding.py``
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
from scipy import sparse

import hurwicz as hz
from hurwicz.mechanisms.funding.pairwise import pairwise_matches, pairwise_matches_loop
from hurwicz.mechanisms.funding.quadratic import qf_shares


def random_round(rng, contributions: int, contributors: int, projects: int) -> dict:
    who = rng.integers(0, contributors, contributions)
    # project popularity is skewed (Zipf-like), as in real grant rounds
    what = np.minimum(rng.zipf(1.3, contributions) - 1, projects - 1)
    amount = np.round(rng.lognormal(1.5, 1.0, contributions), 2)
    return {"pool": 100_000.0, "contributions": [
        {"contributor": f"u{w}", "project": f"p{p}", "amount": float(a)}
        for w, p, a in zip(who, what, amount)]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", action="store_true", help="quick run with smaller sizes")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f"load average: {os.getloadavg()[0]:.2f}")
    n = 10_000 if args.small else 100_000
    data = random_round(rng, n, n // 4, 1_000)
    mech = hz.mechanism("funding.quadratic")
    start = time.perf_counter()
    out = mech.run(data)
    end_to_end = time.perf_counter() - start
    print(f"QF {n:,} contributions × 1,000 projects: end to end {end_to_end:.3f} s "
          f"(matched {out.metrics['matched']:.2f} of pool {out.metrics['pool']:.0f}) "
          "[target ≤ 0.5 s]")
    C = sparse.random(n // 4, 1_000, density=n / (n // 4 * 1_000), random_state=1,
                      format="csr") * 50
    start = time.perf_counter()
    qf_shares(C)
    print(f"QF core on a {C.shape[0]:,} × {C.shape[1]:,} matrix ({C.nnz:,} nonzeros): "
          f"{time.perf_counter() - start:.3f} s")

    users, projects = (2_000, 100) if args.small else (20_000, 500)
    per_user = 5
    rows = np.repeat(np.arange(users), per_user)
    # popularity ∝ 1/(rank + 10): the top project has ~2.5% of all donors
    weights = 1.0 / (np.arange(projects) + 10.0)
    cols = rng.choice(projects, size=users * per_user, p=weights / weights.sum())
    vals = rng.lognormal(1.5, 1.0, users * per_user)
    C = sparse.coo_matrix((vals, (rows, cols)), shape=(users, projects)).tocsr()
    start = time.perf_counter()
    pairwise_matches(C, 1_000.0)
    sparse_s = time.perf_counter() - start
    print(f"pairwise {users:,} contributors × {projects} projects ({C.nnz:,} nonzeros): "
          f"sparse {sparse_s:.2f} s [target ≤ 30 s]")
    small = C[:300].toarray()
    start = time.perf_counter()
    fast = pairwise_matches(sparse.csr_matrix(small), 1_000.0)[0]
    fast_s = time.perf_counter() - start
    start = time.perf_counter()
    slow = pairwise_matches_loop(small, 1_000.0)
    loop_s = time.perf_counter() - start
    assert np.allclose(fast, slow)
    print(f"pairwise on 300 contributors: sparse {fast_s * 1e3:.1f} ms vs per-pair loop "
          f"{loop_s * 1e3:.0f} ms: ratio {loop_s / fast_s:,.0f}× (same matches)")


if __name__ == "__main__":
    main()

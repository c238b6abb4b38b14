"""Funding benchmarks (issue #7).

1. Standard QF on 100,000 contributions × 1,000 projects (target ≤ 0.5 s): end to end,
   ``hz.mechanism("funding.quadratic").run(data)`` on the JSON-like input (validation and the
   Outcome included), and the matrix core alone on the same round ("kernel only").
2. Pairwise-bounded QF on 20,000 contributors × 500 projects (target ≤ 30 s): end to end
   through ``run`` on the dict input, and the sparse core alone ("kernel only"); then, kernel
   only on both sides, the sparse core against hurwicz's own per-pair reference loop on a
   smaller case (no peer library is involved in this file).

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


def as_matrix(data: dict) -> sparse.csr_matrix:
    """The round's contributions as a contributors × projects matrix (duplicates summed)."""
    who, rows = np.unique([c["contributor"] for c in data["contributions"]],
                          return_inverse=True)
    what, cols = np.unique([c["project"] for c in data["contributions"]], return_inverse=True)
    vals = [c["amount"] for c in data["contributions"]]
    return sparse.coo_matrix((vals, (rows, cols)), shape=(len(who), len(what))).tocsr()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", action="store_true", help="quick run with smaller sizes")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f"load average: {os.getloadavg()[0]:.2f}")
    n = 10_000 if args.small else 100_000
    data = random_round(rng, n, n // 4, 1_000)
    took = []
    for _ in range(2):  # the first call in a fresh process pays for lazy imports
        start = time.perf_counter()
        out = hz.mechanism("funding.quadratic").run(data)
        took.append(time.perf_counter() - start)
    print(f"QF {n:,} contributions × 1,000 projects: end to end, "
          f"hz.mechanism('funding.quadratic').run(dict): {took[1]:.3f} s ({took[0]:.3f} s on the "
          f"first call in this process) (matched {out.metrics['matched']:.2f} of pool "
          f"{out.metrics['pool']:.0f}) [target ≤ 0.5 s]")
    C = as_matrix(data)
    start = time.perf_counter()
    qf_shares(C)
    print(f"  kernel only (qf_shares on the same round as a prebuilt {C.shape[0]:,} × "
          f"{C.shape[1]:,} sparse matrix, {C.nnz:,} nonzeros): "
          f"{time.perf_counter() - start:.3f} s")

    users, projects = (2_000, 100) if args.small else (20_000, 500)
    per_user = 5
    rows = np.repeat(np.arange(users), per_user)
    # popularity ∝ 1/(rank + 10): the top project has ~2.5% of all donors
    weights = 1.0 / (np.arange(projects) + 10.0)
    cols = rng.choice(projects, size=users * per_user, p=weights / weights.sum())
    vals = rng.lognormal(1.5, 1.0, users * per_user)
    pair_round = {"pool": 100_000.0, "contributions": [
        {"contributor": f"u{i}", "project": f"p{j}", "amount": float(v)}
        for i, j, v in zip(rows.tolist(), cols.tolist(), vals.tolist())]}
    start = time.perf_counter()
    out = hz.mechanism("funding.pairwise", M=1_000.0).run(pair_round)
    run_s = time.perf_counter() - start
    C = sparse.coo_matrix((vals, (rows, cols)), shape=(users, projects)).tocsr()
    start = time.perf_counter()
    ideal = pairwise_matches(C, 1_000.0)[0]
    sparse_s = time.perf_counter() - start
    ideal_run = out.result["ideal_matching"]
    assert np.allclose([ideal_run.get(f"p{j}", 0.0) for j in range(projects)], ideal)
    print(f"pairwise {users:,} contributors × {projects} projects ({len(rows):,} contributions, "
          f"{C.nnz:,} contributor-project cells): end to end, "
          f"hz.mechanism('funding.pairwise').run(dict): {run_s:.2f} s [target ≤ 30 s]\n"
          f"  kernel only (pairwise_matches on the prebuilt sparse matrix): {sparse_s:.2f} s, "
          "same ideal matches")
    small = C[:300].toarray()
    start = time.perf_counter()
    fast = pairwise_matches(sparse.csr_matrix(small), 1_000.0)[0]
    fast_s = time.perf_counter() - start
    start = time.perf_counter()
    slow = pairwise_matches_loop(small, 1_000.0)
    loop_s = time.perf_counter() - start
    assert np.allclose(fast, slow)
    print(f"pairwise on 300 contributors, kernel only on both sides (no peer: hurwicz's sparse "
          f"pairwise_matches vs its reference per-pair loop): sparse {fast_s * 1e3:.1f} ms vs "
          f"loop {loop_s * 1e3:.0f} ms: ratio {loop_s / fast_s:,.0f}× (same matches)")


if __name__ == "__main__":
    main()

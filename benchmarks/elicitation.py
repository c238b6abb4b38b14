"""CRPS of ensemble forecasts: hurwicz vs properscoring vs scoringrules.

10^6 forecasts × 50 members (N(0, 1) members and observations, seeded), scored by
``hz.elicitation.crps_ensemble`` (sorted members, O(m log m) per forecast),
``properscoring.crps_ensemble`` and ``scoringrules.crps_ensemble`` — the latter with its default
quantile-decomposition estimator ``"qd"``, which is the same empirical-CDF CRPS; its energy-form
estimator ``"nrg"`` builds the m × m differences of every forecast at once and runs out of
memory at this size, so it is checked on a slice. Every pair must agree to 1e-9. Targets
(issue #16): at least as fast as properscoring, within 2× of scoringrules. Also times the
closed-form CRPS of 10^6 normal forecasts against ``properscoring.crps_gaussian``.

Run: ``python benchmarks/elicitation.py [--forecasts N] [--members M] [--repeat R]``
(needs the test extra: ``pip install properscoring scoringrules``).
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable

import numpy as np

import hurwicz as hz


def best_of(fn: Callable[[], np.ndarray], repeat: int) -> tuple[float, np.ndarray]:
    out = fn()  # warm-up (numba compilation in the peers)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), out


def main() -> None:
    import properscoring as ps
    import scoringrules as sr

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--forecasts", type=int, default=1_000_000)
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    n, m = args.forecasts, args.members
    rng = np.random.default_rng(0)
    ens = rng.normal(size=(n, m))
    obs = rng.normal(size=n)
    print(f"CRPS of {n:,} ensemble forecasts × {m} members "
          f"(load {os.getloadavg()[0]:.2f}, best of {args.repeat})")
    ours_t, ours = best_of(lambda: hz.elicitation.crps_ensemble(obs, ens), args.repeat)
    ps_t, ps_out = best_of(lambda: ps.crps_ensemble(obs, ens), args.repeat)
    sr_t, sr_out = best_of(lambda: np.asarray(sr.crps_ensemble(obs, ens)), args.repeat)
    for name, other in (("properscoring", ps_out), ("scoringrules", sr_out)):
        diff = float(np.max(np.abs(ours - other)))
        assert diff <= 1e-9, f"{name} differs by {diff:g}"
    cut = min(n, 20_000)
    nrg = np.asarray(sr.crps_ensemble(obs[:cut], ens[:cut], estimator="nrg"))
    assert float(np.max(np.abs(ours[:cut] - nrg))) <= 1e-9, "scoringrules nrg differs"
    print(f"  hurwicz        {ours_t:8.3f} s")
    print(f"  properscoring  {ps_t:8.3f} s   ratio properscoring/hurwicz = {ps_t / ours_t:.2f} "
          "(target ≥ 1)")
    print(f"  scoringrules   {sr_t:8.3f} s   ratio hurwicz/scoringrules = {ours_t / sr_t:.2f} "
          "(target ≤ 2)")
    print("  same numbers: max |Δ| ≤ 1e-9 against both (and scoringrules 'nrg' on "
          f"{cut:,} forecasts)")
    mu, sd = rng.normal(size=n), rng.uniform(0.1, 3.0, size=n)
    g_t, g = best_of(lambda: hz.elicitation.crps_normal(obs, mu, sd), args.repeat)
    pg_t, pg = best_of(lambda: ps.crps_gaussian(obs, mu, sd), args.repeat)
    assert float(np.max(np.abs(g - pg))) <= 1e-9
    print(f"CRPS of {n:,} normal forecasts: hurwicz {g_t:.3f} s, properscoring {pg_t:.3f} s "
          f"(ratio {pg_t / g_t:.2f})")


if __name__ == "__main__":
    main()

"""Audit engine benchmarks (issue #4).

1. Time to the first counterexample for first price (target < 1 s).
2. Time to audit second price (DSIC) on 10^5 sampled profiles with ≥ 64 candidate deviations
   per agent (target < 10 s on 2 cores).
3. Versus mechaudit (exhaustive auditor of finite direct mechanisms) on the same finite,
   discretised second-price and first-price auctions: same verdicts, time ratio printed.

Run: ``python benchmarks/audit.py [--grid G] [--agents N] [--skip-peer]``
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

import hurwicz as hz


def ours_first_counterexample() -> None:
    start = time.perf_counter()
    rep = hz.audit("auction.first_price", agents=3, prior="uniform:0,1", properties=["dsic"],
                   samples=1000, seed=0)
    took = time.perf_counter() - start
    rec = rep.check("dsic")
    print(f"first price: counterexample after {took:.3f} s (gain {rec.max_gain:.4f}, "
          f"replayed: {rec.counterexample is not None}) [target < 1 s]")


def ours_second_price_large(workers: int) -> None:
    start = time.perf_counter()
    rep = hz.audit("auction.second_price", agents=3, prior="uniform:0,1",
                   properties=["dsic"], samples=100_000, seed=0, workers=workers)
    took = time.perf_counter() - start
    rec = rep.check("dsic")
    print(f"second price: {rec.budget['profiles']:,} profiles × "
          f"{rec.budget['deviations_per_profile']} deviations per agent in {took:.2f} s "
          f"with {workers} worker(s): holds={rec.holds} [target < 10 s]")


def peer_environment(grid: np.ndarray, n: int):
    import mechaudit as ma

    agents = {f"a{i + 1}": [float(g) for g in grid] for i in range(n)}
    outcomes = ma.single_item_outcomes(list(agents))

    def value(agent, own_type, outcome):
        return float(own_type) if outcome["winner"] == agent else 0.0

    return ma, ma.FiniteEnvironment(agents=agents, outcomes=outcomes,
                                    values=ma.PrivateValues(value)), outcomes


def peer_audit(name: str, grid: np.ndarray, n: int) -> tuple[bool, float]:
    ma, env, outcomes = peer_environment(grid, n)
    mech = hz.mechanism(name)

    def run(report):
        return mech.run({"bids": {a: float(report[a]) for a in report}})

    def allocation(report):
        out = run(report)
        winners = out.result["winners"]
        return {o: float((o["winner"] is None and not winners) or (o["winner"] in winners))
                for o in outcomes}

    def payments(report):
        return run(report).payments

    start = time.perf_counter()
    direct = ma.DirectMechanism(allocation=allocation, payments=payments)
    report = ma.audit_mechanism(environment=env, mechanism=direct,
                                requirements=[ma.DSIC(), ma.ExPostIR()])
    took = time.perf_counter() - start
    dsic_ok = all(c.passed for c in report.checks if c.family == "dsic")
    return dsic_ok, took


def ours_exhaustive(name: str, grid: np.ndarray, n: int) -> tuple[bool, float, bool]:
    prior = "discrete:" + ",".join(f"{g:g}" for g in grid)
    start = time.perf_counter()
    rep = hz.audit(name, agents=n, prior=prior, properties=["dsic", "ir"])
    took = time.perf_counter() - start
    return rep.check("dsic").holds, took, rep.check("dsic").exhaustive


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--grid", type=int, default=11, help="type grid size for the peer")
    parser.add_argument("--agents", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-peer", action="store_true")
    args = parser.parse_args()
    print(f"load average: {os.getloadavg()[0]:.2f}")
    ours_first_counterexample()
    ours_second_price_large(args.workers)
    if args.skip_peer:
        return
    grid = np.linspace(0.0, 1.0, args.grid)
    for name in ("auction.second_price", "auction.first_price"):
        holds, ours_s, exhaustive = ours_exhaustive(name, grid, args.agents)
        peer_holds, peer_s = peer_audit(name, grid, args.agents)
        agree = "same verdict" if holds == peer_holds else "DIFFERENT VERDICTS"
        print(f"{name} on a {args.grid}-point grid, {args.agents} agents "
              f"({args.grid ** args.agents:,} profiles): hurwicz dsic={holds} "
              f"(exhaustive={exhaustive}) {ours_s:.3f} s | mechaudit dsic={peer_holds} "
              f"{peer_s:.3f} s | {agree} | ratio {peer_s / ours_s:.1f}×")


if __name__ == "__main__":
    main()

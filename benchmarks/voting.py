"""Voting at scale (issue #5): rules from an integer ballot array of 10^6 voters × 10 candidates,
and end to end against pref_voting at 10^5 voters (its Profile construction included, its
JIT warmed first).

Run: ``python benchmarks/voting.py [--voters 1000000] [--peer-voters 100000]``
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np


def multiwinner(profile, ballots: np.ndarray, prio: list[int], build: float) -> None:
    """STV on the same profile, and approval committees from each voter's top three."""
    from hurwicz.mechanisms.voting.committees import (
        equal_shares,
        merge_approvals,
        seq_phragmen,
        thiele,
    )
    from hurwicz.mechanisms.voting.stv import stv

    for transfer in ("wigm", "gregory"):
        start = time.perf_counter()
        stv(profile, 3, "droop", transfer, prio)
        print(f"  stv 3 seats ({transfer}) {time.perf_counter() - start:.3f} s after the merge")
    m = ballots.shape[1]
    start = time.perf_counter()
    approve = np.zeros((len(ballots), m), bool)
    np.put_along_axis(approve, ballots[:, :3], True, axis=1)
    keys, counts = merge_approvals(approve)
    merge = time.perf_counter() - start
    print(f"  approval ballots (top 3) merged into {len(keys)} groups in {merge:.2f} s")
    for name, fn in (("pav", lambda: thiele(keys, counts, 3, "pav", prio)),
                     ("cc", lambda: thiele(keys, counts, 3, "cc", prio)),
                     ("seq_phragmen", lambda: seq_phragmen(keys, counts, 3, prio)),
                     ("equal_shares", lambda: equal_shares(keys, counts, 3, prio))):
        start = time.perf_counter()
        fn()
        print(f"  {name:13s} 3 seats {time.perf_counter() - start:.3f} s after the merge")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--voters", type=int, default=1_000_000)
    parser.add_argument("--peer-voters", type=int, default=100_000)
    parser.add_argument("--candidates", type=int, default=10)
    args = parser.parse_args()
    # pref_voting first: its OR-Tools build must load before anything pulls in highspy
    from pref_voting.c1_methods import copeland as pv_copeland
    from pref_voting.iterative_methods import instant_runoff as pv_irv
    from pref_voting.margin_based_methods import beat_path as pv_schulze
    from pref_voting.margin_based_methods import ranked_pairs as pv_rp
    from pref_voting.profiles import Profile as PVProfile
    from pref_voting.scoring_methods import borda as pv_borda
    from pref_voting.scoring_methods import plurality as pv_plurality

    from hurwicz.mechanisms.voting.profile import Profile
    from hurwicz.mechanisms.voting.ranked import (
        borda,
        copeland,
        instant_runoff,
        plurality,
        ranked_pairs,
        schulze,
    )

    m = args.candidates
    print(f"load average: {os.getloadavg()[0]:.2f}")
    rng = np.random.default_rng(0)
    # a mildly correlated electorate (random utility with a common component)
    util = rng.normal(size=m)[None, :] + 2.0 * rng.normal(size=(args.voters, m))
    ballots = np.argsort(-util, axis=1)
    prio = list(range(m))
    rules = {
        "plurality": lambda p: plurality(p),
        "borda": lambda p: borda(p),
        "irv": lambda p: instant_runoff(p, prio),
        "copeland": lambda p: copeland(p),
        "schulze": lambda p: schulze(p),
        "ranked_pairs": lambda p: ranked_pairs(p, prio),
    }
    start = time.perf_counter()
    profile = Profile.from_arrays([f"c{i}" for i in range(m)], ballots)
    build = time.perf_counter() - start
    start = time.perf_counter()
    profile.margins()
    margins_s = time.perf_counter() - start
    print(f"{args.voters:,} voters × {m}: merge into {len(profile.counts):,} ballot groups "
          f"{build:.2f} s; pairwise margins (shared) {margins_s:.2f} s")
    for name, fn in rules.items():
        start = time.perf_counter()
        fn(profile)
        print(f"  {name:13s} {time.perf_counter() - start:.3f} s after the shared steps "
              f"(≤ 2 s target per rule including them: "
              f"{build + margins_s + time.perf_counter() - start:.2f} s)")
    multiwinner(profile, ballots, prio, build)

    n = args.peer_voters
    small = ballots[:n]
    peers = {"plurality": pv_plurality, "borda": pv_borda, "irv": pv_irv,
             "copeland": pv_copeland, "schulze": pv_schulze, "ranked_pairs": pv_rp}
    warm = PVProfile(small[:50].tolist())
    for fn in peers.values():
        fn(warm)
    for name, fn in rules.items():
        start = time.perf_counter()
        fn(Profile.from_arrays([f"c{i}" for i in range(m)], small))
        ours = time.perf_counter() - start
        start = time.perf_counter()
        fn_peer = peers[name]
        fn_peer(PVProfile(small.tolist()))
        theirs = time.perf_counter() - start
        print(f"{n:,} voters, {name:13s}: hurwicz {ours:.3f} s vs pref_voting {theirs:.3f} s "
              f"→ {theirs / ours:.1f}× (end to end, profile construction included)")


if __name__ == "__main__":
    main()

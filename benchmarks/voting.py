"""Voting at scale (issue #5), and against pref_voting.

One mildly correlated electorate (random utilities with a common component), 10 candidates.

1. End to end through the public API: ``hz.mechanism("voting.<rule>").run(data)`` on the
   documented dict input ``{"candidates": [...], "ballots": [{"ranking": [...]}, ...]}`` (one
   ballot per voter; building the dict is the input and is not timed; validation, the merge of
   identical ballots, the rule and the Outcome are).
2. The array fast path on 10^6 voters (``Profile.from_arrays`` on an integer ballot array, then
   the rule functions, multiwinner rules included): labelled "array fast path" — kernel-level
   figures with no dict input, validation or Outcome; not comparable with (1) or (3).
3. Versus pref_voting at 10^5 voters, end to end through both public APIs on the same ballots
   in one process: hurwicz ``run(dict)`` (as in 1) against pref_voting's
   ``Profile(rankings)`` + the rule (its JIT warmed first on a small profile; the rankings list
   is its input and is not timed). Both must elect the same co-winners; the script asserts it.

Run: ``python benchmarks/voting.py [--voters 1000000] [--peer-voters 100000]``
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np

RULES = ("plurality", "borda", "irv", "copeland", "schulze", "ranked_pairs")


def as_input(ballots: np.ndarray) -> dict:
    """The documented dict input: candidates ``c<i>``, one ballot per voter."""
    names = [f"c{i}" for i in range(ballots.shape[1])]
    return {"candidates": names,
            "ballots": [{"ranking": [names[c] for c in row]} for row in ballots.tolist()]}


def best_of(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Fastest of ``repeats`` calls, and the last result."""
    best, result = float("inf"), None
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def end_to_end(ballots: np.ndarray) -> None:
    import hurwicz as hz

    start = time.perf_counter()
    data = as_input(ballots)
    build = time.perf_counter() - start
    print(f"end to end, hz.mechanism('voting.<rule>').run(dict), {len(ballots):,} voters × "
          f"{ballots.shape[1]} (one ballot per voter; dict built in {build:.2f} s, not timed):")
    for rule in RULES:
        start = time.perf_counter()
        out = hz.mechanism(f"voting.{rule}").run(data)
        print(f"  {rule:13s} {time.perf_counter() - start:.2f} s "
              f"(winner {out.result['winners'][0]})")


def multiwinner(profile, ballots: np.ndarray, prio: list[int]) -> None:
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
        print(f"  stv 3 seats ({transfer}) {time.perf_counter() - start:.3f} s after the merge "
              "(array fast path)")
    m = ballots.shape[1]
    start = time.perf_counter()
    approve = np.zeros((len(ballots), m), bool)
    np.put_along_axis(approve, ballots[:, :3], True, axis=1)
    keys, counts = merge_approvals(approve)
    merge = time.perf_counter() - start
    print(f"  approval ballots (top 3) merged into {len(keys)} groups in {merge:.2f} s "
          "(array fast path)")
    for name, fn in (("pav", lambda: thiele(keys, counts, 3, "pav", prio)),
                     ("cc", lambda: thiele(keys, counts, 3, "cc", prio)),
                     ("seq_phragmen", lambda: seq_phragmen(keys, counts, 3, prio)),
                     ("equal_shares", lambda: equal_shares(keys, counts, 3, prio))):
        start = time.perf_counter()
        fn()
        print(f"  {name:13s} 3 seats {time.perf_counter() - start:.3f} s after the merge "
              "(array fast path)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--voters", type=int, default=1_000_000)
    parser.add_argument("--peer-voters", type=int, default=100_000)
    parser.add_argument("--candidates", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3, help="peer comparison: best of")
    args = parser.parse_args()
    # pref_voting first: its OR-Tools build must load before anything pulls in highspy
    from pref_voting.c1_methods import copeland as pv_copeland
    from pref_voting.iterative_methods import instant_runoff as pv_irv
    from pref_voting.margin_based_methods import beat_path as pv_schulze
    from pref_voting.margin_based_methods import ranked_pairs as pv_rp
    from pref_voting.profiles import Profile as PVProfile
    from pref_voting.scoring_methods import borda as pv_borda
    from pref_voting.scoring_methods import plurality as pv_plurality

    import hurwicz as hz
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

    end_to_end(ballots)

    kernels = {
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
    print(f"array fast path (kernel only: integer ballot array, no dict input, validation or "
          f"Outcome), {args.voters:,} voters × {m}: merge into {len(profile.counts):,} ballot "
          f"groups {build:.2f} s; pairwise margins (shared) {margins_s:.2f} s")
    for name, fn in kernels.items():
        start = time.perf_counter()
        fn(profile)
        print(f"  {name:13s} {time.perf_counter() - start:.3f} s after the shared steps "
              f"({build + margins_s + time.perf_counter() - start:.2f} s including them)")
    multiwinner(profile, ballots, prio)

    n = args.peer_voters
    small = ballots[:n]
    data = as_input(small)
    rankings = small.tolist()
    peers = {"plurality": pv_plurality, "borda": pv_borda, "irv": pv_irv,
             "copeland": pv_copeland, "schulze": pv_schulze, "ranked_pairs": pv_rp}
    warm = as_input(ballots[:50])  # first calls (pref_voting's JIT, imports) not timed
    for name, fn in peers.items():
        fn(PVProfile(ballots[:50].tolist()))
        hz.mechanism(f"voting.{name}").run(warm)
    print(f"versus pref_voting, {n:,} voters × {m}, end to end through both public APIs on the "
          "same ballots (hurwicz run(dict) vs pref_voting Profile(rankings) + rule; fastest of "
          f"{args.repeats} runs each):")
    for name in RULES:
        mech, rule = f"voting.{name}", peers[name]
        ours, out = best_of(lambda: hz.mechanism(mech).run(data), args.repeats)  # noqa: B023
        theirs, theirs_won = best_of(lambda: rule(PVProfile(rankings)),  # noqa: B023
                                     args.repeats)
        same = sorted(out.result["tied"]) == sorted(f"c{c}" for c in theirs_won)
        assert same, f"{name}: hurwicz {out.result['tied']} vs pref_voting {theirs_won}"
        start = time.perf_counter()
        kernels[name](Profile.from_arrays([f"c{i}" for i in range(m)], small))
        kernel = time.perf_counter() - start
        print(f"  {name:13s} pref_voting {theirs:.3f} s vs hurwicz {ours:.3f} s → "
              f"{theirs / ours:.1f}× end to end, same co-winners (hurwicz array fast path, "
              f"kernel only: {kernel:.3f} s, not comparable)")


if __name__ == "__main__":
    main()

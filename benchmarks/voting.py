"""Voting through the front door (issue #13), and against pref_voting.

One mildly correlated electorate (random utilities with a common component), 8 candidates.

1. Versus pref_voting at 10^5 voters, end to end through both public APIs on the same ballots
   in one process, for every rule both have: hurwicz ``hz.mechanism("voting.<rule>").run(data)``
   on the documented dict input (one ``{"ranking": [...]}`` per voter; validation, the merge,
   the rule and the Outcome are timed, building the dict is the input and is not) against
   pref_voting's ``Profile(rankings)`` + the rule (its JIT warmed first on a small profile; the
   rankings list is its input). Fastest of ``--repeats`` runs each. Both must elect the same
   co-winners; the script asserts it. Target: ≥ 5× faster.
2. ``run(dict)`` at 10^6 voters, one ballot per voter (issue #5's target: ≤ 2 s).
3. 10^6 ballots from files, per rule, including reading (target ≤ 3 s, memory ≤ 2 GB):
   a PrefLib ``.soc`` as PrefLib files are (each distinct order once with its count), the same
   10^6 ballots as a naive ``.soc`` export with one line per voter, and a CSV of rankings
   (one row per ballot, ``rank1..rank8``). Each through the command line,
   ``hurwicz run voting.<rule> FILE --json`` timed as a subprocess (interpreter start, imports,
   reading, the rule and printing the JSON included; peak memory is the child's maximum
   resident set size from ``os.wait4``, the child started by a small launcher process), and in
   process, ``read_input`` + ``run`` (peak traced memory of one rule per file with
   ``tracemalloc``, in a pass that is not timed).
4. With ``--kernels``: the array fast path on 10^6 voters (``Profile.from_arrays`` and the rule
   functions, multiwinner rules included): kernel-level figures with no dict input, validation
   or Outcome, not comparable with (1)–(3).
5. Unless ``--skip-breadth``: the rules of issue #18 against pref_voting, abcvoting and votekit
   (``benchmarks/voting_breadth.py``, which says how).

Run: ``python benchmarks/voting.py [--peer-voters 100000] [--file-voters 1000000]``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

#: hurwicz rule → (pref_voting module, function) for every rule both libraries have
PEERS = {
    "plurality": ("scoring_methods", "plurality"),
    "borda": ("scoring_methods", "borda"),
    "irv": ("iterative_methods", "instant_runoff"),
    "copeland": ("c1_methods", "copeland"),
    "minimax": ("margin_based_methods", "minimax"),
    "schulze": ("margin_based_methods", "beat_path"),
    "ranked_pairs": ("margin_based_methods", "ranked_pairs"),
    "coombs": ("iterative_methods", "coombs"),
    "baldwin": ("iterative_methods", "baldwin"),
    "nanson": ("iterative_methods", "strict_nanson"),  # eliminates below-average scores
    "bucklin": ("other_methods", "bucklin"),
    "runoff": ("iterative_methods", "plurality_with_runoff_put"),
    "kemeny_young": ("other_methods", "kemeny_young"),
}


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


def electorate(n: int, m: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    util = rng.normal(size=m)[None, :] + 2.0 * rng.normal(size=(n, m))
    return np.argsort(-util, axis=1)


def versus_pref_voting(ballots: np.ndarray, repeats: int) -> None:
    import importlib

    from pref_voting.profiles import Profile as PVProfile

    import hurwicz as hz

    n, m = ballots.shape
    data = as_input(ballots)
    rankings = ballots.tolist()
    warm = as_input(ballots[:50])  # first calls (pref_voting's JIT, imports) not timed
    print(f"versus pref_voting, {n:,} voters × {m} candidates, end to end through both public "
          f"APIs on the same ballots (hurwicz run(dict) vs pref_voting Profile(rankings) + "
          f"rule; fastest of {repeats} runs each; target ≥ 5×):")
    ratios = []
    for name, (module, function) in PEERS.items():
        if name == "kemeny_young" and m > 9:
            print(f"  {name:13s} skipped: pref_voting scores all {m}! rankings")
            continue
        rule = getattr(importlib.import_module(f"pref_voting.{module}"), function)
        rule(PVProfile(ballots[:50].tolist()))
        mech = hz.mechanism(f"voting.{name}")
        mech.run(warm)
        ours, out = best_of(lambda: mech.run(data), repeats)  # noqa: B023
        theirs, won = best_of(lambda: rule(PVProfile(rankings)), repeats)  # noqa: B023
        same = sorted(out.result["tied"]) == sorted(f"c{c}" for c in won)
        assert same, f"{name}: hurwicz {out.result['tied']} vs pref_voting {won}"
        ratio = theirs / ours
        ratios.append(ratio)
        print(f"  {name:13s} pref_voting {theirs:6.3f} s  hurwicz {ours:6.3f} s  → "
              f"{ratio:5.1f}×  {'met' if ratio >= 5 else 'NOT MET'}  (winner "
              f"{out.result['winners'][0]}, {len(out.allocation):,} ballot groups)")
    print(f"  lowest ratio {min(ratios):.1f}×, median {float(np.median(ratios)):.1f}×")


def dict_input(ballots: np.ndarray, rules: list[str]) -> None:
    """``run(dict)`` on one ballot per voter at the file size (issue #5's ≤ 2 s target)."""
    import hurwicz as hz

    n, m = ballots.shape
    data = as_input(ballots)
    print(f"end to end, hz.mechanism('voting.<rule>').run(dict), {n:,} voters × {m}, one "
          "ballot per voter (building the dict not timed; target ≤ 2 s):")
    for rule in rules:
        mech = hz.mechanism(f"voting.{rule}")
        seconds, out = best_of(lambda: mech.run(data), 1)  # noqa: B023
        print(f"  {rule:13s} {seconds:5.2f} s  {'met' if seconds <= 2 else 'NOT MET'}  "
              f"({len(out.allocation):,} ballot groups)")


def write_files(ballots: np.ndarray, folder: Path) -> dict[str, Path]:
    from hurwicz.io.preflib import write_preflib

    m = ballots.shape[1]
    names = [f"c{i}" for i in range(m)]
    files = {}
    start = time.perf_counter()
    files["PrefLib .soc (distinct orders)"] = folder / "ballots.soc"
    write_preflib(as_input(ballots), files["PrefLib .soc (distinct orders)"])
    naive = folder / "one_line_per_voter.soc"
    header = "".join(f"# ALTERNATIVE NAME {i + 1}: {c}\n" for i, c in enumerate(names))
    naive.write_text(header + "\n".join("1: " + ",".join(str(c + 1) for c in row)
                                        for row in ballots.tolist()) + "\n")
    files["PrefLib .soc (one line per voter)"] = naive
    csv_path = folder / "ballots.csv"
    csv_path.write_text(",".join(f"rank{k + 1}" for k in range(m)) + "\n" + "\n".join(
        ",".join(names[c] for c in row) for row in ballots.tolist()) + "\n")
    files["CSV of rankings"] = csv_path
    sizes = ", ".join(f"{p.name} {p.stat().st_size / 1e6:.1f} MB" for p in files.values())
    print(f"  files written in {time.perf_counter() - start:.1f} s (not timed): {sizes}")
    return files


#: A small process that starts the command-line runs and reports each child's wall time and
#: peak resident memory (``os.wait4``). Linux carries a process's memory high-water mark into
#: the children it forks, so the children are started from this small process, not from the
#: benchmark (which holds the electorate in memory).
LAUNCHER = r"""
import json, os, subprocess, sys, tempfile, time
for line in sys.stdin:
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(json.loads(line), stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        print(json.dumps({"seconds": seconds, "code": os.waitstatus_to_exitcode(status),
                          "peak_kb": usage.ru_maxrss, "stdout": out.read().decode(),
                          "stderr": err.read().decode()[:2000]}), flush=True)
"""


class Launcher:
    """Runs commands in children of a small process (see :data:`LAUNCHER`)."""

    def __init__(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", LAUNCHER], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)

    def run(self, argv: list[str]) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(argv) + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait()


def cli_run(launcher: Launcher, rule: str, path: Path) -> tuple[float, float, dict]:
    """``hurwicz run voting.<rule> FILE --json`` as a subprocess: wall seconds, the child's
    peak resident memory (MB) and its JSON document."""
    done = launcher.run([sys.executable, "-m", "hurwicz", "run", f"voting.{rule}", str(path),
                         "--json"])
    if done["code"] != 0:
        raise RuntimeError(f"{rule} on {path.name}: exit {done['code']}: {done['stderr']}")
    return done["seconds"], done["peak_kb"] / 1024, json.loads(done["stdout"])


def from_files(ballots: np.ndarray, rules: list[str], launcher: Launcher) -> None:
    import hurwicz as hz
    from hurwicz.io.inputs import read_input

    n, m = ballots.shape
    print(f"{n:,} ballots × {m} candidates from files, per rule, reading included "
          "(target ≤ 3 s and ≤ 2 GB):")
    with tempfile.TemporaryDirectory() as tmp:
        files = write_files(ballots, Path(tmp))
        reference: dict[str, Any] = dict.fromkeys(rules)  # the winners on the first file
        for label, path in files.items():
            print(f"  {label}:")
            worst_cli = worst_mem = worst_in = 0.0
            for rule in rules:
                seconds, peak, doc = cli_run(launcher, rule, path)
                start = time.perf_counter()
                data = read_input(path, f"voting.{rule}")
                read = time.perf_counter() - start
                out = hz.mechanism(f"voting.{rule}").run(data)
                total = time.perf_counter() - start
                assert doc["result"]["winners"] == out.result["winners"]
                assert doc["metrics"]["voters"] == n
                if reference[rule] is None:
                    reference[rule] = out.result["winners"]
                assert out.result["winners"] == reference[rule], (rule, label)
                worst_cli, worst_mem = max(worst_cli, seconds), max(worst_mem, peak)
                worst_in = max(worst_in, total)
                print(f"    {rule:13s} CLI {seconds:5.2f} s, peak {peak:5.0f} MB | in process "
                      f"{total:5.2f} s (read {read:4.2f} s), {len(out.allocation):,} groups")
            traced = traced_peak(path, rules[0])
            verdict = "met" if worst_cli <= 3 and worst_mem <= 2048 else "NOT MET"
            print(f"    slowest CLI {worst_cli:.2f} s, largest peak {worst_mem:.0f} MB, slowest "
                  f"in process {worst_in:.2f} s; traced peak in process ({rules[0]}, read + "
                  f"run) {traced:.0f} MB → {verdict}")


def traced_peak(path: Path, rule: str) -> float:
    import hurwicz as hz
    from hurwicz.io.inputs import read_input

    tracemalloc.start()
    try:
        hz.mechanism(f"voting.{rule}").run(read_input(path, f"voting.{rule}"))
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def kernels(ballots: np.ndarray) -> None:
    """The array fast path (kernel only) and multiwinner rules on the merged profile."""
    from hurwicz.mechanisms.voting.committees import (
        equal_shares,
        merge_approvals,
        seq_phragmen,
        thiele,
    )
    from hurwicz.mechanisms.voting.profile import Profile
    from hurwicz.mechanisms.voting.ranked import (
        borda,
        copeland,
        instant_runoff,
        plurality,
        ranked_pairs,
        schulze,
    )
    from hurwicz.mechanisms.voting.stv import stv

    n, m = ballots.shape
    prio = list(range(m))
    start = time.perf_counter()
    profile = Profile.from_arrays([f"c{i}" for i in range(m)], ballots)
    build = time.perf_counter() - start
    start = time.perf_counter()
    profile.margins()
    margins_s = time.perf_counter() - start
    print(f"array fast path (kernel only: no dict input, validation or Outcome), {n:,} voters "
          f"× {m}: merge into {len(profile.counts):,} groups {build:.2f} s; margins "
          f"{margins_s:.2f} s")
    for name, fn in {"plurality": plurality, "borda": borda, "copeland": copeland,
                     "schulze": schulze, "irv": lambda p: instant_runoff(p, prio),
                     "ranked_pairs": lambda p: ranked_pairs(p, prio)}.items():
        start = time.perf_counter()
        fn(profile)
        print(f"  {name:13s} {time.perf_counter() - start:.3f} s after the shared steps")
    for transfer in ("wigm", "gregory"):
        start = time.perf_counter()
        stv(profile, 3, "droop", transfer, prio)
        print(f"  stv 3 seats ({transfer}) {time.perf_counter() - start:.3f} s")
    approve = np.zeros((n, m), bool)
    np.put_along_axis(approve, ballots[:, :3], True, axis=1)
    keys, counts = merge_approvals(approve)
    for name, fn in (("pav", lambda: thiele(keys, counts, 3, "pav", prio)),
                     ("cc", lambda: thiele(keys, counts, 3, "cc", prio)),
                     ("seq_phragmen", lambda: seq_phragmen(keys, counts, 3, prio)),
                     ("equal_shares", lambda: equal_shares(keys, counts, 3, prio))):
        start = time.perf_counter()
        fn()
        print(f"  {name:13s} 3 seats {time.perf_counter() - start:.3f} s ({len(keys)} "
              "approval groups)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--peer-voters", type=int, default=100_000)
    parser.add_argument("--file-voters", type=int, default=1_000_000)
    parser.add_argument("--candidates", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3, help="peer comparison: best of")
    parser.add_argument("--rules", default=",".join(PEERS), help="comma-separated rules")
    parser.add_argument("--skip-files", action="store_true")
    parser.add_argument("--skip-dict", action="store_true", help="no run(dict) at file size")
    parser.add_argument("--kernels", action="store_true", help="also the array fast path")
    parser.add_argument("--skip-breadth", action="store_true",
                        help="not the rules of issue #18 (benchmarks/voting_breadth.py)")
    args = parser.parse_args()
    # pref_voting first: its OR-Tools build must load before anything pulls in highspy
    import pref_voting.profiles  # noqa: F401

    rules = [r for r in args.rules.split(",") if r]
    launcher = Launcher()  # before the electorate is in memory
    print(f"load average: {os.getloadavg()[0]:.2f}, {os.cpu_count()} CPUs")
    big = electorate(max(args.peer_voters, args.file_voters), args.candidates)
    versus_pref_voting(big[:args.peer_voters], args.repeats)
    if not args.skip_dict:
        dict_input(big[:args.file_voters], rules)
    if not args.skip_files:
        from_files(big[:args.file_voters], rules, launcher)
    launcher.close()
    if args.kernels:
        kernels(big[:args.file_voters])
    if not args.skip_breadth:
        from voting_breadth import run_breadth  # this folder: benchmarks/voting_breadth.py

        run_breadth(repeats=args.repeats)


if __name__ == "__main__":
    main()

"""Combinatorial VCG benchmark (issue #3): one exact WDP, full VCG with pivot savings and warm
starts, and naive VCG (n + 1 cold solves: one per bidder plus the main problem), on generated
instances (items × bids) in the style of CATS.

Full VCG is timed end to end through the public API, ``hz.mechanism("auction.vcg").run(inst)``
(validation and the Outcome included). "One WDP" is kernel only (the internal
``WinnerDetermination`` on a prebuilt bid list). Naive VCG is a baseline written here on that
same kernel, with no validation or Outcome: no peer library is involved, and the ratio
(naive / full) charges hurwicz's validation to hurwicz only, so it understates the saving.

Run: ``python benchmarks/vcg.py [--distribution regions|arbitrary] [--sizes 50x200,100x500]``
"""

from __future__ import annotations

import argparse
import os
import time

import hurwicz as hz
from hurwicz.mechanisms.auctions.cats import generate
from hurwicz.mechanisms.auctions.wdp import WinnerDetermination


def bid_list(inst: dict) -> list:
    return [(w, b["bundle"], b["value"]) for w in sorted(inst["bids"]) for b in inst["bids"][w]]


def naive_vcg(inst: dict) -> tuple[float, int, dict]:
    start = time.perf_counter()
    bids = bid_list(inst)
    main = WinnerDetermination(inst["items"], bids).solve()
    winners = {bids[k][0]: bids[k][2] for k in main.winning_bids}
    payments = {}
    solves = 1
    for bidder in sorted(inst["bids"]):
        others = [b for b in bids if b[0] != bidder]
        pivot = WinnerDetermination(inst["items"], others).solve().welfare  # cold model
        solves += 1
        if bidder in winners:
            payments[bidder] = pivot - (main.welfare - winners[bidder])
    return time.perf_counter() - start, solves, payments


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--distribution", default="regions")
    parser.add_argument("--sizes", default="50x200,100x500")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(f"load average: {os.getloadavg()[0]:.2f}; distribution {args.distribution}")
    warm = generate(args.distribution, 10, 20, seed=args.seed)  # first calls not timed
    hz.mechanism("auction.vcg").run(warm)
    naive_vcg(warm)
    for size in args.sizes.split(","):
        items, nbids = (int(x) for x in size.split("x"))
        inst = generate(args.distribution, items, nbids, seed=args.seed)
        start = time.perf_counter()
        WinnerDetermination(inst["items"], bid_list(inst)).solve()
        one = time.perf_counter() - start
        start = time.perf_counter()
        out = hz.mechanism("auction.vcg").run(inst)
        full = time.perf_counter() - start
        winners = len(out.result["winners"])
        naive_s, naive_solves, naive_pay = naive_vcg(inst)
        same = all(abs(out.payments[b] - p) < 1e-6 for b, p in naive_pay.items())
        assert same, "full and naive VCG payments differ"
        print(f"{items}×{nbids} ({len(inst['bids'])} bidders, {winners} winners): one WDP "
              f"{one:.3f} s (kernel only) | full VCG {full:.3f} s end to end via run() in "
              f"{out.result['solves']} solves (bound 1 + winners = {1 + winners}) | naive "
              f"{naive_s:.3f} s in {naive_solves} cold solves on the kernel | ratio "
              f"{naive_s / full:.1f}× | same payments: {same}")


if __name__ == "__main__":
    main()

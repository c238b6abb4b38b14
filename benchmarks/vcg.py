"""Combinatorial VCG benchmark (issue #3): one exact WDP, full VCG with pivot savings and warm
starts, and naive VCG (n + 1 cold solves: one per bidder plus the main problem), on generated
instances (items × bids) in the style of CATS.

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
        print(f"{items}×{nbids} ({len(inst['bids'])} bidders, {winners} winners): one WDP "
              f"{one:.3f} s | full VCG {full:.3f} s in {out.result['solves']} solves "
              f"(bound 1 + winners = {1 + winners}) | naive {naive_s:.3f} s in {naive_solves} "
              f"solves | ratio {naive_s / full:.1f}× | same payments: {same}")


if __name__ == "__main__":
    main()

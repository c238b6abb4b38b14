"""Combinatorial auctions with XOR bundle bids: VCG with exact winner determination, and the
Lehmann–O'Callaghan–Shoham greedy mechanism.

Input: ``{"items": ["A", "B"], "bids": {"a": [{"bundle": ["A", "B"], "value": 10}],
"b": [{"bundle": ["A"], "value": 8}]}}`` — each bidder wins at most one of its bids (XOR).
``allocation[bidder]`` is the list of items it wins (empty if none).

``auction.vcg`` solves the winner determination problem exactly on HiGHS
(:mod:`.wdp`) and charges Clarke pivot payments p_i = W₋ᵢ − (W − v_i(S_i)). Only winners are
re-solved (a bidder who wins nothing has a zero pivot), each pivot warm-started from the main
allocation without the bidder. ``exact: true`` means every solve was *proven* optimal (zero
relative MIP gap, status and final gap checked: :mod:`hurwicz.core.highs`), to within
``result.tolerance`` (0.5 for whole-number bids: exactly optimal; else
max(1e-6, 1e-12 × welfare bound)). With ``time_limit`` the solver may stop early: the outcome
then says ``exact: false`` with the MIP gap, and — since VCG payments on a non-optimal
allocation are neither truthful nor individually rational — ``auction.vcg`` refuses to present
them (a ``SolverError``) unless ``allow_inexact=True``, in which case the payments are reported
with ``truthful: false`` and ``active_claims()`` no longer lists dsic, ir or efficient.

``auction.greedy_combinatorial`` (Lehmann, O'Callaghan & Shoham 2002, JACM 49(5)) ranks
single-minded bids by value/√|bundle|, accepts greedily, and charges each winner its critical
value: v_j·√(|S_i|/|S_j|) for the first later bid j that would have won had i been absent (0 if
none). Truthful for single-minded bidders; a √m-approximation of the optimal welfare.

Example:
    >>> import hurwicz as hz
    >>> data = {"items": ["A", "B"], "bids": {"a": [{"bundle": ["A", "B"], "value": 10}],
    ...         "b": [{"bundle": ["A"], "value": 6}], "c": [{"bundle": ["B"], "value": 5}]}}
    >>> out = hz.mechanism("auction.vcg").run(data)
    >>> out.allocation, out.payments
    ({'a': [], 'b': ['A'], 'c': ['B']}, {'a': 0.0, 'b': 5.0, 'c': 4.0})
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from hurwicz.core.claims import Claim
from hurwicz.core.errors import InputError, SolverError
from hurwicz.core.highs import reported_gap
from hurwicz.core.mechanism import Mechanism
from hurwicz.core.outcome import Outcome
from hurwicz.core.registry import register
from hurwicz.core.types import Money, Name, Seconds
from hurwicz.core.validation import validate_model

from .audit import CombinatorialAudit
from .wdp import WinnerDetermination


class BundleBid(BaseModel):
    """One XOR bid: a bundle of items and its value."""

    model_config = ConfigDict(strict=True, extra="forbid")
    bundle: list[Name] = Field(min_length=1)
    value: Money


class CombinatorialInput(BaseModel):
    """Items for sale and each bidder's XOR bids."""

    model_config = ConfigDict(strict=True, extra="forbid")
    items: list[Name]
    bids: dict[Name, list[BundleBid]]


class VcgParams(BaseModel):
    """Solver limits."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)
    time_limit: Seconds | None = Field(None, description="seconds per HiGHS solve")
    allow_inexact: bool = Field(False, description="report VCG payments even when a solve hit "
                                "the time limit (marked truthful: false)")


def validate_combinatorial(data: Any) -> CombinatorialInput:
    """Validate and check bundles against the item list.

    Example:
        >>> try:
        ...     validate_combinatorial({"items": ["A"], "bids": {"a": [{"bundle": ["Z"],
        ...                                                              "value": 1}]}})
        ... except InputError as err:
        ...     print(err)
        bids.a.0.bundle: unknown item 'Z' (items: A)
    """
    inp = validate_model(CombinatorialInput, data)
    if len(set(inp.items)) != len(inp.items):
        raise InputError("items", "lists an item twice")
    known = set(inp.items)
    for who, bids in inp.bids.items():
        for k, bid in enumerate(bids):
            for item in bid.bundle:
                if item not in known:
                    raise InputError(f"bids.{who}.{k}.bundle", f"unknown item {item!r} "
                                     f"(items: {', '.join(inp.items)})")
            if len(set(bid.bundle)) != len(bid.bundle):
                raise InputError(f"bids.{who}.{k}.bundle", "lists an item twice")
    return inp


class CombinatorialAuction(Mechanism):
    """Shared input handling for bundle bids."""

    family: ClassVar[str] = "auction"
    Input = CombinatorialInput
    Audit = CombinatorialAudit

    def parse_input(self, data: Any) -> CombinatorialInput:
        return validate_combinatorial(data)

    def _outcome(self, inp: CombinatorialInput, allocation: dict[str, list[str]],
                 payments: dict[str, float], result: dict[str, Any], welfare: float) -> Outcome:
        return Outcome(self.name, self.param_dict(), allocation, payments, result,
                       {"welfare": welfare, "revenue": float(sum(payments.values()))})


@register
class VCG(CombinatorialAuction):
    """VCG with exact winner determination on HiGHS and Clarke pivot payments.

    Example:
        >>> import hurwicz as hz
        >>> out = hz.mechanism("auction.vcg").run({"items": ["A"], "bids": {
        ...     "a": [{"bundle": ["A"], "value": 5}], "b": [{"bundle": ["A"], "value": 3}]}})
        >>> out.payments, out.result["solves"], out.result["exact"]
        ({'a': 3.0, 'b': 0.0}, 2, True)
    """

    name = "auction.vcg"
    summary = "Exact winner determination (HiGHS MILP) with Clarke pivot payments."
    Params = VcgParams
    version = "2"  # zero MIP gap, proven optimality, payments within [0, bid], tolerance
    claims = (*(Claim(p, when=lambda params: not (params.allow_inexact
                                                  and params.time_limit is not None),
                      condition="payments are exact: not (allow_inexact and time_limit)")
                for p in ("dsic", "ir", "efficient")), "budget_balance")

    def run_parsed(self, inp: CombinatorialInput) -> Outcome:
        bids = [(who, b.bundle, b.value) for who in sorted(inp.bids) for b in inp.bids[who]]
        wdp = WinnerDetermination(inp.items, bids, self.params.time_limit)
        main = wdp.solve()
        winner_of = {bids[k][0]: k for k in main.winning_bids}
        pivots: dict[str, float] = {}
        exact, gap, status = main.exact, main.mip_gap, main.status
        for who in sorted(winner_of):
            warm = [k for k in main.winning_bids if bids[k][0] != who]
            sol = wdp.solve(without=who, warm_start=warm)
            pivots[who] = sol.welfare
            if not sol.exact and exact:
                status = sol.status
            exact = exact and sol.exact
            gap = max(gap, sol.mip_gap)
            # a pivot allocation is feasible for the main problem: one worth more than the
            # "optimal" allocation by more than the tolerance would contradict its proof
            if sol.welfare > main.welfare + wdp.tolerance:
                exact = False
        if not exact and not self.params.allow_inexact:
            raise SolverError(f"optimality not proven (HiGHS: {status}, MIP gap {gap:.3g}): "
                              "VCG payments on a non-optimal allocation are not truthful; "
                              "raise time_limit or set allow_inexact=true", "time_limit")
        names = sorted(inp.bids)
        payments = dict.fromkeys(names, 0.0)
        for who, k in winner_of.items():
            price = pivots[who] - (main.welfare - bids[k][2])
            # proven solves put the price in [−tolerance, bid + tolerance]: clamping it to
            # [0, bid] moves it by no more than the proven tolerance (rounding, mostly)
            payments[who] = min(max(price, 0.0), bids[k][2]) if exact else price
        allocation = {n: (sorted(bids[winner_of[n]][1]) if n in winner_of else [])
                      for n in names}
        result = {"winners": sorted(winner_of), "exact": exact, "mip_gap": reported_gap(gap),
                  "tolerance": wdp.tolerance, "truthful": exact, "solves": wdp.solves,
                  "pivot_welfare": pivots, "status": status}
        return self._outcome(inp, allocation, payments, result, main.welfare)


@register
class GreedyCombinatorial(CombinatorialAuction):
    """Lehmann–O'Callaghan–Shoham greedy auction for single-minded bidders.

    Example:
        >>> import hurwicz as hz
        >>> out = hz.mechanism("auction.greedy_combinatorial").run({"items": ["A", "B"],
        ...     "bids": {"a": [{"bundle": ["A", "B"], "value": 10}],
        ...              "b": [{"bundle": ["A"], "value": 6}]}})
        >>> out.allocation, round(out.payments["a"], 4)  # critical value 6·√(2/1)
        ({'a': ['A', 'B'], 'b': []}, 8.4853)
    """

    name = "auction.greedy_combinatorial"
    summary = "Greedy by value/√|bundle| with critical-value payments (single-minded)."
    claims = ("dsic", "ir", "budget_balance")

    def parse_input(self, data: Any) -> CombinatorialInput:
        inp = super().parse_input(data)
        for who, bids in inp.bids.items():
            if len(bids) > 1:
                raise InputError(f"bids.{who}", "greedy_combinatorial needs single-minded "
                                 "bidders: at most one bid each")
        return inp

    @staticmethod
    def _order(entries: list[tuple[str, list[str], float]]) -> list[tuple[str, list[str], float]]:
        return sorted(entries, key=lambda e: (-e[2] / math.sqrt(len(e[1])), e[0]))

    @staticmethod
    def _greedy(order: list[tuple[str, list[str], float]], skip: str | None = None
                ) -> list[str]:
        taken: set[str] = set()
        winners = []
        for who, bundle, value in order:
            if who == skip or value <= 0:
                continue
            if taken.isdisjoint(bundle):
                taken |= set(bundle)
                winners.append(who)
        return winners

    def run_parsed(self, inp: CombinatorialInput) -> Outcome:
        entries = [(who, list(b[0].bundle), b[0].value) for who, b in inp.bids.items() if b]
        order = self._order(entries)
        winners = self._greedy(order)
        position = {e[0]: k for k, e in enumerate(order)}
        info = {e[0]: e for e in entries}
        payments = dict.fromkeys(sorted(inp.bids), 0.0)
        for who in winners:
            without = self._greedy(order, skip=who)
            _, bundle_i, _ = info[who]
            for j in without:
                _, bundle_j, value_j = info[j]
                if position[j] > position[who] and not set(bundle_i).isdisjoint(bundle_j):
                    payments[who] = value_j * math.sqrt(len(bundle_i) / len(bundle_j))
                    break
        allocation = {n: (sorted(info[n][1]) if n in winners else []) for n in sorted(inp.bids)}
        welfare = float(sum(info[w][2] for w in winners))
        return self._outcome(inp, allocation, payments, {"winners": sorted(winners),
                                                         "order": [e[0] for e in order]},
                             welfare)

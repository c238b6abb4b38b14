"""A budget-feasible procurement mechanism: truthful, individually rational, never pays more
than the budget, and buys at least a quarter of the value the budget could buy at the true
costs.

Input ``{"budget": B, "costs": {seller: c}, "values": {seller: v}}``: the buyer values the set
``S`` at ``Σ_{i∈S} v_i`` (additive, the knapsack case of Singer 2010) and may pay at most ``B``
in total. The allocation rule:

1. ``A`` = sellers with ``v_i > 0`` and ``c_i ≤ B``; ``i*`` = the one of highest value (ties by
   name); ``F`` = the *fractional* knapsack optimum of ``A ∖ {i*}`` with budget ``B``.
2. If ``3·v_{i*} ≥ F``, buy from ``i*`` alone and pay it ``B``.
3. Otherwise run Singer's (2010) *proportional-share* rule on ``A ∖ {i*}``: order sellers by
   cost per value ``c_i/v_i`` (ties by name) and buy the longest prefix ``S_k`` whose last
   seller satisfies ``c_k ≤ B · v_k / V(S_k)`` (its cost is at most its value share of the
   budget).

This is the two-branch design of Chen, Gravin & Lu (2011, "On the approximability of budget
feasible mechanisms", SODA; knapsack mechanism), here with the comparison constant 3.

Winners are paid their *threshold*: the highest cost at which they would still be bought, the
others' reports fixed. The rule is monotone (a cheaper seller is still bought: lowering ``c_j``
moves ``j`` earlier in the order and raises ``F``), so threshold payments make truthful
reporting dominant and every winner receives at least its cost (Myerson 1981; Archer & Tardos
2001). Thresholds of branch 3 are found by bisection on the rule to within 1e-12 of the budget
(a winner is never paid below its reported cost).

Why the budget holds (branch 3): let ``r_i = c_i/v_i``. Every bought seller has
``r_i ≤ r_k ≤ B/V(S)``. A winner ``i``'s threshold ratio ``θ_i/v_i`` is either ≤ ``r_k`` —
then ``θ_i ≤ B·v_i/V(S)`` — or above it, and then every other bought seller precedes ``i`` at
that report, so being bought requires ``θ_i ≤ B·v_i/(V(S∖i) + v_i) = B·v_i/V(S)``. Hence
``Σ θ_i ≤ B``. Branch 2 pays ``B`` to one seller.

Why the ratio is 4 (against the integral optimum ``OPT`` at true costs): ``OPT ≤ v_{i*} + F``.
Branch 2: ``OPT ≤ (1 + 3)·v_{i*}``. Branch 3: if ``k+1`` is the first seller not bought,
every later seller has ``r ≥ r_{k+1} > B/V(S_{k+1})``, so ``F ≤ V(S) + B/r_{k+1} <
2·V(S) + v_{k+1} ≤ 2·V(S) + F/3``; thus ``F < 3·V(S)`` and ``OPT < (1 + 1/3)·F < 4·V(S)``.
(Chen, Gravin & Lu prove 2 + √2 for their constant; Gravin, Jin, Lu & Zhang 2020 give a
deterministic 3 against the fractional optimum.)

A budget below every seller's cost is refused (``budget``: nobody could be paid its cost).

Example:
    >>> import hurwicz as hz
    >>> m = hz.mechanism("procurement.budget_feasible")
    >>> six = {s: 1.0 for s in "abcdef"}
    >>> out = m.run({"budget": 4.0, "costs": six, "values": six})
    >>> out.result["branch"], out.result["winners"], out.metrics["spend"]
    ('proportional_share', ['b', 'c', 'd', 'e'], 4.0)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from hurwicz.core.errors import InputError
from hurwicz.core.mechanism import Mechanism
from hurwicz.core.outcome import Outcome
from hurwicz.core.registry import register
from hurwicz.core.types import Money, Name

from .audit import BudgetFeasibleAudit
from .reverse import _outcome

#: Branch 2 buys the most valuable seller alone when ALPHA × its value ≥ the others' F.
ALPHA = 3.0
#: Proven ratio of the optimal budgeted value to the value bought (see the module docstring).
RATIO = 4.0


class BudgetFeasibleInput(BaseModel):
    """``{"budget": B, "costs": {seller: cost}, "values": {seller: value}}``."""

    model_config = ConfigDict(strict=True, extra="forbid")
    budget: Money
    costs: dict[Name, Money]
    values: dict[Name, Money]


def fractional_knapsack(sellers: list[str], costs: Mapping[str, float],
                        values: Mapping[str, float], budget: float) -> float:
    """The best value of a fractional selection of ``sellers`` costing at most ``budget``.

    Example:
        >>> fractional_knapsack(["a", "b"], {"a": 2.0, "b": 4.0}, {"a": 4.0, "b": 4.0}, 4.0)
        6.0
    """
    left, total = budget, 0.0
    for s in sorted(sellers, key=lambda s: (costs[s] / values[s], s)):
        if costs[s] <= left:
            left -= costs[s]
            total += values[s]
        else:
            total += values[s] * left / costs[s]
            break
    return total


def select(costs: Mapping[str, float], values: Mapping[str, float],
           budget: float) -> tuple[list[str], str]:
    """The allocation rule: the sellers bought and the branch that bought them.

    Example:
        >>> select({"a": 1.0, "b": 1.0}, {"a": 5.0, "b": 1.0}, 3.0)
        (['a'], 'max_value')
    """
    pool = [s for s in costs if values[s] > 0 and costs[s] <= budget]
    if not pool:
        return [], "none"
    star = min(pool, key=lambda s: (-values[s], s))
    rest = [s for s in pool if s != star]
    if ALPHA * values[star] >= fractional_knapsack(rest, costs, values, budget):
        return [star], "max_value"
    chosen: list[str] = []
    share = 0.0
    for s in sorted(rest, key=lambda s: (costs[s] / values[s], s)):
        share += values[s]
        if costs[s] * share <= budget * values[s]:
            chosen.append(s)
        else:
            break
    return chosen, "proportional_share"


def threshold(costs: Mapping[str, float], values: Mapping[str, float], budget: float,
              seller: str) -> float | None:
    """The highest cost at which ``seller`` is bought, the others' costs fixed (None if it is
    bought at no cost); to within 1e-12 × budget, from below.

    Example:
        >>> six = {s: 1.0 for s in "abcdef"}
        >>> round(threshold({**six, "b": 0.5}, six, 4.0, "b"), 9)
        1.0
    """
    def bought(c: float) -> bool:
        return seller in select({**costs, seller: c}, values, budget)[0]

    if not bought(0.0):
        return None
    if bought(budget):
        return float(budget)
    lo, hi = 0.0, float(budget)
    tol = 1e-12 * max(budget, 1e-300)
    for _ in range(200):
        if hi - lo <= tol:
            break
        mid = 0.5 * (lo + hi)
        if bought(mid):
            lo = mid
        else:
            hi = mid
    return lo


@register
class BudgetFeasible(Mechanism):
    """Budget-feasible procurement (Singer 2010's proportional share against the most valuable
    seller, as in Chen, Gravin & Lu 2011): truthful, individually rational, total payment ≤
    budget, value bought ≥ 1/4 of the optimum.

    Example:
        >>> import hurwicz as hz
        >>> out = hz.mechanism("procurement.budget_feasible").run(
        ...     {"budget": 5.0, "costs": {"a": 1.0, "b": 4.0}, "values": {"a": 1.0, "b": 9.0}})
        >>> out.allocation, out.payments, out.result["branch"]
        ({'a': 0, 'b': 1}, {'a': 0.0, 'b': -5.0}, 'max_value')
    """

    name = "procurement.budget_feasible"
    family = "procurement"
    summary = "budget-feasible procurement: proportional share vs the best seller, threshold pay"
    version = "1"
    claims = ("dsic", "ir", "budget_feasible", "approximation")
    Input = BudgetFeasibleInput
    Audit = BudgetFeasibleAudit
    APPROXIMATION_RATIO = RATIO

    def parse_input(self, data: Any) -> BudgetFeasibleInput:
        inp = super().parse_input(data)
        for s in inp.costs:
            if s not in inp.values:
                raise InputError(f"values.{s}", "missing: every seller in costs needs a value")
        for s in inp.values:
            if s not in inp.costs:
                raise InputError(f"values.{s}", "no such seller in costs")
        if inp.costs and inp.budget < min(inp.costs.values()):
            raise InputError("budget", f"{inp.budget:g} is below every seller's cost (the "
                             f"lowest is {min(inp.costs.values()):g}): no seller can be paid "
                             "its cost")
        return inp

    def run_parsed(self, inp: BudgetFeasibleInput) -> Outcome:
        sellers = sorted(inp.costs)
        winners, branch = select(inp.costs, inp.values, inp.budget)
        prices: dict[str, float] = {}
        for s in winners:
            if branch == "max_value":
                prices[s] = float(inp.budget)
            else:
                theta = threshold(inp.costs, inp.values, inp.budget, s)
                prices[s] = max(float(theta if theta is not None else 0.0), inp.costs[s])
        value = float(sum(inp.values[s] for s in winners))
        cost = float(sum(inp.costs[s] for s in winners))
        spend = math.fsum(prices.values())
        return _outcome(self, sellers, sorted(winners), prices,
                        {"branch": branch, "budget": inp.budget,
                         "unspent": max(0.0, inp.budget - spend)},
                        {"value": value, "sellers_cost": cost})


__all__ = ["ALPHA", "RATIO", "BudgetFeasible", "fractional_knapsack", "select", "threshold"]

"""Transaction-fee mechanisms for one block: first price, second (uniform) price, EIP-1559.

Outcomes (DESIGN.md, fees): ``allocation[tx]`` is 1 when included, ``payments[tx]`` what the
sender pays in total (price per gas × gas), ``result.burned``, ``result.producer_revenue``,
``result.base_fee``; also ``result.included`` (in priority order), ``result.gas`` (each
transaction's gas), ``result.gas_used`` and ``result.packing_exact``.

Incentive properties, after Roughgarden, "Transaction Fee Mechanism Design" (EC 2021,
arXiv:2106.01340), and audited by :mod:`hurwicz.mechanisms.fees.audit`:

============  ====================================  ======  ===========
mechanism     UIC                                   MMIC    OCA-proof
============  ====================================  ======  ===========
first price   no (shade your bid)                   yes     yes
second price  yes, for unit-size transactions       no      not claimed
EIP-1559      yes, when the base fee is not          yes     yes
              excessively low
============  ====================================  ======  ===========

Example:
    >>> import hurwicz as hz
    >>> block = {"transactions": {"a": {"bid": 30, "gas": 21000}, "b": {"bid": 20, "gas": 21000},
    ...          "c": {"bid": 10, "gas": 21000}}, "block_limit": 42000}
    >>> hz.mechanism("fees.first_price").run(block).payments
    {'a': 630000.0, 'b': 420000.0, 'c': 0.0}
    >>> hz.mechanism("fees.second_price").run(block).payments
    {'a': 210000.0, 'b': 210000.0, 'c': 0.0}
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from hurwicz.core.claims import Claim
from hurwicz.core.errors import InputError
from hurwicz.core.mechanism import Mechanism
from hurwicz.core.outcome import Outcome
from hurwicz.core.registry import register
from hurwicz.core.reports import as_dict
from hurwicz.core.types import Money

from .audit import FeeAudit
from .basefee import next_base_fee
from .common import BlockInput, Eip1559Input, greedy_order, pack


class _FeeMechanism(Mechanism):
    family = "fees"
    Input = BlockInput
    Audit = FeeAudit

    def parse_input(self, data: Any) -> Any:
        inp = super().parse_input(data)
        if not isinstance(inp, Eip1559Input):
            for t, tx in inp.transactions.items():
                if tx.tip is not None:
                    raise InputError(f"transactions.{t}.tip", "only EIP-1559 transactions "
                                     "have a tip (use fees.eip1559)")
        return inp

    def includable(self, inp: Any) -> list[str]:
        """Transactions the block producer may include (each fits in an empty block)."""
        return [t for t, x in inp.transactions.items() if x.gas <= inp.block_limit]

    def uic_applies(self, inp: Any) -> bool:
        """Whether the mechanism's UIC theorem covers this input."""
        return True

    def reference_bidding(self, data: Any) -> Any:
        """The bidding under which OCA-proofness is claimed (truthful by default)."""
        return data

    def _outcome(self, inp: Any, included: list[str], per_gas: dict[str, float],
                 burned_per_gas: float, extra: dict[str, Any], exact: bool) -> Outcome:
        names = sorted(inp.transactions)
        gas = {t: inp.transactions[t].gas for t in names}
        chosen = set(included)
        payments = {t: (per_gas[t] * gas[t] if t in chosen else 0.0) for t in names}
        used = sum(gas[t] for t in chosen)
        burned = burned_per_gas * used
        revenue = sum(payments.values()) - burned
        welfare = sum(float(inp.transactions[t].bid) * gas[t] for t in chosen)
        return Outcome(
            self.name, self.param_dict(),
            allocation={t: int(t in chosen) for t in names}, payments=payments,
            result={"included": list(included), "gas": gas, "gas_used": used,
                    "block_limit": inp.block_limit, "burned": burned,
                    "producer_revenue": revenue, "packing_exact": exact, **extra},
            metrics={"revenue": revenue, "burned": burned, "welfare": welfare,
                     "gas_used": used, "included": len(chosen)})


@register
class FirstPrice(_FeeMechanism):
    """First-price (pay-your-bid) transaction fee mechanism, Bitcoin's and pre-London
    Ethereum's: the producer includes the set of transactions maximising Σ bid × gas within
    the block limit (an exact knapsack), and each included transaction pays its bid per gas.

    Roughgarden (2021) §5.1: MMIC and OCA-proof, but not UIC — a user gains by bidding below
    its value (the audit finds that shading).

    Example:
        >>> import hurwicz as hz
        >>> out = hz.mechanism("fees.first_price").run({"transactions": {
        ...     "a": {"bid": 4, "gas": 2}, "b": {"bid": 3, "gas": 1}, "c": {"bid": 3, "gas": 1}},
        ...     "block_limit": 2})
        >>> out.result["included"], out.result["producer_revenue"]
        (['a'], 8.0)
    """

    name = "fees.first_price"
    summary = "Pay-your-bid block space: revenue-maximising packing, included bids paid."
    version = "1"
    claims = (Claim("mmic", when=lambda p: True,
                    condition="the block is packed exactly (result.packing_exact: up to "
                              "400 competing transactions); audited on such inputs only"),
              "oca_proof", "ir")

    def settle(self, inp: Any, included: list[str]) -> Outcome:
        """The outcome if exactly ``included`` is in the block."""
        per_gas = {t: float(x.bid) for t, x in inp.transactions.items()}
        return self._outcome(inp, included, per_gas, 0.0, {"base_fee": 0.0}, True)

    def run_parsed(self, inp: BlockInput) -> Outcome:
        names = self.includable(inp)
        bids = {t: float(inp.transactions[t].bid) for t in names}
        chosen, exact = pack(bids, {t: inp.transactions[t].gas for t in names},
                             inp.block_limit)
        out = self.settle(inp, chosen)
        out.result["packing_exact"] = exact
        return out


@register
class SecondPrice(_FeeMechanism):
    """Second-price (uniform-price) transaction fee mechanism.

    Transactions are ranked by bid per gas (ties by name); the block takes the longest
    *prefix* of that ranking that fits in the limit (it stops at the first transaction that
    does not fit, so nobody below it is included). Every included transaction pays, per unit
    of gas, the **highest bid per gas among the transactions left out** (the first one after
    the prefix), or 0 when everything fits. A transaction larger than the whole block is left
    out and sets no price. So nobody pays more than its bid, and with unit-size transactions
    (all of one gas size, block of k) this is the (k+1)-th price auction.

    Roughgarden (2021) §5.2: UIC for unit-size transactions (a conditional claim, audited on
    such inputs only; with different sizes a user can gain by misreporting), but not MMIC —
    the producer gains by inserting a fake transaction just below the included bids, which
    raises everybody's price (the audit finds it), or by leaving a low bid out.

    Example:
        >>> import hurwicz as hz
        >>> out = hz.mechanism("fees.second_price").run({"transactions": {
        ...     "a": {"bid": 5, "gas": 1}, "b": {"bid": 4, "gas": 1}, "c": {"bid": 2, "gas": 1}},
        ...     "block_limit": 2})
        >>> out.result["price"], out.payments
        (2.0, {'a': 2.0, 'b': 2.0, 'c': 0.0})
    """

    name = "fees.second_price"
    summary = "Uniform price: the included prefix pays the highest excluded bid per gas."
    version = "1"
    claims = (Claim("uic", when=lambda p: True,
                    condition="unit-size transactions (all of one gas size); audited on "
                              "such inputs only"), "ir")

    def uic_applies(self, inp: Any) -> bool:
        """Unit-size transactions: every transaction that fits has the same gas."""
        return len({inp.transactions[t].gas for t in self.includable(inp)}) <= 1

    def settle(self, inp: Any, included: list[str]) -> Outcome:
        """Included transactions pay the highest bid per gas left out (capped at their bid)."""
        chosen = set(included)
        out_bids = [float(inp.transactions[t].bid) for t in self.includable(inp)
                    if t not in chosen]
        price = max(out_bids, default=0.0)
        per_gas = {t: min(price, float(x.bid)) for t, x in inp.transactions.items()}
        return self._outcome(inp, included, per_gas, 0.0, {"base_fee": 0.0, "price": price},
                             True)

    def run_parsed(self, inp: BlockInput) -> Outcome:
        names = self.includable(inp)
        order = greedy_order({t: float(inp.transactions[t].bid) for t in names})
        chosen: list[str] = []
        room = inp.block_limit
        for t in order:
            if inp.transactions[t].gas > room:
                break
            chosen.append(t)
            room -= inp.transactions[t].gas
        return self.settle(inp, chosen)


class Eip1559Params(BaseModel):
    """The producer's marginal cost per gas and the block's elasticity."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)
    marginal_cost: Money = Field(0.0, description="the block producer's cost per unit of gas "
                                 "(Roughgarden's δ); the default tip, and the least effective "
                                 "tip a transaction needs to be included")
    elasticity: int = Field(2, ge=1, le=64, description="block_limit / gas target (2 in the "
                            "EIP)")


@register
class Eip1559(_FeeMechanism):
    """EIP-1559 for one block (Ethereum since the London upgrade, August 2021).

    Each transaction gives a fee cap ``bid`` per gas and a tip cap ``tip`` per gas (default:
    the producer's ``marginal_cost`` δ). It is includable when ``bid ≥ base_fee`` and its
    effective tip ``min(tip, bid − base_fee)`` covers δ; it then pays
    ``base_fee + effective tip`` per gas: the base fee is **burned**, the tip goes to the
    producer, who packs the includable transactions maximising Σ (effective tip − δ) × gas
    (exact knapsack; when they all fit, all are included). The block limit is
    ``elasticity × target``; ``result.next_base_fee`` applies the EIP's update rule
    (:func:`~hurwicz.mechanisms.fees.basefee.next_base_fee`) to this block's gas.

    ``result.base_fee_excessively_low`` is true when the transactions willing to pay
    ``base_fee + δ`` do not all fit: then the mechanism behaves like a first-price auction
    on tips and UIC fails (Roughgarden 2021, §5.3, "excessively low" base fee). Claims: UIC
    when the base fee is not excessively low (and tips are δ — audited on such inputs only),
    MMIC (fake transactions burn the base fee; the packing maximises tips) and OCA-proof
    with respect to bidding fee cap = value, tip = value − base fee.

    Example:
        >>> import hurwicz as hz
        >>> out = hz.mechanism("fees.eip1559").run({"transactions": {
        ...     "a": {"bid": 30, "gas": 21000}, "b": {"bid": 12, "gas": 21000, "tip": 2},
        ...     "c": {"bid": 5, "gas": 21000}}, "block_limit": 60000, "base_fee": 10})
        >>> out.payments, out.result["burned"], out.result["producer_revenue"]
        ({'a': 210000.0, 'b': 252000.0, 'c': 0.0}, 420000.0, 42000.0)
        >>> out.result["next_base_fee"]   # 42000 gas used, target 30000: 10 · (1 + 0.4/8)
        10.5
    """

    name = "fees.eip1559"
    summary = ("Burned base fee + capped tips; base fee moves by (used − target)/target/8 "
               "(≤ 1/8 at the EIP's elasticity 2).")
    version = "1"
    Params = Eip1559Params
    Input = Eip1559Input
    claims = (Claim("uic", when=lambda p: True,
                    condition="the base fee is not excessively low (the transactions "
                              "willing to pay base fee + marginal cost fit in the block) and "
                              "tips equal the marginal cost; audited on such inputs only"),
              Claim("mmic", when=lambda p: True,
                    condition="the block is packed exactly (result.packing_exact: up to "
                              "400 competing transactions); audited on such inputs only"),
              "oca_proof", "ir")

    def _tip(self, tx: Any) -> float:
        return float(self.params.marginal_cost if tx.tip is None else tx.tip)

    def _effective_tip(self, inp: Eip1559Input, t: str) -> float:
        tx = inp.transactions[t]
        return min(self._tip(tx), float(tx.bid) - float(inp.base_fee))

    def includable(self, inp: Any) -> list[str]:
        """Fee cap at least the base fee, effective tip at least δ, fits in a block."""
        delta = float(self.params.marginal_cost)
        return [t for t, x in inp.transactions.items()
                if x.gas <= inp.block_limit and float(x.bid) >= float(inp.base_fee)
                and self._effective_tip(inp, t) >= delta]

    def excessively_low(self, inp: Eip1559Input) -> bool:
        """Whether the transactions willing to pay base fee + δ do not all fit."""
        delta = float(self.params.marginal_cost)
        willing = sum(x.gas for x in inp.transactions.values()
                      if float(x.bid) >= float(inp.base_fee) + delta)
        return willing > inp.block_limit

    def uic_applies(self, inp: Any) -> bool:
        """Base fee not excessively low, and every tip is the truthful one (δ)."""
        delta = float(self.params.marginal_cost)
        return not self.excessively_low(inp) and all(
            x.tip is None or float(x.tip) == delta for x in inp.transactions.values())

    def reference_bidding(self, data: Any) -> Any:
        """Fee cap = value and tip = value − base fee (the whole surplus as a tip)."""
        doc = as_dict(data)
        base = float(doc["base_fee"])
        txs = {t: {**as_dict(x), "tip": max(float(as_dict(x)["bid"]) - base, 0.0)}
               for t, x in dict(doc["transactions"]).items()}
        return {**doc, "transactions": txs}

    def settle(self, inp: Any, included: list[str]) -> Outcome:
        """The outcome if exactly ``included`` (includable transactions) is in the block."""
        base = float(inp.base_fee)
        per_gas = {t: base + max(self._effective_tip(inp, t), 0.0) for t in inp.transactions}
        used = sum(inp.transactions[t].gas for t in included)
        target = inp.block_limit / self.params.elasticity
        extra = {"base_fee": base, "gas_target": target,
                 "next_base_fee": float(next_base_fee(base, used, target,
                                                      self.params.elasticity)),
                 "base_fee_excessively_low": self.excessively_low(inp),
                 "tips": {t: (per_gas[t] - base) * inp.transactions[t].gas for t in included}}
        return self._outcome(inp, included, per_gas, base, extra, True)

    def run_parsed(self, inp: Eip1559Input) -> Outcome:
        names = self.includable(inp)
        delta = float(self.params.marginal_cost)
        value = {t: self._effective_tip(inp, t) - delta for t in names}
        chosen, exact = pack(value, {t: inp.transactions[t].gas for t in names},
                             inp.block_limit)
        out = self.settle(inp, chosen)
        out.result["packing_exact"] = exact
        return out

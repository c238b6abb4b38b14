"""The fee family's audit specification: users' bids, the block producer's deviations and
off-chain agreements, after Roughgarden, "Transaction Fee Mechanism Design" (EC 2021;
arXiv:2106.01340).

A transaction's report is its ``bid`` (fee cap per unit of gas); its private type is its value
per unit of gas (the truthful input bids it). A user's utility is
``value × gas × included − payment``. Properties:

* ``uic`` — user incentive compatibility: no user gains by bidding anything but its value,
  on the inputs where the mechanism's theorem applies (:meth:`uic_applies` of each mechanism:
  every input for first price; unit-size transactions — all the same gas — for second price;
  for EIP-1559, a base fee that is *not excessively low*, i.e. the transactions willing to pay
  base fee + marginal cost fit in the block, with every tip the truthful one). Inputs outside
  the theorem are not tested (and say so).
* ``dsic`` — the same search on every input, the theorem's condition aside.
* ``mmic`` — myopic miner incentive compatibility: the block producer cannot gain by
  including another set of transactions than the allocation rule's, nor by inserting fake
  transactions it pays for itself (producer utility = producer revenue − marginal cost × gas
  − what its fake transactions pay). Every feasible subset is tried up to 10 transactions
  (sampled beyond), and one fake transaction of each of a grid of bids and sizes.
* ``oca_proof`` — no off-chain agreement between the producer and the users raises their
  joint utility (Σ value × gas of included − burned − marginal cost × gas) above that of the
  on-chain outcome under the mechanism's reference bidding (truthful for first and second
  price; for EIP-1559 fee cap = value and tip = value − base fee, as in Roughgarden §5).
* ``ir`` — a truthful user never pays more than its value.

Example:
    >>> import numpy as np, hurwicz as hz
    >>> from hurwicz.auditing.spec import audit_spec
    >>> spec = audit_spec(hz.mechanism("fees.first_price"))
    >>> spec.reports({"transactions": {"t": {"bid": 3, "gas": 2}}, "block_limit": 5})
    {'t': 3.0}
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from hurwicz.auditing import generic
from hurwicz.auditing.spec import DSIC, IR, AuditSpec, Property, properties
from hurwicz.core.outcome import Outcome
from hurwicz.core.reports import as_dict

FAKE = "~fake"
MAX_ENUMERATED = 10


def _close_gain(gain: float, scale: float, tolerance: float) -> bool:
    return gain > tolerance + 1e-9 * max(1.0, scale)


def _miner_utility(spec: AuditSpec, outcome: Outcome, fakes: Sequence[str] = ()) -> float:
    cost = float(getattr(spec.mech.params, "marginal_cost", 0.0))
    return (float(outcome.result["producer_revenue"]) - cost * float(outcome.result["gas_used"])
            - sum(outcome.payment(f) for f in fakes))


def _fake_bids(inp: Any) -> list[float]:
    bids = sorted({float(t.bid) for t in inp.transactions.values()})
    base = float(getattr(inp, "base_fee", 0.0))
    out = {0.0, base}
    for b in bids:
        out |= {b, b * (1 - 1e-3), b + 1e-3 * max(b, 1.0)}
    for lo, hi in itertools.pairwise(bids):
        out.add((lo + hi) / 2)
    return sorted(x for x in out if x >= 0)


def mmic_search(spec: AuditSpec, instances: Sequence[Any], rng: np.random.Generator,
                tolerance: float) -> dict[str, Any]:
    """The producer's best deviation: another feasible set of real transactions, or the
    honest rule on the input plus one fake transaction (bid grid × sizes)."""
    mech = spec.mech
    best: dict[str, Any] = {"max_gain": 0.0, "counterexample": None}
    tried = 0
    complete = True
    for data in instances:
        inp = mech.parse_input(data)
        honest = mech.run_parsed(inp)
        if not honest.result.get("packing_exact", True):
            continue  # the claim is for exactly packed blocks (the greedy fallback is not)
        base_u = _miner_utility(spec, honest)
        scale = abs(base_u) + sum(t.bid * t.gas for t in inp.transactions.values())
        names = sorted(mech.includable(inp))
        gas = {t: inp.transactions[t].gas for t in names}
        if len(names) <= MAX_ENUMERATED:
            subsets = (c for r in range(len(names) + 1)
                       for c in itertools.combinations(names, r))
        else:
            complete = False
            subsets = (tuple(t for t in names if rng.random() < 0.5) for _ in range(512))
        for subset in subsets:
            if sum(gas[t] for t in subset) > inp.block_limit:
                continue
            out = mech.settle(inp, list(subset))
            tried += 1
            gain = _miner_utility(spec, out) - base_u
            if gain > best["max_gain"]:
                best["max_gain"] = gain
                if _close_gain(gain, scale, tolerance):
                    best["counterexample"] = {
                        "input": as_dict(data), "deviation": "another set of transactions",
                        "included": list(subset), "honest_included": honest.result["included"],
                        "truthful_utility": base_u, "deviating_utility": base_u + gain,
                        "outcome": out.to_dict()}
        complete = False  # fake transactions: a grid, not every bid
        sizes = sorted({t.gas for t in inp.transactions.values()} | {inp.block_limit})
        for bid in _fake_bids(inp):
            for size in sizes:
                fake = {"bid": bid, "gas": int(size)}
                if hasattr(inp, "base_fee"):
                    fake["tip"] = max(bid - float(inp.base_fee), 0.0)
                txs = {**{k: v.model_dump(exclude_none=True)
                          for k, v in inp.transactions.items()}, FAKE: fake}
                deviating = {**as_dict(data), "transactions": txs}
                out = generic.run_or_none(spec, deviating)
                if out is None:
                    continue
                tried += 1
                gain = _miner_utility(spec, out, [FAKE]) - base_u
                if gain > best["max_gain"]:
                    best["max_gain"] = gain
                    if _close_gain(gain, scale, tolerance):
                        best["counterexample"] = {
                            "input": as_dict(data), "deviation": "fake transaction",
                            "deviating_input": deviating, "fake": fake,
                            "truthful_utility": base_u, "deviating_utility": base_u + gain,
                            "truthful_outcome": honest.to_dict(), "outcome": out.to_dict()}
    return {"max_gain": best["max_gain"], "counterexample": best["counterexample"],
            "deviations": tried, "complete": complete}


def oca_search(spec: AuditSpec, instances: Sequence[Any], rng: np.random.Generator,
               tolerance: float) -> dict[str, Any]:
    """Joint utility of the producer and all users under the reference bidding, against the
    best any on-chain outcome can give them (an exact knapsack)."""
    from .common import pack

    mech = spec.mech
    best: dict[str, Any] = {"max_gain": 0.0, "counterexample": None}
    tried = 0
    complete = True
    cost = float(getattr(mech.params, "marginal_cost", 0.0))
    for data in instances:
        inp = mech.parse_input(data)
        values = {t: float(x.bid) for t, x in inp.transactions.items()}
        gas = {t: x.gas for t, x in inp.transactions.items()}
        burn = float(getattr(inp, "base_fee", 0.0))
        ref = mech.run_parsed(mech.parse_input(mech.reference_bidding(data)))
        joint = (sum(values[t] * gas[t] for t in ref.result["included"])
                 - float(ref.result["burned"]) - cost * float(ref.result["gas_used"]))
        surplus = {t: values[t] - burn - cost for t in values if values[t] - burn - cost > 0}
        chosen, exact = pack(surplus, gas, inp.block_limit)
        complete &= exact
        optimum = sum(surplus[t] * gas[t] for t in chosen if t in surplus)
        tried += 1
        gain = optimum - joint
        scale = sum(values[t] * gas[t] for t in values)
        if gain > best["max_gain"]:
            best["max_gain"] = gain
            if _close_gain(gain, scale, tolerance):
                best["counterexample"] = {
                    "input": as_dict(data), "reference_outcome": ref.to_dict(),
                    "joint_utility": joint, "best_joint_utility": optimum,
                    "best_included": chosen}
    return {"max_gain": best["max_gain"], "counterexample": best["counterexample"],
            "deviations": tried, "complete": complete}


def uic_search(spec: AuditSpec, instances: Sequence[Any], rng: np.random.Generator,
               tolerance: float) -> dict[str, Any]:
    """Unilateral bid misreports on the inputs where the mechanism's UIC theorem applies."""
    applicable = [d for d in instances if spec.mech.uic_applies(spec.mech.parse_input(d))]
    if not applicable:
        return {"max_gain": None, "counterexample": None, "deviations": 0, "complete": False}
    return generic.misreport_check(spec, applicable, rng, tolerance)


UIC = Property("uic", "user incentive compatibility: bidding one's value is a dominant strategy "
               "(on the inputs where the mechanism's theorem applies)", "search",
               search=uic_search)
MMIC = Property("mmic", "myopic miner incentive compatibility: the block producer cannot gain "
                "by including other transactions or inserting fake ones", "search",
                search=mmic_search)
OCA_PROOF = Property("oca_proof", "no off-chain agreement between the producer and users "
                     "raises their joint utility", "search", search=oca_search)


class FeeAudit(AuditSpec):
    """Transactions bid per unit of gas; values per unit of gas are the private types."""

    report_kind = "scalar"
    report_field = "transactions"
    properties = properties(UIC, DSIC, MMIC, OCA_PROOF, IR)

    def reports(self, data: Any) -> dict[str, Any]:
        """Each transaction's bid."""
        inp = self.mech.parse_input(data)
        return {t: float(x.bid) for t, x in inp.transactions.items()}

    def with_reports(self, data: Any, reports: Mapping[str, Any]) -> dict[str, Any]:
        """``data`` with the named transactions bidding ``reports`` (``None``: withdrawn).

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> spec = audit_spec(hz.mechanism("fees.first_price"))
            >>> spec.with_reports({"transactions": {"t": {"bid": 3}}, "block_limit": 5},
            ...                   {"t": 1.0})["transactions"]
            {'t': {'bid': 1.0}}
        """
        base = as_dict(data)
        txs = {k: as_dict(v) for k, v in dict(base.get("transactions", {})).items()}
        for t, bid in reports.items():
            if bid is None:
                txs.pop(t, None)
            else:
                txs[t] = {**txs.get(t, {}), "bid": float(bid)}
        return {**base, "transactions": txs}

    def utility(self, agent: str, truth: Any, outcome: Outcome) -> float:
        """``value × gas × included − payment``.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> m = hz.mechanism("fees.second_price")
            >>> out = m.run({"transactions": {"a": {"bid": 5, "gas": 1},
            ...              "b": {"bid": 2, "gas": 1}}, "block_limit": 1})
            >>> audit_spec(m).utility("a", 5.0, out)
            3.0
        """
        included = outcome.allocation.get(agent, 0) or 0
        gas = outcome.result.get("gas", {}).get(agent, 0)
        return float(truth) * float(gas) * float(included) - outcome.payment(agent)

    def deviations(self, data: Any, agent: str, truth: Any, rng: np.random.Generator,
                   limit: int) -> tuple[list[Any], bool]:
        """Bids at and around every other bid, the base fee (and base fee + marginal cost),
        and a grid up to twice the highest bid."""
        inp = self.mech.parse_input(data)
        points = [float(x.bid) for t, x in inp.transactions.items() if t != agent]
        base = getattr(inp, "base_fee", None)
        if base is not None:
            points += [float(base), float(base) + float(self.mech.params.marginal_cost)]
        out = {0.0, float(truth)}
        for p in points:
            out |= {p, p + 1e-7, max(p - 1e-7, 0.0)}
        high = 2 * max([float(truth), *points, 1.0])
        out |= {float(g) for g in np.linspace(0.0, high, 24)}
        return sorted(out), False

    def sample(self, rng: np.random.Generator, agents: int | None = None,
               **options: Any) -> dict[str, Any]:
        """``agents`` transactions (default 4) with integer-ish bids; half of the inputs have
        unit-size transactions (one gas size), the block holds about two thirds of the gas;
        EIP-1559 inputs get a base fee, mostly not excessively low.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> d = audit_spec(hz.mechanism("fees.eip1559")).sample(np.random.default_rng(0))
            >>> sorted(d)
            ['base_fee', 'block_limit', 'transactions']
        """
        n = 4 if agents is None else int(agents)
        unit = rng.random() < 0.5
        txs = {}
        for i in range(n):
            gas = 1 if unit else int(rng.integers(1, 4))
            txs[f"tx{i + 1}"] = {"bid": float(rng.integers(0, 11)), "gas": gas}
        total = sum(t["gas"] for t in txs.values())
        limit = max(1, math.ceil(total * float(rng.choice([0.5, 0.67, 1.0, 1.5]))))
        data: dict[str, Any] = {"transactions": txs, "block_limit": limit}
        if "base_fee" in self.mech.Input.model_fields:
            bids = sorted(t["bid"] for t in txs.values())
            # mostly a base fee high enough that the willing transactions fit
            data["base_fee"] = float(rng.choice(bids)) if rng.random() < 0.8 else 0.0
        return data

    def edge_cases(self) -> list[dict[str, Any]]:
        """No transaction, one, ties at the boundary, a transaction larger than the block,
        a full block, an empty block.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> audit_spec(hz.mechanism("fees.first_price")).edge_cases()[0]
            {'transactions': {}, 'block_limit': 2}
        """
        cases: list[dict[str, Any]] = [
            {"transactions": {}, "block_limit": 2},
            {"transactions": {"a": {"bid": 5.0, "gas": 1}}, "block_limit": 2},
            {"transactions": {"a": {"bid": 4.0, "gas": 1}, "b": {"bid": 4.0, "gas": 1},
                              "c": {"bid": 2.0, "gas": 1}}, "block_limit": 1},
            {"transactions": {"a": {"bid": 9.0, "gas": 5}, "b": {"bid": 3.0, "gas": 1}},
             "block_limit": 2},
            {"transactions": {"a": {"bid": 3.0, "gas": 1}, "b": {"bid": 1.0, "gas": 1}},
             "block_limit": 4},
            {"transactions": {"a": {"bid": 6.0, "gas": 2}, "b": {"bid": 5.0, "gas": 1},
                              "c": {"bid": 5.0, "gas": 1}}, "block_limit": 2},
        ]
        if "base_fee" in self.mech.Input.model_fields:
            cases = [{**c, "base_fee": 2.0} for c in cases]
            cases.append({"transactions": {"a": {"bid": 3.0, "gas": 1},
                                           "b": {"bid": 7.0, "gas": 1, "tip": 1.0}},
                          "block_limit": 2, "base_fee": 4.0})
        return cases

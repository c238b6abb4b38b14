"""The elicitation family's audit specifications and properties.

An agent's utility is its reward, −payment. The properties:

* ``proper`` (scoring rules): an agent whose *belief* is a distribution maximises its
  *expected* score by reporting that belief (for pinball: its τ-quantile). The expectation is
  exact: the mechanism is run once per outcome of the belief's finite support (categorical
  forecasts; an ensemble's members; for pinball, the instance's values) — normal beliefs use
  the closed-form expected CRPS. Misreports tried: point masses, the uniform forecast, mass
  moved between outcomes, sharpened and flattened beliefs, random forecasts; ensembles shrunk,
  stretched, shifted, collapsed and thinned; for pinball every point of the support (which is
  exhaustive: the expected pinball loss is piecewise linear between them).
* ``path_independent``, ``bounded_loss``, ``myopic`` (markets): a trade followed by its reverse
  costs nothing net; the market maker never loses more than ``result.max_loss``; a trader with
  belief p maximises expected profit by the trade that moves the prices to p (LMSR).
* ``truthful_equilibrium`` (strict Bayes–Nash) and ``bic`` (weak) for peer mechanisms and
  truth serums, computed exactly from a signal model by
  :func:`hurwicz.mechanisms.elicitation.model.truthfulness`: models embedded in the input
  (``elicitation.peer_prediction``'s ``prior`` and ``signal_given_state``) and random models
  drawn under the mechanism's stated assumption (``model_condition``).

Example:
    >>> import hurwicz as hz
    >>> rep = hz.audit("elicitation.brier", properties=["proper"], samples=5, seed=0)
    >>> rep.check("proper").holds
    True
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from hurwicz.auditing.generic import run_or_none
from hurwicz.auditing.spec import (
    ANONYMOUS,
    BUDGET_BALANCE,
    NOT_APPLICABLE,
    AuditSpec,
    Property,
    audit_spec,  # noqa: F401  (the doctests below use it)
    outcome_property,
    properties,
)
from hurwicz.core.outcome import Outcome
from hurwicz.core.reports import as_dict

Belief = tuple[list[Any], list[float], Any]  # outcomes, weights, truthful report


# --- proper ------------------------------------------------------------------------------------
def proper_search(spec: Any, instances: Sequence[Any], rng: np.random.Generator,
                  tolerance: float = 1e-9) -> dict[str, Any]:
    """Search each agent's misreports for one with a higher expected score under its belief.

    Example:
        >>> import numpy as np, hurwicz as hz
        >>> from hurwicz.auditing.spec import audit_spec
        >>> spec = audit_spec(hz.mechanism("elicitation.log_score"))
        >>> r = proper_search(spec, [{"forecasts": {"a": {"x": 0.6, "y": 0.4}},
        ...                           "outcome": "x"}], np.random.default_rng(0))
        >>> r["counterexample"] is None, r["deviations"] > 5
        (True, True)
    """
    best: dict[str, Any] = {"max_gain": -math.inf, "counterexample": None}
    tried = 0
    complete = True
    for data in instances:
        for agent in spec.agents(data):
            belief = spec.belief(data, agent)
            if belief is None:
                continue
            base = spec.expected_utility(data, agent, belief[2], belief)
            if base is None:
                continue
            cands, full = spec.candidates(data, agent, belief, rng)
            complete &= full
            for cand in cands:
                u = spec.expected_utility(data, agent, cand, belief)
                if u is None:
                    continue
                tried += 1
                gain = u - base
                if gain > best["max_gain"]:
                    best["max_gain"] = gain
                    if gain > tolerance:
                        best["counterexample"] = {
                            "input": data, "agent": agent,
                            "belief": spec.describe_belief(belief),
                            "truthful_report": belief[2], "report": cand,
                            "truthful_expected_utility": base,
                            "deviating_expected_utility": u}
    if best["max_gain"] == -math.inf:
        best["max_gain"] = 0.0
    return {**best, "deviations": tried, "complete": complete and tried > 0}


PROPER = Property("proper", "reporting one's belief maximises one's expected score "
                  "(exact expectation over the belief)", "search", search=proper_search)


class _ScoringAudit(AuditSpec):
    """Shared parts: utility is the reward; reports are the forecasts."""

    report_kind = "forecast"
    report_field = "forecasts"
    properties = properties(PROPER, ANONYMOUS)

    def utility(self, agent: str, truth: Any, outcome: Outcome) -> float:
        """The reward, −payment.

        Example:
            >>> import hurwicz as hz
            >>> m = hz.mechanism("elicitation.brier")
            >>> out = m.run({"forecasts": {"a": {"x": 1.0, "y": 0.0}}, "outcome": "x"})
            >>> audit_spec(m).utility("a", None, out)
            0.0
        """
        return -outcome.payment(agent) + 0.0

    def with_outcome(self, data: Any, agent: str, report: Any, outcome: Any) -> dict[str, Any]:
        """``data`` where ``agent`` reports ``report`` and ``outcome`` happened.

        Example:
            >>> import hurwicz as hz
            >>> spec = audit_spec(hz.mechanism("elicitation.pinball"))
            >>> spec.with_outcome({"forecasts": {"a": 1.0}, "outcome": 0.0}, "a", 2.0, 3.0)
            {'forecasts': {'a': 2.0}, 'outcome': 3.0}
        """
        out = self.with_reports(data, {agent: report})
        out["outcome"] = outcome
        return out

    def expected_utility(self, data: Any, agent: str, report: Any,
                         belief: Belief) -> float | None:
        """Σ_w b_w · utility(report, outcome w), running the mechanism once per outcome of the
        belief's support (None if the mechanism refuses the report)."""
        total = 0.0
        for w, weight in zip(belief[0], belief[1]):
            if weight <= 0:
                continue
            out = run_or_none(self, self.with_outcome(data, agent, report, w))
            if out is None:
                return None
            total += weight * self.utility(agent, None, out)
        return total

    def describe_belief(self, belief: Belief) -> Any:
        return dict(zip(map(str, belief[0]), belief[1]))


class CategoricalAudit(_ScoringAudit):
    """Categorical forecasts: the belief is the agent's own forecast."""

    def belief(self, data: Any, agent: str) -> Belief | None:
        inp = self.mech.parse_input(data)
        support = self.mech.support(inp)
        f = inp.forecasts[agent]
        return support, [f[o] for o in support], dict(f)

    def describe_belief(self, belief: Belief) -> Any:
        return belief[2]

    def candidates(self, data: Any, agent: str, belief: Belief,
                   rng: np.random.Generator) -> tuple[list[Any], bool]:
        """Point masses, uniform, mass moved between outcomes, sharpened, flattened, random.

        Example:
            >>> import numpy as np, hurwicz as hz
            >>> spec = audit_spec(hz.mechanism("elicitation.brier"))
            >>> d = {"forecasts": {"a": {"x": 0.7, "y": 0.3}}, "outcome": "x"}
            >>> cands, _ = spec.candidates(d, "a", spec.belief(d, "a"), np.random.default_rng(0))
            >>> cands[0]
            {'x': 1.0, 'y': 0.0}
        """
        support, p = belief[0], np.asarray(belief[1], dtype=float)
        k = len(support)
        vectors: list[np.ndarray] = [np.eye(k)[i] for i in range(k)] + [np.full(k, 1.0 / k)]
        for i in range(k):
            for j in range(k):
                for eps in (0.01, 0.1):
                    if i != j and p[i] >= eps:
                        v = p.copy()
                        v[i] -= eps
                        v[j] += eps
                        vectors.append(v)
        for power in (2.0, 0.5):
            v = p**power
            vectors.append(v / v.sum())
        vectors += list(rng.dirichlet(np.ones(k), size=8))
        out = []
        for v in vectors:
            v = np.clip(v, 0.0, 1.0)
            v = v / v.sum()
            out.append({o: float(x) for o, x in zip(support, v)})
        return out, False

    def sample(self, rng: np.random.Generator, agents: int | None = None,
               **options: Any) -> dict[str, Any]:
        """Two or three outcomes; forecasts on a 0.01 grid, every probability ≥ 0.01.

        Example:
            >>> import numpy as np, hurwicz as hz
            >>> d = audit_spec(hz.mechanism("elicitation.brier")).sample(np.random.default_rng(0))
            >>> len(d["forecasts"])
            3
        """
        n = 3 if agents is None else agents
        k = int(rng.integers(2, 4))
        outcomes = ["hi", "lo", "mid"][:k]
        forecasts = {}
        for i in range(n):
            cents = 1 + rng.multinomial(100 - k, np.ones(k) / k)
            forecasts[f"f{i + 1}"] = {o: round(float(c) / 100, 2) for o, c in
                                      zip(outcomes, cents)}
        return {"forecasts": forecasts, "outcome": outcomes[int(rng.integers(k))]}

    def edge_cases(self) -> list[dict[str, Any]]:
        """No forecaster; a certain forecast; the uniform forecast; three outcomes declared.

        Example:
            >>> import hurwicz as hz
            >>> len(audit_spec(hz.mechanism("elicitation.brier")).edge_cases())
            4
        """
        return [{"forecasts": {}, "outcome": "x", "outcomes": ["x", "y"]},
                {"forecasts": {"u1": {"x": 1.0, "y": 0.0}}, "outcome": "x"},
                {"forecasts": {"u1": {"x": 0.5, "y": 0.5}, "u2": {"x": 0.25, "y": 0.75}},
                 "outcome": "y"},
                {"forecasts": {"u1": {"x": 0.2, "y": 0.3, "z": 0.5}}, "outcome": "z",
                 "outcomes": ["x", "y", "z"]}]


class CrpsAudit(_ScoringAudit):
    """Ensemble or normal forecasts of a real quantity: the belief is the agent's forecast."""

    signed_fields = ("forecasts.*", "outcome")

    def belief(self, data: Any, agent: str) -> Belief | None:
        f = as_dict(data)["forecasts"][agent]
        if isinstance(f, dict):
            return [], [], dict(f)
        members = [float(x) for x in f]
        return members, [1.0 / len(members)] * len(members), members

    def expected_utility(self, data: Any, agent: str, report: Any,
                         belief: Belief) -> float | None:
        """Exact: the ensemble belief's members as outcomes; normal-vs-normal in closed form."""
        if isinstance(belief[2], dict):
            from .rules import expected_crps_normal

            scale = float(self.mech.params.scale)
            b = belief[2]
            return -scale * float(expected_crps_normal(report["mean"], report["sd"],
                                                       b["mean"], b["sd"]))
        return super().expected_utility(data, agent, report, belief)

    def describe_belief(self, belief: Belief) -> Any:
        return belief[2]

    def candidates(self, data: Any, agent: str, belief: Belief,
                   rng: np.random.Generator) -> tuple[list[Any], bool]:
        """Shrunk, stretched, shifted, collapsed and thinned ensembles (normals: moved mean,
        scaled sd).

        Example:
            >>> import numpy as np, hurwicz as hz
            >>> spec = audit_spec(hz.mechanism("elicitation.crps"))
            >>> d = {"forecasts": {"a": [0.0, 2.0]}, "outcome": 1.0}
            >>> spec.candidates(d, "a", spec.belief(d, "a"), np.random.default_rng(0))[0][0]
            [1.0, 1.0]
        """
        if isinstance(belief[2], dict):
            mu, sd = belief[2]["mean"], belief[2]["sd"]
            moves = [(mu + d * sd, sd) for d in (-1.0, -0.1, 0.1, 1.0)]
            moves += [(mu, sd * f) for f in (0.25, 0.5, 0.9, 1.1, 2.0, 4.0)]
            return [{"mean": float(m), "sd": float(s)} for m, s in moves], False
        x = np.asarray(belief[2], dtype=float)
        mean, spread = float(x.mean()), float(x.std())
        step = spread if spread > 0 else 1.0
        out: list[list[float]] = [list(mean + f * (x - mean)) for f in (0.0, 0.5, 0.9, 1.1, 2.0)]
        out += [list(x + d * step) for d in (-0.5, -0.1, 0.1, 0.5)]
        out.append([float(np.median(x))])
        if len(x) > 1:
            out += [list(np.delete(x, i)) for i in range(min(len(x), 3))]
            out.append([*x.tolist(), float(x[0])])
        out.append(list(x + rng.normal(0, step, size=len(x))))
        return [[float(v) for v in c] for c in out], False

    def sample(self, rng: np.random.Generator, agents: int | None = None,
               **options: Any) -> dict[str, Any]:
        """Ensembles of 1–6 members on a 0.5 grid (ties happen) and a normal forecast.

        Example:
            >>> import numpy as np, hurwicz as hz
            >>> d = audit_spec(hz.mechanism("elicitation.crps")).sample(np.random.default_rng(0))
            >>> len(d["forecasts"])
            3
        """
        n = 3 if agents is None else agents
        forecasts: dict[str, Any] = {}
        for i in range(n):
            if i == 2:
                forecasts[f"f{i + 1}"] = {"mean": float(rng.integers(-4, 5)) / 2,
                                          "sd": float(rng.integers(1, 5)) / 2}
            else:
                m = int(rng.integers(1, 7))
                forecasts[f"f{i + 1}"] = [float(v) / 2 for v in rng.integers(-6, 7, size=m)]
        return {"forecasts": forecasts, "outcome": float(rng.integers(-6, 7)) / 2}

    def edge_cases(self) -> list[dict[str, Any]]:
        """No forecaster, a one-member ensemble at the outcome, tied members, a normal.

        Example:
            >>> import hurwicz as hz
            >>> audit_spec(hz.mechanism("elicitation.crps")).edge_cases()[1]
            {'forecasts': {'u1': [1.0, 2.0, 2.0]}, 'outcome': 2.0}
        """
        return [{"forecasts": {}, "outcome": 0.0},
                {"forecasts": {"u1": [1.0, 2.0, 2.0]}, "outcome": 2.0},
                {"forecasts": {"u1": [0.5], "u2": {"mean": 0.0, "sd": 1.0}}, "outcome": 0.5}]


class PinballAudit(_ScoringAudit):
    """Quantile forecasts; the belief is the empirical distribution of the instance's values
    (every forecast and the outcome), whose τ-quantile is the report to beat."""

    signed_fields = ("forecasts.*", "outcome")

    def belief(self, data: Any, agent: str) -> Belief | None:
        d = as_dict(data)
        values = sorted([float(v) for v in d["forecasts"].values()] + [float(d["outcome"])])
        n = len(values)
        tau = float(self.mech.params.quantile)
        # the smallest value v with F(v) ≥ τ
        quantile = next(v for i, v in enumerate(values) if (i + 1) / n >= tau - 1e-12)
        return values, [1.0 / n] * n, quantile

    def describe_belief(self, belief: Belief) -> Any:
        return {"values": belief[0], "quantile_level": float(self.mech.params.quantile)}

    def candidates(self, data: Any, agent: str, belief: Belief,
                   rng: np.random.Generator) -> tuple[list[Any], bool]:
        """Every support point (exhaustive), the midpoints and points beyond the ends.

        Example:
            >>> import numpy as np, hurwicz as hz
            >>> spec = audit_spec(hz.mechanism("elicitation.pinball"))
            >>> d = {"forecasts": {"a": 1.0}, "outcome": 3.0}
            >>> spec.candidates(d, "a", spec.belief(d, "a"), np.random.default_rng(0))[0]
            [1.0, 3.0, 2.0, 0.0, 4.0]
        """
        pts = sorted(set(belief[0]))
        mids = [(a + b) / 2 for a, b in itertools.pairwise(pts)]
        return pts + mids + [pts[0] - 1.0, pts[-1] + 1.0], True

    def sample(self, rng: np.random.Generator, agents: int | None = None,
               **options: Any) -> dict[str, Any]:
        """Forecasts and the outcome on an integer grid.

        Example:
            >>> import numpy as np, hurwicz as hz
            >>> spec = audit_spec(hz.mechanism("elicitation.pinball"))
            >>> sorted(spec.sample(np.random.default_rng(0), 2)["forecasts"])
            ['f1', 'f2']
        """
        n = 3 if agents is None else agents
        return {"forecasts": {f"f{i + 1}": float(rng.integers(-5, 6)) for i in range(n)},
                "outcome": float(rng.integers(-5, 6))}

    def edge_cases(self) -> list[dict[str, Any]]:
        """No forecaster; a forecast equal to the outcome; tied forecasts.

        Example:
            >>> import hurwicz as hz
            >>> audit_spec(hz.mechanism("elicitation.pinball")).edge_cases()[1]
            {'forecasts': {'u1': 2.0}, 'outcome': 2.0}
        """
        return [{"forecasts": {}, "outcome": 0.0}, {"forecasts": {"u1": 2.0}, "outcome": 2.0},
                {"forecasts": {"u1": 1.0, "u2": 1.0, "u3": 4.0}, "outcome": 3.0}]


# --- markets -----------------------------------------------------------------------------------
def _trades(data: Any) -> list[dict[str, Any]]:
    return [dict(t) for t in as_dict(data)["trades"]]


def path_independence_search(spec: Any, instances: Sequence[Any], rng: np.random.Generator,
                             tolerance: float = 1e-9) -> dict[str, Any]:
    """After every trade, its reverse (same trader, −quantity) must cost exactly minus it, and
    the trades in reverse order must cost the same in total.

    Example:
        >>> import numpy as np, hurwicz as hz
        >>> from hurwicz.auditing.spec import audit_spec
        >>> spec = audit_spec(hz.mechanism("elicitation.lmsr"))
        >>> d = {"outcomes": ["y", "n"], "trades": [{"trader": "t", "outcome": "y",
        ...      "quantity": 10.0}]}
        >>> path_independence_search(spec, [d], np.random.default_rng(0))["counterexample"]
    """
    tried = 0
    for data in instances:
        trades = _trades(data)
        if not trades:
            continue
        doubled = []
        for t in trades:
            doubled += [t, {**t, "quantity": -t["quantity"] + 0.0}]
        base = as_dict(data)
        out = run_or_none(spec, {**base, "trades": doubled})
        tried += 1
        if out is None:
            continue
        costs = out.result["cost"]
        for i in range(0, len(costs), 2):
            net = costs[i] + costs[i + 1]
            if abs(net) > tolerance * max(1.0, abs(costs[i])):
                return {"counterexample": {"input": {**base, "trades": doubled}, "trade": i,
                                           "cost": costs[i], "reverse_cost": costs[i + 1],
                                           "net": net},
                        "deviations": tried, "complete": False}
        fwd, rev = spec.mech.run(data), run_or_none(spec, {**base, "trades": trades[::-1]})
        tried += 1
        if rev is None:
            continue
        a, b = sum(fwd.result["cost"]), sum(rev.result["cost"])
        if abs(a - b) > tolerance * max(1.0, abs(a)):
            return {"counterexample": {"input": data, "total_cost": a,
                                       "reversed_order_total_cost": b},
                    "deviations": tried, "complete": False}
    return {"counterexample": None, "deviations": tried, "complete": False}


def _bounded_loss(mech: Any, data: Any, out: Outcome) -> Any:
    mm = out.result["market_maker"]
    if out.result["resolution"] is None:
        return NOT_APPLICABLE
    loss = -mm["profit"]
    bound = out.result["max_loss"]
    if loss > bound + 1e-9 * max(1.0, abs(bound), mm["collected"]):
        return {"loss": loss, "max_loss": bound}
    return None


def myopic_search(spec: Any, instances: Sequence[Any], rng: np.random.Generator,
                  tolerance: float = 1e-9) -> dict[str, Any]:
    """A trader with a random belief p: the trade to q* with prices(q*) = p (LMSR:
    q*_k = b ln p_k + c) must move the prices to p and earn at least as much expected profit
    as shrunk, stretched or perturbed versions of it.

    Example:
        >>> import numpy as np, hurwicz as hz
        >>> from hurwicz.auditing.spec import audit_spec
        >>> spec = audit_spec(hz.mechanism("elicitation.lmsr"))
        >>> d = {"outcomes": ["y", "n"], "trades": []}
        >>> myopic_search(spec, [d], np.random.default_rng(0))["counterexample"]
    """
    tried = 0
    b = float(spec.mech.params.b)
    for data in instances:
        base = as_dict(data)
        out = spec.mech.run(data)
        outcomes = list(base["outcomes"])
        q = np.array([out.result["quantities"][o] for o in outcomes])
        for _ in range(3):
            p = rng.dirichlet(np.ones(len(outcomes))) * 0.9 + 0.1 / len(outcomes)
            target = b * np.log(p)
            delta = target - q
            delta -= delta.min()  # buy only: a bundle of every outcome costs exactly its size
            alts = [delta * f for f in (0.5, 0.9, 1.1, 1.5)]
            alts += [delta + rng.normal(0, max(1.0, b / 10), size=len(delta))
                     for _ in range(3)]

            def profit(d: np.ndarray, p: np.ndarray = p, base: dict[str, Any] = base
                       ) -> tuple[float, Outcome | None]:
                extra = [{"trader": "myopic", "outcome": o, "quantity": float(x)}
                         for o, x in zip(base["outcomes"], d) if x != 0]
                res = run_or_none(spec, {**base, "trades": _trades(base) + extra,
                                         "resolution": None})
                if res is None:
                    return -math.inf, None
                cost = sum(res.result["cost"][len(base["trades"]):])
                return float(p @ d) - cost, res

            best, res = profit(delta)
            tried += 1
            if res is None:
                continue
            prices = res.result["prices"][-1] if res.result["prices"] else {}
            moved = max(abs(prices.get(o, 0) - pk) for o, pk in zip(outcomes, p))
            if moved > 1e-7:
                return {"counterexample": {"input": data, "belief": p.tolist(),
                                           "trade": delta.tolist(), "prices_after": prices},
                        "deviations": tried, "complete": False}
            for alt in alts:
                gain, _ = profit(alt)
                tried += 1
                if gain > best + tolerance * max(1.0, abs(best)):
                    return {"counterexample": {"input": data, "belief": p.tolist(),
                                               "best_trade": delta.tolist(),
                                               "expected_profit": best,
                                               "better_trade": alt.tolist(),
                                               "better_expected_profit": gain},
                            "deviations": tried, "complete": False}
    return {"counterexample": None, "deviations": tried, "complete": False}


PATH_INDEPENDENT = Property("path_independent", "a trade and its reverse net exactly zero; "
                            "the total cost does not depend on the order of trades", "search",
                            search=path_independence_search)
BOUNDED_LOSS = outcome_property("bounded_loss", "the market maker never loses more than "
                                "result.max_loss", _bounded_loss)
MYOPIC = Property("myopic", "a myopic trader's best trade moves the prices to its belief",
                  "search", search=myopic_search)


class MarketAudit(AuditSpec):
    """Trades in a market scoring rule; a trader's report is its list of trades."""

    report_kind = "trades"
    properties = properties(PATH_INDEPENDENT, BOUNDED_LOSS, MYOPIC, BUDGET_BALANCE)
    signed_fields = ("trades.*.quantity",)

    def reports(self, data: Any) -> dict[str, Any]:
        """Each trader's trades (in order).

        Example:
            >>> import hurwicz as hz
            >>> spec = audit_spec(hz.mechanism("elicitation.lmsr"))
            >>> spec.reports({"outcomes": ["y", "n"], "trades": [
            ...     {"trader": "t", "outcome": "y", "quantity": 1.0}]})
            {'t': [{'outcome': 'y', 'quantity': 1.0}]}
        """
        self.mech.parse_input(data)
        out: dict[str, list[Any]] = {}
        for t in _trades(data):
            out.setdefault(t["trader"], []).append({"outcome": t["outcome"],
                                                    "quantity": t["quantity"]})
        return out

    def with_reports(self, data: Any, reports: Any) -> dict[str, Any]:
        """The named traders' trades replaced (appended at the end; None removes them).

        Example:
            >>> import hurwicz as hz
            >>> spec = audit_spec(hz.mechanism("elicitation.lmsr"))
            >>> spec.with_reports({"outcomes": ["y", "n"], "trades": []},
            ...                   {"t": [{"outcome": "n", "quantity": 2.0}]})["trades"]
            [{'trader': 't', 'outcome': 'n', 'quantity': 2.0}]
        """
        base = as_dict(data)
        kept = [t for t in _trades(data) if t["trader"] not in reports]
        for who, trades in reports.items():
            kept += [{"trader": who, **t} for t in trades or []]
        return {**base, "trades": kept}

    def utility(self, agent: str, truth: Any, outcome: Outcome) -> float:
        """Realised profit, −payment.

        Example:
            >>> import hurwicz as hz
            >>> m = hz.mechanism("elicitation.lmsr")
            >>> out = m.run({"outcomes": ["y", "n"], "trades": []})
            >>> audit_spec(m).utility("t", None, out)
            0.0
        """
        return -outcome.payment(agent) + 0.0

    def sample(self, rng: np.random.Generator, agents: int | None = None,
               **options: Any) -> dict[str, Any]:
        """Two or three outcomes, 1–3 trades per trader (some sales), resolved.

        Example:
            >>> import numpy as np, hurwicz as hz
            >>> d = audit_spec(hz.mechanism("elicitation.lmsr")).sample(np.random.default_rng(0))
            >>> d["resolution"] in d["outcomes"]
            True
        """
        n = 3 if agents is None else agents
        outcomes = ["yes", "no", "maybe"][:int(rng.integers(2, 4))]
        trades = []
        for i in range(n):
            for _ in range(int(rng.integers(1, 4))):
                qty = float(rng.integers(1, 40))
                if trades and rng.random() < 0.25:
                    qty = -qty / 2
                trades.append({"trader": f"t{i + 1}",
                               "outcome": outcomes[int(rng.integers(len(outcomes)))],
                               "quantity": qty})
        order = rng.permutation(len(trades))
        return {"outcomes": outcomes, "trades": [trades[j] for j in order],
                "resolution": outcomes[int(rng.integers(len(outcomes)))]}

    def edge_cases(self) -> list[dict[str, Any]]:
        """No trade; a trade of 0; a large position (10^4 with b = 100 must not overflow); an
        unresolved market.

        Example:
            >>> import hurwicz as hz
            >>> len(audit_spec(hz.mechanism("elicitation.lmsr")).edge_cases())
            4
        """
        return [{"outcomes": ["y", "n"], "trades": [], "resolution": "y"},
                {"outcomes": ["y", "n"], "trades": [{"trader": "t1", "outcome": "y",
                                                     "quantity": 0.0}], "resolution": "n"},
                {"outcomes": ["y", "n", "m"], "trades": [
                    {"trader": "t1", "outcome": "y", "quantity": 10000.0},
                    {"trader": "t2", "outcome": "n", "quantity": 5.0},
                    {"trader": "t1", "outcome": "y", "quantity": -2500.0}], "resolution": "y"},
                {"outcomes": ["y", "n"], "trades": [{"trader": "t1", "outcome": "n",
                                                     "quantity": 3.0}]}]


# --- peer prediction and truth serums ----------------------------------------------------------
def _equilibrium_search(strict: bool) -> Callable[..., dict[str, Any]]:
    def search(spec: Any, instances: Sequence[Any], rng: np.random.Generator,
               tolerance: float = 1e-9) -> dict[str, Any]:
        from .model import truthfulness

        tried = 0
        models = spec.models(instances, rng)
        for model in models:
            rep = truthfulness(spec.mech, model, agents=spec.game_agents(), profiles={})
            tried += rep.deviations
            fails = rep.max_gain > tolerance if not strict else rep.max_gain > -tolerance
            if fails:
                return {"counterexample": {"model": model.to_dict(),
                                           "best_deviation": rep.best_deviation,
                                           "gain": rep.max_gain,
                                           "strict": strict},
                        "deviations": tried, "complete": False, "max_gain": rep.max_gain}
        return {"counterexample": None, "deviations": tried, "complete": False}

    return search


TRUTHFUL_EQUILIBRIUM = Property(
    "truthful_equilibrium", "truth-telling is a strict Bayes–Nash equilibrium of the signal "
    "model (exact expectation; every misreport loses)", "search",
    search=_equilibrium_search(strict=True))
BIC_EXACT = Property("bic", "no signal gains in expectation by misreporting when the others "
                     "are truthful (exact, over signal models)", "search",
                     search=_equilibrium_search(strict=False))


class PeerAudit(AuditSpec):
    """Peer prediction and truth serums: reports are per agent; the equilibrium properties are
    computed from signal models (drawn under the mechanism's ``model_condition``)."""

    report_kind = "signal"
    report_field = "reports"
    properties = properties(TRUTHFUL_EQUILIBRIUM, BIC_EXACT, BUDGET_BALANCE)

    def utility(self, agent: str, truth: Any, outcome: Outcome) -> float:
        """The reward, −payment.

        Example:
            >>> import hurwicz as hz
            >>> m = hz.mechanism("elicitation.output_agreement")
            >>> out = m.run({"reports": {"a": {"t": "x"}, "b": {"t": "x"}}})
            >>> audit_spec(m).utility("a", None, out)
            1.0
        """
        return -outcome.payment(agent) + 0.0

    def game_agents(self) -> int:
        return int(getattr(type(self.mech), "game_agents", 3))

    def models(self, instances: Sequence[Any], rng: np.random.Generator,
               draws: int = 6) -> list[Any]:
        """Signal models to check: those embedded in the instances, then random models (two
        or three states; binary signals where the mechanism needs them) that satisfy the
        mechanism's ``model_condition``."""
        from .model import SignalModel, random_model

        out: list[Any] = []
        for data in instances:
            d = as_dict(data)
            if "signal_given_state" in d and "prior" in d:
                model = SignalModel(d["prior"], d["signal_given_state"])
                if self.mech.model_condition(model) and model not in out:
                    out.append(model)
            if len(out) >= draws:
                break
        attempts = 0
        signals = getattr(type(self.mech), "signal_count", None)
        while len(out) < 2 * draws and attempts < 400:
            attempts += 1
            k = signals or int(rng.integers(2, 4))
            model = random_model(rng, states=int(rng.integers(2, 4)), signals=k)
            if self.mech.model_condition(model):
                out.append(model)
        return out

    def sample(self, rng: np.random.Generator, agents: int | None = None,
               **options: Any) -> dict[str, Any]:
        """Reports drawn from a random signal model over several tasks.

        Example:
            >>> import numpy as np, hurwicz as hz
            >>> spec = audit_spec(hz.mechanism("elicitation.dasgupta_ghosh"))
            >>> len(spec.sample(np.random.default_rng(0))["reports"])
            4
        """
        from .model import random_model

        n = 4 if agents is None else agents
        k = getattr(type(self.mech), "signal_count", None) or 2
        model = random_model(rng, states=2, signals=k)
        return self.mech.sample_input(model, n, rng)

    def edge_cases(self) -> list[dict[str, Any]]:
        """The mechanism's own degenerate inputs (one task, unanimous reports, ...)."""
        return self.mech.edge_inputs()


class SerumAudit(PeerAudit):
    """Truth serums: each agent reports an answer and a prediction of the others' answers."""

    report_kind = "answer_and_prediction"
    report_field = None

    def reports(self, data: Any) -> dict[str, Any]:
        """``{agent: {"answer": ..., "prediction": {...}}}``.

        Example:
            >>> import hurwicz as hz
            >>> spec = audit_spec(hz.mechanism("elicitation.bts"))
            >>> spec.reports({"answers": {"a": "x", "b": "x"},
            ...               "predictions": {"a": {"x": 1.0}, "b": {"x": 1.0}}})["a"]
            {'answer': 'x', 'prediction': {'x': 1.0}}
        """
        d = as_dict(data)
        self.mech.parse_input(d)
        return {a: {"answer": d["answers"][a], "prediction": d["predictions"][a]}
                for a in d["answers"]}

    def with_reports(self, data: Any, reports: Any) -> dict[str, Any]:
        """``data`` with the named agents' answers and predictions replaced (None: removed).

        Example:
            >>> import hurwicz as hz
            >>> spec = audit_spec(hz.mechanism("elicitation.bts"))
            >>> spec.with_reports({"answers": {"a": "x"}, "predictions": {"a": {"x": 1.0}}},
            ...                   {"a": None})
            {'answers': {}, 'predictions': {}}
        """
        d = as_dict(data)
        answers, preds = dict(d["answers"]), dict(d["predictions"])
        for a, r in reports.items():
            if r is None:
                answers.pop(a, None)
                preds.pop(a, None)
            else:
                answers[a], preds[a] = r["answer"], r["prediction"]
        return {**d, "answers": answers, "predictions": preds}

"""The allocation family's audit specifications: raffles and first-come-first-served.

An identity's report is its ticket count (raffles) or its arrival time (FCFS). A unit is worth
1 to an entrant, so a raffle entrant's utility is its probability of winning, and one person
acting through several identities (bots) values the probability that *at least one* of them
wins. Anonymity is ex ante: exchanging two identities' entries exchanges their win
probabilities (the verifiable draw itself depends on the names, by design).

Example:
    >>> import numpy as np, hurwicz as hz
    >>> from hurwicz.auditing.spec import audit_spec
    >>> spec = audit_spec(hz.mechanism("allocation.raffle", beacon="b"))
    >>> spec.sample(np.random.default_rng(0), 3)["units"]
    2
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from hurwicz.auditing.spec import ANONYMOUS, BOT_PROOF, AuditSpec, properties
from hurwicz.core.outcome import Outcome


class RaffleAudit(AuditSpec):
    """Raffle entries: tickets per identity; utility is the win probability."""

    report_kind = "tickets"
    report_field = "entries"
    properties = properties(ANONYMOUS, BOT_PROOF)

    def utility(self, agent: str, truth: Any, outcome: Outcome) -> float:
        """Probability of winning (a unit is worth 1 to an entrant).

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> m = hz.mechanism("allocation.raffle", beacon="b")
            >>> out = m.run({"units": 1, "entries": {"a": 1, "b": 1}})
            >>> audit_spec(m).utility("a", 1, out)
            0.5
        """
        return float(outcome.result["win_probability"].get(agent, 0.0))

    def identities_utility(self, identities: Sequence[str], truth: Any,
                           outcome: Outcome) -> float:
        """Probability that at least one of the identities wins: exact for the individual
        lottery (1 − C(N−m, k)/C(N, k)), otherwise from the per-identity estimates assuming
        independence.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> m = hz.mechanism("allocation.raffle", beacon="b")
            >>> out = m.run({"units": 1, "entries": {"a": 1, "b": 1, "c": 1}})
            >>> round(audit_spec(m).identities_utility(["a", "b"], 1, out), 6)
            0.666667
        """
        from .raffle import win_at_least_once

        entries = outcome.result["win_probability"]
        active = [a for a, p in entries.items() if p > 0]
        if outcome.result["probability_exact"] and active:
            units = int(outcome.metrics["units"])
            own = sum(1 for a in identities if entries.get(a, 0) > 0)
            return win_at_least_once(len(active), own, units)
        miss = 1.0
        for a in identities:
            miss *= 1.0 - entries.get(a, 0.0)
        return 1.0 - miss

    def same_outcome(self, before: Outcome, after: Outcome, mapping: Mapping[str, str]) -> bool:
        """Ex-ante anonymity: win probabilities move with the exchanged entries.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> m = hz.mechanism("allocation.raffle", beacon="b")
            >>> out = m.run({"units": 1, "entries": {"a": 1, "b": 1}})
            >>> audit_spec(m).same_outcome(out, out, {"a": "b", "b": "a"})
            True
        """
        b, a = before.result["win_probability"], after.result["win_probability"]
        return all(abs(a.get(mapping.get(k, k), 0.0) - v) <= 1e-12 for k, v in b.items())

    def sample(self, rng: np.random.Generator, agents: int | None = None,
               **options: Any) -> dict[str, Any]:
        """Two units; each identity enters 1..max_entries tickets (sometimes 0).

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> len(audit_spec(hz.mechanism("allocation.raffle", beacon="b")).sample(
            ...     np.random.default_rng(0), 4)["entries"])
            4
        """
        n = 5 if agents is None else agents
        most = int(getattr(self.mech.params, "max_entries", 1))
        entries = {f"u{i + 1}": int(rng.integers(0 if rng.random() < 0.2 else 1, most + 1))
                   for i in range(n)}
        data: dict[str, Any] = {"units": 2, "entries": entries}
        if getattr(self.mech.params, "mode", "") == "group" and n >= 2:
            data["groups"] = {"g1": ["u1", "u2"]}
        return data

    def edge_cases(self) -> list[dict[str, Any]]:
        """No entrant, zero units, more units than entrants, a zero-ticket entry.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> audit_spec(hz.mechanism("allocation.raffle", beacon="b")).edge_cases()[0]
            {'units': 1, 'entries': {}}
        """
        return [{"units": 1, "entries": {}}, {"units": 0, "entries": {"u1": 1}},
                {"units": 5, "entries": {"u1": 1, "u2": 1}},
                {"units": 1, "entries": {"u1": 0, "u2": 1, "u3": 1}}]


class FcfsAudit(AuditSpec):
    """First come, first served: reports are arrival times; a unit is worth 1."""

    report_kind = "arrival"
    report_field = "arrivals"
    properties = properties(ANONYMOUS)

    def utility(self, agent: str, truth: Any, outcome: Outcome) -> float:
        """1 for a unit, 0 otherwise.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> m = hz.mechanism("allocation.fcfs")
            >>> audit_spec(m).utility("a", 1.0, m.run({"units": 1, "arrivals": {"a": 1.0}}))
            1.0
        """
        return float(outcome.allocation.get(agent, 0))

    def sample(self, rng: np.random.Generator, agents: int | None = None,
               **options: Any) -> dict[str, Any]:
        """Two units; arrival times on a coarse grid (ties happen).

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> len(audit_spec(hz.mechanism("allocation.fcfs")).sample(
            ...     np.random.default_rng(0), 3)["arrivals"])
            3
        """
        n = 5 if agents is None else agents
        return {"units": 2, "arrivals": {f"u{i + 1}": float(rng.integers(0, 6))
                                         for i in range(n)}}

    def edge_cases(self) -> list[dict[str, Any]]:
        """No arrival, zero units, a tie.

        Example:
            >>> import hurwicz as hz
            >>> from hurwicz.auditing.spec import audit_spec
            >>> audit_spec(hz.mechanism("allocation.fcfs")).edge_cases()[0]
            {'units': 1, 'arrivals': {}}
        """
        return [{"units": 1, "arrivals": {}}, {"units": 0, "arrivals": {"u1": 1.0}},
                {"units": 1, "arrivals": {"u1": 2.0, "u2": 2.0}}]

"""Optional capabilities of a mechanism, as explicit typed interfaces.

The core protocol of a :class:`~hurwicz.core.mechanism.Mechanism` is small: parameters, an
input schema and ``run``. Anything more is a capability that a mechanism class declares by
inheriting one of these abstract classes, so that the audit engine, the simulator and the
conformance suite can ask ``isinstance(mech, BatchPath)`` — and list them — instead of probing
for methods that may raise ``NotImplementedError``:

* :class:`BatchPath` — evaluates many numeric report profiles at once (``run_batch``); the
  non-report part of an input (units for sale, slot click-through rates, which columns are
  buyers) travels explicitly in a :class:`BatchLayout`, never in side channels;
* :class:`ScalarReports` — every agent reports one number and an input is built from those
  numbers and a layout (``input_from_reports``); with :class:`BatchPath` this is what the
  vectorised audit engine needs;
* :class:`SybilSplitting` — one identity's report can be split across several identities;
* :class:`BotIdentities` — an agent can add cheap extra identities (bots);
* :class:`EquilibriumStrategies` — a Bayes–Nash equilibrium strategy for given priors.

Example:
    >>> import hurwicz as hz
    >>> capabilities(hz.mechanism("auction.first_price"))
    ['batch', 'scalar_reports', 'equilibrium']
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .outcome import BatchOutcome


def default_agent_names(n: int) -> tuple[str, ...]:
    """Names ``a1..an``, zero-padded so that name order equals column order.

    Example:
        >>> default_agent_names(3), default_agent_names(10)[:2]
        (('a1', 'a2', 'a3'), ('a01', 'a02'))
    """
    width = len(str(n))
    return tuple(f"a{i + 1:0{width}d}" for i in range(n))


@dataclass(frozen=True)
class BatchLayout:
    """What a batch of report arrays means: the agent of each column (in name order) and the
    family's context (the part of an input that is not a report).

    Example:
        >>> BatchLayout.for_agents(2).agents
        ('a1', 'a2')
    """

    agents: tuple[str, ...]

    @classmethod
    def for_agents(cls, agents: int | Sequence[str], **context: Any) -> BatchLayout:
        """A layout for ``agents`` (a count, giving names a1..an, or the names themselves).

        Example:
            >>> BatchLayout.for_agents(["b", "a"]).agents
            ('a', 'b')
        """
        names = default_agent_names(agents) if isinstance(agents, int) else tuple(
            sorted(agents))
        return cls(names, **context)


class BatchPath(ABC):
    """Capability: a vectorised run over arrays of numeric reports.

    ``reports`` has shape ``[batch, agents, ...]``; column ``i`` is ``layout.agents[i]``
    (agents in name order), and ``run_batch`` agrees exactly with ``run`` on every row.
    """

    @abstractmethod
    def run_batch(self, reports: np.ndarray, layout: BatchLayout | None = None) -> BatchOutcome:
        """Outcomes of every profile in ``reports`` (see the class docstring)."""

    @abstractmethod
    def batch_reports(self, data: Any) -> tuple[np.ndarray, BatchLayout]:
        """One input as a batch of one row: ``(reports [1, agents, ...], layout)``."""

    def layout(self, agents: int | Sequence[str],
               context: Mapping[str, Any] | None = None) -> BatchLayout:
        """A layout for ``agents`` with the family's ``context`` (e.g. ``{"units": 3}``).

        Families whose batches need context override this and validate it.
        """
        if context:
            from .errors import InputError

            raise InputError(f"context.{sorted(context)[0]}",
                             "this mechanism's batches take no context")
        return BatchLayout.for_agents(agents)

    def optimal_welfare_batch(self, values: np.ndarray,
                              layout: BatchLayout | None = None) -> np.ndarray | None:
        """Best achievable welfare per profile when reports are true values, or ``None`` when
        the mechanism does not define it (then efficiency is checked instance by instance)."""
        return None


class ScalarReports(ABC):
    """Capability: each agent's report is one number, and ``{agent: number}`` plus a layout
    is a complete input."""

    @abstractmethod
    def input_from_reports(self, reports: Mapping[str, Any],
                           layout: BatchLayout | None = None) -> dict[str, Any]:
        """A complete input in which each named agent reports its number (``None``: absent)."""


class SybilSplitting(ABC):
    """Capability: split one identity's report across several identities."""

    @abstractmethod
    def sybil_split(self, data: Any, agent: str, k: int) -> tuple[dict[str, Any], list[str]]:
        """The input with ``agent`` replaced by ``k`` identities, and their names."""


class BotIdentities(ABC):
    """Capability: an agent adds cheap extra identities (bots) that it controls."""

    @abstractmethod
    def add_identities(self, data: Any, agent: str, k: int) -> tuple[dict[str, Any], list[str]]:
        """The input with ``k`` extra identities controlled by ``agent``, and all its names."""


class EquilibriumStrategies(ABC):
    """Capability: a Bayes–Nash equilibrium strategy for given priors."""

    @abstractmethod
    def bne(self, priors: Any) -> Callable[[np.ndarray], np.ndarray]:
        """A function from values ``[batch, agents]`` to equilibrium reports."""


#: Capability names, in the order ``describe`` lists them.
CAPABILITIES: dict[str, type] = {
    "batch": BatchPath,
    "scalar_reports": ScalarReports,
    "sybil_split": SybilSplitting,
    "bots": BotIdentities,
    "equilibrium": EquilibriumStrategies,
}


def capabilities(mech: Any) -> list[str]:
    """Names of the capabilities a mechanism (instance or class) has.

    Example:
        >>> import hurwicz as hz
        >>> capabilities(hz.mechanism("voting.borda"))
        []
    """
    cls = mech if isinstance(mech, type) else type(mech)
    return [name for name, base in CAPABILITIES.items() if issubclass(cls, base)]

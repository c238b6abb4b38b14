"""The Clarke pivot mechanism for a binary public project (Clarke 1971, "Multipart Pricing of
Public Goods", Public Choice 11; Mas-Colell, Whinston & Green 1995, §23.C).

Each agent reports its value v_i of the project; the cost C is shared equally (C/n each), so
its net value is w_i = v_i − C/n. The project is built iff Σ w ≥ 0 (equivalently Σ v ≥ C). An
agent is *pivotal* if the decision without it differs; it then pays the Clarke tax
|Σ_{j≠i} w_j|, the harm its report does to the others. Payments are the cost share (if built)
plus the tax. Truthful reporting is dominant; the taxes leave a budget surplus.

Example:
    >>> import hurwicz as hz
    >>> out = hz.mechanism("funding.clarke", cost=90).run({"values": {"a": 60, "b": 20,
    ...                                                          "c": 20}})
    >>> out.result["build"], out.result["pivotal"], out.payments
    (True, ['a'], {'a': 50.0, 'b': 30.0, 'c': 30.0})
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from hurwicz.core.capabilities import BatchLayout, BatchPath, ScalarReports
from hurwicz.core.mechanism import Mechanism
from hurwicz.core.outcome import BatchOutcome, Outcome
from hurwicz.core.registry import register
from hurwicz.core.types import Money, Name
from hurwicz.mechanisms.auctions.single_item import batch_names, check_bid_array

from .audit import PublicProjectAudit


class ClarkeInput(BaseModel):
    """``{"values": {agent: reported value of the project}}``."""

    model_config = ConfigDict(strict=True, extra="forbid")
    values: dict[Name, Money]


class ClarkeParams(BaseModel):
    """The project's cost."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)
    cost: Money = Field(description="cost of the project, shared equally",
                        json_schema_extra={"examples": [10.0]})


@register
class ClarkePivot(Mechanism, BatchPath, ScalarReports):
    """Binary public project with equal cost shares and Clarke pivot taxes (DSIC).

    Example:
        >>> import numpy as np, hurwicz as hz
        >>> b = hz.mechanism("funding.clarke", cost=3).run_batch(np.array([[2.0, 2.0]]))
        >>> b.allocation.tolist(), b.payments.tolist()
        ([[1.0, 1.0]], [[1.5, 1.5]])
    """

    name = "funding.clarke"
    version = "2"  # welfare summed exactly (math.fsum), independent of the input's key order
    family = "funding"
    summary = "Build iff Σ values ≥ cost; pivotal agents pay their externality."
    claims = ("dsic", "budget_balance")
    Params = ClarkeParams
    Input = ClarkeInput
    Audit = PublicProjectAudit

    def run_batch(self, reports: np.ndarray, layout: BatchLayout | None = None) -> BatchOutcome:
        """Vectorised Clarke pivot over reported values ``[batch, agents]``.

        Example:
            >>> import numpy as np, hurwicz as hz
            >>> hz.mechanism("funding.clarke", cost=3).run_batch(  # not built; b is pivotal
            ...     np.array([[2.0, 0.5]])).payments.tolist()
            [[0.0, 0.5]]
        """
        v = check_bid_array(reports)
        batch_names(layout, v.shape[1])
        n = v.shape[1]
        if n == 0:
            z = np.zeros((v.shape[0], 0))
            return BatchOutcome(z, z, {"build": np.zeros(v.shape[0], bool)})
        share = self.params.cost / n
        w = v - share
        total = w.sum(axis=1)
        build = total >= 0
        others = total[:, None] - w
        others_build = others >= 0
        pivotal = others_build != build[:, None]
        tax = np.where(pivotal, np.abs(others), 0.0)
        pay = np.where(build[:, None], share, 0.0) + tax
        alloc = np.repeat(build[:, None].astype(float), n, axis=1)
        return BatchOutcome(alloc, pay, {"build": build, "pivotal": pivotal})

    def run_parsed(self, inp: ClarkeInput) -> Outcome:
        names = sorted(inp.values)
        b = self.run_batch(np.array([[inp.values[a] for a in names]]).reshape(1, len(names)))
        build = bool(b.extra["build"][0])
        pivotal = [a for i, a in enumerate(names) if b.extra.get("pivotal") is not None
                   and b.extra["pivotal"][0, i]]
        payments = {a: float(b.payments[0, i]) for i, a in enumerate(names)}
        taxes = {a: payments[a] - (self.params.cost / len(names) if build else 0.0)
                 for a in names}
        return Outcome(
            self.name, self.param_dict(),
            allocation={a: int(build) for a in names},
            payments=payments,
            result={"build": build, "pivotal": pivotal, "taxes": taxes,
                    "cost_share": self.params.cost / len(names) if names else 0.0},
            # an exactly rounded sum: the same whatever the order of the input's keys
            metrics={"welfare": math.fsum([*inp.values.values(), -self.params.cost])
                     if build else 0.0,
                     "surplus": float(sum(payments.values()) - (self.params.cost if build
                                                                 else 0.0))},
        )

    def batch_reports(self, data: Any) -> tuple[np.ndarray, BatchLayout]:
        """One input as a batch row (agents in name order) and its layout.

        Example:
            >>> import hurwicz as hz
            >>> r, lay = hz.mechanism("funding.clarke", cost=1).batch_reports(
            ...     {"values": {"b": 1.0, "a": 2.0}})
            >>> r.tolist(), lay.agents
            ([[2.0, 1.0]], ('a', 'b'))
        """
        inp = self.parse_input(data)
        names = sorted(inp.values)
        row = np.array([[inp.values[a] for a in names]], dtype=float).reshape(1, len(names))
        return row, BatchLayout(tuple(names))

    def input_from_reports(self, reports: Mapping[str, Any],
                           layout: BatchLayout | None = None) -> dict[str, Any]:
        """``{"values": reports}`` (``None``: absent).

        Example:
            >>> import hurwicz as hz
            >>> hz.mechanism("funding.clarke", cost=1).input_from_reports({"a": 2.0})
            {'values': {'a': 2.0}}
        """
        return {"values": {a: v for a, v in reports.items() if v is not None}}

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

from collections.abc import Mapping
from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from hurwicz.core.errors import InputError
from hurwicz.core.mechanism import Mechanism
from hurwicz.core.outcome import BatchOutcome, Outcome
from hurwicz.core.registry import register
from hurwicz.mechanisms import instances

Name = Annotated[str, StringConstraints(min_length=1, max_length=256)]


class ClarkeInput(BaseModel):
    """``{"values": {agent: reported value of the project}}``."""

    model_config = ConfigDict(strict=True, extra="forbid")
    values: dict[Name, Annotated[float, Field(ge=0, allow_inf_nan=False)]]


class ClarkeParams(BaseModel):
    """The project's cost."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)
    cost: float = Field(ge=0, allow_inf_nan=False, description="cost of the project, shared "
                        "equally")


@register
class ClarkePivot(Mechanism):
    """Binary public project with equal cost shares and Clarke pivot taxes (DSIC).

    Example:
        >>> import numpy as np, hurwicz as hz
        >>> b = hz.mechanism("funding.clarke", cost=3).run_batch(np.array([[2.0, 2.0]]))
        >>> b.allocation.tolist(), b.payments.tolist()
        ([[1.0, 1.0]], [[1.5, 1.5]])
    """

    name = "funding.clarke"
    family = "funding"
    random_instance = instances.hook(instances.public_project)
    summary = "Build iff Σ values ≥ cost; pivotal agents pay their externality."
    claims = ("dsic", "budget_balance")
    report_kind = "scalar"
    Params = ClarkeParams
    Input = ClarkeInput

    def run_batch(self, reports: np.ndarray) -> BatchOutcome:
        v = np.asarray(reports, dtype=float)
        if v.ndim != 2:
            raise InputError("reports", f"must have shape [batch, agents], got {v.shape}")
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
            metrics={"welfare": float(sum(inp.values.values()) - self.params.cost)
                     if build else 0.0,
                     "surplus": float(sum(payments.values()) - (self.params.cost if build
                                                                 else 0.0))},
        )

    def reports(self, data: Any) -> dict[str, float]:
        return dict(self.parse_input(data).values)

    def with_reports(self, data: Any, reports: Mapping[str, Any]) -> dict[str, Any]:
        values = dict(data["values"])
        for a, v in reports.items():
            if v is None:
                values.pop(a, None)
            else:
                values[a] = v
        return {**data, "values": values}

    def input_from_reports(self, reports: Mapping[str, Any]) -> dict[str, Any]:
        return {"values": {a: v for a, v in reports.items() if v is not None}}

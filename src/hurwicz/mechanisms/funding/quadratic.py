"""Quadratic funding (Buterin, Hitzig & Weyl 2019, "A Flexible Design for Funding Public Goods",
Management Science 65(11)) and its capital-constrained variant.

Example:
    >>> import hurwicz as hz
    >>> out = hz.mechanism("funding.quadratic").run({"pool": 1000, "contributions": [
    ...     {"contributor": "a", "project": "p", "amount": 1},
    ...     {"contributor": "b", "project": "p", "amount": 1},
    ...     {"contributor": "c", "project": "q", "amount": 4}]})
    >>> out.result["ideal_matching"], out.result["unspent"]
    ({'p': 2.0, 'q': 0.0}, 998.0)
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import model_validator
from scipy import sparse

from hurwicz.core.registry import register

from .common import ContributionMatrix, FundingInput, FundingMechanism, FundingParams, qf_ideal


class CapitalConstrainedParams(FundingParams):
    """QF parameters without per-project caps: one α for all projects."""

    @model_validator(mode="after")
    def _one_alpha(self) -> CapitalConstrainedParams:
        if self.cap is not None:
            raise ValueError("capital-constrained QF has one α for all projects: no cap")
        if self.saturation != "ideal":
            raise ValueError("capital-constrained QF spends at most the ideal: "
                             "saturation='ideal'")
        return self


def qf_shares(matched: sparse.csr_matrix) -> tuple[np.ndarray, sparse.csr_matrix]:
    """Ideal matches and each contributor's share √c_i·(Σ√c − √c_i) (the shares sum to the
    ideal, since (Σ√c)² − Σc = Σ_i √c_i (Σ_j √c_j − √c_i)).

    Example:
        >>> import numpy as np
        >>> ideal, shares = qf_shares(sparse.csr_matrix(np.array([[4.0], [1.0]])))
        >>> ideal.tolist(), shares.toarray().ravel().tolist()
        ([4.0], [2.0, 2.0])
    """
    s, _, ideal = qf_ideal(matched)
    roots = matched.sqrt().tocoo()
    share_vals = roots.data * (s[roots.col] - roots.data)
    share_vals = np.where(ideal[roots.col] > 0, share_vals, 0.0)
    shares = sparse.csr_matrix((share_vals, (roots.row, roots.col)), shape=matched.shape)
    return ideal, shares


@register
class QuadraticFunding(FundingMechanism):
    """Quadratic funding: project p's ideal match is (Σ_i √c_ip)² − Σ_i c_ip, with each
    contributor's contributions to p summed first; matches are scaled to the pool, capped per
    project with the excess redistributed, and the saturation rule applies when the pool exceeds
    the ideal total (see :mod:`hurwicz.mechanisms.funding.pool`).

    Example:
        >>> import hurwicz as hz
        >>> m = hz.mechanism("funding.quadratic", cap=0.5)
        >>> out = m.run({"pool": 10, "contributions": [
        ...     {"contributor": "a", "project": "p", "amount": 9},
        ...     {"contributor": "b", "project": "p", "amount": 16},
        ...     {"contributor": "c", "project": "q", "amount": 1},
        ...     {"contributor": "d", "project": "q", "amount": 1}]})
        >>> out.result["matching"]
        {'p': 5.0, 'q': 2.0}
    """

    name = "funding.quadratic"
    summary = "Quadratic funding: match (Σ√c)² − Σc, scaled to the pool, with caps."
    claims = ("budget_balance", "match_within_pool", "funding_adds_up")

    def ideal_matches(self, inp: FundingInput, m: ContributionMatrix
                      ) -> tuple[np.ndarray, Any, dict[str, Any]]:
        ideal, shares = qf_shares(m.matched)
        return ideal, shares, {}


@register
class CapitalConstrainedQF(FundingMechanism):
    """Capital-constrained QF (Buterin–Hitzig–Weyl 2019, §4.2): project funding is
    α·(Σ√c)² + (1 − α)·Σc, i.e. a match of α·((Σ√c)² − Σc), with α ≤ 1 solved so that the pool is
    spent exactly (α = min(1, pool / total ideal match)). No caps: α is one number for all.

    Example:
        >>> import hurwicz as hz
        >>> out = hz.mechanism("funding.capital_constrained").run({"pool": 1, "contributions": [
        ...     {"contributor": "a", "project": "p", "amount": 1},
        ...     {"contributor": "b", "project": "p", "amount": 1}]})
        >>> out.result["alpha"], out.result["matching"]
        (0.5, {'p': 1.0})
    """

    name = "funding.capital_constrained"
    summary = "α·(Σ√c)² + (1−α)·Σc with α ≤ 1 spending the pool exactly."
    claims = ("budget_balance", "match_within_pool", "funding_adds_up")
    Params = CapitalConstrainedParams

    def ideal_matches(self, inp: FundingInput, m: ContributionMatrix
                      ) -> tuple[np.ndarray, Any, dict[str, Any]]:
        ideal, shares = qf_shares(m.matched)
        total = float(ideal.sum())
        pool = self.pool_of(inp)
        alpha = 1.0 if total <= pool or total == 0 else pool / total
        return ideal, shares, {"alpha": alpha}

"""Pairwise-bounded quadratic funding (Buterin, "Pairwise coordination subsidies", 2019).

The QF match of a project is a sum over ordered pairs of its contributors,
(Σ√c)² − Σc = Σ_{i≠j} √(c_i c_j). Pairwise matching discounts each pair by
k_ij = M / (M + Σ_q √(c_iq c_jq)), where the sum runs over *all* projects, so that two
contributors who often give together (a colluding pair) receive a bounded joint subsidy.

Everything is sparse linear algebra: with S = √C (contributors × projects), the overlaps are
O = S·Sᵀ; the match of project p is Σ_{i≠j} k_ij S_ip S_jp = (Sᵀ (K ∘ …) S)_pp, computed as the
column sums of S ∘ (K·S) minus the diagonal terms.

Example:
    >>> import hurwicz as hz
    >>> out = hz.mechanism("funding.pairwise", M=1.0).run({"pool": 100, "contributions": [
    ...     {"contributor": "a", "project": "p", "amount": 1},
    ...     {"contributor": "b", "project": "p", "amount": 1}]})
    >>> out.result["ideal_matching"]  # 2 pairs × k = 1/(1+1) × √(1·1)
    {'p': 1.0}
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import Field
from scipy import sparse

from hurwicz.core.registry import register

from .common import ContributionMatrix, FundingInput, FundingMechanism, FundingParams


class PairwiseParams(FundingParams):
    """QF parameters plus the pairwise bound M."""

    M: float = Field(1000.0, gt=0, le=1e15, allow_inf_nan=False,
                     description="pairwise bound: a pair's coefficient is M / (M + overlap)")


def pairwise_matches(matched: sparse.csr_matrix, M: float
                     ) -> tuple[np.ndarray, sparse.csr_matrix]:
    """Ideal pairwise matches per project and each contributor's share (its pairs' halves).

    Example:
        >>> import numpy as np
        >>> ideal, shares = pairwise_matches(sparse.csr_matrix(np.array([[1.0], [1.0]])), 1.0)
        >>> ideal.tolist(), shares.toarray().ravel().tolist()
        ([1.0], [0.5, 0.5])
    """
    S = matched.sqrt().tocsr()
    overlap = (S @ S.T).tocsr()
    K = overlap.copy()
    K.data = M / (M + K.data)
    KS = (K @ S).tocsr()
    # contributor i's share on project p: S_ip * Σ_{j≠i} k_ij S_jp
    diag_k = K.diagonal()
    shares = S.multiply(KS) - S.multiply(S).multiply(diag_k[:, None])
    shares = sparse.csr_matrix(shares)
    shares.eliminate_zeros()
    ideal = np.asarray(shares.sum(axis=0)).ravel()
    return np.maximum(ideal, 0.0), shares


def pairwise_matches_loop(matched: np.ndarray, M: float) -> np.ndarray:
    """Reference per-pair loop (for tests and the benchmark ratio); dense input.

    Example:
        >>> import numpy as np
        >>> pairwise_matches_loop(np.array([[1.0], [1.0]]), 1.0).tolist()
        [1.0]
    """
    n, p = matched.shape
    roots = np.sqrt(matched)
    out = np.zeros(p)
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            k = M / (M + float(roots[i] @ roots[j]))
            out += k * roots[i] * roots[j]
    return out


@register
class PairwiseQF(FundingMechanism):
    """Pairwise-bounded quadratic funding: each pair's subsidy is discounted by
    k_ij = M / (M + Σ_q √(c_iq c_jq)); then scaled to the pool like QF.

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("funding.pairwise").params.M
        1000.0
    """

    name = "funding.pairwise"
    summary = "Pairwise-bounded QF: pair subsidies discounted by M / (M + overlap)."
    claims = ("budget_balance", "match_within_pool", "funding_adds_up")
    Params = PairwiseParams

    def ideal_matches(self, inp: FundingInput, m: ContributionMatrix
                      ) -> tuple[np.ndarray, Any, dict[str, Any]]:
        ideal, shares = pairwise_matches(m.matched, float(self.params.M))
        from .quadratic import qf_shares

        plain, _ = qf_shares(m.matched)
        discount = {p: float(1 - a / b) if b > 0 else 0.0
                    for p, a, b in zip(m.projects, ideal, plain)}
        return ideal, shares, {"pairwise_discount": discount}

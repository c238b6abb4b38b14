"""Connection-oriented cluster matching (COCM; Miller, Weyl & Erichsen 2022, "Beyond Collusion
Resistance: Leveraging Social Information for Plural Funding and Voting", SSRN 4311507).

For one project, with contributions c_i, groups g (a contributor may be in several; |T_i| is
the number of its groups) and "i is connected to group h" when i shares a group with some
member of h:

    K(i, h) = √c_i  if i is connected to h,   else  c_i
    A(g, h) = Σ_{i ∈ g} K(i, h) / |T_i|
    funding = Σ_i c_i + Σ_{g ≠ h} √(A(g, h) · A(h, g))

so the cross-group subsidy of socially close givers is attenuated (their contributions enter
with a square root before the outer square root), while strangers are matched like QF between
groups. Contributors in no group are treated as a group of their own (documented choice).

``funding.cluster_match`` takes the groups from the input; ``funding.cluster_match_projects`` is
the "projects as clusters" variant that builds one group per project from its donors.

Example:
    >>> import hurwicz as hz
    >>> data = {"pool": 100, "groups": {"g": ["a", "b"]}, "contributions": [
    ...     {"contributor": "a", "project": "p", "amount": 4},
    ...     {"contributor": "b", "project": "p", "amount": 4}]}
    >>> hz.mechanism("funding.cluster_match").run(data).result["ideal_matching"]  # one group
    {'p': 0.0}
    >>> hz.mechanism("funding.quadratic").run(data).result["ideal_matching"]
    {'p': 8.0}
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import sparse

from hurwicz.core.registry import register

from .common import ContributionMatrix, FundingInput, FundingMechanism


def cocm_funding(contrib: np.ndarray, membership: np.ndarray) -> float:
    """COCM funding of one project: ``contrib`` per contributor, ``membership`` a 0/1 matrix
    (contributors × groups) in which every contributor is in at least one group.

    Example:
        >>> import numpy as np
        >>> # two strangers in separate groups: plain QF, (√1 + √1)² = 4
        >>> cocm_funding(np.array([1.0, 1.0]), np.eye(2))
        4.0
    """
    T = membership.sum(axis=1)
    friends = membership @ membership.T  # shared groups per pair
    connected = (friends @ membership) > 0  # i shares a group with someone in h
    root = np.sqrt(contrib)
    W = np.where(connected, root[:, None], contrib[:, None]) / T[:, None]
    A = membership.T @ W  # A[g, h] = Σ_{i∈g} K(i, h) / |T_i|
    cross = np.sqrt(np.maximum(A * A.T, 0.0))
    np.fill_diagonal(cross, 0.0)
    return float(contrib.sum() + cross.sum())


def _membership(users: list[str], groups: dict[str, list[str]]) -> np.ndarray:
    names = sorted(groups)
    index = {u: i for i, u in enumerate(users)}
    mem = np.zeros((len(users), len(names)))
    for g, gname in enumerate(names):
        for member in groups[gname]:
            if member in index:
                mem[index[member], g] = 1.0
    lonely = mem.sum(axis=1) == 0
    if lonely.any():
        extra = np.zeros((len(users), int(lonely.sum())))
        extra[np.nonzero(lonely)[0], np.arange(int(lonely.sum()))] = 1.0
        mem = np.hstack([mem, extra])
    return mem


class _ClusterBase(FundingMechanism):
    def groups_for(self, inp: FundingInput, m: ContributionMatrix) -> dict[str, list[str]]:
        raise NotImplementedError

    def ideal_matches(self, inp: FundingInput, m: ContributionMatrix
                      ) -> tuple[np.ndarray, Any, dict[str, Any]]:
        groups = self.groups_for(inp, m)
        matched = m.matched.tocsc()
        ideal = np.zeros(len(m.projects))
        rows, cols, vals = [], [], []
        for p in range(len(m.projects)):
            col = matched.getcol(p)
            idx = col.indices
            if len(idx) == 0:
                continue
            c = col.data
            users = [m.contributors[i] for i in idx]
            funding = cocm_funding(c, _membership(users, groups))
            ideal[p] = max(funding - c.sum(), 0.0)
            # attribution: proportional to √c within the project (documented convention)
            weights = np.sqrt(c) / np.sqrt(c).sum()
            rows += list(idx)
            cols += [p] * len(idx)
            vals += list(weights * ideal[p])
        shares = sparse.csr_matrix((vals, (rows, cols)), shape=m.matched.shape)
        return ideal, shares, {"groups": len(groups)}


@register
class ClusterMatch(_ClusterBase):
    """Connection-oriented cluster matching with the groups given in the input (``groups``).

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("funding.cluster_match").family
        'funding'
    """

    name = "funding.cluster_match"
    summary = "Connection-oriented cluster match (Miller–Weyl–Erichsen 2022), given groups."
    claims = ("budget_balance", "match_within_pool", "funding_adds_up")

    def groups_for(self, inp: FundingInput, m: ContributionMatrix) -> dict[str, list[str]]:
        return dict(inp.groups)


@register
class ClusterMatchProjects(_ClusterBase):
    """COCM with "projects as clusters": each project's donors form a group.

    Example:
        >>> import hurwicz as hz
        >>> out = hz.mechanism("funding.cluster_match_projects").run({"pool": 10,
        ...     "contributions": [{"contributor": "a", "project": "p", "amount": 1},
        ...                       {"contributor": "b", "project": "p", "amount": 1}]})
        >>> out.result["ideal_matching"]  # a and b are one cluster: no cross-group subsidy
        {'p': 0.0}
    """

    name = "funding.cluster_match_projects"
    summary = "COCM where each project's donors form a cluster."
    claims = ("budget_balance", "match_within_pool", "funding_adds_up")

    def groups_for(self, inp: FundingInput, m: ContributionMatrix) -> dict[str, list[str]]:
        csc = m.matched.tocsc()
        return {f"project:{p}": [m.contributors[i] for i in csc.getcol(j).indices]
                for j, p in enumerate(m.projects)}

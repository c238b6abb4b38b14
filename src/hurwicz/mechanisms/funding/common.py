"""Funding inputs, contribution matrices and the machinery shared by the funding rules.

Input (DESIGN.md): ``{"contributions": [{"contributor": "u1", "project": "p1", "amount": 10}],
"pool": 1000}``; optional ``projects`` (listed projects appear even without contributions),
``owners`` (``{project: [contributor, ...]}``: their own contributions are not matched when
``exclude_self``) and ``groups`` (``{group: [contributor, ...]}`` for cluster matching).
Several contributions by one contributor to one project are summed before any square root.

Example:
    >>> m = contribution_matrix(validate_funding({"pool": 1, "contributions": [
    ...     {"contributor": "a", "project": "p", "amount": 1},
    ...     {"contributor": "a", "project": "p", "amount": 2}]}))
    >>> m.amounts.toarray().tolist(), m.contributors, m.projects
    ([[3.0]], ['a'], ['p'])
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from scipy import sparse

from hurwicz.core.capabilities import BotIdentities, SybilSplitting
from hurwicz.core.errors import InputError
from hurwicz.core.mechanism import Mechanism
from hurwicz.core.outcome import Outcome
from hurwicz.core.reports import as_dict
from hurwicz.core.types import Money as Amount
from hurwicz.core.types import Name
from hurwicz.core.validation import validate_model

from .audit import FundingAudit
from .pool import allocate_pool


class Contribution(BaseModel):
    """One contribution: who gave how much to which project."""

    model_config = ConfigDict(strict=True, extra="forbid")
    contributor: Name
    project: Name
    amount: Amount


class FundingInput(BaseModel):
    """A funding round's contributions, pool and optional social information."""

    model_config = ConfigDict(strict=True, extra="forbid")
    contributions: list[Contribution]
    pool: Amount | None = None
    projects: list[Name] | None = None
    owners: dict[Name, list[Name]] = Field(default_factory=dict)
    groups: dict[Name, list[Name]] = Field(default_factory=dict)


class FundingParams(BaseModel):
    """Parameters shared by the quadratic-funding family."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)
    pool: Amount | None = Field(None, description="matching pool, when the input has none "
                                "(e.g. CSV input); must agree with the input's pool if both")
    cap: Annotated[float, Field(gt=0, le=1)] | None = Field(
        None, description="per-project match cap as a fraction of the pool (excess is "
        "redistributed)")
    min_contribution: Amount = Field(0.0, description="contributions (summed per contributor "
                                     "and project) below this are not matched")
    exclude_self: bool = Field(True, description="do not match owners' contributions to "
                               "their own projects")
    saturation: Literal["ideal", "spend_pool"] = Field(
        "ideal", description="when the pool exceeds the ideal matches: pay the ideal and leave "
        "the rest unspent, or scale up to spend the pool")


def validate_funding(data: Any) -> FundingInput:
    """Validate a funding input, with cross-field checks: when ``projects`` is given, every
    contribution goes to a listed project (``contributions.N.project``), and no project is
    listed twice; owners own known projects; no group lists a member twice.

    Example:
        >>> validate_funding({"contributions": [], "pool": 5}).pool
        5.0
        >>> try:
        ...     validate_funding({"pool": 5, "projects": ["p1"], "contributions": [
        ...         {"contributor": "a", "project": "p2", "amount": 1}]})
        ... except InputError as err:
        ...     print(err)
        contributions.0.project: 'p2' is not listed in projects
    """
    inp = validate_model(FundingInput, data)
    if inp.projects is not None:
        _no_repeats(inp.projects, "projects", "project")
        listed = set(inp.projects)
        for k, c in enumerate(inp.contributions):
            if c.project not in listed:
                raise InputError(f"contributions.{k}.project",
                                 f"{c.project!r} is not listed in projects")
        projects = listed
    else:
        projects = {c.project for c in inp.contributions} if inp.owners else set()
    for project in inp.owners:
        if project not in projects:
            raise InputError(f"owners.{project}", "names a project with no contributions "
                             "and not listed in projects")
    for group, members in inp.groups.items():
        _no_repeats(members, f"groups.{group}", "member")
    return inp


def _no_repeats(names: list[str], field: str, what: str) -> None:
    seen: set[str] = set()
    for i, name in enumerate(names):
        if name in seen:
            raise InputError(f"{field}.{i}", f"lists {what} {name!r} twice")
        seen.add(name)


@dataclass
class ContributionMatrix:
    """Contributions as a sparse contributors × projects matrix (summed per pair).

    ``matched`` is the part eligible for matching (after the minimum and self exclusion).
    """

    contributors: list[str]
    projects: list[str]
    amounts: sparse.csr_matrix
    matched: sparse.csr_matrix

    def project_totals(self) -> np.ndarray:
        """Total contributions per project (matched or not)."""
        return np.asarray(self.amounts.sum(axis=0)).ravel()


def contribution_matrix(inp: FundingInput, min_contribution: float = 0.0,
                        exclude_self: bool = True) -> ContributionMatrix:
    """Aggregate contributions into sparse matrices (vectorised; no per-pair Python loops).

    Example:
        >>> inp = validate_funding({"pool": 1, "owners": {"p": ["a"]}, "contributions": [
        ...     {"contributor": "a", "project": "p", "amount": 5},
        ...     {"contributor": "b", "project": "p", "amount": 0.5}]})
        >>> contribution_matrix(inp, min_contribution=1).matched.toarray().tolist()
        [[0.0], [0.0]]
    """
    triples = [(c.contributor, c.project, c.amount) for c in inp.contributions]
    who = np.array([t[0] for t in triples], dtype=object)
    what = np.array([t[1] for t in triples], dtype=object)
    vals = np.array([t[2] for t in triples], dtype=float)
    contributors = sorted(set(who.tolist()))
    projects = sorted(set(what.tolist()) | set(inp.projects or []))
    ci = {name: i for i, name in enumerate(contributors)}
    pj = {name: j for j, name in enumerate(projects)}
    rows = np.array([ci[w] for w in who.tolist()], dtype=np.int64)
    cols = np.array([pj[p] for p in what.tolist()], dtype=np.int64)
    shape = (len(contributors), len(projects))
    amounts = sparse.coo_matrix((vals, (rows, cols)), shape=shape).tocsr()
    amounts.sum_duplicates()
    matched = amounts.copy()
    if min_contribution > 0:
        matched.data[matched.data < min_contribution] = 0.0
    if exclude_self and inp.owners:
        own_rows, own_cols = [], []
        for project, owners in inp.owners.items():
            for owner in owners:
                if owner in ci:
                    own_rows.append(ci[owner])
                    own_cols.append(pj[project])
        if own_rows:
            mask = sparse.coo_matrix((np.ones(len(own_rows)), (own_rows, own_cols)),
                                     shape=shape).tocsr()
            matched = matched - matched.multiply(mask > 0)
    matched.eliminate_zeros()
    return ContributionMatrix(contributors, projects, amounts, sparse.csr_matrix(matched))


def qf_ideal(matched: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per project: Σ√c, Σc and the ideal QF match (Σ√c)² − Σc (Buterin–Hitzig–Weyl 2019).

    Example:
        >>> import numpy as np
        >>> m = sparse.csr_matrix(np.array([[4.0], [1.0]]))
        >>> [x.tolist() for x in qf_ideal(m)]
        [[3.0], [5.0], [4.0]]
    """
    roots = matched.sqrt()
    s = np.asarray(roots.sum(axis=0)).ravel()
    t = np.asarray(matched.sum(axis=0)).ravel()
    ideal = s * s - t
    # (Σ√c)² − Σc is exactly 0 for a lone contributor; do not let rounding invent a match
    ideal = np.where(ideal <= 1e-12 * np.maximum(t, 1.0), 0.0, ideal)
    return s, t, ideal


class FundingMechanism(Mechanism, SybilSplitting, BotIdentities):
    """Shared run logic: validate, build the matrix, ask the rule for ideal matches, spend the
    pool, attribute matches to contributors, and report."""

    family: ClassVar[str] = "funding"
    Params: ClassVar[type[BaseModel]] = FundingParams
    Input = FundingInput
    Audit = FundingAudit

    def parse_input(self, data: Any) -> FundingInput:
        return validate_funding(data)

    def pool_of(self, inp: FundingInput) -> float:
        """The pool: from the input, or the ``pool`` parameter (they must agree if both)."""
        given, param = inp.pool, self.params.pool
        if given is None and param is None:
            raise InputError("pool", "missing: give it in the input or as --param pool=...")
        if given is not None and param is not None and not math.isclose(given, param):
            raise InputError("pool", f"the input says {given:g} but params.pool says "
                             f"{param:g}")
        return float(given if given is not None else param)

    def ideal_matches(self, inp: FundingInput, m: ContributionMatrix
                      ) -> tuple[np.ndarray, sparse.spmatrix, dict[str, Any]]:
        """Ideal match per project, each contributor's share of it (same shape as the matrix,
        rows summing within a project to the ideal), and rule-specific details."""
        raise NotImplementedError

    def run_parsed(self, inp: FundingInput) -> Outcome:
        pool = self.pool_of(inp)
        m = contribution_matrix(inp, self.params.min_contribution, self.params.exclude_self)
        ideal, shares, details = self.ideal_matches(inp, m)
        cap = self.params.cap * pool if self.params.cap is not None else None
        match, scale, unspent = allocate_pool(ideal, pool, cap, self.params.saturation)
        totals = m.project_totals()
        # each contributor's attributed match: its share of the ideal, scaled like the project
        ratio = np.divide(match, ideal, out=np.zeros_like(match), where=ideal > 0)
        attributed = np.asarray(sparse.csr_matrix(shares).multiply(ratio[None, :])
                                .sum(axis=1)).ravel()
        given = np.asarray(m.amounts.sum(axis=1)).ravel()
        result = {
            "matching": dict(zip(m.projects, map(float, match))),
            "funding": dict(zip(m.projects, map(float, totals + match))),
            "contributions": dict(zip(m.projects, map(float, totals))),
            "ideal_matching": dict(zip(m.projects, map(float, ideal))),
            "scale": scale,
            "unspent": unspent,
            "capped": [p for p, a, i in zip(m.projects, match, ideal)
                       if cap is not None and a >= cap - 1e-9 and i * scale > cap + 1e-9],
            **details,
        }
        return Outcome(
            mechanism=self.name,
            params=self.param_dict(),
            allocation=dict(zip(m.contributors, map(float, attributed))),
            payments=dict(zip(m.contributors, map(float, given))),
            result=result,
            metrics={"pool": pool, "matched": float(match.sum()), "unspent": unspent,
                     "contributions": float(totals.sum())},
        )

    # --- capabilities: sybils and bots -----------------------------------------------------
    def _given(self, base: dict[str, Any], agent: str) -> dict[str, float]:
        row: dict[str, float] = {}
        for c in self.parse_input(base).contributions:
            if c.contributor == agent:
                row[c.project] = row.get(c.project, 0.0) + c.amount
        return row

    def sybil_split(self, data: Any, agent: str, k: int) -> tuple[dict[str, Any], list[str]]:
        """Split ``agent``'s contributions evenly over ``k`` identities ``agent~1..k``, who
        inherit its groups and project ownerships.

        Example:
            >>> import hurwicz as hz
            >>> m = hz.mechanism("funding.quadratic")
            >>> new, ids = m.sybil_split({"pool": 9, "contributions": [
            ...     {"contributor": "a", "project": "p", "amount": 4}]}, "a", 2)
            >>> ids, [c["amount"] for c in new["contributions"]]
            (['a~1', 'a~2'], [2.0, 2.0])
        """
        base = as_dict(data)
        report = self._given(base, agent)
        if not report:
            raise InputError("agent", f"{agent!r} made no contribution")
        ids = [f"{agent}~{i + 1}" for i in range(k)]
        new = {**base, "contributions": [dict(c) for c in base["contributions"]
                                         if c["contributor"] != agent]}
        for ident in ids:
            for project, amount in report.items():
                new["contributions"].append({"contributor": ident, "project": project,
                                             "amount": amount / k})
        new["groups"] = {g: [m for m in ms if m != agent] + (ids if agent in ms else [])
                         for g, ms in base.get("groups", {}).items()}
        new["owners"] = {p: [o for o in os_ if o != agent] + (ids if agent in os_ else [])
                         for p, os_ in base.get("owners", {}).items()}
        return new, ids

    def add_identities(self, data: Any, agent: str, k: int) -> tuple[dict[str, Any], list[str]]:
        """Keep ``agent`` and add ``k`` bots ``agent+bot1..k``, each giving the minimum
        matched amount (or 1) to each of the agent's projects; bots are in no group.

        Example:
            >>> import hurwicz as hz
            >>> _, ids = hz.mechanism("funding.quadratic").add_identities({"pool": 9,
            ...     "contributions": [{"contributor": "a", "project": "p", "amount": 4}]}, "a", 2)
            >>> ids
            ['a', 'a+bot1', 'a+bot2']
        """
        base = as_dict(data)
        report = self._given(base, agent)
        amount = max(float(self.params.min_contribution), 1.0)
        ids = [agent] + [f"{agent}+bot{i + 1}" for i in range(k)]
        new = dict(base)
        new["contributions"] = list(base["contributions"]) + [
            {"contributor": b, "project": p, "amount": amount}
            for b in ids[1:] for p in report]
        return new, ids

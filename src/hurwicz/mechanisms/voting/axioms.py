"""Proportionality axioms of approval-based committees, checked exactly: JR, PJR, EJR, EJR+,
FJR, the core and priceability.

The input is an approval election (as for ``voting.pav``: ``{"candidates": [...], "ballots":
[{"approve": [...], "count": k}]}``) and a committee W (a list of candidate names); n is the
number of voters and k = |W| (the quota is n/k, as in abcvoting). A group of ℓ·n/k voters is
"large enough for ℓ seats"; every size comparison is made in integers (|N'|·k ≥ ℓ·n).

* **JR** (Aziz et al. 2017): no ≥ n/k voters share an approved candidate while none of them
  approves a committee member.
* **PJR** (Sánchez-Fernández et al. 2017): every group of ≥ ℓ·n/k voters that share ℓ approved
  candidates approves, together, at least ℓ committee members. coNP-complete.
* **EJR** (Aziz et al. 2017): in every such group some voter approves ≥ ℓ committee members.
  coNP-complete.
* **EJR+** (Brill & Peters 2023): for every candidate c ∉ W, every group of ≥ ℓ·n/k voters
  approving c has a voter approving ≥ ℓ committee members. Polynomial.
* **FJR** (Peters, Pierczyński & Skowron 2021): for every set T and level β, every group of
  ≥ |T|·n/k voters who each approve ≥ β members of T has a voter approving ≥ β committee
  members.
* **core** (Aziz et al. 2017): no group N' and set T with |T| ≤ |N'|·k/n such that every voter
  of N' approves more members of T than of W. coNP-hard.
* **priceability** (Peters & Skowron 2020; Lackner & Skowron 2023, Definition 4.8): each voter
  has a budget b, every committee member costs 1 and is paid in full by its approvers, nobody
  pays for a candidate outside W, and the unspent money of the supporters of any c ∉ W is at
  most 1. Following Lackner & Skowron (and abcvoting), when fewer candidates are approved by
  anybody than |W|, W is priceable iff it contains every approved candidate.

How each check is decided (``result.method``): JR and EJR+ by a direct count
(``"polynomial"``); PJR, EJR, FJR and the core by searching every candidate set T (with the
committee members S a PJR coalition may approve) when there are at most ``MAX_ENUMERATION``
of them (``"exhaustive"``), else by a feasibility ILP on HiGHS (``"ilp"``, see
:mod:`.axioms_ilp`) with at most ``MAX_ILP_CELLS`` ballot groups × candidates and
n·k < 2⁵³; priceability by an LP on HiGHS whose optimal basis is recomputed exactly in
Fractions (``"lp"``). Coalitions are sets of voters: voters with the same ballot are merged
into one group with a count, and a violating coalition takes whole groups (adding voters with
the same ballot never weakens these objections).

A violation comes back as ``result.counterexample``: the coalition (its ballots with counts and
how many committee members each approves), the candidate set T, ℓ or β, n and k, recomputed
and checked in exact integers whatever found it. A priceable committee comes back with its
price system (``result.certificate``, Fractions as strings), a non-priceable one with a Farkas
proof (multipliers of the price-system constraints, checked in Fractions).

Example:
    >>> import hurwicz as hz
    >>> election = {"candidates": ["a", "b", "c", "d"], "ballots": [
    ...     {"approve": ["a", "b"], "count": 2}, {"approve": ["c", "d"], "count": 1}]}
    >>> r = hz.voting.axioms.ejr(election, ["c", "d"])
    >>> r.satisfied, r.counterexample["candidates"], r.counterexample["voters"]
    (False, ['a'], 2)
    >>> hz.voting.axioms.check(election, ["a", "c"])["core"].satisfied
    True
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

import numpy as np

from hurwicz.core.errors import InputError

from . import axioms_ilp

AXIOMS = ("jr", "pjr", "ejr", "ejr_plus", "fjr", "core", "priceability")
MAX_ENUMERATION = 20_000  # candidate sets T (or (S, T) pairs for PJR) searched exhaustively
MAX_ILP_CELLS = 250_000  # ballot groups × candidates in one ILP or LP
_CHUNK = 2048

Method = Literal["auto", "exhaustive", "ilp"]


@dataclass(frozen=True)
class AxiomResult:
    """The verdict of one axiom check. ``bool(result)`` is ``result.satisfied``.

    ``method``: ``"polynomial"``, ``"exhaustive"``, ``"ilp"`` or ``"lp"``.
    ``counterexample``: when the axiom fails, a coalition and what it is owed (see the module
    docstring). ``certificate``: for priceability, the price system or the Farkas proof.

    Example:
        >>> AxiomResult("jr", True, "polynomial").as_dict()
        {'axiom': 'jr', 'satisfied': True, 'method': 'polynomial'}
    """

    axiom: str
    satisfied: bool
    method: str
    counterexample: dict[str, Any] | None = None
    certificate: dict[str, Any] | None = field(default=None)

    def __bool__(self) -> bool:
        return self.satisfied

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dict (entries that are None left out)."""
        out: dict[str, Any] = {"axiom": self.axiom, "satisfied": self.satisfied,
                               "method": self.method}
        if self.counterexample is not None:
            out["counterexample"] = self.counterexample
        if self.certificate is not None:
            out["certificate"] = self.certificate
        return out


@dataclass
class _Election:
    candidates: list[str]
    approvals: np.ndarray  # ballot groups × candidates, bool (identical ballots merged)
    counts: list[int]  # voters per group (Python ints: exact)
    committee: list[int]  # candidate indices, in the order given
    n: int
    k: int
    hits: list[int] = field(default_factory=list)  # |A_g ∩ W| per group

    def __post_init__(self) -> None:
        self.hits = self.approvals[:, self.committee].sum(axis=1).astype(int).tolist()
        self.in_committee = np.zeros(len(self.candidates), bool)
        self.in_committee[self.committee] = True
        big = self.n * (len(self.candidates) + 1) * (self.k + 1) >= 2**62
        self.cnt = np.array(self.counts, dtype=object if big else np.int64)

    def ballot(self, g: int) -> list[str]:
        return [self.candidates[c] for c in np.nonzero(self.approvals[g])[0].tolist()]

    def names(self, cands: Iterable[int]) -> list[str]:
        return [self.candidates[c] for c in sorted(cands)]


def parse(election: Any, committee: Any) -> _Election:
    """Validate an approval election and a committee (errors name the field).

    Example:
        >>> e = parse({"candidates": ["a", "b"], "ballots": [{"approve": ["a"], "count": 2},
        ...            {"approve": ["a"]}]}, ["b"])
        >>> e.counts, e.n, e.k, e.hits
        ([3], 3, 1, [0])
        >>> try:
        ...     parse({"candidates": ["a"], "ballots": [{"approve": ["a"]}]}, ["z"])
        ... except InputError as err:
        ...     print(err)
        committee: unknown candidate 'z'
    """
    from .ballots import cardinal_arrays, envelope
    from .committees import merge_approvals
    from .profile import require_voters

    cands, ballots = envelope(election, "approve", "the axiom checks")
    values, counts = cardinal_arrays(cands, ballots, "approve", 0, 1)
    n = sum(counts.tolist())
    require_voters(n)
    approvals, merged = merge_approvals(values > 0, counts)
    if isinstance(committee, str) or not isinstance(committee, Sequence | set | frozenset):
        raise InputError("committee", f"must be a list of candidate names, got "
                                      f"{type(committee).__name__}")
    index = {c: i for i, c in enumerate(cands)}
    members: list[int] = []
    for name in committee:
        if not isinstance(name, str) or name not in index:
            raise InputError("committee", f"unknown candidate {name!r}")
        if index[name] in members:
            raise InputError("committee", f"lists {name!r} twice")
        members.append(index[name])
    if not members:
        raise InputError("committee", "is empty (the quota n/k needs k ≥ 1)")
    return _Election(list(cands), approvals, [int(c) for c in merged.tolist()], members, n,
                     len(members))


# --- exact counterexamples ---------------------------------------------------------------
def _coalition(el: _Election, groups: list[int], extra: dict[int, dict] | None = None
               ) -> list[dict[str, Any]]:
    return [{"approve": el.ballot(g), "count": el.counts[g], "in_committee": el.hits[g],
             **(extra or {}).get(g, {})} for g in groups]


def _weight(el: _Election, groups: Iterable[int]) -> int:
    return sum(el.counts[g] for g in groups)


def _cohesive_cex(el: _Election, axiom: str, cands: Sequence[int], ell: int,
                  allowed_members: Sequence[int] | None = None) -> dict[str, Any] | None:
    """JR/EJR/EJR+/PJR objection: the voters approving every candidate of ``cands`` who
    approve fewer than ℓ committee members (EJR, EJR+, JR) or no committee member outside
    ``allowed_members`` (PJR); None unless they are ≥ ℓ·n/k voters (exact)."""
    groups = [g for g in range(len(el.counts)) if el.approvals[g, list(cands)].all()]
    if allowed_members is None:
        groups = [g for g in groups if el.hits[g] < ell]
    else:
        allowed = set(allowed_members)
        groups = [g for g in groups
                  if all(c in allowed for c in el.committee if el.approvals[g, c])]
    w = _weight(el, groups)
    if not groups or w * el.k < ell * el.n:
        return None
    cex: dict[str, Any] = {"coalition": _coalition(el, groups), "voters": w,
                           "candidates": el.names(cands), "ell": ell, "n": el.n, "k": el.k}
    if allowed_members is None:
        if max(el.hits[g] for g in groups) >= ell:  # cannot happen: checked above
            return None
        cex["condition"] = ("voters·k ≥ ell·n, all approve every candidate listed, each "
                            "approves fewer than ell committee members")
    else:
        represented = {c for g in groups for c in el.committee if el.approvals[g, c]}
        if len(represented) >= ell:
            return None
        cex["represented"] = el.names(represented)
        cex["condition"] = ("voters·k ≥ ell·n, all approve every candidate listed, together "
                            "they approve fewer than ell committee members (represented)")
    return cex


def _fjr_cex(el: _Election, cands: Sequence[int], beta: int) -> dict[str, Any] | None:
    in_t = el.approvals[:, list(cands)].sum(axis=1).tolist()
    groups = [g for g in range(len(el.counts)) if in_t[g] >= beta > el.hits[g]]
    w = _weight(el, groups)
    if not groups or w * el.k < len(cands) * el.n:
        return None
    return {"coalition": _coalition(el, groups, {g: {"in_T": in_t[g]} for g in groups}),
            "voters": w, "candidates": el.names(cands), "beta": beta, "n": el.n, "k": el.k,
            "condition": "voters·k ≥ |T|·n, each approves ≥ beta of T (in_T) and fewer than "
                         "beta committee members (in_committee)"}


def _core_cex(el: _Election, cands: Sequence[int]) -> dict[str, Any] | None:
    in_t = el.approvals[:, list(cands)].sum(axis=1).tolist()
    groups = [g for g in range(len(el.counts)) if in_t[g] > el.hits[g]]
    w = _weight(el, groups)
    if not groups or w * el.k < len(cands) * el.n:
        return None
    return {"coalition": _coalition(el, groups, {g: {"in_T": in_t[g]} for g in groups}),
            "voters": w, "candidates": el.names(cands), "n": el.n, "k": el.k,
            "condition": "voters·k ≥ |T|·n and each approves more of T (in_T) than of the "
                         "committee (in_committee)"}


# --- exhaustive search ---------------------------------------------------------------------
def _approved(el: _Election) -> list[int]:
    return np.nonzero(el.approvals.any(axis=0))[0].tolist()


def _subsets(pool: Sequence[int], size: int) -> Iterator[np.ndarray]:
    """All subsets of ``pool`` of one size, as index arrays in chunks."""
    it = itertools.combinations(pool, size)
    while True:
        chunk = list(itertools.islice(it, _CHUNK))
        if not chunk:
            return
        yield np.array(chunk, dtype=np.int64).reshape(len(chunk), size)


def _count_in(el: _Election, sets: np.ndarray) -> np.ndarray:
    """|A_g ∩ T| for every group (rows) and set T (columns)."""
    return el.approvals[:, sets].sum(axis=2)


def _enumeration_size(el: _Election, axiom: str) -> int:
    m = len(_approved(el))
    top = min(el.k, m)
    if axiom == "pjr":
        members = int(el.approvals[:, el.committee].any(axis=0).sum())
        return sum(math.comb(members, min(ell - 1, members)) * math.comb(m, ell)
                   for ell in range(1, top + 1))
    return sum(math.comb(m, t) for t in range(1, top + 1))


def _search_ejr(el: _Election) -> dict[str, Any] | None:
    hits = np.array(el.hits)
    for ell in range(1, el.k + 1):
        low = hits < ell
        support = el.cnt @ (el.approvals & low[:, None])
        pool = [c for c in _approved(el) if support[c] * el.k >= ell * el.n]
        for sets in _subsets(pool, ell):
            mask = (_count_in(el, sets) == ell) & low[:, None]
            ok = np.nonzero(el.cnt @ mask * el.k >= ell * el.n)[0]
            if len(ok):
                return _cohesive_cex(el, "ejr", sets[ok[0]].tolist(), ell)
    return None


def _search_pjr(el: _Election) -> dict[str, Any] | None:
    members = [c for c in el.committee if el.approvals[:, c].any()]
    for ell in range(1, el.k + 1):
        for kept in itertools.combinations(members, min(ell - 1, len(members))):
            outside = [c for c in el.committee if c not in kept]
            allowed = ~el.approvals[:, outside].any(axis=1)
            support = el.cnt @ (el.approvals & allowed[:, None])
            pool = [c for c in _approved(el) if support[c] * el.k >= ell * el.n]
            for sets in _subsets(pool, ell):
                mask = (_count_in(el, sets) == ell) & allowed[:, None]
                ok = np.nonzero(el.cnt @ mask * el.k >= ell * el.n)[0]
                if len(ok):
                    return _cohesive_cex(el, "pjr", sets[ok[0]].tolist(), ell, list(kept))
    return None


def _search_fjr(el: _Election) -> dict[str, Any] | None:
    hits = np.array(el.hits)
    for size in range(1, min(el.k, len(_approved(el))) + 1):
        for sets in _subsets(_approved(el), size):
            in_t = _count_in(el, sets)
            for beta in range(1, size + 1):
                mask = (in_t >= beta) & (hits < beta)[:, None]
                ok = np.nonzero(el.cnt @ mask * el.k >= size * el.n)[0]
                if len(ok):
                    return _fjr_cex(el, sets[ok[0]].tolist(), beta)
    return None


def _search_core(el: _Election) -> dict[str, Any] | None:
    hits = np.array(el.hits)
    for size in range(1, min(el.k, len(_approved(el))) + 1):
        for sets in _subsets(_approved(el), size):
            mask = _count_in(el, sets) > hits[:, None]
            w = el.cnt @ mask
            ok = np.nonzero((w * el.k >= size * el.n) & (w > 0))[0]
            if len(ok):
                return _core_cex(el, sets[ok[0]].tolist())
    return None


# --- dispatch ------------------------------------------------------------------------------
def _choose(el: _Election, axiom: str, method: str) -> str:
    if method not in ("auto", "exhaustive", "ilp"):
        raise InputError("method", f"must be 'auto', 'exhaustive' or 'ilp', got {method!r}")
    if method == "auto":
        method = "exhaustive" if _enumeration_size(el, axiom) <= MAX_ENUMERATION else "ilp"
    if method == "ilp":
        cells = len(el.counts) * len(el.candidates)
        if cells > MAX_ILP_CELLS:
            raise InputError("ballots", f"{len(el.counts)} distinct ballots × "
                             f"{len(el.candidates)} candidates = {cells} > {MAX_ILP_CELLS}: "
                             f"too large for the exact {axiom} ILP")
        if el.n * el.k >= 2**53:
            raise InputError("ballots", "n·k ≥ 2^53 voters: too many for the exact ILP")
    return method


def _ilp_search(el: _Election, axiom: str, solve, recount) -> dict[str, Any] | None:
    """Run ``solve(margin)``; a point whose objection fails the exact ``recount`` (HiGHS's
    feasibility tolerance let a coalition a few voters short through, which happens with
    large counts) is retried with a stricter size row. A proven-infeasible strict retry is
    inconclusive (a coalition could meet the quota within the margin): SolverError."""
    for attempt in range(4):
        margin = axioms_ilp.size_margin(el.counts, el.n, el.k, attempt)
        found = solve(margin)
        if found is None:
            if attempt == 0:
                return None
            break
        cex = recount(found)
        if cex is not None:
            return cex
    return _verified(None, axiom)


def _verified(cex: dict[str, Any] | None, axiom: str) -> dict[str, Any]:
    if cex is None:  # the ILP's point did not survive the exact recount
        from hurwicz.core.errors import SolverError

        raise SolverError(f"the ILP's {axiom} objection failed the exact recount", "axioms")
    return cex


def _jr(el: _Election) -> AxiomResult:
    return _ejr_plus(el, "jr")


def _ejr_plus(el: _Election, axiom: str = "ejr_plus") -> AxiomResult:
    levels = 1 if axiom == "jr" else el.k
    hits = np.array(el.hits)
    candidates = range(len(el.candidates)) if axiom == "jr" else [
        c for c in range(len(el.candidates)) if not el.in_committee[c]]
    for ell in range(1, levels + 1):
        low = el.approvals & (hits < ell)[:, None]
        support = el.cnt @ low
        for c in candidates:
            if support[c] * el.k >= ell * el.n:
                cex = _cohesive_cex(el, axiom, [c], ell)
                return AxiomResult(axiom, False, "polynomial", _verified(cex, axiom))
    return AxiomResult(axiom, True, "polynomial")


def _ejr(el: _Election, method: str = "auto") -> AxiomResult:
    method = _choose(el, "ejr", method)
    if method == "exhaustive":
        cex = _search_ejr(el)
    else:
        cex = _ilp_search(
            el, "ejr", lambda mg: axioms_ilp.ejr_ilp(el.approvals, el.counts, el.hits, el.n,
                                                     el.k, mg),
            lambda found: _cohesive_cex(el, "ejr", found, len(found)))
    return AxiomResult("ejr", cex is None, method, cex)


def _pjr(el: _Election, method: str = "auto") -> AxiomResult:
    method = _choose(el, "pjr", method)
    if method == "exhaustive":
        cex = _search_pjr(el)
    else:
        cex = _ilp_search(
            el, "pjr", lambda mg: axioms_ilp.pjr_ilp(el.approvals, el.counts, el.committee,
                                                     el.n, el.k, mg),
            lambda found: _cohesive_cex(el, "pjr", found[0], len(found[0]), found[1]))
    return AxiomResult("pjr", cex is None, method, cex)


def _fjr(el: _Election, method: str = "auto") -> AxiomResult:
    method = _choose(el, "fjr", method)
    if method == "exhaustive":
        cex = _search_fjr(el)
    else:
        cex = _ilp_search(
            el, "fjr", lambda mg: axioms_ilp.fjr_ilp(el.approvals, el.counts, el.hits, el.n,
                                                     el.k, mg),
            lambda found: _fjr_cex(el, *found))
    return AxiomResult("fjr", cex is None, method, cex)


def _core(el: _Election, method: str = "auto") -> AxiomResult:
    method = _choose(el, "core", method)
    if method == "exhaustive":
        cex = _search_core(el)
    else:
        cex = _ilp_search(
            el, "core", lambda mg: axioms_ilp.core_ilp(el.approvals, el.counts, el.hits, el.n,
                                                       el.k, mg),
            lambda found: _core_cex(el, found))
    return AxiomResult("core", cex is None, method, cex)


def _priceability(el: _Election) -> AxiomResult:
    approved = _approved(el)
    members = set(el.committee)
    if len(approved) < el.k:  # Lackner & Skowron's convention (abcvoting's too)
        missing = [c for c in approved if c not in members]
        if missing:
            return AxiomResult("priceability", False, "lp", {
                "reason": "fewer approved candidates than seats and these approved "
                          "candidates are not in the committee", "candidates":
                el.names(missing)})
        return AxiomResult("priceability", True, "lp", certificate={
            "convention": "fewer candidates are approved than seats and the committee "
                          "contains all of them (Lackner & Skowron 2023, Definition 4.8)"})
    unpaid = [c for c in el.committee if not el.approvals[:, c].any()]
    if unpaid:
        return AxiomResult("priceability", False, "lp", {
            "reason": "nobody approves these committee members, so nobody may pay for them",
            "candidates": el.names(unpaid)})
    groups = range(len(el.counts))
    if len(el.counts) * len(el.candidates) > MAX_ILP_CELLS:
        raise InputError("ballots", f"{len(el.counts)} distinct ballots × "
                         f"{len(el.candidates)} candidates > {MAX_ILP_CELLS}: too large for "
                         f"the exact priceability LP")
    # variables (scaled so that every coefficient lies in [0, 1] whatever the counts):
    # 0 = B = n·b, the money of all voters together; then Q_gc = what all voters of group g
    # pay together for committee member c (each voter of g pays Q_gc / count_g)
    pay: dict[tuple[int, int], int] = {}
    for g in groups:
        for c in el.committee:
            if el.approvals[g, c]:
                pay[g, c] = 1 + len(pay)
    rows: list[dict[int, int | Fraction]] = []
    labels: list[str] = []
    lower: list[Fraction | None] = []
    upper: list[Fraction | None] = []
    for g in groups:
        spent: dict[int, int | Fraction] = {pay[g, c]: 1 for c in el.committee
                                            if (g, c) in pay}
        if spent:
            rows.append({**spent, 0: -Fraction(el.counts[g], el.n)})
            labels.append(f"the voters approving {el.ballot(g)} spend at most their budgets")
            lower.append(None)
            upper.append(Fraction(0))
    for c in el.committee:
        rows.append({pay[g, c]: 1 for g in groups if (g, c) in pay})
        labels.append(f"{el.candidates[c]} is paid exactly 1")
        lower.append(Fraction(1))
        upper.append(Fraction(1))
    for c in range(len(el.candidates)):
        supporters = [g for g in groups if el.approvals[g, c]]
        if c in members or not supporters:
            continue
        row: dict[int, int | Fraction] = {
            0: Fraction(sum(el.counts[g] for g in supporters), el.n)}
        for g in supporters:
            for c2 in el.committee:
                if (g, c2) in pay:
                    row[pay[g, c2]] = -1
        rows.append(row)
        labels.append(f"the supporters of {el.candidates[c]} have at most 1 left")
        lower.append(None)
        upper.append(Fraction(1))
    n_col = 1 + len(pay)
    x = axioms_ilp.exact_vertex(rows, lower, upper, n_col, [1.0] + [0.0] * len(pay))
    if x is not None:
        _check_rows(rows, lower, upper, x)
        payments = []
        for g in groups:
            spend = {el.candidates[c]: str(x[pay[g, c]] / el.counts[g]) for c in el.committee
                     if (g, c) in pay and x[pay[g, c]]}
            payments.append({"approve": el.ballot(g), "count": el.counts[g], "pays": spend})
        return AxiomResult("priceability", True, "lp", certificate={
            "price": "1", "budget": str(x[0] / el.n), "payments": payments,
            "condition": "each voter pays (pays, per voter) at most budget, only for approved "
                         "committee members; each member is paid exactly price; the unspent "
                         "budgets of the supporters of any other candidate add up to at most "
                         "price"})
    proof = axioms_ilp.farkas(rows, lower, upper, n_col)
    if proof is None:
        from hurwicz.core.errors import SolverError

        raise SolverError("HiGHS called the price system infeasible but no exact Farkas "
                          "proof was found", "axioms")
    return AxiomResult("priceability", False, "lp", certificate={"farkas": [
        {"constraint": labels[r], "side": "≤ upper" if s == 1 else "≥ lower",
         "multiplier": str(y)} for r, s, y in proof]})


def _check_rows(rows: list[dict[int, int | Fraction]], lower: list[Fraction | None],
                upper: list[Fraction | None], x: list[Fraction]) -> None:
    from hurwicz.core.errors import SolverError

    bad = any(v < 0 for v in x)
    for row, lo, hi in zip(rows, lower, upper, strict=True):
        value = sum(v * x[c] for c, v in row.items())
        bad |= (lo is not None and value < lo) or (hi is not None and value > hi)
    if bad:
        raise SolverError("the price system recomputed in Fractions violates a constraint",
                          "axioms")


# --- public API ----------------------------------------------------------------------------
def jr(election: Any, committee: Sequence[str]) -> AxiomResult:
    """Justified representation (Aziz et al. 2017): no ≥ n/k voters who share an approved
    candidate and approve no committee member. Polynomial.

    Example:
        >>> election = {"candidates": ["a", "b", "c"], "ballots": [
        ...     {"approve": ["a"], "count": 2}, {"approve": ["c"], "count": 2}]}
        >>> jr(election, ["a", "b"]).counterexample["candidates"]
        ['c']
    """
    return _jr(parse(election, committee))


def pjr(election: Any, committee: Sequence[str], method: Method = "auto") -> AxiomResult:
    """Proportional justified representation (Sánchez-Fernández et al. 2017): every group of
    ≥ ℓ·n/k voters sharing ℓ approved candidates approves ≥ ℓ committee members together.

    Example:
        >>> election = {"candidates": ["a", "b", "c", "d"], "ballots": [
        ...     {"approve": ["a", "b"], "count": 2}, {"approve": ["c"], "count": 2}]}
        >>> pjr(election, ["a", "c"]).satisfied, pjr(election, ["a", "d"]).satisfied
        (True, False)
    """
    return _pjr(parse(election, committee), method)


def ejr(election: Any, committee: Sequence[str], method: Method = "auto") -> AxiomResult:
    """Extended justified representation (Aziz et al. 2017): every group of ≥ ℓ·n/k voters
    sharing ℓ approved candidates has a voter approving ≥ ℓ committee members.

    Example:
        >>> election = {"candidates": ["a", "b", "c"], "ballots": [
        ...     {"approve": ["a", "b"], "count": 2}, {"approve": ["c"], "count": 1}]}
        >>> ejr(election, ["a", "c"]).satisfied, ejr(election, ["c", "b"]).method
        (True, 'exhaustive')
    """
    return _ejr(parse(election, committee), method)


def ejr_plus(election: Any, committee: Sequence[str]) -> AxiomResult:
    """EJR+ (Brill & Peters 2023): for every c ∉ W, every group of ≥ ℓ·n/k voters approving c
    has a voter approving ≥ ℓ committee members. Polynomial.

    Example:
        >>> election = {"candidates": ["a", "b", "c"], "ballots": [
        ...     {"approve": ["a", "b"], "count": 2}, {"approve": ["c"], "count": 2}]}
        >>> cex = ejr_plus(election, ["a", "b"]).counterexample
        >>> cex["candidates"], cex["ell"], cex["voters"]
        (['c'], 1, 2)
    """
    return _ejr_plus(parse(election, committee))


def fjr(election: Any, committee: Sequence[str], method: Method = "auto") -> AxiomResult:
    """Fully justified representation (Peters, Pierczyński & Skowron 2021): for every set T
    and β, every group of ≥ |T|·n/k voters each approving ≥ β members of T has a voter
    approving ≥ β committee members.

    Example:
        >>> election = {"candidates": ["a", "b", "c", "d"], "ballots": [
        ...     {"approve": ["a", "b"], "count": 2}, {"approve": ["c", "d"], "count": 2}]}
        >>> fjr(election, ["a", "c"]).satisfied, fjr(election, ["a", "b"]).satisfied
        (True, False)
    """
    return _fjr(parse(election, committee), method)


def core(election: Any, committee: Sequence[str], method: Method = "auto") -> AxiomResult:
    """The core (Aziz et al. 2017): no group N' and set T with |T|·n ≤ |N'|·k whose voters
    all approve more members of T than of the committee. coNP-hard: exhaustive for small
    elections, else a feasibility ILP on HiGHS (size limit ``MAX_ILP_CELLS``).

    Example:
        >>> election = {"candidates": ["a", "b", "c", "d"], "ballots": [
        ...     {"approve": ["a", "b"], "count": 3}, {"approve": ["c", "d"], "count": 1}]}
        >>> core(election, ["a", "c"]).satisfied
        True
        >>> core(election, ["c", "d"]).counterexample["candidates"]
        ['a']
    """
    return _core(parse(election, committee), method)


def priceability(election: Any, committee: Sequence[str]) -> AxiomResult:
    """Priceability (Peters & Skowron 2020; Lackner & Skowron 2023, Definition 4.8): some
    budget b per voter and payments make every committee member cost exactly 1, paid only
    by its approvers, with the supporters of every other candidate left with ≤ 1 in total.
    Decided by an LP whose certificate (price system or Farkas proof) is checked in
    Fractions.

    Example:
        >>> election = {"candidates": ["a", "b", "c"], "ballots": [
        ...     {"approve": ["a", "b"], "count": 1}, {"approve": ["c"], "count": 2}]}
        >>> r = priceability(election, ["a", "c"])
        >>> r.satisfied, r.certificate["budget"]
        (True, '1')
        >>> priceability(election, ["a", "b"]).satisfied
        False
    """
    return _priceability(parse(election, committee))


_CHECKS = {"jr": _jr, "pjr": _pjr, "ejr": _ejr, "ejr_plus": _ejr_plus, "fjr": _fjr,
           "core": _core, "priceability": _priceability}
_WITH_METHOD = ("pjr", "ejr", "fjr", "core")


def check(election: Any, committee: Sequence[str], axioms: Iterable[str] = AXIOMS,
          method: Method = "auto") -> dict[str, AxiomResult]:
    """Several axioms at once (default all of :data:`AXIOMS`), the input parsed once.

    Example:
        >>> election = {"candidates": ["a", "b", "c"], "ballots": [
        ...     {"approve": ["a", "b"], "count": 2}, {"approve": ["c"], "count": 1}]}
        >>> {name: r.satisfied for name, r in check(election, ["a", "b"]).items()}
        ... # doctest: +NORMALIZE_WHITESPACE
        {'jr': True, 'pjr': True, 'ejr': True, 'ejr_plus': True, 'fjr': True,
         'core': True, 'priceability': True}
    """
    names = list(axioms) if not isinstance(axioms, str) else [axioms]
    for name in names:
        if name not in _CHECKS:
            raise InputError("axioms", f"unknown axiom {name!r}; known: {', '.join(AXIOMS)}")
    el = parse(election, committee)
    return {name: (_CHECKS[name](el, method) if name in _WITH_METHOD else _CHECKS[name](el))
            for name in names}

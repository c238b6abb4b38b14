"""``hz.audit``: check a mechanism's properties and report evidence.

Routing: a mechanism with scalar reports and a batch path, audited against a prior, goes
through the vectorised engine (:mod:`hurwicz.audit.scalar`) with breakpoint, grid and local
search on profiles drawn from the prior (or every profile of a discrete prior: exhaustive).
Anything else (rankings, school lists, contributions, ...) is audited instance by instance
through ``run`` (:mod:`hurwicz.audit.generic`), on ``inputs`` given by the user or drawn with
the mechanism's ``random_instance``; ranking families with few voters and candidates are
audited on *every* profile (exhaustive).

Example:
    >>> import hurwicz as hz
    >>> rep = audit("auction.first_price", agents=2, prior="uniform:0,1",
    ...             properties=["dsic", "ir"], samples=500, seed=0)
    >>> rep.check("dsic").holds, rep.check("ir").holds
    (False, True)
"""

from __future__ import annotations

import importlib
import math
import pkgutil
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from hurwicz.core.errors import AuditError, ParameterError
from hurwicz.core.mechanism import Mechanism
from hurwicz.core.outcome import Outcome
from hurwicz.core.priors import Prior, parse_priors
from hurwicz.core.registry import mechanism as make_mechanism
from hurwicz.mechanisms.voting.generators import is_culture
from hurwicz.simulate.executors import chunk_seeds, map_chunks, open_executor, split

from . import generic, scalar
from .profiles import agent_names, discrete_profiles, profile_dict
from .report import ALIASES, AuditReport, CheckRecord

CHUNK = 5_000
SCALAR_PROPERTIES = {"dsic", "bic", "ir", "efficient", "budget_balance", "revenue", "welfare",
                     "monotone", "anonymous", "coalition_strategyproof", "strategyproof"}
GENERIC_PROPERTIES = {"strategyproof", "dsic", "coalition_strategyproof", "ir", "anonymous",
                      "neutral", "monotone", "budget_balance"}


def family_properties() -> dict[str, Callable[[Mechanism, Any, Outcome], dict | None]]:
    """Outcome properties contributed by families (``hurwicz.mechanisms.<f>.properties``).

    Example:
        >>> isinstance(family_properties(), dict)
        True
    """
    found: dict[str, Callable[[Mechanism, Any, Outcome], dict | None]] = {}
    package = importlib.import_module("hurwicz.mechanisms")
    for mod in pkgutil.walk_packages(package.__path__, prefix="hurwicz.mechanisms."):
        if mod.name.rsplit(".", 1)[-1] == "properties":
            found.update(getattr(importlib.import_module(mod.name), "PROPERTIES", {}))
    return found


def parse_adversary(spec: str) -> tuple[str, int]:
    """``misreport``, ``coalition:K``, ``sybil:K``, ``bots:K`` or ``abstain`` → (kind, K).

    Example:
        >>> parse_adversary("coalition:3"), parse_adversary("misreport")
        (('coalition', 3), ('misreport', 1))
    """
    kind, _, k = spec.partition(":")
    if kind not in {"misreport", "coalition", "sybil", "bots", "abstain"}:
        raise ParameterError("adversary", f"unknown adversary {spec!r} (misreport, "
                             "coalition:K, sybil:K, bots:K, abstain)")
    if kind in {"coalition", "sybil", "bots"}:
        try:
            count = int(k)
        except ValueError:
            raise ParameterError("adversary", f"{kind} needs a size, e.g. {kind}:2") from None
        if count < 1 or (kind == "coalition" and count < 2):
            raise ParameterError("adversary", f"{spec!r}: size too small")
        return kind, count
    return kind, 1


def audit(
    mech: Mechanism | str,
    agents: int | None = None,
    prior: str | Prior | Sequence[str | Prior] | None = None,
    properties: Sequence[str] | None = None,
    samples: int = 20_000,
    seed: int = 0,
    adversary: str = "misreport",
    tolerance: float = 1e-9,
    inputs: Sequence[Any] | None = None,
    claims: bool = False,
    workers: int = 1,
    executor: str | None = None,
    budget_balance: str = "weak",
    params: dict[str, Any] | None = None,
    candidates: int = 3,
) -> AuditReport:
    """Audit ``mech`` for ``properties`` (default: its claims, or dsic and ir).

    ``inputs`` are base instances for mechanisms whose reports are not drawn from a prior.
    For voting rules, ``prior`` may be a preference culture (``impartial``, ``mallows:PHI``,
    ``urn:ALPHA``, ``spatial:D``): elections of ``agents`` voters (default 5) on
    ``candidates`` candidates are sampled from it.
    The result does not depend on ``workers``/``executor`` for a given ``seed``.

    Example:
        >>> import hurwicz as hz
        >>> rep = hz.audit("auction.second_price", agents=3, prior="uniform:0,1",
        ...                properties=["dsic"], samples=300, seed=1)
        >>> rep.check("dsic").holds, rep.check("dsic").budget["methods"][0]
        (True, 'breakpoints')
    """
    if isinstance(mech, str):
        mech = make_mechanism(mech, **(params or {}))
    kind, k = parse_adversary(adversary)
    props = list(mech.active_claims() if claims or (properties is None and mech.claims)
                 else properties or ["dsic", "ir"])
    props = [ALIASES.get(p, p) for p in props]
    if budget_balance not in {"weak", "strong"}:
        raise ParameterError("budget_balance", "must be 'weak' or 'strong'")
    if kind in {"sybil", "bots", "coalition", "abstain"}:
        props = [_adversary_property(kind, k)]
    priors = None
    culture = prior if is_culture(prior) else None
    if prior is not None and culture is None:
        if agents is None:
            agents = len(prior) if isinstance(prior, list | tuple) else None
        if agents is None:
            raise ParameterError("agents", "how many agents? (needed with a prior)")
        priors = parse_priors(prior, agents)
    use_scalar = (priors is not None and mech.report_kind == "scalar" and mech.supports_batch
                  and kind in {"misreport", "coalition", "abstain"})
    checks: list[CheckRecord] = []
    with open_executor(workers, executor) as ex:
        for prop in props:
            start = time.perf_counter()
            if use_scalar:
                rec = _scalar_check(mech, prop, priors, samples, seed, tolerance, ex,
                                    budget_balance, k)
            else:
                instances, exhaustive_profiles = _instances(mech, inputs, samples, seed, agents,
                                                            culture, candidates)
                rec = _generic_check(mech, prop, instances, exhaustive_profiles, seed,
                                     tolerance, kind, k, budget_balance)
            rec.seconds = time.perf_counter() - start
            rec.tolerance = tolerance
            rec.adversary = adversary
            checks.append(rec)
    return AuditReport(mech.name, mech.param_dict(), agents, _prior_repr(prior), checks, seed)


def _adversary_property(kind: str, k: int) -> str:
    return {"sybil": f"sybil_proof:{k}", "bots": f"bot_proof:{k}",
            "coalition": "coalition_strategyproof", "abstain": "ir"}[kind]


def _prior_repr(prior: Any) -> Any:
    if prior is None or isinstance(prior, str):
        return prior
    if isinstance(prior, Prior):
        return prior.spec
    return [p.spec if isinstance(p, Prior) else p for p in prior]


# --- scalar (batch) properties -------------------------------------------------------------
def _scalar_check(mech: Mechanism, prop: str, priors: list[Prior], samples: int, seed: int,
                  tol: float, ex, bb: str, k: int) -> CheckRecord:
    n = len(priors)
    names = agent_names(n)
    if prop not in SCALAR_PROPERTIES and prop not in family_properties():
        raise AuditError(f"property {prop!r} is not defined for {mech.name} "
                         f"(scalar reports: {', '.join(sorted(SCALAR_PROPERTIES))})",
                         "properties")
    sizes = split(samples, CHUNK)
    seeds = chunk_seeds(seed, len(sizes))
    if prop in {"dsic", "strategyproof"}:
        exhaustive = discrete_profiles(priors)
        if exhaustive is not None and all(p == priors[0] for p in priors):
            profiles, _ = exhaustive
            space = np.asarray(priors[0].values, dtype=float)  # type: ignore[attr-defined]
            res = scalar.dsic_on_profiles(mech, profiles, priors, report_space=space)
            return _dsic_record(mech, prop, res, names, tol, exhaustive=True,
                                methods=["exhaustive"], profiles=len(profiles))
        results = map_chunks(scalar.dsic_chunk, [(mech, priors, s, sd) for s, sd in
                                                 zip(sizes, seeds)], ex)
        best = max(results, key=lambda r: r["max_gain"])
        best["deviations_per_profile"] = max(r["deviations_per_profile"] for r in results)
        return _dsic_record(mech, prop, best, names, tol, exhaustive=False,
                            methods=["breakpoints", "critical_values", "grid", "local"],
                            profiles=samples)
    if prop == "ir":
        results = map_chunks(scalar.ir_chunk, [(mech, priors, s, sd) for s, sd in
                                               zip(sizes, seeds)], ex)
        best = max(results, key=lambda r: r["max_gain"])
        holds = best["max_gain"] <= tol
        ce = None
        if not holds:
            data = mech.input_from_reports(profile_dict(names, best["profile"]))
            out = mech.run(data)
            agent = names[best["agent"]]
            u = mech.utility(agent, best["profile"][best["agent"]], out)
            ce = {"profile": profile_dict(names, best["profile"]), "agent": agent,
                  "truthful": {"report": float(best["profile"][best["agent"]]),
                               "outcome": out.to_dict()},
                  "deviation": {"report": None, "outcome": "abstain (utility 0)"},
                  "truthful_utility": u, "deviating_utility": 0.0}
            holds = not (u < -tol)
        return CheckRecord("ir", holds, False, max(best["max_gain"], 0.0), ce,
                           {"profiles": samples, "deviations_per_profile": 1,
                            "methods": ["sampled_profiles"]})
    if prop == "coalition_strategyproof":
        results = map_chunks(scalar.coalition_chunk, [(mech, priors, s, sd, max(k, 2))
                                                      for s, sd in zip(sizes, seeds)], ex)
        best = max(results, key=lambda r: r["max_gain"])
        ce = None
        if best["max_gain"] > tol:
            group = [names[i] for i in best["agents"]]
            truths = {names[i]: float(best["profile"][i]) for i in best["agents"]}
            data = mech.input_from_reports(profile_dict(names, best["profile"]))
            dev = dict(zip(group, map(float, best["deviation"])))
            ce = generic._counterexample(mech, data, mech.with_reports(data, dev), group, truths,
                                         dev, group=True)
        return CheckRecord(prop, ce is None, False, best["max_gain"], ce,
                           {"profiles": samples, "coalition_size": max(k, 2),
                            "coalitions": best["coalitions"],
                            "deviations_per_profile": best["deviations_per_profile"],
                            "methods": ["breakpoints", "random_joint", "ring"]})
    if prop == "bic":
        return _bic_record(mech, priors, seed, tol, names)
    if prop == "monotone":
        results = map_chunks(scalar.monotone_chunk, [(mech, priors, s, sd) for s, sd in
                                                     zip(sizes, seeds)], ex)
        best = max(results, key=lambda r: r["max_gain"])
        ce = None
        if best["max_gain"] > tol:
            ce = {"profile": profile_dict(names, best["profile"]),
                  "agent": names[best["agent"]], "raised_report": best["deviation"],
                  "allocation_drop": best["max_gain"]}
        return CheckRecord(prop, ce is None, False, best["max_gain"], ce,
                           {"profiles": samples, "methods": ["random_raise"]})
    if prop == "anonymous":
        return _scalar_anonymity(mech, priors, seed, min(samples, 2000), tol, names)
    results = map_chunks(scalar.outcome_chunk, [(mech, priors, s, sd) for s, sd in
                                                zip(sizes, seeds)], ex)
    total = sum(r["n"] for r in results)
    budget = {"profiles": total, "methods": ["sampled_profiles"]}
    if prop in {"revenue", "welfare"}:
        s1 = sum(r[prop][0] for r in results)
        s2 = sum(r[prop][1] for r in results)
        mean = s1 / total
        var = max(s2 / total - mean**2, 0.0) * total / max(total - 1, 1)
        return CheckRecord(prop, None, False, None, None, budget, value=mean,
                           stderr=math.sqrt(var / total))
    if prop == "budget_balance":
        worst_min = min((r["min_revenue"] for r in results), key=lambda t: t[0])
        worst_abs = max((r["max_abs_revenue"] for r in results), key=lambda t: t[0])
        if bb == "weak":
            holds, gap, row = worst_min[0] >= -tol, -worst_min[0], worst_min[1]
        else:
            holds, gap, row = worst_abs[0] <= tol, worst_abs[0], worst_abs[1]
        ce = None if holds else {"profile": profile_dict(names, row),
                                 "outcome": mech.run(mech.input_from_reports(
                                     profile_dict(names, row))).to_dict()}
        return CheckRecord(prop, holds, False, max(gap, 0.0), ce, {**budget, "mode": bb})
    if prop == "efficient":
        if "efficiency_loss" not in results[0]:
            raise AuditError(f"{mech.name} does not define its optimal welfare "
                             "(optimal_welfare_batch)", "properties")
        loss, row = max((r["efficiency_loss"] for r in results), key=lambda t: t[0])
        ce = None if loss <= tol else {
            "profile": profile_dict(names, row),
            "outcome": mech.run(mech.input_from_reports(profile_dict(names, row))).to_dict(),
            "optimal_welfare": float(mech.optimal_welfare_batch(row[None])[0])}
        return CheckRecord(prop, loss <= tol, False, loss, ce, budget)
    raise AuditError(f"property {prop!r} needs instances (--input) for {mech.name}",
                     "properties")


def _dsic_record(mech: Mechanism, prop: str, best: dict[str, Any], names: list[str],
                 tol: float, exhaustive: bool, methods: list[str], profiles: int
                 ) -> CheckRecord:
    budget = {"profiles": profiles, "deviations_per_profile": best["deviations_per_profile"],
              "methods": methods}
    ce = None
    gain = best["max_gain"]
    if gain > tol:
        i = best["agent"]
        agent = names[i]
        data = mech.input_from_reports(profile_dict(names, best["profile"]))
        deviating = mech.with_reports(data, {agent: best["deviation"]})
        ce = generic._counterexample(mech, data, deviating, [agent],
                                     {agent: float(best["profile"][i])}, best["deviation"])
        ce["found_by"] = best.get("method")
        replayed = ce["deviating_utility"] - ce["truthful_utility"]
        if replayed <= tol:  # the batch path and run() disagree: do not report a ghost
            raise AuditError(f"{mech.name}: a batch counterexample (gain {gain:g}) did not "
                             f"replay through run() (gain {replayed:g})", "run_batch")
        gain = replayed
    return CheckRecord(prop, ce is None, exhaustive and ce is None, max(gain, 0.0), ce, budget)


def _bic_record(mech: Mechanism, priors: list[Prior], seed: int, tol: float,
                names: list[str]) -> CheckRecord:
    best = None
    for i in range(len(priors)):
        if i > 0 and priors[i] == priors[0]:
            continue  # symmetric agents: one is enough
        res = scalar.bic_for_agent(mech, priors, i, seed + i)
        res["agent"] = i
        if best is None or res["max_gain"] > best["max_gain"]:
            best = res
    assert best is not None
    significant = best["max_gain"] > tol + 3 * best["stderr"]
    ce = None
    if significant:
        ce = {"agent": names[best["agent"]], "type": best["type"],
              "deviation": best["deviation"],
              "truthful_utility": best["truthful_expected"],
              "deviating_utility": best["truthful_expected"] + best["max_gain"],
              "stderr": best["stderr"]}
    return CheckRecord("bic", not significant, False, max(best["max_gain"], 0.0), ce,
                       {"types": best["types"], "others_samples": best["others_samples"],
                        "methods": ["grid", "local", "common_random_numbers"]},
                       notes="interim gains are Monte Carlo estimates: a violation must "
                             "exceed tolerance + 3 standard errors")


def _scalar_anonymity(mech: Mechanism, priors: list[Prior], seed: int, samples: int,
                      tol: float, names: list[str]) -> CheckRecord:
    rng = np.random.default_rng(seed)
    from hurwicz.core.priors import sample_profiles

    values = sample_profiles(priors, rng, samples)
    n = values.shape[1]
    perm = rng.permutation(n)
    a = mech.run_batch(values)
    b = mech.run_batch(values[:, perm])
    distinct = np.array([len(set(np.round(r, 12))) == n for r in values])
    alloc_ok = np.isclose(a.allocation[:, perm], b.allocation).all(axis=1)
    pay_ok = np.isclose(a.payments[:, perm], b.payments).all(axis=1)
    bad = np.nonzero(distinct & ~(alloc_ok & pay_ok))[0]
    ce = None
    if len(bad):
        ce = {"profile": profile_dict(names, values[bad[0]]), "permutation": perm.tolist()}
    return CheckRecord("anonymous", ce is None, False, None, ce,
                       {"profiles": samples, "methods": ["permuted_columns"]},
                       notes="profiles with tied reports are skipped (tie-breaks by name "
                             "are not anonymous by design)")


# --- generic (instance) properties ---------------------------------------------------------
def _instances(mech: Mechanism, inputs: Sequence[Any] | None, samples: int, seed: int,
               agents: int | None, culture: str | None = None,
               candidates: int = 3) -> tuple[list[Any], bool]:
    if inputs:
        instances = [mech.parse_input(d) and d for d in inputs]
        if len(instances) == 1:
            every = generic.all_ranking_profiles(mech, instances[0])
            if every is not None:
                return every, True
        return list(instances), False
    maker = getattr(mech, "random_instance", None)
    if maker is None:
        raise AuditError(f"{mech.name}: give base instances (--input FILE) or a prior",
                         "inputs")
    rng = np.random.default_rng(seed)
    count = max(1, min(samples, 200))
    extra = {} if culture is None else {"culture": culture, "candidates": candidates}
    try:
        return [maker(rng, agents, **extra) for _ in range(count)], False
    except TypeError:
        raise AuditError(f"{mech.name}: the prior {culture!r} is a preference culture, for "
                         "voting rules", "prior") from None
    except NotImplementedError:
        raise AuditError(f"{mech.name}: give base instances (--input FILE); it has no "
                         "random instance generator", "inputs") from None


def _generic_check(mech: Mechanism, prop: str, instances: list[Any], exhaustive: bool,
                   seed: int, tol: float, kind: str, k: int, bb: str) -> CheckRecord:
    rng = np.random.default_rng(seed)
    budget = {"profiles": len(instances), "exhaustive_profiles": exhaustive}
    family = family_properties()
    if kind in {"sybil", "bots"}:
        res = generic.identities_check(mech, instances, k, kind, tol)
        return CheckRecord(prop, res["max_gain"] <= tol, False, res["max_gain"],
                           res["counterexample"], {**budget, "identities": k,
                                                   "methods": [kind]})
    if prop in {"strategyproof", "dsic"}:
        res = generic.misreport_check(mech, instances, rng, tol)
        proof = res["complete"] and exhaustive and res["counterexample"] is None
        return CheckRecord(prop, res["counterexample"] is None, proof, res["max_gain"],
                           res["counterexample"],
                           {**budget, "deviations": res["deviations"],
                            "methods": ["all_reports" if res["complete"] else
                                        "swaps_pushes_truncations_random"]})
    if prop == "coalition_strategyproof":
        res = generic.coalition_check(mech, instances, rng, max(k, 2), tol)
        return CheckRecord(prop, res["counterexample"] is None, False, res["max_gain"],
                           res["counterexample"], {**budget, "coalition_size": max(k, 2),
                                                   "deviations": res["deviations"],
                                                   "methods": ["joint_reports"]})
    if prop == "ir":
        res = generic.abstain_check(mech, instances, tol)
        return CheckRecord(prop, res["counterexample"] is None, exhaustive, res["max_gain"],
                           res["counterexample"], {**budget, "methods": ["abstain"]})
    if prop in {"anonymous", "neutral", "monotone"}:
        fn = {"anonymous": lambda: generic.anonymity_check(mech, instances, rng),
              "neutral": lambda: generic.neutrality_check(mech, instances, rng),
              "monotone": lambda: generic.monotonicity_check(mech, instances)}[prop]
        res = fn()
        return CheckRecord(prop, res["counterexample"] is None, False, None,
                           res["counterexample"], {**budget, "deviations": res["deviations"]})
    if prop == "budget_balance":
        for data in instances:
            out = mech.run(data)
            total = sum(out.payments.values())
            if (bb == "weak" and total < -tol) or (bb == "strong" and abs(total) > tol):
                return CheckRecord(prop, False, False, abs(total),
                                   {"input": data, "outcome": out.to_dict()},
                                   {**budget, "mode": bb})
        return CheckRecord(prop, True, exhaustive, 0.0, None, {**budget, "mode": bb})
    if prop in family:
        for data in instances:
            witness = family[prop](mech, data, mech.run(data))
            if witness is not None:
                return CheckRecord(prop, False, False, None,
                                   {"input": data, "witness": witness}, budget)
        return CheckRecord(prop, True, exhaustive, None, None, budget)
    raise AuditError(f"unknown or unsupported property {prop!r} for {mech.name}",
                     "properties")

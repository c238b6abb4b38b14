"""``hz.audit``: check a mechanism's properties and report evidence.

The engine knows no family. It asks the mechanism's audit specification
(:mod:`hurwicz.auditing.spec`) which properties apply — anything else is refused — and how to
read, perturb and sample inputs, and it asks the mechanism which capabilities it has
(:mod:`hurwicz.core.capabilities`).

Routing: a mechanism with scalar reports and a batch path, audited against a numeric prior,
goes through the vectorised engine (:mod:`hurwicz.auditing.scalar`): breakpoint, grid and local
search on profiles drawn from the prior, or every profile of a discrete prior (exhaustive).
Everything else is audited instance by instance through ``run``
(:mod:`hurwicz.auditing.generic`) on the inputs the user gave (never replaced: a family may add
profiles, e.g. every profile of full rankings), on instances built from prior draws, or on the
family's sampler (which may take a family prior such as a voting culture).

Verdicts are three-valued: ``holds`` is ``None`` when nothing was tested (no deviation could be
tried, or the property applied to none of the inputs).

Example:
    >>> import hurwicz as hz
    >>> rep = audit("auction.first_price", agents=2, prior="uniform:0,1",
    ...             properties=["dsic", "ir"], samples=500, seed=0)
    >>> rep.check("dsic").holds, rep.check("ir").holds
    (False, True)
"""

from __future__ import annotations

import json
import math
import time
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from hurwicz.core.capabilities import BatchLayout, BatchPath, ScalarReports
from hurwicz.core.errors import AuditError, HurwiczError, ParameterError
from hurwicz.core.mechanism import Mechanism
from hurwicz.core.outcome import to_jsonable
from hurwicz.core.priors import Prior, parse_priors, sample_profiles
from hurwicz.core.registry import mechanism as make_mechanism
from hurwicz.executors import chunk_seeds, map_chunks, open_executor, split

from . import generic, scalar
from .profiles import discrete_profiles, profile_dict
from .report import AuditReport, CheckRecord
from .spec import AuditSpec, Property, audit_spec

CHUNK = 5_000
MAX_INSTANCES = 200
ADVERSARIES = ("misreport", "coalition", "sybil", "bots", "abstain")
_ADVERSARY_PROPERTY = {"coalition": "coalition_strategyproof", "sybil": "sybil_proof",
                       "bots": "bot_proof", "abstain": "ir"}
#: checks the vectorised engine runs on prior draws
_BATCH_CHECKS = {"misreport", "abstain", "coalition", "bic", "monotonicity", "anonymity",
                 "budget_balance", "measure"}


def parse_adversary(spec: str) -> tuple[str, int]:
    """``misreport``, ``coalition:K``, ``sybil:K``, ``bots:K`` or ``abstain`` → (kind, K).

    Example:
        >>> parse_adversary("coalition:3"), parse_adversary("misreport")
        (('coalition', 3), ('misreport', 1))
    """
    kind, _, k = spec.partition(":")
    if kind not in ADVERSARIES:
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
    if k:
        raise ParameterError("adversary", f"{kind} takes no size (got {spec!r})")
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
    params: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
    sample_options: Mapping[str, Any] | None = None,
    progress: Callable[..., None] | None = None,
) -> AuditReport:
    """Audit ``mech`` for ``properties`` (default: its active claims) and return the evidence.

    Args:
        mech: a configured mechanism, or a registered name (configured with ``params``).
        agents: how many agents profiles drawn from ``prior`` have.
        prior: a numeric prior (``"uniform:0,1"``; a list for asymmetric agents) for mechanisms
            with scalar reports, or a prior the family's sampler understands (a voting culture
            such as ``"impartial"`` or ``"mallows:0.5"``).
        properties: what to check (``"dsic"``, ``"ir"``, ``"efficient"``, ``"manipulable"``,
            ...); a property the mechanism's family does not define is an error.
        samples: profiles to draw (the search budget).
        seed: the same seed gives the same report, whatever ``workers``/``executor``.
        adversary: ``"misreport"``, ``"coalition:K"``, ``"sybil:K"``, ``"bots:K"`` or
            ``"abstain"``.
        tolerance: gains at most this are not violations.
        inputs: instances to audit (always audited; a family may add profiles).
        claims: audit the mechanism's active claims (plus ``properties``).
        workers: how many worker processes (1: run in this process); also the number of
            workers of a ``"dask:local"`` cluster.
        executor: ``"local"`` (processes), ``"dask:local"`` or ``"dask://HOST:PORT"``.
        budget_balance: ``"weak"`` (payments sum to at least 0) or ``"strong"`` (exactly 0).
        params: mechanism parameters (when ``mech`` is a name, or to replace some).
        context: the non-report part of batch inputs (e.g. ``{"units": 2}``,
            ``{"slots": [1, 0.5]}``, ``{"buyers": 2}``).
        sample_options: options of the family's sampler (e.g. ``{"candidates": 4}``).
        progress: called as ``progress(done, total, property)`` before each property and
            once at the end (for progress bars; the engine prints nothing).

    Returns:
        An :class:`~hurwicz.auditing.report.AuditReport`: one
        :class:`~hurwicz.auditing.report.CheckRecord` per property (``holds`` True, False or
        None for *not tested*, the counterexample, the budget). ``to_dict()`` is its JSON,
        ``to_frame()`` a pandas DataFrame; notebooks show it as a table.

    Example:
        >>> import hurwicz as hz
        >>> rep = hz.audit("auction.second_price", agents=3, prior="uniform:0,1",
        ...                properties=["dsic"], samples=300, seed=1)
        >>> rep.check("dsic").holds, rep.check("dsic").budget["methods"][0]
        (True, 'breakpoints')
    """
    if isinstance(mech, str):
        mech = make_mechanism(mech, **dict(params or {}))
    elif params:
        mech = mech.replace(**dict(params))
    spec = audit_spec(mech)
    kind, k = parse_adversary(adversary)
    if budget_balance not in {"weak", "strong"}:
        raise ParameterError("budget_balance", "must be 'weak' or 'strong'")
    if samples < 1:
        raise ParameterError("samples", "must be at least 1")
    props = _requested(mech, spec, properties, claims, kind)
    plan = _Plan(mech, spec, agents, prior, inputs, samples, seed, context, sample_options)
    checks: list[CheckRecord] = []
    with open_executor(workers, executor) as ex:
        for i, prop in enumerate(props):
            if progress is not None:
                progress(i, len(props), prop.name)
            start = time.perf_counter()
            rec = plan.check(prop, kind, k, tolerance, budget_balance, ex)
            rec.seconds = time.perf_counter() - start
            rec.tolerance = tolerance
            rec.adversary = adversary
            checks.append(rec)
    if progress is not None:
        progress(len(props), len(props), "")
    return AuditReport(mech.name, mech.param_dict(), plan.agents, _prior_repr(prior), checks,
                       seed)


def _requested(mech: Mechanism, spec: AuditSpec, properties: Sequence[str] | None,
               claims: bool, kind: str) -> list[Property]:
    if kind != "misreport":
        name = _ADVERSARY_PROPERTY[kind]
        if properties and [spec.property(p).name for p in properties] != [
                spec.property(name).name]:
            raise AuditError(f"the {kind} adversary checks {name!r}; do not combine it with "
                             "other properties", "properties")
        return [spec.property(name)]
    if claims:
        names = list(mech.active_claims()) + [p for p in properties or []
                                              if p not in mech.active_claims()]
        if not names:
            return []  # nothing is claimed: an empty report, not a verdict
    elif not properties:
        names = list(mech.active_claims()) or [p.name for p in spec.properties.values()
                                               if p.check in ("misreport", "abstain")]
    else:
        names = list(properties)
    if not names:
        raise AuditError(f"{mech.name}: nothing to audit (no claims; name properties)",
                         "properties")
    resolved: list[Property] = []
    for name in names:
        prop = spec.property(name)
        if prop not in resolved:
            resolved.append(prop)
    return resolved


def _nfc(data: Any) -> Any:
    """Every string of a JSON-like input (keys included) in Unicode NFC, as names are
    validated; other values untouched."""
    if isinstance(data, str):
        return unicodedata.normalize("NFC", data)
    if isinstance(data, dict):
        return {_nfc(k): _nfc(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_nfc(v) for v in data]
    return data


def _nonneg(x: float) -> float:
    """max(x, 0) without a negative zero."""
    return max(float(x), 0.0) + 0.0


def _canonical(data: Any) -> str:
    from hurwicz.core.reports import as_dict

    return json.dumps(to_jsonable(as_dict(data)), sort_keys=True)


def _prior_repr(prior: Any) -> Any:
    if prior is None or isinstance(prior, str):
        return prior
    if isinstance(prior, Prior):
        return prior.spec
    return [p.spec if isinstance(p, Prior) else p for p in prior]


class _Plan:
    """Where the profiles of an audit come from, resolved once for all its checks."""

    def __init__(self, mech: Mechanism, spec: AuditSpec, agents: int | None, prior: Any,
                 inputs: Sequence[Any] | None, samples: int, seed: int,
                 context: Mapping[str, Any] | None,
                 sample_options: Mapping[str, Any] | None) -> None:
        self.mech, self.spec, self.samples, self.seed = mech, spec, samples, seed
        self.inputs = list(inputs) if inputs else None
        self.sample_options = dict(sample_options or {})
        unknown = set(self.sample_options) - spec.sample_options()
        if unknown:
            raise AuditError(f"{mech.name}: unknown sample option {sorted(unknown)[0]!r} "
                             f"(known: {', '.join(sorted(spec.sample_options())) or 'none'})",
                             "sample_options")
        self.scalar = isinstance(mech, BatchPath) and isinstance(mech, ScalarReports)
        self.priors: list[Prior] | None = None
        self.family_prior = None
        self.layout: BatchLayout | None = None
        self.agents = agents
        if prior is not None and self.scalar:
            if agents is None:
                agents = len(prior) if isinstance(prior, list | tuple) else None
            if agents is None:
                raise ParameterError("agents", "how many agents? (needed with a prior)")
            self.agents = agents
            self.priors = parse_priors(prior, agents)
            self.layout = mech.layout(agents, context)  # type: ignore[attr-defined]
        elif prior is not None:
            self.family_prior = prior
        if context and self.layout is None:
            if not isinstance(mech, BatchPath):
                raise AuditError(f"{mech.name} takes no batch context", "context")
            self.layout = mech.layout(agents or 1, context)
        self._instances: tuple[list[Any], dict[str, Any], bool, bool] | None = None

    # --- instances ---------------------------------------------------------------------------
    def instances(self) -> tuple[list[Any], dict[str, Any], bool, bool]:
        """(instances, budget entries, drawn i.i.d. from a prior, space fully enumerated)."""
        if self._instances is None:
            self._instances = self._make_instances()
        return self._instances

    def _make_instances(self) -> tuple[list[Any], dict[str, Any], bool, bool]:
        mech, spec = self.mech, self.spec
        rng = np.random.default_rng(self.seed)
        if self.inputs is not None:
            given = []
            for i, data in enumerate(self.inputs):
                try:
                    mech.parse_input(data)
                except HurwiczError as err:
                    raise AuditError(f"inputs[{i}]: {err}", "inputs") from None
                # names as the mechanism sees them (NFC), so reports and outcomes match
                given.append(_nfc(data))
            extra, space = spec.expand(given)
            seen = {_canonical(d) for d in given}
            extra = [d for d in extra if _canonical(d) not in seen]
            budget: dict[str, Any] = {"profiles": len(given) + len(extra),
                                      "given_inputs": len(given)}
            if extra:
                budget["added_profiles"] = len(extra)
                budget["space"] = space
            return given + extra, budget, False, bool(extra)
        count = max(1, min(self.samples, MAX_INSTANCES))
        if self.priors is not None:
            assert self.layout is not None
            values = sample_profiles(self.priors, rng, count)
            made = [mech.input_from_reports(profile_dict(self.layout.agents, row),  # type: ignore[attr-defined]
                                            self.layout) for row in values]
            return made, {"profiles": len(made), "source": "prior"}, True, False
        options = dict(self.sample_options)
        if self.family_prior is not None:
            options["prior"] = self.family_prior
        made = [spec.sample(rng, self.agents, **options) for _ in range(count)]
        source = "prior" if self.family_prior is not None else "family_sampler"
        return made, {"profiles": len(made), "source": source}, self.family_prior is not None, \
            False

    # --- one property ------------------------------------------------------------------------
    def check(self, prop: Property, kind: str, k: int, tol: float, bb: str,
              ex: Any) -> CheckRecord:
        batch_ok = (self.priors is not None and self.inputs is None
                    and (prop.check in _BATCH_CHECKS
                         or (prop.check == "outcome" and prop.name == "efficient"
                             and self._batch_optimum())))
        if batch_ok:
            return self._scalar_check(prop, k, tol, bb, ex)
        if prop.needs_prior:
            raise AuditError(f"{prop.name} is defined against a prior: give a numeric prior "
                             f"(and agents) for {self.mech.name}", "prior")
        instances, budget, iid, enumerated = self.instances()
        return _instance_check(self.spec, prop, instances, budget, iid, enumerated, self.seed,
                               tol, kind, k, bb)

    def _batch_optimum(self) -> bool:
        probe = np.zeros((1, len(self.layout.agents))) if self.layout else None
        return probe is not None and self.mech.optimal_welfare_batch(  # type: ignore[attr-defined]
            probe, self.layout) is not None

    def _scalar_check(self, prop: Property, k: int, tol: float, bb: str,
                      ex: Any) -> CheckRecord:
        return _scalar_check(self.mech, self.spec, prop, self.priors, self.layout,
                             self.samples, self.seed, tol, ex, bb, k)


# --- instance checks ------------------------------------------------------------------------
def _instance_check(spec: AuditSpec, prop: Property, instances: list[Any],
                    budget: dict[str, Any], iid: bool, enumerated: bool, seed: int, tol: float,
                    kind: str, k: int, bb: str) -> CheckRecord:
    rng = np.random.default_rng(seed)
    budget = dict(budget)
    check = prop.check
    if check == "misreport":
        res = generic.misreport_check(spec, instances, rng, tol)
        budget["methods"] = ["all_reports" if res["complete"] else "report_neighbourhood"]
    elif check == "coalition":
        res = generic.coalition_check(spec, instances, rng, max(k, 2), tol)
        budget.update(coalition_size=max(k, 2), methods=["joint_reports"])
    elif check == "abstain":
        res = generic.abstain_check(spec, instances, tol)
        budget["methods"] = ["abstain"]
    elif check in ("sybil", "bots"):
        res = generic.identities_check(spec, instances, k, check, tol)
        budget.update(identities=k, methods=[check])
    elif check == "anonymity":
        res = generic.anonymity_check(spec, instances, rng)
        budget["methods"] = ["swaps"]
    elif check == "monotonicity":
        res = generic.monotonicity_check(spec, instances)
        budget["methods"] = ["raises"]
    elif check == "budget_balance":
        res = generic.budget_balance_check(spec, instances, bb, tol)
        budget["mode"] = bb
    elif check == "outcome":
        assert prop.outcome is not None
        res = generic.outcome_check(spec, prop.name, prop.outcome, instances)
        budget["applicable"] = res["deviations"]
    elif check == "search":
        assert prop.search is not None
        res = prop.search(spec, instances, rng, tol)
        res.setdefault("instances", len(instances))
    else:  # bic, measure
        raise AuditError(f"{prop.name} needs a numeric prior", "prior")
    if check not in ("outcome", "budget_balance"):
        budget["deviations"] = res["deviations"]
    ce = res.get("counterexample")
    tested = res["deviations"] > 0
    holds: bool | None = (ce is None) if tested else None
    complete = bool(res.get("complete", False))
    notes = ""
    if not tested:
        notes = ("not tested: the property applies to none of these inputs" if check == "outcome"
                 else "not tested: no deviation could be tried on these inputs")
    gain = res.get("max_gain")
    return CheckRecord(prop.name, holds, exhaustive=bool(holds and complete and enumerated),
                       max_gain=None if gain is None else _nonneg(gain),
                       counterexample=ce, budget=budget, notes=notes, iid_profiles=iid,
                       exhaustive_per_profile=complete)


# --- scalar (batch) checks ------------------------------------------------------------------
def _scalar_check(mech: Any, spec: AuditSpec, prop: Property, priors: list[Prior],
                  layout: BatchLayout, samples: int, seed: int, tol: float, ex: Any, bb: str,
                  k: int) -> CheckRecord:
    names = list(layout.agents)
    sizes = split(samples, CHUNK)
    seeds = chunk_seeds(seed, len(sizes))
    args = [(mech, priors, s, sd) for s, sd in zip(sizes, seeds)]
    check = prop.check
    if check == "misreport":
        exhaustive = discrete_profiles(priors)
        if exhaustive is not None and all(p == priors[0] for p in priors):
            profiles, _ = exhaustive
            space = np.asarray(priors[0].values, dtype=float)  # type: ignore[attr-defined]
            res = scalar.dsic_on_profiles(mech, profiles, priors, report_space=space,
                                          layout=layout)
            return _dsic_record(mech, spec, prop, res, names, tol, layout, exhaustive=True,
                                methods=["exhaustive"], profiles=len(profiles))
        results = map_chunks(scalar.dsic_chunk, [(*a, layout) for a in args], ex)
        best = max(results, key=lambda r: r["max_gain"])
        best["deviations_per_profile"] = max(r["deviations_per_profile"] for r in results)
        return _dsic_record(mech, spec, prop, best, names, tol, layout, exhaustive=False,
                            methods=["breakpoints", "critical_values", "grid", "local"],
                            profiles=samples)
    finite = discrete_profiles(priors)  # every profile of a small discrete prior: a proof
    if check == "abstain":
        results = ([scalar.ir_on_profiles(mech, finite[0], layout)] if finite is not None
                   else map_chunks(scalar.ir_chunk, [(*a, layout) for a in args], ex))
        best = max(results, key=lambda r: r["max_gain"])
        ce = None
        if best["max_gain"] > tol:
            profile = profile_dict(names, best["profile"])
            data = mech.input_from_reports(profile, layout)
            agent = names[best["agent"]]
            ce = generic.counterexample(spec, data, spec.with_reports(data, {agent: None}),
                                        [agent], {agent: profile[agent]}, None)
        return CheckRecord(prop.name, ce is None, finite is not None and ce is None,
                           _nonneg(best["max_gain"]), ce,
                           {"profiles": len(finite[0]) if finite is not None else samples,
                            "deviations_per_profile": 1,
                            "methods": ["exhaustive" if finite is not None else "abstain"]},
                           iid_profiles=finite is None, exhaustive_per_profile=True)
    if check == "coalition":
        size = max(k, 2)
        if size > len(names):
            return CheckRecord(prop.name, None, budget={"profiles": 0},
                               notes=f"not tested: fewer than {size} agents")
        results = map_chunks(scalar.coalition_chunk, [(*a, size, layout) for a in args], ex)
        best = max(results, key=lambda r: r["max_gain"])
        ce = None
        if best["max_gain"] > tol:
            group = [names[i] for i in best["agents"]]
            truths = {names[i]: float(best["profile"][i]) for i in best["agents"]}
            data = mech.input_from_reports(profile_dict(names, best["profile"]), layout)
            dev = dict(zip(group, map(float, best["deviation"])))
            ce = generic.counterexample(spec, data, spec.with_reports(data, dev), group, truths,
                                        dev, group=True)
        return CheckRecord(prop.name, ce is None, False, best["max_gain"], ce,
                           {"profiles": samples, "coalition_size": size,
                            "coalitions": best["coalitions"],
                            "deviations_per_profile": best["deviations_per_profile"],
                            "methods": ["breakpoints", "random_joint", "ring"]})
    if check == "bic":
        return _bic_record(mech, priors, seed, tol, names, layout)
    if check == "monotonicity":
        results = map_chunks(scalar.monotone_chunk, [(*a, layout) for a in args], ex)
        best = max(results, key=lambda r: r["max_gain"])
        ce = None
        if best["max_gain"] > tol:
            ce = {"profile": profile_dict(names, best["profile"]),
                  "agent": names[best["agent"]], "raised_report": best["deviation"],
                  "allocation_drop": best["max_gain"]}
        return CheckRecord(prop.name, ce is None, False, best["max_gain"], ce,
                           {"profiles": samples, "methods": ["random_raise"]})
    if check == "anonymity":
        return _scalar_anonymity(mech, spec, prop, priors, seed, min(samples, 2000), names,
                                 layout)
    if finite is not None and check != "measure":
        results = [scalar.outcome_on_profiles(mech, finite[0], layout)]
    else:
        finite = None
        results = map_chunks(scalar.outcome_chunk, [(*a, layout) for a in args], ex)
    total = sum(r["n"] for r in results)
    budget: dict[str, Any] = {"profiles": total, "methods": [
        "exhaustive" if finite is not None else "sampled_profiles"]}
    if check == "measure":
        s1 = sum(r[prop.name][0] for r in results)
        s2 = sum(r[prop.name][1] for r in results)
        mean = s1 / total
        var = max(s2 / total - mean**2, 0.0) * total / max(total - 1, 1)
        return CheckRecord(prop.name, None, False, None, None, budget, value=mean,
                           stderr=math.sqrt(var / total))
    if check == "budget_balance":
        worst_min = min((r["min_revenue"] for r in results), key=lambda t: t[0])
        worst_abs = max((r["max_abs_revenue"] for r in results), key=lambda t: t[0])
        if bb == "weak":
            holds, gap, row = worst_min[0] >= -tol, -worst_min[0], worst_min[1]
        else:
            holds, gap, row = worst_abs[0] <= tol, worst_abs[0], worst_abs[1]
        ce = None if holds else {"profile": profile_dict(names, row),
                                 "outcome": mech.run(mech.input_from_reports(
                                     profile_dict(names, row), layout)).to_dict()}
        return CheckRecord(prop.name, holds, finite is not None and holds, _nonneg(gap), ce,
                           {**budget, "mode": bb}, iid_profiles=finite is None,
                           exhaustive_per_profile=True)
    # efficient, against the batch optimum
    loss, row = max((r["efficiency_loss"] for r in results), key=lambda t: t[0])
    ce = None
    if loss > tol:
        data = mech.input_from_reports(profile_dict(names, row), layout)
        ce = {"profile": profile_dict(names, row), "outcome": mech.run(data).to_dict(),
              "optimal_welfare": float(mech.optimal_welfare_batch(row[None], layout)[0])}
    return CheckRecord(prop.name, loss <= tol, finite is not None and loss <= tol,
                       _nonneg(loss), ce, budget, iid_profiles=finite is None,
                       exhaustive_per_profile=True)


def _dsic_record(mech: Any, spec: AuditSpec, prop: Property, best: dict[str, Any],
                 names: list[str], tol: float, layout: BatchLayout, exhaustive: bool,
                 methods: list[str], profiles: int) -> CheckRecord:
    budget = {"profiles": profiles, "deviations_per_profile": best["deviations_per_profile"],
              "methods": methods}
    ce = None
    gain = best["max_gain"]
    if gain > tol:
        i = best["agent"]
        agent = names[i]
        data = mech.input_from_reports(profile_dict(names, best["profile"]), layout)
        deviating = spec.with_reports(data, {agent: best["deviation"]})
        ce = generic.counterexample(spec, data, deviating, [agent],
                                    {agent: float(best["profile"][i])}, best["deviation"])
        ce["found_by"] = best.get("method")
        replayed = ce["deviating_utility"] - ce["truthful_utility"]
        if replayed <= tol:  # the batch path and run() disagree: do not report a ghost
            raise AuditError(f"{mech.name}: a batch counterexample (gain {gain:g}) did not "
                             f"replay through run() (gain {replayed:g})", "run_batch")
        gain = replayed
    return CheckRecord(prop.name, ce is None, exhaustive and ce is None, _nonneg(gain), ce,
                       budget, exhaustive_per_profile=exhaustive)


def _bic_record(mech: Any, priors: list[Prior], seed: int, tol: float,
                names: list[str], layout: BatchLayout) -> CheckRecord:
    best = None
    for i in range(len(priors)):
        if i > 0 and priors[i] == priors[0]:
            continue  # symmetric agents: one is enough
        res = scalar.bic_for_agent(mech, priors, i, seed + i, layout=layout)
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
    return CheckRecord("bic", not significant, False, _nonneg(best["max_gain"]), ce,
                       {"types": best["types"], "others_samples": best["others_samples"],
                        "methods": ["grid", "local", "common_random_numbers"]},
                       notes="interim gains are Monte Carlo estimates: a violation must "
                             "exceed tolerance + 3 standard errors")


def _scalar_anonymity(mech: Any, spec: AuditSpec, prop: Property, priors: list[Prior],
                      seed: int, samples: int, names: list[str],
                      layout: BatchLayout) -> CheckRecord:
    """Swap two columns' reports in sampled profiles and replay each suspicious profile
    through the specification's ``swap`` and ``same_outcome``."""
    rng = np.random.default_rng(seed)
    values = sample_profiles(priors, rng, samples)
    n = values.shape[1]
    if n < 2:
        return CheckRecord(prop.name, None, budget={"profiles": samples},
                           notes="not tested: one agent has nobody to be exchanged with")
    i, j = (int(x) for x in rng.choice(n, 2, replace=False))
    swapped = values.copy()
    swapped[:, [i, j]] = swapped[:, [j, i]]
    a, b = mech.run_batch(values, layout), mech.run_batch(swapped, layout)
    perm = np.arange(n)
    perm[[i, j]] = [j, i]
    alloc = a.allocation.reshape(samples, n, -1)
    pay = a.payments.reshape(samples, n, -1)
    alloc_s = b.allocation.reshape(samples, n, -1)[:, perm]
    pay_s = b.payments.reshape(samples, n, -1)[:, perm]
    differs = ~(np.isclose(alloc, alloc_s).all(axis=(1, 2))
                & np.isclose(pay, pay_s, rtol=1e-9, atol=1e-9).all(axis=(1, 2)))
    distinct = values[:, i] != values[:, j]
    ce = None
    for row in np.nonzero(differs & distinct)[0][:5]:
        data = mech.input_from_reports(profile_dict(names, values[row]), layout)
        other = spec.swap(data, names[i], names[j])
        if other is None:
            continue
        before, after = mech.run(data), mech.run(other)
        if not spec.same_outcome(before, after, {names[i]: names[j], names[j]: names[i]}):
            ce = {"input": data, "swapped": [names[i], names[j]], "swapped_input": other,
                  "outcome": before.to_dict(), "swapped_outcome": after.to_dict()}
            break
    return CheckRecord(prop.name, ce is None, False, None, ce,
                       {"profiles": samples, "swapped": [names[i], names[j]],
                        "methods": ["swapped_columns"]})

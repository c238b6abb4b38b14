"""The conformance checks behind :func:`hurwicz.testing.check_mechanism`.

Example:
    >>> [sorted(p) for p in parameter_grid("auction.first_price")][:2]
    [['reserve', 'tie_break'], ['reserve', 'tie_break']]
    >>> numeric_leaves({"bids": {"a": 1.0, "b": 2}, "name": "x"})
    [('bids', 'a'), ('bids', 'b')]
"""

from __future__ import annotations

import contextlib
import copy
import fnmatch
import io
import json
import math
import pickle
import subprocess
import sys
import tempfile
import types
import typing
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from pydantic.fields import FieldInfo

from hurwicz.auditing.engine import audit
from hurwicz.auditing.spec import AuditSpec, audit_spec
from hurwicz.core.capabilities import BatchPath
from hurwicz.core.errors import HurwiczError, ParameterError
from hurwicz.core.mechanism import Mechanism
from hurwicz.core.outcome import Outcome
from hurwicz.core.registry import get
from hurwicz.core.registry import mechanism as make_mechanism

#: Values fed into every numeric field; each must be refused with exit code 2.
BAD_VALUES: tuple[Any, ...] = (float("nan"), float("inf"), float("-inf"), 1e308, -1.0, "x")
SEED_VALUE = 7


class ConformanceError(AssertionError):
    """A mechanism failed the conformance suite; the message lists every failure."""


@dataclass
class ConformanceReport:
    """What :func:`check_mechanism` checked and what failed.

    Example:
        >>> r = ConformanceReport("m")
        >>> r.fail({}, "x", "broken")
        >>> r.passed, r.failures[0]["check"]
        (False, 'x')
    """

    mechanism: str
    settings: int = 0
    skipped_settings: list[dict[str, Any]] = field(default_factory=list)
    checks: dict[str, int] = field(default_factory=dict)
    failures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures

    def count(self, check: str, times: int = 1) -> None:
        self.checks[check] = self.checks.get(check, 0) + times

    def fail(self, params: dict[str, Any], check: str, message: str) -> None:
        self.failures.append({"params": params, "check": check, "message": message})

    def summary(self) -> str:
        """One line per failure (or a line saying everything passed).

        Example:
            >>> ConformanceReport("m", settings=2).summary()
            'm: 2 settings, 0 checks, all passed'
        """
        total = sum(self.checks.values())
        if self.passed:
            return f"{self.mechanism}: {self.settings} settings, {total} checks, all passed"
        lines = [f"{self.mechanism}: {len(self.failures)} failure(s) in {total} checks"]
        lines += [f"  [{f['check']}] params={f['params']}: {f['message']}"
                  for f in self.failures]
        return "\n".join(lines)


# --- the parameter grid ----------------------------------------------------------------------
def _literals(annotation: Any) -> list[Any]:
    """Literal values and whether an int seed is allowed, from a (union) annotation."""
    out: list[Any] = []
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return list(typing.get_args(annotation))
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            out += _literals(arg)
    return out


def _allows_int(annotation: Any) -> bool:
    if annotation is int:
        return True
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _allows_int(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return any(_allows_int(a) for a in typing.get_args(annotation))
    return False


def _bounds(info: FieldInfo) -> tuple[Any, Any]:
    lo = hi = None
    for meta in info.metadata:
        lo = getattr(meta, "ge", lo) if getattr(meta, "ge", None) is not None else lo
        hi = getattr(meta, "le", hi) if getattr(meta, "le", None) is not None else hi
    return lo, hi


def _values(info: FieldInfo) -> list[Any]:
    """Values of one parameter worth trying: the default, boundary values, seeds, every enum
    value and the field's declared examples."""
    annotation = info.annotation
    default = None if info.is_required() else info.get_default(call_default_factory=True)
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    examples = list(extra.get("examples", []))
    # a required parameter's first value (its default setting) is its first example
    values: list[Any] = list(examples) if info.is_required() else [default]
    literals = _literals(annotation)
    if literals:
        values += literals
        if _allows_int(annotation):
            values.append(SEED_VALUE)
    elif annotation is bool:
        values += [True, False]
    elif annotation is float:
        lo, hi = _bounds(info)
        if lo is not None:
            values.append(float(lo))
        if lo == 0 and hi == 1:
            values.append(1.0)
        elif isinstance(default, float) and default == 0:
            values.append(3.0)
        elif isinstance(default, float) and default > 0:
            values.append(round(default * 10, 6) if hi is None or default * 10 <= hi else hi)
    elif annotation is int:
        lo, _ = _bounds(info)
        if lo is not None:
            values.append(int(lo))
            values.append(int(lo) + 1)
    elif _allows_int(annotation) and default is None:
        values.append(SEED_VALUE)  # an optional seed (random serial dictatorship)
    values += examples
    seen: list[Any] = []
    for v in values:
        if not any(type(v) is type(s) and v == s for s in seen):
            seen.append(v)
    return seen


def parameter_grid(name: str | type[Mechanism]) -> list[dict[str, Any]]:
    """Settings to check: the defaults (required parameters take their first declared
    example), then every other value of each parameter, one parameter at a time.

    Example:
        >>> grid = parameter_grid("auction.second_price")
        >>> {"reserve": 3.0, "tie_break": "lowest_name"} in grid
        True
        >>> {"reserve": 0.0, "tie_break": 7} in grid
        True
    """
    cls = get(name) if isinstance(name, str) else name
    fields = cls.Params.model_fields
    options = {p: _values(info) for p, info in fields.items()}
    base: dict[str, Any] = {}
    for p, info in fields.items():
        if info.is_required():
            if not options[p]:
                raise ParameterError(p, f"{cls.name}: a required parameter needs "
                                     "json_schema_extra={'examples': [...]} for the "
                                     "conformance suite")
            base[p] = options[p][0]
        else:
            base[p] = info.get_default(call_default_factory=True)
    grid = [dict(base)]
    for p, values in options.items():
        for v in values:
            setting = {**base, p: v}
            if setting not in grid:
                grid.append(setting)
    return grid


# --- helpers -----------------------------------------------------------------------------------
def numeric_leaves(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths to every number (not bool) in a JSON-like input.

    Example:
        >>> numeric_leaves({"units": 2, "bids": {"a": [3.0, 1.0]}})
        [('units',), ('bids', 'a', 0), ('bids', 'a', 1)]
    """
    if isinstance(data, bool):
        return []
    if isinstance(data, int | float):
        return [path]
    if isinstance(data, dict):
        return [p for k, v in data.items() for p in numeric_leaves(v, (*path, k))]
    if isinstance(data, list):
        return [p for i, v in enumerate(data) for p in numeric_leaves(v, (*path, i))]
    return []


def _set(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    out = copy.deepcopy(data)
    node = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return out


def _shuffled(data: Any, rng: np.random.Generator) -> Any:
    """The same input with every object's keys in a different order (lists untouched)."""
    if isinstance(data, dict):
        keys = list(data)
        order = [keys[i] for i in rng.permutation(len(keys))]
        if len(keys) > 1 and order == keys:
            order = keys[::-1]
        return {k: _shuffled(data[k], rng) for k in order}
    if isinstance(data, list):
        return [_shuffled(v, rng) for v in data]
    return data


def _canonical(out: Outcome) -> str:
    return json.dumps(out.to_dict(), sort_keys=True, allow_nan=False)


def _close(x: float, y: float) -> bool:
    return math.isclose(float(x), float(y), rel_tol=1e-9, abs_tol=1e-9)


def _instances(mech: Mechanism, spec: AuditSpec, samples: int, seed: int
               ) -> tuple[list[Any], int]:
    """The family's degenerate cases valid for this setting, plus sampled instances with
    zero, one, two and the default number of agents."""
    rng = np.random.default_rng(seed)
    out: list[Any] = []
    invalid = 0
    candidates = list(spec.edge_cases())
    sizes = [1, 2, None]
    candidates += [spec.sample(rng, sizes[i % len(sizes)]) for i in range(samples)]
    for data in candidates:
        try:
            mech.run(data)
        except HurwiczError:
            invalid += 1
            continue
        out.append(data)
    return out, invalid


# --- the checks --------------------------------------------------------------------------------
def _check_outcomes(mech: Mechanism, spec: AuditSpec, instances: list[Any],
                    params: dict[str, Any], report: ConformanceReport, seed: int) -> None:
    rng = np.random.default_rng(seed)
    twin = pickle.loads(pickle.dumps(mech))
    clone = copy.deepcopy(mech)
    if twin != mech or clone != mech:
        report.fail(params, "pickle", "pickle or deepcopy changed the mechanism")
    for data in instances:
        out = mech.run(data)
        doc = out.to_dict()
        report.count("json_round_trip")
        try:
            text = json.dumps(doc, allow_nan=False)
        except ValueError as err:
            report.fail(params, "json_round_trip", f"{err} in {doc}")
            continue
        if json.loads(text) != doc:
            report.fail(params, "json_round_trip", "to_dict() does not survive JSON")
        report.count("deterministic")
        again = make_mechanism(mech.name, **mech.params.model_dump()).run(copy.deepcopy(data))
        if again.to_json() != out.to_json():
            report.fail(params, "deterministic", f"two runs differ on {data}")
        report.count("pickle")
        if twin.run(data).to_json() != out.to_json() or clone.run(data).to_json() != \
                out.to_json():
            report.fail(params, "pickle", f"a pickled/deep-copied mechanism differs on {data}")
        if pickle.loads(pickle.dumps(out)).to_json() != out.to_json():
            report.fail(params, "pickle", "the outcome does not survive pickle")
        report.count("key_order")
        shuffled = _shuffled(data, rng)
        if _canonical(mech.run(shuffled)) != _canonical(out):
            report.fail(params, "key_order", f"the outcome depends on key order: {data}")
        report.count("agents_in_outcome")
        for agent in spec.agents(data):
            if agent not in out.allocation or agent not in out.payments:
                report.fail(params, "agents_in_outcome",
                            f"agent {agent!r} missing from allocation or payments for {data}")
                break
        if isinstance(mech, BatchPath):
            _check_batch(mech, data, out, params, report)


def _check_batch(mech: Any, data: Any, out: Outcome, params: dict[str, Any],
                 report: ConformanceReport) -> None:
    report.count("run_batch_agrees")
    reports, layout = mech.batch_reports(data)
    batch = mech.run_batch(reports, layout)
    n = len(layout.agents)
    if n == 0:
        if np.asarray(batch.payments).size:
            report.fail(params, "run_batch_agrees", f"no agent but payments in {data}")
        return
    alloc = np.asarray(batch.allocation).reshape(1, n, -1).sum(axis=2)[0]
    pay = np.asarray(batch.payments).reshape(1, n, -1).sum(axis=2)[0]
    slots = batch.extra.get("slot")
    for i, agent in enumerate(layout.agents):
        got = out.allocation.get(agent)
        if not _close(pay[i], out.payment(agent)):
            report.fail(params, "run_batch_agrees", f"payment of {agent}: run "
                        f"{out.payment(agent)} vs run_batch {pay[i]} on {data}")
            return
        if slots is not None:  # position auctions: the slot, -1 for none
            expected = -1 if got is None else got
            same = int(np.asarray(slots)[0, i]) == expected
        else:
            same = _close(alloc[i], got or 0)
        if not same:
            report.fail(params, "run_batch_agrees", f"allocation of {agent}: run {got} vs "
                        f"run_batch {alloc[i]} on {data}")
            return


def _check_claims(mech: Mechanism, instances: list[Any], params: dict[str, Any],
                  report: ConformanceReport, seed: int) -> None:
    for claim in mech.active_claims():
        report.count("claims_hold")
        try:
            rec = audit(mech, inputs=instances, properties=[claim], seed=seed).check(claim)
        except HurwiczError as err:
            report.fail(params, "claims_hold", f"{claim}: the audit could not run: {err}")
            continue
        if rec.holds is False:
            ce = json.dumps(rec.counterexample, default=str)[:600]
            report.fail(params, "claims_hold", f"{claim} is violated: {ce}")
        elif rec.holds is None:
            report.fail(params, "claims_hold", f"{claim} was not tested by any instance "
                        f"({rec.notes})")


@contextlib.contextmanager
def _captured() -> Iterator[tuple[io.StringIO, io.StringIO]]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        yield out, err


def _cli(argv: list[str]) -> tuple[int, str, str]:
    from hurwicz.cli import main

    with _captured() as (out, err):
        try:
            main(argv)
            code = 0
        except SystemExit as done:
            code = int(done.code or 0)
    return code, out.getvalue(), err.getvalue()


def _param_args(params: dict[str, Any]) -> list[str]:
    args: list[str] = []
    for k, v in params.items():
        args += ["--param", f"{k}={json.dumps(v)}"]
    return args


def _check_cli(mech: Mechanism, spec: AuditSpec, instances: list[Any],
               report: ConformanceReport, subprocess_run: bool) -> None:
    params = mech.params.model_dump()
    with_numbers = [d for d in instances if numeric_leaves(d) and spec.agents(d)]
    data = with_numbers[0] if with_numbers else (instances[0] if instances else None)
    if data is None:
        report.fail(params, "cli", "no valid instance to run")
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.json"
        path.write_text(json.dumps(data))
        expected = mech.run(data).to_dict()
        if subprocess_run:
            report.count("cli_json")
            done = subprocess.run(
                [sys.executable, "-m", "hurwicz", "run", mech.name, str(path), "--json",
                 *_param_args(params)], capture_output=True, text=True, timeout=120)
            try:
                document = json.loads(done.stdout)
            except json.JSONDecodeError:
                report.fail(params, "cli_json", f"stdout is not exactly one JSON document: "
                            f"{done.stdout[:300]!r} (stderr {done.stderr[:300]!r})")
            else:
                if done.returncode != 0 or document != json.loads(json.dumps(expected)):
                    report.fail(params, "cli_json", "the CLI's document differs from run()")
                if done.stderr.strip():
                    report.fail(params, "cli_json", f"stderr is not empty: "
                                f"{done.stderr[:300]!r}")
        signed = tuple(getattr(spec, "signed_fields", ()))
        for leaf in numeric_leaves(data)[:6]:
            dotted = ".".join(str(p) for p in leaf)
            for bad in BAD_VALUES:
                if bad == -1.0 and any(fnmatch.fnmatch(dotted, pat) for pat in signed):
                    continue
                report.count("bad_values_refused")
                path.write_text(json.dumps(_set(data, leaf, bad)))
                code, _, err = _cli(["run", mech.name, str(path), "--json",
                                     *_param_args(params)])
                if code != 2 or not err.startswith("error: ") or dotted not in err:
                    report.fail(params, "bad_values_refused",
                                f"{dotted} = {bad!r}: exit {code}, stderr {err.strip()!r}")


def _guarded(check: Any, params: dict[str, Any], report: ConformanceReport) -> None:
    """Run one group of checks; an unexpected exception is a failure, never a crash."""
    try:
        check()
    except Exception as err:  # the suite reports every defect it meets
        report.fail(params, "crash", f"{type(err).__name__}: {err}")


def check_mechanism(name: str, *, samples: int = 16, seed: int = 0, cli: bool = True,
                    subprocess_cli: bool = True, raise_on_failure: bool = False,
                    grid: Sequence[dict[str, Any]] | None = None) -> ConformanceReport:
    """Run the conformance suite on a registered mechanism (see the package docstring).

    ``samples`` sampled instances (plus the family's degenerate cases) per setting; ``cli``
    runs the command-line checks (``subprocess_cli``: also ``hurwicz run`` in a fresh
    process, which only sees mechanisms registered on import); ``grid`` overrides
    :func:`parameter_grid`. With ``raise_on_failure`` a failing mechanism raises
    :class:`ConformanceError`.

    Example:
        >>> check_mechanism("voting.plurality", samples=3, cli=False).passed
        True
    """
    report = ConformanceReport(name)
    settings = list(grid) if grid is not None else parameter_grid(name)
    cli_done = False
    for i, params in enumerate(settings):
        try:
            mech = make_mechanism(name, **params)
        except ParameterError:
            report.skipped_settings.append(params)  # an invalid combination, refused clearly
            continue
        report.settings += 1
        spec = audit_spec(mech)
        instances, _invalid = _instances(mech, spec, samples, seed + i)
        if not instances:
            report.fail(params, "instances", "no valid instance: the family's sampler and "
                        "degenerate cases all fail")
            continue
        _guarded(partial(_check_outcomes, mech, spec, instances, params, report, seed + i),
                 params, report)
        _guarded(partial(_check_claims, mech, instances, params, report, seed + i),
                 params, report)
        if cli and not cli_done:
            _guarded(partial(_check_cli, mech, spec, instances, report,
                             subprocess_run=subprocess_cli), params, report)
            cli_done = True
    if report.settings == 0:
        report.fail({}, "settings", "every parameter setting was refused")
    if raise_on_failure and not report.passed:
        raise ConformanceError(report.summary())
    return report


__all__ = ["BAD_VALUES", "ConformanceError", "ConformanceReport", "check_mechanism",
           "numeric_leaves", "parameter_grid"]

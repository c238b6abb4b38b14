"""Extreme numbers never give a wrong winner, a ``null`` or ``NaN`` in the output, or a traceback
(issue #13, "Inputs: strict, and nothing silently changed").

Every registered mechanism's example inputs (its audit specification's degenerate cases and
samples) are run with each numeric leaf set, one at a time, to 1e15 (the largest accepted
amount), 1e16, 1e308 and -1e308 (integer leaves also to 10**16, 2**63, 10**308, -10**308). Each
run must either succeed with an outcome that survives ``json.dumps(allow_nan=False)`` and has a
number in ``payments`` and ``metrics`` wherever the unchanged input's outcome has one, or
raise an :class:`InputError` naming the leaf or a field containing it (``bids.a1`` for a list of
marginal values that is no longer non-increasing). Plus the specific cases the issue names:
all-pay bids of 1e308, clock auctions with bids of 1e17 or an increment of 1e-300,
contributions of 1e308, kidney weights of 1e308.
"""

from __future__ import annotations

import copy
import json
import numbers
from typing import Any

import numpy as np
import pytest

import hurwicz as hz
from hurwicz.auditing.spec import audit_spec
from hurwicz.core.errors import HurwiczError, InputError
from hurwicz.testing import numeric_leaves, parameter_grid

NAMES = [n for n in hz.names() if not n.startswith("test")]
FLOATS = (1e15, 1e16, 1e308, -1e308)
INTS = (10**16, 2**63, 10**308, -10**308)

#: Known defects outside this suite's owners' code, each with the issue to fix it: a strict xfail
#: fails as soon as the defect is fixed, so the entry is removed then.
KNOWN: dict[str, str] = {}  # mechanisms with a known defect here (strict xfail); none today
#: Errors about a relation between fields, named by the field the rule is about: a budget below
#: every seller's cost names ``budget`` whichever cost made it so.
RELATIONAL: dict[str, set[str]] = {"procurement.budget_feasible": {"budget"}}


def instances(mech: Any) -> list[Any]:
    """The family's degenerate cases and a few samples that run (JSON round-tripped, so that no
    two leaves share one list object)."""
    spec = audit_spec(mech)
    rng = np.random.default_rng(3)
    out = []
    for data in [*spec.edge_cases(), spec.sample(rng, 2), spec.sample(rng, None)]:
        data = json.loads(json.dumps(data))
        try:
            mech.run(data)
        except HurwiczError:
            continue
        out.append(data)
    return out


def at(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        data = data[key]
    return data


def with_value(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    out = copy.deepcopy(data)
    at(out, path[:-1])[path[-1]] = value
    return out


def lost_numbers(before: Any, after: Any, path: str = "") -> list[str]:
    """Paths where ``before`` holds a number and ``after`` holds ``null`` (or nothing numeric)."""
    if isinstance(before, numbers.Number) and not isinstance(before, bool):
        ok = isinstance(after, numbers.Number) and not isinstance(after, bool)
        return [] if ok else [path]
    if isinstance(before, dict) and isinstance(after, dict):
        return [p for k in before if k in after
                for p in lost_numbers(before[k], after[k], f"{path}.{k}")]
    return []


def check(mech: Any, data: Any, leaf: tuple[Any, ...], value: Any, base: dict) -> str | None:
    """None if the run is acceptable, else what went wrong."""
    dotted = ".".join(str(p) for p in leaf)
    bad = with_value(data, leaf, value)
    try:
        out = mech.run(bad).to_dict()
    except InputError as err:
        field = err.field or ""
        if field == dotted or dotted.startswith(field + "."):
            return None
        if field in RELATIONAL.get(mech.name, set()):
            return None
        return f"{dotted}={value!r}: the error names {field!r}: {err}"
    except Exception as err:  # the point of the test: nothing else may escape
        return f"{dotted}={value!r}: {type(err).__name__}: {err}"
    try:
        json.dumps(out, allow_nan=False)
    except ValueError as err:
        return f"{dotted}={value!r}: the outcome is not JSON ({err})"
    # payments and metrics are numbers; allocation (a slot) and result (a price) may be
    # null when nothing is sold, which a changed input can legitimately cause
    lost = lost_numbers({k: base[k] for k in ("payments", "metrics")}, out)
    if lost:
        return f"{dotted}={value!r}: null where a number was expected at {lost}"
    return None


@pytest.mark.parametrize("name", [
    pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=KNOWN[n])) if n in KNOWN else n
    for n in NAMES])
def test_extreme_numbers_are_run_or_refused_naming_the_field(name: str) -> None:
    mech = hz.mechanism(name, **parameter_grid(name)[0])
    cases = instances(mech)
    assert cases, "no example input runs"
    problems: list[str] = []
    tried = 0
    for data in cases:
        base = mech.run(data).to_dict()
        for leaf in numeric_leaves(data):
            values = FLOATS + (INTS if isinstance(at(data, leaf), int) else ())
            for value in values:
                tried += 1
                problem = check(mech, data, leaf, value, base)
                if problem:
                    problems.append(problem)
    assert not problems, f"{len(problems)} of {tried}:\n" + "\n".join(problems[:10])


# --- the cases the issue names ----------------------------------------------------------------
def test_all_pay_bids_of_1e308_are_refused_naming_the_bid() -> None:
    with pytest.raises(InputError) as err:
        hz.mechanism("auction.all_pay").run({"bids": {"a": 1e308, "b": 1e308}})
    assert err.value.field == "bids.a" and "less than or equal to" in err.value.message


@pytest.mark.parametrize("name", ["auction.english", "auction.dutch"])
def test_clock_auctions_refuse_bids_of_1e17_naming_the_bid(name: str) -> None:
    with pytest.raises(InputError) as err:
        hz.mechanism(name).run({"bids": {"a": 1e17, "b": 5}})
    assert err.value.field == "bids.a"


@pytest.mark.parametrize("name", ["auction.english", "auction.dutch"])
def test_clock_auctions_refuse_uncountable_levels_naming_the_bid(name: str) -> None:
    """With an increment of 1e-300 a bid of 10 is 10^301 clock steps above the reserve: the
    level cannot be counted, so the winner and price would be wrong. The error names the bid
    and says what to change."""
    with pytest.raises(InputError) as err:
        hz.mechanism(name, increment=1e-300).run({"bids": {"a": 10, "b": 3}})
    assert err.value.field == "bids.a" and "params.increment" in err.value.message
    # the largest countable distance is fine, one bid at the reserve too
    out = hz.mechanism(name, increment=1e-300).run({"bids": {"a": 0.0, "b": 0.0}})
    assert sum(out.allocation.values()) == 1
    ok = hz.mechanism(name, increment=1.0).run({"bids": {"a": 1e15, "b": 1.0}})
    assert ok.allocation == {"a": 1, "b": 0}
    json.dumps(ok.to_dict(), allow_nan=False)
    with pytest.raises(InputError, match="^reports: "):
        hz.mechanism(name, increment=1e-300).run_batch(np.array([[10.0, 3.0]]))


@pytest.mark.parametrize("name", ["auction.english", "auction.dutch"])
def test_clock_increment_parameter_is_bounded(name: str) -> None:
    for bad in (0.0, -1.0, float("nan"), float("inf"), 1e308):
        with pytest.raises(HurwiczError, match="params.increment"):
            hz.mechanism(name, increment=bad)


@pytest.mark.parametrize("name", ["funding.quadratic", "funding.pairwise",
                                  "funding.capital_constrained", "funding.cluster_match"])
def test_contributions_of_1e308_are_refused(name: str) -> None:
    with pytest.raises(InputError) as err:
        hz.mechanism(name, pool=10).run({"contributions": [
            {"contributor": "a", "project": "p", "amount": 1e308},
            {"contributor": "b", "project": "p", "amount": 1e308}]})
    assert err.value.field == "contributions.0.amount"


def test_the_largest_contributions_give_finite_matches() -> None:
    data = {"pool": 1e15, "contributions": [
        {"contributor": f"u{i}", "project": "p", "amount": 1e15} for i in range(100)]}
    for name in ("funding.quadratic", "funding.pairwise", "funding.capital_constrained",
                 "funding.cluster_match"):
        out = hz.mechanism(name).run(data).to_dict()
        json.dumps(out, allow_nan=False)
        assert 0 < out["result"]["matching"]["p"] <= 1e15


def test_kidney_weights_of_1e308_are_refused_and_1e15_is_exact() -> None:
    kidney = hz.mechanism("matching.kidney")
    with pytest.raises(InputError) as err:
        kidney.run({"pairs": ["a", "b"], "edges": [
            {"donor": "a", "recipient": "b", "weight": 1e308},
            {"donor": "b", "recipient": "a", "weight": 1e308}]})
    assert err.value.field == "edges.0.weight"
    out = kidney.run({"pairs": ["a", "b", "c"], "edges": [
        {"donor": "a", "recipient": "b", "weight": 1e15}, {"donor": "b", "recipient": "a"},
        {"donor": "a", "recipient": "c", "weight": 1e15},
        {"donor": "c", "recipient": "a", "weight": 2}]})
    assert out.result["cycles"] == [["a", "c"]] and out.metrics["weight"] == 1e15 + 2


@pytest.mark.parametrize("name", ["auction.vcg", "matching.kidney"])
def test_solver_time_limits_are_bounded(name: str) -> None:
    for bad in (float("inf"), float("nan"), 1e308, 0.0):
        with pytest.raises(HurwiczError, match="params.time_limit"):
            hz.mechanism(name, time_limit=bad)
    assert hz.mechanism(name, time_limit=60.0).params.time_limit == 60.0


def test_position_auction_quality_and_ctrs_are_bounded() -> None:
    gsp = hz.mechanism("auction.gsp")
    for field, data in [
        ("slots.0", {"slots": [1e308], "bids": {"a": 1}}),
        ("quality.a", {"slots": [1.0], "bids": {"a": 1}, "quality": {"a": 1e308}}),
    ]:
        with pytest.raises(InputError) as err:
            gsp.run(data)
        assert err.value.field == field
    out = gsp.run({"slots": [1e6, 1.0], "bids": {"a": 1e15, "b": 1e15},
                   "quality": {"a": 1e6, "b": 1e6}}).to_dict()
    json.dumps(out, allow_nan=False)


def test_every_float_field_has_an_upper_bound() -> None:
    """No float field of any registered mechanism's inputs or parameters lacks ``le=``: an
    unbounded float admits 1e308, whose sums and products overflow to inf."""
    import typing

    from pydantic import BaseModel
    from pydantic.fields import FieldInfo

    def bounded(meta: tuple[Any, ...]) -> bool:
        flat: list[Any] = []
        for m in meta:
            flat += list(m.metadata) if isinstance(m, FieldInfo) else [m]
        return any(getattr(m, "le", None) is not None or getattr(m, "lt", None) is not None
                   for m in flat)

    unbounded: list[str] = []
    seen: set[type] = set()

    def walk(annotation: Any, path: str, meta: tuple[Any, ...] = ()) -> None:
        if typing.get_origin(annotation) is typing.Annotated:
            base, *extra = typing.get_args(annotation)
            walk(base, path, meta + tuple(extra))
        elif annotation is float:
            if not bounded(meta):
                unbounded.append(path)
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if annotation not in seen:
                seen.add(annotation)
                for field, info in annotation.model_fields.items():
                    walk(info.annotation, f"{path}.{field}", tuple(info.metadata))
        else:
            for arg in typing.get_args(annotation):
                walk(arg, f"{path}[]", meta)

    for name in NAMES:
        cls = hz.get(name)
        for model in (cls.Params, cls.Input):
            if model is not None:
                walk(model, f"{name}:{model.__name__}")
    assert not unbounded, unbounded

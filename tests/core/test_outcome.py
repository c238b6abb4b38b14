"""Outcome serialisation and the error hierarchy."""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest

from hurwicz.core.errors import (
    HurwiczError,
    InputError,
    ParameterError,
    PriorError,
    SolverError,
    UnknownMechanismError,
)
from hurwicz.core.outcome import BatchOutcome, Outcome, to_jsonable
from hurwicz.core.validation import check_finite_nonnegative


def test_to_dict_is_strict_json_with_every_design_key() -> None:
    out = Outcome(
        "m", {"k": np.float64(1.5)}, {"a": np.int64(1)}, {"a": Fraction(1, 2)},
        {"set": {"y", "x"}, "nan": float("nan")}, {"welfare": np.float32(2)},
    )
    doc = json.loads(json.dumps(out.to_dict(), allow_nan=False))
    assert doc == {
        "mechanism": "m", "params": {"k": 1.5}, "allocation": {"a": 1},
        "payments": {"a": 0.5}, "result": {"set": ["x", "y"], "nan": None},
        "metrics": {"welfare": 2.0},
    }


def test_to_jsonable_handles_nested_arrays_and_tuples() -> None:
    assert to_jsonable({"t": (1, np.array([[1.0, 2.0]]))}) == {"t": [1, [[1.0, 2.0]]]}


def test_batch_outcome_metrics() -> None:
    b = BatchOutcome(np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([[2.0, 0.0], [0.0, 1.0]]))
    values = np.array([[5.0, 1.0], [1.0, 3.0]])
    assert b.revenue().tolist() == [2.0, 1.0]
    assert b.welfare(values).tolist() == [5.0, 3.0]
    assert b.utilities(values).tolist() == [[3.0, 0.0], [0.0, 2.0]]


def test_every_error_is_a_hurwicz_error_naming_its_field() -> None:
    errors = [
        InputError("bids.a", "bad"),
        ParameterError("reserve", "bad"),
        PriorError("x", "bad"),
        SolverError("bad", "wdp"),
        UnknownMechanismError("a.b"),
    ]
    for err in errors:
        assert isinstance(err, HurwiczError)
        assert err.field and str(err).startswith(err.field + ":")


@pytest.mark.parametrize("bad", [-1, float("inf"), float("nan"), "3", True, None])
def test_check_finite_nonnegative_rejects(bad) -> None:
    with pytest.raises(InputError, match="bids.x"):
        check_finite_nonnegative(bad, "bids.x")


def test_outcome_rows_frame_and_notebook_html() -> None:
    out = Outcome("m", {}, {"a": [1, 2], "<b>": None}, {"a": -0.0, "<b>": 1.5},
                  {"probability": {"a": 0.25, "<b>": 0.75}, "per_project": {"p": 1.0},
                   "allocation": {"a": 9}}, {"revenue": 1.5})
    columns, rows = out.rows()
    # per-agent result fields become columns; a field named like a column is prefixed;
    # fields keyed by something else (projects) are not per-agent
    assert columns == ["agent", "allocation", "payment", "probability", "result.allocation"]
    assert rows[1] == {"agent": "<b>", "allocation": None, "payment": 1.5,
                       "probability": 0.75, "result.allocation": None}
    df = out.to_frame()
    assert df.shape == (2, 5) and df.loc[0, "allocation"] == [1, 2]
    assert str(df.loc[0, "payment"]) == "0.0"  # never -0.0
    snippet = out._repr_html_()
    assert "&lt;b&gt;" in snippet and "<b>" not in snippet and "<th>revenue</th>" in snippet
    assert out.to_dict()["payments"]["a"] == -0.0  # to_dict is unchanged


def test_outcome_to_frame_without_pandas(monkeypatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"hurwicz\[frames\]"):
        Outcome("m", {}, {"a": 1}, {"a": 0.0}).to_frame()

"""pandas frames and notebook display of outcomes, audit reports and evaluations; the public
functions' signatures and docstrings."""

from __future__ import annotations

import inspect
import json
import pickle
import sys

import pytest

import hurwicz as hz
from hurwicz.auditing.report import AuditReport
from hurwicz.report.tables import AUDIT_COLUMNS, EVALUATION_COLUMNS, MissingExtraError, to_csv
from hurwicz.simulate import Evaluation

pd = pytest.importorskip("pandas")


@pytest.fixture(scope="module")
def gsp_outcome() -> hz.Outcome:
    return hz.mechanism("auction.gsp").run({"slots": [1.0, 0.5],
                                            "bids": {"a": 3, "b": 2, "c": 1}})


@pytest.fixture(scope="module")
def report() -> AuditReport:
    return hz.audit("auction.first_price", agents=2, prior="uniform:0,1",
                    properties=["dsic", "ir", "revenue"], samples=300)


@pytest.fixture(scope="module")
def evaluation() -> Evaluation:
    return hz.evaluate("auction.second_price", agents=3, prior="uniform:0,1", samples=4000)


def test_outcome_frame_has_one_row_per_agent(gsp_outcome: hz.Outcome) -> None:
    df = gsp_outcome.to_frame()
    assert list(df.columns) == ["agent", "allocation", "payment", "price_per_click", "clicks"]
    assert df["agent"].tolist() == ["a", "b", "c"]
    assert df.set_index("agent")["payment"].to_dict() == gsp_outcome.payments
    assert df.set_index("agent")["clicks"].to_dict() == gsp_outcome.result["clicks"]


def test_list_allocations_stay_lists_in_frames() -> None:
    out = hz.mechanism("auction.vcg").run({"items": ["x", "y"], "bids": {
        "a": [{"bundle": ["x", "y"], "value": 5}], "b": [{"bundle": ["x"], "value": 3}]}})
    assert out.to_frame().set_index("agent")["allocation"].to_dict() == out.allocation


def test_audit_frame_has_one_row_per_check(report: AuditReport) -> None:
    df = report.to_frame()
    assert list(df.columns) == list(AUDIT_COLUMNS)
    assert df["property"].tolist() == ["dsic", "ir", "revenue"]
    assert df["verdict"].tolist() == ["violated", "holds", "measured"]
    assert df.loc[2, "value"] == report.check("revenue").value
    assert df.loc[0, "max_gain"] == report.check("dsic").max_gain
    assert df.loc[0, "counterexample"]["agent"] == report.check("dsic").counterexample["agent"]


def test_evaluation_is_a_dict_with_a_frame(evaluation: Evaluation) -> None:
    assert isinstance(evaluation, Evaluation) and isinstance(evaluation, dict)
    assert json.loads(json.dumps(evaluation)) == evaluation.to_dict()
    assert pickle.loads(pickle.dumps(evaluation)) == evaluation
    df = evaluation.to_frame()
    assert list(df.columns) == list(EVALUATION_COLUMNS)
    assert df["quantity"].tolist()[:4] == ["revenue", "welfare", "efficiency",
                                           "optimal_welfare"]
    utility = df[df["quantity"] == "utility"]
    assert utility["agent"].tolist() == [1, 2, 3]
    assert utility["mean"].tolist() == [u["mean"] for u in evaluation["utility"]]


def test_frames_without_pandas_name_the_frames_extra(monkeypatch, gsp_outcome,
                                                     report, evaluation) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    for obj in (gsp_outcome, report, evaluation):
        with pytest.raises(MissingExtraError, match=r"pip install 'hurwicz\[frames\]'"):
            obj.to_frame()
    with pytest.raises(ImportError):  # it is an ImportError too
        gsp_outcome.to_frame()
    # CSV needs no pandas
    assert to_csv(*gsp_outcome.rows()).startswith("agent,allocation,payment")


def test_notebook_html_is_a_compact_escaped_table(gsp_outcome, report, evaluation) -> None:
    out = hz.mechanism("auction.second_price").run({"bids": {"<b>Zoë</b>": 3, "x&y": 1}})
    snippet = out._repr_html_()
    assert snippet.startswith('<div class="hz-outcome"><table class="hz">')
    assert "&lt;b&gt;Zoë&lt;/b&gt;" in snippet and "x&amp;y" in snippet and "<b>" not in snippet
    assert '"mechanism"' not in snippet  # a table, not a JSON dump
    assert "<th>price</th><td>1</td>" in snippet
    many = hz.mechanism("auction.first_price").run({"bids": {f"x{i}": i for i in range(40)}})
    assert many._repr_html_().count("<tr>") == 1 + 25 + 1 + len(many.result) + len(many.metrics)
    assert "… 15 more" in many._repr_html_()
    audit = report._repr_html_()
    assert audit.count("<tr>") == 1 + 3 and 'class="violated">violated' in audit
    assert "± " in audit  # the measured revenue with its standard error
    table = evaluation._repr_html_()
    assert "<td>revenue</td>" in table and "4,000 profiles" in table


def test_audit_and_evaluate_have_real_signatures_and_docstrings() -> None:
    assert inspect.isfunction(hz.audit) and inspect.isfunction(hz.evaluate)
    audit = inspect.signature(hz.audit)
    assert list(audit.parameters)[:4] == ["mech", "agents", "prior", "properties"]
    assert audit.parameters["samples"].default == 20_000
    assert "progress" in audit.parameters
    evaluate = inspect.signature(hz.evaluate)
    assert list(evaluate.parameters)[:4] == ["mech", "agents", "prior", "strategy"]
    assert evaluate.parameters["histograms"].default is False
    for fn, words in ((hz.audit, ("Args:", "adversary:", "Returns:", "AuditReport")),
                      (hz.evaluate, ("Args:", "strategy:", "Returns:", "Evaluation"))):
        doc = inspect.getdoc(fn)
        assert all(w in doc for w in words), fn.__name__

"""HTML reports (``--html FILE`` on run, audit and evaluate; ``hurwicz report``): one
self-contained page whose figures carry the numbers they plot, checked against the outcome,
audit or evaluation they come from."""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path

import pytest

import hurwicz as hz
from hurwicz.cli import main
from hurwicz.report.figures import FigureData, outcome_figures
from hurwicz.report.html import kind_of, page, write_page
from hurwicz.report.tables import MissingExtraError

ROOT = Path(__file__).resolve().parents[2]
CONTRIBUTIONS = ROOT / "examples" / "inputs" / "contributions.csv"
FIGURE = re.compile(r'<figure class="hz-figure"[^>]*data-figure="([^"]+)" '
                    r'data-values="([^"]*)">(.*?)</figure>', re.S)


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(args)
    captured = capsys.readouterr()
    return int(exit_.value.code or 0), captured.out, captured.err


def figures(text: str) -> dict[str, dict]:
    """Each figure's plotted numbers (its data-values JSON), by figure key."""
    found = {key: json.loads(html.unescape(values)) for key, values, _ in FIGURE.findall(text)}
    assert found, "no figure in the page"
    return found


def assert_self_contained(text: str) -> None:
    assert text.startswith("<!DOCTYPE html>")
    # no external resource: nothing is loaded by src/href/url() from elsewhere
    for attr in re.findall(r'(?:src|href)\s*=\s*["\']([^"\']*)', text):
        assert attr.startswith(("#", "data:")), attr
    assert not re.search(r"url\(\s*['\"]?(?!#|data:)", text)
    assert "<script" not in text and "<link" not in text and "@import" not in text
    for _, _, body in FIGURE.findall(text):
        assert "<svg" in body  # inline SVG figures


def test_run_html_funding_round_plots_matches_per_project(tmp_path: Path, capsys) -> None:
    target = tmp_path / "round.html"
    code, out, err = run_cli(["run", "funding.quadratic", str(CONTRIBUTIONS), "-p", "pool=100",
                              "--html", str(target), "--json"], capsys)
    assert code == 0 and json.loads(out)["mechanism"] == "funding.quadratic"
    assert err == f"wrote {target}\n"
    text = target.read_text(encoding="utf-8")
    assert_self_contained(text)
    outcome = json.loads(out)
    data = figures(text)["matching"]
    assert data["labels"] == list(outcome["result"]["matching"])
    assert data["series"]["match"] == list(outcome["result"]["matching"].values())
    assert data["series"]["contributions"] == list(outcome["result"]["contributions"].values())
    assert figures(text)["payments"]["series"]["payment"] == list(outcome["payments"].values())
    # the same numbers in a table next to the figure
    assert "<th>project</th><th>contributions</th><th>match</th>" in text


@pytest.mark.parametrize("name", ["voting.irv", "voting.stv"])
def test_run_html_elimination_rounds_are_plotted_round_by_round(name: str, tmp_path: Path,
                                                               capsys) -> None:
    election = {"candidates": ["Zoë", "b", "c", "d"], "ballots": [
        {"ranking": ["Zoë", "b"], "count": 4}, {"ranking": ["b", "c"], "count": 3},
        {"ranking": ["c", "b"], "count": 2}, {"ranking": ["d", "c"], "count": 1}]}
    source = tmp_path / "election.json"
    source.write_text(json.dumps(election), encoding="utf-8")
    target = tmp_path / "election.html"
    code, _, _ = run_cli(["run", name, str(source), "--html", str(target)], capsys)
    assert code == 0
    text = target.read_text(encoding="utf-8")
    assert_self_contained(text)
    rounds = hz.mechanism(name).run(election).to_dict()["result"]["rounds"]
    assert len(rounds) > 1
    data = figures(text)["rounds"]
    assert data["labels"] == ["Zoë", "b", "c", "d"]
    for i, r in enumerate(rounds):
        assert data["series"][f"round {i + 1}"] == [r["tally"].get(c) for c in data["labels"]]
    assert "Zoë" in text and "Z\\u00eb" not in text


def test_audit_html_plots_max_gain_and_shows_the_counterexample(tmp_path: Path,
                                                                capsys) -> None:
    target = tmp_path / "audit.html"
    code, out, _ = run_cli(["audit", "auction.first_price", "--agents", "2", "--prior",
                            "uniform:0,1", "--properties", "dsic,ir", "--samples", "300",
                            "--json", "--html", str(target)], capsys)
    assert code == 0
    report = json.loads(out)
    text = target.read_text(encoding="utf-8")
    assert_self_contained(text)
    data = figures(text)["max_gain"]
    assert data["labels"] == ["dsic", "ir"]
    assert data["series"]["max gain"] == [c["max_gain"] for c in report["checks"]]
    assert data["reference"] == {"name": "tolerance", "value": 1e-9}
    pre = re.search(r'<pre class="hz" data-property="dsic">(.*?)</pre>', text, re.S)
    assert pre and json.loads(html.unescape(pre.group(1)))["agent"] == \
        report["checks"][0]["counterexample"]["agent"]
    assert 'class="violated">violated<' in text and 'class="holds">holds<' in text


def test_evaluate_html_plots_revenue_and_welfare_distributions(tmp_path: Path,
                                                               capsys) -> None:
    target = tmp_path / "evaluation.html"
    args = ["evaluate", "auction.second_price", "--agents", "2", "--samples", "5000",
            "--seed", "3"]
    code, out, _ = run_cli([*args, "--json", "--html", str(target)], capsys)
    assert code == 0 and "histograms" not in json.loads(out)  # only with --histograms
    text = target.read_text(encoding="utf-8")
    assert_self_contained(text)
    found = figures(text)
    direct = hz.evaluate("auction.second_price", agents=2, prior="uniform:0,1", samples=5000,
                         seed=3, histograms=True)
    for key in ("revenue", "welfare"):
        assert found[key]["edges"] == direct["histograms"][key]["edges"]
        assert found[key]["series"]["profiles"] == direct["histograms"][key]["counts"]
        assert sum(found[key]["series"]["profiles"]) == 5000
    _, with_hist, _ = run_cli([*args, "--json", "--histograms"], capsys)
    assert json.loads(with_hist)["histograms"] == direct["histograms"]


def test_histograms_are_exact_counts() -> None:
    ev = hz.evaluate("auction.first_price", agents=2, prior="uniform:0,1", samples=1000,
                     seed=0, histograms=5)
    hist = ev["histograms"]["revenue"]
    assert len(hist["counts"]) == 5 and len(hist["edges"]) == 6 and sum(hist["counts"]) == 1000
    assert ev["revenue"] == hz.evaluate("auction.first_price", agents=2, prior="uniform:0,1",
                                        samples=1000, seed=0)["revenue"]
    with pytest.raises(hz.ParameterError):
        hz.evaluate("auction.first_price", agents=2, prior="uniform:0,1", samples=10,
                    histograms=-1)


def test_report_command_combines_saved_documents(tmp_path: Path, capsys) -> None:
    outcome = tmp_path / "outcome.json"
    audit = tmp_path / "audit.json"
    _, out, _ = run_cli(["run", "funding.quadratic", str(CONTRIBUTIONS), "-p", "pool=100",
                         "--json"], capsys)
    outcome.write_text(out)
    _, out, _ = run_cli(["audit", "auction.all_pay", "--agents", "2", "--prior", "uniform:0,1",
                         "--properties", "ir", "--samples", "100", "--json"], capsys)
    audit.write_text(out)
    target = tmp_path / "both.html"
    code, _, err = run_cli(["report", str(outcome), str(audit), "-o", str(target), "--title",
                            "Round <1>"], capsys)
    assert code == 0 and "wrote" in err
    text = target.read_text()
    assert_self_contained(text)
    assert "<title>Round &lt;1&gt;</title>" in text
    assert {"matching", "payments", "max_gain"} <= set(figures(text))
    bad = tmp_path / "bad.json"
    bad.write_text('{"something": "else"}')
    code, _, err = run_cli(["report", str(bad), "-o", str(target)], capsys)
    assert code == 2 and err.startswith("error: report: not an outcome")


def test_names_are_escaped_everywhere(tmp_path: Path) -> None:
    out = hz.mechanism("auction.second_price").run({"bids": {"<img src=x>": 3, "b&c": 1}})
    text = write_page(tmp_path / "x.html", [out]).read_text()
    assert "<img" not in text and "&lt;img src=x&gt;" in text and "b&amp;c" in text
    assert_self_contained(text)


def test_page_without_matplotlib_names_the_plot_extra(monkeypatch, tmp_path: Path,
                                                      capsys) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    out = hz.mechanism("auction.second_price").run({"bids": {"a": 3, "b": 1}})
    with pytest.raises(MissingExtraError, match=r"pip install 'hurwicz\[plot\]'"):
        page([out.to_dict()])
    # a page with no figure to draw needs no matplotlib
    assert "<table" in page([hz.mechanism("auction.second_price").run(
        {"bids": {"a": 3}}).to_dict()], figures=False)
    path = tmp_path / "bids.json"
    path.write_text('{"bids": {"a": 3, "b": 1}}')
    code, _, err = run_cli(["run", "auction.second_price", str(path), "--html",
                            str(tmp_path / "r.html")], capsys)
    assert code == 2 and "hurwicz[plot]" in err and err.count("\n") == 1


def test_kinds_and_figure_choices() -> None:
    assert kind_of({"strategy": "truthful", "revenue": {}}) == "evaluation"
    with pytest.raises(hz.InputError):
        kind_of([1, 2])
    # no payments, no rounds, no scores: nothing to plot
    assert outcome_figures({"allocation": {"a": "x"}, "payments": {"a": 0.0}, "result": {}}) == []
    many = {f"p{i:03d}": float(i) for i in range(120)}
    fig = outcome_figures({"allocation": {}, "payments": {}, "result": {"matching": many}})[0]
    assert len(fig.labels) == 50 and fig.labels[-1] == "p119" and "50 largest of 120" in fig.note
    assert FigureData("k", "t", ["a"], {"s": [1]}).values() == {"labels": ["a"],
                                                               "series": {"s": [1]}}

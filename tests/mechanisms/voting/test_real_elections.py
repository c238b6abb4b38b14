"""Real elections counted end to end, and the Scottish STV rules' arithmetic.

Irish general election, 17 May 2002 (PrefLib dataset 00001 "irish": the ballots of the three
constituencies that voted electronically, published by the Dublin County Returning Officer;
``../shared/data/preflib/README.md``; Dublin West is shipped in ``examples/inputs/preflib``).
The elected TDs are public record (the members of the 29th Dáil by constituency, in the Houses
of the Oireachtas members' database; for Dublin West checked here against the Irish Examiner,
"Labour Number 1 in Dublin West", May 2002). The official counts used the Irish rules
(Electoral Act 1992: a surplus is a random sample of whole papers from the last parcel); each
surplus rule here (last-parcel Gregory, the closest, exact WIGM, Scottish WIGM, Meek where
registered) must elect the same members. Valid polls and first preferences by party are
compared with the published results ("How Ireland Voted 2002", Appendix 1, Table A1.1:
electorate, valid votes and first preference votes for each party — Dublin North and Dublin
West rows); they agree exactly, so these files hold the official papers (Meath's row was not
available offline: not compared).

Scottish Local Government Elections Order 2007 (SSI 2007/42, Schedule 1, rules 45–52): hand
counts derived from the rules' text (cited per test), and the 2017 Dumbarton ward count
(West Dunbartonshire Council; ballot data in ``data/scotland2017_dumbarton.soi``), whose
elected councillors are public record (David McBride, Karen Conaghan, Iain McLaren, Brian
Walker: local press, "West Dunbartonshire Council election 2022: meet the Dumbarton
candidates", 2022, naming the sitting councillors and those first elected in 2017). That count
ran under the 2011 Order (SSI 2011/399), whose counting rules carry numbers one higher; the
test checks the quota, the first preferences and the elected, not the stage figures (the
council's stage report was not available offline).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import hurwicz as hz
from hurwicz.cli import app, main
from hurwicz.io.inputs import read_input
from hurwicz.mechanisms.voting.count_cli import count_page, run_count
from hurwicz.mechanisms.voting.profile import Profile
from hurwicz.mechanisms.voting.stv import stv
from hurwicz.report.rounds import count_stages

ROOT = Path(__file__).resolve().parents[3]
SHARED = ROOT.parent / "shared" / "data" / "preflib"
SHIPPED = ROOT / "examples" / "inputs" / "preflib" / "00001-00000002.soi"
DUMBARTON = Path(__file__).with_name("data") / "scotland2017_dumbarton.soi"

#: file, seats, the elected TDs as the file's header names them (official results, 2002)
IRISH = {
    "dublin_north": ("00001-00000001.soi", 4, {
        "Trevor Sargent G.P.", "Jim Glennon F.F.", "G.V. Wright F.F.", "Sean Ryan Lab"}),
    "dublin_west": ("00001-00000002.soi", 3, {
        "Joe Higgins S.P.", "Brian Lenihan F.F.", "Joan Burton Lab"}),
    "meath": ("00001-00000003.soi", 5, {
        "John Bruton F.G.", "Johnny Brady F.F.", "Mary Wallace F.F.", "Noel Dempsey F.F.",
        "Damien English F.G."}),
}

#: How Ireland Voted 2002, Appendix 1, Table A1.1: valid poll and first preferences by party
#: (FF, FG, Lab, PD, Green, SF, others; a party with no candidate is absent)
PUBLISHED = {
    "dublin_north": (43_942, {"F.F.": 16_803, "F.G.": 5_189, "Lab": 6_359, "G.P.": 7_294,
                              "S.F.": 1_350, "others": 6_947}),
    "dublin_west": (29_988, {"F.F.": 10_386, "F.G.": 3_694, "Lab": 3_810, "P.D.": 2_370,
                             "G.P.": 748, "S.F.": 2_404, "others": 6_576}),
}
PARTIES = ("F.F.", "F.G.", "Lab", "P.D.", "G.P.", "S.F.")


def irish_path(key: str) -> Path:
    name = IRISH[key][0]
    if key == "dublin_west" and SHIPPED.exists():
        return SHIPPED
    path = SHARED / name
    if not path.exists():
        pytest.skip(f"{path} not available")
    return path


def raw_first_preferences(path: Path) -> tuple[dict[str, int], int]:
    """First preferences and voters read straight from the PrefLib text (not our reader)."""
    names: dict[int, str] = {}
    first: Counter[str] = Counter()
    voters = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        found = re.match(r"# ALTERNATIVE NAME (\d+): (.*)", line)
        if found:
            names[int(found[1])] = found[2].strip()
        elif line and not line.startswith("#"):
            count, order = line.split(":", 1)
            first[names[int(order.split(",")[0])]] += int(count)
            voters += int(count)
    return {n: first.get(n, 0) for n in names.values()}, voters


def transfers() -> list[str]:
    rules = ["gregory", "wigm", "scottish"]
    return rules + (["meek"] if "voting.meek_stv" in hz.names() else [])


def count(data: dict, seats: int, transfer: str) -> hz.Outcome:
    if transfer == "meek":
        return hz.mechanism("voting.meek_stv", seats=seats).run(data)
    return hz.mechanism("voting.stv", seats=seats, transfer=transfer).run(data)


@pytest.mark.parametrize("key", sorted(IRISH))
def test_irish_2002_elects_the_official_members(key: str) -> None:
    path = irish_path(key)
    _, seats, official = IRISH[key]
    data = read_input(path, "voting.stv")
    assert official <= set(data["candidates"])  # the names map onto the file's header
    for transfer in transfers():
        out = count(data, seats, transfer)
        assert set(out.result["winners"]) == official, transfer
        assert not out.result["tie_broken"], transfer


@pytest.mark.parametrize("key", sorted(IRISH))
def test_irish_2002_first_count_equals_the_first_preferences(key: str) -> None:
    path = irish_path(key)
    first, voters = raw_first_preferences(path)
    out = hz.mechanism("voting.stv", seats=IRISH[key][1], transfer="gregory").run(
        read_input(path, "voting.stv"))
    assert out.metrics["voters"] == voters
    assert out.result["rounds"][0]["tally"] == {n: float(v) for n, v in first.items()}
    assert out.result["quota"] == voters // (IRISH[key][1] + 1) + 1  # Droop, Electoral Act
    if key in PUBLISHED:
        valid, by_party = PUBLISHED[key]
        assert voters == valid
        party: Counter[str] = Counter()
        for name, votes in first.items():
            party[next((p for p in PARTIES if name.endswith(" " + p)), "others")] += votes
        assert dict(party) == by_party


def test_irish_count_from_the_cli_matches_the_official_members() -> None:
    path = irish_path("dublin_west")
    res = CliRunner().invoke(app, ["count", str(path), "--rule", "voting.stv", "--seats", "3",
                                   "--param", "transfer=gregory", "--json"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert set(report["elected"]) == IRISH["dublin_west"][2]
    assert report["valid_poll"] == 29_988 and report["quota"] == 7_498
    first, _ = raw_first_preferences(path)
    assert report["stages"][0]["totals"] == {n: float(v) for n, v in first.items()}
    # every stage: the totals, the exhausted value and what the elected keep make the poll
    for stage in report["stages"]:
        total = sum(stage["totals"].values()) + stage["exhausted"] + stage["with_elected"]
        assert total == pytest.approx(29_988, abs=1e-6)
    table = CliRunner().invoke(app, ["count", str(path), "--seats", "3"])
    assert table.exit_code == 0 and "Joan Burton Lab" in table.stdout
    assert "surplus of Brian Lenihan F.F." in table.stdout


def test_irv_on_real_data_reports_exhausted_ballots() -> None:
    path = irish_path("dublin_west")
    report = run_count(path, "voting.irv")
    for stage in report["stages"]:  # IRV: tallies + exhausted = every ballot, exactly
        assert sum(stage["totals"].values()) + stage["exhausted"] == 29_988
    assert report["stages"][0]["exhausted"] == 0 and report["stages"][-1]["exhausted"] > 0
    assert report["elected"] == ["Brian Lenihan F.F."]


# --- the exact invariant, with Fractions --------------------------------------------------------
def _exact_rounds(path: Path, seats: int, transfer: str) -> tuple[int, dict]:
    profile = Profile.from_input(read_input(path, "voting.stv"), "voting.stv")
    return profile.voters, stv(profile, seats, "droop", transfer, list(range(
        len(profile.candidates))))


@pytest.mark.parametrize("transfer", ["wigm", "scottish"])
def test_tallies_and_exhausted_account_for_every_vote(transfer: str) -> None:
    """At the start of each round: continuing totals + exhausted (after the round before) +
    what the elected keep = valid poll. WIGM keeps exactly the quota per transferred surplus;
    the Scottish rules also drop less than 0.00001 per ballot paper per surplus (rule 48(3))."""
    voters, counted = _exact_rounds(irish_path("dublin_west"), 3, transfer)
    quota, rounds = counted["quota"], counted["rounds"]
    kept: dict[int, Fraction] = {}
    exhausted = Fraction(0)
    surpluses = 0
    for r in rounds:
        held = voters - sum(r["tally"].values()) - exhausted
        if transfer == "wigm":
            assert held == sum(kept.values())
        else:
            lost = held - sum(kept.values())
            assert 0 <= lost <= Fraction(surpluses * voters, 10**5)
        for c in r["elected"]:
            kept[c] = r["tally"][c]
        if r["transfer"] is not None and r["transfer"]["kind"] == "surplus":
            kept[r["transfer"]["from"]] = quota
            surpluses += 1
        exhausted = r["exhausted"]
        if transfer == "scottish":
            assert all((v * 10**5).denominator == 1 for v in r["tally"].values())


# --- the Scottish rules by hand -----------------------------------------------------------------
def scot(data: dict, seats: int, **params) -> hz.Outcome:
    return hz.mechanism("voting.stv", seats=seats, transfer="scottish", **params).run(data)


def test_scottish_transfer_values_are_truncated_per_paper() -> None:
    """Rule 46: quota = floor(20 / 4) + 1 = 6. Rule 48(3)-(4): a's surplus 4 over 10 papers:
    4 × 1 / 10 = 0.4 each, so b has 3 + 4 = 7 and is elected (rule 47). b's surplus 1 over 7
    votes: its 3 first preferences get 1 × 1 / 7 = 0.142857… → 0.14285, its 10 papers from a
    get 1 × 0.4 / 7 = 0.0571428… → 0.05714: c = 1 + 0.42855 + 0.5714 = 1.99995 (exact WIGM:
    2). c is then lowest, below e's 2 (rule 50), with no tie to break; under WIGM c and e tie
    and the tie-break decides."""
    data = {"candidates": ["a", "b", "c", "d", "e"], "ballots": [
        {"ranking": ["a", "b", "c"], "count": 10}, {"ranking": ["b", "c"], "count": 3},
        {"ranking": ["c"], "count": 1}, {"ranking": ["d"], "count": 4},
        {"ranking": ["e"], "count": 2}]}
    out = scot(data, 3)
    rounds = out.result["rounds"]
    assert out.result["quota"] == 6
    assert rounds[0]["elected"] == ["a"] and rounds[0]["transfer"]["value"] == 4
    assert rounds[1]["tally"]["b"] == 7 and rounds[1]["elected"] == ["b"]
    assert rounds[2]["tally"]["c"] == 1.99995
    assert rounds[2]["excluded"] == "c" and not out.result["tie_broken"]
    assert out.result["winners"] == ["a", "b", "d"]
    exact = hz.mechanism("voting.stv", seats=3, transfer="wigm").run(data)
    assert exact.result["rounds"][2]["tally"]["c"] == 2 and exact.result["tie_broken"]


def test_scottish_exclusion_ties_look_back_to_the_last_unequal_stage() -> None:
    """Quota floor(13 / 2) + 1 = 7. Stage 1: x 5, y 3, z 4, w 1; w is excluded, its paper
    goes to y: y 4, z 4. Rule 51(2)(a): at the most recent preceding stage where they were
    unequal (stage 1) y had fewer, so y is excluded, and its papers elect x. The input-order
    tie-break alone (exact WIGM) would exclude z instead, electing y."""
    data = {"candidates": ["x", "y", "z", "w"], "ballots": [
        {"ranking": ["x"], "count": 5}, {"ranking": ["y", "x"], "count": 3},
        {"ranking": ["z", "y"], "count": 4}, {"ranking": ["w", "y"], "count": 1}]}
    out = scot(data, 1)
    assert [r["excluded"] for r in out.result["rounds"]] == ["w", "y", None]
    assert out.result["winners"] == ["x"] and not out.result["tie_broken"]
    exact = hz.mechanism("voting.stv", seats=1, transfer="wigm").run(data)
    assert exact.result["winners"] == ["y"] and exact.result["tie_broken"]


def test_scottish_no_transfer_of_a_zero_surplus_and_last_vacancies() -> None:
    """Rule 48(1): a total equal to the quota has no surplus to transfer; rule 52: when the
    continuing candidates just fill the vacancies they are elected, with no transfer."""
    data = {"candidates": ["a", "b", "c"], "ballots": [
        {"ranking": ["a", "b"], "count": 3}, {"ranking": ["b"], "count": 2},
        {"ranking": ["c"], "count": 3}]}
    out = scot(data, 2)  # quota floor(8 / 3) + 1 = 3: a and c reach it at stage 1
    assert out.result["quota"] == 3 and len(out.result["rounds"]) == 1
    assert out.result["rounds"][0]["elected"] == ["a", "c"]
    data["ballots"][2]["count"] = 1  # n = 6, quota 3: a elected, equal to the quota
    out = scot(data, 2)
    assert out.result["rounds"][0]["transfer"]["kind"] == "exclusion"
    exact = hz.mechanism("voting.stv", seats=2).run(data)  # WIGM moves a zero surplus first
    assert exact.result["rounds"][0]["transfer"] == {"from": "a", "kind": "surplus",
                                                     "value": 0.0}


def test_scottish_dumbarton_2017() -> None:
    """The 2017 Dumbarton ward count under the Order: valid poll 6,562, quota
    floor(6562 / 5) + 1 = 1,313 (rule 46), and the four councillors the council declared."""
    data = read_input(DUMBARTON, "voting.stv")
    out = scot(data, 4)
    assert out.metrics["voters"] == 6_562 and out.result["quota"] == 1_313
    assert set(out.result["winners"]) == {"David_MCBRIDE_Lab", "Karen_CONAGHAN_SNP",
                                          "Iain_MCLAREN_SNP", "Brian_WALKER_Con"}
    first = out.result["rounds"][0]["tally"]
    assert first["David_MCBRIDE_Lab"] == 1_762 and first["Karen_CONAGHAN_SNP"] == 1_499
    for r in out.result["rounds"]:  # rule 48(3): every total a multiple of 0.00001
        assert all(abs(v * 10**5 - round(v * 10**5)) < 1e-6 for v in r["tally"].values())


ballot_rows = st.lists(st.tuples(st.lists(st.integers(0, 4), min_size=1, max_size=5,
                                           unique=True), st.integers(1, 9)),
                       min_size=1, max_size=12)


@settings(max_examples=80, deadline=None)
@given(ballot_rows, st.integers(1, 3))
def test_scottish_count_invariants(rows, seats):
    """On any profile: every total is a multiple of 0.00001 (rule 48(3)); at each stage the
    continuing totals, the exhausted value and what the elected keep (the quota after their
    surplus moved) make the valid poll, less at most 0.00001 per ballot paper per surplus
    transfer; the committee has ``seats`` members."""
    width = 5
    table = np.full((len(rows), width), -1, dtype=np.int64)
    for i, (ranking, _) in enumerate(rows):
        table[i, :len(ranking)] = ranking
    profile = Profile.from_arrays(list("abcde"), table, np.array([n for _, n in rows]))
    counted = stv(profile, seats, "droop", "scottish", list(range(width)))
    assert len(counted["elected"]) == seats
    kept: dict[int, Fraction] = {}
    exhausted, surpluses = Fraction(0), 0
    for r in counted["rounds"]:
        assert all((v * 10**5).denominator == 1 for v in r["tally"].values())
        lost = profile.voters - sum(r["tally"].values()) - exhausted - sum(kept.values())
        assert 0 <= lost <= Fraction(surpluses * profile.voters, 10**5)
        for c in r["elected"]:
            kept[c] = r["tally"][c]
        if r["transfer"] is not None and r["transfer"]["kind"] == "surplus":
            kept[r["transfer"]["from"]] = counted["quota"]
            surpluses += 1
        exhausted = r["exhausted"]


# --- the CSV path and the reports ---------------------------------------------------------------
def test_csv_ballots_count_round_by_round(tmp_path: Path) -> None:
    """A hand-made CSV (rank1..rank3, blanks unranked), 2 seats, quota floor(9 / 3) + 1 = 4:
    stage 1 a 5, b 2, c 1, d 1 — a elected, surplus 1 over 5 votes: 0.2 per paper, 3 to b,
    2 exhausted; stage 2 b 2.6, c 1, d 1; c and d tie — the tie-break (input order) excludes
    d, whose paper goes to c; stage 3 b 2.6, c 2: c excluded, its papers exhaust; b is left."""
    csv = tmp_path / "ballots.csv"
    csv.write_text("rank1,rank2,rank3\n" + "a,b,\n" * 3 + "a,,\n" * 2 + "b,,\n" * 2
                   + "c,,\nd,c,\n")
    res = CliRunner().invoke(app, ["count", str(csv), "--seats", "2", "--param",
                                   "transfer=wigm", "--json"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    stages = report["stages"]
    assert report["valid_poll"] == 9 and report["quota"] == 4
    assert [s["action"] for s in stages] == ["first preferences", "surplus of a",
                                             "exclusion of d", "exclusion of c"]
    assert stages[1]["totals"] == {"b": 2.6, "c": 1.0, "d": 1.0}
    assert stages[1]["changes"] == {"a": -1.0, "b": pytest.approx(0.6), "c": 0.0, "d": 0.0}
    assert stages[1]["exhausted"] == pytest.approx(0.4)
    assert report["elected"] == ["a", "b"] and report["tie_broken"]
    for s in stages:
        assert sum(s["totals"].values()) + s["exhausted"] + s["with_elected"] == \
            pytest.approx(9)
    assert stages[1]["with_elected"] == pytest.approx(4)  # a keeps the quota


def test_html_reports_are_escaped_and_hold_the_rounds_table(tmp_path: Path) -> None:
    csv = tmp_path / "ballots.csv"
    csv.write_text("rank1,rank2\n<b>x</b>,y\n<b>x</b>,y\ny,\nz,y\n")
    page = tmp_path / "count.html"
    res = CliRunner().invoke(app, ["count", str(csv), "--rule", "voting.irv", "--html",
                                   str(page)])
    assert res.exit_code == 0, res.output
    text = page.read_text()
    assert 'class="hz hz-rounds"' in text and "&lt;b&gt;x&lt;/b&gt;" in text
    assert "<b>x</b>" not in text and "http" not in text
    assert "elimination of z" in text
    report = run_count(csv, "voting.irv")
    rounds_table = count_page(report).split('class="hz hz-rounds"')[1]
    # a header row, one row per candidate and one of exhausted ballots
    assert rounds_table.count("<tr>") == 1 + len(report["stages"][0]["totals"]) + 1
    run_page = tmp_path / "run.html"  # hurwicz run ... --html shows the same table
    res = CliRunner().invoke(app, ["run", "voting.stv", str(csv), "--param", "seats=1",
                                   "--html", str(run_page)])
    assert res.exit_code == 0, res.output
    assert 'class="hz hz-rounds"' in run_page.read_text()


def test_count_refuses_what_it_cannot_count(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    csv = tmp_path / "ballots.csv"
    csv.write_text("rank1\na\n")
    for args, says in ((["--rule", "voting.borda"], "error: --rule: "),
                       (["--rule", "voting.irv", "--seats", "2"], "error: --seats: "),
                       (["--seats", "1", "--param", "seats=1"], "given twice")):
        with pytest.raises(SystemExit) as exit_:
            main(["count", str(csv), *args])
        assert exit_.value.code == 2
        assert says in capsys.readouterr().err


def test_count_stages_of_an_outcome_without_rounds() -> None:
    out = hz.mechanism("voting.borda").run({"candidates": ["a"], "ballots": [
        {"ranking": ["a"]}]})
    assert count_stages(out.to_dict()) is None

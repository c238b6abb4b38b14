"""Adversarial review of the issue-18 ranked rules: regressions for the defects found, and
differential checks on distributions the rules' own tests do not draw.

* Differential: Split Cycle, Stable Voting, the Banks set, the four uncovered sets, Slater,
  Black, Smith-IRV, Condorcet-IRV, anti-plurality, Borda-as-positional, top-two runoff and
  Dodgson against pref_voting on many candidates with few voters, even electorates (majority
  ties), one ballot cast by everyone, and one- and two-candidate elections.
* Scottish STV (SSI 2007/42 Sch. 1): a count computed by hand from rules 43, 46, 47, 48(3)-(4)
  and 50; and an independent count written from the rules' text for this review, compared on
  random profiles.
* Regressions: blank ballots are not valid papers (Scottish quota, ``hurwicz count``'s valid
  poll); a float score is the decimal it is written as.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import hurwicz as hz
from hurwicz.cli import app, main
from hurwicz.core.errors import InputError


def _tied(name: str, data: dict, **params) -> list[int]:
    return sorted(int(c[1:]) for c in hz.mechanism(name, **params).run(data).result["tied"])


def _election(m: int, rankings: list[list[int]], counts: list[int]) -> dict:
    names = [f"c{i}" for i in range(m)]
    return {"candidates": names, "ballots": [{"ranking": [names[x] for x in r], "count": k}
                                             for r, k in zip(rankings, counts, strict=True)]}


def _draw(rng: np.random.Generator, kind: str) -> tuple[int, list[list[int]], list[int]]:
    if kind == "many_candidates":  # 5-8 candidates, 1-4 voters: cycles and ties everywhere
        m = int(rng.integers(5, 9))
        counts = [1] * int(rng.integers(1, 5))
    elif kind == "even":  # even counts: many zero margins
        m = int(rng.integers(3, 6))
        counts = [2 * int(c) for c in rng.integers(1, 3, size=int(rng.integers(1, 6)))]
    elif kind == "identical":
        m = int(rng.integers(1, 6))
        counts = [int(rng.integers(1, 4))]
    else:  # one or two candidates
        m = int(rng.integers(1, 3))
        counts = [int(c) for c in rng.integers(1, 4, size=int(rng.integers(1, 4)))]
    return m, [[int(x) for x in rng.permutation(m)] for _ in counts], counts


def test_differential_against_pref_voting_on_new_distributions() -> None:
    """Whole winner sets equal pref_voting's (smith_irv_put / condorcet_irv_put /
    plurality_with_runoff_put: parallel-universe sets) on 4 × 20 profiles."""
    pytest.importorskip("pref_voting")
    from pref_voting import c1_methods as c1
    from pref_voting import combined_methods as cm
    from pref_voting import iterative_methods as it
    from pref_voting import margin_based_methods as mb
    from pref_voting import scoring_methods as sm
    from pref_voting.profiles import Profile as PVProfile

    peers = {"voting.split_cycle": mb.split_cycle, "voting.stable_voting": mb.stable_voting,
             "voting.banks": c1.banks, "voting.slater": c1.slater, "voting.black": cm.blacks,
             "voting.smith_irv": cm.smith_irv_put, "voting.condorcet_irv": cm.condorcet_irv_put,
             "voting.anti_plurality": sm.anti_plurality, "voting.positional": sm.borda,
             "voting.runoff": it.plurality_with_runoff_put}
    coverings = {"gillies": c1.uc_gill, "fishburn": c1.uc_fish, "bordes": c1.uc_bordes,
                 "mckelvey": c1.uc_mckelvey}
    rng = np.random.default_rng(1818)
    checked = 0
    for kind in ("many_candidates", "even", "identical", "small"):
        for _ in range(20):
            m, rankings, counts = _draw(rng, kind)
            data = _election(m, rankings, counts)
            prof = PVProfile(rankings, rcounts=counts)
            for name, peer in peers.items():
                if name == "voting.slater" and m > 6:
                    continue  # pref_voting's Slater enumerates m! rankings: slow
                assert _tied(name, data) == sorted(peer(prof)), (name, data)
                checked += 1
            for covering, peer in coverings.items():
                assert _tied("voting.uncovered_set", data, covering=covering) == sorted(
                    peer(prof)), (covering, data)
                checked += 1
    assert checked > 80 * 13


def test_dodgson_against_pref_voting_with_few_voters() -> None:
    pytest.importorskip("pref_voting")
    pytest.importorskip("ortools")
    from pref_voting.other_methods import dodgson
    from pref_voting.profiles import Profile as PVProfile

    rng = np.random.default_rng(7)
    for kind in ("many_candidates", "even", "identical", "small"):
        for _ in range(8):
            m, rankings, counts = _draw(rng, kind)
            if m > 6:
                continue
            data = _election(m, rankings, counts)
            assert _tied("voting.dodgson", data) == sorted(
                dodgson(PVProfile(rankings, rcounts=counts))), data


# --- positional: a float score is the decimal it is written as ---------------------------------
def test_float_scores_are_read_as_decimals() -> None:
    """Regression: ``scores=[1, 0.1, 0, …]`` was read as the binary double nearest to 0.1
    (0.1000000000000000055…), so ten second places beat one first place, while the same
    vector scaled by ten, ``[10, 1, 0, …]``, ties them. A score vector and its multiple by a
    positive constant rank every profile alike (Saari 1995, ch. 1: scores matter up to an
    affine map), so both must tie a, b and the d's here."""
    others = [f"d{i}" for i in range(10)]
    names = ["a", "b", "z", *others]
    ballots = [{"ranking": ["a", "z", "b", *others]}]  # a: one first place
    ballots += [{"ranking": [d, "b", "a", "z", *[x for x in others if x != d]]}
                for d in others]  # each d one first place, b ten second places
    data = {"candidates": names, "ballots": ballots}
    tail = [0] * (len(names) - 2)
    decimal = hz.mechanism("voting.positional", scores=[1, 0.1, *tail]).run(data).result
    scaled = hz.mechanism("voting.positional", scores=[10, 1, *tail]).run(data).result
    assert scaled["tied"] == sorted(["a", "b", *others])
    assert decimal["tied"] == scaled["tied"]
    assert decimal["scores"]["b"] == 1.0 and decimal["scores"]["z"] == 0.1
    # 0.3 = 3 × 0.1 exactly (as decimals; not as doubles)
    triple = hz.mechanism("voting.positional", scores=[0.3, 0.1, 0]).run(
        {"candidates": ["a", "b", "c"], "ballots": [
            {"ranking": ["a", "c", "b"]}, {"ranking": ["c", "b", "a"], "count": 3},
            {"ranking": ["b", "a", "c"]}]}).result
    # a: 0.3 + 0.1 = 0.4; b: 0.3 + 3 × 0.1 = 0.6; c: 3 × 0.3 + 0.1 = 1.0
    assert triple["winners"] == ["c"]
    assert hz.mechanism("voting.positional").version >= "4"


# --- Scottish STV: blank papers, a hand count, an independent count ----------------------------
SCOT_HAND = {"candidates": ["A", "B", "C", "D"], "ballots": [
    {"ranking": ["A", "B", "C"], "count": 7}, {"ranking": ["A", "C"], "count": 5},
    {"ranking": ["B"], "count": 3}, {"ranking": ["C", "B"], "count": 4},
    {"ranking": ["D", "C"], "count": 2}, {"ranking": [], "count": 3}]}


def test_scottish_hand_count_with_blank_papers() -> None:
    """Computed by hand from SSI 2007/42 Sch. 1. Rule 43(1)(b): the 3 blank papers give no
    first preference and are rejected, so the valid papers are 21 and the quota (rule 46) is
    floor(21 / 3) + 1 = 8 (it was 9, from all 24 ballots, before this review's fix).
    Stage 1: A 12, B 3, C 4, D 2; A is elected (rule 47) with a surplus of 4.
    Stage 2 (rule 48(3)-(4)): each of A's 12 papers is worth 4 × 1 / 12 = 0.333… → 0.33333;
    B + 7 × 0.33333 = 5.33331, C + 5 × 0.33333 = 5.66665 (0.00004 is lost to truncation).
    Stage 3 (rule 50): D, the lowest, is excluded; its 2 papers go to C: 7.66665.
    Stage 4: B (5.33331) is excluded: 7 papers at 0.33333 go to C (9.99996 ≥ 8, elected), and
    B's 3 first preferences are non-transferable."""
    out = hz.mechanism("voting.stv", seats=2, transfer="scottish").run(SCOT_HAND).result
    rounds = out["rounds"]
    assert out["quota"] == 8
    assert rounds[0]["tally"] == {"A": 12, "B": 3, "C": 4, "D": 2}
    assert rounds[0]["elected"] == ["A"] and rounds[0]["transfer"]["value"] == 4
    assert rounds[1]["tally"] == {"B": 5.33331, "C": 5.66665, "D": 2}
    assert rounds[1]["excluded"] == "D"
    assert rounds[2]["tally"] == {"B": 5.33331, "C": 7.66665}
    assert rounds[2]["excluded"] == "B" and rounds[2]["exhausted"] == 6  # 3 blank + B's 3
    assert rounds[3]["tally"] == {"C": 9.99996} and rounds[3]["elected"] == ["C"]
    assert out["winners"] == ["A", "C"] and not out["tie_broken"]
    # every STV variant's quota counts the 21 valid ballots only (blank ones are no vote):
    # Droop floor(21 / 3) + 1 = 8, Hare 21 / 2
    for transfer in ("wigm", "gregory"):
        assert hz.mechanism("voting.stv", seats=2, transfer=transfer).run(
            SCOT_HAND).result["quota"] == 8
        assert hz.mechanism("voting.stv", seats=2, transfer=transfer, quota="hare").run(
            SCOT_HAND).result["quota"] == 10.5


@pytest.mark.parametrize("transfer", ["scottish", "wigm", "gregory"])
def test_stv_refuses_an_election_of_blank_papers_only(transfer: str) -> None:
    with pytest.raises(InputError, match="ballots"):
        hz.mechanism("voting.stv", transfer=transfer).run(
            {"candidates": ["a", "b"], "ballots": [{"ranking": [], "count": 2}]})


def _reference_scottish(m: int, ballots: list[tuple[list[int], int]],
                        seats: int) -> tuple[list[int], Fraction, list[dict]]:
    """An independent count written from the text of rules 43 and 46-52 for this review
    (paper by paper, Fractions; lot = input order, as the ``tie_break`` default), with rule
    52(2) applied when exactly one candidate meets it. Returns the committee, the quota and
    the continuing candidates' totals at each stage."""
    papers = [[r, Fraction(1), 0] for r, k in ballots for _ in range(k) if r]
    quota = Fraction(len(papers) // (seats + 1) + 1)
    continuing, elected, pending, history, stages = set(range(m)), [], {}, [], []

    def nxt(p: list, start: int) -> int | None:
        for i in range(start, len(p[0])):
            if p[0][i] in continuing:
                p[2] = i
                return p[0][i]
        return None

    hold = [nxt(p, 0) for p in papers]

    def precedence(options: list[int], lowest: bool) -> list[int]:
        for t in reversed(history[:-1]):
            if len(options) == 1:
                break
            values = {t[c] for c in options}
            if len(values) > 1:
                target = min(values) if lowest else max(values)
                options = [c for c in options if t[c] == target]
        return options

    while True:
        totals = {c: sum((p[1] for p, h in zip(papers, hold, strict=True) if h == c),
                         Fraction(0)) for c in range(m)}
        history.append(totals)
        stages.append({c: totals[c] for c in continuing})
        for c in sorted((c for c in continuing if totals[c] >= quota), key=lambda c: -totals[c]):
            elected.append(c)
            continuing.discard(c)
            if totals[c] > quota:
                pending[c] = totals[c]
        vacancies = seats - len(elected)
        if vacancies <= 0:
            return elected[:seats], quota, stages
        if len(continuing) <= vacancies:
            return elected + sorted(continuing), quota, stages
        if vacancies == 1:  # rule 52(2)
            spare = sum(t - quota for t in pending.values())
            meet = [c for c in continuing
                    if totals[c] >= sum(totals[d] for d in continuing if d != c) + spare]
            if len(meet) == 1:
                return elected + meet, quota, stages
        if pending:
            top = max(pending.values())
            x = min(precedence(sorted(c for c in pending if pending[c] == top), False))
            total = pending.pop(x)
            for i, p in enumerate(papers):
                if hold[i] == x:
                    value = (total - quota) * p[1] / total
                    p[1] = Fraction(value.numerator * 10**5 // value.denominator, 10**5)
                    hold[i] = nxt(p, p[2] + 1)
        else:
            low = min(totals[c] for c in continuing)
            x = max(precedence(sorted(c for c in continuing if totals[c] == low), True))
            continuing.discard(x)
            for i, p in enumerate(papers):
                if hold[i] == x:
                    hold[i] = nxt(p, p[2] + 1)


def test_scottish_against_an_independent_count() -> None:
    """120 random profiles (3-6 candidates, small and larger counts, truncated ballots, a
    blank one now and then): same committee, quota and stage totals as the reference."""
    rng = np.random.default_rng(2007)
    for _ in range(120):
        m = int(rng.integers(3, 7))
        seats = int(rng.integers(1, m))
        high = int(rng.choice([3, 40]))
        ballots = []
        for _ in range(int(rng.integers(2, 9))):
            ranking = [int(x) for x in rng.permutation(m)][:int(rng.integers(0, m + 1))]
            ballots.append((ranking, int(rng.integers(1, high))))
        if not any(r for r, _ in ballots):
            continue
        expected, quota, stages = _reference_scottish(m, ballots, seats)
        names = [f"c{i}" for i in range(m)]
        data = {"candidates": names, "ballots": [
            {"ranking": [names[x] for x in r], "count": k} for r, k in ballots]}
        out = hz.mechanism("voting.stv", seats=seats, transfer="scottish").run(data).result
        assert sorted(int(c[1:]) for c in out["winners"]) == sorted(expected), data
        assert Fraction(out["quota"]) == quota, data
        for ours, theirs in zip(out["rounds"], stages):  # rule 52(2) may stop it earlier
            assert ours["tally"] == {names[c]: float(v) for c, v in theirs.items()}, data


# --- hurwicz count: the valid poll leaves out blank ballots ------------------------------------
def test_count_report_valid_poll_leaves_out_blank_ballots(tmp_path: Path) -> None:
    """Regression: a CSV row with every cell empty is a ballot ranking nobody; the report
    called all ballots the "valid poll". Now ``ballots`` counts them and ``valid_poll`` does
    not (4 rows, one blank: 3 valid; Scottish quota floor(3 / 2) + 1 = 2)."""
    csv = tmp_path / "ballots.csv"
    csv.write_text("rank1,rank2\na,b\n,\nb,a\na,\n")
    for rule, extra in (("voting.irv", []), ("voting.stv", ["--param", "transfer=scottish"])):
        res = CliRunner().invoke(app, ["count", str(csv), "--rule", rule, "--json", *extra])
        assert res.exit_code == 0, res.output
        report = json.loads(res.stdout)
        assert report["ballots"] == 4 and report["valid_poll"] == 3
        assert report["elected"] == ["a"]
    assert report["quota"] == 2
    table = CliRunner().invoke(app, ["count", str(csv), "--rule", "voting.irv"])
    assert "blank ballots: 1" in table.stdout


@pytest.mark.parametrize("args, field", [
    (["--seats", "0"], "params.seats"), (["--seats", "9"], "params.seats"),
    (["--rule", "voting.borda"], "--rule"), (["--rule", "nope"], "--rule"),
    (["--rule", "voting.irv", "--seats", "2"], "--seats"),
    (["--rule", "voting.meek_stv", "--param", "transfer=scottish"], "params.transfer"),
    (["--param", "seats=2", "--seats", "2"], "--seats")])
def test_count_cli_errors_name_the_field(tmp_path: Path, args: list[str], field: str,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    csv = tmp_path / "b.csv"
    csv.write_text("rank1,rank2,rank3\na,b,c\nb,c,a\nc,a,b\na,c,b\n")
    with pytest.raises(SystemExit) as exit_:
        main(["count", str(csv), *args])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and err.startswith(f"error: {field}:"), err


@pytest.mark.parametrize("text", ["", "rank1,rank2\n", "rank1,rank2\n,\n\n,\n"])
def test_count_cli_refuses_files_without_a_valid_ballot(
        tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> None:
    csv = tmp_path / "b.csv"
    csv.write_text(text)
    with pytest.raises(SystemExit) as exit_:
        main(["count", str(csv)])
    assert exit_.value.code == 2 and capsys.readouterr().err.startswith("error: ")


# --- report stages: only count sheets, and the winner only on the last stage -------------------
FOUR = {"candidates": ["a", "b", "c", "d"], "ballots": [
    {"ranking": ["a", "b", "c", "d"], "count": 4}, {"ranking": ["b", "c", "a", "d"], "count": 3},
    {"ranking": ["c", "b", "a", "d"], "count": 2}, {"ranking": ["d", "c", "b", "a"], "count": 1}]}


def test_runoff_stages_elect_on_the_runoff_not_on_first_preferences() -> None:
    """Regression: the HTML report (``count_stages``) marked the runoff winner ELECTED at stage 1
    (a 4, b 3, c 2, d 1: nobody has a majority) because that round names no eliminated
    candidate. b wins the runoff 6-4 at stage 2 (c's and d's voters rank b above a)."""
    from hurwicz.report.rounds import count_stages

    stages = count_stages(hz.mechanism("voting.runoff").run(FOUR).to_dict())
    assert [s["elected"] for s in stages] == [[], ["b"]]
    assert stages[1]["totals"] == {"a": 4, "b": 6} and stages[1]["excluded"] == "a"
    assert stages[1]["action"] == "runoff of the top two"


@pytest.mark.parametrize("name", ["voting.coombs", "voting.baldwin", "voting.nanson",
                                  "voting.bucklin"])
def test_rounds_that_are_not_first_preference_counts_are_no_count_sheet(name: str) -> None:
    """Regression: Coombs' rounds tally last places, Baldwin's and Nanson's Borda scores,
    Bucklin's cumulative counts; the report showed them as "first preferences" with
    "elimination of d" transfers (Coombs: a's 1 last place → 6 shown as +5 votes)."""
    from hurwicz.report.rounds import count_stages

    assert count_stages(hz.mechanism(name).run(FOUR).to_dict()) is None
    irv = count_stages(hz.mechanism("voting.irv").run(FOUR).to_dict())
    assert [s["action"] for s in irv] == ["first preferences", "elimination of d",
                                          "elimination of c"]
    assert [s["elected"] for s in irv] == [[], [], ["b"]]

"""Profile generators (cultures) and manipulability rates.

Known answers: under impartial culture every ranking has probability 1/m!; under Mallows with
dispersion φ the reference ranking has probability 1/Z, Z = Π_{i=1..m} (1 − φ^i)/(1 − φ)
(Mallows 1957; Fligner & Verducci 1986); in a Pólya–Eggenberger urn with parameter α the second
voter copies the first with probability α/(1 + α) (plus 1/m! by chance); 1-D spatial profiles
are single-peaked on the axis (Black 1948). Per-profile verdicts of individual manipulation
(IM) and trivial manipulation (TM) agree with svvamp (Durand, Mathieu & Noirie) on random
impartial-culture profiles for plurality, Borda and IRV (ties to the lowest index in both).
"""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest

import hurwicz as hz
from hurwicz.auditing.spec import audit_spec
from hurwicz.cli import main
from hurwicz.core.errors import PriorError
from hurwicz.mechanisms.voting.generators import election, sample_approvals, sample_rankings
from hurwicz.mechanisms.voting.manipulability import (
    individually_manipulable,
    manipulability,
    trivially_manipulable,
)


def frequencies(rows: np.ndarray) -> dict[tuple, float]:
    keys, counts = np.unique(rows, axis=0, return_counts=True)
    return {tuple(k): c / len(rows) for k, c in zip(keys.tolist(), counts)}


def test_impartial_culture_is_uniform():
    rows = sample_rankings("impartial", 3, 12_000, np.random.default_rng(0))
    freq = frequencies(rows)
    assert len(freq) == 6
    se = math.sqrt((1 / 6) * (5 / 6) / 12_000)
    assert all(abs(f - 1 / 6) < 4.5 * se for f in freq.values())


def test_mallows_reference_probability():
    phi, m, n = 0.5, 3, 12_000
    z = math.prod((1 - phi ** i) / (1 - phi) for i in range(1, m + 1))
    rows = sample_rankings(f"mallows:{phi}", m, n, np.random.default_rng(1))
    p = frequencies(rows)[(0, 1, 2)]
    assert abs(p - 1 / z) < 4.5 * math.sqrt((1 / z) * (1 - 1 / z) / n)
    assert (sample_rankings("mallows:0", 4, 5, np.random.default_rng(0)) == [0, 1, 2, 3]).all()


def test_urn_second_voter_copies_the_first():
    alpha, trials = 1.0, 6000
    rng = np.random.default_rng(2)
    same = sum((lambda r: (r[0] == r[1]).all())(sample_rankings("urn:1.0", 3, 2, rng))
               for _ in range(trials))
    expected = alpha / (1 + alpha) + 1 / (1 + alpha) / 6
    assert abs(same / trials - expected) < 4.5 * math.sqrt(expected * (1 - expected) / trials)


def test_one_dimensional_spatial_profiles_are_single_peaked():
    rng = np.random.default_rng(3)
    rows = sample_rankings("spatial:1", 5, 200, rng)
    rng = np.random.default_rng(3)
    rng.random((200, 1))
    axis = np.argsort(rng.random((5, 1)).ravel())  # candidates left to right
    place = {int(c): k for k, c in enumerate(axis)}
    for row in rows:  # each prefix of a single-peaked ranking is an interval of the axis
        for k in range(1, 6):
            spots = sorted(place[int(c)] for c in row[:k])
            assert spots[-1] - spots[0] == k - 1


def test_generators_are_seeded_and_validated():
    assert election("urn:0.5", 4, 30, seed=7) == election("urn:0.5", 4, 30, seed=7)
    approvals = sample_approvals("spatial:2", 6, 50, np.random.default_rng(0))
    assert approvals.any(axis=1).all()
    scores = election("impartial", 3, 4, seed=0, kind="scores", max_score=2)["ballots"]
    assert all(sorted(b["scores"].values()) == [0, 1, 2] for b in scores)
    for bad in ("mallows:2", "urn:-1", "spatial:0.5", "gaussian", "mallows:x"):
        with pytest.raises(PriorError):
            sample_rankings(bad, 3, 2, np.random.default_rng(0))


@pytest.mark.parametrize("rule,option", [("voting.plurality", None), ("voting.borda", "exact"),
                                         ("voting.irv", "exact")])
def test_manipulation_verdicts_agree_with_svvamp(rule, option):
    svvamp = pytest.importorskip("svvamp")
    maker = {"voting.plurality": svvamp.RulePlurality, "voting.borda": svvamp.RuleBorda,
             "voting.irv": svvamp.RuleIRV}[rule]
    mech = hz.mechanism(rule)
    rng = np.random.default_rng(11)
    for _ in range(30):
        m, n = int(rng.integers(3, 5)), int(rng.integers(3, 8))
        rows = sample_rankings("impartial", m, n, rng)
        names = [f"c{i}" for i in range(m)]
        data = {"candidates": names,
                "ballots": [{"ranking": [names[c] for c in r]} for r in rows]}
        theirs = maker(im_option=option) if option else maker()
        theirs(svvamp.Profile(preferences_rk=rows))
        assert names.index(mech.run(data).result["winners"][0]) == theirs.w_
        im, complete = individually_manipulable(mech, data, np.random.default_rng(0))
        assert complete and bool(im) == bool(theirs.is_im_)
        assert bool(trivially_manipulable(mech, data)) == bool(theirs.is_tm_)


def test_manipulation_found_replays():
    mech = hz.mechanism("voting.borda")
    for seed in range(50):
        e = election("impartial", 4, 6, seed=seed)
        found, _ = individually_manipulable(mech, e, np.random.default_rng(0))
        if found:
            break
    assert found is not None
    after = mech.run(audit_spec(mech).with_reports(e, {found["voter"]: found["ballot"]}))
    truth = found["truth"]
    assert truth.index(after.result["winners"][0]) < truth.index(found["winners"][0])


def test_rates_have_intervals_and_cli(capsys):
    report = manipulability("voting.irv", "urn:0.5", voters=5, candidates=3, samples=60, seed=3)
    ind = report["individual"]
    lo, hi = ind["ci95"]
    assert lo <= ind["rate"] <= hi and ind["exhaustive"]
    assert 0 <= report["trivial_coalitional"]["rate"] <= 1
    with pytest.raises(SystemExit) as done:
        main(["manipulability", "voting.borda", "--voters", "4", "--samples", "20", "--json"])
    assert done.value.code == 0
    document = json.loads(capsys.readouterr().out)
    assert document["profiles"] == 20 and document["culture"] == "impartial"


def test_approval_rule_is_never_individually_manipulable_for_dichotomous_voters():
    report = manipulability("voting.approval", "impartial", voters=4, candidates=3,
                            samples=40, seed=0)
    assert report["individual"]["manipulable"] == 0 and report["individual"]["exhaustive"]


def test_audit_samples_elections_from_a_culture():
    rep = hz.audit("voting.borda", prior="mallows:0.8", agents=5,
                   sample_options={"candidates": 4}, properties=["manipulable"], samples=20)
    assert rep.check("manipulable").holds is False  # alias resolved on lookup
    assert rep.check("manipulable").iid_profiles is True  # drawn from the culture
    with pytest.raises(hz.core.errors.HurwiczError, match="NAME:PARAMS"):
        hz.audit("auction.second_price", prior="impartial", agents=3, properties=["dsic"])
    with pytest.raises(hz.core.errors.HurwiczError, match="not a preference culture"):
        hz.audit("voting.borda", prior="uniform:0,1", agents=3, properties=["manipulable"])


def test_every_ranking_of_three_is_reachable():
    rows = sample_rankings("urn:0", 3, 600, np.random.default_rng(0))
    assert {tuple(r) for r in rows.tolist()} == set(itertools.permutations(range(3)))

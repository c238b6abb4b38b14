"""Rounds in process: the rules of commit-reveal, receipts, and `verify` catching each kind of
tampering of a saved transcript (issue #8, items 1-5 and 7).

The threat model follows the issue: a participant must not be able to replay, forge or reveal
something else than they committed; the operator must not be able to drop, add, alter or
reorder entries, change the outcome or fork the history without `verify` saying so — given the
receipts participants hold (without them, an operator who re-signs a rewritten log is caught
only if the rewrite breaks the rules).
"""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hurwicz as hz
from hurwicz.credible.keys import generate_key, public_hex
from hurwicz.credible.merkle import MerkleLog
from hurwicz.credible.receipts import entry_leaf, sign_tree_head
from hurwicz.credible.service import RoundService
from hurwicz.credible.state import RoundError, signed_commit, signed_reveal
from hurwicz.credible.store import open_store
from hurwicz.credible.verify import verify_transcript

from .conftest import Clock

SECOND_PRICE = {"mechanism": "auction.second_price", "commit_deadline": "+60s",
                "reveal_deadline": "+120s"}


def run_round(service: RoundService, clock: Clock, bids: dict[str, float],
              reveal: set[str] | None = None, spec: dict | None = None):
    """Create a round, commit every bid, reveal those in ``reveal`` (default all), close."""
    rid = service.create_round(spec or SECOND_PRICE)["round"]
    keys = {name: generate_key() for name in bids}
    salts, receipts = {}, {name: [] for name in bids}
    for name, bid in bids.items():
        body, salts[name] = signed_commit(keys[name], rid, name, bid)
        receipts[name].append(service.submit(rid, body)["receipt"])
        clock.advance(1)
    clock.advance(60)
    for name, bid in bids.items():
        if reveal is None or name in reveal:
            body = signed_reveal(keys[name], rid, bid, salts[name])
            receipts[name].append(service.submit(rid, body)["receipt"])
            clock.advance(1)
    clock.advance(60)
    closed = service.close(rid)
    return rid, keys, receipts, closed


def all_receipts(receipts):
    return [r for rs in receipts.values() for r in rs]


def test_second_price_round_recomputes_and_verifies(service, clock):
    bids = {"alice": 10.0, "bob": 8.0, "carol": 7.0}
    rid, _, receipts, closed = run_round(service, clock, bids)
    direct = hz.mechanism("auction.second_price").run({"bids": bids})
    assert closed["outcome"] == direct.to_dict()
    assert closed["outcome"]["payments"]["alice"] == 8.0  # Vickrey (1961): second-highest bid
    transcript = service.transcript(rid)
    assert [e["kind"] for e in transcript["entries"]] == (
        ["rules"] + ["commit"] * 3 + ["reveal"] * 3 + ["close"])
    report = verify_transcript(transcript, all_receipts(receipts))
    assert report.ok, report.violations
    assert report.closed and report.receipts == 6


def test_first_entry_is_the_hash_of_the_rules(service, clock):
    rid = service.create_round(SECOND_PRICE)["round"]
    first = service.transcript(rid)["entries"][0]
    assert first["kind"] == "rules" and rid == "r" + first["rules_hash"]  # all 256 bits
    assert first["rules"]["mechanism"]["name"] == "auction.second_price"
    assert first["rules"]["schedule"]["commit_deadline"] == "2026-11-22T12:01:00.000000Z"


def test_unrevealed_commitments_follow_the_published_rule(service, clock):
    bids = {"alice": 10.0, "bob": 8.0, "carol": 7.0}
    _, _, _, excluded = run_round(service, clock, bids, reveal={"bob", "carol"})
    assert excluded["unrevealed"] == ["alice"]
    assert excluded["outcome"]["allocation"] == {"bob": 1, "carol": 0}
    spec = {**SECOND_PRICE, "unrevealed": {"default": 0}}
    _, _, _, defaulted = run_round(service, clock, bids, reveal={"bob", "carol"}, spec=spec)
    assert defaulted["outcome"]["allocation"] == {"alice": 0, "bob": 1, "carol": 0}


def test_commit_reveal_rules_refuse_bad_submissions(service, clock):
    rid = service.create_round(SECOND_PRICE)["round"]
    other = service.create_round({**SECOND_PRICE, "title": "another"})["round"]
    alice, mallory = generate_key(), generate_key()
    body, salt = signed_commit(alice, rid, "alice", 10)
    first = service.submit(rid, body)

    def refused(target, entry, status, words):
        with pytest.raises(RoundError) as err:
            service.submit(target, entry)
        assert err.value.status == status and words in err.value.message, err.value

    again = service.submit(rid, body)  # the same signed commit again: its original receipt
    assert again["existing"] and again["receipt"] == first["receipt"]
    refused(rid, signed_commit(alice, rid, "alice", 12)[0], 409, "already committed")
    refused(other, body, 409, "signed for round")  # replay into another round
    forged = {**signed_commit(mallory, rid, "mallory", 1)[0], "commitment": "ab" * 32}
    refused(rid, forged, 401, "signature")
    refused(rid, signed_commit(mallory, rid, "alice", 1)[0], 409, "taken")
    refused(rid, signed_reveal(alice, rid, 10, salt), 425, "early reveal")
    clock.advance(61)
    refused(rid, signed_commit(mallory, rid, "mallory", 1)[0], 409, "late commit")
    refused(rid, signed_reveal(alice, rid, 11, salt), 422, "do not match")
    refused(rid, signed_reveal(mallory, rid, 1, salt), 409, "no commitment")
    revealed = service.submit(rid, signed_reveal(alice, rid, 10, salt))
    assert service.submit(rid, signed_reveal(alice, rid, 10, salt))["receipt"] == (
        revealed["receipt"])
    refused(rid, signed_reveal(alice, rid, 10, "another salt"), 409, "already revealed")
    bob = generate_key()
    clock.now = clock.now.replace(minute=0)  # a commit window again, in a fresh round
    rid2 = service.create_round({**SECOND_PRICE, "title": "third"})["round"]
    bad, bad_salt = signed_commit(bob, rid2, "bob", -5)
    service.submit(rid2, bad)
    clock.advance(61)
    refused(rid2, signed_reveal(bob, rid2, -5, bad_salt), 422, "not a valid report")
    clock.advance(120)
    refused(rid2, signed_reveal(bob, rid2, -5, bad_salt), 409, "late reveal")


def test_close_waits_for_the_deadline_unless_everyone_revealed(service, clock):
    rid = service.create_round(SECOND_PRICE)["round"]
    alice = generate_key()
    body, salt = signed_commit(alice, rid, "alice", 10)
    service.submit(rid, body)
    with pytest.raises(RoundError, match="too early"):
        service.close(rid)
    clock.advance(61)
    service.submit(rid, signed_reveal(alice, rid, 10, salt))
    assert service.close(rid)["outcome"]["allocation"] == {"alice": 1}
    with pytest.raises(RoundError, match="closed"):
        service.close(rid)


def test_permissioned_round_accepts_only_registered_keys(service, clock):
    alice, eve = generate_key(), generate_key()
    rid = service.create_round({**SECOND_PRICE, "eligibility": [public_hex(alice)]})["round"]
    service.submit(rid, signed_commit(alice, rid, "alice", 3)[0])
    with pytest.raises(RoundError) as err:
        service.submit(rid, signed_commit(eve, rid, "eve", 4)[0])
    assert err.value.status == 403


def test_rounds_work_for_a_voting_rule(service, clock):
    spec = {"mechanism": "voting.borda", "input": {"candidates": ["x", "y", "z"], "ballots": []},
            "commit_deadline": "+60s", "reveal_deadline": "+120s"}
    ballots = {"v1": ["x", "y", "z"], "v2": ["y", "x", "z"], "v3": ["x", "z", "y"]}
    rid, _, receipts, closed = run_round(service, clock, ballots, spec=spec)
    assert closed["outcome"]["result"]["winners"] == ["x"]
    assert verify_transcript(service.transcript(rid), all_receipts(receipts)).ok


def test_a_voting_round_nobody_reveals_in_closes_without_an_outcome(service, clock):
    """An election without voters has no winner (the rule refuses it): the round still closes,
    with ``outcome: null`` and the reason, and verify recomputes exactly that."""
    spec = {"mechanism": "voting.borda", "input": {"candidates": ["x", "y"], "ballots": []},
            "commit_deadline": "+60s", "reveal_deadline": "+120s"}
    rid, _, receipts, closed = run_round(service, clock, {"v1": ["x", "y"]}, reveal=set(),
                                         spec=spec)
    assert closed["outcome"] is None and closed["unrevealed"] == ["v1"]
    close = service.transcript(rid)["entries"][-1]
    assert "ballots" in close["no_outcome"]
    assert verify_transcript(service.transcript(rid), all_receipts(receipts)).ok


def test_restart_reloads_rounds_from_the_store(tmp_path, operator, clock):
    path = str(tmp_path / "restart.db")
    first = RoundService(open_store(path), operator, clock)
    rid, _, receipts, _ = run_round(first, clock, {"a": 3.0, "b": 5.0})
    before = first.transcript(rid)
    first.store.close()
    second = RoundService(open_store(path), operator, clock)
    after = second.transcript(rid)
    assert after["entries"] == before["entries"]
    assert verify_transcript(after, all_receipts(receipts)).ok


# --- tampering of a saved transcript ----------------------------------------------------------
@pytest.fixture
def finished(service, clock):
    rid, _, receipts, _ = run_round(service, clock, {"alice": 10.0, "bob": 8.0, "carol": 7.0})
    return service, rid, receipts


def resign(operator, transcript):
    """What a dishonest operator does after editing: re-sign a tree head over the new log."""
    log = MerkleLog()
    for entry in transcript["entries"]:
        log.append(entry_leaf(entry))
    head = transcript["tree_head"]
    transcript["tree_head"] = sign_tree_head(operator, head["round"], log.size,
                                             log.root().hex(), head["time"])
    return transcript


def reclose(transcript):
    """Recompute the close entry honestly over the edited log (so only receipts catch it)."""
    from hurwicz.credible.state import RoundState

    entries = transcript["entries"]
    state = RoundState(entries[0]["rules"])
    for entry in entries[:-1]:
        state.apply(entry)
    entries[-1] = state.close_entry(entries[-1]["received"])
    return transcript


def kinds(report):
    """Every violation's kind, root causes and their consequences alike."""
    return {v.kind for v in report.all_violations()}


def test_untouched_transcript_passes(finished):
    service, rid, receipts = finished
    assert verify_transcript(service.transcript(rid), all_receipts(receipts)).ok


def test_altered_entry_is_caught(finished):
    service, rid, _ = finished
    t = service.transcript(rid)
    t["entries"][4]["report"] = 11.0  # alice's reveal
    assert {"signature", "merkle"} <= kinds(verify_transcript(t))


def test_changed_outcome_is_caught_even_when_resigned(finished, operator):
    service, rid, _ = finished
    t = service.transcript(rid)
    t["entries"][-1]["outcome"]["payments"]["alice"] = 9.5
    report = verify_transcript(resign(operator, t))
    assert kinds(report) == {"outcome"}
    assert "payments.alice" in report.violations[0].message


def test_inserted_forged_entry_is_caught(finished, operator):
    service, rid, _ = finished
    t = service.transcript(rid)
    shill = copy.deepcopy(t["entries"][1])
    shill["name"], shill["participant"] = "shill", public_hex(generate_key())
    t["entries"].insert(4, shill)
    report = verify_transcript(resign(operator, t))
    assert "signature" in kinds(report)


def test_dropped_receipted_bid_is_censorship(finished, operator, clock):
    service, rid, receipts = finished
    t = service.transcript(rid)
    del t["entries"][5]  # bob's reveal: the operator drops it, recomputes and re-signs
    resign(operator, reclose(t))
    assert verify_transcript(t).ok  # without bob's receipts nothing proves the drop ...
    report = verify_transcript(t, receipts["bob"])  # ... with them it is proven
    assert "censorship" in kinds(report) and "fork" in kinds(report)
    assert any("#5" in v.message for v in report.all_violations())


def test_removed_entry_without_resigning_is_caught(finished):
    service, rid, receipts = finished
    t = service.transcript(rid)
    del t["entries"][2]
    report = verify_transcript(t, all_receipts(receipts))
    assert {"tree_head", "censorship"} <= kinds(report)


def test_reordered_entries_are_caught(finished, operator):
    service, rid, receipts = finished
    t = service.transcript(rid)
    t["entries"][1], t["entries"][2] = t["entries"][2], t["entries"][1]
    assert "merkle" in kinds(verify_transcript(t))
    report = verify_transcript(resign(operator, t), all_receipts(receipts))
    assert {"reordered", "fork"} <= kinds(report)


def test_forked_tree_head_is_caught(finished, operator):
    service, rid, receipts = finished
    t = service.transcript(rid)
    t["entries"][0]["received"] = "2026-11-22T11:59:59.000000Z"  # rewrite history, re-sign
    report = verify_transcript(resign(operator, t), all_receipts(receipts))
    assert "fork" in kinds(report)


def test_foreign_receipt_and_forged_receipt_are_reported(finished, service, clock):
    _, rid, receipts = finished
    _, _, other_receipts, _ = run_round(service, clock, {"x": 1.0})
    forged = {**receipts["alice"][0], "index": 2}
    report = verify_transcript(service.transcript(rid), [other_receipts["x"][0], forged])
    assert [v.kind for v in report.violations] == ["receipt", "receipt"]


@settings(max_examples=15, deadline=None)
@given(st.dictionaries(st.sampled_from(["a", "b", "c", "d", "e"]),
                       st.integers(0, 50).map(float), min_size=1, max_size=5),
       st.data())
def test_any_round_verifies_and_any_bid_edit_is_caught(tmp_path_factory, bids, data):
    clock = Clock()
    op = generate_key()
    path = tmp_path_factory.mktemp("h") / "r.db"
    service = RoundService(open_store(str(path)), op, clock)
    rid, _, receipts, closed = run_round(service, clock, bids)
    assert closed["outcome"] == hz.mechanism("auction.second_price").run({"bids": bids}).to_dict()
    t = service.transcript(rid)
    assert verify_transcript(t, all_receipts(receipts)).ok
    reveals = [e for e in t["entries"] if e["kind"] == "reveal"]
    target = data.draw(st.sampled_from(reveals))
    target["report"] = target["report"] + data.draw(st.integers(1, 5))
    assert not verify_transcript(resign(op, t)).ok


def test_parallel_signature_check_finds_the_same_forgery(finished, monkeypatch):
    import hurwicz.credible.verify as verify_module

    service, rid, _ = finished
    t = service.transcript(rid)
    t["entries"][2]["commitment"] = "ef" * 32  # breaks bob's signature (and the root)
    serial = verify_transcript(t, workers=1)
    monkeypatch.setattr(verify_module, "_PARALLEL_FROM", 1)
    parallel = verify_transcript(t, workers=2)
    assert serial.violations == parallel.violations
    assert serial.violations[0].kind == "signature" and "#2" in serial.violations[0].where


@pytest.mark.skipif(not __import__("os").environ.get("HURWICZ_TEST_POSTGRES"),
                    reason="set HURWICZ_TEST_POSTGRES=postgresql://... to test PostgreSQL")
def test_postgres_store_round_trip(operator, clock):
    import os

    url = os.environ["HURWICZ_TEST_POSTGRES"]
    service = RoundService(open_store(url), operator, clock)
    rid, _, receipts, _ = run_round(service, clock, {"a": 1.0, "b": 2.0})
    reloaded = RoundService(open_store(url), operator, clock)
    assert verify_transcript(reloaded.transcript(rid), all_receipts(receipts)).ok


def test_postgres_url_without_driver_is_a_clear_error(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_psycopg(name, *args, **kwargs):
        if name == "psycopg":
            raise ImportError("no psycopg")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_psycopg)
    from hurwicz.core.errors import InputError

    with pytest.raises(InputError, match="postgres extra"):
        open_store("postgresql://localhost/nothing")


@pytest.mark.parametrize("spec,reports,check", [
    ({"mechanism": "funding.quadratic", "input": {"contributions": [], "pool": 100.0}},
     {"u1": {"p1": 4.0}, "u2": {"p1": 1.0, "p2": 9.0}},  # (√4 + √1)² − 5 = 4 for p1
     lambda out: out["result"]["matching"] == {"p1": 4.0, "p2": 0.0}),
    ({"mechanism": "voting.approval", "input": {"candidates": ["a", "b"], "ballots": []}},
     {"v1": ["a"], "v2": ["a", "b"], "v3": ["b"]},
     lambda out: out["result"]["winners"] == ["a"]),
    ({"mechanism": "voting.pav", "params": {"seats": 2},
      "input": {"candidates": ["a", "b", "c"], "ballots": []}},
     {"v1": ["a", "b"], "v2": ["a", "b"], "v3": ["c"], "v4": ["c"]},  # PAV 4 > 3
     lambda out: out["result"]["winners"] == ["a", "c"]),
    ({"mechanism": "matching.serial_dictatorship", "params": {"order": ["s2", "s1"]},
      "input": {"agents": {}, "objects": {"x": 1, "y": 1}}},
     {"s1": ["x", "y"], "s2": ["x"]},
     lambda out: out["allocation"] == {"s1": "y", "s2": "x"}),
    ({"mechanism": "auction.vcg_multi_unit", "input": {"units": 2, "bids": {}}},
     {"a": [5.0, 4.0], "b": [3.0]},
     lambda out: out["payments"] == {"a": 3.0, "b": 0.0}),  # a's externality on b
])
def test_rounds_run_mechanisms_of_every_family(service, clock, spec, reports, check):
    """A round collects each participant's part of the input (their report) and runs the named
    mechanism on the base input plus the revealed reports."""
    full = {**spec, "commit_deadline": "+60s", "reveal_deadline": "+120s"}
    rid, _, receipts, closed = run_round(service, clock, reports, spec=full)
    assert check(closed["outcome"]), closed["outcome"]
    assert verify_transcript(service.transcript(rid), all_receipts(receipts)).ok


@pytest.mark.parametrize("field", ["commit_deadline", "reveal_deadline"])
def test_published_rules_with_a_relative_deadline_are_refused(finished, field):
    """A deadline in published rules must be absolute: "+3650d" would be read relative to
    each verifier's clock, a deadline that never passes (late commits would always look in
    time)."""
    from hurwicz.core.errors import HurwiczError
    from hurwicz.credible.rules import check_rules_document
    from hurwicz.credible.state import RoundState

    service, rid, _ = finished
    rules = copy.deepcopy(service.transcript(rid)["entries"][0]["rules"])
    rules["schedule"][field] = "+3650d"
    with pytest.raises(HurwiczError, match=f"schedule.{field}.*absolute"):
        check_rules_document(rules)
    with pytest.raises(HurwiczError, match="absolute"):
        RoundState(rules)


def test_a_logged_entry_with_a_relative_time_is_refused(finished, operator):
    """Logged times are absolute: "+0s" would be "whenever the log is read"."""
    service, rid, _ = finished
    t = service.transcript(rid)
    t["entries"][1]["received"] = "+0s"  # alice's commit
    report = verify_transcript(resign(operator, t))
    assert not report.ok
    assert any("absolute" in v.message for v in report.all_violations())

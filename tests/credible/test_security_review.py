"""Regression tests from a security review of witnessed rounds that played a dishonest operator
(and dishonest participants): each input below was accepted before its fix.

* the witness kept its state per (round, operator key string) and took the operator key from
  the request: a second key, or the operator's key in upper-case hex, got a fresh state and a
  cosignature of a forked head, which (cosignatures do not name the operator) counted in the
  real transcript's phase entry;
* ``verify --ack`` reported ``censored`` for submissions an honest operator must refuse (an
  ineligible key, a second commit by one key, a name already taken, a reveal whose report the
  mechanism rejects) and for a participant's own logged submission lodged again with its
  signature in upper-case hex: a dishonest participant could frame the operator;
* signatures and keys were accepted in any hex spelling (upper case, spaces between bytes).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hurwicz.credible.clock import format_time
from hurwicz.credible.keys import generate_key, public_hex, sign, verify
from hurwicz.credible.receipts import sign_tree_head
from hurwicz.credible.rules import make_rules, round_id
from hurwicz.credible.service import RoundService
from hurwicz.credible.state import signed_commit, signed_reveal
from hurwicz.credible.store import open_store
from hurwicz.credible.verify import verify_transcript
from hurwicz.credible.witness import (
    WitnessError,
    WitnessService,
    check_cosignatures,
    submission_hash,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _witnessed_rules(operator, witness: WitnessService) -> dict:
    return make_rules({"mechanism": "auction.second_price",
                       "commit_deadline": "2026-01-01T00:01:00Z",
                       "reveal_deadline": "2026-01-01T00:02:00Z",
                       "witnesses": {"keys": [witness.public], "quorum": 1}},
                      public_hex(operator), "2026-01-01T00:00:00Z")


@pytest.mark.parametrize("other", ["second key", "upper-case key", "spaced key"])
def test_witness_keeps_one_state_per_round_whatever_key_spelling(other):
    """Before the fix the witness cosigned a fork of the head it had cosigned, signed by (or
    named as) another operator key; the cosignature then closed the real round's commit
    phase at the forked root."""
    operator = generate_key()
    witness = WitnessService(":memory:", generate_key(), lambda: T0 + timedelta(minutes=1))
    rules = _witnessed_rules(operator, witness)
    rid, t = round_id(rules), format_time(T0 + timedelta(minutes=1))
    honest = sign_tree_head(operator, rid, 2, "aa" * 32, t)
    witness.cosign({"operator": public_hex(operator), "rules": rules, "tree_head": honest})
    if other == "second key":
        signer = generate_key()
        name = public_hex(signer)
    else:
        signer, key = operator, public_hex(operator)
        name = key.upper() if other == "upper-case key" else " ".join(
            key[i:i + 2] for i in range(0, 64, 2))
    fork = sign_tree_head(signer, rid, 2, "bb" * 32, t)
    with pytest.raises(WitnessError) as refused:
        cos = witness.cosign({"operator": name, "rules": rules, "tree_head": fork})
        # what the fork was good for: a phase entry of the real round at the forked root
        assert check_cosignatures(rules["witnesses"], rid, 2, "bb" * 32, [cos],
                                  T0 + timedelta(minutes=1)) != []
    assert refused.value.status in (401, 403, 409)
    with pytest.raises(WitnessError, match="rules"):  # and the rules are not optional
        witness.cosign({"operator": public_hex(operator), "tree_head": honest})


def test_hex_spellings_of_keys_and_signatures_do_not_verify():
    """One key or signature has one spelling: lower-case hex, no spaces."""
    key = generate_key()
    pub, sig = public_hex(key), sign(key, "commit", {"a": 1})
    assert verify(pub, "commit", {"a": 1}, sig)
    for p, s in ((pub.upper(), sig), (pub, sig.upper()), (" " + pub, sig),
                 (pub, sig[:2] + " " + sig[2:]), (pub + "\n", sig)):
        assert not verify(p, "commit", {"a": 1}, s)


@pytest.fixture
def round_with_acks(tmp_path):
    """A witnessed round with alice and bob committed (only alice and bob eligible, plus
    mallory who is not), the clock at 30 s into the commit phase."""
    now = [datetime.now(UTC).replace(microsecond=0)]
    witness = WitnessService(":memory:", generate_key(), lambda: now[0])
    keys = {n: generate_key() for n in ("alice", "bob", "mallory")}
    service = RoundService(open_store(str(tmp_path / "r.db")), generate_key(), lambda: now[0],
                           witnesses=[witness])
    rid = service.create_round({
        "mechanism": "auction.second_price", "commit_deadline": "+60s",
        "reveal_deadline": "+5m", "eligibility": [public_hex(keys["alice"]),
                                                  public_hex(keys["bob"])],
        "witnesses": {"keys": [witness.public], "quorum": 1}})["round"]
    rules = service.rounds[rid].state.rules
    salts = {}
    for name, bid in (("alice", 10), ("bob", -1)):
        body, salts[name] = signed_commit(keys[name], rid, name, bid)
        service.submit(rid, body)
    now[0] += timedelta(seconds=30)
    return service, witness, rid, rules, keys, salts, now


def _kinds(service, rid, acks):
    return [v.kind for v in verify_transcript(service.transcript(rid), acks=acks).violations]


def test_acks_of_submissions_an_honest_operator_refuses_are_not_censorship(round_with_acks):
    service, witness, rid, rules, keys, salts, now = round_with_acks
    lodge = [
        signed_commit(keys["mallory"], rid, "mallory", 99)[0],  # not eligible
        signed_commit(keys["alice"], rid, "alice2", 11)[0],  # alice's second commit
    ]
    acks = [witness.acknowledge({"rules": rules, "submission": s}) for s in lodge]
    now[0] += timedelta(seconds=31)
    service.close_commit_phase(rid)
    # bob's committed bid of -1 is not a valid report: the operator refuses the reveal
    bob_reveal = signed_reveal(keys["bob"], rid, -1, salts["bob"])
    with pytest.raises(Exception, match="report|bid|negative|-1"):
        service.submit(rid, bob_reveal)
    acks.append(witness.acknowledge({"rules": rules, "submission": bob_reveal}))
    # alice reveals (logged), then lodges it again with the signature in upper case
    alice_reveal = signed_reveal(keys["alice"], rid, 10, salts["alice"])
    service.submit(rid, alice_reveal)
    upper = {**alice_reveal, "signature": alice_reveal["signature"].upper()}
    with pytest.raises(WitnessError):  # the witness refuses it now; verify must too
        witness.acknowledge({"rules": rules, "submission": upper})
    body = {"round": rid, "submission": submission_hash(upper), "time": format_time(now[0])}
    acks.append({"ack": {**body, "witness": witness.public,
                         "signature": sign(witness.key, "ack", body)}, "submission": upper})
    kinds = _kinds(service, rid, acks)
    assert "censored" not in kinds, kinds


def test_a_refused_valid_commit_is_still_censored(round_with_acks):
    service, witness, rid, rules, keys, salts, now = round_with_acks
    # alice's valid reveal, lodged in time and never logged
    now[0] += timedelta(seconds=31)
    service.close_commit_phase(rid)
    alice_reveal = signed_reveal(keys["alice"], rid, 10, salts["alice"])
    ack = witness.acknowledge({"rules": rules, "submission": alice_reveal})
    assert _kinds(service, rid, [ack]) == ["censored"]


def test_a_stamp_in_another_spelling_of_time_is_refused(tmp_path):
    """Before the fix, verify read ``received`` with ``datetime.fromisoformat``: an operator
    could stamp a commit ``00:01:30+00:01`` (reads as after the 00:01:00 deadline, is
    00:00:30Z) or with seven fractional digits, and verify said OK while the browser page,
    which reads only ``...Z``, refused the same transcript."""
    from hurwicz.credible.merkle import root_of_hashes
    from hurwicz.credible.receipts import entry_leaf

    now = [datetime(2026, 1, 1, tzinfo=UTC)]
    service = RoundService(open_store(str(tmp_path / "r.db")), generate_key(), lambda: now[0])
    rid = service.create_round({"mechanism": "auction.second_price",
                                "commit_deadline": "+60s", "reveal_deadline": "+5m"})["round"]
    now[0] += timedelta(seconds=30)
    body, _ = signed_commit(generate_key(), rid, "alice", 10)
    service.submit(rid, body)
    transcript = service.transcript(rid)
    assert verify_transcript(transcript).ok
    for stamp in ("2026-01-01T00:01:30+00:01", "2026-01-01T00:00:30.0000001Z",
                  "2026-01-01 00:00:30Z", "20260101T000030Z"):
        entries = [transcript["entries"][0], {**transcript["entries"][1], "received": stamp}]
        root = root_of_hashes([entry_leaf(e) for e in entries]).hex()
        head = sign_tree_head(service.key, rid, 2, root, format_time(now[0]))
        report = verify_transcript({**transcript, "entries": entries, "tree_head": head})
        assert not report.ok, stamp


def test_a_head_whose_root_ends_in_a_newline_is_malformed():
    """Before the fix, ``re.match`` with ``$`` let a root (or entry hash, or signature) end in
    a newline: the head passed the shape check, and the witness (``bytes.fromhex`` skips
    whitespace) cosigned the second spelling of a root it had cosigned, publishing a false
    equivocation."""
    from hurwicz.credible.receipts import head_problems

    operator = generate_key()
    witness = WitnessService(":memory:", generate_key(), lambda: T0)
    rules = _witnessed_rules(operator, witness)
    rid = round_id(rules)
    head = sign_tree_head(operator, rid, 1, "aa" * 32 + "\n", format_time(T0))
    assert head_problems(head, public_hex(operator)) != []
    with pytest.raises(WitnessError):
        witness.cosign({"operator": public_hex(operator), "rules": rules, "tree_head": head})

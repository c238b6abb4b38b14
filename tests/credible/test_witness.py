"""Witnesses against a dishonest operator (issue 14, section 1), over real processes on
127.0.0.1: a ``hurwicz serve`` server and two ``hurwicz witness`` processes, with bidders
using the client library and the ``hurwicz`` command line.

Each attack that passed ``hurwicz verify`` before is played and must be caught by a violation
that names it: last look (a shill commit logged after reading a reveal), censorship at the
door (a refused reveal lodged with a witness), and a split view (two signed heads of one size).
The designs follow Certificate Transparency's cosigning witnesses (RFC 6962 consistency proofs
between heads; equivocation = two signed heads of one size with different roots, as in the CT
gossip drafts) and MACI's censorship-resistant message board.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from hurwicz.credible.client import (
    RoundClient,
    ServerError,
    commit_bid,
    reveal_bid,
)
from hurwicz.credible.clock import format_time, parse_time
from hurwicz.credible.keys import generate_key, load_private, private_hex, public_hex
from hurwicz.credible.merkle import MerkleLog
from hurwicz.credible.monitor import poll
from hurwicz.credible.receipts import entry_leaf, sign_tree_head
from hurwicz.credible.rules import make_rules, round_id
from hurwicz.credible.service import RoundService
from hurwicz.credible.state import RoundError, RoundState, signed_commit, signed_reveal
from hurwicz.credible.store import open_store
from hurwicz.credible.verify import load_heads, verify_transcript
from hurwicz.credible.witness import (
    WitnessClient,
    WitnessError,
    WitnessService,
    equivocation_problems,
    sign_cosignature,
)

from .conftest import Proxy, ServerProcess, free_port

TOKEN = "secret"


class WitnessProcess:
    """``hurwicz witness`` in a child process."""

    def __init__(self, db: Path) -> None:
        self.db, self.port = db, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def launch(self) -> WitnessProcess:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "hurwicz", "witness", "--db", str(self.db), "--port",
             str(self.port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        return self

    def wait(self) -> WitnessProcess:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                self.key = httpx.get(self.url + "/v1/info", timeout=1).json()["witness"]
                return self
            except httpx.HTTPError:
                if self.proc.poll() is not None:
                    raise RuntimeError(self.proc.stderr.read().decode()) from None
                time.sleep(0.05)
        raise RuntimeError("witness did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Two witnesses and a server that asks them for cosignatures (shared by the tests: each
    test makes its own rounds)."""
    root = tmp_path_factory.mktemp("witnessed")
    witnesses = [WitnessProcess(root / f"w{i}.db").launch() for i in range(2)]
    for w in witnesses:
        w.wait()
    server = ServerProcess(root / "server.db", token=TOKEN,
                           args=tuple(a for w in witnesses for a in ("--witness", w.url)))
    server.start()
    yield server, witnesses
    server.stop()
    for w in witnesses:
        w.stop()


def _round(server: ServerProcess, witnesses, commit_in: float = 1.2, reveal_in: float = 30.0,
           quorum: int = 2) -> tuple[str, dict]:
    created = RoundClient(server.url, TOKEN).create_round({
        "mechanism": "auction.second_price", "commit_deadline": f"+{commit_in}s",
        "reveal_deadline": f"+{reveal_in}s",
        "witnesses": {"keys": [w.key for w in witnesses], "quorum": quorum}})
    return created["round"], created["rules"]


def _sleep_until(moment: str, margin: float = 0.05) -> None:
    left = (parse_time(moment) - datetime.now(UTC)).total_seconds() + margin
    if left > 0:
        time.sleep(left)


def _operator_key(server: ServerProcess):
    return load_private(Path(str(server.db) + ".key").read_text())


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hurwicz", *args], capture_output=True,
                          text=True, timeout=60)


def _resign(operator, rid: str, entries: list[dict]) -> dict:
    """The transcript a dishonest operator publishes: its own entries, re-signed."""
    log = MerkleLog()
    for entry in entries:
        log.append(entry_leaf(entry))
    head = sign_tree_head(operator, rid, log.size, log.root().hex(),
                          format_time(datetime.now(UTC)))
    return {"format": "hurwicz-transcript/1", "round": rid, "operator": public_hex(operator),
            "entries": entries, "tree_head": head}


class _Lax(RoundState):
    """The operator's own bookkeeping when it breaks the rules: accepts anything."""

    def check(self, entry) -> None:
        return None


def _close_as_operator(rules: dict, entries: list[dict], received: str) -> dict:
    state = _Lax(rules, check_signatures=False)
    for entry in entries:
        state.apply(entry)
    return state.close_entry(received)


# --- honest rounds -------------------------------------------------------------------------------
def test_honest_witnessed_round_verifies(world, tmp_path):
    server, witnesses = world
    done = _cli("round", "create", "--server", server.url, "--token", TOKEN, "-m",
                "auction.second_price", "--commit-deadline", "+1.5s", "--reveal-deadline",
                "+30s", *(a for w in witnesses for a in ("--witness-key", w.key)),
                "--quorum", "2")
    assert done.returncode == 0, done.stderr
    rid = done.stdout.strip()
    client = RoundClient(server.url)
    rules = client.status(rid)["rules"]
    assert rules["witnesses"] == {"keys": sorted(w.key for w in witnesses), "quorum": 2}
    keys = {"alice": generate_key(), "bob": generate_key()}
    for name, bid in (("alice", 10), ("bob", 8)):
        commit_bid(client, keys[name], rid, bid, tmp_path / f"{name}.json", name)
    status = client.status(rid)
    assert status["phase"] == "commit" and status["commit_phase_closed_at"] is None
    _sleep_until(rules["schedule"]["commit_deadline"])
    for name in keys:  # --wait: polls the status, which closes the phase at a cosigned head
        reveal_bid(client, keys[name], tmp_path / f"{name}.json", wait=True)
    closed = RoundClient(server.url, TOKEN).close(rid)
    assert closed["outcome"]["payments"] == {"alice": 8.0, "bob": 0.0}
    transcript = client.transcript(rid)
    phase = transcript["entries"][3]
    assert phase["kind"] == "phase" and phase["size"] == 3
    assert sorted(c["witness"] for c in phase["cosignatures"]) == sorted(w.key for w in witnesses)
    assert all(parse_time(c["time"]) >= parse_time(rules["schedule"]["commit_deadline"])
               for c in phase["cosignatures"])
    receipts = [r for name in keys
                for r in json.loads((tmp_path / f"{name}.json").read_text())["receipts"]]
    report = verify_transcript(transcript, receipts)
    assert report.ok, report.lines()
    # each witness kept the last head it cosigned (the final one, after the close), and the
    # monitor finds every head it sees consistent
    for w in witnesses:
        kept = WitnessClient(w.url).head(rid, rules["operator"])["tree_head"]
        assert kept["size"] == len(transcript["entries"]) == 7
        assert kept["root"] == transcript["tree_head"]["root"]
    heads, problems, notes = poll(server.url, [w.url for w in witnesses], rid,
                                  tmp_path / "heads.json")
    assert problems == [] and notes == [] and len(heads) >= 2


# --- (a) last look -------------------------------------------------------------------------------
def test_last_look_shill_commit_after_reading_a_reveal_is_caught(world, tmp_path):
    server, witnesses = world
    rid, rules = _round(server, witnesses)
    client = RoundClient(server.url)
    alice, bob = generate_key(), generate_key()
    commit_bid(client, alice, rid, 10, tmp_path / "alice.json", "alice")
    commit_bid(client, bob, rid, 4, tmp_path / "bob.json", "bob")
    _sleep_until(rules["schedule"]["commit_deadline"])
    reveal_bid(client, alice, tmp_path / "alice.json", wait=True)
    reveal_bid(client, bob, tmp_path / "bob.json", wait=True)
    honest = client.transcript(rid)["entries"]
    # the operator has read alice's reveal (10): it logs a shill commit at 9.99, stamped just
    # before the deadline, and reveals it, so that alice pays 9.99 instead of 4
    operator, shill = _operator_key(server), generate_key()
    body, salt = signed_commit(shill, rid, "shill", 9.99)
    just_before = format_time(parse_time(rules["schedule"]["commit_deadline"])
                              - timedelta(milliseconds=1))
    now = format_time(datetime.now(UTC))
    forged = [*honest, {**body, "received": just_before},
              {**signed_reveal(shill, rid, 9.99, salt), "received": now}]
    forged.append(_close_as_operator(rules, forged, now))
    assert forged[-1]["outcome"]["payments"]["alice"] == 9.99
    receipts = json.loads((tmp_path / "alice.json").read_text())["receipts"]
    transcript = _resign(operator, rid, forged)
    report = verify_transcript(transcript, receipts)
    assert not report.ok
    assert report.violations[0].kind == "last_look", report.lines()
    assert "after the commit phase closed at the witnessed head of size 3" in \
        report.violations[0].message
    # without witnesses the same shill passed: the operator's clock decided (control)
    plain = make_rules({"mechanism": "auction.second_price", "commit_deadline": "+1m",
                        "reveal_deadline": "+2m"}, public_hex(operator),
                       format_time(datetime.now(UTC)))
    assert "witnesses" not in plain
    assert "VIOLATION last_look" in report.lines()[0]


def test_moving_the_shill_before_the_witnessed_close_is_caught(world, tmp_path):
    """The operator instead inserts the shill before the phase entry (keeping its
    cosignatures): the cosigned head no longer matches the log's prefix."""
    server, witnesses = world
    rid, rules = _round(server, witnesses)
    client = RoundClient(server.url)
    alice = generate_key()
    commit_bid(client, alice, rid, 10, tmp_path / "alice.json", "alice")
    _sleep_until(rules["schedule"]["commit_deadline"])
    reveal_bid(client, alice, tmp_path / "alice.json", wait=True)
    honest = client.transcript(rid)["entries"]  # rules, commit, phase (size 2), reveal
    operator, shill = _operator_key(server), generate_key()
    body, salt = signed_commit(shill, rid, "shill", 9.0)
    phase = {**honest[2], "size": 3}  # it even edits the size
    now = format_time(datetime.now(UTC))
    forged = [honest[0], honest[1], {**body, "received": honest[1]["received"]}, phase,
              honest[3], {**signed_reveal(shill, rid, 9.0, salt), "received": now}]
    forged.append(_close_as_operator(rules, forged, now))
    report = verify_transcript(_resign(operator, rid, forged))
    kinds = [v.kind for v in report.violations]
    assert "phase" in kinds or "last_look" in kinds, report.lines()
    # re-cosigning is no way out: the witnesses refuse a head that does not extend theirs
    log = MerkleLog()
    for entry in forged[:3]:
        log.append(entry_leaf(entry))
    head = sign_tree_head(operator, rid, 3, log.root().hex(), now)
    with pytest.raises(WitnessError) as refused:
        WitnessClient(witnesses[0].url).cosign({"operator": public_hex(operator),
                                                "rules": rules, "tree_head": head,
                                                "proof": []})
    assert refused.value.status == 409 and refused.value.field == "proof"


# --- (b) censorship at the door ------------------------------------------------------------------
def test_censored_reveal_lodged_with_a_witness_is_reported(world, tmp_path):
    server, witnesses = world
    rid, rules = _round(server, witnesses, commit_in=1.2, reveal_in=5.0)
    proxy = Proxy(server.url)  # bob reaches the operator through it; the operator refuses him
    try:
        honest, door = RoundClient(server.url), RoundClient(proxy.url)
        alice, bob = generate_key(), generate_key()
        commit_bid(honest, alice, rid, 10, tmp_path / "alice.json", "alice")
        commit_bid(door, bob, rid, 12, tmp_path / "bob.json", "bob")
        _sleep_until(rules["schedule"]["commit_deadline"])
        reveal_bid(honest, alice, tmp_path / "alice.json", wait=True)

        # bob's client sends no reveal unless the phase entry really is witnessed: shown a
        # close of the commit phase without cosignatures, it refuses and sends nothing
        def strip(method, path, content):
            if not path.endswith("/transcript"):
                return content
            shown = json.loads(content)
            for entry in shown["entries"]:
                if entry["kind"] == "phase":
                    entry["cosignatures"] = entry["cosignatures"][:1]
            return json.dumps(shown).encode()

        proxy.rewrite = strip
        with pytest.raises(ServerError, match="not witnessed"):
            reveal_bid(door, bob, tmp_path / "bob.json", wait=True)
        assert not [r for r in proxy.requests if r[1].endswith("/reveals")]
        proxy.rewrite = None
        proxy.refuse = lambda method, path: method == "POST" and path.endswith("/reveals")
        with pytest.raises(ServerError):
            reveal_bid(door, bob, tmp_path / "bob.json", wait=True)
        # bob lodges the refused reveal with a witness, which checks it and its deadline
        (tmp_path / "bob.key").write_text(private_hex(bob) + "\n")
        done = _cli("bid", "lodge", "--state", str(tmp_path / "bob.json"), "--witness",
                    witnesses[1].url, "--key", str(tmp_path / "bob.key"), "--server", proxy.url)
        assert done.returncode == 0 and "acknowledged by witness" in done.stdout, done.stderr
        ack = json.loads((tmp_path / "bob.json").read_text())["acks"][0]
        assert ack["ack"]["witness"] == witnesses[1].key
        assert ack["submission"]["kind"] == "reveal"
        # a commit cannot be lodged once the witness's clock says the deadline has passed
        carol = generate_key()
        late, _ = signed_commit(carol, rid, "carol", 1)
        with pytest.raises(WitnessError, match="late commit"):
            WitnessClient(witnesses[0].url).acknowledge({"rules": rules, "submission": late})
    finally:
        proxy.close()
    transcript = honest.transcript(rid)  # bob's reveal is missing (whether closed or not)
    path = tmp_path / "transcript.json"
    path.write_text(json.dumps(transcript))
    # bob will count as unrevealed: the transcript and every receipt look honest ...
    receipts = [r for name in ("alice", "bob")
                for r in json.loads((tmp_path / f"{name}.json").read_text())["receipts"]]
    assert verify_transcript(transcript, receipts).ok
    # ... but bob's acknowledgement proves the censorship
    done = _cli("verify", str(path), "--ack", str(tmp_path / "bob.json"))
    assert done.returncode == 1 and "VIOLATION censored" in done.stdout, done.stdout
    assert "'bob'" in done.stdout
    # a forged or altered acknowledgement is not taken as proof
    bad = json.loads((tmp_path / "bob.json").read_text())["acks"][0]
    bad["submission"] = {**bad["submission"], "salt": "00" * 32}
    report = verify_transcript(transcript, acks=[bad])
    assert [v.kind for v in report.violations] == ["ack"]


def test_witness_acknowledges_only_valid_in_time_submissions(tmp_path):
    now = [datetime(2026, 1, 1, tzinfo=UTC)]
    witness = WitnessService(str(tmp_path / "w.db"), generate_key(), lambda: now[0])
    other = generate_key()
    rules = make_rules({"mechanism": "auction.second_price", "commit_deadline": "+1m",
                        "reveal_deadline": "+2m",
                        "witnesses": {"keys": [witness.public], "quorum": 1}},
                       public_hex(generate_key()), format_time(now[0]))
    rid, bidder = round_id(rules), generate_key()
    body, salt = signed_commit(bidder, rid, "alice", 5)
    assert witness.acknowledge({"rules": rules, "submission": body})["ack"]["round"] == rid
    with pytest.raises(WitnessError, match="signature"):
        witness.acknowledge({"rules": rules, "submission": {**body, "name": "mallory"}})
    with pytest.raises(WitnessError, match="early|between"):  # a reveal before the deadline
        witness.acknowledge({"rules": rules, "submission": signed_reveal(bidder, rid, 5, salt)})
    now[0] += timedelta(seconds=61)
    with pytest.raises(WitnessError, match="late commit"):  # by the witness's own clock
        witness.acknowledge({"rules": rules, "submission": signed_commit(other, rid, "b", 1)[0]})
    witness.acknowledge({"rules": rules, "submission": signed_reveal(bidder, rid, 5, salt)})
    with pytest.raises(WitnessError, match="hash"):
        witness.acknowledge({"rules": {**rules, "title": "x"}, "submission": body})


# --- (c) split view ------------------------------------------------------------------------------
def test_split_view_is_equivocation_for_witness_verify_and_monitor(world, tmp_path):
    server, witnesses = world
    rid, rules = _round(server, witnesses)
    client = RoundClient(server.url)
    alice = generate_key()
    commit_bid(client, alice, rid, 10, tmp_path / "alice.json", "alice")
    _sleep_until(rules["schedule"]["commit_deadline"])
    client.call("POST", f"/v1/rounds/{rid}/phase")  # the witnesses cosign the head of size 2
    transcript = client.transcript(rid)
    honest = transcript["entries"]
    # the operator shows someone else a log of the same size 2 with a shill instead of alice
    operator, shill = _operator_key(server), generate_key()
    body, _ = signed_commit(shill, rid, "shill", 9.0)
    other = MerkleLog()
    for entry in (honest[0], {**body, "received": honest[1]["received"]}):
        other.append(entry_leaf(entry))
    forged = sign_tree_head(operator, rid, 2, other.root().hex(), format_time(datetime.now(UTC)))
    with pytest.raises(WitnessError) as refused:
        WitnessClient(witnesses[0].url).cosign({"operator": public_hex(operator),
                                                "rules": rules, "tree_head": forged,
                                                "proof": []})
    assert refused.value.status == 409 and refused.value.field == "equivocation"
    proofs = httpx.get(f"{witnesses[0].url}/v1/equivocations", params={"round": rid}).json()
    proof = proofs["equivocations"][0]
    assert equivocation_problems(proof) == []  # self-contained: two heads, both signed
    assert {h["root"] for h in proof["heads"]} == {forged["root"], honest[2]["root"]}
    # verify, given the head someone was shown: equivocation (not "receipt lacks index")
    (tmp_path / "transcript.json").write_text(json.dumps(transcript))
    (tmp_path / "forged.json").write_text(json.dumps(forged))
    for option in ("--head", "--receipt"):  # a bare head given as a receipt, too
        done = _cli("verify", str(tmp_path / "transcript.json"), option,
                    str(tmp_path / "forged.json"))
        assert done.returncode == 1 and "VIOLATION equivocation" in done.stdout, done.stdout
        assert "lacks index" not in done.stdout
    report = verify_transcript(transcript, heads=load_heads(proof))  # the published proof
    assert [v.kind for v in report.violations] == ["equivocation"]
    # the monitor polls the server and the witnesses and finds the published proof
    done = _cli("monitor", server.url, "--round", rid, "--heads", str(tmp_path / "heads.json"),
                *(a for w in witnesses for a in ("--witness", w.url)))
    assert done.returncode == 1 and "VIOLATION equivocation" in done.stdout, done.stdout
    kept = json.loads((tmp_path / "heads.json").read_text())["heads"]
    assert forged["root"] in {h["root"] for h in kept}
    # a monitor that was only shown the forged head by hand (no witness) finds it as well:
    # it asks the server for its own signed head of that size
    _, problems, _ = poll(server.url, [], rid, tmp_path / "h2.json", [forged])
    assert problems and problems[0].startswith("equivocation"), problems


# --- the pieces, in process ---------------------------------------------------------------------
def test_witness_cosigns_only_consistent_extensions(tmp_path):
    operator, key = generate_key(), generate_key()
    witness = WitnessService(str(tmp_path / "w.db"), key)
    log = MerkleLog()
    for n in range(5):
        log.append(entry_leaf({"n": n}))
    t = "2026-01-01T00:00:00.000000Z"
    rules = {"operator": public_hex(operator)}  # the witness checks only hash and operator
    r1 = round_id(rules)
    first = sign_tree_head(operator, r1, 2, log.root(2).hex(), t)
    witness.cosign({"operator": public_hex(operator), "rules": rules, "tree_head": first})
    later = sign_tree_head(operator, r1, 5, log.root(5).hex(), t)
    with pytest.raises(WitnessError, match="consistency"):
        witness.cosign({"operator": public_hex(operator), "rules": rules, "tree_head": later,
                        "proof": []})
    proof = [p.hex() for p in log.consistency_proof(2, 5)]
    cos = witness.cosign({"operator": public_hex(operator), "rules": rules, "tree_head": later,
                          "proof": proof})
    assert cos["size"] == 5 and cos["witness"] == public_hex(key)
    # durable: a restarted witness still holds the head of size 5 and refuses to go back
    again = WitnessService(str(tmp_path / "w.db"), key)
    assert again.head(r1, public_hex(operator))["tree_head"]["size"] == 5
    with pytest.raises(WitnessError, match="older"):
        again.cosign({"operator": public_hex(operator), "rules": rules, "tree_head": first})
    # a head not signed by the operator it names is refused
    with pytest.raises(WitnessError, match="not signed"):
        again.cosign({"operator": public_hex(generate_key()), "rules": rules,
                      "tree_head": later})


def test_phase_entry_needs_a_quorum_of_named_witnesses_after_the_deadline(tmp_path, clock):
    w1, w2 = generate_key(), generate_key()
    service = RoundService(open_store(str(tmp_path / "r.db")), generate_key(), clock)
    rid = service.create_round({"mechanism": "auction.second_price", "commit_deadline": "+60s",
                                "reveal_deadline": "+120s",
                                "witnesses": {"keys": [public_hex(w1), public_hex(w2)],
                                              "quorum": 2}})["round"]
    state = service.rounds[rid].state
    root = service.rounds[rid].log.root(1).hex()
    head = {"round": rid, "size": 1, "root": root}
    deadline = parse_time(state.rules["schedule"]["commit_deadline"])
    after, before = format_time(deadline + timedelta(seconds=1)), format_time(deadline)
    early = format_time(deadline - timedelta(seconds=1))

    def phase(cosignatures):
        return {"kind": "phase", "round": rid, "phase": "reveal", "size": 1, "root": root,
                "cosignatures": cosignatures, "received": after}

    good = [sign_cosignature(w1, head, after), sign_cosignature(w2, head, before)]
    for bad in ([good[0]], [good[0], good[0]], [good[0], sign_cosignature(w2, head, early)],
                [good[0], sign_cosignature(generate_key(), head, after)],
                [good[0], {**good[1], "root": "00" * 32}]):
        with pytest.raises(RoundError) as refused:
            state.check(phase(bad))
        assert refused.value.field == "cosignatures"
    state.check(phase(good))
    # reveals wait for the phase entry, commits stop at it
    bidder = generate_key()
    body, salt = signed_commit(bidder, rid, "a", 3)
    service.submit(rid, body)
    clock.advance(61)
    with pytest.raises(RoundError, match="not closed at a witnessed"):
        service.submit(rid, signed_reveal(bidder, rid, 3, salt))
    assert service.status(rid)["phase"] == "commit"


def test_rewritten_close_nobody_holds_a_receipt_for_is_caught_by_the_monitor(world, tmp_path):
    """The operator later hides bob's reveal and re-closes (no receipt covers the new close):
    the witnesses kept the final head, so the monitor and verify --head report the fork."""
    import sqlite3

    _, witnesses = world
    server = ServerProcess(tmp_path / "own.db", token=TOKEN,
                           args=tuple(a for w in witnesses for a in ("--witness", w.url)))
    server.start()
    try:
        rid, rules = _round(server, witnesses, commit_in=1.0, reveal_in=2.0)
        client = RoundClient(server.url)
        alice, bob = generate_key(), generate_key()
        commit_bid(client, alice, rid, 10, tmp_path / "alice.json", "alice")
        commit_bid(client, bob, rid, 8, tmp_path / "bob.json", "bob")
        _sleep_until(rules["schedule"]["commit_deadline"])
        reveal_bid(client, alice, tmp_path / "alice.json", wait=True)
        reveal_bid(client, bob, tmp_path / "bob.json", wait=True)
        RoundClient(server.url, TOKEN).close(rid)  # alice pays 8; the witnesses keep size 7
        entries = client.transcript(rid)["entries"]
    finally:
        server.stop()
    _sleep_until(rules["schedule"]["reveal_deadline"])
    kept = [e for e in entries[:-1] if not (e["kind"] == "reveal"
                                            and e["participant"] == public_hex(bob))]
    kept.append(_close_as_operator(rules, kept, format_time(datetime.now(UTC))))
    assert kept[-1]["outcome"]["payments"]["alice"] == 0.0
    db = sqlite3.connect(tmp_path / "own.db")
    with db:
        db.execute("DELETE FROM entries WHERE round = ?", (rid,))
        db.executemany("INSERT INTO entries VALUES (?, ?, ?)",
                       [(rid, i, json.dumps(e)) for i, e in enumerate(kept)])
    db.close()
    server.start()
    try:
        transcript = client.transcript(rid)
        assert verify_transcript(transcript).ok  # alone, the shorter log looks honest
        _, problems, _ = poll(server.url, [witnesses[0].url], rid, tmp_path / "heads.json")
        assert [p.split(":")[0] for p in problems] == ["fork"], problems
        heads = load_heads(json.loads((tmp_path / "heads.json").read_text()))
        assert "fork" in [v.kind for v in verify_transcript(transcript, heads=heads).violations]
    finally:
        server.stop()

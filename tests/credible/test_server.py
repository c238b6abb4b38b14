"""The real server on 127.0.0.1 (issue #8, items 6-8): HTTP API and errors, a crash by SIGKILL
in the middle of a burst of commits (every receipted entry survives the restart), attacks over
the wire, and the command-line tutorial end to end."""

from __future__ import annotations

import json
import os
import threading
import time

import httpx
import pytest

from hurwicz.cli import main
from hurwicz.credible.client import RoundClient, check_receipt
from hurwicz.credible.keys import generate_key
from hurwicz.credible.state import signed_commit, signed_reveal
from hurwicz.credible.verify import verify_transcript

from .conftest import ServerProcess

SPEC = {"mechanism": "auction.second_price", "commit_deadline": "+60s",
        "reveal_deadline": "+120s"}


def admin(server: ServerProcess) -> RoundClient:
    return RoundClient(server.url, server.token)


def wait_for_commit_deadline(rules: dict) -> None:
    """Sleep until just after the round's commit deadline (robust on slow machines)."""
    from hurwicz.credible.clock import parse_time, utc_now

    left = (parse_time(rules["schedule"]["commit_deadline"]) - utc_now()).total_seconds()
    time.sleep(max(left, 0.0) + 0.2)


def test_api_answers_with_openapi_and_clear_4xx(server):
    schema = httpx.get(server.url + "/openapi.json").json()
    assert {"/v1/rounds", "/v1/rounds/{rid}/commits", "/v1/rounds/{rid}/transcript"} <= set(
        schema["paths"])
    no_token = httpx.post(server.url + "/v1/rounds", json=SPEC)
    assert no_token.status_code == 401 and "admin token" in no_token.json()["error"]["message"]
    missing = httpx.get(server.url + "/v1/rounds/rnope")
    assert missing.status_code == 404 and missing.json()["error"]["field"] == "round"
    rid = admin(server).create_round(SPEC)["round"]
    big = httpx.post(f"{server.url}/v1/rounds/{rid}/commits", content=b"{" + b" " * 70000 + b"}",
                     headers={"content-type": "application/json"})
    assert big.status_code == 413
    partial = httpx.post(f"{server.url}/v1/rounds/{rid}/commits", json={"round": rid})
    assert partial.status_code == 422 and partial.json()["error"]["field"] == "participant"
    bad_rules = httpx.post(server.url + "/v1/rounds", json={**SPEC, "params": {"reserve": -1}},
                           headers={"Authorization": "Bearer secret"})
    assert bad_rules.status_code == 422 and "reserve" in bad_rules.json()["error"]["field"]


def test_attacks_over_the_wire_are_refused(server):
    client = admin(server)
    created = client.create_round({**SPEC, "commit_deadline": "+5s", "reveal_deadline": "+60s"})
    rid, operator = created["round"], created["rules"]["operator"]
    alice, mallory = generate_key(), generate_key()
    body, salt = signed_commit(alice, rid, "alice", 10)
    first = client.submit(body, operator)

    def status_of(path, payload):
        return httpx.post(f"{server.url}/v1/rounds/{rid}/{path}", json=payload).status_code

    replayed = httpx.post(f"{server.url}/v1/rounds/{rid}/commits", json=body)
    assert replayed.status_code == 200 and replayed.json()["receipt"] == first  # no new entry
    assert status_of("commits", signed_commit(alice, rid, "alice2", 11)[0]) == 409
    forged = {**signed_commit(mallory, rid, "mallory", 1)[0], "commitment": "cd" * 32}
    assert status_of("commits", forged) == 401
    wait_for_commit_deadline(created["rules"])
    assert status_of("commits", signed_commit(mallory, rid, "late", 1)[0]) == 409
    assert status_of("reveals", signed_reveal(alice, rid, 12, salt)) == 422  # not committed
    receipt = client.submit(signed_reveal(alice, rid, 10, salt), operator)
    assert status_of("reveals", signed_reveal(alice, rid, 10, salt)) == 200  # a retry
    closed = client.close(rid)
    assert closed["outcome"]["allocation"] == {"alice": 1}
    proof = client.call("GET", f"/v1/rounds/{rid}/proofs/inclusion",
                        params={"index": receipt["index"]})
    from hurwicz.credible.merkle import verify_inclusion

    head = proof["tree_head"]
    assert verify_inclusion(bytes.fromhex(proof["entry_hash"]), receipt["index"], head["size"],
                            [bytes.fromhex(p) for p in proof["proof"]],
                            bytes.fromhex(head["root"]))
    assert verify_transcript(client.transcript(rid), [receipt]).ok


STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.skipif(
    not os.environ.get("HURWICZ_TEST_POSTGRES"),
    reason="set HURWICZ_TEST_POSTGRES=postgresql://... to test PostgreSQL (.ci/run starts one)"))]


@pytest.mark.parametrize("store", STORES)
def test_sigkill_during_a_burst_of_commits_loses_no_receipted_entry(tmp_path, store):
    """The server is killed with SIGKILL mid-burst; after a restart on the same store every
    receipted commit is in the log — on a SQLite file and on a real PostgreSQL server."""
    db = (str(tmp_path / "crash.db") if store == "sqlite"
          else os.environ["HURWICZ_TEST_POSTGRES"])
    key_args = ("--key", str(tmp_path / "operator.key"))  # the restart signs with the same key
    server = ServerProcess(db, args=key_args).start()  # type: ignore[arg-type]
    client = admin(server)
    created = client.create_round(SPEC)
    rid, operator = created["round"], created["rules"]["operator"]
    bodies = [signed_commit(generate_key(), rid, f"p{i}", float(i))[0] for i in range(400)]
    receipts: list[dict] = []
    lock = threading.Lock()

    def worker(chunk):
        with httpx.Client(base_url=server.url, timeout=5) as http:
            for body in chunk:
                try:
                    answer = http.post(f"/v1/rounds/{rid}/commits", json=body)
                except httpx.HTTPError:
                    return
                if answer.status_code != 201:
                    return
                check_receipt(answer.json(), body, operator)
                with lock:
                    receipts.append(answer.json()["receipt"])

    threads = [threading.Thread(target=worker, args=(bodies[k::8],)) for k in range(8)]
    for t in threads:
        t.start()
    give_up = time.monotonic() + 120
    while len(receipts) < 60 and time.monotonic() < give_up:
        time.sleep(0.005)
    server.kill()  # SIGKILL mid-burst
    for t in threads:
        t.join()
    assert len(receipts) >= 60
    restarted = ServerProcess(db, args=key_args)  # type: ignore[arg-type]
    restarted.port, restarted.url = server.port, server.url
    restarted.start()
    try:
        transcript = RoundClient(restarted.url).transcript(rid)
        report = verify_transcript(transcript, receipts)
        assert report.ok, report.violations[:3]
        leaves = {r["index"]: r["entry_hash"] for r in receipts}
        assert len(transcript["entries"]) >= 1 + len(receipts)
        assert len(leaves) == len(receipts)  # every receipt names its own index
    finally:
        restarted.stop()


def run_cli(capsys, *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_:
        main(list(args))
    out = capsys.readouterr()
    return int(exit_.value.code or 0), out.out + out.err


def test_tutorial_sealed_bid_second_price_on_the_command_line(server, tmp_path, capsys,
                                                              monkeypatch):
    monkeypatch.setenv("HURWICZ_SERVER", server.url)
    monkeypatch.setenv("HURWICZ_ADMIN_TOKEN", server.token)
    monkeypatch.chdir(tmp_path)
    for who in ("alice", "bob", "carol"):
        assert run_cli(capsys, "keygen", "--out", f"{who}.key")[0] == 0
    code, out = run_cli(capsys, "round", "create", "-m", "auction.second_price",
                        "--commit-deadline", "+6s", "--reveal-deadline", "+60s")
    assert code == 0
    rid = out.strip()
    rules = RoundClient(server.url).status(rid)["rules"]
    for who, bid in (("alice", "10"), ("bob", "8"), ("carol", "7")):
        code, out = run_cli(capsys, "bid", "commit", "--round", rid, "--key", f"{who}.key",
                            "--name", who, "--report", bid, "--state", f"{who}.json")
        assert code == 0, out
    wait_for_commit_deadline(rules)
    for who in ("alice", "bob", "carol"):
        assert run_cli(capsys, "bid", "reveal", "--key", f"{who}.key", "--state",
                       f"{who}.json")[0] == 0
    code, out = run_cli(capsys, "round", "close", rid)
    assert code == 0 and "'alice': 8.0" in out
    assert run_cli(capsys, "round", "transcript", rid, "--out", "t.json")[0] == 0
    receipts = ["--receipt", "alice.json", "--receipt", "bob.json", "--receipt", "carol.json"]
    code, out = run_cli(capsys, "verify", "t.json", *receipts)
    assert code == 0 and out.startswith("OK: 8 entries")
    transcript = json.loads((tmp_path / "t.json").read_text())
    transcript["entries"][-1]["outcome"]["payments"]["alice"] = 7.0
    (tmp_path / "t.json").write_text(json.dumps(transcript))
    code, out = run_cli(capsys, "verify", "t.json", *receipts)
    assert code == 1 and "VIOLATION outcome" in out and "↳ merkle" in out, out


def test_bid_check_catches_a_rewritten_log(tmp_path, capsys, monkeypatch):
    """A participant checks receipts against the live log (RFC 6962 proofs). The operator then
    stops the server, deletes bob's commit from the database, renumbers the rest and restarts:
    alice's check now fails (her entry moved, the history forked)."""
    import sqlite3

    server = ServerProcess(tmp_path / "rewrite.db").start()
    monkeypatch.setenv("HURWICZ_SERVER", server.url)
    monkeypatch.setenv("HURWICZ_ADMIN_TOKEN", server.token)
    monkeypatch.chdir(tmp_path)
    try:
        for who in ("alice", "bob"):
            run_cli(capsys, "keygen", "--out", f"{who}.key")
        code, out = run_cli(capsys, "round", "create", "-m", "auction.second_price",
                            "--commit-deadline", "+60s", "--reveal-deadline", "+120s")
        rid = out.strip()
        for who, bid in (("bob", "8"), ("alice", "10")):
            assert run_cli(capsys, "bid", "commit", "--round", rid, "--key", f"{who}.key",
                           "--name", who, "--report", bid, "--state", f"{who}.json")[0] == 0
        code, out = run_cli(capsys, "bid", "check", "--state", "alice.json")
        assert code == 0 and out.startswith("OK: 1 receipts")
        server.stop()
        with sqlite3.connect(tmp_path / "rewrite.db") as db:
            db.execute("DELETE FROM entries WHERE round = ? AND idx = 1", (rid,))
            db.execute("UPDATE entries SET idx = idx - 1 WHERE round = ? AND idx > 1", (rid,))
        server.start()
        code, out = run_cli(capsys, "bid", "check", "--state", "alice.json")
        assert code == 1 and "VIOLATION" in out and ("fork" in out or "censorship" in out)
    finally:
        server.stop()

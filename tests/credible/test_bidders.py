"""Bidders can never lock themselves out or leak their bid (issue #14, section 2), over real
processes on 127.0.0.1: a ``hurwicz serve`` child process, ``hurwicz bid`` run in-process or as
a child process, and a man in the middle (:class:`~.conftest.Proxy`) that loses answers, kills
the client mid-request, records what reaches the server, or rewrites what the client is shown.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import timedelta

import httpx
import pytest

from hurwicz.cli import main
from hurwicz.credible.client import RoundClient, commit_bid, reveal_bid
from hurwicz.credible.clock import utc_now
from hurwicz.credible.keys import generate_key
from hurwicz.credible.state import signed_commit
from hurwicz.credible.verify import verify_transcript

SPEC = {"mechanism": "auction.second_price", "commit_deadline": "+60s",
        "reveal_deadline": "+120s"}


def run_cli(capsys, *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_:
        main(list(args))
    out = capsys.readouterr()
    return int(exit_.value.code or 0), out.out + out.err


def bid_process(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "hurwicz", "bid", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_client_killed_or_cut_off_mid_commit_can_still_reveal(server, proxy, tmp_path,
                                                                capsys, monkeypatch):
    """alice's client is killed (SIGKILL) after the server logged her commit but before the
    answer reached her; bob's answer is lost on the way. Both state files already hold the
    salt and the signed commit: alice reruns the same command, bob goes straight to reveal;
    both reveals count."""
    monkeypatch.chdir(tmp_path)
    client = RoundClient(server.url, server.token)
    created = client.create_round({**SPEC, "commit_deadline": "+12s"})
    rid = created["round"]
    for who in ("alice", "bob"):
        assert run_cli(capsys, "keygen", "--out", f"{who}.key")[0] == 0

    victim: list[subprocess.Popen] = []

    def kill_before_answering(method: str, path: str) -> bool:
        if method == "POST" and path.endswith("/commits"):
            victim[0].send_signal(signal.SIGKILL)
            victim[0].wait(10)
            return True
        return False

    proxy.after = kill_before_answering
    alice_args = ("commit", "--round", rid, "--key", "alice.key", "--name", "alice", "--report",
                  "10", "--state", "alice.json")
    victim.append(bid_process(*alice_args, "--server", proxy.url))
    assert victim[0].wait(60) == -signal.SIGKILL
    saved = json.loads((tmp_path / "alice.json").read_text())
    assert saved["receipts"] == [] and saved["salt"] and saved["commit"]["name"] == "alice"
    assert oct((tmp_path / "alice.json").stat().st_mode & 0o777) == "0o600"
    assert client.status(rid)["commits"] == 1  # the server has it; alice has no receipt

    proxy.after = lambda method, path: method == "POST" and path.endswith("/commits")
    lost = bid_process("commit", "--round", rid, "--key", "bob.key", "--name", "bob",
                       "--report", "8", "--state", "bob.json", "--server", proxy.url)
    _, err = lost.communicate(timeout=60)
    assert lost.returncode == 2 and "cannot reach" in err
    assert client.status(rid)["commits"] == 2

    rerun = bid_process(*alice_args, "--server", server.url)  # the same command again
    out, err = rerun.communicate(timeout=60)
    assert rerun.returncode == 0, err
    saved = json.loads((tmp_path / "alice.json").read_text())
    assert len(saved["receipts"]) == 1 and saved["receipts"][0]["index"] == 1
    assert client.status(rid)["commits"] == 2  # no second entry

    proxy.after = None  # the network is fine again (bob's state file names the proxy)
    for who in ("alice", "bob"):  # bob's reveal first recovers his commit receipt
        code, out = run_cli(capsys, "bid", "reveal", "--key", f"{who}.key", "--state",
                            f"{who}.json", "--wait")
        assert code == 0, out
    closed = client.close(rid)
    assert closed["revealed"] == ["alice", "bob"] and closed["outcome"]["payments"]["alice"] == 8
    receipts = [r for who in ("alice", "bob")
                for r in json.loads((tmp_path / f"{who}.json").read_text())["receipts"]]
    assert len(receipts) == 4
    report = verify_transcript(client.transcript(rid), receipts)
    assert report.ok, report.violations


def test_a_replayed_commit_gets_the_original_receipt_not_a_refusal(server):
    """Someone on the path replays alice's signed commit before her own request arrives: her
    request still gets the (one) receipt, with HTTP 200 instead of 201, and the log holds one
    entry."""
    client = RoundClient(server.url, server.token)
    created = client.create_round(SPEC)
    rid, operator = created["round"], created["rules"]["operator"]
    alice = generate_key()
    body, _ = signed_commit(alice, rid, "alice", 10)
    first = httpx.post(f"{server.url}/v1/rounds/{rid}/commits", json=body)
    second = httpx.post(f"{server.url}/v1/rounds/{rid}/commits", json=body)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["receipt"] == second.json()["receipt"] == client.submit(body, operator)
    assert second.json()["existing"] is True
    assert [e["kind"] for e in client.transcript(rid)["entries"]] == ["rules", "commit"]


def test_no_reveal_is_sent_before_the_commit_deadline(server, proxy, tmp_path, capsys,
                                                      monkeypatch):
    """The server would answer 425 to an early reveal, but it would already have the report and
    salt: the client refuses to send it at all (proxy log: no POST to /reveals)."""
    monkeypatch.chdir(tmp_path)
    client = RoundClient(server.url, server.token)
    rid = client.create_round(SPEC)["round"]
    run_cli(capsys, "keygen", "--out", "alice.key")
    code, out = run_cli(capsys, "bid", "commit", "--server", proxy.url, "--round", rid, "--key",
                        "alice.key", "--name", "alice", "--report", "10", "--state", "a.json")
    assert code == 0, out
    code, out = run_cli(capsys, "bid", "reveal", "--server", proxy.url, "--key", "alice.key",
                        "--state", "a.json")
    assert code == 2 and "reveals open after the commit deadline" in out
    assert "nothing was sent" in out
    assert not [p for m, p in proxy.requests if m == "POST" and p.endswith("/reveals")]
    assert client.status(rid)["reveals"] == 0

    # this machine's clock is ahead of the server's: still nothing is sent before the server
    # says the commit phase is over
    from hurwicz.credible.keys import load_private

    key = load_private((tmp_path / "alice.key").read_text())
    with pytest.raises(Exception, match="the server says it has not passed yet"):
        reveal_bid(RoundClient(proxy.url), key, tmp_path / "a.json",
                   now=lambda: utc_now() + timedelta(minutes=5))
    assert not [p for m, p in proxy.requests if m == "POST" and p.endswith("/reveals")]


def test_a_report_the_mechanism_refuses_is_never_committed(server, tmp_path, capsys,
                                                           monkeypatch):
    """Today's failure mode: a receipt for a report that can never be revealed, so the bid is
    lost (or replaced by the operator's default). The client now checks the report against
    the mechanism's input schema first: exit 2, no state file, nothing on the server."""
    monkeypatch.chdir(tmp_path)
    client = RoundClient(server.url, server.token)
    rid = client.create_round({**SPEC, "unrevealed": {"default": 0}})["round"]
    run_cli(capsys, "keygen", "--out", "k.key")
    for report in ("NaN", "-5", '"abc"', "Infinity", "[10]", "1e999", "1e16", "true"):
        code, out = run_cli(capsys, "bid", "commit", "--server", server.url, "--round", rid,
                            "--key", "k.key", "--report", report, "--state", "s.json")
        assert code == 2 and "--report" in out, (report, out)
        assert not (tmp_path / "s.json").exists()
    assert client.status(rid)["commits"] == 0


def test_an_unknown_candidate_is_refused_before_committing(server, tmp_path, capsys,
                                                           monkeypatch):
    monkeypatch.chdir(tmp_path)
    client = RoundClient(server.url, server.token)
    rid = client.create_round({**SPEC, "mechanism": "voting.plurality", "input": {
        "candidates": ["x", "y"], "ballots": []}})["round"]
    run_cli(capsys, "keygen", "--out", "k.key")
    args = ("bid", "commit", "--server", server.url, "--round", rid, "--key", "k.key",
            "--state", "s.json", "--report")
    code, out = run_cli(capsys, *args, '["z"]')
    assert code == 2 and "unknown candidate 'z'" in out
    assert client.status(rid)["commits"] == 0
    assert run_cli(capsys, *args, '["y", "x"]')[0] == 0
    assert client.status(rid)["commits"] == 1


def test_rules_rewritten_on_the_way_are_caught(server, proxy, tmp_path, capsys, monkeypatch):
    """A rewriting proxy shows first price for a second-price round: the rules no longer hash
    to the round id, so `round show` and `bid commit` stop (and commit nothing)."""
    monkeypatch.chdir(tmp_path)
    rid = RoundClient(server.url, server.token).create_round(SPEC)["round"]

    def first_price(method: str, path: str, body: bytes) -> bytes:
        return body.replace(b"auction.second_price", b"auction.first_price")

    proxy.rewrite = first_price
    code, out = run_cli(capsys, "round", "show", rid, "--server", proxy.url)
    assert code == 2 and "do not hash to its id" in out and "first_price" not in out
    run_cli(capsys, "keygen", "--out", "k.key")
    code, out = run_cli(capsys, "bid", "commit", "--server", proxy.url, "--round", rid,
                        "--key", "k.key", "--report", "3", "--state", "s.json")
    assert code == 2 and "do not hash to its id" in out
    assert not (tmp_path / "s.json").exists()
    assert RoundClient(server.url).status(rid)["commits"] == 0
    proxy.rewrite = None
    code, out = run_cli(capsys, "round", "show", rid, "--server", proxy.url)
    assert code == 0 and "auction.second_price" in out


def test_commit_bid_reruns_are_idempotent_and_a_changed_report_is_refused(server, tmp_path):
    client = RoundClient(server.url, server.token)
    rid = client.create_round(SPEC)["round"]
    key, state = generate_key(), tmp_path / "s.json"
    saved = commit_bid(client, key, rid, 7, state, "carol")
    assert commit_bid(client, key, rid, 7, state) == saved
    with pytest.raises(Exception, match="commitment to another report"):
        commit_bid(client, key, rid, 9, state)
    assert client.status(rid)["commits"] == 1


def test_the_state_file_is_private_and_never_followed_through_a_link(server, tmp_path):
    client = RoundClient(server.url, server.token)
    rid = client.create_round(SPEC)["round"]
    target = tmp_path / "elsewhere.json"
    target.write_text("{}")
    link = tmp_path / "link.json"
    os.symlink(target, link)
    with pytest.raises(Exception, match="symbolic link"):
        commit_bid(client, generate_key(), rid, 7, link)
    assert target.read_text() == "{}"
    assert client.status(rid)["commits"] == 0

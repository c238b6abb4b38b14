"""Server hardening (issue #14, section 3), against a real ``hurwicz serve`` process on
127.0.0.1 where the wire matters: admin auth on by default and checked before the body, one
error form for every refusal, no 5xx from any input (a fuzzer sends a few hundred malformed
bodies), 413 for streamed bodies, per-client read limits, O(log n) proofs, private key files,
and a wall clock that steps backwards."""

from __future__ import annotations

import contextlib
import json
import os
import random
import subprocess

import httpx
import pytest

from hurwicz.cli import main
from hurwicz.core.errors import InputError
from hurwicz.credible import merkle
from hurwicz.credible.client import RoundClient
from hurwicz.credible.keys import generate_key
from hurwicz.credible.merkle import (
    MerkleLog,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)
from hurwicz.credible.server import ReadLimit, create_app
from hurwicz.credible.service import RoundService
from hurwicz.credible.state import RoundError, signed_commit, signed_reveal
from hurwicz.credible.store import open_store
from hurwicz.credible.verify import verify_transcript

from .conftest import Clock, ServerProcess

SPEC = {"mechanism": "auction.second_price", "commit_deadline": "+60s",
        "reveal_deadline": "+120s"}
ADMIN = {"Authorization": "Bearer secret"}


def is_error_form(response: httpx.Response) -> bool:
    try:
        error = response.json()["error"]
    except (ValueError, KeyError, TypeError):
        return False
    return set(error) == {"field", "message"} and isinstance(error["message"], str)


def post_json(url: str, document, headers: dict | None = None) -> httpx.Response:
    """POST a document as JSON text with escapes (so that lone surrogates can be sent)."""
    return httpx.post(url, content=json.dumps(document),
                      headers={"content-type": "application/json", **(headers or {})})


def run_cli(capsys, *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_:
        main(list(args))
    out = capsys.readouterr()
    return int(exit_.value.code or 0), out.out + out.err


# --- admin auth -------------------------------------------------------------------------------
def test_serve_refuses_to_start_without_an_admin_token(tmp_path):
    for token, args in ((None, ()), ("", ()), ("  ", ())):
        server = ServerProcess(tmp_path / "none.db", token=token, args=args)
        done = subprocess.run(server.command(), env=server.env(), capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 2, (token, done.stderr)
        assert "--admin-token" in done.stderr and "Traceback" not in done.stderr
    with pytest.raises(InputError, match="empty"):
        create_app(RoundService(open_store(":memory:"), generate_key()), "")
    with pytest.raises(InputError, match="required"):
        create_app(RoundService(open_store(":memory:"), generate_key()))


def test_open_admin_must_be_asked_for_and_warns(tmp_path):
    server = ServerProcess(tmp_path / "open.db", token=None, args=("--open-admin",)).start()
    try:
        created = httpx.post(server.url + "/v1/rounds", json=SPEC)
        assert created.status_code == 201
    finally:
        server.stop()
    assert "WARNING: --open-admin" in server.proc.stderr.read().decode()


def test_admin_routes_check_the_token_before_the_body(server):
    for headers in ({}, {"Authorization": "Bearer"}, {"Authorization": "Bearer wrong"},
                    {"Authorization": "secret"}, {"Authorization": "Basic secret"}):
        for body in (b"{}", b"{not json", b"", b'{"mechanism": 5}'):
            answer = httpx.post(server.url + "/v1/rounds", content=body,
                                headers={**headers, "content-type": "application/json"})
            assert answer.status_code == 401 and is_error_form(answer), (headers, body)
        closing = httpx.post(server.url + "/v1/rounds/rnope/close", headers=headers)
        assert closing.status_code == 401 and is_error_form(closing)
    missing = httpx.post(server.url + "/v1/rounds", json={}, headers=ADMIN)
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "mechanism"


# --- one error form, documented ------------------------------------------------------------------
def test_every_refusal_uses_the_documented_error_form(server):
    url = server.url
    rid = RoundClient(url, server.token).create_round(SPEC)["round"]
    cases = [
        httpx.get(url + "/nope"),
        httpx.get(url + "/v1/rounds/rnope/transcript"),
        httpx.delete(url + "/v1/rounds"),
        httpx.put(f"{url}/v1/rounds/{rid}/commits", json={}),
        httpx.post(f"{url}/v1/rounds/{rid}/commits", content=b"{oops",
                   headers={"content-type": "application/json"}),
        httpx.post(f"{url}/v1/rounds/{rid}/commits", content=b"kind=commit",
                   headers={"content-type": "text/plain"}),
        httpx.get(f"{url}/v1/rounds/{rid}/proofs/inclusion"),
        httpx.get(f"{url}/v1/rounds/{rid}/proofs/inclusion", params={"index": "x"}),
        httpx.get(f"{url}/v1/rounds/{rid}/proofs/inclusion", params={"index": 5}),
        httpx.get(f"{url}/v1/rounds/{rid}/proofs/consistency", params={"old": 0}),
    ]
    statuses = [c.status_code for c in cases]
    assert statuses == [404, 404, 405, 405, 422, 422, 422, 422, 400, 422]
    assert all(is_error_form(c) for c in cases), [c.text for c in cases]
    assert cases[0].json()["error"]["field"] == "path"
    assert cases[4].json()["error"]["field"] == "body"

    schema = httpx.get(url + "/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            errors = {c: r for c, r in operation["responses"].items() if c.startswith("4")}
            assert errors, (method, path)
            for response in errors.values():
                ref = response["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/ErrorBody"), (method, path)
    assert "HTTPValidationError" not in json.dumps(schema)
    assert "401" in schema["paths"]["/v1/rounds"]["post"]["responses"]
    assert "429" in schema["paths"]["/v1/rounds/{rid}/proofs/inclusion"]["get"]["responses"]


def test_streamed_oversize_bodies_get_413(tmp_path):
    server = ServerProcess(tmp_path / "big.db", max_body=4096).start()
    try:
        rid = RoundClient(server.url, server.token).create_round(SPEC)["round"]

        def chunks():
            yield b'{"round": "'
            for _ in range(50):
                yield b"x" * 1000
            yield b'"}'

        for path in (f"/v1/rounds/{rid}/commits", "/v1/rounds"):
            answer = httpx.post(server.url + path, content=chunks(),
                                headers={"content-type": "application/json", **ADMIN})
            assert answer.status_code == 413 and is_error_form(answer), answer.text
        announced = httpx.post(f"{server.url}/v1/rounds/{rid}/commits", content=b"{" +
                               b" " * 5000 + b"}", headers={"content-type": "application/json"})
        assert announced.status_code == 413 and is_error_form(announced)
        assert httpx.get(server.url + "/v1/info").status_code == 200
    finally:
        server.stop()


# --- no 5xx from any input ---------------------------------------------------------------------
def nested_list(depth: int) -> list:
    value: list = []
    for _ in range(depth):
        value = [value]
    return value


def nested_dict(depth: int) -> dict:
    value: dict = {}
    for _ in range(depth):
        value = {"a": value}
    return value


def test_inputs_that_used_to_fail_with_500_now_get_422_and_the_server_stays_readable(tmp_path):
    server = ServerProcess(tmp_path / "bad.db").start()
    url = server.url
    try:
        bad_specs = [
            {**SPEC, "title": "\ud800"},
            {**SPEC, "input": {"bids": {}, "x": nested_list(260)}},
            {**SPEC, "input": nested_dict(300)},
            {**SPEC, "unrevealed": {"default": -5}},
            {**SPEC, "unrevealed": {"default": "abc"}},
            {**SPEC, "mechanism": "voting.plurality", "input": {}},
            {**SPEC, "commit_deadline": "+99999999d"},
            {**SPEC, "reveal_deadline": "9999-12-31T23:59:59-01:00"},
            {**SPEC, "params": {"reserve": 10**30}},
        ]
        for spec in bad_specs:
            answer = post_json(url + "/v1/rounds", spec, ADMIN)
            assert answer.status_code == 422 and is_error_form(answer), (spec, answer.text)
        nan = httpx.post(url + "/v1/rounds", headers={**ADMIN, "content-type":
                         "application/json"}, content=json.dumps(
                             {**SPEC, "unrevealed": {"default": "@"}}).replace('"@"', "NaN"))
        assert nan.status_code == 422 and nan.json()["error"]["field"] == "unrevealed.default"
        rid = RoundClient(url, server.token).create_round(SPEC)["round"]
        key = generate_key()
        for field, value in (("name", "al\ud800ice"), ("commitment", "\udfff" * 64),
                             ("round", "\ud800"), ("participant", "\ud800")):
            body = {**signed_commit(key, rid, "alice", 3)[0], field: value}
            answer = post_json(f"{url}/v1/rounds/{rid}/commits", body)
            assert 400 <= answer.status_code < 500 and is_error_form(answer), answer.text
        assert httpx.get(f"{url}/v1/rounds/{rid}").status_code == 200
    finally:
        server.stop()
    server.start()  # nothing unreadable was stored: the server restarts and serves the round
    try:
        assert RoundClient(url).status(rid)["commits"] == 0
    finally:
        server.stop()


_RAW = "@@raw@@"
_BAD_VALUES: list = [
    None, True, False, 0, -1, 1.5, -0.0, 2**53, -(2**63), 10**30, 1e308, "", "x", "\ud800",
    "a\udfffb", "\x00", "\n", "+99999999d", "0001-01-01T00:00:00+01:00", "r" + "0" * 64,
    "ab" * 32, [], [None], [1, "x"], {}, {"": 1}, {"\ud800": 1}, {"default": "\ud800"},
    nested_list(40), nested_dict(40), nested_list(300), "x" * 5000,
]
_RAW_NUMBERS = ["NaN", "Infinity", "-Infinity", "1e999", "-1e999", "1" + "0" * 5000,
                "12345678901234567890123"]


def _body_text(body: dict, field: str, raw: str | None) -> str:
    text = json.dumps({**body, field: _RAW if raw else body.get(field)})
    return text.replace(f'"{_RAW}"', raw) if raw else text


def test_fuzzing_the_http_api_never_gets_a_5xx(server):
    """Hundreds of malformed requests — every field of every body replaced by values of the
    wrong type, nested too deep, with lone surrogates, huge or non-finite numbers, raw broken
    bodies, bad query parameters — and not one 5xx; every refusal in the documented form."""
    url = server.url
    client = RoundClient(url, server.token)
    created = client.create_round({**SPEC, "commit_deadline": "+1h", "reveal_deadline": "+2h"})
    rid = created["round"]
    key = generate_key()
    commit, salt = signed_commit(key, rid, "alice", 3)
    reveal = signed_reveal(key, rid, 3, salt)
    rng = random.Random(14)
    requests: list[tuple[str, str, bytes, dict]] = []
    json_type = {"content-type": "application/json"}

    def add(path: str, body: dict, fields: list[str], headers: dict, sign=None) -> None:
        for field in fields:
            for value in _BAD_VALUES:
                mutated = {**body, field: value}
                if sign is not None:
                    with contextlib.suppress(Exception):  # unsignable: send it unsigned
                        mutated = sign(field, value) or mutated
                try:
                    text = json.dumps(mutated)
                except ValueError:
                    continue
                requests.append(("POST", path, text.encode("utf-8", "surrogatepass"),
                                 {**json_type, **headers}))
            for raw in _RAW_NUMBERS:
                requests.append(("POST", path, _body_text(body, field, raw).encode(),
                                 {**json_type, **headers}))

    spec = {**SPEC, "title": "t", "params": {"reserve": 1}, "unrevealed": {"default": 0},
            "input": {"bids": {}}, "eligibility": "open"}
    add("/v1/rounds", spec, [*spec, "extra"], ADMIN)
    vote = {**SPEC, "mechanism": "voting.plurality",
            "input": {"candidates": ["x", "y"], "ballots": []}}
    add("/v1/rounds", vote, ["input", "unrevealed"], ADMIN)

    def sign_commit(field, value):
        if field == "name":
            return signed_commit(key, rid, value, 3)[0]
        return None

    def sign_reveal(field, value):
        if field == "report":
            return signed_reveal(key, rid, value, salt)
        return None

    add(f"/v1/rounds/{rid}/commits", commit, [*commit, "extra"], {}, sign_commit)
    add(f"/v1/rounds/{rid}/reveals", reveal, [*reveal, "extra"], {}, sign_reveal)
    raw_bodies = [b"", b"{", b"null", b"[]", b'"x"', b"\xff\xfe{}", b"[" * 5000,
                  b'{"a":' * 3000, b'{"round": "\\ud800"}', b"{}" * 3, b"1" * 6000]
    for path in ("/v1/rounds", f"/v1/rounds/{rid}/commits", f"/v1/rounds/{rid}/reveals",
                 f"/v1/rounds/{rid}/close"):
        for raw in raw_bodies:
            for content_type in ("application/json", "text/plain"):
                requests.append(("POST", path, raw, {"content-type": content_type, **ADMIN}))
    for _ in range(60):  # random JSON documents of random shapes
        value = rng.choice(_BAD_VALUES)
        body = {rng.choice(["round", "kind", "name", "report", "x"]): value}
        requests.append(("POST", f"/v1/rounds/{rid}/{rng.choice(['commits', 'reveals'])}",
                         json.dumps(body).encode("utf-8", "surrogatepass"), json_type))
    for query in ("index=-1", "index=x", "index=1e3", "index=" + "9" * 30, "index=" + "9" * 5000,
                  "index=", "index=0&size=-5", "index=0&size=" + "9" * 40, "index=%ED%A0%80"):
        requests.append(("GET", f"/v1/rounds/{rid}/proofs/inclusion?{query}", b"", {}))
    for query in ("old=0", "old=-1", "old=2&new=1", "old=" + "9" * 40, "old=1&new=x"):
        requests.append(("GET", f"/v1/rounds/{rid}/proofs/consistency?{query}", b"", {}))
    for path in ("/v1/rounds/%ED%A0%80", "/v1/rounds/" + "r" * 3000, "/v1/rounds/%00/close"):
        requests.append(("GET", path, b"", {}))
    assert len(requests) >= 300

    failures = []
    with httpx.Client(base_url=url, timeout=30) as http:
        for method, path, content, headers in requests:
            answer = http.request(method, path, content=content, headers=headers)
            if answer.status_code >= 500 or (answer.status_code >= 400
                                              and not is_error_form(answer)):
                failures.append((answer.status_code, method, path[:60], content[:80],
                                 answer.text[:120]))
    assert not failures, failures[:5]
    assert httpx.get(f"{url}/v1/rounds/{rid}").status_code == 200
    report = verify_transcript(client.transcript(rid))
    assert report.ok, report.violations


# --- reads: O(log n) proofs and per-client limits -------------------------------------------------
def test_proofs_are_read_off_the_stored_tree(monkeypatch):
    leaves = [i.to_bytes(4, "big") for i in range(40)]
    log = MerkleLog()
    for leaf in leaves:
        log.append(leaf_hash(leaf))
    for size in range(1, 41):
        for index in range(size):
            assert log.inclusion_proof(index, size) == inclusion_proof(leaves[:size], index)
        for old in range(1, size + 1):
            assert log.consistency_proof(old, size) == consistency_proof(leaves[:size], old)

    big = MerkleLog()
    n = 2**15 + 5
    for i in range(n):
        big.append(leaf_hash(i.to_bytes(4, "big")))
    calls = [0]
    real = merkle.node_hash

    def counting(left: bytes, right: bytes) -> bytes:
        calls[0] += 1
        return real(left, right)

    monkeypatch.setattr(merkle, "node_hash", counting)
    for size in (n, n - 1, 2**15 + 1, 2**14 + 3):
        for index in (0, 1, size // 2, size - 1):
            calls[0] = 0
            proof = big.inclusion_proof(index, size)
            assert calls[0] <= 2 * size.bit_length(), (index, size, calls[0])
            assert verify_inclusion(big.leaves[index], index, size, proof, big.root(size))
        for old in (1, 3, size // 3, size - 1):
            calls[0] = 0
            proof = big.consistency_proof(old, size)
            assert calls[0] <= 2 * size.bit_length(), (old, size, calls[0])
            assert verify_consistency(old, size, big.root(old), big.root(size), proof)


def test_read_limits_are_per_client_and_spare_submissions(tmp_path):
    now = [0.0]
    limit = ReadLimit(None, rate=2, burst=3, clock=lambda: now[0])
    assert [limit.wait("a") for _ in range(4)][:3] == [0.0, 0.0, 0.0]
    assert limit.wait("a") > 0 and limit.wait("b") == 0.0  # another client has its own bucket
    now[0] += 0.5
    assert limit.wait("a") == 0.0

    server = ServerProcess(tmp_path / "rate.db", args=("--read-rate", "2", "--read-burst",
                                                       "3")).start()
    try:
        rid = RoundClient(server.url, server.token).create_round(SPEC)["round"]
        answers = [httpx.get(f"{server.url}/v1/rounds/{rid}/tree-head") for _ in range(12)]
        limited = [a for a in answers if a.status_code == 429]
        assert limited and is_error_form(limited[0]) and int(limited[0].headers["retry-after"])
        body, _ = signed_commit(generate_key(), rid, "alice", 3)
        assert httpx.post(f"{server.url}/v1/rounds/{rid}/commits", json=body).status_code == 201
    finally:
        server.stop()


# --- key files ------------------------------------------------------------------------------------
def test_keygen_writes_mode_600_over_an_existing_file_and_never_through_a_link(tmp_path, capsys,
                                                                               monkeypatch):
    monkeypatch.chdir(tmp_path)
    old = tmp_path / "old.key"
    old.write_text("not a key\n")
    old.chmod(0o644)
    code, out = run_cli(capsys, "keygen", "--out", "old.key")
    assert code == 2 and "--force" in out and old.read_text() == "not a key\n"
    assert run_cli(capsys, "keygen", "--out", "old.key", "--force")[0] == 0
    assert oct(old.stat().st_mode & 0o777) == "0o600" and len(old.read_text().strip()) == 64
    target = tmp_path / "victim.txt"
    target.write_text("precious\n")
    os.symlink(target, tmp_path / "link.key")
    os.symlink(tmp_path / "nowhere", tmp_path / "dangling.key")
    for link in ("link.key", "dangling.key"):
        code, out = run_cli(capsys, "keygen", "--out", link, "--force")
        assert code == 2 and "symbolic link" in out
    assert target.read_text() == "precious\n" and not (tmp_path / "nowhere").exists()
    assert run_cli(capsys, "keygen", "--out", "new.key")[0] == 0
    assert oct((tmp_path / "new.key").stat().st_mode & 0o777) == "0o600"


# --- clock steps ------------------------------------------------------------------------------
def test_a_backward_step_of_the_wall_clock_refuses_no_honest_commit(tmp_path, operator):
    wall, ticks = Clock(), [1000.0]
    service = RoundService(open_store(str(tmp_path / "steps.db")), operator, wall,
                           lambda: ticks[0])
    rid = service.create_round(SPEC)["round"]  # commit deadline: START + 60 s
    keys = {name: generate_key() for name in ("alice", "bob", "carol")}
    salts = {}
    for step, name in ((-3600, "alice"), (-86400, "bob")):
        wall.advance(step)  # NTP (or an operator) steps the clock back an hour, then a day
        ticks[0] += 1
        body, salts[name] = signed_commit(keys[name], rid, name, 5.0)
        service.submit(rid, body)  # accepted: the log's time never goes backwards
    assert service.status(rid)["phase"] == "commit"
    ticks[0] += 60  # a minute really passes: the deadline is judged on elapsed time
    with pytest.raises(RoundError, match="late commit"):
        service.submit(rid, signed_commit(keys["carol"], rid, "carol", 5.0)[0])
    assert service.status(rid)["phase"] == "reveal"
    service.submit(rid, signed_reveal(keys["alice"], rid, 5.0, salts["alice"]))
    transcript = service.transcript(rid)
    times = [e["received"] for e in transcript["entries"]]
    # each commit is stamped with the monotonic time elapsed since the round was created
    assert times == sorted(times) and times[1:3] == ["2026-11-22T12:00:01.000000Z",
                                                     "2026-11-22T12:00:02.000000Z"]
    assert verify_transcript(transcript).ok

    reloaded = RoundService(open_store(str(tmp_path / "steps.db")), operator, wall,
                            lambda: ticks[0])  # a restart while the wall clock is still behind
    reloaded.submit(rid, signed_reveal(keys["bob"], rid, 5.0, salts["bob"]))
    wall.advance(86400 + 3600 + 3600)  # and a forward step: the reveal deadline has passed
    assert reloaded.status(rid)["phase"] == "closing"
    closed = reloaded.close(rid)
    assert closed["revealed"] == ["alice", "bob"]
    final = reloaded.transcript(rid)
    assert verify_transcript(final).ok
    # a forward step is followed at once: the close is stamped with the wall time
    assert final["entries"][-1]["received"] == "2026-11-22T13:00:00.000000Z"
    assert wall.now > parse_deadline(transcript, "reveal_deadline")


def parse_deadline(transcript: dict, which: str):
    from hurwicz.credible.clock import parse_time

    return parse_time(transcript["entries"][0]["rules"]["schedule"][which])

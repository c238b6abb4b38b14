"""Credible rounds: receipted commit throughput over loopback, and `verify` on a big transcript.

1. Commit throughput: `hurwicz serve` (SQLite, WAL, fsync before every receipt) in a child
   process; N concurrent HTTP clients (asyncio + httpx) send pre-signed commits; every receipt is
   checked (operator signature, entry hash). Then the server is killed with SIGKILL, restarted,
   and every receipted entry is checked to be in the transcript (durability).
   Target (issue #8): >= 500 receipted commits/s on 2 cores.
2. `verify` of a transcript of ~100,000 entries (rules, 49,999 commits, 49,999 reveals, close),
   built in process with the same service code. Target: <= 10 s.

Run: python benchmarks/credible.py [--commits 3000] [--clients 32] [--entries 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from hurwicz.credible.client import RoundClient, check_receipt
from hurwicz.credible.keys import generate_key
from hurwicz.credible.service import RoundService
from hurwicz.credible.state import signed_commit, signed_reveal
from hurwicz.credible.store import open_store
from hurwicz.credible.verify import verify_transcript


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "HURWICZ_ADMIN_TOKEN": "bench"}
    proc = subprocess.Popen([sys.executable, "-m", "hurwicz", "serve", "--db", str(db),
                             "--port", str(port)], env=env, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            httpx.get(url + "/v1/info", timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.05)
    raise RuntimeError("server did not start")


async def _post_loop(port: int, path: str, queue: list[dict], answers: list) -> None:
    """One client: a keep-alive HTTP/1.1 connection posting JSON bodies one after another.

    (A minimal client on asyncio streams: httpx spends ~3.6 ms of CPU per request here, which
    would make the benchmark measure the client rather than the server.)"""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while queue:
            body = queue.pop()
            payload = json.dumps(body).encode()
            writer.write(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                         f"application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
                         .encode() + payload)
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:"))
            answer = json.loads(await reader.readexactly(length))
            if status != 201:
                raise RuntimeError(f"HTTP {status}: {answer}")
            answers.append((body, answer))
    finally:
        writer.close()


async def send_all(port: int, rid: str, bodies: list[dict], clients: int) -> list:
    answers: list = []
    queue = list(reversed(bodies))
    await asyncio.gather(*(_post_loop(port, f"/v1/rounds/{rid}/commits", queue, answers)
                           for _ in range(clients)))
    return answers


def bench_commits(commits: int, clients: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db, port = Path(tmp) / "bench.db", free_port()
        proc = start_server(db, port)
        url = f"http://127.0.0.1:{port}"
        created = RoundClient(url, "bench").create_round(
            {"mechanism": "auction.second_price", "commit_deadline": "+1h",
             "reveal_deadline": "+2h"})
        rid, operator = created["round"], created["rules"]["operator"]
        bodies = [signed_commit(generate_key(), rid, f"p{i}", float(i % 100))[0]
                  for i in range(commits)]
        start = time.perf_counter()
        answers = asyncio.run(send_all(port, rid, bodies, clients))
        seconds = time.perf_counter() - start
        for body, answer in answers:
            check_receipt(answer, body, operator)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc = start_server(db, port)
        try:
            transcript = RoundClient(url).transcript(rid)
            receipts = [answer["receipt"] for _, answer in answers]
            report = verify_transcript(transcript, receipts)
        finally:
            proc.terminate()
            proc.wait()
        rate = len(answers) / seconds
        print(f"commits: {len(answers)} receipted by {clients} concurrent clients in "
              f"{seconds:.2f} s = {rate:,.0f}/s (target >= 500: "
              f"{'met' if rate >= 500 else 'NOT met'}); after SIGKILL + restart every receipt "
              f"{'verifies' if report.ok else 'FAILS: ' + str(report.violations[:2])}")


def bench_verify(entries: int) -> None:
    clock_now = [datetime(2026, 1, 1, tzinfo=UTC)]

    def clock() -> datetime:
        clock_now[0] += timedelta(microseconds=1)
        return clock_now[0]

    service = RoundService(open_store(":memory:"), generate_key(), clock)
    rid = service.create_round({"mechanism": "auction.second_price",
                                "commit_deadline": "+1h", "reveal_deadline": "+2h"})["round"]
    people = (entries - 2) // 2
    build = time.perf_counter()
    keys = [generate_key() for _ in range(people)]
    salts = []
    for i, key in enumerate(keys):
        body, salt = signed_commit(key, rid, f"p{i}", float(i % 1000))
        service.submit(rid, body)
        salts.append(salt)
    clock_now[0] += timedelta(hours=1)
    for i, key in enumerate(keys):
        service.submit(rid, signed_reveal(key, rid, float(i % 1000), salts[i]))
    service.close(rid)
    transcript = service.transcript(rid)
    build = time.perf_counter() - build
    start = time.perf_counter()
    report = verify_transcript(transcript)
    seconds = time.perf_counter() - start
    print(f"verify: {len(transcript['entries']):,} entries (built in {build:.1f} s) checked in "
          f"{seconds:.2f} s, ok={report.ok} (target <= 10 s: "
          f"{'met' if seconds <= 10 and report.ok else 'NOT met'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--entries", type=int, default=100_000)
    args = parser.parse_args()
    bench_commits(args.commits, args.clients)
    bench_verify(args.entries)


if __name__ == "__main__":
    main()

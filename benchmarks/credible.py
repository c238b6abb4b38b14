"""Credible rounds: receipted commit throughput over loopback (alone, and while clients loop on
Merkle proofs), and `verify` on a big transcript.

1. Commit throughput: `hurwicz serve` (SQLite, WAL, fsync before every receipt) in a child
   process; N concurrent HTTP clients (asyncio, keep-alive) send pre-signed commits; every
   receipt is checked (operator signature, entry hash). Then the server is killed with SIGKILL,
   restarted, and every receipted entry is checked to be in the transcript (durability).
   Target (issue #8): >= 500 receipted commits/s on 2 cores.
2. The same burst into a second round while 4 clients (another process) loop on inclusion and
   consistency proofs of the first round's log, once with the server's default per-client read
   limit and once with it turned off (--read-rate 0: every proof is served, the pure cost of
   O(log n) proofs). Target (issue #14): >= 70% of the baseline throughput.
3. `verify` of a transcript of ~100,000 entries (rules, 49,999 commits, 49,999 reveals, close),
   built in process with the same service code. Target (issue #14): <= 5 s on 2 cores.

Run: python benchmarks/credible.py [--commits 3000] [--clients 32] [--entries 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

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


def start_server(db: Path, port: int, *args: str) -> subprocess.Popen:
    env = {**os.environ, "HURWICZ_ADMIN_TOKEN": "bench"}
    proc = subprocess.Popen([sys.executable, "-m", "hurwicz", "serve", "--db", str(db),
                             "--port", str(port), *args], env=env, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            httpx.get(url + "/v1/info", timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.05)
    raise RuntimeError("server did not start")


async def _get_loop(port: int, rid: str, stop: Any, counts: dict[str, int], seed: int) -> None:
    """One proof client: inclusion and consistency proofs of random entries, back to back."""
    rng = random.Random(seed)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    size = 1
    try:
        while not stop.is_set():
            if rng.random() < 0.5:
                path = f"/v1/rounds/{rid}/proofs/inclusion?index={rng.randrange(size)}"
            else:
                path = f"/v1/rounds/{rid}/proofs/consistency?old={rng.randrange(size) + 1}"
            writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:"))
            answer = json.loads(await reader.readexactly(length))
            if status == 200:
                counts["proofs"] += 1
                size = answer["tree_head"]["size"]
            elif status == 429:
                counts["limited"] += 1
                await asyncio.sleep(0.01)
            else:
                raise RuntimeError(f"HTTP {status}: {answer}")
    finally:
        writer.close()


def _proof_clients(port: int, rid: str, clients: int, stop: Any, out: Any) -> None:
    """Run in a child process: ``clients`` proof loops until ``stop`` is set."""
    counts = {"proofs": 0, "limited": 0}

    async def main() -> None:
        await asyncio.gather(*(_get_loop(port, rid, stop, counts, seed)
                               for seed in range(clients)))

    asyncio.run(main())
    out.put(counts)


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


def _burst(url: str, port: int, commits: int, clients: int) -> tuple[str, list, float]:
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
    return rid, answers, seconds


def bench_commits(commits: int, clients: int, proof_clients: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db, port = Path(tmp) / "bench.db", free_port()
        proc = start_server(db, port)
        url = f"http://127.0.0.1:{port}"
        rid, answers, seconds = _burst(url, port, commits, clients)
        baseline = len(answers) / seconds
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
        print(f"commits: {len(answers)} receipted by {clients} concurrent clients in "
              f"{seconds:.2f} s = {baseline:,.0f}/s (target >= 500: "
              f"{'met' if baseline >= 500 else 'NOT met'}); after SIGKILL + restart every "
              f"receipt {'verifies' if report.ok else 'FAILS: ' + str(report.violations[:2])}")

        for label, args in (("default read limit", ()), ("read limit off", ("--read-rate", "0"))):
            proc = start_server(db, port, *args)
            context = multiprocessing.get_context("spawn")
            stop, out = context.Event(), context.Queue()
            loopers = context.Process(target=_proof_clients,
                                      args=(port, rid, proof_clients, stop, out))
            loopers.start()
            try:
                time.sleep(1.0)  # the proof clients are up and looping
                _, answers, seconds = _burst(url, port, commits, clients)
            finally:
                stop.set()
                counts = out.get(timeout=60)
                loopers.join(60)
                proc.terminate()
                proc.wait()
            rate = len(answers) / seconds
            ratio = rate / baseline
            print(f"commits with {proof_clients} clients looping on proofs of a "
                  f"{commits + 1}-entry log ({label}): {rate:,.0f}/s = {ratio:.0%} of the "
                  f"baseline (target >= 70%: {'met' if ratio >= 0.7 else 'NOT met'}); "
                  f"{counts['proofs']:,} proofs served, {counts['limited']:,} answered 429")


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
          f"{seconds:.2f} s, ok={report.ok} (target <= 5 s: "
          f"{'met' if seconds <= 5 and report.ok else 'NOT met'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--proof-clients", type=int, default=4)
    parser.add_argument("--entries", type=int, default=100_000)
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start")
    bench_commits(args.commits, args.clients, args.proof_clients)
    bench_verify(args.entries)


if __name__ == "__main__":
    main()

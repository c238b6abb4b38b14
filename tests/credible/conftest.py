"""Fixtures for rounds: a controllable clock, keys, a round service, and a real server process
on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from hurwicz.credible.keys import generate_key
from hurwicz.credible.service import RoundService
from hurwicz.credible.store import open_store

START = datetime(2026, 11, 22, 12, 0, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def operator():
    return generate_key()


@pytest.fixture
def service(tmp_path, operator, clock) -> RoundService:
    return RoundService(open_store(str(tmp_path / "rounds.db")), operator, clock)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """``hurwicz serve`` in a child process (so that it can be killed with SIGKILL)."""

    def __init__(self, db: Path, token: str = "secret", max_body: int = 65536) -> None:
        self.db, self.token, self.max_body = db, token, max_body
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> ServerProcess:
        env = {**os.environ, "HURWICZ_ADMIN_TOKEN": self.token}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "hurwicz", "serve", "--db", str(self.db), "--port",
             str(self.port), "--max-body", str(self.max_body)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(self.url + "/v1/info", timeout=1).raise_for_status()
                return self
            except httpx.HTTPError:
                if self.proc.poll() is not None:
                    raise RuntimeError(self.proc.stderr.read().decode()) from None
                time.sleep(0.05)
        raise RuntimeError("server did not start")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def server(tmp_path):
    proc = ServerProcess(tmp_path / "server.db").start()
    yield proc
    proc.stop()

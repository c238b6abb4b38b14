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

    def __init__(self, db: Path, token: str | None = "secret", max_body: int = 65536,
                 args: tuple[str, ...] = ()) -> None:
        self.db, self.token, self.max_body, self.args = db, token, max_body, args
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def command(self) -> list[str]:
        return [sys.executable, "-m", "hurwicz", "serve", "--db", str(self.db), "--port",
                str(self.port), "--max-body", str(self.max_body), *self.args]

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "HURWICZ_ADMIN_TOKEN"}
        return env if self.token is None else {**env, "HURWICZ_ADMIN_TOKEN": self.token}

    def start(self) -> ServerProcess:
        self.proc = subprocess.Popen(self.command(), env=self.env(),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
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


class Proxy:
    """A man in the middle on 127.0.0.1 that forwards every request to ``target`` and keeps a
    log of them. ``rewrite(method, path, body) -> body`` may change an answer; ``after(method,
    path) -> bool`` runs once the server has answered and, when it returns True, the answer is
    dropped (the connection closes without a response); ``refuse(method, path) -> bool``, when
    True, answers 503 without forwarding (an operator refusing service)."""

    def __init__(self, target: str) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.target = target
        self.requests: list[tuple[str, str]] = []
        self.rewrite = None
        self.after = None
        self.refuse = None
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def forward(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                proxy.requests.append((self.command, self.path))
                if proxy.refuse is not None and proxy.refuse(self.command, self.path):
                    self.send_response(503)
                    self.send_header("content-length", "0")
                    self.end_headers()
                    return
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() in ("content-type", "authorization")}
                answer = httpx.request(self.command, proxy.target + self.path, content=body,
                                       headers=headers, timeout=30)
                content = answer.content
                if proxy.after is not None and proxy.after(self.command, self.path):
                    self.close_connection = True
                    return
                if proxy.rewrite is not None:
                    content = proxy.rewrite(self.command, self.path, content)
                self.send_response(answer.status_code)
                self.send_header("content-type", answer.headers.get("content-type", ""))
                self.send_header("content-length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = forward  # noqa: N815

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def proxy(server):
    man = Proxy(server.url)
    yield man
    man.close()

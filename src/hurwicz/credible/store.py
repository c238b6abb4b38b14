"""Durable storage of round entries: SQLite (WAL, ``synchronous=FULL``: a committed write has
been fsynced) by default, PostgreSQL when given a ``postgresql://`` URL (extra ``postgres``).

Entries are stored as their canonical JSON text under (round, index); a round's rules are its
entry 0. :meth:`write` returns only once the rows are durable, so the server issues a receipt
only after that.

Example:
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "rounds.db")
    >>> store = open_store(path)
    >>> store.write([("r1", 0, '{"kind":"rules"}')])
    >>> store.load()
    {'r1': ['{"kind":"rules"}']}
    >>> store.close()
"""

from __future__ import annotations

import sqlite3
from typing import Protocol

from hurwicz.core.errors import InputError

Row = tuple[str, int, str]


class Store(Protocol):
    """What the round service needs from storage."""

    def load(self) -> dict[str, list[str]]:
        """Every round's entries (canonical JSON text) in index order."""

    def write(self, rows: list[Row]) -> None:
        """Append rows; durable when this returns."""

    def close(self) -> None:
        """Release the connection."""


class SQLiteStore:
    """SQLite in WAL mode with ``synchronous=FULL`` (fsync on every commit)."""

    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        mode = self.conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal" and path != ":memory:":
            raise InputError("db", f"SQLite refused WAL mode (got {mode!r})")
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.execute("CREATE TABLE IF NOT EXISTS entries (round TEXT NOT NULL, "
                          "idx INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (round, idx))")

    def load(self) -> dict[str, list[str]]:
        rounds: dict[str, list[str]] = {}
        for rid, idx, body in self.conn.execute(
                "SELECT round, idx, body FROM entries ORDER BY round, idx"):
            entries = rounds.setdefault(rid, [])
            if idx != len(entries):
                raise InputError("db", f"round {rid} has a gap before entry {idx}")
            entries.append(body)
        return rounds

    def write(self, rows: list[Row]) -> None:
        if not rows:
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            self.conn.executemany("INSERT INTO entries (round, idx, body) VALUES (?, ?, ?)", rows)
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()


class PostgresStore:
    """PostgreSQL through psycopg 3 (``pip install 'hurwicz[postgres]'``); a commit returns
    after the WAL flush (``synchronous_commit`` on, the default)."""

    def __init__(self, url: str) -> None:
        try:
            import psycopg
        except ImportError:
            raise InputError("db", "PostgreSQL needs the postgres extra: "
                             "pip install 'hurwicz[postgres]'") from None
        self.conn = psycopg.connect(url, autocommit=False)
        with self.conn.cursor() as cur:
            cur.execute("CREATE TABLE IF NOT EXISTS entries (round TEXT NOT NULL, "
                        "idx BIGINT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (round, idx))")
            cur.execute("SET synchronous_commit TO on")
        self.conn.commit()

    def load(self) -> dict[str, list[str]]:
        rounds: dict[str, list[str]] = {}
        with self.conn.cursor() as cur:
            cur.execute("SELECT round, idx, body FROM entries ORDER BY round, idx")
            for rid, idx, body in cur:
                entries = rounds.setdefault(rid, [])
                if idx != len(entries):
                    raise InputError("db", f"round {rid} has a gap before entry {idx}")
                entries.append(body)
        self.conn.commit()
        return rounds

    def write(self, rows: list[Row]) -> None:
        if not rows:
            return
        with self.conn.cursor() as cur:
            cur.executemany("INSERT INTO entries (round, idx, body) VALUES (%s, %s, %s)", rows)
        self.conn.commit()

    def close(self) -> None:
        self.conn.close()


def open_store(location: str) -> Store:
    """A store for a SQLite path or a ``postgresql://`` / ``postgres://`` URL.

    Example:
        >>> type(open_store(":memory:")).__name__
        'SQLiteStore'
    """
    if location.startswith(("postgresql://", "postgres://")):
        return PostgresStore(location)
    return SQLiteStore(location)

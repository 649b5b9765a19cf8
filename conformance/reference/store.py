"""SQLite storage: payments, refunds and idempotency keys, written in serialized transactions.

One connection per process, guarded by a lock, so transactions in one process never overlap;
``BEGIN IMMEDIATE`` takes SQLite's write lock up front, so two processes sharing one file
(WAL mode, busy timeout) serialize too. A key is looked up, the payment written and the
response stored inside one such transaction, which is what makes idempotency atomic.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from .model import Payment, Refund, StoredKey

__all__ = ["BUSY_TIMEOUT_SECONDS", "SCHEMA", "Store", "Transaction"]

BUSY_TIMEOUT_SECONDS = 30.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS payments (
    id TEXT PRIMARY KEY, client TEXT NOT NULL, amount TEXT NOT NULL, currency TEXT NOT NULL,
    description TEXT NOT NULL, customer_id TEXT, status TEXT NOT NULL, timestamp TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS refunds (
    id TEXT PRIMARY KEY, payment_id TEXT NOT NULL UNIQUE REFERENCES payments(id),
    client TEXT NOT NULL, amount TEXT NOT NULL, status TEXT NOT NULL, timestamp TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS idempotency_keys (
    client TEXT NOT NULL, scope TEXT NOT NULL, key TEXT NOT NULL, operation TEXT NOT NULL,
    resource TEXT NOT NULL, fingerprint TEXT NOT NULL, state TEXT NOT NULL, status INTEGER,
    content_type TEXT, body BLOB, created_at REAL NOT NULL,
    PRIMARY KEY (client, scope, key));
"""


class Transaction:
    """The reads and writes available inside one ``BEGIN IMMEDIATE`` transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def get_key(self, client: str, scope: str, key: str) -> StoredKey | None:
        row = self._conn.execute(
            "SELECT client, scope, key, operation, resource, fingerprint, state, status,"
            " content_type, body, created_at FROM idempotency_keys"
            " WHERE client = ? AND scope = ? AND key = ?",
            (client, scope, key),
        ).fetchone()
        return StoredKey(*row) if row else None

    def put_key(self, stored: StoredKey) -> None:
        self._conn.execute(
            "INSERT OR REPLACE INTO idempotency_keys VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                stored.client,
                stored.scope,
                stored.key,
                stored.operation,
                stored.resource,
                stored.fingerprint,
                stored.state,
                stored.status,
                stored.content_type,
                stored.body,
                stored.created_at,
            ),
        )

    def delete_key(self, client: str, scope: str, key: str) -> None:
        self._conn.execute(
            "DELETE FROM idempotency_keys WHERE client = ? AND scope = ? AND key = ?",
            (client, scope, key),
        )

    def insert_payment(self, p: Payment) -> None:
        self._conn.execute(
            "INSERT INTO payments VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                p.id,
                p.client,
                p.amount,
                p.currency,
                p.description,
                p.customer_id,
                p.status,
                p.timestamp,
            ),
        )

    def get_payment(self, client: str, payment_id: str) -> Payment | None:
        row = self._conn.execute(
            "SELECT id, client, amount, currency, description, customer_id, status, timestamp"
            " FROM payments WHERE id = ? AND client = ?",
            (payment_id, client),
        ).fetchone()
        return Payment(*row) if row else None

    def set_payment_status(self, payment_id: str, status: str) -> None:
        self._conn.execute("UPDATE payments SET status = ? WHERE id = ?", (status, payment_id))

    def insert_refund(self, r: Refund) -> None:
        self._conn.execute(
            "INSERT INTO refunds VALUES (?, ?, ?, ?, ?, ?)",
            (r.id, r.payment_id, r.client, r.amount, r.status, r.timestamp),
        )

    def get_refund_for_payment(self, payment_id: str) -> Refund | None:
        row = self._conn.execute(
            "SELECT id, payment_id, client, amount, status, timestamp FROM refunds"
            " WHERE payment_id = ?",
            (payment_id,),
        ).fetchone()
        return Refund(*row) if row else None

    def count(self, table: str) -> int:
        if table not in ("payments", "refunds", "idempotency_keys"):
            raise ValueError(f"unknown table {table!r}")
        return int(self._conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


class Store:
    """The database: ``:memory:`` (the default) or a file shared by any number of processes."""

    def __init__(self, path: str = ":memory:") -> None:
        self.path = path
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False
        )
        self._conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
        if path != ":memory:":
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = FULL")
        with self.transaction():
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    self._conn.execute(statement)

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT``; rolled back if the block raises."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield Transaction(self._conn)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

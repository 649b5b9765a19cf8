"""With --db, everything a client was told survives kill -9 and a restart, exactly once."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

import requests
from reference_support import Api

from conformance.reference import running_reference_server


@dataclass(frozen=True)
class Exchange:
    operation: str  # "create" or "refund"
    key: str
    payment_id: str | None
    status: int
    content: bytes


def load(api: Api, received: list[Exchange], enough: threading.Event) -> None:
    """Creates and refunds until the server dies; records every response received."""
    try:
        while True:
            key = api.new_key()
            created = api.create(key)
            received.append(Exchange("create", key, None, created.status_code, created.content))
            payment_id = created.json()["id"]
            if len(received) % 3 == 0:
                key = api.new_key()
                refunded = api.refund(payment_id, key)
                received.append(
                    Exchange("refund", key, payment_id, refunded.status_code, refunded.content)
                )
            if len(received) >= 40:
                enough.set()
    except requests.RequestException:  # refused, reset, or cut mid-body by the kill
        enough.set()


def test_responses_survive_kill_9_and_replay_identically(tmp_path: Path) -> None:
    db = str(tmp_path / "durable.sqlite3")
    received: list[Exchange] = []
    enough = threading.Event()
    with running_reference_server("--db", db) as server:
        loader = threading.Thread(target=load, args=(Api(server.base_url), received, enough))
        loader.start()
        assert enough.wait(timeout=60), "the load never reached 40 responses"
        server.kill()
        loader.join(timeout=60)
    assert not loader.is_alive()
    assert all(e.status in (200, 201) for e in received)

    with running_reference_server("--db", db) as restarted:
        api = Api(restarted.base_url)
        payment_ids = set()
        for e in received:
            if e.operation == "create":
                again = api.create(e.key)
                payment_ids.add(again.json()["id"])
            else:
                assert e.payment_id is not None
                again = api.refund(e.payment_id, e.key)
                assert api.refund(e.payment_id, api.new_key()).status_code == 409
                assert api.get(e.payment_id).json()["status"] == "refunded"
            assert (again.status_code, again.content) == (e.status, e.content)
        creates = [e for e in received if e.operation == "create"]
        assert len(payment_ids) == len(creates)
        for payment_id in payment_ids:
            assert api.get(payment_id).status_code == 200

    with sqlite3.connect(db) as conn:
        payments = conn.execute("SELECT COUNT(*) FROM payments").fetchone()[0]
        refunded = conn.execute("SELECT COUNT(DISTINCT payment_id) FROM refunds").fetchone()[0]
        refunds = conn.execute("SELECT COUNT(*) FROM refunds").fetchone()[0]
    conn.close()
    # at most one request was in flight at the kill: committed, but never answered
    assert len(creates) <= payments <= len(creates) + 1
    assert refunds == refunded

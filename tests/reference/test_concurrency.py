"""Concurrent requests: one key yields one payment; one payment yields at most one refund."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from reference_support import Api

from conformance.reference import running_reference_server


def burst(n: int, send: Callable[[int], requests.Response]) -> list[requests.Response]:
    """Run ``send(i)`` in n threads released together by a barrier."""
    barrier = threading.Barrier(n)

    def task(i: int) -> requests.Response:
        barrier.wait()
        return send(i)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(task, range(n)))


def test_sixteen_simultaneous_creates_with_one_key_make_one_payment(api: Api) -> None:
    key = api.new_key()
    responses = burst(16, lambda _: api.create(key))
    assert all(r.status_code < 500 for r in responses)
    ok = [r for r in responses if 200 <= r.status_code < 300]
    assert ok
    assert len({r.json()["id"] for r in ok}) == 1
    assert {r.content for r in ok} == {ok[0].content}
    assert all(r.status_code in (409, 429) for r in responses if r not in ok)
    replay = api.create(key)
    assert (replay.status_code, replay.content) == (201, ok[0].content)


def test_simultaneous_refunds_with_one_key_are_identical(api: Api) -> None:
    payment = api.paid()
    key = api.new_key()
    responses = burst(8, lambda _: api.refund(payment["id"], key))
    ok = [r for r in responses if 200 <= r.status_code < 300]
    assert ok
    assert {r.content for r in ok} == {ok[0].content}
    assert all(r.status_code in (409, 429) for r in responses if r not in ok)


def test_simultaneous_refunds_with_different_keys_make_at_most_one_refund(api: Api) -> None:
    payment = api.paid()
    keys = [api.new_key() for _ in range(8)]
    responses = burst(8, lambda i: api.refund(payment["id"], keys[i]))
    ok = [r for r in responses if 200 <= r.status_code < 300]
    assert len({r.json()["id"] for r in ok}) == 1
    assert all(r.status_code == 409 for r in responses if r not in ok)


def test_two_processes_sharing_one_db_make_one_payment_per_key(tmp_path: Path) -> None:
    db = str(tmp_path / "shared.sqlite3")
    with (
        running_reference_server("--db", db) as one,
        running_reference_server("--db", db) as two,
    ):
        apis = [Api(one.base_url), Api(two.base_url)]
        keys = [Api.new_key() for _ in range(6)]
        for key in keys:
            responses = burst(8, lambda i, key=key: apis[i % 2].create(key))
            ok = [r for r in responses if r.status_code == 201]
            assert ok and len({r.json()["id"] for r in ok}) == 1
            assert all(r.status_code == 409 for r in responses if r not in ok)
            payment_id = ok[0].json()["id"]
            assert apis[0].get(payment_id).json() == apis[1].get(payment_id).json()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM payments").fetchone()[0] == len(keys)
    conn.close()

"""The variants' statuses and ways of keeping keys, each against a real server."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from reference_support import Api, assert_error, variant_server


def test_validation_422_lists_the_problems() -> None:
    with variant_server("validation-422") as api:
        response = api.create(api.new_key(), {"amount": "x", "currency": "USD"})
    assert_error(response, 422)
    assert isinstance(response.json()["message"], list)
    assert len(response.json()["message"]) == 2


def test_scoped_keys_lets_one_key_serve_several_endpoints() -> None:
    with variant_server("scoped-keys") as api:
        key = api.new_key()
        a = api.create(key).json()
        b = api.paid()
        first = api.refund(a["id"], key)
        second = api.refund(b["id"], key)
        assert (first.status_code, second.status_code) == (200, 200)
        assert first.json()["id"] != second.json()["id"]
        assert api.refund(a["id"], key).content == first.content


@pytest.mark.parametrize(
    ("name", "header"),
    [("replay-header", "Idempotent-Replayed")],
)
def test_replay_headers_mark_replays_only(name: str, header: str) -> None:
    with variant_server(name) as api:
        key = api.new_key()
        assert header not in api.create(key).headers
        assert api.create(key).headers[header] == "true"


def burst(api: Api, key: str, size: int = 8) -> list[tuple[int, bytes, Any]]:
    barrier = threading.Barrier(size)

    def send(_: int) -> tuple[int, bytes, Any]:
        barrier.wait()
        response = api.create(key)
        return response.status_code, response.content, response.headers.get("Retry-After")

    with ThreadPoolExecutor(size) as pool:
        return list(pool.map(send, range(size)))


@pytest.mark.parametrize(("name", "refusal"), [("inflight-409", 409)])
def test_a_duplicate_in_flight_is_refused_without_waiting(name: str, refusal: int) -> None:
    with variant_server(name) as api:
        key = api.new_key()
        results = burst(api, key)
        statuses = {status for status, _, _ in results}
        assert statuses == {201, refusal}, statuses  # the 201s: the first, or later replays
        assert len({content for status, content, _ in results if status == 201}) == 1
        created = next(content for status, content, _ in results if status == 201)
        assert api.create(key).content == created

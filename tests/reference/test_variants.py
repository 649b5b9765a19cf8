"""Each conformant variant keeps the contract and behaves as its name says."""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
from reference_support import Api, assert_error

from conformance.reference import running_reference_server
from conformance.reference.variants import VARIANTS


@pytest.fixture(params=sorted(VARIANTS))
def variant_api(request: pytest.FixtureRequest) -> Iterator[Api]:
    with running_reference_server("--variant", request.param) as server:
        yield Api(server.base_url, retry_429=True)


def test_every_variant_keeps_the_basic_contract(variant_api: Api) -> None:
    api = variant_api
    key = api.new_key()
    first = api.create(key)
    assert first.status_code == 201
    assert api.create(key).content == first.content
    assert_error(api.create(key, api.body(amount=7)), 409)
    assert api.create(api.new_key(), {"amount": -1}).status_code in (400, 422)
    payment_id = first.json()["id"]
    refund_key = api.new_key()
    refund = api.refund(payment_id, refund_key)
    assert refund.status_code == 200
    assert refund.json()["paymentId"] == payment_id
    assert api.refund(payment_id, refund_key).content == refund.content
    assert_error(api.refund(payment_id, api.new_key()), 409)
    assert api.create(key).content == first.content


@contextmanager
def start(variant: str) -> Iterator[Api]:
    with running_reference_server("--variant", variant) as server:
        yield Api(server.base_url)


@pytest.fixture
def uuid_ids() -> Iterator[Api]:
    with start("uuid-ids") as api:
        yield api


def test_uuid_ids_gives_uuids_and_offset_timestamps(uuid_ids: Api) -> None:
    payment = uuid_ids.paid()
    refund = uuid_ids.refund(payment["id"], uuid_ids.new_key()).json()
    for body in (payment, refund):
        uuid.UUID(body["id"])
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", body["timestamp"])


def test_validation_422_lists_the_problems() -> None:
    with start("validation-422") as api:
        response = api.create(api.new_key(), {"amount": "x", "currency": "USD"})
        assert_error(response, 422)
        assert isinstance(response.json()["message"], list)
        assert len(response.json()["message"]) == 2


def test_scoped_keys_lets_one_key_serve_several_endpoints() -> None:
    with start("scoped-keys") as api:
        key = api.new_key()
        a = api.create(key).json()
        b = api.paid()
        first = api.refund(a["id"], key)
        second = api.refund(b["id"], key)
        assert (first.status_code, second.status_code) == (200, 200)
        assert first.json()["id"] != second.json()["id"]
        assert api.refund(a["id"], key).content == first.content


def test_replay_header_marks_replays_only() -> None:
    with start("replay-header") as api:
        key = api.new_key()
        assert "Idempotent-Replayed" not in api.create(key).headers
        assert api.create(key).headers["Idempotent-Replayed"] == "true"


def test_flaky_429_refuses_every_hundredth_request_without_side_effect() -> None:
    with start("flaky-429") as api:
        keys = [api.new_key() for _ in range(100)]
        responses = [api.create(key) for key in keys]
        assert [r.status_code for r in responses] == [201] * 99 + [429]
        assert responses[99].headers["Retry-After"] == "1"
        assert_error(responses[99], 429)
        retried = api.create(keys[99])
        assert retried.status_code == 201
        assert retried.json()["id"] not in {r.json()["id"] for r in responses[:99]}


def test_slow_still_answers_correctly() -> None:
    with start("slow") as api:
        key = api.new_key()
        assert api.create(key).content == api.create(key).content


def test_inflight_409_refuses_a_duplicate_while_the_first_is_processing() -> None:
    with start("inflight-409") as api:
        key = api.new_key()
        barrier = threading.Barrier(8)

        def send(_: int) -> tuple[int, bytes]:
            barrier.wait()
            response = api.create(key)
            return response.status_code, response.content

        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(send, range(8)))
        statuses = [status for status, _ in results]
        assert set(statuses) == {201, 409}, statuses  # the 201s: the first, or later replays
        assert len({content for status, content in results if status == 201}) == 1
        created = next(content for status, content in results if status == 201)
        assert api.create(key).content == created

"""The variants' business rules, statuses and ways of keeping keys, each against a real server."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from reference_support import OTHER_CLIENT, Api, assert_error, variant_server

PLAIN = {"amount": 1000.0, "currency": "USD", "description": "Order #12345", "customerId": "c-1"}
REFUSED = {
    "amount-limit": {"amount": 1_000_000.01},
    "minimum-amount": {"amount": 0.49},
    "currencies-usd-cad-mxn": {"currency": "EUR"},
    "ascii-descriptions": {"description": "café"},
    "description-limit": {"description": "x" * 141},
    "amount-precision": {"amount": 1.005},
    "customer-id-format": {"customerId": "cus 1"},
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_business_rule_refuses_before_the_key_is_used_and_takes_the_plain_body(
    name: str,
) -> None:
    with variant_server(name) as api:
        key = api.new_key()
        assert_error(api.create(key, {**PLAIN, **REFUSED[name]}), 400)
        assert api.create(key, PLAIN).status_code == 201
        assert api.create(api.new_key(), {**PLAIN, "amount": 1.0}).status_code == 201


def test_amount_precision_counts_the_decimals_of_the_value_not_of_its_spelling() -> None:
    with variant_server("amount-precision") as api:
        headers = api.headers(api.new_key(), **{"Content-Type": "application/json"})
        body = b'{"amount": 100.000, "currency": "USD", "description": "x"}'
        assert api.create(None, headers=headers, data=body).status_code == 201


def test_validation_422_lists_the_problems() -> None:
    with variant_server("validation-422") as api:
        response = api.create(api.new_key(), {"amount": "x", "currency": "USD"})
    assert_error(response, 422)
    assert isinstance(response.json()["message"], list)
    assert len(response.json()["message"]) == 2


def test_json_415_refuses_other_content_types_and_keeps_the_key_free() -> None:
    with variant_server("json-415") as api:
        key = api.new_key()
        headers = api.headers(key, **{"Content-Type": "text/plain"})
        assert_error(api.create(key, headers=headers, data=b'{"amount": 1}'), 415)
        assert api.create(key).status_code == 201


def test_conflict_422_answers_a_changed_body_with_422() -> None:
    with variant_server("conflict-422") as api:
        key = api.new_key()
        api.create(key)
        assert_error(api.create(key, api.body(amount=5)), 422)


def test_second_refund_200_returns_the_original_refund() -> None:
    with variant_server("second-refund-200") as api:
        payment = api.paid()
        first = api.refund(payment["id"], api.new_key())
        again = api.refund(payment["id"], api.new_key())
    assert (again.status_code, again.content) == (200, first.content)


@pytest.mark.parametrize(
    ("name", "status"), [("second-refund-422", 422), ("second-refund-400", 400)]
)
def test_second_refund_refusals_use_their_status(name: str, status: int) -> None:
    with variant_server(name) as api:
        payment = api.paid()
        api.refund(payment["id"], api.new_key())
        assert_error(api.refund(payment["id"], api.new_key()), status)


@pytest.mark.parametrize(
    ("name", "status"), [("cross-operation-422", 422), ("cross-operation-400", 400)]
)
def test_cross_operation_refusals_use_their_status(name: str, status: int) -> None:
    with variant_server(name) as api:
        key = api.new_key()
        payment = api.create(key).json()
        assert_error(api.refund(payment["id"], key), status)
        refund_key = api.new_key()
        api.refund(payment["id"], refund_key)
        assert_error(api.refund(api.paid()["id"], refund_key), status)


def foreign(name: str) -> tuple[requests.Response, requests.Response, requests.Response]:
    """Another client's GET and refund of a payment, and the owner's GET of an unknown id."""
    with variant_server(name) as api:
        payment = api.paid()
        other = api.as_client(*OTHER_CLIENT)
        return other.get(payment["id"]), other.refund(payment["id"], api.new_key()), api.get("x1")


def test_foreign_payment_403_refuses_another_clients_payment_with_403() -> None:
    got, refunded, unknown = foreign("foreign-payment-403")
    assert_error(got, 403)
    assert_error(refunded, 403)
    assert_error(unknown, 404)


def test_owner_in_id_400_calls_another_clients_id_invalid() -> None:
    got, refunded, unknown = foreign("owner-in-id-400")
    assert_error(got, 400)
    assert got.json()["message"] == "invalid id"
    assert_error(refunded, 400)
    assert_error(unknown, 404)


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


def test_keys_per_operation_share_a_key_across_operations_but_not_payments() -> None:
    with variant_server("keys-per-operation") as api:
        key = api.new_key()
        payment = api.create(key).json()
        refund = api.refund(payment["id"], key)
        assert (refund.status_code, refund.json()["paymentId"]) == (200, payment["id"])
        assert_error(api.refund(api.paid()["id"], key), 409)


@pytest.mark.parametrize(
    ("name", "header"),
    [("replay-header", "Idempotent-Replayed"), ("x-replay-header", "X-Idempotency-Replayed")],
)
def test_replay_headers_mark_replays_only(name: str, header: str) -> None:
    with variant_server(name) as api:
        key = api.new_key()
        assert header not in api.create(key).headers
        assert api.create(key).headers[header] == "true"


def test_stored_validation_400_replays_the_400_and_refuses_another_body() -> None:
    with variant_server("stored-validation-400") as api:
        key = api.new_key()
        first = api.create(key, {"currency": "USD"})
        assert_error(first, 400)
        assert api.create(key, {"currency": "USD"}).content == first.content
        assert_error(api.create(key), 409)


@pytest.mark.parametrize("key", ["order:42/abc", "a.b.c.d!", "k#1?x=2&y"])
def test_printable_keys_accept_other_punctuation(key: str) -> None:
    with variant_server("printable-keys") as api:
        first = api.create(key)
        assert first.status_code == 201
        assert api.create(key).content == first.content


@pytest.mark.parametrize("key", ["order 42/abc", "short", "x" * 65])
def test_printable_keys_still_refuse_spaces_and_bad_lengths(key: str) -> None:
    with variant_server("printable-keys") as api:
        assert_error(api.create(key), 400)


def burst(api: Api, key: str, size: int = 8) -> list[tuple[int, bytes, Any]]:
    barrier = threading.Barrier(size)

    def send(_: int) -> tuple[int, bytes, Any]:
        barrier.wait()
        response = api.create(key)
        return response.status_code, response.content, response.headers.get("Retry-After")

    with ThreadPoolExecutor(size) as pool:
        return list(pool.map(send, range(size)))


@pytest.mark.parametrize(("name", "refusal"), [("inflight-409", 409), ("inflight-429", 429)])
def test_a_duplicate_in_flight_is_refused_without_waiting(name: str, refusal: int) -> None:
    with variant_server(name) as api:
        key = api.new_key()
        results = burst(api, key)
        statuses = {status for status, _, _ in results}
        assert statuses == {201, refusal}, statuses  # the 201s: the first, or later replays
        assert len({content for status, content, _ in results if status == 201}) == 1
        if refusal == 429:
            assert {wait for status, _, wait in results if status == 429} == {"1"}
        created = next(content for status, content, _ in results if status == 201)
        assert api.create(key).content == created

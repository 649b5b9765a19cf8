"""Refund: a refund of an existing payment, its replay, its key, unknown payments, and at most
one refund per payment."""

from __future__ import annotations

import json
import random
import string
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from conformance.checks import (
    REFUND_OP,
    describe,
    expect_identical,
    expect_schema,
    expect_status,
    json_body,
)
from conformance.client import ApiClient
from conformance.failures import ConformanceFailure
from conformance.strategies import (
    BadKey,
    bad_character_keys,
    keys,
    long_keys,
    payment_bodies,
    short_keys,
    unique_key,
)
from conformance.suite.helpers import Precondition, create_payment, refund_payment

REFUSALS = {400, 409, 422}
"""What a second refund of a refunded payment may get, besides the original refund."""
_random = random.SystemRandom()


def refund_id(response: requests.Response, *, title: str) -> str:
    body = json_body(response, title=title)
    if not isinstance(body, dict) or not isinstance(body.get("id"), str | int):
        raise ConformanceFailure(
            title, expected='a JSON object with the refund "id"', received=describe(response)
        )
    return str(body["id"])


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@pytest.mark.requirement("REFUND-CREATE")
@given(body=payment_bodies(), key=keys())
def test_refund_of_a_payment_returns_the_refund(
    api: ApiClient, body: dict[str, Any], key: str
) -> None:
    created = create_payment(api, body)
    response = api.refund(created.id, key)
    expect_status(response, {200}, title="Refund of an existing payment with a fresh key failed")
    expect_schema(response, REFUND_OP, title="The refund response is not a RefundResponseDto")
    refund = json_body(response)
    if str(refund["paymentId"]) != created.id:
        raise ConformanceFailure(
            "The refund names another payment",
            expected=f"paymentId {created.id}",
            received=f"paymentId {json.dumps(refund['paymentId'])}",
        )
    paid = created.payment.get("amount")
    if not is_number(paid):
        raise Precondition(f"setup: the payment's amount is not a number: {json.dumps(paid)}")
    if refund["amount"] != paid:
        raise ConformanceFailure(
            "The refund amount is not the payment amount",
            expected=f"amount {json.dumps(paid)} (the payment's, requested as {body['amount']})",
            received=f"amount {json.dumps(refund['amount'])}",
        )


@pytest.mark.requirement("REFUND-REPLAY")
@given(body=payment_bodies(), key=keys(), other_key=keys())
def test_refund_replay_returns_the_stored_refund(
    api: ApiClient, body: dict[str, Any], key: str, other_key: str
) -> None:
    created = create_payment(api, body)
    first = refund_payment(api, created.id, key).response
    for attempt in (1, 2):
        again = api.refund(created.id, key)
        expect_identical(first, again, title=f"Refund replay {attempt} differs from the refund")
    # Another key now: refused, or answered with the original refund (REFUND-ONCE judges it).
    api.refund(created.id, other_key)
    again = api.refund(created.id, key)
    expect_identical(
        first,
        again,
        title="Refund replay after a refund attempt with another key differs from the refund",
    )


@pytest.mark.requirement("REFUND-KEY")
def test_refund_without_a_key_is_rejected(api: ApiClient) -> None:
    created = create_payment(api)
    response = api.refund(created.id, None)
    expect_status(response, {400}, title="Refund without an Idempotency-Key was not rejected")


@pytest.mark.requirement("REFUND-KEY")
@given(bad=st.one_of(short_keys(), long_keys(), bad_character_keys()))
def test_refund_with_an_invalid_key_is_rejected(api: ApiClient, bad: BadKey) -> None:
    created = create_payment(api)
    response = api.refund(created.id, bad.wire())
    expect_status(
        response, {400}, title=f"Refund with an invalid key ({bad.reason}) was not rejected"
    )


def _prefixed_id() -> str:
    return f"pay_{uuid.uuid4().hex[:16]}"


def _uuid_id() -> str:
    return str(uuid.uuid4())


def _plain_id() -> str:
    return f"unknown{uuid.uuid4().hex}"


def unknown_ids() -> st.SearchStrategy[str]:
    """Payment ids no target made, in common shapes; the random core is fresh on every draw."""
    return st.sampled_from((_prefixed_id, _uuid_id, _plain_id)).map(lambda make: make())


def lookalike(real: str) -> str:
    """An id shaped like `real` (same length, same character classes, same prefix) that the
    target did not make: its last alphanumeric characters are redrawn."""
    if real.isdigit():  # sequential numbers: one far beyond any the target has made
        return str(10**15 + _random.randrange(10**15))
    positions = [i for i, c in enumerate(real) if c.isascii() and c.isalnum()][-12:]
    while True:
        chars = list(real)
        for i in positions:
            chars[i] = _random.choice(_same_class(real[i]))
        candidate = "".join(chars)
        if candidate != real:
            return candidate


def _same_class(char: str) -> str:
    for alphabet in ("0123456789", "abcdef", "ABCDEF", string.ascii_lowercase):
        if char in alphabet:
            return alphabet
    return string.ascii_uppercase


@pytest.mark.requirement("REFUND-UNKNOWN")
@given(payment_id=unknown_ids())
def test_refund_of_an_unknown_payment_is_a_client_error(api: ApiClient, payment_id: str) -> None:
    response = api.refund(payment_id, unique_key("ref"))
    expect_status(response, "4xx", title=f"Refund of unknown payment {payment_id} was not a 4xx")


@pytest.mark.requirement("REFUND-UNKNOWN", part="should")
def test_refund_of_an_unknown_payment_is_not_found(api: ApiClient) -> None:
    real = create_payment(api).id
    for payment_id in (lookalike(real), lookalike(real)):
        response = api.refund(payment_id, unique_key("ref"))
        expect_status(
            response,
            {404},
            title=f"Refund of unknown payment {payment_id} (shaped like {real}) was not a 404",
        )


@pytest.mark.requirement("REFUND-ONCE")
@given(body=payment_bodies(), key=keys(), later_keys=st.lists(keys(), min_size=2, max_size=2))
def test_second_refund_never_makes_a_new_refund(
    api: ApiClient, body: dict[str, Any], key: str, later_keys: list[str]
) -> None:
    created = create_payment(api, body)
    first = refund_payment(api, created.id, key)
    original = str(first.refund["id"])
    for attempt, other_key in enumerate(later_keys, start=2):
        response = api.refund(created.id, other_key)
        if response.status_code // 100 == 2:
            again = refund_id(
                response, title=f"Refund {attempt} of a refunded payment got a 2xx without an id"
            )
            if again != original:
                raise ConformanceFailure(
                    f"Refund {attempt} of a refunded payment made a new refund",
                    expected=f"400, 409 or 422, or 200 with the original refund id {original}",
                    received=describe(response),
                )
        elif response.status_code not in REFUSALS:
            raise ConformanceFailure(
                f"Refund {attempt} of a refunded payment got an unexpected status",
                expected=f"400, 409 or 422, or 200 with the original refund id {original}",
                received=describe(response),
            )


@pytest.mark.requirement("REFUND-STATE")
def test_payment_status_after_a_refund_is_recorded(
    api: ApiClient, observe: Callable[[str], None]
) -> None:
    created = create_payment(api)
    refund_payment(api, created.id)
    fetched = api.get(created.id)
    if fetched.status_code != 200:
        observe(f"GET after a refund got {describe(fetched)}")
        return
    try:
        payment = json.loads(fetched.content)
    except ValueError:
        observe(f"GET after a refund got a body that is not JSON: {describe(fetched)}")
        return
    status = payment.get("status") if isinstance(payment, dict) else None
    observe(
        f"payment status after a refund: {json.dumps(status)} "
        f"(at creation: {json.dumps(created.payment.get('status'))})"
    )

"""Conflict: a used key with another request is refused, changes nothing, and never replays the
other request's response."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from conformance.checks import (
    describe,
    expect_error_body,
    expect_identical,
    expect_status,
    json_body,
)
from conformance.client import ApiClient
from conformance.failures import ConformanceFailure
from conformance.strategies import every_mutation, keys, mutations, payment_bodies
from conformance.suite.helpers import create_payment, refund_payment

REFUSALS = {400, 409, 422}
REJECTED_INVALID = {400, 422}


def _same_body(a: requests.Response, b: requests.Response) -> bool:
    try:
        return bool(a.content) and json.loads(a.content) == json.loads(b.content)
    except ValueError:
        return False


@pytest.mark.requirement("CONFLICT-BODY")
@given(body=payment_bodies(), key=keys(), data=st.data())
def test_changed_body_under_a_used_key_is_a_conflict(
    api: ApiClient, body: dict[str, Any], key: str, data: st.DataObject
) -> None:
    create_payment(api, body, key)
    conflict = api.target.conflict_status
    for mutation in data.draw(every_mutation(body), label="changed bodies"):
        response = api.create(mutation.body, key)
        # A body that lost a required field is also invalid: refusing it as invalid is fine.
        allowed = {conflict} | (REJECTED_INVALID if mutation.drops_required else set())
        expect_status(
            response,
            allowed,
            title=f"A retry with a changed body ({mutation.change}) was not refused as a conflict",
        )
        if response.status_code == conflict:
            expect_error_body(response, title="The conflict answer has no error body")


@pytest.mark.requirement("CONFLICT-NO-SIDE-EFFECT")
@given(body=payment_bodies(), key=keys(), data=st.data())
def test_conflict_changes_nothing(
    api: ApiClient, body: dict[str, Any], key: str, data: st.DataObject
) -> None:
    created = create_payment(api, body, key)
    mutation = data.draw(mutations(body), label="changed body")
    # Whether the changed body was refused is CONFLICT-BODY's question; this test judges
    # only what the attempt did to the original payment and its stored response.
    api.create(mutation.body, key)
    fetched = api.get(created.id)
    expect_status(fetched, {200}, title="GET of the original payment failed after a conflict")
    payment = json_body(fetched)
    for field in ("id", "amount", "currency"):
        if payment.get(field) != created.payment.get(field):
            raise ConformanceFailure(
                "The original payment changed after a conflict",
                expected=f"{field} {json.dumps(created.payment.get(field))}",
                received=f"{field} {json.dumps(payment.get(field))}",
            )
    again = api.create(body, key)
    expect_identical(
        created.response, again, title="The original request no longer replays after a conflict"
    )


def _never_the_other_response(
    stored: requests.Response, answer: requests.Response, what: str
) -> None:
    if _same_body(stored, answer):
        raise ConformanceFailure(
            f"{what} received the other request's stored response",
            expected="409/400/422, or a result of its own",
            received=describe(answer),
        )


@pytest.mark.requirement("CONFLICT-CROSS-OPERATION")
@given(body=payment_bodies(), key=keys())
def test_create_key_sent_to_a_refund_never_gets_the_create_response(
    api: ApiClient, body: dict[str, Any], key: str
) -> None:
    created = create_payment(api, body, key)
    answer = api.refund(created.id, key)
    _never_the_other_response(created.response, answer, "A refund under a create's key")
    if answer.status_code // 100 == 2:
        refund = json_body(answer)
        if refund.get("paymentId") != created.payment["id"] or refund.get("id") == created.id:
            raise ConformanceFailure(
                "A refund under a create's key did not return a refund of that payment",
                expected=f"a refund with paymentId {created.id}",
                received=describe(answer),
            )
    else:
        expect_status(answer, REFUSALS, title="A refund under a create's key was not refused")


@pytest.mark.requirement("CONFLICT-CROSS-OPERATION")
@given(key=keys())
def test_refund_key_sent_to_another_payment_never_gets_the_first_refund(
    api: ApiClient, key: str
) -> None:
    first = create_payment(api)
    second = create_payment(api)
    refunded = refund_payment(api, first.id, key)
    answer = api.refund(second.id, key)
    _never_the_other_response(refunded.response, answer, "A refund of payment B under A's key")
    if answer.status_code // 100 == 2:
        if json_body(answer).get("paymentId") != second.payment["id"]:
            raise ConformanceFailure(
                "A refund of payment B under A's refund key did not refund B",
                expected=f"paymentId {second.id}",
                received=describe(answer),
            )
    else:
        expect_status(answer, REFUSALS, title="A refund of B under A's refund key was not refused")


@pytest.mark.requirement("CONFLICT-CROSS-OPERATION")
@given(body=payment_bodies(), key=keys())
def test_refund_key_sent_to_a_create_never_gets_the_refund_response(
    api: ApiClient, body: dict[str, Any], key: str
) -> None:
    payment = create_payment(api)
    refunded = refund_payment(api, payment.id, key)
    answer = api.create(body, key)
    _never_the_other_response(refunded.response, answer, "A create under a refund's key")
    if answer.status_code // 100 != 2:
        expect_status(answer, REFUSALS, title="A create under a refund's key was not refused")

"""Authentication: every operation needs both credentials, checked before the idempotency key.

Wrong credentials are random tokens, never derived from the real key or secret, so no part of
a secret can reach a report through them.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

import pytest
import requests
from hypothesis import given

from conformance.checks import describe, expect_identical, expect_status, json_body
from conformance.client import ApiClient
from conformance.failures import ConformanceFailure
from conformance.strategies import keys, payment_bodies, unique_key
from conformance.suite.helpers import Precondition, create_payment, id_of, refund_payment
from conformance.target import Credentials

MISSING = ("key header", "secret header", "both headers")
WRONG = ("key", "secret")
PAYMENT_FIELDS = ("id", "paymentId", "amount")


# -- clients with missing or wrong credentials ---------------------------------------------------
def without(api: ApiClient, missing: str) -> tuple[ApiClient, dict[str, str]]:
    """A client sending no auth headers, and the one auth header that `missing` leaves in."""
    credentials = api.target.credentials
    kept = {
        "key header": {api.target.secret_header: credentials.secret},
        "secret header": {api.target.key_header: credentials.key},
        "both headers": {},
    }[missing]
    return api.as_client(None), kept


def wrong(api: ApiClient, which: str) -> ApiClient:
    """The client with a random key or a random secret in place of the real one."""
    real = api.target.credentials
    token = secrets.token_hex(8)
    credentials = (
        Credentials(token, real.secret) if which == "key" else Credentials(real.key, token)
    )
    return api.as_client(credentials)


# -- what a refused request must not carry -------------------------------------------------------
def field_names(value: Any) -> set[str]:
    """Every object field name in a JSON value, at any depth."""
    if isinstance(value, dict):
        return set(value) | {name for item in value.values() for name in field_names(item)}
    if isinstance(value, list):
        return {name for item in value for name in field_names(item)}
    return set()


def expect_no_payment_data(
    response: requests.Response, *, title: str, payment_id: str | None = None
) -> None:
    """No `id`, `paymentId` or `amount` field, and not the id of the payment concerned."""
    try:
        body = json.loads(response.content)
    except ValueError:
        body = None
    leaked = sorted(field_names(body) & set(PAYMENT_FIELDS))
    if leaked:
        raise ConformanceFailure(
            title,
            expected="an error body without payment or refund data",
            received=f"fields {', '.join(leaked)}: {describe(response)}",
        )
    if payment_id and payment_id in response.text:
        raise ConformanceFailure(
            title,
            expected=f"a body that does not mention payment {payment_id}",
            received=describe(response),
        )


# -- AUTH-MISSING --------------------------------------------------------------------------------
@pytest.mark.requirement("AUTH-MISSING")
@pytest.mark.parametrize("missing", MISSING)
@given(body=payment_bodies(), key=keys())
def test_create_without_credentials_is_401(
    api: ApiClient, missing: str, body: dict[str, Any], key: str
) -> None:
    client, kept = without(api, missing)
    response = client.create(body, key, headers=kept)
    expect_status(response, {401}, title=f"Create without the {missing} was not refused with 401")


@pytest.mark.requirement("AUTH-MISSING")
@pytest.mark.parametrize("missing", MISSING)
def test_get_without_credentials_is_401(api: ApiClient, missing: str) -> None:
    created = create_payment(api)
    client, kept = without(api, missing)
    response = client.get(created.id, headers=kept)
    expect_status(response, {401}, title=f"GET without the {missing} was not refused with 401")


@pytest.mark.requirement("AUTH-MISSING")
@pytest.mark.parametrize("missing", MISSING)
def test_refund_without_credentials_is_401(api: ApiClient, missing: str) -> None:
    created = create_payment(api)
    client, kept = without(api, missing)
    response = client.refund(created.id, unique_key("ref"), headers=kept)
    expect_status(response, {401}, title=f"Refund without the {missing} was not refused with 401")


# -- AUTH-INVALID --------------------------------------------------------------------------------
@pytest.mark.requirement("AUTH-INVALID")
@pytest.mark.parametrize("which", WRONG)
@given(body=payment_bodies(), key=keys())
def test_create_with_a_wrong_credential_is_401_without_payment_data(
    api: ApiClient, which: str, body: dict[str, Any], key: str
) -> None:
    response = wrong(api, which).create(body, key)
    title = f"Create with a wrong {which} was not refused"
    expect_status(response, {401}, title=title)
    expect_no_payment_data(response, title=title)


@pytest.mark.requirement("AUTH-INVALID")
@pytest.mark.parametrize("which", WRONG)
def test_get_with_a_wrong_credential_is_401_without_payment_data(
    api: ApiClient, which: str
) -> None:
    created = create_payment(api)
    response = wrong(api, which).get(created.id)
    title = f"GET with a wrong {which} was not refused"
    expect_status(response, {401}, title=title)
    expect_no_payment_data(response, title=title, payment_id=created.id)


@pytest.mark.requirement("AUTH-INVALID")
@pytest.mark.parametrize("which", WRONG)
def test_refund_with_a_wrong_credential_is_401_without_refund_data(
    api: ApiClient, which: str
) -> None:
    created = create_payment(api)
    response = wrong(api, which).refund(created.id, unique_key("ref"))
    title = f"Refund with a wrong {which} was not refused"
    expect_status(response, {401}, title=title)
    expect_no_payment_data(response, title=title, payment_id=created.id)


# -- AUTH-BEFORE-REPLAY --------------------------------------------------------------------------
@pytest.mark.requirement("AUTH-BEFORE-REPLAY")
@pytest.mark.parametrize("which", WRONG)
@given(body=payment_bodies(), key=keys())
def test_create_replay_with_a_wrong_credential_is_401(
    api: ApiClient, which: str, body: dict[str, Any], key: str
) -> None:
    created = create_payment(api, body, key)
    response = wrong(api, which).create(body, key)
    title = f"A used create key with a wrong {which} was not refused before the replay"
    expect_status(response, {401}, title=title)
    expect_no_payment_data(response, title=title, payment_id=created.id)


@pytest.mark.requirement("AUTH-BEFORE-REPLAY")
@pytest.mark.parametrize("which", WRONG)
@given(key=keys())
def test_refund_replay_with_a_wrong_credential_is_401(api: ApiClient, which: str, key: str) -> None:
    created = create_payment(api)
    refund_payment(api, created.id, key)
    response = wrong(api, which).refund(created.id, key)
    title = f"A used refund key with a wrong {which} was not refused before the replay"
    expect_status(response, {401}, title=title)
    expect_no_payment_data(response, title=title, payment_id=created.id)


# -- AUTH-NOT-STORED -----------------------------------------------------------------------------
def expect_refused(response: requests.Response, which: str) -> None:
    """The first, refused request of the test; if it was not refused, AUTH-INVALID says so."""
    if response.status_code != 401:
        raise Precondition(
            f"setup: a request with a wrong {which} was not refused with 401 (judged by "
            f"AUTH-INVALID): {describe(response)}"
        )


@pytest.mark.requirement("AUTH-NOT-STORED")
@pytest.mark.parametrize("which", WRONG)
@given(body=payment_bodies(), key=keys())
def test_create_key_first_refused_with_401_is_processed_later(
    api: ApiClient, which: str, body: dict[str, Any], key: str
) -> None:
    refused = wrong(api, which).create(body, key)
    expect_refused(refused, which)
    response = api.create(body, key)
    expect_status(
        response,
        {201},
        title="A key first refused with 401 was not processed with valid credentials",
    )
    payment_id = id_of(response)
    if not isinstance(payment_id, str | int):
        raise ConformanceFailure(
            "The create after a 401 did not return a payment",
            expected="a payment with an id",
            received=describe(response),
        )
    fetched = api.get(str(payment_id))
    expect_status(fetched, {200}, title="The payment created after a 401 cannot be read")


@pytest.mark.requirement("AUTH-NOT-STORED")
@pytest.mark.parametrize("which", WRONG)
@given(key=keys())
def test_refund_key_first_refused_with_401_is_processed_later(
    api: ApiClient, which: str, key: str
) -> None:
    created = create_payment(api)
    refused = wrong(api, which).refund(created.id, key)
    expect_refused(refused, which)
    response = api.refund(created.id, key)
    expect_status(
        response,
        "2xx",
        title="A refund key first refused with 401 was not processed with valid credentials",
    )
    refund = json_body(response)
    if not isinstance(refund, dict) or str(refund.get("paymentId")) != created.id:
        raise ConformanceFailure(
            "The refund after a 401 is not a refund of the payment",
            expected=f"a refund with paymentId {created.id}",
            received=describe(response),
        )


# -- AUTH-KEY-SCOPE ------------------------------------------------------------------------------
@pytest.mark.requirement("AUTH-KEY-SCOPE")
@given(body=payment_bodies(), key=keys())
def test_another_client_reusing_a_create_key_gets_its_own_result(
    api: ApiClient, second_api: ApiClient, body: dict[str, Any], key: str
) -> None:
    created = create_payment(api, body, key)
    response = second_api.create(body, key)
    if id_of(response) == created.payment["id"] or created.id in response.text:
        raise ConformanceFailure(
            "A second client reusing the first client's key got the first client's payment",
            expected=f"a new payment or an error, not payment {created.id}",
            received=describe(response),
        )
    again = api.create(body, key)
    expect_identical(
        created.response,
        again,
        title="After another client used the key, the first client's replay changed",
    )


@pytest.mark.requirement("AUTH-KEY-SCOPE")
def test_another_client_cannot_read_a_payment(api: ApiClient, second_api: ApiClient) -> None:
    created = create_payment(api)
    response = second_api.get(created.id)
    title = "A second client could read the first client's payment"
    expect_status(response, {403, 404}, title=title)
    expect_no_payment_data(response, title=title, payment_id=created.id)


@pytest.mark.requirement("AUTH-KEY-SCOPE")
def test_another_client_cannot_refund_a_payment(api: ApiClient, second_api: ApiClient) -> None:
    created = create_payment(api)
    before = api.get(created.id)
    expect_status(before, {200}, title="GET of a new payment failed")
    response = second_api.refund(created.id, unique_key("ref"))
    title = "A second client could refund the first client's payment"
    expect_status(response, {403, 404}, title=title)
    expect_no_payment_data(response, title=title, payment_id=created.id)
    expect_owner_can_still_refund(api, created.id, before)


@pytest.mark.requirement("AUTH-KEY-SCOPE")
@given(key=keys())
def test_another_client_reusing_a_refund_key_gets_its_own_result(
    api: ApiClient, second_api: ApiClient, key: str
) -> None:
    created = create_payment(api)
    refund_payment(api, created.id, key)
    response = second_api.refund(created.id, key)
    title = "A second client reusing the first client's refund key got its stored refund"
    expect_status(response, "4xx", title=title)
    expect_no_payment_data(response, title=title, payment_id=created.id)


def expect_owner_can_still_refund(
    api: ApiClient, payment_id: str, before: requests.Response
) -> None:
    """The payment reads as before, and its owner's own refund goes through."""
    after = api.get(payment_id)
    expect_status(after, {200}, title="GET of the payment failed after another client's refund")
    was, now = json_body(before), json_body(after)
    fields = ("id", "amount", "currency", "status")
    changed = [
        f
        for f in fields
        if not isinstance(now, dict) or not isinstance(was, dict) or was.get(f) != now.get(f)
    ]
    if changed:
        raise ConformanceFailure(
            "The payment changed after another client's refund attempt",
            expected=f"the payment as before: {describe(before)}",
            received=f"{', '.join(changed)} changed: {describe(after)}",
        )
    refund = api.refund(payment_id, unique_key("ref"))
    expect_status(
        refund,
        "2xx",
        title="The owner could not refund its payment after another client's refund attempt",
    )

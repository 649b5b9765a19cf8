"""Authentication: every operation needs both credentials, checked before the idempotency key.

Wrong credentials are random tokens, never derived from the real key or secret, so no part of
a secret can reach a report through them.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from conformance import checks
from conformance.checks import Answer, describe
from conformance.strategies import another_plain_body, fresh_hex, keys, plain_bodies, unique_key
from conformance.suite.helpers import (
    Created,
    Precondition,
    create_payment,
    refund_payment,
)
from conformance.target import Credentials
from conformance.transport.client import ApiClient

MISSING = ("key header", "secret header", "both headers")
WRONG = ("key", "secret")


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
    token = fresh_hex(16)
    credentials = (
        Credentials(token, real.secret) if which == "key" else Credentials(real.key, token)
    )
    return api.as_client(credentials)


# -- AUTH-MISSING --------------------------------------------------------------------------------
@pytest.mark.requirement("AUTH-MISSING")
@pytest.mark.parametrize("missing", MISSING)
@given(body=plain_bodies(), key=keys())
def test_create_without_credentials_is_401(
    api: ApiClient, missing: str, body: dict[str, Any], key: str
) -> None:
    client, kept = without(api, missing)
    response = client.create(body, key, headers=kept)
    checks.refused_with_401(response, title=f"Create without the {missing} was not refused")


@pytest.mark.requirement("AUTH-MISSING")
@pytest.mark.parametrize("missing", MISSING)
def test_get_without_credentials_is_401(api: ApiClient, missing: str) -> None:
    created = create_payment(api)
    client, kept = without(api, missing)
    response = client.get(created.id, headers=kept)
    checks.refused_with_401(response, title=f"GET without the {missing} was not refused")


@pytest.mark.requirement("AUTH-MISSING")
@pytest.mark.parametrize("missing", MISSING)
def test_refund_without_credentials_is_401(api: ApiClient, missing: str) -> None:
    created = create_payment(api)
    client, kept = without(api, missing)
    response = client.refund(created.id, unique_key("ref"), headers=kept)
    checks.refused_with_401(response, title=f"Refund without the {missing} was not refused")


# -- AUTH-INVALID --------------------------------------------------------------------------------
@pytest.mark.requirement("AUTH-INVALID")
@pytest.mark.parametrize("which", WRONG)
@given(body=plain_bodies(), key=keys())
def test_create_with_a_wrong_credential_is_401_without_payment_data(
    api: ApiClient, which: str, body: dict[str, Any], key: str
) -> None:
    response = wrong(api, which).create(body, key)
    title = f"Create with a wrong {which} was not refused"
    checks.refused_with_401(response, requirement="AUTH-INVALID", title=title)
    checks.refusal_carries_no_payment_data(
        response, requirement="AUTH-INVALID", carried=[key, *body.values()], title=title
    )


@pytest.mark.requirement("AUTH-INVALID")
@pytest.mark.parametrize("which", WRONG)
def test_get_with_a_wrong_credential_is_401_without_payment_data(
    api: ApiClient, which: str
) -> None:
    created = create_payment(api)
    response = wrong(api, which).get(created.id)
    title = f"GET with a wrong {which} was not refused"
    checks.refused_with_401(response, requirement="AUTH-INVALID", title=title)
    checks.refusal_carries_no_payment_data(
        response, created.response, requirement="AUTH-INVALID", carried=[created.payment["id"]]
    )


@pytest.mark.requirement("AUTH-INVALID")
@pytest.mark.parametrize("which", WRONG)
def test_refund_with_a_wrong_credential_is_401_without_refund_data(
    api: ApiClient, which: str
) -> None:
    created = create_payment(api)
    key = unique_key("ref")
    response = wrong(api, which).refund(created.id, key)
    title = f"Refund with a wrong {which} was not refused"
    checks.refused_with_401(response, requirement="AUTH-INVALID", title=title)
    checks.refusal_carries_no_payment_data(
        response, created.response, requirement="AUTH-INVALID", carried=[created.payment["id"], key]
    )


# -- AUTH-BEFORE-REPLAY --------------------------------------------------------------------------
@pytest.mark.requirement("AUTH-BEFORE-REPLAY")
@pytest.mark.parametrize("which", WRONG)
@given(body=plain_bodies(), key=keys())
def test_create_replay_with_a_wrong_credential_is_401(
    api: ApiClient, which: str, body: dict[str, Any], key: str
) -> None:
    created = create_payment(api, body, key)
    response = wrong(api, which).create(body, key)
    title = f"A used create key with a wrong {which} was not refused before the replay"
    checks.refused_with_401(response, requirement="AUTH-BEFORE-REPLAY", title=title)
    checks.never_the_stored_response(response, created.response, requirement="AUTH-BEFORE-REPLAY")
    checks.refusal_carries_no_payment_data(
        response, created.response, requirement="AUTH-BEFORE-REPLAY", carried=[key, *body.values()]
    )


@pytest.mark.requirement("AUTH-BEFORE-REPLAY")
@pytest.mark.parametrize("which", WRONG)
@given(key=keys())
def test_refund_replay_with_a_wrong_credential_is_401(api: ApiClient, which: str, key: str) -> None:
    created = create_payment(api)
    refunded = refund_payment(api, created.id, key)
    response = wrong(api, which).refund(created.id, key)
    title = f"A used refund key with a wrong {which} was not refused before the replay"
    checks.refused_with_401(response, requirement="AUTH-BEFORE-REPLAY", title=title)
    checks.never_the_stored_response(response, refunded.response, requirement="AUTH-BEFORE-REPLAY")
    checks.refusal_carries_no_payment_data(
        response,
        created.response,
        refunded.response,
        requirement="AUTH-BEFORE-REPLAY",
        carried=[created.payment["id"], key],
    )


# -- AUTH-NOT-STORED -----------------------------------------------------------------------------
def expect_refused(response: requests.Response, which: str) -> None:
    """The first, refused request of the test; if it was not refused, AUTH-INVALID says so."""
    if response.status_code != 401:
        raise Precondition(
            f"setup: a request with a wrong {which} was not refused with 401 (judged by "
            f"AUTH-INVALID): {describe(Answer.of(response))}"
        )


@pytest.mark.requirement("AUTH-NOT-STORED")
@pytest.mark.parametrize("which", WRONG)
@given(body=plain_bodies(), key=keys(), data=st.data())
def test_create_key_first_refused_with_401_is_processed_later(
    api: ApiClient, which: str, body: dict[str, Any], key: str, data: st.DataObject
) -> None:
    """The retry carries another body (another amount): a 201 with the refused body's values,
    or a 409, would show that the 401 did its work under the key after all."""
    refused = wrong(api, which).create(body, key)
    expect_refused(refused, which)
    other = data.draw(another_plain_body(body), label="the valid request")
    response = api.create(other, key)
    title = "A key first refused with 401 was not processed as new with valid credentials"
    checks.payment_created(response, requirement="AUTH-NOT-STORED", title=title)
    checks.payment_echoes_the_request(
        response,
        requirement="AUTH-NOT-STORED",
        amount=other["amount"],
        currency=other["currency"],
        title=title,
    )


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
    checks.refund_processed(
        response,
        created.response,
        requirement="AUTH-NOT-STORED",
        title="A refund key first refused with 401 was not processed with valid credentials",
    )


# -- AUTH-KEY-SCOPE ------------------------------------------------------------------------------
@pytest.mark.requirement("AUTH-KEY-SCOPE")
@given(body=plain_bodies(), key=keys())
def test_another_client_reusing_a_create_key_gets_its_own_result(
    api: ApiClient, second_api: ApiClient, body: dict[str, Any], key: str
) -> None:
    created = create_payment(api, body, key)
    response = second_api.create(body, key)
    checks.never_the_stored_response(
        response,
        created.response,
        requirement="AUTH-KEY-SCOPE",
        title="A second client reusing the first client's key got the first client's payment",
    )
    again = api.create(body, key)
    checks.replay_is_identical(
        created.response,
        again,
        requirement="AUTH-KEY-SCOPE",
        title="After another client used the key, the first client's replay changed",
    )


@pytest.mark.requirement("AUTH-KEY-SCOPE")
def test_another_client_cannot_read_a_payment(api: ApiClient, second_api: ApiClient) -> None:
    created = create_payment(api)
    response = second_api.get(created.id)
    checks.another_client_is_refused(response)
    checks.refusal_carries_no_payment_data(
        response, created.response, requirement="AUTH-KEY-SCOPE", carried=[created.payment["id"]]
    )


@pytest.mark.requirement("AUTH-KEY-SCOPE", part="should")
def test_another_clients_payment_is_not_found_or_forbidden(
    api: ApiClient, second_api: ApiClient
) -> None:
    created = create_payment(api)
    checks.another_client_is_refused_with_403_or_404(second_api.get(created.id))
    checks.another_client_is_refused_with_403_or_404(
        second_api.refund(created.id, unique_key("ref"))
    )


@pytest.mark.requirement("AUTH-KEY-SCOPE")
def test_another_client_cannot_refund_a_payment(api: ApiClient, second_api: ApiClient) -> None:
    created = create_payment(api)
    key = unique_key("ref")
    response = second_api.refund(created.id, key)
    checks.another_client_is_refused(response)
    checks.refusal_carries_no_payment_data(
        response,
        created.response,
        requirement="AUTH-KEY-SCOPE",
        carried=[created.payment["id"], key],
    )
    expect_owner_can_still_refund(api, created)


@pytest.mark.requirement("AUTH-KEY-SCOPE")
@given(key=keys())
def test_another_client_reusing_a_refund_key_gets_its_own_result(
    api: ApiClient, second_api: ApiClient, key: str
) -> None:
    created = create_payment(api)
    refunded = refund_payment(api, created.id, key)
    response = second_api.refund(created.id, key)
    title = "A second client reusing the first client's refund key got its stored refund"
    checks.another_client_is_refused(response, title=title)
    checks.refusal_carries_no_payment_data(
        response,
        created.response,
        refunded.response,
        requirement="AUTH-KEY-SCOPE",
        carried=[created.payment["id"], key],
    )


def expect_owner_can_still_refund(api: ApiClient, created: Created) -> None:
    """The payment reads as created, and its owner's own refund goes through."""
    checks.payment_reads_as_created(
        created.response,
        api.get(created.id),
        requirement="AUTH-KEY-SCOPE",
        title="The payment changed after another client's refund attempt",
    )
    checks.refund_processed(
        api.refund(created.id, unique_key("ref")),
        created.response,
        requirement="AUTH-KEY-SCOPE",
        title="The owner could not refund its payment after another client's refund attempt",
    )

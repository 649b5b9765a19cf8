"""Refund: a refund of an existing payment, its replay, its key, unknown payments, and at most
one refund per payment."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance import checks
from conformance.checks import Answer, describe
from conformance.spec import REFUND_OP
from conformance.strategies import (
    BadKey,
    bad_character_keys,
    keys,
    long_keys,
    lookalike,
    payment_bodies,
    short_keys,
    unique_key,
    unknown_payment_ids,
)
from conformance.suite.helpers import create_payment, refund_payment
from conformance.transport.client import ApiClient


@pytest.mark.requirement("REFUND-CREATE")
@given(body=payment_bodies(), key=keys())
def test_refund_of_a_payment_returns_the_refund(
    api: ApiClient, body: dict[str, Any], key: str
) -> None:
    created = create_payment(api, body)
    response = api.refund(created.id, key)
    checks.refund_of_the_payment(response, created.response)
    checks.matches_the_spec(response, requirement="REFUND-CREATE", operation=REFUND_OP)


@pytest.mark.requirement("REFUND-REPLAY")
@given(body=payment_bodies(), key=keys(), other_key=keys())
def test_refund_replay_returns_the_stored_refund(
    api: ApiClient, body: dict[str, Any], key: str, other_key: str
) -> None:
    created = create_payment(api, body)
    first = refund_payment(api, created.id, key).response
    for attempt in (1, 2):
        again = api.refund(created.id, key)
        checks.replay_is_identical(
            first,
            again,
            requirement="REFUND-REPLAY",
            title=f"Refund replay {attempt} differs from the refund",
        )
    # Another key now: refused, or answered with the original refund (REFUND-ONCE judges it).
    api.refund(created.id, other_key)
    checks.replay_is_identical(
        first,
        api.refund(created.id, key),
        requirement="REFUND-REPLAY",
        title="Refund replay after a refund attempt with another key differs from the refund",
    )


@pytest.mark.requirement("REFUND-KEY")
def test_refund_without_a_key_is_rejected(api: ApiClient) -> None:
    created = create_payment(api)
    response = api.refund(created.id, None)
    checks.key_refused_with_400(
        response,
        requirement="REFUND-KEY",
        title="Refund without an Idempotency-Key was not refused",
    )


@pytest.mark.requirement("REFUND-KEY")
@given(bad=st.one_of(short_keys(), long_keys(), bad_character_keys()))
def test_refund_with_an_invalid_key_is_rejected(api: ApiClient, bad: BadKey) -> None:
    created = create_payment(api)
    response = api.refund(created.id, bad.wire())
    checks.key_refused_with_400(
        response,
        requirement="REFUND-KEY",
        title=f"Refund with an invalid key ({bad.reason}) was not refused",
    )


@pytest.mark.requirement("REFUND-UNKNOWN")
@given(payment_id=unknown_payment_ids())
def test_refund_of_an_unknown_payment_is_a_client_error(api: ApiClient, payment_id: str) -> None:
    response = api.refund(payment_id, unique_key("ref"))
    checks.unknown_payment_refused(
        response,
        requirement="REFUND-UNKNOWN",
        title=f"Refund of unknown payment {payment_id} was not a 4xx",
    )


@pytest.mark.requirement("REFUND-UNKNOWN", part="should")
def test_refund_of_an_unknown_payment_is_not_found(api: ApiClient) -> None:
    real = create_payment(api).id
    for payment_id in (lookalike(real), lookalike(real)):
        checks.unknown_payment_not_found(
            api.refund(payment_id, unique_key("ref")),
            requirement="REFUND-UNKNOWN",
            title=f"Refund of unknown payment {payment_id} (shaped like {real}) was not a 404",
        )


@pytest.mark.requirement("REFUND-ONCE")
@given(body=payment_bodies(), key=keys(), later_keys=st.lists(keys(), min_size=2, max_size=2))
def test_second_refund_never_makes_a_new_refund(
    api: ApiClient, body: dict[str, Any], key: str, later_keys: list[str]
) -> None:
    created = create_payment(api, body)
    first = refund_payment(api, created.id, key)
    for attempt, other_key in enumerate(later_keys, start=2):
        checks.second_refund_makes_no_new_refund(
            api.refund(created.id, other_key),
            first.response,
            title=f"Refund {attempt} of a refunded payment made a new refund",
        )


@pytest.mark.requirement("REFUND-STATE")
def test_payment_status_after_a_refund_is_recorded(
    api: ApiClient, observe: Callable[[str], None]
) -> None:
    created = create_payment(api)
    refund_payment(api, created.id)
    fetched = api.get(created.id)
    if fetched.status_code != 200:
        observe(f"GET after a refund got {describe(Answer.of(fetched))}")
        return
    try:
        payment = json.loads(fetched.content)
    except ValueError:
        observe(f"GET after a refund got a body that is not JSON: {describe(Answer.of(fetched))}")
        return
    status = payment.get("status") if isinstance(payment, dict) else None
    observe(
        f"payment status after a refund: {json.dumps(status)} "
        f"(at creation: {json.dumps(created.payment.get('status'))})"
    )

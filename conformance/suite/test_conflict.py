"""Conflict: a used key with another request is refused, changes nothing, and never replays the
other request's response."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from conformance import checks
from conformance.checks import Answer
from conformance.strategies import (
    currency_case_changed,
    every_mutation,
    keys,
    mutations,
    payment_bodies,
    unique_key,
)
from conformance.suite.helpers import create_payment, refund_payment, refused_body
from conformance.transport.client import ApiClient

REQUIREMENT = "CONFLICT-CROSS-OPERATION"


@pytest.mark.requirement("CONFLICT-BODY")
@given(body=payment_bodies(), key=keys(), data=st.data())
def test_changed_body_under_a_used_key_is_a_conflict(
    api: ApiClient, body: dict[str, Any], key: str, data: st.DataObject
) -> None:
    create_payment(api, body, key)
    conflict = api.target.conflict_status
    for mutation in data.draw(every_mutation(body), label="changed bodies"):
        response = api.create(mutation.body, key)
        if response.status_code != conflict and refused_body(mutation.body, response):
            api.journal.refusals.append(f"{mutation.change} -> {response.status_code}")
            continue  # a business rule of the target's refused the changed body itself
        # A body that lost a required field is also invalid: refusing it as invalid is fine.
        checks.changed_body_is_a_conflict(
            response,
            status=conflict,
            invalid=mutation.drops_required,
            title=f"A retry with a changed body ({mutation.change}) was not refused as a conflict",
        )
    changed_case = currency_case_changed(body)
    response = api.create(changed_case.body, key)
    if response.status_code != conflict and refused_body(changed_case.body, response):
        api.journal.refusals.append(f"{changed_case.change} -> {response.status_code}")
    elif response.status_code == conflict or keeps_the_currency_case(api, changed_case.body):
        checks.changed_body_is_a_conflict(
            response,
            status=conflict,
            title=f"A retry with a changed body ({changed_case.change}) was not refused as a "
            "conflict by a target that keeps the currency's case",
        )


def keeps_the_currency_case(api: ApiClient, body: dict[str, Any]) -> bool:
    """Whether the target echoes the currency in the case it was sent (asked with a fresh key):
    only then is a currency in another case another request. A target that takes currencies in
    any case and answers in its own (PAY-ECHO compares them case-insensitively) may treat
    `usd` and `USD` as the same request."""
    probe = api.create(body, unique_key("case"))
    return probe.status_code == 201 and Answer.of(probe).get("currency") == body["currency"]


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
    checks.payment_reads_as_created(
        created.response,
        api.get(created.id),
        requirement="CONFLICT-NO-SIDE-EFFECT",
        title="The original payment changed after a conflict",
    )
    checks.replay_is_identical(
        created.response,
        api.create(body, key),
        requirement="CONFLICT-NO-SIDE-EFFECT",
        title="The original request no longer replays after a conflict",
    )


@pytest.mark.requirement("CONFLICT-CROSS-OPERATION")
@given(body=payment_bodies(), key=keys())
def test_create_key_sent_to_a_refund_never_gets_the_create_response(
    api: ApiClient, body: dict[str, Any], key: str
) -> None:
    created = create_payment(api, body, key)
    answer = api.refund(created.id, key)
    expect_refused_or_fresh(
        answer,
        created.response,
        lambda: checks.refund_processed(answer, created.response, requirement=REQUIREMENT),
        "A refund under a create's key",
    )


@pytest.mark.requirement("CONFLICT-CROSS-OPERATION")
@given(key=keys())
def test_refund_key_sent_to_another_payment_never_gets_the_first_refund(
    api: ApiClient, key: str
) -> None:
    first = create_payment(api)
    second = create_payment(api)
    refunded = refund_payment(api, first.id, key)
    answer = api.refund(second.id, key)
    expect_refused_or_fresh(
        answer,
        refunded.response,
        lambda: checks.refund_processed(answer, second.response, requirement=REQUIREMENT),
        "A refund of payment B under A's refund key",
    )


@pytest.mark.requirement("CONFLICT-CROSS-OPERATION")
@given(body=payment_bodies(), key=keys())
def test_refund_key_sent_to_a_create_never_gets_the_refund_response(
    api: ApiClient, body: dict[str, Any], key: str
) -> None:
    payment = create_payment(api)
    refunded = refund_payment(api, payment.id, key)
    answer = api.create(body, key)
    if (
        refused_body(body, answer)
        and answer.status_code not in checks.conflict.CROSS_OPERATION_REFUSALS
    ):
        api.journal.refusals.append(f"a create under a refund's key -> {answer.status_code}")
        return
    expect_refused_or_fresh(
        answer,
        refunded.response,
        lambda: checks.payment_created(answer, requirement=REQUIREMENT),
        "A create under a refund's key",
    )


def expect_refused_or_fresh(
    answer: requests.Response, stored: requests.Response, fresh: Callable[[], None], what: str
) -> None:
    """Never the other request's stored answer; a refusal, or a fresh result of its own."""
    checks.never_the_stored_response(
        answer, stored, requirement=REQUIREMENT, title=f"{what} got the other request's answer"
    )
    if answer.status_code // 100 == 2:
        fresh()
    else:
        checks.cross_operation_refused_or_fresh(answer, title=f"{what} was not refused")

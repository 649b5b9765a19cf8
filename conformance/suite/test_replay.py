"""Replay: the same key with the same request returns the stored response, and nothing new."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance import checks
from conformance.strategies import keys, number_spellings, payment_bodies, reencodings
from conformance.suite.helpers import Created, Precondition, create_payment, refund_payment
from conformance.target import Target
from conformance.transport.client import ApiClient

REPEATS = 3


@pytest.mark.requirement("REPLAY-IDENTICAL")
@given(body=payment_bodies(), key=keys())
def test_replay_returns_the_stored_response_every_time(
    api: ApiClient, body: dict[str, Any], key: str
) -> None:
    first = create_payment(api, body, key).response
    for attempt in range(1, REPEATS + 1):
        again = api.create(body, key)
        checks.replay_is_identical(first, again, title=f"Replay {attempt} differs from the first")


@pytest.mark.requirement("REPLAY-NO-NEW-PAYMENT")
@given(body=payment_bodies(), key=keys())
def test_replay_never_makes_a_new_payment(api: ApiClient, body: dict[str, Any], key: str) -> None:
    created = create_payment(api, body, key)
    for _ in range(2):
        checks.replay_makes_no_new_payment(created.response, api.create(body, key))
    checks.payment_reads_as_created(
        created.response,
        api.get(created.id),
        requirement="REPLAY-NO-NEW-PAYMENT",
        title="GET after replays does not show the original payment",
    )


@pytest.mark.requirement("REPLAY-JSON-EQUIVALENT")
@given(body=payment_bodies(), key=keys(), data=st.data())
def test_reordered_or_respaced_body_replays(
    api: ApiClient, body: dict[str, Any], key: str, data: st.DataObject
) -> None:
    first = create_payment(api, body, key).response
    spelling = data.draw(reencodings(body), label="re-encoded body")
    again = api.create(body, key, raw=spelling)
    checks.replay_is_identical(
        first,
        again,
        requirement="REPLAY-JSON-EQUIVALENT",
        title="The same JSON document with other key order or whitespace was not "
        "treated as the same request",
    )


@pytest.mark.requirement("REPLAY-JSON-EQUIVALENT", part="should")
@given(units=st.integers(1, 1000), key=keys())
def test_number_spellings_are_the_same_amount(api: ApiClient, units: int, key: str) -> None:
    spellings = number_spellings(units)
    template = '{"amount": %s, "currency": "USD", "description": "%s"}'
    description = f"number spelling [{api.target.run_id}]"
    first = api.create(None, key, raw=template % (spellings[0], description))
    if first.status_code != 201:
        raise Precondition(f"setup: a create with an integer amount got {first.status_code}")
    for spelling in spellings[1:]:
        again = api.create(None, key, raw=template % (spelling, description))
        checks.replay_is_identical(
            first,
            again,
            requirement="REPLAY-JSON-EQUIVALENT",
            title=f"amount {spelling} was not treated as {spellings[0]}",
        )


@pytest.mark.requirement("REPLAY-AFTER-CHANGE")
@given(body=payment_bodies(), key=keys())
def test_replay_after_refund_returns_the_original_response(
    api: ApiClient, body: dict[str, Any], key: str
) -> None:
    created = create_payment(api, body, key)
    refund_payment(api, created.id)
    again = api.create(body, key)
    checks.replay_is_identical(
        created.response,
        again,
        requirement="REPLAY-AFTER-CHANGE",
        title="Replay after a refund did not return the stored 201 response",
    )


@pytest.fixture(scope="session", autouse=True)
def payment_made_at_start(
    request: pytest.FixtureRequest, target: Target
) -> Callable[[], tuple[Created, float]] | None:
    """REPLAY-DELAYED's payment, made before the first test so the delay overlaps the run."""
    if not target.runs("REPLAY-DELAYED"):
        return None
    api: ApiClient = request.getfixturevalue("api")
    outcome: list[Created | Exception] = []
    try:
        outcome.append(create_payment(api))
    except Exception as error:  # judged by the test that uses it, not here
        outcome.append(error)
    made_at = time.monotonic()

    def payment() -> tuple[Created, float]:
        if isinstance(outcome[0], Exception):
            raise outcome[0]
        return outcome[0], made_at

    return payment


@pytest.mark.requirement("REPLAY-DELAYED")
def test_replay_after_a_delay_returns_the_stored_response(
    api: ApiClient, target: Target, payment_made_at_start: Callable[[], tuple[Created, float]]
) -> None:
    created, made_at = payment_made_at_start()
    remaining = target.replay_delay - (time.monotonic() - made_at)
    if remaining > 0:
        time.sleep(remaining)  # the requirement is about elapsed time itself
    again = api.create(created.body, created.key)
    checks.replay_is_identical(
        created.response,
        again,
        requirement="REPLAY-DELAYED",
        title=f"Replay {target.replay_delay:g} s later did not return the stored response",
    )


@pytest.mark.requirement("REPLAY-MARKER")
def test_replay_marker_header_is_recorded(api: ApiClient, observe: Callable[[str], None]) -> None:
    created = create_payment(api)
    again = api.create(created.body, created.key)
    first_headers = {name.lower() for name in created.response.headers}
    added = sorted(name for name in again.headers if name.lower() not in first_headers)
    markers = [
        f"{name}: {again.headers[name]}"
        for name in added
        if "replay" in name.lower() or "idempot" in name.lower()
    ]
    observe(
        f"replay headers: {', '.join(markers)}"
        if markers
        else "no replay marker header on a replay"
    )

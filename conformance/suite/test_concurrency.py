"""Concurrency: N simultaneous requests with one key make one payment or one refund, and N
simultaneous refunds with N keys make at most one refund.

A race shows only when the requests really overlap and only in some rounds, so each test runs
several rounds (more in bigger profiles) of N requests released together by a barrier (see
conformance/transport/burst.py), and stops at the first round that shows a violation. These
tests do not use Hypothesis: a race that does not repeat on the replay of a failing example
would turn into a Flaky error instead of the violation that was seen.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from conformance import checks
from conformance.profiles import DEFAULT, PROFILES
from conformance.strategies import unique_key
from conformance.suite.helpers import create_payment
from conformance.target import Target
from conformance.transport.burst import Burst
from conformance.transport.client import ApiClient


@pytest.fixture
def burst(api: ApiClient, target: Target) -> Burst:
    if target.concurrency < 2:
        pytest.skip(f"needs --concurrency 2 or more, not {target.concurrency}")
    return Burst(api, target.concurrency)


def rounds(api: ApiClient, target: Target) -> Iterator[int]:
    """Round numbers; each round's exchanges are the evidence of a failure found in it."""
    for number in range(1, PROFILES.get(target.profile, PROFILES[DEFAULT]).race_rounds + 1):
        api.journal.new_example()
        yield number


@pytest.mark.requirement("CONC-CREATE")
def test_simultaneous_creates_with_one_key_make_one_payment(
    api: ApiClient, target: Target, burst: Burst
) -> None:
    for number in rounds(api, target):
        creates_with_one_key(api, burst, number)


def creates_with_one_key(api: ApiClient, burst: Burst, number: int) -> None:
    key = unique_key("conc")
    body: dict[str, Any] = {
        "amount": 100 + number,
        "currency": "USD",
        "description": f"concurrent create {number} [{api.target.run_id}]",
    }
    volley = burst.fire(lambda client, _: client.create(body, key))
    checks.simultaneous_creates_make_one_payment(*volley.responses)
    volley.raise_errors()
    again = api.create(body, key)
    checks.payment_created(
        again, requirement="CONC-CREATE", title="A replay after the simultaneous creates failed"
    )
    made = [response for response in volley.responses if response.status_code // 100 == 2]
    if made:
        checks.replay_makes_no_new_payment(
            made[0],
            again,
            requirement="CONC-CREATE",
            title="A replay after the simultaneous creates returned another payment",
        )


@pytest.mark.requirement("CONC-REFUND-KEY")
def test_simultaneous_refunds_with_one_key_get_one_response(
    api: ApiClient, target: Target, burst: Burst
) -> None:
    for _ in rounds(api, target):
        refunds_with_one_key(api, burst)


def refunds_with_one_key(api: ApiClient, burst: Burst) -> None:
    payment = create_payment(api)
    key = unique_key("cref")
    volley = burst.fire(lambda client, _: client.refund(payment.id, key))
    checks.simultaneous_answers_agree(*volley.responses)
    volley.raise_errors()
    successes = [response for response in volley.responses if response.status_code // 100 == 2]
    if successes:
        checks.replay_is_identical(
            successes[0],
            api.refund(payment.id, key),
            requirement="CONC-REFUND-KEY",
            title="A replay after the simultaneous refunds differs from their 2xx response",
        )


@pytest.mark.requirement("CONC-REFUND-ONCE")
def test_simultaneous_refunds_with_different_keys_make_one_refund(
    api: ApiClient, target: Target, burst: Burst
) -> None:
    for _ in rounds(api, target):
        refunds_with_different_keys(api, burst)


def refunds_with_different_keys(api: ApiClient, burst: Burst) -> None:
    payment = create_payment(api)
    refund_keys = [unique_key(f"once{i}") for i in range(burst.size)]
    volley = burst.fire(lambda client, index: client.refund(payment.id, refund_keys[index]))
    checks.at_most_one_refund(*volley.responses)
    volley.raise_errors()

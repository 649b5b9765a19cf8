"""Concurrency: N simultaneous requests with one key make one payment or one refund, and N
simultaneous refunds with N keys make at most one refund.

A race shows only when the requests really overlap and only in some rounds, so each test runs
several rounds (more in bigger profiles) of N requests released together by a barrier (see
burst.py), and stops at the first round that shows a violation. These tests do not use
Hypothesis: a race that does not repeat on the replay of a failing example would turn into a
Flaky error instead of the violation that was seen.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from conformance.checks import describe, expect_identical, expect_status, json_body
from conformance.client import ApiClient
from conformance.failures import ConformanceFailure
from conformance.strategies import unique_key
from conformance.suite.burst import Burst, Volley
from conformance.suite.helpers import create_payment
from conformance.target import Target

ROUNDS = {"fast": 10, "default": 50, "thorough": 150}
IN_FLIGHT = {409, 429}
"""What a simultaneous duplicate may get instead of the stored response."""
MADE = {"create": "payment", "refund": "refund"}


@pytest.fixture
def burst(api: ApiClient, target: Target) -> Burst:
    if target.concurrency < 2:
        pytest.skip(f"needs --concurrency 2 or more, not {target.concurrency}")
    return Burst(api, target.concurrency)


def rounds(api: ApiClient, target: Target) -> Iterator[int]:
    """Round numbers; each round's exchanges are the evidence of a failure found in it."""
    for number in range(1, ROUNDS.get(target.profile, ROUNDS["default"]) + 1):
        api.journal.new_example()
        yield number


def is_success(response: requests.Response) -> bool:
    return response.status_code // 100 == 2


def id_of(response: requests.Response, what: str) -> str:
    body = json_body(response, title=f"A 2xx response to a simultaneous {what} is not JSON")
    if not isinstance(body, dict) or not isinstance(body.get("id"), str | int):
        raise ConformanceFailure(
            f"A 2xx response to a simultaneous {what} carries no id",
            expected='a JSON object with an "id"',
            received=describe(response),
        )
    return str(body["id"])


def tally(volley: Volley, what: str) -> str:
    """`201 (id pay_1) x7, 409 x1`: the outcomes of one burst, grouped."""
    counts: Counter[str] = Counter()
    for response in volley.responses:
        label = str(response.status_code)
        if is_success(response):
            label += f" (id {id_of(response, what)})"
        counts[label] += 1
    parts = [f"{label} x{count}" for label, count in sorted(counts.items())]
    if volley.errors:
        parts.append(f"{len(volley.errors)} without an answer")
    return ", ".join(parts)


def expect_only_in_flight_refusals(volley: Volley, what: str, size: int) -> None:
    for response in volley.responses:
        if not is_success(response) and response.status_code not in IN_FLIGHT:
            raise ConformanceFailure(
                f"One of {size} simultaneous {what}s with one key got {response.status_code}",
                expected="2xx (the one result), or 409 (request in flight) or 429",
                received=f"{describe(response)}; the burst got {tally(volley, what)}",
            )


def expect_one_id(volley: Volley, what: str, size: int, *, title: str) -> str | None:
    ids = {id_of(response, what) for response in volley.responses if is_success(response)}
    if len(ids) > 1:
        raise ConformanceFailure(
            title.format(size=size, count=len(ids)),
            expected=f"every 2xx carrying the same {MADE[what]} id",
            received=tally(volley, what),
        )
    return next(iter(ids), None)


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
    payment_id = expect_one_id(
        volley,
        "create",
        burst.size,
        title="{size} simultaneous creates with one key made {count} payments",
    )
    expect_only_in_flight_refusals(volley, "create", burst.size)
    volley.raise_errors()
    again = api.create(body, key)
    expect_status(again, {201}, title="A replay after the simultaneous creates failed")
    replayed_id = id_of(again, "create")
    if payment_id is not None and replayed_id != payment_id:
        raise ConformanceFailure(
            "A replay after the simultaneous creates returned another payment",
            expected=f"payment id {payment_id}, as in the burst's 2xx responses",
            received=f"{describe(again)}; the burst got {tally(volley, 'create')}",
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
    expect_one_id(
        volley,
        "refund",
        burst.size,
        title="{size} simultaneous refunds with one key made {count} refunds",
    )
    expect_only_in_flight_refusals(volley, "refund", burst.size)
    successes = [response for response in volley.responses if is_success(response)]
    for response in successes[1:]:
        expect_identical(
            successes[0],
            response,
            title=f"Two of {burst.size} simultaneous refunds with one key got different "
            "2xx responses",
        )
    volley.raise_errors()
    again = api.refund(payment.id, key)
    expect_status(again, "2xx", title="A replay after the simultaneous refunds failed")
    if successes:
        expect_identical(
            successes[0],
            again,
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
    expect_one_id(
        volley,
        "refund",
        burst.size,
        title="{size} simultaneous refunds of one payment with different keys made {count} refunds",
    )
    volley.raise_errors()

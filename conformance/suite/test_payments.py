"""Create and read: a valid create makes one payment that GET returns; invalid input is refused."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance import checks
from conformance.checks import Answer, describe
from conformance.spec import CREATE_OP, GET_OP
from conformance.strategies import (
    WRONG_KINDS,
    any_unknown_ids,
    keys,
    payment_bodies,
    unique_key,
    wrong_kinds,
)
from conformance.suite.helpers import EXAMPLE_BODY, create_payment, unless_refused
from conformance.transport.client import ApiClient


@pytest.mark.requirement("PAY-CREATE")
@given(body=payment_bodies(), key=keys())
def test_valid_create_returns_201_and_a_payment(
    api: ApiClient, body: dict[str, Any], key: str
) -> None:
    response = api.create(body, key)
    unless_refused(api, body, response)
    checks.payment_created(response)
    checks.matches_the_spec(response, requirement="PAY-CREATE", operation=CREATE_OP)


@pytest.mark.requirement("PAY-ECHO")
@given(body=payment_bodies(), key=keys())
def test_create_echoes_amount_and_currency(api: ApiClient, body: dict[str, Any], key: str) -> None:
    created = create_payment(api, body, key)
    checks.payment_echoes_the_request(
        created.response, amount=body["amount"], currency=body["currency"]
    )


@pytest.mark.requirement("PAY-ECHO", part="should")
@given(body=payment_bodies(), key=keys())
def test_created_payment_status_is_succeeded(
    api: ApiClient, body: dict[str, Any], key: str
) -> None:
    checks.payment_status_is_succeeded(create_payment(api, body, key).response)


@pytest.mark.requirement("PAY-DISTINCT")
@given(body=payment_bodies(), first_key=keys(), second_key=keys())
def test_different_keys_make_different_payments(
    api: ApiClient, body: dict[str, Any], first_key: str, second_key: str
) -> None:
    first = create_payment(api, body, first_key)
    second = api.create(body, second_key)
    checks.payments_are_distinct(first.response, second)
    checks.payment_created(
        second,
        requirement="PAY-DISTINCT",
        title="A second key with the same body was not processed",
    )


@pytest.mark.requirement("PAY-GET")
@given(body=payment_bodies(), key=keys())
def test_get_returns_the_created_payment(api: ApiClient, body: dict[str, Any], key: str) -> None:
    created = create_payment(api, body, key)
    fetched = api.get(created.id)
    checks.payment_reads_as_created(created.response, fetched)
    checks.matches_the_spec(fetched, requirement="PAY-GET", operation=GET_OP)


@pytest.mark.requirement("PAY-GET-UNKNOWN")
@given(payment_id=any_unknown_ids())
def test_get_of_an_unknown_id_is_a_client_error(api: ApiClient, payment_id: str) -> None:
    checks.unknown_payment_refused(api.get(payment_id))


@pytest.mark.requirement("PAY-GET-UNKNOWN", part="should")
def test_get_of_an_unknown_id_is_404(api: ApiClient) -> None:
    checks.unknown_payment_not_found(api.get(f"pay_{unique_key('unknown')}"))


def _invalid_bodies() -> st.SearchStrategy[tuple[str, bytes, str]]:
    """(what is wrong, raw body, content type): each must be refused with a 4xx; a field of
    another JSON type than the spec's is PAY-VALIDATION's "wrong type"."""
    valid = {**EXAMPLE_BODY, "description": "invalid body check"}
    dropped = st.sampled_from(("amount", "currency", "description")).map(
        lambda f: (f"{f} missing", {k: v for k, v in valid.items() if k != f})
    )
    not_an_object = st.sampled_from(
        [("body is a list", [valid]), ("body is a string", "payment"), ("body is null", None)]
    )
    as_json = st.one_of(dropped, not_an_object).map(
        lambda case: (case[0], json.dumps(case[1]).encode(), "application/json")
    )
    wrong_kind = wrong_kinds().map(
        lambda odd: (odd.what, odd.text("invalid body check").encode(), "application/json")
    )
    malformed = st.sampled_from(
        [
            ("truncated JSON", b'{"amount": 100, "currency": "USD", "descr', "application/json"),
            ("not JSON", b"amount=100&currency=USD", "application/json"),
            ("empty body", b"", "application/json"),
            (
                "trailing comma",
                b'{"amount": 1, "currency": "USD", "description": "x",}',
                "application/json",
            ),
        ]
    )
    not_finite = st.sampled_from(["NaN", "Infinity", "-Infinity", "1e400", "1.8e308"]).map(
        lambda token: (
            f"amount {token}",
            f'{{"amount": {token}, "currency": "USD", "description": "x"}}'.encode(),
            "application/json",
        )
    )
    content_types = st.sampled_from(
        ["text/plain", "application/x-www-form-urlencoded", "application/xml"]
    ).map(lambda ct: (f"Content-Type {ct}", json.dumps(valid).encode(), ct))
    return st.one_of(as_json, wrong_kind, malformed, not_finite, content_types)


@pytest.mark.requirement("PAY-VALIDATION")
@given(case=_invalid_bodies(), key=keys())
def test_invalid_bodies_are_refused(api: ApiClient, case: tuple[str, bytes, str], key: str) -> None:
    what, raw, content_type = case
    response = api.create(None, key, raw=raw, content_type=content_type)
    checks.invalid_body_refused(response, title=f"An invalid body ({what}) was not refused")


@pytest.mark.requirement("PAY-VALIDATION")
def test_every_field_of_another_json_type_is_refused(api: ApiClient) -> None:
    """Each field once with each other JSON type (a few dozen requests): `null`, a boolean, a
    list, an object, a number for a string, a string for the amount."""
    for odd in WRONG_KINDS:
        response = api.create(None, unique_key("kind"), raw=odd.text(api.target.run_id).encode())
        checks.invalid_body_refused(response, title=f"An invalid body ({odd.what}) was not refused")


@pytest.mark.requirement("PAY-VALIDATION", part="should")
@given(amount=st.sampled_from([0, 0.0, -0.0, -1, -0.01, -1000000]), key=keys())
def test_amounts_not_above_zero_are_refused(api: ApiClient, amount: float, key: str) -> None:
    body = {"amount": amount, "currency": "USD", "description": f"[{api.target.run_id}]"}
    checks.invalid_body_refused(api.create(body, key), title=f"amount {amount} was accepted")


@pytest.mark.requirement("PAY-VALIDATION-KEY")
def test_what_a_key_first_used_with_an_invalid_body_does_next(
    api: ApiClient, observe: Callable[[str], None]
) -> None:
    key = unique_key("invalid")
    first = api.create(None, key, raw=b'{"currency": "USD"}')
    valid = {**EXAMPLE_BODY, "description": f"after invalid [{api.target.run_id}]"}
    second = api.create(valid, key)
    observe(
        f"invalid body -> {first.status_code}; then a valid body with the same key -> "
        f"{describe(Answer.of(second))}"
    )

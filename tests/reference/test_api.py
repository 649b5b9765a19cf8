"""The reference server over loopback: every MUST and SHOULD behaviour of REQUIREMENTS.md."""

from __future__ import annotations

import json
import re

import pytest
from reference_support import OTHER_CLIENT, PATH, Api, assert_error, raw_post

TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


# ---- create, read ---------------------------------------------------------------------------
def test_create_returns_201_with_a_payment_response(api: Api) -> None:
    response = api.create(api.new_key(), api.body(amount=100.0, currency="USD", customerId="c1"))
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"id", "amount", "currency", "status", "timestamp"}
    assert (body["amount"], body["currency"], body["status"]) == (100.0, "USD", "succeeded")
    assert body["id"].startswith("pay_")
    assert TIMESTAMP.fullmatch(body["timestamp"])


@pytest.mark.parametrize("amount", ["100", "100.00", "0.1", "1e-7", "123456789012345678901234"])
def test_amount_is_echoed_as_the_same_number(api: Api, amount: str) -> None:
    data = f'{{"amount": {amount}, "currency": "eur", "description": ""}}'
    response = api.create(
        None, headers=api.headers(api.new_key(), **{"content-type": "application/json"}), data=data
    )
    assert response.status_code == 201, response.text
    assert f'"amount":{amount}'.lower() in response.text.lower().replace("e-07", "e-7")
    assert response.json()["currency"] == "eur"


def test_two_keys_with_one_body_make_two_payments(api: Api) -> None:
    assert api.paid()["id"] != api.paid()["id"]


def test_get_returns_the_payment(api: Api) -> None:
    created = api.paid(amount=12.5, currency="GBP")
    response = api.get(created["id"])
    assert response.status_code == 200
    assert response.json() == created


def test_get_of_an_unknown_id_is_404(api: Api) -> None:
    assert_error(api.get("pay_does_not_exist"), 404)


# ---- authentication -------------------------------------------------------------------------
@pytest.mark.parametrize("drop", ["x-client-key", "x-client-secret"])
def test_every_operation_without_credentials_is_401(api: Api, drop: str) -> None:
    payment = api.paid()
    headers = api.headers(api.new_key())
    del headers[drop]
    assert_error(api.create(None, headers=headers), 401)
    assert_error(api.get(payment["id"], headers=headers), 401)
    assert_error(api.refund(payment["id"], None, headers=headers), 401)


def test_wrong_secret_is_401_and_never_the_stored_response(api: Api) -> None:
    key = api.new_key()
    first = api.create(key)
    wrong = api.headers(key, **{"x-client-secret": "nope"})
    response = api.create(None, headers=wrong)
    assert_error(response, 401)
    assert first.json()["id"] not in response.text


def test_a_401_is_not_stored_under_the_key(api: Api) -> None:
    key = api.new_key()
    assert_error(api.create(None, headers=api.headers(key, **{"x-client-key": "nobody"})), 401)
    assert api.create(key).status_code == 201


def test_keys_are_scoped_per_client(api: Api) -> None:
    other = api.as_client(*OTHER_CLIENT)
    key = api.new_key()
    mine = api.create(key).json()
    theirs = other.create(key)
    assert theirs.status_code == 201
    assert theirs.json()["id"] != mine["id"]
    assert_error(other.get(mine["id"]), 404)
    assert_error(other.refund(mine["id"], other.new_key()), 404)
    assert api.get(mine["id"]).json()["status"] == "succeeded"


# ---- the idempotency key --------------------------------------------------------------------
@pytest.mark.parametrize("key", [None, ""])
def test_missing_or_empty_key_is_400(api: Api, key: str | None) -> None:
    payment = api.paid()
    assert_error(api.create(key), 400)
    assert_error(api.refund(payment["id"], key), 400)


@pytest.mark.parametrize(
    "key",
    [
        "a" * 5,
        "a" * 65,
        "a" * 200,
        "abc def",
        "abc\tdef",
        "abc\x01def",
        "abc.def",
        "abc:def",
        "abc/def",
        "abc!def",
        "k" * 63 + "é",
        "ключ-ключ",
    ],
)
def test_invalid_keys_are_400(api: Api, key: str) -> None:
    headers = api.headers(None, **{"Idempotency-Key": key.encode() if not key.isascii() else key})
    assert_error(api.create(None, headers=headers), 400)
    assert_error(api.refund(api.paid()["id"], None, headers=headers), 400)


@pytest.mark.parametrize("key", ["a" * 6, "Z" * 64, "payment_123456_unique_key", "a-b_c-1"])
def test_keys_of_the_allowed_alphabet_and_length_are_accepted(api: Api, key: str) -> None:
    key = key[:-6] + api.new_key()[-6:] if len(key) > 6 else api.new_key()[-6:]
    assert api.create(key).status_code == 201


def test_the_header_name_is_case_insensitive(api: Api) -> None:
    key = api.new_key()
    first = api.create(None, headers=api.headers(None, **{"idempotency-key": key}))
    again = api.create(None, headers=api.headers(None, **{"IDEMPOTENCY-KEY": key}))
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.content == again.content


def test_two_key_header_lines_are_400(api: Api) -> None:
    headers = [
        ("Idempotency-Key", api.new_key()),
        ("Idempotency-Key", api.new_key()),
        ("Content-Type", "application/json"),
    ]
    status, body = raw_post(api, PATH, headers, json.dumps(api.body()).encode())
    assert status == 400
    assert json.loads(body)["statusCode"] == 400


@pytest.mark.parametrize("blank", ["", "   ", "\t"])
def test_a_blank_key_is_400_on_both_posts(api: Api, blank: str) -> None:
    payment = api.paid()
    for path in (PATH, f"{PATH}/{payment['id']}/refund"):
        headers = [("Idempotency-Key", blank), ("Content-Type", "application/json")]
        status, body = raw_post(api, path, headers, json.dumps(api.body()).encode())
        assert status == 400
        assert json.loads(body)["statusCode"] == 400


def test_keys_differing_after_64_characters_or_in_case_are_distinct(api: Api) -> None:
    base = api.new_key().ljust(64, "x")[:64]
    assert api.create(base).status_code == 201
    assert_error(api.create(base + "y"), 400)
    upper = api.create(base.upper())
    assert upper.status_code == 201
    assert upper.json()["id"] != api.create(base).json()["id"]


# ---- replay ---------------------------------------------------------------------------------
def test_replay_returns_the_identical_response_every_time(api: Api) -> None:
    key = api.new_key()
    first = api.create(key)
    for _ in range(3):
        again = api.create(key)
        assert again.status_code == 201
        assert again.headers["content-type"] == first.headers["content-type"]
        assert again.content == first.content
    assert api.get(first.json()["id"]).json()["id"] == first.json()["id"]


def test_replay_ignores_key_order_whitespace_and_number_spelling(api: Api) -> None:
    key = api.new_key()
    headers = api.headers(key, **{"content-type": "application/json"})
    first = api.create(
        None, headers=headers, data='{"amount":100,"currency":"USD","description":"d"}'
    )
    for data in (
        '{ "description" : "d",\n "currency": "USD", "amount": 100.0 }',
        '{"currency":"USD","amount":100.00,"description":"d"}',
        '{"currency":"USD","amount":1e2,"description":"d"}',
    ):
        again = api.create(None, headers=headers, data=data)
        assert (again.status_code, again.content) == (201, first.content)


def test_replay_after_refund_returns_the_original_201(api: Api) -> None:
    key = api.new_key()
    first = api.create(key)
    assert api.refund(first.json()["id"], api.new_key()).status_code == 200
    again = api.create(key)
    assert (again.status_code, again.content) == (201, first.content)
    assert api.get(first.json()["id"]).json()["status"] == "refunded"


# ---- conflict -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "change",
    [
        {"amount": 101.0},
        {"currency": "EUR"},
        {"currency": "usd"},
        {"description": "other"},
        {"customerId": "c2"},
        {"customerId": ...},
        {"amount": ...},
    ],
)
def test_same_key_with_a_different_body_is_409_without_side_effect(api: Api, change: dict) -> None:
    key = api.new_key()
    original = api.body(customerId="c1")
    first = api.create(key, original)
    response = api.create(
        key,
        {**original, **change}
        if ... not in change.values()
        else {k: v for k, v in original.items() if k not in change},
    )
    assert_error(response, 409)
    assert response.json()["message"] == (
        "Conflict: Idempotency key already used with different request data"
    )
    assert api.get(first.json()["id"]).json() == first.json()
    assert api.create(key, original).content == first.content


def test_a_create_key_sent_to_a_refund_is_409(api: Api) -> None:
    key = api.new_key()
    payment = api.create(key).json()
    assert_error(api.refund(payment["id"], key), 409)
    assert api.get(payment["id"]).json()["status"] == "succeeded"


def test_a_refund_key_sent_to_another_payment_or_a_create_is_409(api: Api) -> None:
    a, b = api.paid(), api.paid()
    key = api.new_key()
    first = api.refund(a["id"], key)
    assert first.status_code == 200
    assert_error(api.refund(b["id"], key), 409)
    assert_error(api.create(key), 409)
    assert api.get(b["id"]).json()["status"] == "succeeded"
    assert api.refund(a["id"], key).content == first.content


# ---- refund ---------------------------------------------------------------------------------
@pytest.mark.parametrize("how", ["no body", "json content type", "empty object"])
def test_refund_returns_200_and_replays(api: Api, how: str) -> None:
    payment = api.paid(amount=42.5)
    key = api.new_key()
    kwargs = {
        "no body": {},
        "json content type": {"headers": api.headers(key, **{"content-type": "application/json"})},
        "empty object": {"json": {}},
    }[how]
    first = api.refund(payment["id"], key, **kwargs)
    assert first.status_code == 200, first.text
    body = first.json()
    assert set(body) == {"id", "paymentId", "amount", "status", "timestamp"}
    assert (body["paymentId"], body["amount"], body["status"]) == (payment["id"], 42.5, "succeeded")
    assert TIMESTAMP.fullmatch(body["timestamp"])
    assert_error(api.refund(payment["id"], api.new_key()), 409)
    again = api.refund(payment["id"], key)
    assert (again.status_code, again.content) == (200, first.content)


def test_refund_of_an_unknown_payment_is_404(api: Api) -> None:
    assert_error(api.refund("pay_unknown", api.new_key()), 404)


def test_a_failed_refund_does_not_hold_its_key(api: Api) -> None:
    key = api.new_key()
    assert_error(api.refund("pay_unknown", key), 404)
    payment = api.paid()
    assert api.refund(payment["id"], key).status_code == 200

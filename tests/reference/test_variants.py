"""Each conformant variant keeps the contract and behaves as its summary says: the catalog, ids,
timestamps, payment bodies and error bodies. (Rules and statuses: test_variant_rules.py; the
wire and rate limits: test_variant_wire.py.)"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from reference_support import OTHER_CLIENT, Api, assert_error, variant_server

from conformance import spec
from conformance.checks import schema as schema_check
from conformance.reference.variants import VARIANTS

ISO_FORMATS = {
    "uuid-ids": r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00",
    "timestamp-plus-two": r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+02:00",
    "timestamp-micros": r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z",
    "timestamp-seconds": r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ",
}
ID_FORMATS = {
    "uuid-ids": r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
    "ulid-ids": r"[0-9A-HJKMNP-TV-Z]{26}",
    "numeric-ids": r"[1-9]\d{17}",
    "uuid-param-400": r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
    "owner-in-id-400": r"pay_[0-9a-f]{8}_[0-9a-f]{16}",
}


@pytest.fixture(params=sorted(VARIANTS))
def variant_api(request: pytest.FixtureRequest) -> Iterator[Api]:
    with variant_server(request.param, retry_429=True) as api:
        yield api


def test_every_variant_keeps_the_basic_contract(variant_api: Api) -> None:
    api, server = variant_api, variant_api.server
    key = api.new_key()
    first = api.create(key)
    assert first.status_code == 201
    assert api.create(key).content == first.content
    assert_error(api.create(key, api.body(amount=7)), server.conflict_status)
    assert api.create(api.new_key(), {"amount": -1}).status_code in (400, 422)
    payment_id = first.json()["id"]
    refund_key = api.new_key()
    refund = api.refund(payment_id, refund_key)
    assert refund.status_code == 200
    assert refund.json()["paymentId"] == payment_id
    assert api.refund(payment_id, refund_key).content == refund.content
    second = api.refund(payment_id, api.new_key())
    if second.status_code == 200:
        assert second.json()["id"] == refund.json()["id"]
    else:
        assert_error(second, (400, 409, 422))
    assert api.create(key).content == first.content


@pytest.mark.parametrize("name", sorted(ISO_FORMATS))
def test_timestamps_take_the_variants_form_and_stay_date_times(name: str) -> None:
    checker = schema_check.validator(spec.schema("PaymentResponseDto"))
    with variant_server(name) as api:
        payment = api.paid()
        refund = api.refund(payment["id"], api.new_key()).json()
    assert list(checker.iter_errors(payment)) == []
    for body in (payment, refund):
        assert re.fullmatch(ISO_FORMATS[name], body["timestamp"]), body["timestamp"]


@pytest.mark.parametrize("name", sorted(ID_FORMATS))
def test_ids_take_the_variants_form(name: str) -> None:
    with variant_server(name) as api:
        payment = api.paid()
        assert re.fullmatch(ID_FORMATS[name], payment["id"]), payment["id"]
        assert api.get(payment["id"]).json()["id"] == payment["id"]


def test_sequential_ids_count_from_one_per_table() -> None:
    with variant_server("sequential-ids") as api:
        ids = [api.paid()["id"] for _ in range(3)]
        refund = api.refund(ids[1], api.new_key()).json()
    assert ids == ["1", "2", "3"]
    assert (refund["id"], refund["paymentId"]) == ("1", "2")


def test_uuid_param_400_refuses_ids_that_are_not_uuids_and_404s_unknown_uuids() -> None:
    with variant_server("uuid-param-400") as api:
        assert_error(api.get("pay_abc123"), 400)
        assert_error(api.refund("pay_abc123", api.new_key()), 400)
        assert_error(api.get(str(uuid.uuid4())), 404)


def test_nestjs_404_names_the_id_for_unknown_and_foreign_payments() -> None:
    with variant_server("nestjs-404") as api:
        theirs = api.as_client(*OTHER_CLIENT).paid()["id"]
        for payment_id in ("pay_never_made", theirs):
            for response in (api.get(payment_id), api.refund(payment_id, api.new_key())):
                assert response.json() == {
                    "statusCode": 404,
                    "message": f"Payment {payment_id} not found",
                    "error": "Not Found",
                }


def test_trace_id_errors_give_each_error_its_own_id_and_a_code() -> None:
    with variant_server("trace-id-errors") as api:
        wrong = api.as_client(api.client[0], "wrong-secret")
        first, second = wrong.get("pay_x"), wrong.create(api.new_key())
    for response in (first, second):
        assert_error(response, 401)
        assert response.json()["code"] == "UNAUTHORIZED"
        assert re.fullmatch(r"trc_[0-9a-f]{16}", response.json()["id"])
    assert first.json()["id"] != second.json()["id"]


def test_echo_401_repeats_the_request_and_never_the_credentials() -> None:
    with variant_server("echo-401") as api:
        payment_id = api.paid()["id"]
        key = api.new_key()
        response = api.as_client(api.client[0], "wrong-secret").refund(payment_id, key)
    assert_error(response, 401)
    assert response.json()["request"] == {
        "method": "POST",
        "path": f"{api.path}/{payment_id}/refund",
        "paymentId": payment_id,
        "idempotencyKey": key,
    }
    assert api.client[0] not in response.text and "wrong-secret" not in response.text


FRAMEWORK_FIELDS = {
    "nest-filter-errors": {"error": "Bad Request", "path": "/api/v0/test-payment"},
    "spring-errors": {"status": 400, "error": "Bad Request", "path": "/api/v0/test-payment"},
    "problem-detail-errors": {
        "type": "about:blank",
        "title": "Bad Request",
        "status": 400,
        "instance": "/api/v0/test-payment",
    },
}


@pytest.mark.parametrize("name", sorted(FRAMEWORK_FIELDS))
def test_framework_error_bodies_add_their_fields_to_the_error_shape(name: str) -> None:
    with variant_server(name) as api:
        response = api.create(None)
    assert_error(response, 400)
    body = response.json()
    assert {k: body[k] for k in FRAMEWORK_FIELDS[name]} == FRAMEWORK_FIELDS[name]


def test_nest_validation_pipe_lists_every_problem_with_bad_request() -> None:
    with variant_server("nest-validation-pipe") as api:
        response = api.create(api.new_key(), {"amount": "x", "currency": "USD"})
    assert_error(response, 400)
    assert response.json()["error"] == "Bad Request"
    assert len(response.json()["message"]) == 2


def test_extra_fields_surround_the_dto_fields() -> None:
    with variant_server("extra-fields") as api:
        payment = api.paid(customerId="cus_1")
        refund = api.refund(payment["id"], api.new_key()).json()
    assert payment["object"] == "payment" and payment["customerId"] == "cus_1"
    assert payment["description"] == "ref test" and payment["createdAt"] == payment["timestamp"]
    assert refund["object"] == "refund" and refund["paymentId"] == payment["id"]


def test_amount_as_float_writes_whole_amounts_with_a_fraction() -> None:
    with variant_server("amount-as-float") as api:
        key = api.new_key()
        headers = api.headers(key, **{"Content-Type": "application/json"})
        body = b'{"amount":100,"currency":"USD","description":"x"}'
        response = api.create(key, headers=headers, data=body)
    assert b'"amount":100.0' in response.content


def test_amount_as_js_number_writes_amounts_as_a_double_in_javascripts_digits() -> None:
    with variant_server("amount-as-js-number") as api:
        key = api.new_key()
        headers = api.headers(key, **{"Content-Type": "application/json"})
        body = b'{"amount":9223372036854775808,"currency":"USD","description":"x"}'
        created = api.create(key, headers=headers, data=body)
        refund = api.refund(created.json()["id"], api.new_key())
    assert b'"amount":9223372036854776000' in created.content
    assert b'"amount":9223372036854776000' in refund.content


def test_minimum_amount_before_key_refuses_a_small_amount_before_it_reads_the_key() -> None:
    with variant_server("minimum-amount-before-key") as api:
        small = api.create("X", {"amount": 0.1, "currency": "USD", "description": "x"})
        plain = api.create("X", {"amount": 10, "currency": "USD", "description": "x"})
    assert (small.status_code, small.json()["message"]) == (422, ["amount must be at least 0.50"])
    assert plain.status_code == 400


def test_currency_lowercase_echoes_usd_in_lower_case() -> None:
    with variant_server("currency-lowercase") as api:
        payment = api.paid()
        assert payment["currency"] == "usd"
        assert api.get(payment["id"]).json()["currency"] == "usd"


def test_refund_statuses_of_the_status_variants() -> None:
    with variant_server("refund-pending") as api:
        payment = api.paid()
        assert api.refund(payment["id"], api.new_key()).json()["status"] == "pending"
    with variant_server("status-kept-after-refund") as api:
        payment = api.paid()
        api.refund(payment["id"], api.new_key())
        assert api.get(payment["id"]).json()["status"] == "succeeded"
        assert_error(api.refund(payment["id"], api.new_key()), 409)

"""conformance.checks.schema.validate_response: status, content type and body judged against the
contract, each problem as one short line."""

from __future__ import annotations

import pytest

from conformance.checks import schema as schema_check

from .support import CREATE, GET, REFUND

PAYMENT = {
    "id": "pay_1",
    "amount": 100.0,
    "currency": "USD",
    "status": "succeeded",
    "timestamp": "2023-07-01T12:00:00.000Z",
}


def test_validate_response_accepts_a_conforming_payment_with_a_charset() -> None:
    assert (
        schema_check.validate_response(CREATE, 201, "application/json; charset=utf-8", PAYMENT)
        == []
    )


def test_validate_response_accepts_extra_fields() -> None:
    body = {**PAYMENT, "customerId": "cus_1"}
    assert schema_check.validate_response(GET, 200, "application/json", body) == []


def test_validate_response_names_a_missing_field() -> None:
    body = {k: v for k, v in PAYMENT.items() if k != "timestamp"}
    assert schema_check.validate_response(CREATE, 201, "application/json", body) == [
        "required at $: 'timestamp' is a required property"
    ]


def test_validate_response_names_a_wrong_type_with_path_and_value() -> None:
    problems = schema_check.validate_response(
        CREATE, 201, "application/json", {**PAYMENT, "amount": "100"}
    )
    assert problems == ['type at $.amount: expected type "number", got "100"']


def test_validate_response_checks_the_timestamp_format() -> None:
    body = {**PAYMENT, "timestamp": "2023-02-30T12:00:00Z"}
    assert schema_check.validate_response(GET, 200, "application/json", body) == [
        'format at $.timestamp: expected format "date-time", got "2023-02-30T12:00:00Z"'
    ]


def test_validate_response_cuts_long_values() -> None:
    problems = schema_check.validate_response(
        GET, 200, "application/json", {**PAYMENT, "id": 7 * 10**200}
    )
    assert len(problems) == 1
    assert problems[0].startswith('type at $.id: expected type "string", got 7000')
    assert problems[0].endswith("...")
    assert len(problems[0]) < 140


def test_validate_response_reports_an_undocumented_status_alone() -> None:
    assert schema_check.validate_response(CREATE, 404, "text/html", "<html>") == [
        f"status 404 is not documented for {CREATE} (documented: 201, 400, 401, 409, 415, 422, 429)"
    ]


@pytest.mark.parametrize("content_type", ["text/html", "application/jsonp", None])
def test_validate_response_requires_json_content_type(content_type: str | None) -> None:
    problems = schema_check.validate_response(CREATE, 201, content_type, PAYMENT)
    assert len(problems) == 1
    assert "Content-Type" in problems[0]
    assert "application/json" in problems[0]


def test_validate_response_checks_error_bodies() -> None:
    ok = {"statusCode": 404, "message": "Payment not found"}
    assert schema_check.validate_response(REFUND, 404, "application/json", ok) == []
    problems = schema_check.validate_response(
        REFUND, 404, "application/json", {"statusCode": 400, "message": 1}
    )
    assert [problem.split(" at ")[0] for problem in problems] == ["oneOf", "const"]
    assert problems[1] == "const at $.statusCode: expected const 404, got 400"

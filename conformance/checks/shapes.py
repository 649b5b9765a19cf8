"""The shapes the checks look for: the error body, a payment, a refund, and payment data.

Structural, never by substring: an error message that repeats the id the request carried, or a
trace `id` of the gateway's own, is not payment data (AUTH-INVALID).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from .answer import Answer, excerpt, is_num, is_time

__all__ = [
    "PAYMENT_FIELDS",
    "REFUND_FIELDS",
    "error_body_problems",
    "leaked_data",
    "payment_problems",
    "refund_problems",
]

PAYMENT_FIELDS = ("id", "amount", "currency", "status", "timestamp")
REFUND_FIELDS = ("id", "paymentId", "amount", "status", "timestamp")
RESOURCE_VALUES = ("amount", "currency", "status", "customerId", "paymentId", "id")
"""Fields of a payment or refund whose values, when the request did not carry them, are data.
Not the timestamp: an error body's own `timestamp` (NestJS' exception filter, Spring) may well
fall in the same second as the payment's."""


def error_body_problems(answer: Answer) -> list[str]:
    """What is wrong with an error body (ERR-SHAPE): `statusCode` equal to the HTTP status and
    `message` a string or a non-empty list of strings; extra fields are allowed."""
    if not answer.is_json:
        return ["the body is not JSON"]
    body = answer.json
    if not isinstance(body, dict):
        return ["the body is not a JSON object"]
    problems = []
    status = body.get("statusCode")
    if type(status) is not int or status != answer.status:
        problems.append(f"statusCode is {json.dumps(status)}, not {answer.status}")
    message = body.get("message")
    if not (
        isinstance(message, str)
        or (isinstance(message, list) and message and all(isinstance(m, str) for m in message))
    ):
        problems.append(
            f"message is {excerpt(json.dumps(message), 80)}, not a string or a list of strings"
        )
    return problems


def _field_problems(body: Any, fields: tuple[str, ...]) -> list[str]:
    if not isinstance(body, dict):
        return ["the body is not a JSON object"]
    problems = [f"{name} is missing" for name in fields if name not in body]
    for name in ("id", "paymentId"):
        if name in fields and name in body and not isinstance(body[name], str | int):
            problems.append(f"{name} is {json.dumps(body[name])}, not a string")
    if "amount" in body and not is_num(body["amount"]):
        problems.append(f"amount is {json.dumps(body['amount'])}, not a number")
    for name in ("currency", "status"):
        if name in fields and name in body and not isinstance(body[name], str):
            problems.append(f"{name} is {json.dumps(body[name])}, not a string")
    if "timestamp" in body and not is_time(body["timestamp"]):
        problems.append(f"timestamp is {json.dumps(body['timestamp'])}, not an ISO-8601 date-time")
    return problems


def payment_problems(answer: Answer) -> list[str]:
    """What keeps a body from being a PaymentResponseDto (fields present, of the right types)."""
    return _field_problems(answer.json, PAYMENT_FIELDS)


def refund_problems(answer: Answer) -> list[str]:
    """What keeps a body from being a RefundResponseDto (fields present, of the right types)."""
    return _field_problems(answer.json, REFUND_FIELDS)


def _objects(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _objects(item)
    elif isinstance(value, list):
        for item in value:
            yield from _objects(item)


def _leaves(value: Any, name: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, str(key))
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item, name)
    else:
        yield name, value


def _resource_shaped(obj: dict[str, Any]) -> bool:
    """An object with the amount and at least two more fields of a payment or a refund."""
    if "amount" not in obj:
        return False
    payment = sum(name in obj for name in PAYMENT_FIELDS)
    refund = sum(name in obj for name in REFUND_FIELDS)
    return max(payment, refund) >= 3


def leaked_data(
    answer: Answer, resources: list[Answer], carried: list[Any] | None = None
) -> str | None:
    """How a refusal carries payment or refund data, or None when it carries none.

    Data is a payment- or refund-shaped object anywhere in the body, the body of one of
    `resources` (the stored answers of the payment or refund concerned), or a value of one of
    them that the request did not carry (`carried`: the values the request itself sent, such as
    the id in its URL, its key, or the fields of its body): under the field's own name, or a
    customer id anywhere. Messages, codes, timestamps and trace ids of the target's own are not
    data, and neither is anything the request carried.
    """
    body = answer.json
    if body is None:
        return None
    for obj in _objects(body):
        if _resource_shaped(obj):
            return f"a payment- or refund-shaped object {excerpt(json.dumps(obj), 120)}"
    sent = {json.dumps(value) for value in (carried or [])}
    for resource in resources:
        if resource.json is not None and body == resource.json:
            return "the stored response of the resource"
        if not isinstance(resource.json, dict):
            continue
        values = {
            name: resource.json[name]
            for name in RESOURCE_VALUES
            if name in resource.json and json.dumps(resource.json[name]) not in sent
        }
        distinctive = {json.dumps(values[name]) for name in ("customerId",) if name in values}
        for name, value in _leaves(body):
            if (
                name in values
                and name != "statusCode"
                and value == values[name]
                and value is not None
            ):
                return f"the resource's {name} {excerpt(json.dumps(value), 60)}"
            if isinstance(value, str) and json.dumps(value) in distinctive:
                return f"the resource's value {excerpt(json.dumps(value), 60)} under {name!r}"
    return None

"""Assertions the suite's tests share. Each raises ConformanceFailure with Expected / Received.

They judge what the requirement says and nothing more: statuses are checked against the set
REQUIREMENTS.md accepts, bodies against the spec's schemas, never against our reference
server's particular choices.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from typing import Any
from urllib.parse import urlsplit

import requests

from conformance import spec
from conformance.failures import ConformanceFailure

CREATE_OP = "test_payment_controller_create_payment_v0"
GET_OP = "test_payment_controller_get_payment_v0"
REFUND_OP = "test_payment_controller_refund_payment_v0"

EXCERPT = 300


def excerpt(text: str | None, limit: int = EXCERPT) -> str:
    if text is None:
        return "(no body)"
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} characters)"


def describe(response: requests.Response) -> str:
    """`409 application/json {"statusCode": ...}` cut to a readable length."""
    content_type = response.headers.get("Content-Type", "no content type")
    return f"{response.status_code} {content_type} {excerpt(response.text)}"


def status_matches(status: int, allowed: Collection[int] | str) -> bool:
    if isinstance(allowed, str):
        return str(status)[0] == allowed[0]
    return status in allowed


def _show(allowed: Collection[int] | str) -> str:
    if isinstance(allowed, str):
        return allowed
    return " or ".join(str(s) for s in sorted(allowed))


def expect_status(
    response: requests.Response, allowed: Collection[int] | str, *, title: str
) -> None:
    if not status_matches(response.status_code, allowed):
        raise ConformanceFailure(
            title, expected=f"status {_show(allowed)}", received=describe(response)
        )


def json_body(response: requests.Response, *, title: str = "Response body is not JSON") -> Any:
    try:
        return json.loads(response.content)
    except ValueError:
        raise ConformanceFailure(
            title, expected="a JSON body", received=describe(response)
        ) from None


def error_body_problems(status_code: int, content: bytes | str | None) -> list[str]:
    """What is wrong with a 4xx body per ERR-SHAPE; empty when it is right."""
    try:
        body = json.loads(content or b"")
    except ValueError:
        return ["the body is not JSON"]
    if not isinstance(body, dict):
        return ["the body is not a JSON object"]
    problems = []
    status = body.get("statusCode")
    if type(status) is not int or status != status_code:
        problems.append(f"statusCode is {status!r}, not {status_code}")
    message = body.get("message")
    if not (
        isinstance(message, str)
        or (isinstance(message, list) and message and all(isinstance(m, str) for m in message))
    ):
        problems.append(
            f"message is {excerpt(json.dumps(message), 80)}, not a string or a list of strings"
        )
    return problems


def expect_error_body(response: requests.Response, *, title: str) -> None:
    problems = error_body_problems(response.status_code, response.content)
    if problems:
        raise ConformanceFailure(
            title,
            expected='an error body {"statusCode": <status>, "message": "..."}',
            received=f"{'; '.join(problems)}: {describe(response)}",
        )


_OPERATION_PATHS = (
    ("POST", re.compile(r"^/test-payment/?$"), CREATE_OP),
    ("GET", re.compile(r"^/test-payment/[^/]+/?$"), GET_OP),
    ("POST", re.compile(r"^/test-payment/[^/]+/refund/?$"), REFUND_OP),
)


def operation_of(method: str, url: str, api_root: str) -> str | None:
    """The spec operation a recorded request was sent to, or None (unknown path or method)."""
    if not url.startswith(api_root):
        return None
    path = urlsplit(url[len(api_root) :] or "/").path
    for op_method, pattern, operation_id in _OPERATION_PATHS:
        if method.upper() == op_method and pattern.match(path):
            return operation_id
    return None


def expect_schema(response: requests.Response, operation_id: str, *, title: str) -> None:
    body: Any
    try:
        body = json.loads(response.content)
    except ValueError:
        body = response.text
    problems = spec.validate_response(
        operation_id, response.status_code, response.headers.get("Content-Type"), body
    )
    if problems:
        raise ConformanceFailure(
            title,
            expected=f"a response the spec documents for {operation_id}",
            received="; ".join(problems[:5]),
        )


def expect_identical(first: requests.Response, again: requests.Response, *, title: str) -> None:
    """Same status, same Content-Type and an equal JSON body (every field)."""
    if again.status_code != first.status_code:
        raise ConformanceFailure(
            title,
            expected=f"status {first.status_code} as the first time",
            received=describe(again),
        )
    if media_type(again) != media_type(first):
        raise ConformanceFailure(
            title,
            expected=f"Content-Type {media_type(first)}",
            received=f"Content-Type {media_type(again)}",
        )
    original, replayed = json_body(first), json_body(again)
    if original != replayed:
        raise ConformanceFailure(
            title,
            expected=f"the stored body {excerpt(first.text)}",
            received=f"{describe(again)} ({differences(original, replayed)})",
        )


def media_type(response: requests.Response) -> str:
    return response.headers.get("Content-Type", "").split(";")[0].strip().lower()


def differences(expected: Any, received: Any) -> str:
    """The top-level fields that differ, for a message: `amount: 100 != 101; id: missing`."""
    if not (isinstance(expected, dict) and isinstance(received, dict)):
        return "the bodies differ"
    parts = []
    for name in sorted(set(expected) | set(received), key=str):
        if name not in received:
            parts.append(f"{name}: missing")
        elif name not in expected:
            parts.append(f"{name}: added")
        elif expected[name] != received[name]:
            parts.append(
                f"{name}: {excerpt(json.dumps(expected[name]), 60)} != "
                f"{excerpt(json.dumps(received[name]), 60)}"
            )
    return "; ".join(parts) or "the bodies differ"

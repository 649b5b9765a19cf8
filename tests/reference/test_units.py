"""Pure parts of the reference server: the canonical body, the key rule, the rate limiter,
and the catch-all error handler."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from conformance.reference.app import build_app
from conformance.reference.behaviour import Behaviour
from conformance.reference.canonical import body_fingerprint, is_valid_key
from conformance.reference.ratelimit import RateLimiter
from conformance.reference.settings import Settings
from conformance.reference.store import Store


def fp(text: str) -> str:
    return body_fingerprint(text.encode(), is_json=True)


def test_number_spelling_key_order_and_whitespace_do_not_change_the_fingerprint() -> None:
    same = [
        '{"a":100,"b":"x"}',
        '{ "b" : "x", "a" : 100.0 }',
        '{"a":1e2,"b":"x"}',
        '{"b":"x","a":100.00}',
    ]
    assert len({fp(text) for text in same}) == 1


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ('{"a":1}', '{"a":1.00000000000000000000000000000001}'),
        ('{"a":1}', '{"a":true}'),
        ('{"a":null}', "{}"),
        ('{"a":"USD"}', '{"a":"usd"}'),
        ('{"a":[1,2]}', '{"a":[2,1]}'),
    ],
)
def test_different_values_have_different_fingerprints(one: str, other: str) -> None:
    assert fp(one) != fp(other)


def test_non_json_bodies_are_fingerprinted_by_their_bytes() -> None:
    assert body_fingerprint(b'{"a":1}', is_json=False) != fp('{"a":1}')
    assert body_fingerprint(b"{bad", is_json=True).startswith("raw:")


@pytest.mark.parametrize(
    ("key", "valid"),
    [
        ("abcdef", True),
        ("a" * 64, True),
        ("a_b-c9", True),
        ("abcde", False),
        ("a" * 65, False),
        ("abc def", False),
        ("abc.def", False),
        ("abcdé1", False),
        ("abcdef\n", False),
    ],
)
def test_the_key_rule(key: str, valid: bool) -> None:
    assert is_valid_key(key) is valid


def test_the_rate_limiter_refills_over_time() -> None:
    now = [0.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    assert [limiter.retry_after("c") for _ in range(3)] == [0, 0, 1]
    assert limiter.retry_after("other") == 0
    now[0] = 0.5
    assert limiter.retry_after("c") == 0


class Broken(Behaviour):
    async def get(self, request: Any, payment_id: str) -> Any:
        raise RuntimeError("secret internals")


def test_an_unexpected_error_is_a_json_500_without_a_traceback_and_not_reraised() -> None:
    app = build_app(Broken(Store(), Settings()))
    sent: list[dict[str, Any]] = []
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/api/v0/test-payment/x",
        "headers": [],
        "query_string": b"",
        "root_path": "",
        "scheme": "http",
        "http_version": "1.1",
        "server": ("127.0.0.1", 80),
        "client": ("127.0.0.1", 1),
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))  # answered, not re-raised: the connection stays up
    assert sent[0]["status"] == 500
    assert sent[1]["body"] == b'{"statusCode":500,"message":"Internal Server Error"}'

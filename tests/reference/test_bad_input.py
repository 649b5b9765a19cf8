"""Bad input always gets a 4xx with a JSON error body: never a 5xx, never a traceback."""

from __future__ import annotations

import socket

import pytest
from reference_support import Api, assert_error

INVALID_BODIES = [
    {"currency": "USD", "description": "d"},
    {"amount": 1, "description": "d"},
    {"amount": 1, "currency": "USD"},
    {"amount": "1", "currency": "USD", "description": "d"},
    {"amount": True, "currency": "USD", "description": "d"},
    {"amount": None, "currency": "USD", "description": "d"},
    {"amount": 0, "currency": "USD", "description": "d"},
    {"amount": -5, "currency": "USD", "description": "d"},
    {"amount": 1, "currency": "US", "description": "d"},
    {"amount": 1, "currency": "", "description": "d"},
    {"amount": 1, "currency": 840, "description": "d"},
    {"amount": 1, "currency": "USD", "description": 5},
    {"amount": 1, "currency": "USD", "description": "d", "customerId": 7},
    {"amount": 1, "currency": "USD", "description": "d", "customerId": None},
    {"amount": 1, "currency": "USD", "description": "d", "extra": 1},
    [{"amount": 1, "currency": "USD", "description": "d"}],
    "text",
    42,
]


@pytest.mark.parametrize("body", INVALID_BODIES)
def test_invalid_bodies_are_400(api: Api, body: object) -> None:
    assert_error(api.create(api.new_key(), body), 400)


@pytest.mark.parametrize(
    "data",
    [
        "{bad",
        "null",
        "",
        '{"amount": NaN, "currency": "USD", "description": "d"}',
        '{"amount": Infinity, "currency": "USD", "description": "d"}',
        '{"amount": 1e400, "currency": "USD", "description": "d"}',
        '{"amount": 1, "currency": "USD", "description": "\\ud800"}',
        '{"amount": 1, "currency": "USD", "description": "d", "customerId": "a\\udfff"}',
        '{"amount": 1e-400, "currency": "USD", "description": "d"}',
        "[" * 100_00 + "]" * 100_00,
        b"\xff\xfe\x00garbage",
    ],
)
def test_malformed_or_non_finite_json_is_400(api: Api, data: str | bytes) -> None:
    headers = api.headers(api.new_key(), **{"content-type": "application/json"})
    assert_error(api.create(None, headers=headers, data=data), 400)


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_a_non_json_content_type_is_400(api: Api, content_type: str | None) -> None:
    headers = api.headers(api.new_key())
    if content_type:
        headers["content-type"] = content_type
    data = '{"amount": 1, "currency": "USD", "description": "d"}'
    assert_error(api.create(None, headers=headers, data=data), 400)


def test_an_invalid_body_does_not_hold_its_key(api: Api) -> None:
    key = api.new_key()
    assert_error(api.create(key, {"amount": -1}), 400)
    assert api.create(key).status_code == 201


def test_a_body_over_64_kib_is_413(api: Api) -> None:
    body = api.body(description="x" * 70_000)
    assert_error(api.create(api.new_key(), body), 413)


def test_unknown_paths_and_methods_get_json_errors(api: Api) -> None:
    assert_error(api.request("GET", "/nowhere", headers=api.headers()), 404)
    assert_error(api.request("GET", "/api/v0/test-payment/", headers=api.headers()), 404)
    assert_error(api.request("DELETE", "/api/v0/test-payment", headers=api.headers()), 405)
    assert_error(api.request("PUT", "/api/v0/test-payment/x/refund", headers=api.headers()), 405)


@pytest.mark.parametrize("size", [20_000, 2_000_000])
def test_a_huge_header_gets_a_json_4xx(api: Api, size: int) -> None:
    headers = api.headers(api.new_key(), **{"x-padding": "p" * size})
    assert_error(api.create(None, headers=headers, data="{}"), (400, 431))


@pytest.mark.parametrize(
    "raw", [b"GARBAGE\r\n\r\n", b"GET / HTTP/1.1\r\nHost: x\r\nX: a\x00b\r\n\r\n"]
)
def test_malformed_http_gets_a_json_400(api: Api, raw: bytes) -> None:
    host, port = api.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(raw)
        received = b""
        while chunk := conn.recv(4096):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400")
    assert b"content-type: application/json" in head.lower()
    assert body == b'{"statusCode":400,"message":"Invalid HTTP request received."}'

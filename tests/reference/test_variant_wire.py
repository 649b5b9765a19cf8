"""The variants that change the wire (encodings, connections, headers, prefix, header names) or
answer 429 now and then, against real servers; and the pure helpers behind them."""

from __future__ import annotations

import email.utils
import http.client
import socket
import time
from collections.abc import Callable
from decimal import Decimal

import pytest
import requests
from reference_support import Api, assert_error, variant_server

from conformance.reference import Behaviour
from conformance.reference.variants import VARIANTS, suite_args, warns_of
from conformance.reference.variants.business_rules import decimal_places
from conformance.reference.variants.ids_and_times import CROCKFORD, ulid
from conformance.reference.variants.transport import accepts_gzip


def raw(api: Api, method: str, path: str, headers: dict[str, str]) -> http.client.HTTPResponse:
    """One request with exactly these headers (http.client adds no Accept-Encoding here)."""
    host, port = api.base_url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.putrequest(method, path, skip_accept_encoding=True)
    for name, value in {**api.headers(), **headers}.items():
        conn.putheader(name, value)
    conn.endheaders()
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def test_slow_still_answers_correctly() -> None:
    with variant_server("slow") as api:
        key = api.new_key()
        assert api.create(key).content == api.create(key).content


def test_charset_json_names_utf8_on_json_answers() -> None:
    with variant_server("charset-json") as api:
        for response in (api.create(api.new_key()), api.get("pay_unknown")):
            assert response.headers["Content-Type"] == "application/json; charset=utf-8"


def test_connection_close_ends_every_connection_after_its_answer() -> None:
    with variant_server("connection-close") as api:
        host, port = api.base_url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            request = f"GET {api.path}/pay_x HTTP/1.1\r\nHost: x\r\n\r\n"
            sock.sendall(request.encode())
            received = b""
            while chunk := sock.recv(65536):  # ends when the server closes its side
                received += chunk
    assert received.startswith(b"HTTP/1.1 401")
    assert b"\r\nconnection: close\r\n" in received.lower()


@pytest.mark.parametrize(
    ("accept", "gzipped"), [(None, True), ("gzip, deflate", True), ("identity", False)]
)
def test_gzip_encodes_bodies_the_client_accepts(accept: str | None, gzipped: bool) -> None:
    with variant_server("gzip") as api:
        headers = {"Accept-Encoding": accept} if accept else {}
        response = raw(api, "GET", f"{api.path}/pay_x", headers)
    assert (response.getheader("Content-Encoding") == "gzip") is gzipped


def test_gzip_bodies_decode_to_the_same_json_and_replay() -> None:
    with variant_server("gzip") as api:
        key = api.new_key()
        first = api.create(key)
        again = api.create(key)
    assert first.headers["Content-Encoding"] == "gzip"
    assert again.json() == first.json()


def test_chunked_bodies_have_no_content_length() -> None:
    with variant_server("chunked") as api:
        response = raw(api, "GET", f"{api.path}/pay_x", {})
        created = api.create(api.new_key())
    assert response.getheader("Transfer-Encoding") == "chunked"
    assert response.getheader("Content-Length") is None
    assert created.status_code == 201 and created.json()["status"] == "succeeded"


def test_request_ids_differ_between_an_answer_and_its_replay() -> None:
    with variant_server("request-id-header") as api:
        key = api.new_key()
        first, again = api.create(key), api.create(key)
    assert again.content == first.content
    assert first.headers["X-Request-Id"] != again.headers["X-Request-Id"]


def test_rest_api_prefix_serves_only_under_its_prefix() -> None:
    with variant_server("rest-api-prefix") as api:
        assert api.path == "/rest-api/v0/test-payment"
        assert api.create(api.new_key()).status_code == 201
        moved = Api(api.base_url)
        assert moved.create(api.new_key()).status_code == 404


def test_curl_auth_headers_read_only_client_key_and_secret() -> None:
    with variant_server("curl-auth-headers") as api:
        assert api.create(api.new_key()).status_code == 201
        assert_error(Api(api.base_url).create(api.new_key()), 401)


def check_seconds(response: requests.Response) -> None:
    assert_error(response, 429)
    assert response.headers["Retry-After"] == "1"


def check_date(response: requests.Response) -> None:
    assert_error(response, 429)
    when = email.utils.parsedate_to_datetime(response.headers["Retry-After"])
    assert 0 <= when.timestamp() - time.time() <= 2


def check_gateway(response: requests.Response) -> None:
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.text == "Too Many Requests"
    assert response.headers["Retry-After"] == "1"


@pytest.mark.parametrize(
    ("name", "check"),
    [
        ("flaky-429", check_seconds),
        ("retry-after-date", check_date),
        ("gateway-429", check_gateway),
    ],
)
def test_every_hundredth_request_gets_429_without_side_effect(
    name: str, check: Callable[[requests.Response], None]
) -> None:
    with variant_server(name) as api:
        keys = [api.new_key() for _ in range(100)]
        responses = [api.create(key) for key in keys]
        assert [r.status_code for r in responses] == [201] * 99 + [429]
        check(responses[99])
        retried = api.create(keys[99])
        assert retried.status_code == 201
        assert retried.json()["id"] not in {r.json()["id"] for r in responses[:99]}


@pytest.mark.parametrize(
    ("name", "check"), [("every-7th-429", check_seconds), ("every-7th-429-date", check_date)]
)
def test_every_seventh_request_gets_429_without_side_effect(
    name: str, check: Callable[[requests.Response], None]
) -> None:
    with variant_server(name) as api:
        keys = [api.new_key() for _ in range(7)]
        responses = [api.create(key) for key in keys]
        assert [r.status_code for r in responses] == [201] * 6 + [429]
        check(responses[6])
        assert api.create(keys[6]).status_code == 201


def test_the_token_bucket_answers_429_with_retry_after_once_50_requests_are_spent() -> None:
    """300 requests at once drain a bucket of 50 that refills 50 a second, unless they take
    5 s, which a loopback GET on this server never does."""
    with variant_server("token-bucket-50") as api:
        responses = [api.get("pay_unknown") for _ in range(300)]
    statuses = [r.status_code for r in responses]
    assert statuses[:50] == [404] * 50
    assert set(statuses) == {404, 429}
    limited = [r for r in responses if r.status_code == 429]
    assert {r.headers["Retry-After"] for r in limited} == {"1"}
    assert_error(limited[0], 429)


# -- pure helpers --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, True),
        ("gzip", True),
        ("deflate, gzip;q=0.5", True),
        ("*", True),
        ("gzip;q=0", False),
        ("identity", False),
        ("br, deflate", False),
    ],
)
def test_accepts_gzip_reads_accept_encoding(header: str | None, expected: bool) -> None:
    assert accepts_gzip(header) is expected


def test_ulids_are_26_crockford_characters_in_time_order() -> None:
    first, second = ulid(), ulid()
    assert len(first) == 26 and set(first) <= set(CROCKFORD)
    assert first[:10] <= second[:10]


@pytest.mark.parametrize(
    ("spelling", "places"), [("100", 0), ("100.000", 0), ("1E+2", 0), ("1.50", 1), ("0.005", 3)]
)
def test_decimal_places_count_the_value(spelling: str, places: int) -> None:
    assert decimal_places(Decimal(spelling)) == places


def test_suite_args_follow_the_attributes_a_variant_sets() -> None:
    assert suite_args(Behaviour) == ()
    assert suite_args(VARIANTS["rest-api-prefix"]) == ("--path-prefix", "/rest-api/v0")
    assert suite_args(VARIANTS["conflict-422"]) == ("--conflict-status", "422")
    assert suite_args(VARIANTS["curl-auth-headers"]) == (
        "--key-header",
        "Client-Key",
        "--secret-header",
        "Client-Secret",
    )
    assert warns_of(Behaviour) == ()
    assert warns_of(VARIANTS["printable-keys"]) == ("KEY-ALPHABET",)

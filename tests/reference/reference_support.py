"""Helpers for the reference server's own tests: a tiny stateless HTTP client and checks."""

from __future__ import annotations

import http.client
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests

from conformance.reference import DEFAULT_CLIENT_KEY, DEFAULT_CLIENT_SECRET, Behaviour
from conformance.reference.cli import serving_in_thread
from conformance.reference.variants.combined import variant_named
from conformance.transport.session import retry_after_seconds

PATH = "/api/v0/test-payment"
OTHER_CLIENT = ("other-client", "other-secret")
TWO_CLIENTS = (
    "--client",
    f"{DEFAULT_CLIENT_KEY}:{DEFAULT_CLIENT_SECRET}",
    "--client",
    ":".join(OTHER_CLIENT),
)


class Api:
    """Sends the three operations; stateless, so one instance may serve many threads. `server`
    is the Behaviour class the server runs: its path prefix and auth header names are used."""

    def __init__(
        self,
        base_url: str,
        client: tuple[str, str] | None = None,
        retry_429: bool = False,
        server: type[Behaviour] = Behaviour,
    ) -> None:
        self.base_url = base_url
        self.client = client or (DEFAULT_CLIENT_KEY, DEFAULT_CLIENT_SECRET)
        self.retry_429 = retry_429
        self.server = server
        self.path = server.api_prefix + "/test-payment"

    @staticmethod
    def new_key(prefix: str = "k") -> str:
        return f"{prefix}_{uuid.uuid4().hex}"

    @staticmethod
    def body(**overrides: Any) -> dict[str, Any]:
        body: dict[str, Any] = {"amount": 100.0, "currency": "USD", "description": "ref test"}
        body.update(overrides)
        return {k: v for k, v in body.items() if v is not ...}

    def as_client(self, key: str, secret: str) -> Api:
        return Api(self.base_url, (key, secret), self.retry_429, self.server)

    def headers(self, key: str | None = None, **extra: str) -> dict[str, str]:
        headers = {
            self.server.key_header: self.client[0],
            self.server.secret_header: self.client[1],
        }
        if key is not None:
            headers["Idempotency-Key"] = key
        headers.update(extra)
        return headers

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        for _ in range(5):
            response = requests.request(method, self.base_url + path, timeout=30, **kwargs)
            if not (self.retry_429 and response.status_code == 429):
                break
            # The server says when its bucket has room again: waiting that long is the point.
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            time.sleep(min(1.0 if wait is None else wait, 5.0))
        return response

    def create(
        self,
        key: str | None,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        data: str | bytes | None = None,
    ) -> requests.Response:
        sent = headers if headers is not None else self.headers(key)
        if data is not None:
            return self.request("POST", self.path, headers=sent, data=data)
        return self.request(
            "POST", self.path, headers=sent, json=self.body() if body is None else body
        )

    def refund(
        self,
        payment_id: str,
        key: str | None,
        *,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        sent = headers if headers is not None else self.headers(key)
        return self.request("POST", f"{self.path}/{payment_id}/refund", headers=sent, **kwargs)

    def get(self, payment_id: str, *, headers: dict[str, str] | None = None) -> requests.Response:
        sent = headers if headers is not None else self.headers()
        return self.request("GET", f"{self.path}/{payment_id}", headers=sent)

    def paid(self, **overrides: Any) -> dict[str, Any]:
        """A fresh payment (its 201 body)."""
        response = self.create(self.new_key(), self.body(**overrides))
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result


def assert_error(response: requests.Response, status: int | tuple[int, ...]) -> None:
    """A JSON error body whose statusCode is the HTTP status (ERR-SHAPE)."""
    expected = (status,) if isinstance(status, int) else status
    assert response.status_code in expected, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["statusCode"] == response.status_code
    message = body["message"]
    assert isinstance(message, str) or all(isinstance(m, str) for m in message)


def raw_post(
    api: Api, path: str, headers: list[tuple[str, str]], body: bytes = b""
) -> tuple[int, bytes]:
    """A POST through http.client, for headers requests refuses to send (repeated, blank)."""
    host, port = api.base_url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.putrequest("POST", path)
        for name, value in [*api.headers().items(), *headers]:
            conn.putheader(name, value)
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@contextmanager
def variant_server(name: str, *args: str, retry_429: bool = False) -> Iterator[Api]:
    """The variant `name` (or a combination, `a+b`) on loopback (with the default and the
    other client), and an Api that speaks its prefix and header names. The server runs in a
    thread of the test's process: the variants' tests start some 130 of them."""
    with serving_in_thread("--variant", name, *TWO_CLIENTS, *args) as base_url:
        yield Api(base_url, retry_429=retry_429, server=variant_named(name))

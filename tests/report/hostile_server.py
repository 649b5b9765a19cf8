"""A small, deliberately broken and hostile Test Payments server for the report's tests.

It breaks two MUST requirements on purpose and puts script payloads wherever a target's words
reach the report: error messages, response headers and a payment's description. A report of
a run against it must show the failures and execute none of the payloads.

- PAY-GET-UNKNOWN: a GET of an unknown id gets 500, not a 4xx.
- KEY-REQUIRED: a create or refund without Idempotency-Key gets 422, not 400.
- REPLAY-IDENTICAL: a retry under a used key makes a new payment instead of replaying.

Loopback only (127.0.0.1, a free port); stopped by the context manager.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SCRIPT_PAYLOAD = "<script>window.__pwned = 'script'; console.error('pwned')</script>"
IMG_PAYLOAD = "<img src=x onerror=\"window.__pwned = 'img'; console.error('pwned')\">"
PAYLOAD = f"{SCRIPT_PAYLOAD}{IMG_PAYLOAD}</pre></td><b>escaped?</b>"
PREFIX = "/api/v0/test-payment"


class _Handler(BaseHTTPRequestHandler):
    server: _HostileServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Hostile-Script", SCRIPT_PAYLOAD)
        self.send_header("X-Hostile-Img", IMG_PAYLOAD)
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int) -> None:
        # The credentials echoed back: the report must show them redacted.
        seen = {name: self.headers.get(name, "") for name in ("x-client-key", "x-client-secret")}
        self._send(
            status, {"statusCode": status, "message": PAYLOAD, "error": PAYLOAD, "seen": seen}
        )

    def _authorised(self) -> bool:
        key, secret = self.headers.get("x-client-key"), self.headers.get("x-client-secret")
        return (key, secret) in self.server.clients

    def _body(self) -> dict[str, Any] | None:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"null")
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    def do_GET(self) -> None:
        if not self._authorised():
            return self._error(401)
        payment = self.server.payments.get(self.path.removeprefix(PREFIX + "/"))
        if payment is None:
            return self._error(500)  # PAY-GET-UNKNOWN broken: 500 instead of a 4xx
        self._send(200, payment)

    def do_POST(self) -> None:
        body = self._body()
        if not self._authorised():
            return self._error(401)
        if not self.headers.get("Idempotency-Key"):
            return self._error(422)  # KEY-REQUIRED broken: 422 instead of 400
        if self.path.endswith("/refund"):
            payment_id = self.path.removeprefix(PREFIX + "/").removesuffix("/refund")
            payment = self.server.payments.get(payment_id)
            if payment is None:
                return self._error(404)
            refund = {
                "id": "ref_" + secrets.token_hex(6),
                "paymentId": payment_id,
                "amount": payment["amount"],
                "status": "succeeded",
                "timestamp": _now(),
            }
            return self._send(201, refund)
        if self.path != PREFIX or body is None or not isinstance(body.get("amount"), int | float):
            return self._error(400)
        # REPLAY-IDENTICAL broken: every create is new, whatever the key says.
        payment = {
            "id": "pay_" + secrets.token_hex(6),
            "amount": body["amount"],
            "currency": body.get("currency", "USD"),
            "status": "succeeded",
            "timestamp": _now(),
            "description": f"{body.get('description', '')} {PAYLOAD}",
        }
        self.server.payments[payment["id"]] = payment
        self._send(201, payment)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class _HostileServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, clients: set[tuple[str, str]]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.clients = clients
        self.payments: dict[str, dict[str, Any]] = {}


@contextmanager
def hostile_server(*clients: tuple[str, str]) -> Iterator[str]:
    """Serve in a thread; yields the base URL."""
    server = _HostileServer(set(clients))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)

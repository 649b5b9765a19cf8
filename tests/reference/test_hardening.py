"""Hostile clients against the reference server: header floods, bodies that never finish, and a
flood of distinct keys from one client. Each gets a JSON 4xx or 429, the server keeps serving,
and its memory stays flat."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Iterator

import pytest
from reference_support import PATH, Api

from bench.flood import flood
from bench.servers import rss_mb
from conformance.reference import RunningServer, running_reference_server

KEY, SECRET = "hardening-client", "hardening-secret"


def exchange(server: RunningServer, raw: bytes) -> bytes:
    """Send raw bytes while reading; everything the server answers until it closes (or 15 s of
    silence). A server that answers early and closes may reset the connection under the rest
    of the upload: what arrived before the reset is the answer."""
    received = b""
    with socket.create_connection(("127.0.0.1", server.port), timeout=15) as conn:
        sender = threading.Thread(target=_send_all, args=(conn, raw), daemon=True)
        sender.start()
        with contextlib.suppress(ConnectionResetError):
            while chunk := conn.recv(65536):
                received += chunk
        sender.join(timeout=15)
    return received


def _send_all(conn: socket.socket, raw: bytes) -> None:
    with contextlib.suppress(OSError):  # reset once the server has answered and closed
        conn.sendall(raw)


def head(method: str, headers: list[str], length: int) -> bytes:
    lines = [f"{method} {PATH} HTTP/1.1", "Host: x", f"x-client-key: {KEY}"]
    lines += [f"x-client-secret: {SECRET}", "Idempotency-Key: hardening-1", *headers]
    lines += ["Content-Type: application/json", f"Content-Length: {length}", "", ""]
    return "\r\n".join(lines).encode()


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    args = ("--client", f"{KEY}:{SECRET}", "--body-timeout", "1", "--rate-limit", "50")
    with running_reference_server(*args) as running:
        yield running


def still_serves(server: RunningServer) -> None:
    api = Api(server.base_url, (KEY, SECRET), retry_429=True)
    assert api.get("pay_unknown").status_code == 404


# 2,000 short headers arrive in one read and are parsed (then the body is judged); 20,000 overrun
# h11's limit on an incomplete head and get uvicorn's 400, as JSON.
@pytest.mark.parametrize("count", [2_000, 20_000])
def test_a_header_flood_gets_a_json_4xx_and_the_server_keeps_serving(
    server: RunningServer, count: int
) -> None:
    flood = [f"x-flood-{i}: {'v' * 8}" for i in range(count)]
    answer = exchange(server, head("POST", flood, 2) + b"{}")
    status_line, _, rest = answer.partition(b"\r\n")
    status = status_line.split()[1]
    assert status in (b"400", b"431"), answer[:200]
    body = json.loads(rest.partition(b"\r\n\r\n")[2])
    assert body["statusCode"] == int(status) and isinstance(body["message"], str)
    still_serves(server)


def test_a_body_that_stops_arriving_gets_408_at_the_body_timeout(server: RunningServer) -> None:
    """The client promises 100 bytes and sends 10: the server answers 408 after --body-timeout
    (1 s here) and closes, instead of holding the connection for as long as the client likes."""
    answer = exchange(server, head("POST", [], 100) + b'{"amount":')
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.split()[1] == b"408", answer[:300]
    assert b'"statusCode":408' in rest
    still_serves(server)


def test_a_flood_of_distinct_keys_from_one_client_is_held_to_the_rate_limit(
    server: RunningServer,
) -> None:
    before = rss_mb(server.process.pid)
    result = flood(server.base_url, KEY, SECRET, count=2_000)
    after = rss_mb(server.process.pid)
    statuses = result["statuses"]
    assert set(statuses) <= {"201", "429"}, statuses
    # a bucket of 50 to start with, then 50 a second (plus one second of slack for the clock)
    assert statuses.get("201", 0) <= 50 * (2 + result["seconds"]), result
    assert statuses["429"] >= 2_000 - 50 * (2 + result["seconds"])
    assert after - before < 20, f"RSS grew from {before:.1f} MB to {after:.1f} MB"
    still_serves(server)

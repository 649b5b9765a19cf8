"""Purpose-built hostile HTTP servers on loopback, one small behaviour each.

    with hostile_server(html_error_page) as server:
        run_suite(..., "--base-url", server.base_url)
    assert server.requests <= 7

A behaviour is a function `(request, connection) -> bytes | None`: it returns a whole response
to send (the connection stays open for the next request), or writes by itself and returns None
(the connection is closed after it). The server counts every request head it received; it
stops (and wakes every stalled handler) when the block ends.
"""

from __future__ import annotations

import json
import socket
import socketserver
import ssl
import threading
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache

MAX_TRICKLE_BYTES = 120
"""A trickling handler gives up after this many bytes (bounded even if nobody stops it)."""


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Connection:
    sock: socket.socket
    stop: threading.Event

    def write(self, data: bytes) -> bool:
        """Send; False when the client has gone (it closed its end, as a capped reader does)."""
        try:
            self.sock.sendall(data)
        except OSError:
            return False
        return True


Behaviour = Callable[[Request, Connection], bytes | None]


def response(
    status: int, body: bytes, content_type: str = "application/json", **headers: str
) -> bytes:
    lines = [
        f"HTTP/1.1 {status} Hostile",
        f"Content-Type: {content_type}",
        f"Content-Length: {len(body)}",
        *(f"{name.replace('_', '-')}: {value}" for name, value in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def echo(request: Request) -> str:
    """The credentials the request carried, echoed back as careless servers do."""
    return (
        f"key={request.headers.get('x-client-key')} secret={request.headers.get('x-client-secret')}"
    )


# ---- behaviours ---------------------------------------------------------------------------
def never_answers(request: Request, conn: Connection) -> None:
    """Accepts, reads the request, and never writes a byte."""
    conn.stop.wait()


def trickles(request: Request, conn: Connection) -> None:
    """A whole 201 response, one byte a second (the status line too)."""
    data = response(201, b'{"id": "pay_trickle", "amount": 1, "currency": "USD"}')
    for i in range(min(len(data), MAX_TRICKLE_BYTES)):
        if not conn.write(data[i : i + 1]) or conn.stop.wait(1.0):
            return


def trickles_the_body(request: Request, conn: Connection) -> None:
    """The head at once, then a long JSON body one byte a second."""
    body = b'{"id": "pay_trickle", "description": "' + b"x" * 200 + b'"}'
    head = response(201, body)[: -len(body)]
    if not conn.write(head):
        return
    for i in range(min(len(body), MAX_TRICKLE_BYTES)):
        if not conn.write(body[i : i + 1]) or conn.stop.wait(1.0):
            return


def post_only(behaviour: Behaviour) -> Behaviour:
    """`behaviour` for POSTs; an ordinary JSON 404 for everything else (the preflight GET)."""

    def serve(request: Request, conn: Connection) -> bytes | None:
        if request.method == "POST":
            return behaviour(request, conn)
        return not_found(request, conn)

    return serve


def not_found(request: Request, conn: Connection) -> bytes:
    return response(404, b'{"statusCode": 404, "message": "Payment not found"}')


def html_error_page(request: Request, conn: Connection) -> bytes:
    """What a proxy in front of a half-deployed server answers."""
    page = (
        "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1>"
        f"<p>{echo(request)}</p><hr>nginx</body></html>"
    )
    return response(502, page.encode(), "text/html", X_Debug=echo(request))


def plain_text_error(request: Request, conn: Connection) -> bytes:
    text = f"upstream connect error or disconnect/reset before headers ({echo(request)})"
    return response(503, text.encode(), "text/plain")


def invalid_utf8(request: Request, conn: Connection) -> bytes:
    status = 201 if request.method == "POST" else 200
    return response(status, b'{"id": "pay_\xff\xfe\xc3", "amount": 1, "currency": "USD"}')


def truncated_json(request: Request, conn: Connection) -> bytes:
    status = 201 if request.method == "POST" else 200
    return response(status, f'{{"id": "pay_1", "seen": "{echo(request)}", "curr'.encode())


HUGE_BODY_BYTES = 10 * 1024 * 1024


def huge_body(request: Request, conn: Connection) -> None:
    """A 10 MB JSON string, written until the client stops reading."""
    chunk = b"x" * 65536
    head = (
        f"HTTP/1.1 201 Hostile\r\nContent-Type: application/json\r\n"
        f"Content-Length: {HUGE_BODY_BYTES + 2}\r\n\r\n"
    ).encode()
    if not conn.write(head + b'"'):
        return
    for _ in range(HUGE_BODY_BYTES // len(chunk)):
        if not conn.write(chunk):
            return
    conn.write(b'"')


BOMB_INFLATED_BYTES = 256 * 1024 * 1024


@cache
def gzip_bomb() -> bytes:
    """256 MiB of zeros as a gzip stream of about 250 KiB."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1024 * 1024)
    parts = [compressor.compress(zeros) for _ in range(BOMB_INFLATED_BYTES // len(zeros))]
    return b"".join(parts) + compressor.flush()


def gzip_bombs(request: Request, conn: Connection) -> bytes:
    status = 201 if request.method == "POST" else 200
    return response(status, gzip_bomb(), Content_Encoding="gzip")


def server_errors(request: Request, conn: Connection) -> bytes:
    """A 5xx storm: every request gets a JSON 500."""
    body = {"statusCode": 500, "message": f"Internal server error ({echo(request)})"}
    return response(500, json.dumps(body).encode())


def rate_limits(request: Request, conn: Connection) -> bytes:
    """A 429 storm: every request, forever, with a Retry-After of one second."""
    return response(429, b'{"statusCode": 429, "message": "Too Many Requests"}', Retry_After="1")


def redirects_to(location: str, status: int = 307) -> Behaviour:
    """Every request is redirected to the same path under `location` (another origin)."""

    def serve(request: Request, conn: Connection) -> bytes:
        secret = request.headers.get("x-client-secret")
        target = f"{location}{request.path}?from={secret}"
        return response(status, b'{"statusCode": 307, "message": "moved"}', Location=target)

    return serve


def payments(request: Request, conn: Connection) -> bytes:
    """Just enough of the API for the suite to keep sending: every POST makes a payment."""
    if request.method != "POST":
        return not_found(request, conn)
    number = zlib.crc32(request.body + request.headers.get("idempotency-key", "").encode())
    body = {"id": f"pay_{number:x}", "amount": 1, "currency": "USD", "status": "succeeded"}
    return response(201, json.dumps(body).encode())


# ---- the server ---------------------------------------------------------------------------
@dataclass
class HostileServer:
    base_url: str
    requests: int = 0
    heads: list[bytes] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, head: bytes) -> None:
        with self.lock:
            self.requests += 1
            self.heads.append(head)


class _TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, behaviour: Behaviour, tls: ssl.SSLContext | None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.behaviour = behaviour
        self.tls = tls
        self.stop = threading.Event()
        scheme = "https" if tls else "http"
        self.record = HostileServer(f"{scheme}://127.0.0.1:{self.server_address[1]}")


class _Handler(socketserver.StreamRequestHandler):
    server: _TCPServer

    def setup(self) -> None:
        self.handshake_failed = False
        if self.server.tls is not None:
            self.request.settimeout(10)
            try:
                self.request = self.server.tls.wrap_socket(self.request, server_side=True)
            except (ssl.SSLError, OSError):
                self.handshake_failed = True  # a client that refused our certificate
        super().setup()

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass  # the client is gone; nothing to flush to
        finally:
            if self.server.tls is not None:
                self.request.close()  # the wrapped socket; the server closes only its own

    def handle(self) -> None:
        if self.handshake_failed:
            return
        self.connection.settimeout(30)
        conn = Connection(self.connection, self.server.stop)
        for _ in range(10_000):  # requests on one kept-alive connection
            request = self._read_request()
            if request is None or self.server.stop.is_set():
                return
            answer = self.server.behaviour(request, conn)
            if answer is None or not conn.write(answer):
                return

    def _read_request(self) -> Request | None:
        try:
            head = b""
            while not head.endswith(b"\r\n\r\n"):
                line = self.rfile.readline(65537)
                if not line:
                    return None
                head += line
                if len(head) > 1 << 20:
                    return None
            lines = head.decode("latin-1").split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                name, sep, value = line.partition(":")
                if sep:
                    headers[name.strip().lower()] = value.strip()
            body = self.rfile.read(int(headers.get("content-length") or 0))
        except (OSError, ValueError):
            return None
        self.server.record.count(head)
        return Request(method, path, headers, body)


@contextmanager
def hostile_server(
    behaviour: Behaviour, tls: ssl.SSLContext | None = None
) -> Iterator[HostileServer]:
    server = _TCPServer(behaviour, tls)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield server.record
    finally:
        server.stop.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)

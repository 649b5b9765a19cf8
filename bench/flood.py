"""A flood of distinct idempotency keys from one client against a rate-limited server.

``flood(base_url, key, secret, count)`` pipelines ``count`` creates, each with a fresh key, over a
few keep-alive connections as fast as the machine allows (a writer and a reader thread per
connection, so neither side waits on the other), and counts the statuses. With ``--rate-limit
N`` the server must answer all but about N per second with 429, store nothing for them, and
keep its memory flat; the bench and tests/reference/test_hardening.py read the figures.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections import Counter
from typing import IO, Any
from urllib.parse import urlsplit

PATH = "/api/v0/test-payment"
BODY = json.dumps({"amount": 1.0, "currency": "USD", "description": "flood"}).encode()
READ_TIMEOUT = 30.0


def _request(host: str, key: str, secret: str) -> bytes:
    head = (
        f"POST {PATH} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"x-client-key: {key}\r\nx-client-secret: {secret}\r\n"
        f"Idempotency-Key: flood-{uuid.uuid4().hex}\r\nContent-Length: {len(BODY)}\r\n\r\n"
    )
    return head.encode() + BODY


def _read_status(stream: IO[bytes]) -> int:
    """One response off a pipelined connection: its status (the body is read and dropped)."""
    status_line = stream.readline(65536)
    if not status_line:
        raise ConnectionError("the server closed the connection mid-flood")
    length = 0
    while (line := stream.readline(65536)) not in (b"\r\n", b"\n", b""):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    stream.read(length)
    return int(status_line.split()[1])


def _connection(host: str, port: int, requests: list[bytes], statuses: Counter[int]) -> None:
    with socket.create_connection((host, port), timeout=READ_TIMEOUT) as sock:
        writer = threading.Thread(target=sock.sendall, args=(b"".join(requests),), daemon=True)
        writer.start()
        seen: Counter[int] = Counter()
        with sock.makefile("rb") as stream:
            for _ in requests:
                seen[_read_status(stream)] += 1
        writer.join(timeout=READ_TIMEOUT)
    statuses.update(seen)


def flood(
    base_url: str, key: str, secret: str, count: int = 10_000, connections: int = 4
) -> dict[str, Any]:
    """Send ``count`` distinct-key creates; statuses, seconds and requests per second."""
    parts = urlsplit(base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    per_connection = [
        [_request(f"{host}:{port}", key, secret) for _ in range(count // connections)]
        for _ in range(connections)
    ]
    statuses: Counter[int] = Counter()
    errors: list[BaseException] = []

    def run(requests: list[bytes]) -> None:
        try:
            _connection(host, port, requests, statuses)
        except (OSError, ValueError) as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(r,)) for r in per_connection]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=READ_TIMEOUT + 60)
    seconds = time.monotonic() - started
    if errors or any(thread.is_alive() for thread in threads):
        raise ConnectionError(f"the flood did not complete: {errors[:1] or 'a thread hung'}")
    sent = sum(len(r) for r in per_connection)
    return {
        "requests": sent,
        "seconds": round(seconds, 2),
        "per_second": round(sent / seconds, 1),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }

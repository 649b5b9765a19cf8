"""`--seed` reruns a run: against a fresh reference server, two runs with one seed send the same
requests (server-made ids and timestamps aside, and the value of its own that the preflight
puts in its descriptions). A recording proxy in front of each server sees what the suite sent.
"""

from __future__ import annotations

import http.client
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conformance.reference.launch import running_reference_server
from tests.suite_runner import run_suite

CLIENT = ("seed-client", "seed-secret")
ENV = {"DEVDRAFT_API_KEY": CLIENT[0], "DEVDRAFT_SECRET": CLIENT[1]}
# Races decide what the state machine and the concurrency checks do next: left out here.
ONLY = (
    "AUTH-MISSING,AUTH-INVALID,AUTH-NOT-STORED,KEY-REQUIRED,KEY-LENGTH,KEY-ALPHABET,"
    "KEY-DISTINCT,PAY-CREATE,PAY-ECHO,PAY-GET,PAY-GET-UNKNOWN,PAY-VALIDATION,"
    "REPLAY-IDENTICAL,REPLAY-JSON-EQUIVALENT,CONFLICT-BODY,CONFLICT-CROSS-OPERATION,"
    "REFUND-CREATE,REFUND-ONCE,REFUND-UNKNOWN,ERR-NO-5XX,ERR-SHAPE,SCHEMA-RESPONSES"
)
SERVER_MADE = re.compile(r"(pay|ref)_[0-9a-f]{16}")
"""The reference server's ids; they differ between servers and are left out of the comparison."""
PREFLIGHT_OWN = re.compile(r"(conformance preflight \[run-\d+\]) [0-9a-f]{12}")
"""The preflight's description ends in a value of the run's own (conformance.preflight)."""


@contextmanager
def recording_proxy(
    upstream: str, arrivals: list[float] | None = None
) -> Iterator[tuple[str, list[str]]]:
    """A loopback proxy that forwards every request to `upstream` and records it as one line,
    and its time of arrival (time.monotonic) in `arrivals`."""
    seen: list[str] = []
    lock = threading.Lock()
    target = urlsplit(upstream)

    class Forward(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the test reads `seen`."""

        def _forward(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
            key = next((v for k, v in headers.items() if k.lower() == "idempotency-key"), "")
            with lock:
                seen.append(
                    f"{self.command} {self.path} key={key} {body.decode('utf-8', 'replace')}"
                )
                if arrivals is not None:
                    arrivals.append(time.monotonic())
            connection = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
            connection.connect()
            connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            connection.request(self.command, self.path, body=body or None, headers=headers)
            answer = connection.getresponse()
            content = answer.read()
            self.send_response(answer.status)
            for name, value in answer.getheaders():
                if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)
            connection.close()

        do_GET = do_POST = _forward

    server = ThreadingHTTPServer(("127.0.0.1", 0), Forward)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def requests_sent(report_dir: Path, seed: int, *, own_interpreter: bool = False) -> list[str]:
    """What a run with `seed` sends: in a fork of the preloaded process, as the project's tests
    run the suite (tests.suite_runner), or with `own_interpreter`, as a user runs it."""
    with (
        running_reference_server("--client", ":".join(CLIENT)) as server,
        recording_proxy(server.base_url) as (url, seen),
    ):
        args = (
            "--base-url", url, "--profile", "smoke", "--seed", str(seed), "--only", ONLY,
        )  # fmt: skip
        run = run_suite(report_dir, *args, env=ENV, own_interpreter=own_interpreter)
        assert run.code == 0, run.explain()
    return sorted(PREFLIGHT_OWN.sub(r"\1 <own>", SERVER_MADE.sub("<id>", line)) for line in seen)


@pytest.mark.slow
def test_a_rerun_with_the_same_seed_sends_the_same_requests(tmp_path: Path) -> None:
    first = requests_sent(tmp_path / "first", 4242)
    again = requests_sent(tmp_path / "again", 4242)
    other = requests_sent(tmp_path / "other", 4243)
    assert len(first) > 300
    assert first == again
    assert first != other


@pytest.mark.slow
def test_a_run_in_a_fork_of_the_preloaded_process_sends_what_its_own_interpreter_sends(
    tmp_path: Path,
) -> None:
    """The project's tests and the self-test run the suite in forks of a process that imported
    it once (conformance.preloaded); what Hypothesis draws must not depend on what
    that process imported, or their seeds would not rerun from a shell."""
    forked = requests_sent(tmp_path / "forked", 4242)
    alone = requests_sent(tmp_path / "alone", 4242, own_interpreter=True)
    assert forked == alone

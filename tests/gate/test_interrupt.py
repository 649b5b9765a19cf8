"""SIGINT and SIGTERM stop a run within seconds; the three reports say it was interrupted, what
it did not reach is 'not judged', the run exits 3, and its report can never be a baseline."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance.reference.launch import RunningServer
from conformance.transport.budget import Budget
from conformance.transport.errors import Interrupted
from conformance.transport.records import Journal
from conformance.transport.redaction import Redactor
from conformance.transport.session import RecordingSession
from tests.hostile import servers
from tests.hostile.servers import hostile_server

from .conftest import SECRETS, TWO_CLIENTS, one_line, run_suite

PROGRESS = re.compile(r"^  \[\s*\d+/\d+\] (\S+) ")
STOPPED_WITHIN = 10.0
"""Seconds from the signal to the end of the process, reports written (a busy 2-core box)."""


class Started:
    """`python -m conformance` running in the background, its stdout read line by line."""

    def __init__(self, report_dir: Path, *args: str) -> None:
        self.report_dir = report_dir
        self.process = subprocess.Popen(
            [sys.executable, "-m", "conformance", "--report-dir", str(report_dir), *args],
            env={**os.environ, **TWO_CLIENTS},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self.started = threading.Event()
        """The run printed its first line (before its preflight)."""
        self.progressed = threading.Event()
        """The run printed its first requirement's progress line."""
        self.stderr = ""
        self._readers = [
            threading.Thread(target=self._read_stdout, daemon=True),
            threading.Thread(target=self._read_stderr, daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def _read_stdout(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))
            self.started.set()
            if PROGRESS.match(line):
                self.progressed.set()

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        self.stderr = self.process.stderr.read()

    def wait(self, timeout: float) -> int:
        code = self.process.wait(timeout=timeout)
        for reader in self._readers:
            reader.join(timeout=10)
        return code

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for reader in self._readers:
            reader.join(timeout=10)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture
def interrupted(
    request: pytest.FixtureRequest, reference: RunningServer, tmp_path: Path
) -> Iterator[tuple[Started, int, float]]:
    """A default-profile run stopped by the signal of `request.param` as soon as it printed
    its first line ('start') or its first requirement's progress line ('progress'): the run,
    its exit code and the seconds from the signal to its end."""
    signum, when = request.param
    run = Started(tmp_path, "--base-url", reference.base_url, "--profile", "default")
    try:
        waited = run.progressed if when == "progress" else run.started
        assert waited.wait(timeout=120), "\n".join(run.lines) + run.stderr
        assert run.process.poll() is None, "the run ended before it could be interrupted"
        signalled = time.monotonic()
        run.process.send_signal(signum)
        code = run.wait(timeout=60)
        yield run, code, time.monotonic() - signalled
    finally:
        run.stop()


@pytest.mark.parametrize(
    "interrupted",
    [(signal.SIGINT, "progress"), (signal.SIGTERM, "progress"), (signal.SIGTERM, "start")],
    indirect=True,
    ids=["SIGINT", "SIGTERM", "SIGTERM-at-start"],
)
def test_an_interrupted_run_exits_3_with_reports_that_say_interrupted(
    interrupted: tuple[Started, int, float],
) -> None:
    run, code, seconds = interrupted
    output = "\n".join(run.lines)
    assert code == 3, output[-3000:] + run.stderr
    assert seconds < STOPPED_WITHIN, f"{seconds:.1f}s from the signal to the end"
    name = "SIGINT" if "SIGINT" in run.lines[-1] else "SIGTERM"
    assert run.lines[-1].startswith("INCOMPLETE: interrupted after "), run.lines[-1]
    assert re.match(r"INCOMPLETE: interrupted after \d+ requests \(SIG(INT|TERM), ", run.lines[-1])
    assert "Traceback" not in output + run.stderr

    report = json.loads((run.report_dir / "conformance.json").read_text(encoding="utf-8"))
    assert report["interrupted"] is True and report["conformant"] is False
    assert report["exit_code"] == 3
    assert report["summary"]["line"] == run.lines[-1]
    verdicts = {r["id"]: r["verdict"] for r in report["requirements"]}
    reached = [m.group(1) for m in map(PROGRESS.match, run.lines) if m]
    assert len(reached) < len(verdicts)
    for requirement_id, verdict in verdicts.items():
        if requirement_id not in reached:
            assert verdict == "not judged", (requirement_id, verdict)
    assert "pass" not in {verdicts[i] for i in verdicts if i not in reached}

    html = (run.report_dir / "conformance.html").read_text(encoding="utf-8")
    assert '<h1 id="verdict">Interrupted</h1>' in html
    suite = ET.parse(run.report_dir / "junit.xml").getroot().find("testsuite")
    assert suite is not None
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert properties["interrupted"] == "true"
    assert properties["summary"] == run.lines[-1]
    assert int(suite.get("skipped") or 0) >= len(verdicts) - len(reached)
    assert name in html
    everything = output + run.stderr + html + json.dumps(report)
    assert [s for s in SECRETS if s in everything] == []


@pytest.mark.parametrize("interrupted", [(signal.SIGINT, "progress")], indirect=True)
def test_an_interrupted_report_is_refused_as_a_baseline(
    interrupted: tuple[Started, int, float], reference: RunningServer, tmp_path: Path
) -> None:
    run, code, _ = interrupted
    assert code == 3
    later = run_suite(
        tmp_path / "later",
        "--base-url",
        reference.base_url,
        "--baseline",
        str(run.report_dir / "conformance.json"),
    )
    assert later.code == 2, later.explain()
    line = one_line(later.stderr)
    assert "--baseline" in line and "interrupted run" in line
    assert not (tmp_path / "later" / "conformance.json").exists()


def test_a_stop_cuts_off_a_request_in_flight_at_once() -> None:
    """What 'stop sending within about 2 s' rests on: a request stuck on a target that never
    answers ends as soon as the run is stopped, and no request leaves after it."""
    budget = Budget(None)
    session = RecordingSession(
        journal=Journal(),
        budget=budget,
        redactor=Redactor({}),
        timeout=60,
        max_rate_limit_wait=0,
    )
    outcome: list[BaseException] = []
    arrived = threading.Event()

    def stalls(request: servers.Request, conn: servers.Connection) -> None:
        arrived.set()
        conn.stop.wait()

    with hostile_server(stalls) as server:

        def send() -> None:
            try:
                session.get(server.base_url + "/api/v0/test-payment/x")
            except BaseException as error:  # the outcome under test
                outcome.append(error)

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        assert arrived.wait(timeout=10)
        stopped = time.monotonic()
        budget.stop("SIGINT")
        sender.join(timeout=5)
        assert not sender.is_alive() and time.monotonic() - stopped < 2
        assert [type(e) for e in outcome] == [Interrupted]
        with pytest.raises(Interrupted):
            session.get(server.base_url + "/api/v0/test-payment/y")
        assert server.requests == 1

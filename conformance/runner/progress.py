"""What a run prints while it runs: its first line, a line per requirement done, a heartbeat."""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import TextIO

import pytest

from conformance.results import RequirementResult, Verdict
from conformance.target import Target
from conformance.transport.client import ApiClient

__all__ = ["HEARTBEAT", "Console", "Heartbeat", "opening_line", "requirement_line"]

HEARTBEAT = 5.0
"""Seconds between the progress notes of a requirement that is still running."""


def opening_line(target: Target, requirements: int) -> str:
    """What the run is about to do, with the seed that reruns it."""
    return (
        f"conformance run {target.run_id} against {target.api_root}: "
        f"{requirements} requirements, profile {target.profile}, "
        f"seed {target.seed} (rerun with --seed {target.seed})"
        + (f", shard {target.shard}" if target.shard else "")
    )


def requirement_line(result: RequirementResult, finished: int, total: int) -> str:
    """A requirement whose every test has run: its counter, level, verdict and time."""
    counter = f"[{finished:>{len(str(total))}}/{total}]"
    return (
        f"  {counter} {result.requirement.id:<26} {result.requirement.level.value:<6} "
        f"{result.verdict.value:<10} {result.duration:6.1f}s"
        + (f"  {result.reason}" if result.verdict is not Verdict.PASS and result.reason else "")
    )


class Console:
    """Where the run's lines go: pytest's terminal reporter, or while a test runs (pytest
    captures stdout then, and the heartbeat speaks while one does) the console itself."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._stream = _real_stdout()

    def say(self, line: str, during_a_test: bool = False) -> None:
        with self._lock:  # the heartbeat prints from its own thread
            reporter = self.config.pluginmanager.get_plugin("terminalreporter")
            if reporter is not None and not during_a_test:
                reporter.write_line(line)
            elif self._stream is not None:
                self._stream.write(line + "\n")
                self._stream.flush()
            elif not during_a_test:
                print(line, file=sys.stdout, flush=True)

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None


class Heartbeat:
    """Every HEARTBEAT seconds that one test runs, a line with what it has done so far."""

    def __init__(self, api: ApiClient, console: Console) -> None:
        self.api = api
        self.console = console
        self.running: tuple[str, float, int, int] | None = None
        """The test in progress: requirement id, start, examples and requests before it."""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._beat, name="conformance-heartbeat", daemon=True
        )
        self._thread.start()

    def test_started(self, requirement_id: str) -> None:
        self.running = (
            requirement_id,
            time.monotonic(),
            self.api.journal.examples,
            self.api.budget.used,
        )

    def test_ended(self) -> None:
        self.running = None

    def stop(self) -> None:
        self._stop.set()
        self.running = None

    def _beat(self) -> None:
        said: tuple[str, float, int, int] | None = None
        last = 0.0
        while not self._stop.wait(0.5):
            running = self.running
            if running is None:
                continue
            requirement_id, started, examples, requests = running
            if said is not running:
                said, last = running, started
            now = time.monotonic()
            if now - last < HEARTBEAT:
                continue
            last = now
            elapsed = now - started
            done = self.api.journal.examples - examples
            sent = self.api.budget.used - requests
            self.console.say(
                f"      ... {requirement_id} still running: "
                + (f"{_many(done, 'example')}, " if done else "")
                + f"{_many(sent, 'request')}, {elapsed:.0f}s",
                during_a_test=True,
            )


def _many(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"


def _real_stdout() -> TextIO | None:
    """A file on the process's stdout that pytest's capturing does not redirect (a duplicate
    of the descriptor, taken while capturing is suspended), or None."""
    try:
        return open(
            os.dup(sys.stdout.fileno()), "w", encoding="utf-8", errors="replace", closefd=True
        )
    except (AttributeError, OSError, ValueError):
        return None

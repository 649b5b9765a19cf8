"""A run's stop handlers (conformance.runner.stopping), in this process's main thread."""

from __future__ import annotations

import signal

import pytest

from conformance.runner import stopping
from conformance.runner.stopping import StopHandlers
from conformance.transport.budget import Budget
from conformance.transport.errors import Interrupted


def test_a_stop_signal_that_came_before_the_handlers_stops_the_run_when_they_are_installed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(stopping, "_stopped_by", ["SIGTERM"])
    before = signal.getsignal(signal.SIGTERM)
    handlers = StopHandlers(Budget(None))
    try:
        with pytest.raises(Interrupted, match="SIGTERM"):
            handlers.install()
        assert handlers.interrupted == "SIGTERM"
        assert handlers.budget.stopped == "SIGTERM"
    finally:
        handlers.restore()
    assert signal.getsignal(signal.SIGTERM) == before


def test_without_a_stop_signal_installing_the_handlers_stops_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(stopping, "_stopped_by", [])
    handlers = StopHandlers(Budget(None))
    try:
        handlers.install()
        assert (handlers.interrupted, handlers.budget.stopped) == ("", "")
    finally:
        handlers.restore()

"""Stopping on SIGINT / SIGTERM: the signal the process got, and a run's handlers while it runs."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

from conformance.transport.budget import Budget
from conformance.transport.errors import Interrupted

__all__ = ["STOP_SIGNALS", "StopHandlers", "on_stop_signal", "stop_signal"]

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_stopped_by: list[str] = []
"""The stop signal this process received, if any (set by either handler)."""

SignalHandler = Callable[[int, FrameType | None], Any] | int | None
"""What `signal.signal` takes and gives back: a function, SIG_DFL / SIG_IGN, or None."""


def stop_signal() -> str:
    """'SIGINT' or 'SIGTERM' once the process was told to stop, else ''."""
    return _stopped_by[0] if _stopped_by else ""


def on_stop_signal(signum: int, frame: FrameType | None) -> None:
    """The handler before a run has its own (devdraft-conformance installs it first thing):
    a SIGTERM too unwinds like Ctrl-C instead of killing the process."""
    _stopped_by.append(signal.Signals(signum).name)
    raise Interrupted(stop_signal())


class StopHandlers:
    """A run's own handlers of the stop signals, from its first test until its reports are
    being written: they stop the budget (the run's stop switch) and unwind the test in
    progress."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.interrupted = ""
        """SIGINT or SIGTERM once the run was told to stop."""
        self.finishing = False
        """Set once the run writes its reports: a stop signal no longer unwinds anything."""
        self._previous_handlers: dict[int, SignalHandler] = {}
        self._previous_unraisable_hook: Callable[[sys.UnraisableHookArgs], Any] | None = None

    def install(self) -> None:
        """Handle the stop signals (only the main thread can) and keep the handlers before. A
        stop signal that came before them stops the run here: the handler before raises
        Interrupted where the signal lands, and where that was a finalizer Python could only
        report it as unraisable, so the run went on."""
        if threading.current_thread() is not threading.main_thread():
            return
        for signum in STOP_SIGNALS:
            self._previous_handlers[signum] = signal.signal(signum, self._on_stop_signal)
        self._previous_unraisable_hook = sys.unraisablehook
        sys.unraisablehook = self._unraisable
        early = stop_signal()
        if early:
            self.interrupted = early
            self.budget.stop(early)
            raise Interrupted(early)

    def restore(self) -> None:
        """Put back the handlers (and the unraisable hook) that were in place before."""
        for signum, handler in self._previous_handlers.items():
            signal.signal(signum, handler)
        self._previous_handlers.clear()
        if self._previous_unraisable_hook is not None:
            sys.unraisablehook = self._previous_unraisable_hook
            self._previous_unraisable_hook = None

    def finish(self) -> str:
        """The run writes its reports from now on; the stop signal it got, if any."""
        self.finishing = True
        self.interrupted = self.interrupted or stop_signal()
        return self.interrupted

    def _unraisable(self, unraisable: sys.UnraisableHookArgs) -> None:
        """The stop signal raises Interrupted wherever the main thread is; when that is a
        finalizer (a generator closed by the garbage collector, say), Python cannot raise it
        and reports it as unraisable, with a traceback. That is the stop itself, not an error."""
        if isinstance(unraisable.exc_value, Interrupted):
            return
        (self._previous_unraisable_hook or sys.__unraisablehook__)(unraisable)

    def _on_stop_signal(self, signum: int, frame: FrameType | None) -> None:
        """Stop sending at once (requests in flight are cut off) and unwind the test in
        progress; pytest then ends the session and the reports are written. Nothing is printed
        here: the main thread may be in the middle of a print."""
        if self.finishing:
            return
        _stopped_by.append(signal.Signals(signum).name)
        self.interrupted = self.interrupted or stop_signal()
        self.budget.stop(self.interrupted)
        raise Interrupted(self.interrupted)

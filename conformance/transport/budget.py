"""The run's request budget and its stop switch, shared by every session of the run."""

from __future__ import annotations

import threading

from conformance.transport.deadline import abort_in_flight
from conformance.transport.errors import BudgetExhausted, Interrupted

__all__ = ["Budget"]


class Budget:
    """A thread-safe request counter that refuses to exceed its limit, and the run's stop
    switch: once `stop` is called no request is taken, and waits between retries end."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.used = 0
        self.refused = 0
        """Requests refused because the budget was spent (the run then could not judge all)."""
        self.stopped = ""
        """Why the run stopped sending (e.g. 'SIGINT'), empty while it runs."""
        self._stop = threading.Event()
        self._lock = threading.Lock()

    def take(self) -> None:
        with self._lock:
            if self.stopped:
                raise Interrupted(self.stopped)
            if self.limit is not None and self.used >= self.limit:
                self.refused += 1
                raise BudgetExhausted(f"the request budget of {self.limit} is spent")
            self.used += 1

    def stop(self, reason: str) -> None:
        """No request leaves from now on; requests in flight are cut off."""
        with self._lock:
            self.stopped = self.stopped or reason
        self._stop.set()
        abort_in_flight()

    def pause(self, seconds: float) -> None:
        """Wait `seconds` (between two attempts of a request), ending early when stopped."""
        if self._stop.wait(seconds) or self.stopped:
            raise Interrupted(self.stopped)

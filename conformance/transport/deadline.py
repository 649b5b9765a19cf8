"""The total deadline of one request: connect, head and body within the timeout, not per read.

requests' timeout bounds each read, so a target that sends a byte a second never times out.
A `Deadline` is armed for the whole request; the connection the request goes out on (made
by a session that mounts `DeadlineAdapter`) registers with it, and when it passes the socket is
shut down, which ends any read in progress with an error. `abort_in_flight` ends every request
in progress at once (the run's stop). One watchdog thread keeps every deadline of the process:
a thread started per request cost more than the request itself against a local target.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import threading
import time
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

__all__ = ["Deadline", "DeadlineAdapter", "abort_in_flight"]

_in_flight = threading.local()
_armed: set[Deadline] = set()
"""Every request deadline in force, of every thread: `abort_in_flight` ends them all."""
_armed_lock = threading.Lock()


def abort_in_flight() -> None:
    """End every request in progress now, as if its deadline had passed."""
    with _armed_lock:
        deadlines = list(_armed)
    for deadline in deadlines:
        deadline.expire()


class _Watchdog:
    """One daemon thread that expires each armed deadline when it is due.

    Deadlines are kept in a heap by due time; a finished one stays in it, marked, until it
    reaches the top (so finishing costs nothing), and the thread is woken only when a new
    deadline is due before every one it already waits for."""

    def __init__(self) -> None:
        self._due: list[tuple[float, int, Deadline]] = []
        self._order = itertools.count()
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None

    def arm(self, deadline: Deadline) -> None:
        with self._changed:
            first = not self._due or deadline.due < self._due[0][0]
            heapq.heappush(self._due, (deadline.due, next(self._order), deadline))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="request-deadlines", daemon=True
                )
                self._thread.start()
            elif first:
                self._changed.notify()

    def _run(self) -> None:
        while True:
            with self._changed:
                while self._due and self._due[0][2].finished:
                    heapq.heappop(self._due)
                if not self._due:
                    self._changed.wait()
                    continue
                left = self._due[0][0] - time.monotonic()
                if left > 0:
                    self._changed.wait(left)
                    continue
                deadline = heapq.heappop(self._due)[2]
            deadline.expire()


_watchdog = _Watchdog()


class Deadline:
    """The deadline of one request: when it passes, the request's connection is shut down."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.due = 0.0
        self.expired = False
        self.finished = False
        self._connection: HTTPConnection | None = None
        self._lock = threading.Lock()

    def __enter__(self) -> Deadline:
        _in_flight.deadline = self
        with _armed_lock:
            _armed.add(self)
        self.due = time.monotonic() + self.seconds
        _watchdog.arm(self)
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self.finished = True
        with _armed_lock:
            _armed.discard(self)
        _in_flight.deadline = None

    def watch(self, connection: HTTPConnection) -> None:
        with self._lock:
            self._connection = connection
            if self.expired:
                _shut(connection)

    def expire(self) -> None:
        with self._lock:
            if self.finished:
                return  # answered in full just before it was due: nothing to cut off
            self.expired = True
            if self._connection is not None:
                _shut(self._connection)


def _shut(connection: HTTPConnection) -> None:
    sock = connection.sock
    if sock is not None:
        # socket.socket's own shutdown, also under TLS: it only wakes the reader. An OSError
        # means the socket is closed already: nothing is left to wake.
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _Watched:
    def request(self, *args: Any, **kwargs: Any) -> None:
        deadline: Deadline | None = getattr(_in_flight, "deadline", None)
        if deadline is not None:
            deadline.watch(self)  # type: ignore[arg-type]
        super().request(*args, **kwargs)  # type: ignore[misc]


class _WatchedHTTPConnection(_Watched, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_Watched, HTTPSConnection):
    pass


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class DeadlineAdapter(HTTPAdapter):
    """An adapter whose connections register with the deadline of the request they carry."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _WatchedHTTPPool,
            "https": _WatchedHTTPSPool,
        }

"""The total deadline of one request: connect, head and body within the timeout, not per read.

requests' timeout bounds each read, so a target that sends a byte a second never times out.
A `Deadline` arms a timer for the whole request; the connection the request goes out on (made
by a session that mounts `DeadlineAdapter`) registers with it, and when the timer fires the
socket is shut down, which ends any read in progress with an error. `abort_in_flight` ends
every request in progress at once (the run's stop).
"""

from __future__ import annotations

import contextlib
import socket
import threading
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


class Deadline:
    """The timer of one request: when it fires, the request's connection is shut down."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._connection: HTTPConnection | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self.expire)
        self._timer.daemon = True

    def __enter__(self) -> Deadline:
        _in_flight.deadline = self
        with _armed_lock:
            _armed.add(self)
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
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

"""Fire N requests at once, so that they really overlap on the target.

One thread per request, each with its own client (its own connection pool), all released by
one barrier.

The clients are made once and reused for every round of a test, so from the second round on
each thread sends over an already open connection and the requests leave within microseconds.
The run's pacer admits a burst as one unit before its barrier (never between its requests).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import requests

from conformance.transport.client import ApiClient
from conformance.transport.errors import ALLOWANCE_SPENT, NotJudged
from conformance.transport.session import RecordingSession

__all__ = ["JOIN_MARGIN", "START_TIMEOUT", "Burst", "Send", "Volley"]

START_TIMEOUT = 10.0
"""Seconds the threads wait for each other at the barrier before the burst is abandoned."""
JOIN_MARGIN = 10.0
"""Seconds beyond the request timeout and rate-limit wait that a burst may take in all."""

Send = Callable[[ApiClient, int], requests.Response]
"""One request of a burst: given the thread's own client and the thread's index."""
_groups = itertools.count(1)
"""Group ids of the run's bursts: the exchanges of one burst share one (a reproduction sends
them simultaneously again)."""


@dataclass
class Volley:
    """What the N requests of one burst got: a response or an error for each, by index."""

    responses: list[requests.Response] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)

    def raise_errors(self) -> None:
        """Re-raise the first error of a request (e.g. the target stopped answering); call it
        after judging the responses that did come back, which are evidence in their own right."""
        if self.errors:
            raise self.errors[0]


class Burst:
    """`size` clients forked from `api` that send together, round after round."""

    def __init__(self, api: ApiClient, size: int) -> None:
        if size < 2:
            raise ValueError(f"a burst needs at least 2 simultaneous requests, not {size}")
        self.size = size
        self.clients = [api.fork() for _ in range(size)]
        self.pacer = api.session.pacer
        self.join_timeout = api.target.timeout + api.target.max_rate_limit_wait + JOIN_MARGIN

    def fire(self, send: Send) -> Volley:
        """Send `size` requests at the same moment; wait for all of them (bounded)."""
        barrier = threading.Barrier(self.size)
        results: list[requests.Response | BaseException | None] = [None] * self.size
        if not self.pacer.wait_turn(self.size):
            raise NotJudged(ALLOWANCE_SPENT)

        def run(index: int) -> None:
            try:
                with self.pacer.admitted():
                    barrier.wait(timeout=START_TIMEOUT)
                    results[index] = send(self.clients[index], index)
            except BaseException as error:  # handed to the test through the Volley
                results[index] = error

        threads = [
            threading.Thread(target=run, args=(i,), name=f"burst-{i}", daemon=True)
            for i in range(self.size)
        ]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + self.join_timeout
        for thread in threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        stuck = sum(thread.is_alive() for thread in threads)
        if stuck:
            raise NotJudged(
                f"{stuck} of {self.size} simultaneous requests did not finish within "
                f"{self.join_timeout:g} s"
            )
        volley = Volley()
        group = next(_groups)
        for result in results:
            if isinstance(result, threading.BrokenBarrierError):
                raise NotJudged(f"the {self.size} threads of a burst could not start together")
            if isinstance(result, requests.Response):
                RecordingSession.journal_entry(result).group = group
                volley.responses.append(result)
            elif isinstance(result, BaseException):
                volley.errors.append(result)
        return volley

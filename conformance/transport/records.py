"""What the transport records: every exchange (redacted), every 429, and the run's journal.

The journal keeps every exchange of the run and those of the current example (its evidence),
the 429s and what their retries got, and the bodies the target refused as business rules.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import requests

__all__ = ["MAX_429_PER_REQUEST", "Exchange", "Journal", "RateLimitEvent"]

MAX_429_PER_REQUEST = 5
"""A request answered 429 this many times in a row is given up ('not judged'): it bounds the
wait for one request, also when Retry-After is 0, and leaves the rest of the run's allowance
to other requests. RATE-NOT-STORED then asks whether the key itself is stuck."""


@dataclass
class Exchange:
    """One request and its response, with secrets already redacted."""

    method: str
    url: str
    request_headers: dict[str, str]
    request_body: str | None
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: str | None = None
    elapsed: float = 0.0
    error: str | None = None
    truncated: bool = False
    seq: int = 0
    """Position in the run, in the order responses arrived."""
    started: float = 0.0
    """When the request left (time.monotonic()): a reproduction waits where the run waited."""
    request_lines: list[tuple[str, str]] = field(default_factory=list)
    """The request's header lines as sent (redacted), a repeated name on lines of its own."""
    group: int = 0
    """Non-zero for the requests of one burst, sent simultaneously (set by `Burst.fire`)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "url": self.url,
            "request_headers": self.request_headers,
            "request_body": self.request_body,
            "status": self.status,
            "response_headers": self.response_headers,
            "response_body": self.response_body,
            "elapsed": round(self.elapsed, 4),
            "error": self.error,
            "truncated": self.truncated,
        }


@dataclass
class RateLimitEvent:
    """A 429 and what the unchanged retry got in the end."""

    method: str
    url: str
    idempotency_key: str | None
    had_retry_after: bool
    first_seq: int
    last_seq: int = 0
    answers_429: int = 1
    final_status: int | None = None
    request: requests.PreparedRequest | None = field(default=None, repr=False, compare=False)
    """The request as sent (with credentials: kept in memory for a re-check, never reported)."""

    @property
    def gave_up(self) -> bool:
        return self.final_status is None and self.answers_429 >= MAX_429_PER_REQUEST


class Journal:
    """Where exchanges land: every exchange of the run, and those of the current example."""

    def __init__(self) -> None:
        self.all: list[Exchange] = []
        self.current: list[Exchange] = []
        self.cited: list[Exchange] = []
        """Earlier exchanges the current test named as what it failed on (run-wide checks)."""
        self.rate_limits: list[RateLimitEvent] = []
        self.refusals: list[str] = []
        """Well-formed bodies (not plain) the target refused as business rules of its own."""
        self.examples = 0
        """How many examples (or tests) have started: progress for long requirements."""
        self._lock = threading.Lock()

    def add(self, exchange: Exchange) -> None:
        with self._lock:
            exchange.seq = len(self.all)
            self.all.append(exchange)
            self.current.append(exchange)

    def cite(self, exchanges: list[Exchange]) -> None:
        """Show earlier exchanges as evidence of the current test (e.g. for run-wide checks)."""
        with self._lock:
            self.current.extend(exchanges)
            self.cited.extend(exchanges)

    def new_example(self) -> None:
        """Start a new example (or test): earlier exchanges are no longer its evidence."""
        with self._lock:
            self.current = []
            self.cited = []
            self.examples += 1

"""The one HTTP client of the suite: it records every exchange (redacted), keeps the request
budget, waits out 429 answers and retries them unchanged, and caps what it reads.

Everything that talks to the target (the suite's own builders and schemathesis' `case.call`)
goes through `RecordingSession.send`, so these rules hold for every request of a run.
"""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from conformance.redact import Redactor

MAX_BODY_BYTES = 1 << 20
"""Responses are read up to this many (decoded) bytes; the rest is dropped and noted."""
MAX_SINGLE_WAIT = 10.0
"""The longest single wait for one 429, whatever Retry-After says."""


class NotJudged(Exception):
    """The run could not judge a requirement: the budget ran out, or the target did not answer."""


class BudgetExhausted(NotJudged):
    pass


class TargetUnreachable(NotJudged):
    pass


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


class Budget:
    """A thread-safe request counter that refuses to exceed its limit."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.used = 0
        self._lock = threading.Lock()

    def take(self) -> None:
        with self._lock:
            if self.limit is not None and self.used >= self.limit:
                raise BudgetExhausted(f"the request budget of {self.limit} is spent")
            self.used += 1


class Journal:
    """Where exchanges land: every exchange of the run, and those of the current example."""

    def __init__(self) -> None:
        self.all: list[Exchange] = []
        self.current: list[Exchange] = []
        self.rate_limits: list[RateLimitEvent] = []
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

    def new_example(self) -> None:
        """Start a new example (or test): earlier exchanges are no longer its evidence."""
        with self._lock:
            self.current = []


class RecordingSession(requests.Session):
    def __init__(
        self,
        *,
        journal: Journal,
        budget: Budget,
        redactor: Redactor,
        timeout: float,
        max_rate_limit_wait: float,
        verify: bool | str = True,
        wait: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__()
        self.journal, self.budget, self.redactor = journal, budget, redactor
        self.timeout = timeout
        self.rate_limit_wait_left = max_rate_limit_wait
        self.verify = verify
        self.trust_env = False
        self._wait = wait
        self.headers.clear()
        self.headers["User-Agent"] = "devdraft-conformance"

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        kwargs["allow_redirects"] = False
        kwargs["stream"] = True
        kwargs.setdefault("timeout", self.timeout)
        if kwargs["timeout"] is None:
            kwargs["timeout"] = self.timeout
        event: RateLimitEvent | None = None
        attempt = 0
        while True:
            response = self._send_once(request, **kwargs)
            if response.status_code != 429:
                if event:
                    event.final_status = response.status_code
                return response
            seq = self.journal.all[-1].seq
            if event is None:
                event = RateLimitEvent(
                    request.method or "",
                    self.redactor.text(request.url or ""),
                    request.headers.get("Idempotency-Key"),
                    "Retry-After" in response.headers,
                    first_seq=seq,
                )
                self.journal.rate_limits.append(event)
            else:
                event.answers_429 += 1
            event.last_seq = seq
            self._wait_out(response, attempt)
            attempt += 1

    def _wait_out(self, response: requests.Response, attempt: int) -> None:
        delay = retry_after_seconds(response.headers.get("Retry-After"))
        if delay is None:
            delay = min(0.25 * 2**attempt, MAX_SINGLE_WAIT)
        delay = min(delay, MAX_SINGLE_WAIT)
        if delay > self.rate_limit_wait_left:
            raise NotJudged(
                "the target kept answering 429; the run's bounded wait for rate limits is spent"
            )
        self.rate_limit_wait_left -= delay
        self._wait(delay)

    def _send_once(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        self.budget.take()
        exchange = Exchange(
            method=request.method or "",
            url=self.redactor.text(request.url or ""),
            request_headers=self.redactor.headers(dict(request.headers)),
            request_body=self.redactor.text(_as_text(request.body)),
        )
        started = time.monotonic()
        try:
            response = super().send(request, **kwargs)
            exchange.truncated = _read_capped(response)
        except requests.RequestException as error:
            exchange.elapsed = time.monotonic() - started
            exchange.error = self.redactor.text(describe_transport_error(error))
            self.journal.add(exchange)
            raise TargetUnreachable(exchange.error) from None
        exchange.elapsed = time.monotonic() - started
        exchange.status = response.status_code
        exchange.response_headers = self.redactor.headers(dict(response.headers))
        exchange.response_body = self.redactor.text(response.content.decode("utf-8", "replace"))
        self.journal.add(exchange)
        return response


def _as_text(body: bytes | str | None) -> str | None:
    if body is None:
        return None
    return body.decode("utf-8", "replace") if isinstance(body, bytes) else body


def _read_capped(response: requests.Response) -> bool:
    """Read at most MAX_BODY_BYTES of decoded content; True when the body was cut."""
    chunks: list[bytes] = []
    size = 0
    truncated = False
    for chunk in response.raw.stream(65536, decode_content=True):
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            truncated = True
            break
    response._content = b"".join(chunks)[:MAX_BODY_BYTES]
    response._content_consumed = True
    response.close()
    return truncated


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def describe_transport_error(error: requests.RequestException) -> str:
    """One readable line for a transport failure (refused, DNS, TLS, timeout)."""
    text = str(error)
    if isinstance(error, requests.exceptions.SSLError):
        return f"TLS error: {_last_reason(text)}"
    if isinstance(error, requests.exceptions.Timeout):
        return f"no answer within the timeout: {_last_reason(text)}"
    if isinstance(error, requests.exceptions.ConnectionError):
        if (
            "Name or service not known" in text
            or "nodename nor servname" in text
            or "Temporary failure in name resolution" in text
            or "getaddrinfo" in text
        ):
            return f"the host name does not resolve: {_last_reason(text)}"
        if "Connection refused" in text:
            return "connection refused"
        return f"connection failed: {_last_reason(text)}"
    return f"{type(error).__name__}: {_last_reason(text)}"


def _last_reason(text: str) -> str:
    reason = text.rsplit("(Caused by ", 1)[-1].rstrip(")")
    return reason[:200]

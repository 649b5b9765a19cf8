"""The one session every request of a run goes through: recorded, budgeted, paced, capped.

`RecordingSession.send` records every exchange (redacted), keeps the request budget, paces
requests to the target's rate (the run's shared Pacer), waits out 429 answers and retries them
unchanged, caps what it reads, ends every request at its timeout (in total, not per read: a
target that trickles a byte a second is cut off too), and never follows a redirect
(credentials stay with the target they were given for).

Everything that talks to the target (the suite's own builders and schemathesis' `case.call`)
goes through `RecordingSession.send`, so these rules hold for every request of a run.
"""

from __future__ import annotations

import email.utils
import time
from typing import Any

import requests
import urllib3

from conformance.transport.budget import Budget
from conformance.transport.deadline import Deadline, DeadlineAdapter
from conformance.transport.errors import (
    ALLOWANCE_SPENT,
    Interrupted,
    NotJudged,
    Redirected,
    TargetUnreachable,
    describe_transport_error,
)
from conformance.transport.pacing import Pacer, WaitAllowance
from conformance.transport.records import MAX_429_PER_REQUEST, Exchange, Journal, RateLimitEvent
from conformance.transport.redaction import Redactor

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_SINGLE_WAIT",
    "RECORDED_BODY_CHARS",
    "RecordingSession",
    "retry_after_seconds",
]


MAX_BODY_BYTES = 1 << 20
"""Responses are read up to this many (decoded) bytes; the rest is dropped and noted."""
RECORDED_BODY_CHARS = 64 * 1024
"""An exchange keeps this much of a response body as evidence (the run keeps every exchange);
a longer one is cut and marked truncated, and run-wide checks leave truncated ones alone."""
MAX_SINGLE_WAIT = 10.0
"""The longest single wait for one 429, whatever Retry-After says."""


class RecordingSession(requests.Session):
    """A requests session that records, budgets, paces and caps every request it sends."""

    verify: bool | str
    """True, or the CA bundle the target's certificate is checked against (never None)."""

    def __init__(
        self,
        *,
        journal: Journal,
        budget: Budget,
        redactor: Redactor,
        timeout: float,
        max_rate_limit_wait: float | WaitAllowance = 0.0,
        verify: bool | str = True,
        pacer: Pacer | None = None,
    ) -> None:
        """`pacer` is the run's (shared by every session of the run); without one the session
        makes its own, waiting at most `max_rate_limit_wait` seconds in all."""
        super().__init__()
        self.journal, self.budget, self.redactor = journal, budget, redactor
        self.timeout = timeout
        if pacer is None:
            allowance = (
                max_rate_limit_wait
                if isinstance(max_rate_limit_wait, WaitAllowance)
                else WaitAllowance(max_rate_limit_wait)
            )
            pacer = Pacer(allowance, sleep=budget.pause)
        self.pacer = pacer
        self.verify = verify
        self.trust_env = False
        self.headers.clear()
        self.headers["User-Agent"] = "devdraft-conformance"
        for prefix in ("http://", "https://"):
            self.mount(prefix, DeadlineAdapter())

    @property
    def allowance(self) -> WaitAllowance:
        return self.pacer.allowance

    @property
    def rate_limit_wait_left(self) -> float:
        return self.allowance.left

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        kwargs["allow_redirects"] = False
        kwargs["stream"] = True
        kwargs.setdefault("timeout", self.timeout)
        if kwargs["timeout"] is None:
            kwargs["timeout"] = self.timeout
        event: RateLimitEvent | None = None
        attempt = 0
        while True:
            if not self.pacer.wait_turn():
                raise NotJudged(ALLOWANCE_SPENT)
            response = self._send_once(request, **kwargs)
            if response.status_code != 429:
                self.pacer.answered()
                if event:
                    event.final_status = response.status_code
                if 300 <= response.status_code < 400:
                    raise Redirected(self.journal_entry(response))
                return response
            seq = self.journal_entry(response).seq  # this request's, whatever other threads sent
            if event is None:
                event = RateLimitEvent(
                    request.method or "",
                    self.redactor.text(request.url or ""),
                    request.headers.get("Idempotency-Key"),
                    "Retry-After" in response.headers,
                    first_seq=seq,
                    request=request,
                )
                self.journal.rate_limits.append(event)
            else:
                event.answers_429 += 1
            event.last_seq = seq
            if event.answers_429 >= MAX_429_PER_REQUEST:
                raise NotJudged(
                    f"the target answered 429 to the same request {MAX_429_PER_REQUEST} times"
                )
            self._wait_out(response, attempt)
            attempt += 1

    def _wait_out(self, response: requests.Response, attempt: int) -> None:
        """Pause the run (every session) until the retry may go: Retry-After, else a backoff."""
        delay = retry_after_seconds(response.headers.get("Retry-After"))
        retry_after = delay is not None
        if delay is None:
            delay = min(0.25 * 2**attempt, MAX_SINGLE_WAIT)
        delay = min(delay, MAX_SINGLE_WAIT)
        if not self.pacer.rate_limited(delay, retry_after=retry_after):
            raise NotJudged(ALLOWANCE_SPENT)

    def send_once(self, request: requests.PreparedRequest) -> requests.Response:
        """One attempt, no 429 handling: for re-checking a request that was given up on."""
        return self._send_once(request, allow_redirects=False, stream=True, timeout=self.timeout)

    def _send_once(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        self.budget.take()
        exchange = Exchange(
            method=request.method or "",
            url=self.redactor.text(request.url or ""),
            request_headers=self.redactor.headers(dict(request.headers)),
            request_body=self.redactor.text(_as_text(request.body)),
            request_lines=[
                (name, self.redactor.text(value) or "") for name, value in request.headers.items()
            ],
        )
        started = exchange.started = time.monotonic()
        deadline = Deadline(self.timeout)
        try:
            with deadline:
                response = super().send(request, **kwargs)
                exchange.truncated = _read_capped(response)
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as error:
            if self.budget.stopped:
                raise Interrupted(self.budget.stopped) from None  # cut off by the stop itself
            exchange.elapsed = time.monotonic() - started
            described = (
                f"no complete answer within the timeout of {self.timeout:g} s"
                if deadline.expired
                else describe_transport_error(error)
            )
            exchange.error = self.redactor.text(described)
            self.journal.add(exchange)
            raise TargetUnreachable(exchange.error) from None
        exchange.elapsed = time.monotonic() - started
        self._redact(response)
        exchange.status = response.status_code
        exchange.response_headers = dict(response.headers)
        body = response.content.decode("utf-8", "replace")
        if len(body) > RECORDED_BODY_CHARS:
            body, exchange.truncated = body[:RECORDED_BODY_CHARS], True
        exchange.response_body = body
        self.journal.add(exchange)
        response.conformance_exchange = exchange  # type: ignore[attr-defined]
        return response

    def _redact(self, response: requests.Response) -> None:
        """A target that echoes the credentials back must not get them into a failure message
        or an excerpt (cut to a length, a half secret would survive a later redaction), so
        the tests only ever see the response with every secret already replaced."""
        response._content = self.redactor.content(response.content)
        response.reason = self.redactor.text(response.reason) or ""
        for name, value in list(response.headers.items()):
            response.headers[name] = self.redactor.text(value) or ""

    @staticmethod
    def journal_entry(response: requests.Response) -> Exchange:
        """The recorded (redacted) exchange of a response this session returned."""
        exchange: Exchange = response.conformance_exchange  # type: ignore[attr-defined]
        return exchange


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
    # requests' own mark of a body read whole (iter_content then replays _content, close()
    # hands the connection back); its type stubs do not declare it.
    response.__dict__["_content_consumed"] = True
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

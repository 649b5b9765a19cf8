"""The one HTTP client of the suite: it records every exchange (redacted), keeps the request
budget, paces requests to the target's rate (the run's shared Pacer), waits out 429 answers
and retries them unchanged, caps what it reads, ends every request at its timeout (in total,
not per read: a target that trickles a byte a second is cut off too), and never follows a
redirect (credentials stay with the target they were given for).

Everything that talks to the target (the suite's own builders and schemathesis' `case.call`)
goes through `RecordingSession.send`, so these rules hold for every request of a run.
"""

from __future__ import annotations

import contextlib
import email.utils
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from conformance.transport.pacing import Pacer, WaitAllowance
from conformance.transport.redaction import Redactor

MAX_BODY_BYTES = 1 << 20
"""Responses are read up to this many (decoded) bytes; the rest is dropped and noted."""
RECORDED_BODY_CHARS = 64 * 1024
"""An exchange keeps this much of a response body as evidence (the run keeps every exchange);
a longer one is cut and marked truncated, and run-wide checks leave truncated ones alone."""
MAX_SINGLE_WAIT = 10.0
"""The longest single wait for one 429, whatever Retry-After says."""
MAX_429_PER_REQUEST = 5
"""A request answered 429 this many times in a row is given up ('not judged'): it bounds the
wait for one request, also when Retry-After is 0, and leaves the rest of the run's allowance
to other requests. RATE-NOT-STORED then asks whether the key itself is stuck."""


class NotJudged(Exception):
    """The run could not judge a requirement: the budget ran out, or the target did not answer."""


class BudgetExhausted(NotJudged):
    pass


class TargetUnreachable(NotJudged):
    pass


class Interrupted(KeyboardInterrupt):
    """The run was told to stop (SIGINT or SIGTERM): no request leaves after it. A
    KeyboardInterrupt, so that no `except Exception` of a test or a library can swallow it and
    pytest ends the session the way it does for Ctrl-C."""


class Redirected(AssertionError):
    """The target answered a 3xx. Redirects are never followed: the request's credentials are
    for the target, not for wherever it points. A failure of the requirement whose request was
    redirected, shaped like a ConformanceFailure (title, expected, received)."""

    title = "The target redirected the request"
    expected = "an answer from the target itself (the suite does not follow redirects)"

    def __init__(self, exchange: Exchange) -> None:
        location = exchange.response_headers.get("Location", "(no Location header)")
        self.received = f"{exchange.status} from {exchange.method} {exchange.url} to {location}"
        super().__init__(f"{self.title}\nExpected: {self.expected}\nReceived: {self.received}")


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


ALLOWANCE_SPENT = (
    "the target kept answering 429; the run's bounded wait for rate limits is spent (raise "
    "--max-rate-limit-wait, or overlap the waits with --workers N)"
)
"""Why a request is given up when the target's waits no longer fit in --max-rate-limit-wait."""


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


class RecordingSession(requests.Session):
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
            self.mount(prefix, _DeadlineAdapter())

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
        deadline = _Deadline(self.timeout)
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
        content = response.content
        for secret, shown in self.redactor.placeholders:
            content = content.replace(secret.encode(), shown.encode())
        response._content = content
        response.reason = self.redactor.text(response.reason) or ""
        for name, value in list(response.headers.items()):
            response.headers[name] = self.redactor.text(value) or ""

    @staticmethod
    def journal_entry(response: requests.Response) -> Exchange:
        """The recorded (redacted) exchange of a response this session returned."""
        exchange: Exchange = response.conformance_exchange  # type: ignore[attr-defined]
        return exchange


# ---- the total deadline of one request -------------------------------------------------------
# requests' timeout bounds each read, so a target that sends a byte a second never times out.
# A _Deadline arms a timer for the whole request (connect, head, body); the connection the
# request goes out on registers with it, and when the timer fires the socket is shut down,
# which ends any read in progress with an error.
_in_flight = threading.local()
_armed: set[_Deadline] = set()
"""Every request deadline in force, of every thread: `abort_in_flight` ends them all."""
_armed_lock = threading.Lock()


def abort_in_flight() -> None:
    """End every request in progress now, as if its deadline had passed."""
    with _armed_lock:
        deadlines = list(_armed)
    for deadline in deadlines:
        deadline.expire()


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._connection: HTTPConnection | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self.expire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
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
        deadline: _Deadline | None = getattr(_in_flight, "deadline", None)
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


class _DeadlineAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _WatchedHTTPPool,
            "https": _WatchedHTTPSPool,
        }


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


def describe_transport_error(error: Exception) -> str:
    """One readable line for a transport failure (refused, DNS, TLS, timeout)."""
    text = str(error)
    if isinstance(error, requests.exceptions.SSLError):
        return f"TLS error: {describe_tls_error(text)}"
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return "no connection within the timeout"
    if isinstance(error, requests.exceptions.Timeout):
        return "no answer within the timeout"
    if isinstance(error, requests.exceptions.ConnectionError):
        if (
            "Name or service not known" in text
            or "nodename nor servname" in text
            or "Temporary failure in name resolution" in text
            or "getaddrinfo" in text
        ):
            return "the host name does not resolve"
        if "Connection refused" in text:
            return "connection refused"
        return f"connection failed: {_last_reason(text)}"
    if isinstance(error, requests.RequestException):
        return f"{type(error).__name__}: {_last_reason(text)}"
    return f"the connection broke while reading the response ({type(error).__name__})"


_NOT_TLS = (
    "WRONG_VERSION_NUMBER",
    "RECORD_LAYER_FAILURE",
    "PACKET_LENGTH_TOO_LONG",
    "HTTP_REQUEST",
)
"""OpenSSL's words for a server that answered the handshake in plain HTTP."""


def describe_tls_error(text: str) -> str:
    """A TLS failure in plain words, with the fix: the OpenSSL reason, not Python's repr."""
    found = re.search(r"\[SSL: ([A-Z0-9_]+)\] (.*?)\.?(?: \(_ssl\.c:\d+\)|'\)|\"\)|$)", text)
    if found is None:
        return "the TLS handshake failed" + (
            " (the server closed the connection)" if "EOF" in text else ""
        )
    code, words = found.group(1), found.group(2).strip()
    if code in _NOT_TLS:
        return f"the server does not speak TLS ({words}); is the target http, not https?"
    if code == "CERTIFICATE_VERIFY_FAILED":
        detail = words.partition("certificate verify failed:")[2].strip() or words
        if "mismatch" in detail:
            return (
                f"certificate verify failed ({detail}): the certificate is not for this host; "
                "check the host in --base-url"
            )
        if "expired" in detail:
            return f"certificate verify failed ({detail}): the target's certificate has expired"
        return (
            f"certificate verify failed ({detail}): the target's certificate is not trusted; "
            "pass --ca-bundle PATH with the CA that signed it"
        )
    return f"the TLS handshake failed ({words})"


def _last_reason(text: str) -> str:
    reason = text.rsplit("(Caused by ", 1)[-1].rstrip(")")
    return reason[:200]

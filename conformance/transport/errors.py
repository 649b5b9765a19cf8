"""What goes wrong between the suite and a target: the transport's exceptions, in plain words.

`NotJudged` and its kinds leave a requirement 'not judged' (the budget ran out, the target did
not answer); `Interrupted` stops the run; `Redirected` fails the requirement whose request was
redirected. `describe_transport_error` turns a failed connection into one readable line.
"""

from __future__ import annotations

import re

import requests

from conformance.transport.records import Exchange

__all__ = [
    "ALLOWANCE_SPENT",
    "BudgetExhausted",
    "Interrupted",
    "NotJudged",
    "Redirected",
    "TargetUnreachable",
    "describe_tls_error",
    "describe_transport_error",
]

ALLOWANCE_SPENT = (
    "the target kept answering 429; the run's bounded wait for rate limits is spent (raise "
    "--max-rate-limit-wait, or overlap the waits with --workers N)"
)
"""Why a request is given up when the target's waits no longer fit in --max-rate-limit-wait."""


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

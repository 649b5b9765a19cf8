"""Rate limiting now and then. A 429 is never by itself a failure: RATE-LIMIT (SHOULD carry
Retry-After) and RATE-NOT-STORED (the retry is processed) judge it, and only they do, so a 429
may also come from a gateway in front of the API, in its own words (ERR-SHAPE, SCHEMA-RESPONSES).

The EveryNth ones answer 429 to every `every`-th request counted in its process, with no side
effect: a count-based limiter, which no pacing avoids. Every 100th keeps a fast-profile run's
waits well under the suite's allowance; every 7th waits about a second per seven requests, so
the self-test runs those variants with --workers 4, which overlaps the waits. The token bucket
limits each client's rate, as most gateways do; the suite's pacer keeps under it.
"""

from __future__ import annotations

import email.utils
import itertools
import threading
import time

from ..model import ApiError, Reply
from ..ratelimit import RateLimiter
from ..settings import Settings
from ..store import Store
from .registry import Variant, variant

__all__ = [
    "EVERY_7TH_WAIT",
    "Every7th429",
    "Every7thBare429",
    "Every7thRetryAfterDate",
    "EveryNth",
    "Flaky429",
    "Gateway429",
    "RetryAfterDate",
    "TokenBucket50",
]


class EveryNth(Variant):
    """Counts requests; `nth()` is true for every `every`-th one."""

    every = 100
    runs_alone = True

    def __init__(self, store: Store, settings: Settings) -> None:
        super().__init__(store, settings)
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    def nth(self) -> bool:
        with self._lock:
            return next(self._counter) % self.every == 0


@variant
class Flaky429(EveryNth):
    name = "flaky-429"
    summary = "every 100th request gets 429 with Retry-After: 1 (RATE-LIMIT, RATE-NOT-STORED)"

    async def throttle(self, client: str) -> None:
        if self.nth():
            raise ApiError(429, "Too Many Requests", {"Retry-After": "1"})
        await super().throttle(client)


@variant
class RetryAfterDate(EveryNth):
    name = "retry-after-date"
    summary = (
        "every 100th request gets 429 with Retry-After as an HTTP-date a second ahead "
        "(RATE-LIMIT: Retry-After in either form)"
    )

    async def throttle(self, client: str) -> None:
        if self.nth():
            when = email.utils.formatdate(time.time() + 1, usegmt=True)
            raise ApiError(429, "Too Many Requests", {"Retry-After": when})
        await super().throttle(client)


@variant
class Gateway429(EveryNth):
    name = "gateway-429"
    summary = (
        'every 100th request gets a gateway\'s text/plain 429 "Too Many Requests", before '
        "the API sees it (ERR-SHAPE, SCHEMA-RESPONSES: a 429 is judged only by RATE-*)"
    )

    async def on_request(self) -> None:
        if self.nth():
            raise ApiError(429, "Too Many Requests", {"Retry-After": "1"})

    def render_error(self, error: ApiError) -> Reply:
        if error.status != 429:
            return super().render_error(error)
        return Reply(429, b"Too Many Requests", error.headers, "text/plain; charset=utf-8")


EVERY_7TH_WAIT = ("--workers", "4")
"""A whole run against every-7th waits about a second per seven requests (about 110 s in the
smoke profile, 250 s in the fast one, serially); four parts wait side by side."""


@variant
class Every7th429(Flaky429):
    name = "every-7th-429"
    every = 7
    summary = (
        "every 7th request gets 429 with Retry-After: 1, a count-based limiter "
        "(RATE-LIMIT, RATE-NOT-STORED)"
    )
    suite_options = EVERY_7TH_WAIT


@variant
class Every7thRetryAfterDate(RetryAfterDate):
    name = "every-7th-429-date"
    every = 7
    summary = (
        "every 7th request gets 429 with Retry-After as an HTTP-date a second ahead, a "
        "count-based limiter (RATE-LIMIT: Retry-After in either form)"
    )
    suite_options = EVERY_7TH_WAIT


@variant
class TokenBucket50(Variant):
    name = "token-bucket-50"
    summary = (
        "a token bucket of 50 requests/s per client (bursts of 50): above it 429 with "
        "Retry-After in whole seconds (RATE-LIMIT, RATE-NOT-STORED)"
    )
    runs_alone = True

    def __init__(self, store: Store, settings: Settings) -> None:
        super().__init__(store, settings)
        self.limiter = RateLimiter(50)


@variant
class Every7thBare429(EveryNth):
    name = "every-7th-429-bare"
    every = 7
    summary = (
        "every 7th request gets 429 without Retry-After, a count-based limiter (RATE-LIMIT: "
        "Retry-After is a SHOULD; RATE-NOT-STORED)"
    )
    warns = ("RATE-LIMIT",)
    suite_options = EVERY_7TH_WAIT

    async def throttle(self, client: str) -> None:
        if self.nth():
            raise ApiError(429, "Too Many Requests")
        await super().throttle(client)

"""Rate limiting now and then. A 429 is never by itself a failure: RATE-LIMIT (SHOULD carry
Retry-After) and RATE-NOT-STORED (the retry is processed) judge it."""

from __future__ import annotations

import itertools
import threading

from ..model import ApiError
from ..settings import Settings
from ..store import Store
from .registry import Variant, variant


@variant
class Flaky429(Variant):
    name = "flaky-429"
    summary = "every 100th request gets 429 with Retry-After: 1 (RATE-LIMIT, RATE-NOT-STORED)"
    every = 100

    def __init__(self, store: Store, settings: Settings) -> None:
        super().__init__(store, settings)
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    async def throttle(self, client: str) -> None:
        with self._lock:
            n = next(self._counter)
        if n % self.every == 0:
            raise ApiError(429, "Too Many Requests", {"Retry-After": "1"})
        await super().throttle(client)

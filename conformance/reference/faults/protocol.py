"""Protocol faults: error bodies, content types and rate limiting."""

from __future__ import annotations

import itertools
import threading

from ..behaviour import CONFLICT_MESSAGE
from ..model import ApiError, KeyedCall, Reply
from .registry import Fault, fault

__all__ = ["ConflictWithoutBody", "NotFoundAsText", "RateLimitWithoutRetryAfter", "Stores429"]


@fault
class ConflictWithoutBody(Fault):
    name = "conflict-without-body"
    summary = "a changed body under a used key gets 409 with no body"
    breaks = "CONFLICT-BODY"
    # Every 4xx must carry the error shape (ERR-SHAPE), and 409 is a documented status whose
    # body the spec describes (SCHEMA-RESPONSES): an empty 409 fails all three by definition.
    also_breaks = ("ERR-SHAPE", "SCHEMA-RESPONSES")

    def render_error(self, error: ApiError) -> Reply:
        if error.message == CONFLICT_MESSAGE:
            return Reply(409, b"", content_type="")
        return super().render_error(error)


@fault
class NotFoundAsText(Fault):
    name = "404-as-text-plain"
    summary = "404 answers carry Content-Type text/plain"
    breaks = "SCHEMA-RESPONSES"

    def render_error(self, error: ApiError) -> Reply:
        reply = super().render_error(error)
        if error.status == 404:
            return Reply(reply.status, reply.body, reply.headers, "text/plain")
        return reply


class _EveryNth(Fault):
    """Answers 429 to every `every`-th request of a kind (counted in this process)."""

    every = 100

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    def nth(self) -> bool:
        with self._lock:
            return next(self._counter) % self.every == 0


@fault
class RateLimitWithoutRetryAfter(_EveryNth):
    name = "429-without-retry-after"
    summary = "every 100th request gets 429 without Retry-After"
    breaks = "RATE-LIMIT"

    async def throttle(self, client: str) -> None:
        if self.nth():
            raise ApiError(429, "Too Many Requests")
        await super().throttle(client)


@fault
class Stores429(_EveryNth):
    name = "stores-429"
    summary = "every 50th keyed POST gets 429, stored under its key (the retry gets 429 forever)"
    breaks = "RATE-NOT-STORED"
    every = 50

    def run_in_transaction(self, call: KeyedCall) -> Reply:
        error = None
        with self.store.transaction() as tx:
            stored = self.lookup(tx, call)
            if stored is None and call.invalid is None and self.nth():
                error = ApiError(429, "Too Many Requests", {"Retry-After": "1"})
                self.save(tx, call, self.render_error(error))
        if error is not None:  # raised after the commit: inside, it would roll the save back
            raise error
        return super().run_in_transaction(call)

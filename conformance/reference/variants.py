"""Conformant variants: servers that make another allowed choice, one override each.

Each is correct on every MUST and SHOULD of REQUIREMENTS.md; the suite must pass them all
(a suite that fails one of them mistakes our choices for the contract).
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
import uuid
from datetime import UTC, datetime

from starlette.concurrency import run_in_threadpool

from .behaviour import CONFLICT_MESSAGE, Behaviour
from .model import ApiError, KeyedCall, Reply, StoredKey
from .settings import Settings
from .store import Store

VARIANTS: dict[str, type[Behaviour]] = {}


def variant(cls: type[Behaviour]) -> type[Behaviour]:
    if cls.name in VARIANTS:
        raise ValueError(f"duplicate variant name {cls.name!r}")
    VARIANTS[cls.name] = cls
    return cls


VARIANTS[Behaviour.name] = Behaviour


@variant
class UuidIds(Behaviour):
    name = "uuid-ids"
    summary = "ids are UUIDs; timestamps carry +00:00 and no milliseconds"

    def new_id(self, prefix: str) -> str:
        return str(uuid.uuid4())

    def now(self) -> str:
        return datetime.now(UTC).replace(microsecond=0).isoformat()


@variant
class Validation422(Behaviour):
    name = "validation-422"
    summary = "invalid bodies get 422 with message as a list of strings"

    def validation_error(self, messages: list[str]) -> ApiError:
        return ApiError(422, messages)


@variant
class ScopedKeys(Behaviour):
    name = "scoped-keys"
    summary = "keys are scoped per endpoint and resource (one key may serve several)"

    def key_scope(self, operation: str, resource: str) -> str:
        return f"{operation}:{resource}"


@variant
class ReplayHeader(Behaviour):
    name = "replay-header"
    summary = "replays carry Idempotent-Replayed: true"

    def replay(self, stored: StoredKey) -> Reply:
        reply = super().replay(stored)
        return Reply(reply.status, reply.body, {"Idempotent-Replayed": "true"}, reply.content_type)


@variant
class Flaky429(Behaviour):
    name = "flaky-429"
    summary = "every 100th request gets 429 with Retry-After: 1, with no side effect"
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


@variant
class Slow(Behaviour):
    name = "slow"
    summary = "every request takes about 20 ms longer"
    latency = 0.02

    async def on_request(self) -> None:
        await asyncio.sleep(self.latency)


@variant
class InflightConflict(Behaviour):
    name = "inflight-409"
    summary = "a duplicate that arrives while the first is in flight gets 409 (no waiting)"
    processing_delay = 0.02
    """Long enough for duplicates released together to find the key claimed, short enough
    that a whole suite run against this variant stays quick."""
    lease_seconds = 30.0
    """A claim older than this (its server died mid-request) no longer blocks the key."""

    async def run_idempotent(self, call: KeyedCall) -> Reply:
        early = await run_in_threadpool(self._claim, call)
        if early is not None:
            return early
        try:
            await asyncio.sleep(self.processing_delay)
            return await run_in_threadpool(self._finish, call)
        except BaseException:
            await run_in_threadpool(self._release, call)
            raise

    def _claim(self, call: KeyedCall) -> Reply | None:
        """Phase 1: replay, refuse, or claim the key (a "pending" row) and commit."""
        with self.store.transaction() as tx:
            stored = self.lookup(tx, call)
            if stored is not None and stored.state == "pending":
                if time.time() - stored.created_at > self.lease_seconds:
                    stored = None
                elif stored.fingerprint != call.fingerprint or (
                    stored.operation,
                    stored.resource,
                ) != (call.operation, call.resource):
                    raise ApiError(409, CONFLICT_MESSAGE)
                else:
                    raise ApiError(409, "A request with this idempotency key is in progress")
            if stored is not None:
                return self.answer_existing(stored, call)
            if call.invalid is not None:
                raise call.invalid
            tx.put_key(call.stored_key("pending"))
        return None

    def _finish(self, call: KeyedCall) -> Reply:
        """Phase 2: perform and store the response (or free the key) in one transaction."""
        with self.store.transaction() as tx:
            try:
                reply = call.perform(tx)
            except ApiError as exc:
                error = exc
                tx.delete_key(call.client, call.scope, call.key)
            else:
                if self.stores(reply):
                    self.save(tx, call, reply)
                else:
                    tx.delete_key(call.client, call.scope, call.key)
                return reply
        raise error

    def _release(self, call: KeyedCall) -> None:
        with self.store.transaction() as tx:
            stored = tx.get_key(call.client, call.scope, call.key)
            if stored is not None and stored.state == "pending":
                tx.delete_key(call.client, call.scope, call.key)

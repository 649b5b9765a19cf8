"""Other ways to keep idempotency keys: their scope, replay markers, what a duplicate in flight
gets."""

from __future__ import annotations

import asyncio
import time

from starlette.concurrency import run_in_threadpool

from ..behaviour import CONFLICT_MESSAGE
from ..model import ApiError, KeyedCall, Reply, StoredKey
from .registry import Variant, variant


@variant
class ScopedKeys(Variant):
    name = "scoped-keys"
    summary = (
        "keys are scoped per endpoint and resource, one key may serve several "
        "(CONFLICT-CROSS-OPERATION: a fresh result)"
    )

    def key_scope(self, operation: str, resource: str) -> str:
        return f"{operation}:{resource}"


@variant
class ReplayHeader(Variant):
    name = "replay-header"
    summary = "replays carry Idempotent-Replayed: true (REPLAY-MARKER is INFO)"

    def replay(self, stored: StoredKey) -> Reply:
        reply = super().replay(stored)
        return Reply(reply.status, reply.body, {"Idempotent-Replayed": "true"}, reply.content_type)


@variant
class InflightConflict(Variant):
    name = "inflight-409"
    summary = (
        "a duplicate that arrives while the first is in flight gets 409, no waiting "
        "(CONC-CREATE: 409 or 429)"
    )
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

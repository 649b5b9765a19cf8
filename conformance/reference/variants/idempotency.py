"""Other ways to keep idempotency keys: their scope, replay markers, what a duplicate in flight
gets, what an invalid body does to its key, and a wider key alphabet."""

from __future__ import annotations

import asyncio
import re
import time

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers

from ..model import ApiError, KeyedCall, Reply, StoredKey
from ..store import Transaction
from .registry import Variant, variant

__all__ = [
    "PRINTABLE_KEY",
    "Inflight429",
    "InflightConflict",
    "KeysPerOperation",
    "MarkedReplays",
    "PrintableKeys",
    "ReplayHeader",
    "ScopedKeys",
    "StoredValidationError",
    "XReplayHeader",
]

PRINTABLE_KEY = re.compile(r"[!-~]{6,64}")


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
class KeysPerOperation(Variant):
    name = "keys-per-operation"
    summary = (
        "keys are scoped per operation: a create key also serves one refund; a refund key on "
        "another payment gets 409 (CONFLICT-CROSS-OPERATION)"
    )

    def key_scope(self, operation: str, resource: str) -> str:
        return operation


class MarkedReplays(Variant):
    """Replays carry the header `marker`, set to "true"."""

    marker = ""

    def replay(self, stored: StoredKey) -> Reply:
        reply = super().replay(stored)
        return Reply(reply.status, reply.body, {self.marker: "true"}, reply.content_type)


@variant
class ReplayHeader(MarkedReplays):
    name = "replay-header"
    summary = "replays carry Idempotent-Replayed: true (REPLAY-MARKER is INFO)"
    marker = "Idempotent-Replayed"


@variant
class XReplayHeader(MarkedReplays):
    name = "x-replay-header"
    summary = "replays carry X-Idempotency-Replayed: true (REPLAY-MARKER is INFO)"
    marker = "X-Idempotency-Replayed"


@variant
class StoredValidationError(Variant):
    name = "stored-validation-400"
    summary = (
        "a key first used with an invalid body keeps that 400: the same body replays it, "
        "another gets 409 (PAY-VALIDATION-KEY is INFO)"
    )

    def claim(self, tx: Transaction, call: KeyedCall) -> Reply | None:
        try:
            return super().claim(tx, call)
        except ApiError as refused:
            if refused is not call.invalid:
                raise
            reply = self.render_error(refused)
            self.save(tx, call, reply)
            return reply


@variant
class PrintableKeys(Variant):
    name = "printable-keys"
    summary = (
        "keys may hold any printable ASCII but space, e.g. order:42/a "
        "(KEY-ALPHABET: other punctuation is a SHOULD, may warn)"
    )
    warns = ("KEY-ALPHABET",)

    def read_key(self, headers: Headers) -> str:
        values = headers.getlist("idempotency-key")
        if len(values) == 1 and PRINTABLE_KEY.fullmatch(values[0]):
            return values[0]
        return super().read_key(headers)


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

    def in_flight_error(self) -> ApiError:
        return ApiError(409, "A request with this idempotency key is in progress")

    async def run_idempotent(self, call: KeyedCall) -> Reply:
        early = await run_in_threadpool(self.in_transaction, self.claim, call)
        if early is not None:
            return early
        try:
            await asyncio.sleep(self.processing_delay)
            return await run_in_threadpool(self.in_transaction, self.finish, call)
        except BaseException:
            await run_in_threadpool(self._release, call)
            raise

    def lookup(self, tx: Transaction, call: KeyedCall) -> StoredKey | None:
        stored = super().lookup(tx, call)
        stale = stored is not None and time.time() - stored.created_at > self.lease_seconds
        if stored is not None and stored.state == "pending" and stale:
            return None  # its server died mid-request: the claim no longer blocks the key
        return stored

    def answer_existing(self, stored: StoredKey, call: KeyedCall) -> Reply:
        same = (stored.fingerprint, stored.operation, stored.resource)
        if stored.state == "pending" and same == (call.fingerprint, call.operation, call.resource):
            raise self.in_flight_error()
        return super().answer_existing(stored, call)

    def claim(self, tx: Transaction, call: KeyedCall) -> Reply | None:
        """Phase 1 commits a "pending" row, so a duplicate arriving meanwhile finds it."""
        answered = super().claim(tx, call)
        if answered is None:
            tx.put_key(call.stored_key("pending"))
        return answered

    def finish(self, tx: Transaction, call: KeyedCall) -> Reply:
        reply = super().finish(tx, call)
        if not self.stores(reply):
            tx.delete_key(call.client, call.scope, call.key)
        return reply

    def _release(self, call: KeyedCall) -> None:
        """Frees the key of a call that failed between its phases (the claim stays otherwise)."""
        with self.store.transaction() as tx:
            stored = tx.get_key(call.client, call.scope, call.key)
            if stored is not None and stored.state == "pending":
                tx.delete_key(call.client, call.scope, call.key)


@variant
class Inflight429(InflightConflict):
    name = "inflight-429"
    summary = (
        "a duplicate that arrives while the first is in flight gets 429 with Retry-After: 1 "
        "(CONC-CREATE: 409 or 429)"
    )

    def in_flight_error(self) -> ApiError:
        message = "A request with this idempotency key is in progress"
        return ApiError(429, message, {"Retry-After": "1"})

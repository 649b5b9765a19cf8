"""Authentication faults: credentials checked too late, too little, or remembered."""

from __future__ import annotations

import json

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import Request

from ..canonical import is_valid_key
from ..model import ApiError, KeyedCall, Reply, StoredKey, dump_json
from ..store import Transaction
from .registry import Fault, fault

__all__ = [
    "KeysSharedBetweenClients",
    "LookupBeforeAuth",
    "RefusedCreateStillProcessed",
    "SecretOptional",
    "Stores401",
    "UnauthorizedGetLeaksPayment",
]


class _StoredReply(ApiError):
    """Carries a stored response out of `authenticate` (answered as is by `render_error`)."""

    def __init__(self, stored: StoredKey) -> None:
        super().__init__(stored.status or 500, "stored response")
        self.stored = stored


@fault
class LookupBeforeAuth(Fault):
    name = "lookup-before-auth"
    summary = "a used key with a wrong secret gets the stored response instead of 401"
    breaks = "AUTH-BEFORE-REPLAY"

    def authenticate(self, headers: Headers) -> str:
        try:
            return super().authenticate(headers)
        except ApiError:
            claimed, key = headers.get("x-client-key", ""), headers.get("idempotency-key", "")
            with self.store.transaction() as tx:
                stored = tx.get_key(claimed, "", key)
            if stored is None or stored.status is None:
                raise
            raise _StoredReply(stored) from None

    def render_error(self, error: ApiError) -> Reply:
        if isinstance(error, _StoredReply):
            return self.replay(error.stored)
        return super().render_error(error)


@fault
class Stores401(Fault):
    name = "stores-401"
    summary = "a 401 is stored under the key; the retry with valid credentials replays it"
    breaks = "AUTH-NOT-STORED"

    async def create(self, request: Request) -> Reply:
        try:
            return await super().create(request)
        except ApiError as error:
            await self._remember(request, error, "create", "")
            raise

    async def refund(self, request: Request, payment_id: str) -> Reply:
        try:
            return await super().refund(request, payment_id)
        except ApiError as error:
            await self._remember(request, error, "refund", payment_id)
            raise

    async def _remember(self, request: Request, error: ApiError, op: str, resource: str) -> None:
        key = request.headers.get("idempotency-key", "")
        if error.status != 401 or not is_valid_key(key):
            return
        call = KeyedCall(
            client=request.headers.get("x-client-key", ""),
            key=key,
            scope=self.key_scope(op, resource),
            operation=op,
            resource=resource,
            fingerprint=self.fingerprint(
                op, await request.body(), request.headers.get("content-type")
            ),
            perform=lambda tx: self.render_error(error),
        )
        await run_in_threadpool(self._store_if_free, call, self.render_error(error))

    def _store_if_free(self, call: KeyedCall, reply: Reply) -> None:
        with self.store.transaction() as tx:
            if tx.get_key(call.client, call.scope, call.key) is None:
                self.save(tx, call, reply)


@fault
class KeysSharedBetweenClients(Fault):
    name = "keys-shared-between-clients"
    summary = "the key lookup ignores the client; another client's key replays its response"
    breaks = "AUTH-KEY-SCOPE"

    def lookup(self, tx: Transaction, call: KeyedCall) -> StoredKey | None:
        for client in (call.client, *self.settings.clients):
            stored = tx.get_key(client, call.scope, call.key)
            if stored is not None and not self.is_expired(stored):
                return stored
        return None


@fault
class SecretOptional(Fault):
    name = "secret-optional"
    summary = "a request with the client key and no secret header is accepted"
    breaks = "AUTH-MISSING"

    def authenticate(self, headers: Headers) -> str:
        key = headers.get("x-client-key")
        if key in self.settings.clients and "x-client-secret" not in headers:
            return key
        return super().authenticate(headers)


@fault
class UnauthorizedGetLeaksPayment(Fault):
    name = "401-leaks-payment"
    summary = "a GET with a wrong secret gets 401 carrying the payment it asked for"
    breaks = "AUTH-INVALID"

    async def get(self, request: Request, payment_id: str) -> Reply:
        try:
            return await super().get(request, payment_id)
        except ApiError as error:
            claimed = request.headers.get("x-client-key", "")
            with self.store.transaction() as tx:
                payment = tx.get_payment(claimed, payment_id)
            if error.status != 401 or payment is None:
                raise
            shown = json.loads(self.render_payment(payment))
            body = [("statusCode", 401), ("message", error.message), ("payment", shown)]
            return Reply(401, dump_json(body))


@fault
class RefusedCreateStillProcessed(Fault):
    name = "401-still-processed"
    summary = (
        "a create refused with 401 (known client key, wrong secret) makes its payment under the "
        "idempotency key anyway; the valid retry with another body gets 409"
    )
    breaks = "AUTH-NOT-STORED"

    def authenticate_request(self, request: Request) -> str:
        try:
            return super().authenticate_request(request)
        except ApiError as error:
            claimed = request.headers.get(self.key_header, "")
            is_create = request.method == "POST" and not request.url.path.endswith("/refund")
            if not is_create or claimed not in self.settings.clients:
                raise
            request.state.refusal = error  # the secret is checked again only at the end
            return claimed

    async def create(self, request: Request) -> Reply:
        try:
            reply = await super().create(request)
        except ApiError as error:
            raise getattr(request.state, "refusal", error) from None
        refusal = getattr(request.state, "refusal", None)
        if refusal is not None:
            raise refusal
        return reply

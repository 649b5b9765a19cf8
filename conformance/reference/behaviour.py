"""The reference behaviour: every step of every operation, one overridable method each.

Routes call ``create``, ``get`` and ``refund``; each runs the gates in order (authenticate,
throttle, read the key, read the body) and hands a KeyedCall to the idempotency engine
(``run_idempotent``), which looks the key up, replays or refuses, or performs the operation and
stores its response, all in one transaction. Conformant variants and deliberate faults are
subclasses that override one step (see the variants and faults packages).

Decisions where REQUIREMENTS.md leaves a choice:
- keys are scoped per client and global across operations: a key first used on one operation
  or resource, sent to another, gets 409 (CONFLICT-CROSS-OPERATION);
- only 2xx responses are stored; a key first used with an invalid body (or on a refund that
  failed) stays free (PAY-VALIDATION-KEY);
- a duplicate arriving while the first request with its key is in flight waits for it (the
  transaction lock) and then replays;
- the refund body is ignored (the published client sends none).
The class attributes below hold the other choices (statuses, names, the prefix); a variant
that makes another choice sets one of them.
"""

from __future__ import annotations

import asyncio
import hmac
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response

from .canonical import body_fingerprint, is_valid_key
from .model import (
    ApiError,
    KeyedCall,
    Payment,
    PaymentRequest,
    RawNumber,
    Refund,
    Reply,
    StoredKey,
    dump_json,
)
from .ratelimit import RateLimiter
from .settings import MAX_BODY_BYTES, Settings
from .store import Store, Transaction
from .validation import BodyError, is_json_media_type, parse_payment_request

__all__ = [
    "CONFLICT_MESSAGE",
    "CROSS_OPERATION_MESSAGE",
    "KEY_REQUIRED_MESSAGE",
    "Behaviour",
    "PhaseResult",
]

CONFLICT_MESSAGE = "Conflict: Idempotency key already used with different request data"
CROSS_OPERATION_MESSAGE = (
    "Conflict: Idempotency key already used for a different operation or resource"
)
KEY_REQUIRED_MESSAGE = "The idempotency-key header is required for POST requests"

PhaseResult = TypeVar("PhaseResult", Reply, Reply | None)


class Behaviour:
    """The correct server. Subclass and override one method to change one behaviour."""

    name = "reference"
    summary = "the reference behaviour"
    api_prefix = "/api/v0"
    """Where the routes live: ``{api_prefix}/test-payment...``."""
    key_header = "x-client-key"
    secret_header = "x-client-secret"
    conflict_status = 409
    """A changed body under a used key (CONFLICT-BODY)."""
    cross_operation_status = 409
    """A key used on one operation or payment, sent to another (CONFLICT-CROSS-OPERATION)."""
    already_refunded_status = 409
    """A refund of a refunded payment with a new key (REFUND-ONCE)."""
    refund_status = "succeeded"
    """The status of a new refund (REFUND-CREATE)."""
    status_after_refund = "refunded"
    """The payment's status once it is refunded (REFUND-STATE)."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.limiter = RateLimiter(settings.rate_limit) if settings.rate_limit else None

    # ---- operations (what the routes call) -------------------------------------------------
    async def create(self, request: Request) -> Reply:
        await self.on_request()
        client = self.authenticate_request(request)
        await self.throttle(client)
        key = self.read_key(request.headers)
        body = await self.read_body(request)
        content_type = request.headers.get("content-type")
        payload: PaymentRequest | None = None
        invalid: ApiError | None = None
        try:
            payload = self.parse_create(body, content_type)
        except ApiError as exc:
            invalid = exc

        def perform(tx: Transaction) -> Reply:
            if payload is None:  # the engine raises ``invalid`` before it would get here
                raise RuntimeError("create performed without a valid body")
            return self.create_payment(tx, client, payload)

        return await self.run_idempotent(
            KeyedCall(
                client=client,
                key=key,
                scope=self.key_scope("create", ""),
                operation="create",
                resource="",
                fingerprint=self.fingerprint("create", body, content_type),
                perform=perform,
                invalid=invalid,
            )
        )

    async def refund(self, request: Request, payment_id: str) -> Reply:
        await self.on_request()
        client = self.authenticate_request(request)
        await self.throttle(client)
        key = self.read_key(request.headers)
        body = await self.read_body(request)
        return await self.run_idempotent(
            KeyedCall(
                client=client,
                key=key,
                scope=self.key_scope("refund", payment_id),
                operation="refund",
                resource=payment_id,
                fingerprint=self.fingerprint("refund", body, request.headers.get("content-type")),
                perform=lambda tx: self.refund_payment(tx, client, payment_id),
            )
        )

    async def get(self, request: Request, payment_id: str) -> Reply:
        await self.on_request()
        client = self.authenticate_request(request)
        await self.throttle(client)
        return await run_in_threadpool(self.get_payment, client, payment_id)

    # ---- gates ------------------------------------------------------------------------------
    async def on_request(self) -> None:
        """Runs first on every operation: --latency waits here (a variant may add its own)."""
        if self.settings.latency:
            await asyncio.sleep(self.settings.latency)

    def authenticate_request(self, request: Request) -> str:
        """The client a request acts for, or a 401 ApiError."""
        return self.authenticate(request.headers)

    def authenticate(self, headers: Headers) -> str:
        key, secret = headers.get(self.key_header), headers.get(self.secret_header)
        if not key or not secret:
            raise ApiError(
                401, f"Unauthorized: {self.key_header} and {self.secret_header} are required"
            )
        expected = self.settings.clients.get(key)
        if expected is None or not hmac.compare_digest(expected.encode(), secret.encode()):
            raise ApiError(401, "Unauthorized: invalid client credentials")
        return key

    async def throttle(self, client: str) -> None:
        wait = self.limiter.retry_after(client) if self.limiter else 0
        if wait:
            raise ApiError(429, "Too Many Requests", {"Retry-After": str(wait)})

    def read_key(self, headers: Headers) -> str:
        values = headers.getlist("idempotency-key")
        if len(values) > 1:
            raise ApiError(400, "Exactly one idempotency-key header is allowed")
        key = values[0].strip() if values else ""
        if not key:
            raise ApiError(400, KEY_REQUIRED_MESSAGE)
        if not is_valid_key(values[0]):
            raise ApiError(
                400, "The idempotency-key must be 6-64 characters from A-Z, a-z, 0-9, '_' and '-'"
            )
        return values[0]

    async def read_body(self, request: Request) -> bytes:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            raise ApiError(413, f"Request body larger than {MAX_BODY_BYTES} bytes")
        chunks, size = [], 0
        limit = self.settings.body_timeout
        try:
            async with asyncio.timeout(limit):  # a client trickling its body holds nothing long
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > MAX_BODY_BYTES:
                        raise ApiError(413, f"Request body larger than {MAX_BODY_BYTES} bytes")
                    chunks.append(chunk)
        except TimeoutError:
            raise ApiError(408, f"Request body not received within {limit:g} s") from None
        return b"".join(chunks)

    def parse_create(self, body: bytes, content_type: str | None) -> PaymentRequest:
        try:
            return parse_payment_request(body, content_type)
        except BodyError as exc:
            raise self.validation_error(exc.messages) from None

    def validation_error(self, messages: list[str]) -> ApiError:
        return ApiError(400, "; ".join(messages))

    def key_scope(self, operation: str, resource: str) -> str:
        """Keys are one namespace per client (scope ""), whatever the operation."""
        return ""

    def fingerprint(self, operation: str, body: bytes, content_type: str | None) -> str:
        if operation == "refund":
            return "refund"  # the refund body is ignored
        return body_fingerprint(body, is_json_media_type(content_type))

    # ---- the idempotency engine -------------------------------------------------------------
    async def run_idempotent(self, call: KeyedCall) -> Reply:
        return await run_in_threadpool(self.run_in_transaction, call)

    def run_in_transaction(self, call: KeyedCall) -> Reply:
        with self.store.transaction() as tx:
            answered = self.claim(tx, call)
            return answered if answered is not None else self.finish(tx, call)

    def in_transaction(
        self, phase: Callable[[Transaction, KeyedCall], PhaseResult], call: KeyedCall
    ) -> PhaseResult:
        """One phase (``claim`` or ``finish``) in a transaction of its own."""
        with self.store.transaction() as tx:
            return phase(tx, call)

    def claim(self, tx: Transaction, call: KeyedCall) -> Reply | None:
        """Phase 1: replay or refuse a used key, refuse an invalid body; None: the key is free.

        The reference runs both phases in one transaction; a race fault runs them in two."""
        stored = self.lookup(tx, call)
        if stored is not None:
            return self.answer_existing(stored, call)
        if call.invalid is not None:
            raise call.invalid
        return None

    def finish(self, tx: Transaction, call: KeyedCall) -> Reply:
        """Phase 2: perform the operation and store its response under the key."""
        reply = call.perform(tx)
        if self.stores(reply):
            self.save(tx, call, reply)
        return reply

    def lookup(self, tx: Transaction, call: KeyedCall) -> StoredKey | None:
        stored = tx.get_key(call.client, call.scope, call.key)
        if stored is not None and self.is_expired(stored):
            tx.delete_key(call.client, call.scope, call.key)
            return None
        return stored

    def is_expired(self, stored: StoredKey) -> bool:
        return time.time() >= stored.created_at + self.settings.key_ttl

    def answer_existing(self, stored: StoredKey, call: KeyedCall) -> Reply:
        if stored.operation != call.operation or stored.resource != call.resource:
            raise ApiError(self.cross_operation_status, CROSS_OPERATION_MESSAGE)
        if stored.fingerprint != call.fingerprint:
            raise ApiError(self.conflict_status, CONFLICT_MESSAGE)
        if stored.state != "done" or stored.status is None or stored.body is None:
            raise ApiError(409, "A request with this idempotency key is still in progress")
        return self.replay(stored)

    def replay(self, stored: StoredKey) -> Reply:
        if stored.status is None or stored.body is None:
            raise RuntimeError(f"replay of a key without a stored response: {stored.key!r}")
        return Reply(stored.status, stored.body, content_type=stored.content_type or "")

    def stores(self, reply: Reply) -> bool:
        return 200 <= reply.status < 300

    def save(self, tx: Transaction, call: KeyedCall, reply: Reply) -> None:
        tx.put_key(call.stored_key("done", reply))

    # ---- the payment model ------------------------------------------------------------------
    def create_payment(self, tx: Transaction, client: str, req: PaymentRequest) -> Reply:
        payment = Payment(
            id=self.payment_id(client),
            client=client,
            amount=req.amount,
            currency=req.currency,
            description=req.description,
            customer_id=req.customer_id,
            status="succeeded",
            timestamp=self.now(),
        )
        tx.insert_payment(payment)
        return Reply(201, self.render_payment(payment))

    def get_payment(self, client: str, payment_id: str) -> Reply:
        with self.store.transaction() as tx:
            payment = tx.get_payment(client, payment_id)
            if payment is None:
                raise self.unknown_payment(tx, client, payment_id)
        return Reply(200, self.render_payment(payment))

    def unknown_payment(self, tx: Transaction, client: str, payment_id: str) -> ApiError:
        """The error for an id this client has no payment under (unknown, or another's)."""
        return ApiError(404, "Payment not found")

    def refund_payment(self, tx: Transaction, client: str, payment_id: str) -> Reply:
        return self.write_refund(tx, self.refundable(tx, client, payment_id))

    def refundable(self, tx: Transaction, client: str, payment_id: str) -> Payment:
        """The client's payment, if it can be refunded; else the 404 or 409 ApiError."""
        payment = tx.get_payment(client, payment_id)
        if payment is None:
            raise self.unknown_payment(tx, client, payment_id)
        if tx.get_refund_for_payment(payment_id) is not None:
            raise ApiError(self.already_refunded_status, "Payment has already been refunded")
        return payment

    def write_refund(self, tx: Transaction, payment: Payment) -> Reply:
        refund = self.new_refund(payment)
        tx.insert_refund(refund)
        tx.set_payment_status(payment.id, self.status_after_refund)
        return Reply(200, self.render_refund(refund))

    def new_refund(self, payment: Payment) -> Refund:
        return Refund(
            id=self.new_id("ref_"),
            payment_id=payment.id,
            client=payment.client,
            amount=payment.amount,
            status=self.refund_status,
            timestamp=self.now(),
        )

    # ---- rendering --------------------------------------------------------------------------
    def payment_id(self, client: str) -> str:
        return self.new_id("pay_")

    def new_id(self, prefix: str) -> str:
        return prefix + secrets.token_hex(8)

    def now(self) -> str:
        moment = datetime.now(UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"

    def render_amount(self, amount: str) -> RawNumber:
        """An amount as the JSON number the request spelled."""
        return RawNumber(amount)

    def render_payment(self, p: Payment) -> bytes:
        return dump_json(
            [
                ("id", p.id),
                ("amount", self.render_amount(p.amount)),
                ("currency", p.currency),
                ("status", p.status),
                ("timestamp", p.timestamp),
            ]
        )

    def render_refund(self, r: Refund) -> bytes:
        return dump_json(
            [
                ("id", r.id),
                ("paymentId", r.payment_id),
                ("amount", self.render_amount(r.amount)),
                ("status", r.status),
                ("timestamp", r.timestamp),
            ]
        )

    def render_error(self, error: ApiError) -> Reply:
        body = dump_json([("statusCode", error.status), ("message", error.message), *error.fields])
        return Reply(error.status, body, error.headers)

    def respond(self, request: Request, reply: Reply) -> Response:
        """The HTTP response that carries ``reply`` (a variant changes the wire form here)."""
        return Response(
            reply.body,
            status_code=reply.status,
            headers=dict(reply.headers),
            media_type=reply.content_type or None,
        )

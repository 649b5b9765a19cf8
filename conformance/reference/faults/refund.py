"""Refund faults: refunds replayed wrongly, made twice (also after a stale read), or carrying the
wrong data."""

from __future__ import annotations

import decimal
import json
import threading
from dataclasses import replace

from ..behaviour import Behaviour
from ..model import ApiError, KeyedCall, Payment, PaymentRequest, Refund, Reply, StoredKey
from ..settings import Settings
from ..store import Store, Transaction
from .registry import Fault, fault

__all__ = [
    "GetRecachesStalePayment",
    "RefundAmountInCents",
    "RefundReplayMakesNewRefund",
    "RefundUnknown500",
    "RefusalFreesRefundKey",
    "SecondRefundWithNewKey",
]


@fault
class RefundReplayMakesNewRefund(Fault):
    name = "refund-replay-new-refund"
    summary = "a refund replay answers a new refund id"
    breaks = "REFUND-REPLAY"
    # A burst of one refund key is a series of replays: their 2xx differ too (CONC-REFUND-KEY).
    also_breaks = ("CONC-REFUND-KEY",)

    def replay(self, stored: StoredKey) -> Reply:
        reply = super().replay(stored)
        if stored.operation != "refund":
            return reply
        body = json.loads(reply.body)
        body.update(id=self.new_id("ref_"), timestamp=self.now())
        return replace(reply, body=json.dumps(body).encode())


@fault
class RefusalFreesRefundKey(Fault):
    name = "refusal-frees-refund-key"
    summary = "after a refused refund with another key, the first refund key no longer replays"
    breaks = "REFUND-REPLAY"

    def __init__(self, store: Store, settings: Settings) -> None:
        super().__init__(store, settings)
        self.refund_keys: dict[str, list[tuple[str, str, str]]] = {}
        self._lock = threading.Lock()

    def save(self, tx: Transaction, call: KeyedCall, reply: Reply) -> None:
        super().save(tx, call, reply)
        if call.operation == "refund":
            with self._lock:
                self.refund_keys.setdefault(call.resource, []).append(
                    (call.client, call.scope, call.key)
                )

    def run_in_transaction(self, call: KeyedCall) -> Reply:
        try:
            return super().run_in_transaction(call)
        except ApiError as error:
            if call.operation == "refund" and "already been refunded" in str(error.message):
                with self._lock:
                    freed = self.refund_keys.pop(call.resource, [])
                with self.store.transaction() as tx:
                    for client, scope, key in freed:
                        tx.delete_key(client, scope, key)
            raise


@fault
class SecondRefundWithNewKey(Fault):
    name = "second-refund-new-key"
    summary = "a second refund of a refunded payment with a new key makes a new refund"
    breaks = "REFUND-ONCE"
    # Refunding twice in sequence means refunding twice when the requests overlap too.
    also_breaks = ("CONC-REFUND-ONCE",)

    def refund_payment(self, tx: Transaction, client: str, payment_id: str) -> Reply:
        payment = tx.get_payment(client, payment_id)
        if payment is None or tx.get_refund_for_payment(payment_id) is None:
            return super().refund_payment(tx, client, payment_id)
        return Reply(200, self.render_refund(self.new_refund(payment)))  # the table keeps one


@fault
class RefundAmountInCents(Fault):
    name = "refund-amount-in-cents"
    summary = "the refund's amount is 100 times the payment's amount"
    breaks = "REFUND-CREATE"

    def render_refund(self, r: Refund) -> bytes:
        cents = decimal.Decimal(r.amount) * 100
        return Behaviour.render_refund(self, replace(r, amount=str(cents.normalize())))


@fault
class RefundUnknown500(Fault):
    name = "refund-unknown-500"
    summary = "a refund of an unknown payment id answers 500"
    breaks = "REFUND-UNKNOWN"
    # Any 5xx fails ERR-NO-5XX, and SCHEMA-RESPONSES calls every 5xx a failure (REQUIREMENTS.md).
    also_breaks = ("ERR-NO-5XX", "SCHEMA-RESPONSES")

    def refund_payment(self, tx: Transaction, client: str, payment_id: str) -> Reply:
        if not any(tx.get_payment(c, payment_id) for c in self.settings.clients):
            raise RuntimeError(f"payment {payment_id} has no row")  # answered as a 500
        return super().refund_payment(tx, client, payment_id)


@fault
class GetRecachesStalePayment(Fault):
    name = "get-recaches-stale-payment"
    summary = (
        "a GET answers and recaches the payment as it was created, so a refund after a refund "
        "and a GET refunds it again"
    )
    breaks = "REFUND-ONCE"
    # Only the state machine sends a refund, a GET and another refund to one payment, and its
    # failing step fails STATEFUL-MODEL too.
    also_breaks = ("STATEFUL-MODEL",)

    def __init__(self, store: Store, settings: Settings) -> None:
        super().__init__(store, settings)
        self.replica: dict[str, Payment] = {}
        """Each payment as it was created: a read replica that never sees a refund."""
        self.cache: dict[str, Payment] = {}
        """What the refund path trusts, instead of the refunds table."""
        self._lock = threading.Lock()

    def create_payment(self, tx: Transaction, client: str, req: PaymentRequest) -> Reply:
        reply = super().create_payment(tx, client, req)
        payment = tx.get_payment(client, str(json.loads(reply.body)["id"]))
        if payment is not None:
            with self._lock:
                self.replica[payment.id] = self.cache[payment.id] = payment
        return reply

    def get_payment(self, client: str, payment_id: str) -> Reply:
        with self._lock:
            stale = self.replica.get(payment_id)
            if stale is None or stale.client != client:
                stale = None
            else:
                self.cache[payment_id] = stale
        if stale is None:
            return super().get_payment(client, payment_id)
        return Reply(200, self.render_payment(stale))

    def refundable(self, tx: Transaction, client: str, payment_id: str) -> Payment:
        with self._lock:
            cached = self.cache.get(payment_id)
        if cached is None or cached.client != client:
            return super().refundable(tx, client, payment_id)
        if cached.status == self.status_after_refund:
            raise ApiError(self.already_refunded_status, "Payment has already been refunded")
        return cached

    def write_refund(self, tx: Transaction, payment: Payment) -> Reply:
        if tx.get_refund_for_payment(payment.id) is None:
            reply = super().write_refund(tx, payment)
        else:
            reply = Reply(200, self.render_refund(self.new_refund(payment)))  # the table keeps one
        with self._lock:
            self.cache[payment.id] = replace(payment, status=self.status_after_refund)
        return reply

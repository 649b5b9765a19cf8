"""Concurrency faults: a check and the write it guards in two transactions, with a small delay
between them (part of the fault: it widens the window so the race shows under a burst)."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime

from ..model import ApiError, KeyedCall, Refund, Reply, StoredKey
from .registry import Fault, fault

WINDOW = 0.03
"""Seconds between the check and the write."""


@fault
class CreateCheckThenInsert(Fault):
    # Bug: race between the key check and the insert of a create (CONC-CREATE)
    name = "race-create"
    summary = "simultaneous creates with one fresh key each make a payment"
    breaks = "CONC-CREATE"

    def run_in_transaction(self, call: KeyedCall) -> Reply:
        if call.operation != "create":
            return super().run_in_transaction(call)
        with self.store.transaction() as tx:
            stored = self.lookup(tx, call)
        if stored is not None:
            return self.answer_existing(stored, call)
        if call.invalid is not None:
            raise call.invalid
        time.sleep(WINDOW)
        with self.store.transaction() as tx:
            reply = call.perform(tx)
            self.save(tx, call, reply)
        return reply


@fault
class RefundOnceCheckThenInsert(Fault):
    # Bug: race between the already-refunded check and the insert (CONC-REFUND-ONCE)
    name = "race-refund-once"
    summary = "simultaneous refunds of one payment with different keys each make a refund"
    breaks = "CONC-REFUND-ONCE"

    def run_in_transaction(self, call: KeyedCall) -> Reply:
        if call.operation != "refund":
            return super().run_in_transaction(call)
        with self.store.transaction() as tx:  # claim the key and check the payment
            stored = self.lookup(tx, call)
            if stored is not None:
                return self.answer_existing(stored, call)
            payment = tx.get_payment(call.client, call.resource)
            if payment is None:
                raise ApiError(404, "Payment not found")
            if tx.get_refund_for_payment(payment.id) is not None:
                raise ApiError(409, "Payment has already been refunded")
            tx.put_key(self._pending(call))
        time.sleep(WINDOW)
        with self.store.transaction() as tx:  # write, trusting the check made above
            refund = Refund(
                self.new_id("ref_"),
                payment.id,
                call.client,
                payment.amount,
                "succeeded",
                self.now(),
            )
            if tx.get_refund_for_payment(payment.id) is None:  # the table holds one refund
                tx.insert_refund(refund)
                tx.set_payment_status(payment.id, "refunded")
            reply = Reply(200, self.render_refund(refund))
            self.save(tx, call, reply)
        return reply

    def _pending(self, call: KeyedCall) -> StoredKey:
        return StoredKey(
            call.client,
            call.scope,
            call.key,
            call.operation,
            call.resource,
            call.fingerprint,
            "pending",
            None,
            None,
            None,
            time.time(),
        )


@fault
class RefundKeyRaceRerendered(Fault):
    # Bug: a refund losing its key's race re-renders the refund (CONC-REFUND-KEY)
    name = "race-refund-key"
    summary = "simultaneous refunds with one key get 2xx bodies with different timestamps"
    breaks = "CONC-REFUND-KEY"

    def run_in_transaction(self, call: KeyedCall) -> Reply:
        if call.operation != "refund":
            return super().run_in_transaction(call)
        with self.store.transaction() as tx:
            stored = self.lookup(tx, call)
        if stored is not None:
            return self.answer_existing(stored, call)
        time.sleep(WINDOW)
        with self.store.transaction() as tx:
            if self.lookup(tx, call) is None:  # nobody else won: refund and store as usual
                reply = call.perform(tx)
                self.save(tx, call, reply)
                return reply
            refund = tx.get_refund_for_payment(call.resource)
        if refund is None:
            raise ApiError(409, "A request with this idempotency key is still in progress")
        rendered = replace(refund, timestamp=datetime.now(UTC).isoformat())  # not the stored one
        return Reply(200, self.render_refund(rendered))

"""Concurrency faults: the engine's two phases (claim the key, then finish) in two transactions,
with a small delay between them (part of the fault: it widens the window so the race shows
under a burst)."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime

from ..model import ApiError, KeyedCall, Reply
from ..store import Transaction
from .registry import Fault, fault

__all__ = [
    "WINDOW",
    "ClaimThenFinishApart",
    "CreateCheckThenInsert",
    "RefundKeyRaceRerendered",
    "RefundOnceCheckThenInsert",
]

WINDOW = 0.03
"""Seconds between the check and the write."""


class ClaimThenFinishApart(Fault):
    """Runs `racy_operation`'s claim and finish in two transactions, WINDOW seconds apart."""

    racy_operation = ""

    def run_in_transaction(self, call: KeyedCall) -> Reply:
        if call.operation != self.racy_operation:
            return super().run_in_transaction(call)
        answered = self.in_transaction(self.claim, call)
        if answered is not None:
            return answered
        time.sleep(WINDOW)
        return self.in_transaction(self.finish, call)


@fault
class CreateCheckThenInsert(ClaimThenFinishApart):
    name = "race-create"
    summary = "simultaneous creates with one fresh key each make a payment"
    breaks = "CONC-CREATE"
    racy_operation = "create"


@fault
class RefundOnceCheckThenInsert(ClaimThenFinishApart):
    name = "race-refund-once"
    summary = "simultaneous refunds of one payment with different keys each make a refund"
    breaks = "CONC-REFUND-ONCE"
    racy_operation = "refund"

    def claim(self, tx: Transaction, call: KeyedCall) -> Reply | None:
        answered = super().claim(tx, call)
        if answered is None and call.operation == "refund":  # checked here, trusted when written
            self.refundable(tx, call.client, call.resource)
            tx.put_key(call.stored_key("pending"))
        return answered

    def refund_payment(self, tx: Transaction, client: str, payment_id: str) -> Reply:
        payment = tx.get_payment(client, payment_id)
        if payment is None:
            raise self.unknown_payment(tx, client, payment_id)
        if tx.get_refund_for_payment(payment_id) is None:
            return self.write_refund(tx, payment)
        return Reply(200, self.render_refund(self.new_refund(payment)))  # the table keeps one


@fault
class RefundKeyRaceRerendered(ClaimThenFinishApart):
    name = "race-refund-key"
    summary = "simultaneous refunds with one key get 2xx bodies with different timestamps"
    breaks = "CONC-REFUND-KEY"
    racy_operation = "refund"

    def finish(self, tx: Transaction, call: KeyedCall) -> Reply:
        if self.lookup(tx, call) is None:  # nobody else won: refund and store as usual
            return super().finish(tx, call)
        refund = tx.get_refund_for_payment(call.resource)
        if refund is None:
            raise ApiError(409, "A request with this idempotency key is still in progress")
        rendered = replace(refund, timestamp=datetime.now(UTC).isoformat())  # not the stored one
        return Reply(200, self.render_refund(rendered))

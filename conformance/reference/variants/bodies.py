"""Payment and refund bodies in other allowed forms: PaymentResponseDto and RefundResponseDto
name required fields and allow others; PAY-ECHO compares the amount as a number and the
currency in any letter case; REFUND-CREATE and REFUND-STATE leave the statuses open."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

from ..model import Payment, PaymentRequest, RawNumber, Refund, Reply, dump_json
from ..store import Transaction
from .registry import Variant, variant

__all__ = [
    "ExtraFields",
    "FloatAmounts",
    "LowerCaseCurrency",
    "PendingRefunds",
    "StatusKeptAfterRefund",
]


@variant
class ExtraFields(Variant):
    name = "extra-fields"
    summary = (
        "payments and refunds carry more fields: object, description, customerId, createdAt, "
        "livemode (PAY-CREATE, REFUND-CREATE: the DTOs allow extra fields)"
    )

    def render_payment(self, p: Payment) -> bytes:
        return dump_json(
            [
                ("id", p.id),
                ("object", "payment"),
                ("amount", self.render_amount(p.amount)),
                ("currency", p.currency),
                ("status", p.status),
                ("timestamp", p.timestamp),
                ("description", p.description),
                ("customerId", p.customer_id),
                ("createdAt", p.timestamp),
                ("livemode", False),
            ]
        )

    def render_refund(self, r: Refund) -> bytes:
        return dump_json(
            [
                ("id", r.id),
                ("object", "refund"),
                ("paymentId", r.payment_id),
                ("amount", self.render_amount(r.amount)),
                ("status", r.status),
                ("timestamp", r.timestamp),
                ("createdAt", r.timestamp),
                ("livemode", False),
            ]
        )


@variant
class FloatAmounts(Variant):
    name = "amount-as-float"
    summary = "amounts are written back as doubles: 100 comes back as 100.0 (PAY-ECHO: as numbers)"

    def render_amount(self, amount: str) -> RawNumber:
        return RawNumber(json.dumps(float(Decimal(amount))))


@variant
class LowerCaseCurrency(Variant):
    name = "currency-lowercase"
    summary = 'currencies are stored and echoed in lower case, "usd" (PAY-ECHO: case-insensitive)'

    def create_payment(self, tx: Transaction, client: str, req: PaymentRequest) -> Reply:
        return super().create_payment(tx, client, replace(req, currency=req.currency.lower()))


@variant
class PendingRefunds(Variant):
    name = "refund-pending"
    summary = 'a new refund has status "pending" (REFUND-CREATE: status is any string)'
    refund_status = "pending"


@variant
class StatusKeptAfterRefund(Variant):
    name = "status-kept-after-refund"
    summary = 'a refunded payment still reads status "succeeded" (REFUND-STATE is INFO)'
    status_after_refund = "succeeded"

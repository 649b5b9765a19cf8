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
    "JavaScriptAmounts",
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
class JavaScriptAmounts(Variant):
    name = "amount-as-js-number"
    summary = (
        "amounts are parsed as doubles and written as JavaScript writes numbers: 100 as 100, "
        "2**63 as 9223372036854776000 (PAY-ECHO: as numbers)"
    )

    def render_amount(self, amount: str) -> RawNumber:
        return RawNumber(javascript_number(float(Decimal(amount))))


def javascript_number(value: float) -> str:
    """`value` as JavaScript's JSON.stringify writes it: the shortest digits that read back as
    the same double, in plain notation from 1e-6 up to 1e21 and in exponent notation (`1e+21`,
    `1e-7`) beyond; a whole number has no fraction, so a double that holds more than 53 bits
    ends in zeros that look like an integer of its own."""
    if value == 0:
        return "0"
    if 1e-6 <= abs(value) < 1e21:
        return format(Decimal(repr(value)).normalize(), "f")
    mantissa, _, exponent = repr(value).partition("e")
    return f"{mantissa.removesuffix('.0')}e{int(exponent):+d}"


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

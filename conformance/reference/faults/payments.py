"""Create and read faults: payments echoed wrongly, deduplicated wrongly, or crashing on reads."""

from __future__ import annotations

import json
import threading

from ..canonical import parse_json
from ..model import ApiError, Payment, PaymentRequest, Reply
from ..store import Transaction
from .registry import Fault, fault

__all__ = [
    "CurrencyAlwaysUsd",
    "DedupeByCustomer",
    "NullCustomerId500",
    "NullDescription500",
    "RefundedAmountAsString",
    "UnknownId500",
    "ValidationSkipped",
]


@fault
class CurrencyAlwaysUsd(Fault):
    name = "currency-always-usd"
    summary = "every payment is made in USD, whatever currency was asked for"
    breaks = "PAY-ECHO"

    def parse_create(self, body: bytes, content_type: str | None) -> PaymentRequest:
        request = super().parse_create(body, content_type)
        return PaymentRequest(request.amount, "USD", request.description, request.customer_id)


@fault
class ValidationSkipped(Fault):
    name = "validation-skipped"
    summary = "invalid create bodies make a payment of 0 USD instead of 400"
    breaks = "PAY-VALIDATION"

    def parse_create(self, body: bytes, content_type: str | None) -> PaymentRequest:
        try:
            return super().parse_create(body, content_type)
        except ApiError:
            return PaymentRequest("0", "USD", "", None)


@fault
class DedupeByCustomer(Fault):
    name = "dedupe-by-body"
    summary = "a new key with the same customer, amount and currency gets the earlier payment"
    breaks = "PAY-DISTINCT"
    # Two keys sharing a prefix with one body are two keys with one body (KEY-DISTINCT).
    also_breaks = ("KEY-DISTINCT",)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.seen: dict[tuple[str, str, str, str], Payment] = {}
        self._lock = threading.Lock()

    def create_payment(self, tx: Transaction, client: str, req: PaymentRequest) -> Reply:
        if req.customer_id is None:
            return super().create_payment(tx, client, req)
        body = (client, req.customer_id, req.amount, req.currency)
        with self._lock:
            earlier = self.seen.get(body)
        if earlier is not None and tx.get_payment(client, earlier.id) == earlier:  # still open
            return Reply(201, self.render_payment(earlier))
        reply = super().create_payment(tx, client, req)
        payment = tx.get_payment(client, _id_of(reply))
        if payment is not None:
            with self._lock:
                self.seen[body] = payment
        return reply


def _id_of(reply: Reply) -> str:
    return str(json.loads(reply.body)["id"])


@fault
class UnknownId500(Fault):
    name = "unknown-id-500"
    summary = "GET of an unknown payment id answers 500"
    breaks = "PAY-GET-UNKNOWN"
    # Any 5xx fails ERR-NO-5XX, and SCHEMA-RESPONSES calls every 5xx a failure (REQUIREMENTS.md).
    also_breaks = ("ERR-NO-5XX", "SCHEMA-RESPONSES")

    def get_payment(self, client: str, payment_id: str) -> Reply:
        with self.store.transaction() as tx:
            owners = [c for c in self.settings.clients if tx.get_payment(c, payment_id)]
        if not owners:  # the ownership check (404) is fine; a missing row crashes
            raise RuntimeError(f"payment {payment_id} has no row")  # answered as a 500
        return super().get_payment(client, payment_id)


@fault
class RefundedAmountAsString(Fault):
    name = "refunded-amount-as-string"
    summary = "GET of a refunded payment gives its amount as a JSON string"
    breaks = "SCHEMA-RESPONSES"

    def render_payment(self, p: Payment) -> bytes:
        if p.status == "refunded":
            return (
                super()
                .render_payment(p)
                .replace(f'"amount":{p.amount}'.encode(), f'"amount":"{p.amount}"'.encode())
            )
        return super().render_payment(p)


class _NullCrashes(Fault):
    """Reads `field` as a string before validating it: `null` there raises, answered as a 500."""

    field = ""

    def parse_create(self, body: bytes, content_type: str | None) -> PaymentRequest:
        try:
            data = parse_json(body)
        except ValueError:
            data = None
        if isinstance(data, dict) and self.field in data and data[self.field] is None:
            raise RuntimeError(f"{self.field}.strip() called on None")  # answered as a 500
        return super().parse_create(body, content_type)


@fault
class NullCustomerId500(_NullCrashes):
    name = "null-customer-id-500"
    summary = 'a create with "customerId": null answers 500 (null is taken as absent, or refused)'
    breaks = "ERR-NO-5XX"
    # Any 5xx is a failure of SCHEMA-RESPONSES too (REQUIREMENTS.md).
    also_breaks = ("SCHEMA-RESPONSES",)
    field = "customerId"


@fault
class NullDescription500(_NullCrashes):
    name = "null-description-500"
    summary = 'a create with "description": null answers 500 instead of a 4xx'
    breaks = "PAY-VALIDATION"
    # The 500 is a server error (ERR-NO-5XX), and any 5xx fails SCHEMA-RESPONSES.
    also_breaks = ("ERR-NO-5XX", "SCHEMA-RESPONSES")
    field = "description"

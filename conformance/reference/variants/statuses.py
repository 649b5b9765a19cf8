"""Other statuses inside the sets REQUIREMENTS.md accepts."""

from __future__ import annotations

import hashlib
import re
import secrets

from ..model import ApiError, PaymentRequest, Reply
from ..store import Transaction
from ..validation import is_json_media_type
from .registry import Variant, variant

__all__ = [
    "OWNED_ID",
    "Conflict422",
    "CrossOperation400",
    "CrossOperation422",
    "ForeignPayment403",
    "OwnerInId400",
    "SecondRefund400",
    "SecondRefund422",
    "SecondRefundReplays",
    "UnsupportedMediaType415",
    "Validation422",
    "owner_tag",
]


@variant
class Validation422(Variant):
    name = "validation-422"
    summary = "invalid bodies get 422 with message as a list of strings (PAY-VALIDATION, ERR-SHAPE)"

    def validation_error(self, messages: list[str]) -> ApiError:
        return ApiError(422, messages)


@variant
class UnsupportedMediaType415(Variant):
    name = "json-415"
    summary = "a create whose Content-Type is not JSON gets 415 (PAY-VALIDATION: any 4xx)"

    def parse_create(self, body: bytes, content_type: str | None) -> PaymentRequest:
        if not is_json_media_type(content_type):
            raise ApiError(415, f"Unsupported Media Type {content_type or '(none)'}: send JSON")
        return super().parse_create(body, content_type)


@variant
class Conflict422(Variant):
    name = "conflict-422"
    summary = (
        "a changed body under a used key gets 422, as the IETF draft says "
        "(CONFLICT-BODY, with the suite's --conflict-status 422)"
    )
    conflict_status = 422


@variant
class SecondRefundReplays(Variant):
    name = "second-refund-200"
    summary = "a second refund with a new key gets 200 and the original refund (REFUND-ONCE)"

    def refund_payment(self, tx: Transaction, client: str, payment_id: str) -> Reply:
        earlier = tx.get_refund_for_payment(payment_id)
        if earlier is not None and tx.get_payment(client, payment_id) is not None:
            return Reply(200, self.render_refund(earlier))
        return super().refund_payment(tx, client, payment_id)


@variant
class SecondRefund422(Variant):
    name = "second-refund-422"
    summary = "a second refund with a new key gets 422 (REFUND-ONCE: 400/409/422)"
    already_refunded_status = 422


@variant
class SecondRefund400(Variant):
    name = "second-refund-400"
    summary = "a second refund with a new key gets 400 (REFUND-ONCE: 400/409/422)"
    already_refunded_status = 400


@variant
class CrossOperation422(Variant):
    name = "cross-operation-422"
    summary = "a key sent to another operation or payment gets 422 (CONFLICT-CROSS-OPERATION)"
    cross_operation_status = 422


@variant
class CrossOperation400(Variant):
    name = "cross-operation-400"
    summary = "a key sent to another operation or payment gets 400 (CONFLICT-CROSS-OPERATION)"
    cross_operation_status = 400


@variant
class ForeignPayment403(Variant):
    name = "foreign-payment-403"
    summary = "another client's payment gets 403, an unknown one 404 (AUTH-KEY-SCOPE: 404 or 403)"

    def unknown_payment(self, tx: Transaction, client: str, payment_id: str) -> ApiError:
        others = (c for c in self.settings.clients if c != client)
        if any(tx.get_payment(other, payment_id) is not None for other in others):
            return ApiError(403, "Forbidden: the payment belongs to another client")
        return super().unknown_payment(tx, client, payment_id)


def owner_tag(client: str) -> str:
    return hashlib.sha256(client.encode()).hexdigest()[:8]


OWNED_ID = re.compile(r"pay_([0-9a-f]{8})_[0-9a-f]{16}")


@variant
class OwnerInId400(Variant):
    name = "owner-in-id-400"
    summary = (
        "ids carry their owner, so another client's payment id is malformed for it: 400 "
        '"invalid id" (AUTH-KEY-SCOPE: any 4xx; its SHOULD 404 or 403 may warn)'
    )
    warns = ("AUTH-KEY-SCOPE",)

    def payment_id(self, client: str) -> str:
        return f"pay_{owner_tag(client)}_{secrets.token_hex(8)}"

    def unknown_payment(self, tx: Transaction, client: str, payment_id: str) -> ApiError:
        owned = OWNED_ID.fullmatch(payment_id)
        if owned is not None and owned.group(1) != owner_tag(client):
            return ApiError(400, "invalid id")
        return super().unknown_payment(tx, client, payment_id)

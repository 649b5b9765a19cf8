"""Business rules of a target's own. REQUIREMENTS.md, "What a target may refuse": a well-formed
body that breaks such a rule may be refused with a 4xx before the key is used (the key stays
free), as long as the plain body (1.00 to 1000.00 USD, at most two decimals, a description of 1
to 100 printable ASCII characters, an optional customerId of 1 to 36 of [A-Za-z0-9_-]) passes.
"""

from __future__ import annotations

import re
from decimal import Decimal

from starlette.requests import Request

from ..model import ApiError, PaymentRequest, Reply
from ..validation import BodyError, parse_payment_request
from .registry import Variant, variant

__all__ = [
    "CUSTOMER_ID",
    "PRINTABLE_ASCII",
    "AmountLimit",
    "AmountPrecision",
    "AsciiDescriptions",
    "BusinessRule",
    "CustomerIdFormat",
    "DescriptionLimit",
    "MinimumAmount",
    "MinimumAmountBeforeKey",
    "SomeCurrencies",
    "decimal_places",
]

CUSTOMER_ID = re.compile(r"[A-Za-z0-9_-]{1,36}")
PRINTABLE_ASCII = re.compile(r"[ -~]{1,255}")


class BusinessRule(Variant):
    """Refuses, with the usual validation error (400), a valid body its `refusal` names."""

    def parse_create(self, body: bytes, content_type: str | None) -> PaymentRequest:
        request = super().parse_create(body, content_type)
        problem = self.refusal(request)
        if problem:
            raise self.validation_error([problem])
        return request

    def refusal(self, request: PaymentRequest) -> str | None:
        raise NotImplementedError(f"{type(self).__name__} names no rule")


@variant
class AmountLimit(BusinessRule):
    name = "amount-limit"
    summary = "amounts above 1,000,000 are refused with 400 (What a target may refuse)"

    def refusal(self, request: PaymentRequest) -> str | None:
        if Decimal(request.amount) > 1_000_000:
            return "amount must not be greater than 1000000"
        return None


@variant
class MinimumAmount(BusinessRule):
    name = "minimum-amount"
    summary = "amounts below 0.50 are refused with 400, a minimum charge (What a target may refuse)"

    def refusal(self, request: PaymentRequest) -> str | None:
        if Decimal(request.amount) < Decimal("0.50"):
            return "amount must be at least 0.50"
        return None


@variant
class MinimumAmountBeforeKey(MinimumAmount):
    name = "minimum-amount-before-key"
    summary = (
        "amounts below 0.50 are refused with 422 before the Idempotency-Key is read, as a body "
        "validation that runs first does (What a target may refuse: before the key is used)"
    )

    async def create(self, request: Request) -> Reply:
        self.authenticate_request(request)
        body = request.state.early_body = await self.read_body(request)
        try:
            payload = parse_payment_request(body, request.headers.get("content-type"))
        except BodyError:
            payload = None  # an invalid body: the usual order answers it, after the key
        problem = payload and self.refusal(payload)
        if problem:
            raise ApiError(422, [problem])
        return await super().create(request)

    async def read_body(self, request: Request) -> bytes:
        early: bytes | None = getattr(request.state, "early_body", None)
        return early if early is not None else await super().read_body(request)


@variant
class SomeCurrencies(BusinessRule):
    name = "currencies-usd-cad-mxn"
    summary = "only USD, CAD and MXN are supported; others get 400 (What a target may refuse)"
    supported = frozenset({"USD", "CAD", "MXN"})

    def refusal(self, request: PaymentRequest) -> str | None:
        if request.currency.upper() not in self.supported:
            return f"currency {request.currency} is not supported"
        return None


@variant
class AsciiDescriptions(BusinessRule):
    name = "ascii-descriptions"
    summary = (
        "descriptions must be 1 to 255 printable ASCII characters; others get 400 "
        "(What a target may refuse)"
    )

    def refusal(self, request: PaymentRequest) -> str | None:
        if not PRINTABLE_ASCII.fullmatch(request.description):
            return "description must be 1 to 255 printable ASCII characters"
        return None


@variant
class DescriptionLimit(BusinessRule):
    name = "description-limit"
    summary = "descriptions longer than 140 characters get 400 (What a target may refuse)"

    def refusal(self, request: PaymentRequest) -> str | None:
        if len(request.description) > 140:
            return "description must be at most 140 characters"
        return None


@variant
class AmountPrecision(BusinessRule):
    name = "amount-precision"
    summary = "amounts with more than 2 decimals get 400 (What a target may refuse)"

    def refusal(self, request: PaymentRequest) -> str | None:
        if decimal_places(Decimal(request.amount)) > 2:
            return "amount must have at most 2 decimal places"
        return None


def decimal_places(value: Decimal) -> int:
    """Decimals of the value, not of its spelling: 100.10 has 1, 1E+2 has 0 (exact, no context)."""
    _, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):
        return 0
    while exponent < 0 and len(digits) > 1 and digits[-1] == 0:
        digits, exponent = digits[:-1], exponent + 1
    return max(0, -exponent)


@variant
class CustomerIdFormat(BusinessRule):
    name = "customer-id-format"
    summary = (
        "a customerId must be 1 to 36 of [A-Za-z0-9_-]; others get 400 (What a target may refuse)"
    )

    def refusal(self, request: PaymentRequest) -> str | None:
        if request.customer_id is not None and not CUSTOMER_ID.fullmatch(request.customer_id):
            return "customerId must be 1 to 36 letters, digits, '_' or '-'"
        return None

"""Validation of the create body (PaymentRequestDto) into a PaymentRequest, or a list of errors.

Rules: a JSON object with ``amount`` (a number > 0 that is finite as a double; ``true`` is not
a number), ``currency`` (three letters, any case), ``description`` (a string) and optionally
``customerId`` (a string when present; ``null`` is refused). Other fields are rejected, as
NestJS does with ``forbidNonWhitelisted``. A string holding a lone surrogate (the JSON escape
``"\\ud800"``, which no UTF-8 text can carry) is refused too.
"""

from __future__ import annotations

import decimal
import math
import re
from typing import Any

from .canonical import parse_json
from .model import PaymentRequest

__all__ = ["CURRENCY_PATTERN", "FIELDS", "BodyError", "is_json_media_type", "parse_payment_request"]

CURRENCY_PATTERN = re.compile(r"[A-Za-z]{3}")
FIELDS = ("amount", "currency", "description", "customerId")


class BodyError(ValueError):
    """The body is unusable; ``messages`` says why, one sentence per problem."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


def is_json_media_type(content_type: str | None) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def parse_payment_request(body: bytes, content_type: str | None) -> PaymentRequest:
    if not is_json_media_type(content_type):
        raise BodyError(["Content-Type must be application/json"])
    try:
        data = parse_json(body)
    except ValueError as exc:
        raise BodyError(["Request body is not valid JSON"]) from exc
    if not isinstance(data, dict):
        raise BodyError(["Request body must be a JSON object"])
    errors = [f"property {name} should not exist" for name in data if name not in FIELDS]
    amount = _amount(data.get("amount"), errors)
    currency = data.get("currency")
    if not isinstance(currency, str) or not CURRENCY_PATTERN.fullmatch(currency):
        errors.append("currency must be a 3-letter currency code")
    description = data.get("description")
    if not isinstance(description, str):
        errors.append("description must be a string")
    customer_id = data.get("customerId")
    if "customerId" in data and not isinstance(customer_id, str):
        errors.append("customerId must be a string")
    errors += [
        f"{name} must be valid Unicode text"
        for name in ("description", "customerId")
        if isinstance(data.get(name), str) and not _is_unicode(data[name])
    ]
    if errors:
        raise BodyError(errors)
    return PaymentRequest(
        amount=str(amount),
        currency=str(currency),
        description=str(description),
        customer_id=customer_id,
    )


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _amount(value: Any, errors: list[str]) -> decimal.Decimal | None:
    if not isinstance(value, decimal.Decimal):
        errors.append("amount must be a number")
        return None
    try:
        as_double = float(value)
    except OverflowError:
        as_double = math.inf
    if not math.isfinite(as_double) or as_double <= 0:
        errors.append("amount must be a positive finite number")
        return None
    return value

"""Idempotency-key faults: keys accepted when they should be refused, or compared loosely."""

from __future__ import annotations

import hashlib
import secrets

from starlette.datastructures import Headers
from starlette.requests import Request

from ..canonical import is_valid_key
from ..model import Reply
from .registry import Fault, fault

__all__ = [
    "DuplicateHeaderFirstWins",
    "EmptyKeyAccepted",
    "KeyAlphabetUnchecked",
    "KeyCaseFolded",
    "KeyLengthUnchecked",
    "KeyTruncated",
    "MissingKeyAccepted",
    "RefundKeyOptional",
]

_HEADER = b"idempotency-key"
_ALPHABET = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def _key_values(request: Request) -> list[str]:
    return [value.decode("latin-1") for name, value in request.scope["headers"] if name == _HEADER]


def _with_key(request: Request, key: str) -> Request:
    """The same request with its key header(s) replaced by one valid `key`."""
    scope = dict(request.scope)
    scope["headers"] = [(n, v) for n, v in scope["headers"] if n != _HEADER]
    scope["headers"].append((_HEADER, key.encode()))
    return Request(scope, request.receive)


class _LaxCreateKey(Fault):
    """Create accepts some invalid keys (`lax`), using a valid stand-in key for them; the
    refund keeps the rule, so only the create side of the requirement is broken."""

    def lax(self, values: list[str]) -> bool:
        raise NotImplementedError

    def stand_in(self, values: list[str]) -> str:
        """A key that dedupes like the given one did (a hash of it)."""
        return "lax-" + hashlib.sha256(values[0].encode()).hexdigest()[:40]

    async def create(self, request: Request) -> Reply:
        values = _key_values(request)
        valid = len(values) == 1 and is_valid_key(values[0])
        if not valid and self.lax(values):
            request = _with_key(request, self.stand_in(values))
        return await super().create(request)


@fault
class MissingKeyAccepted(_LaxCreateKey):
    name = "missing-key-accepted"
    summary = "a create without an Idempotency-Key makes a payment"
    breaks = "KEY-REQUIRED"

    def lax(self, values: list[str]) -> bool:
        return not values

    def stand_in(self, values: list[str]) -> str:
        return "nokey-" + secrets.token_hex(16)


@fault
class EmptyKeyAccepted(_LaxCreateKey):
    name = "empty-key-accepted"
    summary = "a create with an empty or whitespace-only key makes a payment"
    breaks = "KEY-EMPTY"

    def lax(self, values: list[str]) -> bool:
        return len(values) == 1 and not values[0].strip()

    def stand_in(self, values: list[str]) -> str:
        return "empty-" + secrets.token_hex(16)


@fault
class KeyLengthUnchecked(_LaxCreateKey):
    name = "key-length-unchecked"
    summary = "a create accepts keys shorter than 6 or longer than 64 characters"
    breaks = "KEY-LENGTH"

    def lax(self, values: list[str]) -> bool:
        return len(values) == 1 and bool(values[0]) and set(values[0]) <= _ALPHABET


@fault
class KeyAlphabetUnchecked(_LaxCreateKey):
    name = "key-alphabet-unchecked"
    summary = "a create accepts keys with whitespace, control or non-ASCII characters"
    breaks = "KEY-ALPHABET"

    def lax(self, values: list[str]) -> bool:
        return len(values) == 1 and 6 <= len(values[0].strip()) <= 64


@fault
class KeyTruncated(Fault):
    name = "key-truncated"
    summary = "keys are cut to their first 16 characters before the lookup"
    breaks = "KEY-DISTINCT"

    def read_key(self, headers: Headers) -> str:
        return super().read_key(headers)[:16]


@fault
class KeyCaseFolded(Fault):
    name = "key-case-folded"
    summary = "keys differing only in letter case share one stored response"
    breaks = "KEY-DISTINCT"

    def read_key(self, headers: Headers) -> str:
        return super().read_key(headers).lower()


@fault
class DuplicateHeaderFirstWins(Fault):
    name = "duplicate-header-first-wins"
    summary = "two Idempotency-Key header lines are accepted; the first one counts"
    breaks = "KEY-DUPLICATE-HEADER"

    def read_key(self, headers: Headers) -> str:
        values = headers.getlist("idempotency-key")
        if len(values) > 1:
            headers = Headers(raw=[(_HEADER, values[0].encode("latin-1"))])
        return super().read_key(headers)


@fault
class RefundKeyOptional(Fault):
    name = "refund-key-optional"
    summary = "a refund without an Idempotency-Key is processed"
    breaks = "REFUND-KEY"
    # KEY-REQUIRED says the same of refunds ("POST create or refund without a key -> 400").
    also_breaks = ("KEY-REQUIRED",)

    async def refund(self, request: Request, payment_id: str) -> Reply:
        if not _key_values(request):
            request = _with_key(request, "nokey-" + secrets.token_hex(16))
        return await super().refund(request, payment_id)

"""Plain data the reference server passes between its layers: requests, records and replies."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .store import Transaction

__all__ = [
    "JSON_TYPE",
    "ApiError",
    "KeyedCall",
    "Payment",
    "PaymentRequest",
    "RawNumber",
    "Refund",
    "Reply",
    "StoredKey",
    "dump_json",
]

JSON_TYPE = "application/json"


class ApiError(Exception):
    """An error answered to the client as a NestJS-style body ``{"statusCode", "message"}``,
    followed by ``fields`` (extra members of the body, none by default)."""

    def __init__(
        self,
        status: int,
        message: str | list[str],
        headers: Mapping[str, str] | None = None,
        fields: Sequence[tuple[str, Any]] = (),
    ) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message
        self.headers = dict(headers or {})
        self.fields = list(fields)
        self.path = ""
        """The request path this error answers; the app sets it before rendering."""


@dataclass(frozen=True)
class RawNumber:
    """A JSON number written exactly as given (so an amount is echoed as it was spelled)."""

    text: str


def dump_json(fields: Sequence[tuple[str, Any]]) -> bytes:
    """Compact JSON object from ordered pairs; a RawNumber value is written verbatim."""
    parts = []
    for name, value in fields:
        text = value.text if isinstance(value, RawNumber) else json.dumps(value)
        parts.append(f"{json.dumps(name)}:{text}")
    return ("{" + ",".join(parts) + "}").encode()


@dataclass(frozen=True)
class Reply:
    """What an operation answers: status, JSON body bytes and extra headers."""

    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)
    content_type: str = JSON_TYPE


@dataclass(frozen=True)
class PaymentRequest:
    """A validated create body; ``amount`` is the JSON spelling of the requested number."""

    amount: str
    currency: str
    description: str
    customer_id: str | None


@dataclass(frozen=True)
class Payment:
    id: str
    client: str
    amount: str
    currency: str
    description: str
    customer_id: str | None
    status: str
    timestamp: str


@dataclass(frozen=True)
class Refund:
    id: str
    payment_id: str
    client: str
    amount: str
    status: str
    timestamp: str


@dataclass(frozen=True)
class StoredKey:
    """One row of the idempotency table: a claimed key and, once done, the stored response."""

    client: str
    scope: str
    key: str
    operation: str
    resource: str
    fingerprint: str
    state: str  # "done" or "pending" (claimed, result not recorded yet)
    status: int | None
    content_type: str | None
    body: bytes | None
    created_at: float


@dataclass
class KeyedCall:
    """One POST under an idempotency key, ready for the idempotency engine."""

    client: str
    key: str
    scope: str
    operation: str  # "create" or "refund"
    resource: str  # "" for create, the payment id for a refund
    fingerprint: str
    perform: Callable[[Transaction], Reply]
    invalid: ApiError | None = None
    """A validation failure found before the lookup; raised only if the key is not a replay."""

    def stored_key(self, state: str, reply: Reply | None = None) -> StoredKey:
        """The idempotency row for this call: "pending" (claimed) or "done" with its reply."""
        return StoredKey(
            client=self.client,
            scope=self.scope,
            key=self.key,
            operation=self.operation,
            resource=self.resource,
            fingerprint=self.fingerprint,
            state=state,
            status=reply.status if reply else None,
            content_type=reply.content_type if reply else None,
            body=reply.body if reply else None,
            created_at=time.time(),
        )

"""Ids and timestamps in other shapes. PAY-CREATE asks only that `id` is a string and
`timestamp` an ISO-8601 date-time; PAY-GET-UNKNOWN leaves the status of an unknown id open
(any 4xx, 404 SHOULD)."""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta, timezone

from ..model import ApiError
from ..settings import Settings
from ..store import Store, Transaction
from .registry import Variant, variant

__all__ = [
    "CROCKFORD",
    "MicrosecondTimestamps",
    "NumericIds",
    "PlusTwoTimestamps",
    "SecondTimestamps",
    "SequentialIds",
    "UlidIds",
    "UuidIds",
    "UuidParam400",
    "ulid",
]

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def ulid() -> str:
    """A ULID: 48 bits of milliseconds and 80 random bits, 26 Crockford base-32 characters."""
    value = (int(time.time() * 1000) << 80) | secrets.randbits(80)
    return "".join(CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


@variant
class UuidIds(Variant):
    name = "uuid-ids"
    summary = "ids are UUIDs; timestamps carry +00:00 and no milliseconds (PAY-CREATE)"

    def new_id(self, prefix: str) -> str:
        return str(uuid.uuid4())

    def now(self) -> str:
        return datetime.now(UTC).replace(microsecond=0).isoformat()


@variant
class SequentialIds(Variant):
    name = "sequential-ids"
    summary = 'ids count up from "1" per table, as strings (PAY-CREATE: id is a string)'

    def __init__(self, store: Store, settings: Settings) -> None:
        super().__init__(store, settings)
        with store.transaction() as tx:
            self._last = {"pay_": tx.count("payments"), "ref_": tx.count("refunds")}
        self._lock = threading.Lock()

    def new_id(self, prefix: str) -> str:
        with self._lock:
            self._last[prefix] += 1
            return str(self._last[prefix])


@variant
class UlidIds(Variant):
    name = "ulid-ids"
    summary = "ids are ULIDs (26 upper-case base-32 characters) (PAY-CREATE: id is a string)"

    def new_id(self, prefix: str) -> str:
        return ulid()


@variant
class NumericIds(Variant):
    name = "numeric-ids"
    summary = "ids are 18-digit numbers written as strings (PAY-CREATE: id is a string)"

    def new_id(self, prefix: str) -> str:
        return str(10**17 + secrets.randbelow(9 * 10**17))


@variant
class UuidParam400(Variant):
    name = "uuid-param-400"
    summary = (
        "ids are UUIDs, and an id that is not one gets 400 as a malformed parameter "
        "(PAY-GET-UNKNOWN, REFUND-UNKNOWN: any 4xx; their SHOULD 404 may warn)"
    )
    warns = ("PAY-GET-UNKNOWN", "REFUND-UNKNOWN")

    def new_id(self, prefix: str) -> str:
        return str(uuid.uuid4())

    def unknown_payment(self, tx: Transaction, client: str, payment_id: str) -> ApiError:
        try:
            uuid.UUID(payment_id)
        except ValueError:
            return ApiError(400, "Validation failed (uuid is expected)")
        return super().unknown_payment(tx, client, payment_id)


@variant
class PlusTwoTimestamps(Variant):
    name = "timestamp-plus-two"
    summary = "timestamps are local time at offset +02:00 (PAY-CREATE: an ISO-8601 date-time)"

    def now(self) -> str:
        return datetime.now(timezone(timedelta(hours=2))).isoformat(timespec="milliseconds")


@variant
class MicrosecondTimestamps(Variant):
    name = "timestamp-micros"
    summary = "timestamps carry microseconds, 2023-07-01T12:00:00.123456Z (PAY-CREATE)"

    def now(self) -> str:
        return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@variant
class SecondTimestamps(Variant):
    name = "timestamp-seconds"
    summary = "timestamps carry no fraction of a second, 2023-07-01T12:00:00Z (PAY-CREATE)"

    def now(self) -> str:
        return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

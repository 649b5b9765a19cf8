"""Replay faults: the stored response is not what a replay returns, or not found when it should."""

from __future__ import annotations

import decimal
import json
import threading
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime

from ..canonical import body_fingerprint, canonical, parse_json
from ..model import KeyedCall, Reply, StoredKey
from ..store import Transaction
from ..validation import is_json_media_type
from .registry import Fault, fault

__all__ = [
    "CreateKeyReplayedOnRefund",
    "FingerprintCurrencyCase",
    "FingerprintIgnoresCustomer",
    "FingerprintRawBytes",
    "FingerprintWholeUnits",
    "KeysExpireInSeconds",
    "ReplayCurrentState",
    "ReplayMakesNewPayment",
    "ReplayNewTimestamp",
    "ReplayStatus200",
]


class _CountsReplays(Fault):
    """Counts the replays of each key (replays run inside the store's lock, one at a time)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.replays: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()

    def count(self, stored: StoredKey) -> int:
        with self._lock:
            self.replays[stored.client, stored.key] += 1
            return self.replays[stored.client, stored.key]


@fault
class ReplayMakesNewPayment(_CountsReplays):
    name = "replay-new-payment"
    summary = "the second and later replays of a create make (and answer) a new payment"
    breaks = "REPLAY-NO-NEW-PAYMENT"
    # A new payment in a replay is a different body (REPLAY-IDENTICAL repeats 3 times) and a
    # burst of one key is a series of replays (CONC-CREATE): both see the same bug.
    also_breaks = ("REPLAY-IDENTICAL", "CONC-CREATE")

    def lookup(self, tx: Transaction, call: KeyedCall) -> StoredKey | None:
        stored = super().lookup(tx, call)
        if (
            stored is not None
            and stored.operation == call.operation == "create"
            and stored.fingerprint == call.fingerprint
            and self.count(stored) >= 2
        ):
            return None  # as if the key were fresh: the create runs again
        return stored


@fault
class ReplayStatus200(_CountsReplays):
    name = "replay-status-200"
    summary = "the third and later replays of a create answer 200 instead of 201"
    breaks = "REPLAY-IDENTICAL"
    # The replay after a burst of one key is one of many replays and must be 201 (CONC-CREATE);
    # a 200 from create is a 2xx the spec does not document (SCHEMA-RESPONSES).
    also_breaks = ("CONC-CREATE", "SCHEMA-RESPONSES")

    def replay(self, stored: StoredKey) -> Reply:
        reply = super().replay(stored)
        if stored.operation == "create" and self.count(stored) >= 3:
            return replace(reply, status=200)
        return reply


@fault
class ReplayNewTimestamp(_CountsReplays):
    name = "replay-new-timestamp"
    summary = "the third and later replays of a create carry a regenerated timestamp"
    breaks = "REPLAY-IDENTICAL"

    def replay(self, stored: StoredKey) -> Reply:
        reply = super().replay(stored)
        if stored.operation == "create" and self.count(stored) >= 3:
            body = json.loads(reply.body)
            body["timestamp"] = datetime.now(UTC).isoformat()  # microseconds: never the stored one
            return replace(reply, body=json.dumps(body).encode())
        return reply


@fault
class ReplayCurrentState(Fault):
    name = "replay-current-state"
    summary = "a create replay answers the current payment, not the stored 201 body"
    breaks = "REPLAY-AFTER-CHANGE"

    def lookup(self, tx: Transaction, call: KeyedCall) -> StoredKey | None:
        stored = super().lookup(tx, call)
        if stored is None or stored.operation != "create" or stored.body is None:
            return stored
        payment = tx.get_payment(stored.client, json.loads(stored.body)["id"])
        return stored if payment is None else replace(stored, body=self.render_payment(payment))


@fault
class KeysExpireInSeconds(Fault):
    name = "keys-expire-in-seconds"
    summary = "stored responses expire after 2 seconds instead of 24 hours"
    breaks = "REPLAY-DELAYED"
    ttl = 2.0

    def is_expired(self, stored: StoredKey) -> bool:
        return time.time() >= stored.created_at + self.ttl


@fault
class FingerprintIgnoresCustomer(Fault):
    name = "fingerprint-ignores-customer"
    summary = "a retry that changes, adds or removes customerId replays instead of 409"
    breaks = "CONFLICT-BODY"

    def fingerprint(self, operation: str, body: bytes, content_type: str | None) -> str:
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
        if operation == "create" and isinstance(parsed, dict) and is_json_media_type(content_type):
            parsed.pop("customerId", None)
            body = json.dumps(parsed).encode()
        return super().fingerprint(operation, body, content_type)


@fault
class FingerprintRawBytes(Fault):
    name = "fingerprint-raw-bytes"
    summary = "the same JSON with other key order or whitespace gets 409"
    breaks = "REPLAY-JSON-EQUIVALENT"

    def fingerprint(self, operation: str, body: bytes, content_type: str | None) -> str:
        if operation == "refund":
            return super().fingerprint(operation, body, content_type)
        return body_fingerprint(body, is_json=False)


@fault
class CreateKeyReplayedOnRefund(Fault):
    name = "create-key-replayed-on-refund"
    summary = "a key used on one operation replays its response on the other"
    breaks = "CONFLICT-CROSS-OPERATION"
    # A refund answered with a create's 201 is a 2xx the spec does not document.
    also_breaks = ("SCHEMA-RESPONSES",)

    def answer_existing(self, stored: StoredKey, call: KeyedCall) -> Reply:
        if stored.operation != call.operation:
            return self.replay(stored)
        return super().answer_existing(stored, call)


def _create_body(operation: str, body: bytes, content_type: str | None) -> dict[str, object] | None:
    """A create's JSON object body, parsed with exact numbers; None for anything else."""
    if operation != "create" or not is_json_media_type(content_type):
        return None
    try:
        parsed = parse_json(body)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _fingerprint_of(parsed: dict[str, object]) -> str:
    return body_fingerprint(canonical(parsed).encode(), is_json=False)


@fault
class FingerprintWholeUnits(Fault):
    name = "fingerprint-whole-units"
    summary = "a retry whose amount differs by a cent (10.00 -> 10.01) replays instead of 409"
    breaks = "CONFLICT-BODY"

    def fingerprint(self, operation: str, body: bytes, content_type: str | None) -> str:
        parsed = _create_body(operation, body, content_type)
        amount = parsed.get("amount") if parsed else None
        if parsed is None or not isinstance(amount, decimal.Decimal) or not amount.is_finite():
            return super().fingerprint(operation, body, content_type)
        parsed["amount"] = amount.to_integral_value(decimal.ROUND_FLOOR)
        return _fingerprint_of(parsed)


@fault
class FingerprintCurrencyCase(Fault):
    name = "fingerprint-currency-case"
    summary = 'a retry with "usd" for "USD" replays, though the target echoes the case it is sent'
    breaks = "CONFLICT-BODY"

    def fingerprint(self, operation: str, body: bytes, content_type: str | None) -> str:
        parsed = _create_body(operation, body, content_type)
        currency = parsed.get("currency") if parsed else None
        if parsed is None or not isinstance(currency, str):
            return super().fingerprint(operation, body, content_type)
        parsed["currency"] = currency.upper()
        return _fingerprint_of(parsed)

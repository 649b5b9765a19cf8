"""The requirement catalog: every id of REQUIREMENTS.md with its level, area and statement.

This is the one place in code where requirements are named. Tests mark themselves with an id
from here, the plugin turns outcomes into verdicts by level, and the report groups by area.
A project test checks that this catalog and ../shared/REQUIREMENTS.md say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["AREAS", "BY_ID", "CATALOG", "Level", "Requirement", "get"]


class Level(StrEnum):
    MUST = "MUST"
    SHOULD = "SHOULD"
    INFO = "INFO"


AREAS = (
    "auth",
    "keys",
    "payment",
    "replay",
    "conflict",
    "refund",
    "concurrency",
    "expiry",
    "protocol",
)


@dataclass(frozen=True)
class Requirement:
    id: str
    level: Level
    area: str
    statement: str
    should: str | None = None
    """The SHOULD clause of a MUST requirement, judged separately (a warning when it fails)."""
    runs_when: str | None = None
    """Why the requirement may not run: the option it needs, or the observation it waits for."""
    unmet: str | None = None
    """What the run lacked when it did not run, in a few words for the closing line."""


def _req(
    id: str,
    level: str,
    area: str,
    statement: str,
    should: str | None = None,
    runs_when: str | None = None,
    unmet: str | None = None,
) -> Requirement:
    return Requirement(id, Level(level), area, statement, should, runs_when, unmet)


CATALOG: tuple[Requirement, ...] = (
    _req(
        "AUTH-MISSING",
        "MUST",
        "auth",
        "Every operation without x-client-key or without x-client-secret gets 401.",
    ),
    _req(
        "AUTH-INVALID",
        "MUST",
        "auth",
        "A wrong key or a wrong secret gets 401, with no payment or refund data in the body (an "
        "error body may repeat what the request carried and carry fields of its own, such as a "
        "trace id).",
    ),
    _req(
        "AUTH-BEFORE-REPLAY",
        "MUST",
        "auth",
        "Reusing an existing idempotency key with wrong credentials gets 401, never the stored "
        "response.",
    ),
    _req(
        "AUTH-NOT-STORED",
        "MUST",
        "auth",
        "A 401 is not stored under the key: the same key with valid credentials is processed.",
    ),
    _req(
        "AUTH-KEY-SCOPE",
        "MUST",
        "auth",
        "Client B reusing client A's key gets its own result, never A's stored response; B cannot "
        "GET or refund A's payment: any 4xx carrying none of A's payment data.",
        should="404 or 403 for another client's payment.",
        runs_when="second client credentials are given",
        unmet="needs a second client",
    ),
    _req(
        "KEY-REQUIRED",
        "MUST",
        "keys",
        "POST create or refund without Idempotency-Key gets 400 with an error body.",
    ),
    _req("KEY-EMPTY", "MUST", "keys", "An empty or whitespace-only key gets 400."),
    _req(
        "KEY-LENGTH",
        "MUST",
        "keys",
        "Keys of 5 and of 65+ characters get 400; keys of exactly 6 and 64 allowed characters "
        "are accepted.",
    ),
    _req(
        "KEY-ALPHABET",
        "MUST",
        "keys",
        "Keys of letters, digits, '_' and '-' are accepted; whitespace, control or non-ASCII "
        "characters get 400.",
        should="Other punctuation ('.', ':', '/', '!'...) gets 400.",
    ),
    _req(
        "KEY-HEADER-CASE",
        "MUST",
        "keys",
        "The header name is case-insensitive, and a replay under another spelling replays.",
    ),
    _req(
        "KEY-DUPLICATE-HEADER",
        "SHOULD",
        "keys",
        "Two Idempotency-Key header lines in one request get 400, never a joined key.",
    ),
    _req(
        "KEY-DISTINCT",
        "MUST",
        "keys",
        "Two different keys (including ones sharing their first 64 characters) never share a "
        "stored response.",
        should="Keys differing only in letter case are distinct.",
    ),
    _req(
        "PAY-CREATE",
        "MUST",
        "payment",
        "A valid body with a fresh key gets 201 and a PaymentResponseDto body.",
    ),
    _req(
        "PAY-ECHO",
        "MUST",
        "payment",
        "The response amount equals the requested amount and currency the requested currency.",
        should="status is 'succeeded'.",
    ),
    _req(
        "PAY-DISTINCT",
        "MUST",
        "payment",
        "Two creates with different keys and identical bodies give two different payment ids.",
    ),
    _req(
        "PAY-GET",
        "MUST",
        "payment",
        "GET of a created id gets 200 with the same id, amount and currency.",
    ),
    _req(
        "PAY-GET-UNKNOWN",
        "MUST",
        "payment",
        "GET of an id that was never created gets a 4xx, not 2xx or 5xx.",
        should="The status is 404.",
    ),
    _req(
        "PAY-VALIDATION",
        "MUST",
        "payment",
        "Invalid bodies (missing field, wrong type, malformed JSON, non-JSON content type, "
        "non-finite amount) get a 4xx (400, 415 and 422 are usual), never 2xx or 5xx.",
        should="An amount <= 0 is rejected.",
    ),
    _req(
        "PAY-VALIDATION-KEY",
        "INFO",
        "payment",
        "What a key first used with an invalid body does next.",
    ),
    _req(
        "REPLAY-IDENTICAL",
        "MUST",
        "replay",
        "The same key with the same body gets the same status, Content-Type and JSON body on "
        "every repeat.",
    ),
    _req(
        "REPLAY-NO-NEW-PAYMENT",
        "MUST",
        "replay",
        "A replay never yields a new payment id; GET still returns the original payment.",
    ),
    _req(
        "REPLAY-JSON-EQUIVALENT",
        "MUST",
        "replay",
        "A body differing only in key order or whitespace is the same request.",
        should="100, 100.0 and 100.00 are the same amount.",
    ),
    _req(
        "REPLAY-AFTER-CHANGE",
        "MUST",
        "replay",
        "Replaying a create after the payment was refunded returns the original 201 response.",
    ),
    _req(
        "REPLAY-DELAYED",
        "MUST",
        "replay",
        "A replay some seconds later still returns the stored response.",
    ),
    _req(
        "REPLAY-MARKER",
        "INFO",
        "replay",
        "A replay header such as Idempotent-Replayed is recorded when present.",
    ),
    _req(
        "CONFLICT-BODY",
        "MUST",
        "conflict",
        "The same key with a different body gets 409 (or --conflict-status) with an error body.",
    ),
    _req(
        "CONFLICT-NO-SIDE-EFFECT",
        "MUST",
        "conflict",
        "After a conflict the original payment is unchanged and the original request replays.",
    ),
    _req(
        "CONFLICT-CROSS-OPERATION",
        "MUST",
        "conflict",
        "A key used on one operation or resource and sent to another never receives the other "
        "request's stored response.",
    ),
    _req(
        "REFUND-CREATE",
        "MUST",
        "refund",
        "Refund of an existing payment with a fresh key gets 200 with a RefundResponseDto whose "
        "paymentId and amount match the payment.",
    ),
    _req(
        "REFUND-REPLAY",
        "MUST",
        "refund",
        "The same refund key gets the same status and body, the same refund id, no second refund.",
    ),
    _req(
        "REFUND-KEY", "MUST", "refund", "A refund without a key, or with an invalid key, gets 400."
    ),
    _req(
        "REFUND-UNKNOWN",
        "MUST",
        "refund",
        "Refund of an unknown payment gets a 4xx, not 2xx or 5xx.",
        should="The status is 404.",
    ),
    _req(
        "REFUND-ONCE",
        "MUST",
        "refund",
        "A second refund of a refunded payment with a new key never yields a new refund id.",
    ),
    _req("REFUND-STATE", "INFO", "refund", "The payment status seen by GET after a refund."),
    _req(
        "CONC-CREATE",
        "MUST",
        "concurrency",
        "N simultaneous identical creates with one key: every 2xx carries the same payment id, "
        "the others are 409 or 429, none 5xx.",
    ),
    _req(
        "CONC-REFUND-KEY",
        "MUST",
        "concurrency",
        "N simultaneous refunds with one key: every 2xx is identical.",
    ),
    _req(
        "CONC-REFUND-ONCE",
        "MUST",
        "concurrency",
        "N simultaneous refunds of one payment with N keys: at most one distinct refund id.",
    ),
    _req(
        "KEY-EXPIRY",
        "SHOULD",
        "expiry",
        "After the stated key lifetime the key is free again; before it, replays hold.",
        runs_when="--key-ttl states the target's key lifetime",
    ),
    _req(
        "ERR-SHAPE",
        "MUST",
        "protocol",
        "Every 4xx body is JSON with statusCode equal to the HTTP status and a message string or "
        "list of strings; a 429 is excepted (it may come from a gateway).",
    ),
    _req("ERR-NO-5XX", "MUST", "protocol", "No generated request gets a 5xx."),
    _req(
        "SCHEMA-RESPONSES",
        "MUST",
        "protocol",
        "Every 2xx and every documented error response matches the spec: JSON content type and "
        "body schema; an undocumented 4xx is judged by the requirement that provoked it, and a "
        "429 only by RATE-LIMIT and RATE-NOT-STORED.",
    ),
    _req(
        "RATE-LIMIT",
        "SHOULD",
        "protocol",
        "A 429 carries Retry-After.",
        runs_when="the target answers 429",
        unmet="saw no 429",
    ),
    _req(
        "RATE-NOT-STORED",
        "MUST",
        "protocol",
        "A 429 is not stored under the key: the retry after the wait is processed normally.",
        runs_when="the target answers 429",
        unmet="saw no 429",
    ),
    _req(
        "STATEFUL-MODEL",
        "MUST",
        "replay",
        "Random sequences of creates, replays, changed retries, reads, refunds, key reuse across "
        "operations, invalid keys, wrong credentials, simultaneous requests and a pause keep to "
        "the model: every response is one the requirements allow.",
    ),
)

BY_ID: dict[str, Requirement] = {r.id: r for r in CATALOG}


def get(requirement_id: str) -> Requirement:
    """The requirement with this id; a KeyError that names the known ids otherwise."""
    try:
        return BY_ID[requirement_id]
    except KeyError:
        raise KeyError(
            f"unknown requirement id {requirement_id!r}; known: {', '.join(BY_ID)}"
        ) from None

"""PAY-CREATE, PAY-ECHO, PAY-DISTINCT, PAY-GET, PAY-GET-UNKNOWN, PAY-VALIDATION: a valid create
makes one payment that GET reads back; unknown ids and invalid bodies are refused.

"The payment is unchanged" has one meaning everywhere (`payment_reads_as_created`): the same
`id`, the same `amount` as a number and the same `currency` in any letter case. Its `status`
may move on (a refund, or a target that settles payments later).
"""

from __future__ import annotations

import json
from typing import Any

from .answer import Answer, describe, same_number
from .failure import fail
from .registry import check
from .shapes import payment_problems
from .status import ANY_4XX, expect_status

__all__ = [
    "invalid_body_refused",
    "payment_created",
    "payment_echoes_the_request",
    "payment_reads_as_created",
    "payment_status_is_succeeded",
    "payments_are_distinct",
    "unknown_payment_not_found",
    "unknown_payment_refused",
]


@check(
    "PAY-CREATE",
    "PAY-DISTINCT",
    "KEY-LENGTH",
    "KEY-ALPHABET",
    "KEY-HEADER-CASE",
    "KEY-DISTINCT",
    "KEY-EXPIRY",
    "AUTH-NOT-STORED",
    "AUTH-KEY-SCOPE",
    "CONFLICT-CROSS-OPERATION",
    "CONC-CREATE",
)
def payment_created(answer: Answer) -> None:
    """201 with a PaymentResponseDto: `id` (string), `amount` (number), `currency` and `status`
    (strings), `timestamp` (an ISO-8601 date-time); extra fields allowed."""
    expect_status(answer, {201}, "A valid create was not answered 201")
    problems = payment_problems(answer)
    if problems:
        fail(
            "The 201 body is not a PaymentResponseDto",
            expected="id, amount, currency, status and timestamp of the right types",
            received=f"{'; '.join(problems)}: {describe(answer)}",
        )


@check("PAY-ECHO", "AUTH-NOT-STORED")
def payment_echoes_the_request(created: Answer, *, amount: Any, currency: str) -> None:
    """The payment's `amount` equals the requested amount as a number, and its `currency` the
    requested currency in any letter case."""
    if not same_number(created.get("amount"), amount):
        fail(
            "The response amount is not the requested amount",
            expected=f"amount {json.dumps(amount)}",
            received=f"amount {json.dumps(created.get('amount'))}",
        )
    echoed = created.get("currency")
    if not isinstance(echoed, str) or echoed.upper() != str(currency).upper():
        fail(
            "The response currency is not the requested currency",
            expected=f"currency {currency} (any case)",
            received=f"currency {json.dumps(echoed)}",
        )


@check("PAY-ECHO")
def payment_status_is_succeeded(created: Answer) -> None:
    """(SHOULD) the created payment's `status` is `succeeded`."""
    if created.get("status") != "succeeded":
        fail(
            "The created payment's status is not 'succeeded'",
            expected='status "succeeded"',
            received=f"status {json.dumps(created.get('status'))}",
        )


@check("PAY-DISTINCT", "KEY-DISTINCT", "KEY-EXPIRY", "STATEFUL-MODEL")
def payments_are_distinct(first: Answer, second: Answer) -> None:
    """Two creates of one client under different keys (or under a key that expired) give two
    payment ids."""
    if second.ok and second.get("id") is not None and second.get("id") == first.get("id"):
        fail(
            "Two different keys got one payment",
            expected=f"a payment id other than {json.dumps(first.get('id'))}",
            received=describe(second),
        )


@check(
    "PAY-GET",
    "REPLAY-NO-NEW-PAYMENT",
    "CONFLICT-NO-SIDE-EFFECT",
    "AUTH-KEY-SCOPE",
    "STATEFUL-MODEL",
)
def payment_reads_as_created(created: Answer, fetched: Answer) -> None:
    """GET of a created payment: 200 with the created `id`, the same `amount` (as a number) and
    the same `currency` (any case); other fields, `status` included, may differ."""
    expect_status(fetched, {200}, "GET of a created payment was not answered 200")
    changed = []
    if fetched.get("id") != created.get("id"):
        changed.append("id")
    if not same_number(fetched.get("amount"), created.get("amount")):
        changed.append("amount")
    if str(fetched.get("currency")).upper() != str(created.get("currency")).upper():
        changed.append("currency")
    if changed:
        fields = ("id", "amount", "currency")
        fail(
            "GET does not return the payment as it was created",
            expected=json.dumps({k: created.get(k) for k in fields}),
            received=f"{', '.join(changed)} differ: {describe(fetched)}",
        )


@check("PAY-GET-UNKNOWN", "REFUND-UNKNOWN")
def unknown_payment_refused(answer: Answer) -> None:
    """Any 4xx for a payment id that was never created (never 2xx or 5xx)."""
    expect_status(answer, ANY_4XX, "A request for a payment that does not exist was not refused")


@check("PAY-GET-UNKNOWN", "REFUND-UNKNOWN")
def unknown_payment_not_found(answer: Answer) -> None:
    """(SHOULD) 404 for a payment id that was never created."""
    expect_status(answer, {404}, "A payment that does not exist was not answered 404")


@check("PAY-VALIDATION")
def invalid_body_refused(answer: Answer) -> None:
    """Any 4xx for an invalid body (400, 415 and 422 are usual), never 2xx or 5xx; the SHOULD
    part asks the same of an amount not above zero."""
    expect_status(answer, ANY_4XX, "An invalid body was not refused")

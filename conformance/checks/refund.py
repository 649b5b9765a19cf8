"""REFUND-CREATE, REFUND-ONCE, CONC-REFUND-ONCE: a refund refunds the payment in full, and a
payment is refunded at most once, whatever the keys. (REFUND-REPLAY is `replay_is_identical`,
REFUND-KEY `key_refused_with_400`, REFUND-UNKNOWN `unknown_payment_refused`.)
"""

from __future__ import annotations

import json

from .answer import Answer, describe, is_num, same_number
from .failure import fail
from .registry import check
from .shapes import refund_problems
from .status import ANY_2XX, ANY_4XX, expect_status, within

__all__ = [
    "at_most_one_refund",
    "refund_of_the_payment",
    "refunded_never_exceeds_paid",
    "second_refund_makes_no_new_refund",
]


@check("AUTH-NOT-STORED", "AUTH-KEY-SCOPE", "CONFLICT-CROSS-OPERATION", "STATEFUL-MODEL")
def refund_processed(refund: Answer, payment: Answer) -> None:
    """A 2xx whose `paymentId` is the payment's id: the refund was processed (what the refund
    says about the amount is REFUND-CREATE's to judge)."""
    expect_status(refund, ANY_2XX, "The refund was not processed")
    if str(refund.get("paymentId")) != str(payment.get("id")):
        fail(
            "The answer is not a refund of the payment",
            expected=f"a refund with paymentId {json.dumps(payment.get('id'))}",
            received=describe(refund),
        )


@check("REFUND-CREATE", "STATEFUL-MODEL")
def refund_of_the_payment(refund: Answer, payment: Answer) -> None:
    """200 with a RefundResponseDto whose `paymentId` is the payment's id and whose `amount` is
    the payment's amount (as a number)."""
    expect_status(refund, {200}, "A refund of an existing payment was not answered 200")
    problems = refund_problems(refund)
    if problems:
        fail(
            "The refund response is not a RefundResponseDto",
            expected="id, paymentId, amount, status and timestamp of the right types",
            received=f"{'; '.join(problems)}: {describe(refund)}",
        )
    if str(refund.get("paymentId")) != str(payment.get("id")):
        fail(
            "The refund names another payment",
            expected=f"paymentId {json.dumps(payment.get('id'))}",
            received=f"paymentId {json.dumps(refund.get('paymentId'))}",
        )
    paid = payment.get("amount")
    if is_num(paid) and not same_number(refund.get("amount"), paid):
        fail(
            "The refund amount is not the payment amount",
            expected=f"amount {json.dumps(paid)}",
            received=f"amount {json.dumps(refund.get('amount'))}",
        )


@check("REFUND-ONCE", "REFUND-REPLAY", "STATEFUL-MODEL")
def second_refund_makes_no_new_refund(answer: Answer, first: Answer) -> None:
    """A refund of a refunded payment with a new key: any 4xx (400, 409 and 422 are usual), or a
    2xx returning the original refund (its `id`)."""
    if answer.ok:
        if answer.get("id") is None or answer.get("id") != first.get("id"):
            fail(
                "A second refund of a refunded payment made a new refund",
                expected=f"a 4xx, or the original refund {json.dumps(first.get('id'))}",
                received=describe(answer),
            )
        return
    expect_status(answer, ANY_4XX, "A second refund of a refunded payment was not refused")


@check("CONC-REFUND-ONCE", "REFUND-ONCE", "STATEFUL-MODEL")
def at_most_one_refund(*refunds: Answer) -> None:
    """At most one distinct refund `id` among the 2xx answers to refunds of one payment."""
    ids = {json.dumps(a.get("id")) for a in refunds if a.ok}
    if len(ids) > 1:
        statuses = ", ".join(f"{a.status} {json.dumps(a.get('id'))}" for a in refunds)
        fail(
            f"One payment got {len(ids)} refunds",
            expected="at most one refund id among the 2xx answers",
            received=statuses,
        )


@check("REFUND-CREATE", "STATEFUL-MODEL")
def refunded_never_exceeds_paid(payment: Answer, *refunds: Answer) -> None:
    """Every 2xx refund of a payment is for at most the payment's amount, compared as numbers:
    an amount written back as the nearest double is the same amount."""
    paid = payment.get("amount")
    for refund in refunds:
        amount = refund.get("amount")
        # 2**63 written by JavaScript reads back as the integer 9223372036854776000: larger
        # than 2**63 as an integer, equal to it as a double.
        at_most_paid = is_num(amount) and (amount <= paid or same_number(amount, paid))
        if refund.ok and is_num(paid) and not at_most_paid:
            fail(
                "A refund is for more than the payment",
                expected=f"at most {json.dumps(paid)}",
                received=describe(refund),
            )


def is_refused(answer: Answer) -> bool:
    return within(answer.status, ANY_4XX)

"""Amounts compared as numbers: a server that parses JSON numbers as doubles (JavaScript, many
JSON libraries) writes an amount beyond 2**53 back as the nearest double, which is the same
amount for the checks, never a larger one."""

from __future__ import annotations

import pytest

from conformance.checks import Answer, Violation, refunded_never_exceeds_paid

TWO_TO_63_AS_A_DOUBLE = "9223372036854776000"
"""2**63 (9223372036854775808), as JavaScript's JSON.stringify writes it."""


def _payment(amount: str) -> Answer:
    return Answer(201, "application/json", f'{{"id": "p", "amount": {amount}}}', seq=1)


def _refund(amount: str) -> Answer:
    return Answer(200, "application/json", f'{{"id": "r", "paymentId": "p", "amount": {amount}}}')


@pytest.mark.parametrize("paid", [TWO_TO_63_AS_A_DOUBLE, "9223372036854775808"])
def test_a_refund_of_an_amount_written_as_a_double_is_not_more_than_the_payment(paid: str) -> None:
    refunded_never_exceeds_paid(_payment(paid), _refund(TWO_TO_63_AS_A_DOUBLE))


@pytest.mark.parametrize(("paid", "refunded"), [("100", "100.01"), (TWO_TO_63_AS_A_DOUBLE, "1e19")])
def test_a_refund_of_more_than_the_payment_fails(paid: str, refunded: str) -> None:
    with pytest.raises(Violation, match="more than the payment"):
        refunded_never_exceeds_paid(_payment(paid), _refund(refunded))

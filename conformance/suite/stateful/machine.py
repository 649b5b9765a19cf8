"""The state machine: the rules of payments, refunds and access, and the money invariants.

After every step, every answer of the step is judged by the protocol checks (no 5xx, what the
spec documents, 4xx with the error body), and the invariants hold for every payment made: at
most one refund id, and never more refunded than paid.
"""

from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant

from conformance import checks
from conformance.suite.stateful.access import AccessRules
from conformance.suite.stateful.model import PAYMENTS, REFUND_KEYS, UNSTORED
from conformance.suite.stateful.payments import PaymentRules
from conformance.suite.stateful.refunds import RefundRules
from conformance.suite.stateful.steering import steer

__all__ = ["PaymentsModel"]


@steer
class PaymentsModel(PaymentRules, RefundRules, AccessRules):
    payments = PAYMENTS
    refund_keys = REFUND_KEYS
    unstored = UNSTORED

    @initialize(later=st.booleans())
    def take_a_turn_in_the_round(self, later: bool) -> None:
        """Whether this example wants what its round's first example left (steering.py)."""
        self.later = later
        self.shared.steering.take_turn(later)

    @invariant()
    def every_answer_keeps_to_the_protocol(self) -> None:
        self.judge_protocol()

    @invariant()
    def at_most_one_refund_per_payment(self) -> None:
        for payment in self.known:
            self.judge(checks.at_most_one_refund, *payment.refunds, requirement="REFUND-ONCE")

    @invariant()
    def refunded_never_exceeds_paid(self) -> None:
        for payment in self.known:
            self.judge(checks.refunded_never_exceeds_paid, payment.response, *payment.refunds)

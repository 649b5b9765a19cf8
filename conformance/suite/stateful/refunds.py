"""Rules of the state machine that refund payments, replay refunds, and send one key to two
operations or resources."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import requests
from hypothesis.stateful import multiple, rule

from conformance import checks
from conformance.strategies import fresh_hex, plain_bodies
from conformance.suite.stateful.coverage import NEW_KEY_REFUND, REFUND, REFUND_REPLAY
from conformance.suite.stateful.driver import BURST, Driver
from conformance.suite.stateful.model import (
    PAYMENTS,
    REFUND_KEYS,
    Payment,
    RefundKey,
    acting_on,
    fresh_key_specs,
    make_key,
)

__all__ = ["RefundRules"]

CROSS = "CONFLICT-CROSS-OPERATION"


def ok(response: requests.Response) -> bool:
    return checks.Answer.of(response).ok


class RefundRules(Driver):
    def judge_refund(
        self, answer: requests.Response, payment: Payment, key: str, new: str = "REFUND-CREATE"
    ) -> RefundKey:
        """A refund under a key never used for this payment's refunds: the first refunds the
        payment (200 with its id and amount; any 2xx for `new` other than REFUND-CREATE), any
        later one is refused or answers the original refund."""
        if not payment.refunds:
            first = (
                checks.refund_of_the_payment if new == "REFUND-CREATE" else checks.refund_processed
            )
            self.judge(first, answer, payment.response, requirement=new)
        else:
            self.judge(checks.second_refund_makes_no_new_refund, answer, payment.refunds[0])
        if ok(answer):
            payment.refunds.append(answer)
            return RefundKey(payment, key, answer)
        return RefundKey(payment, key, None)

    @rule(target=REFUND_KEYS, payment=acting_on(PAYMENTS, REFUND), key=fresh_key_specs())
    def refund_payment(self, payment: Payment, key: str) -> RefundKey:
        self.begin("refund_payment")
        made = make_key(key)
        answer = self.send(self.request("refund", auth=payment.owner, payment=payment, key=made))
        self.applied(payment)
        return self.judge_refund(answer, payment, made)

    @rule(target=REFUND_KEYS, refund=acting_on(REFUND_KEYS, NEW_KEY_REFUND))
    def refund_again_with_a_new_key(self, refund: RefundKey) -> RefundKey:
        self.begin("refund_again_with_a_new_key")
        payment, made = refund.payment, make_key("fresh:20")
        answer = self.send(self.request("refund", auth=payment.owner, payment=payment, key=made))
        self.applied(payment)
        return self.judge_refund(answer, payment, made)

    @rule(refund=acting_on(REFUND_KEYS, REFUND_REPLAY))
    def replay_refund(self, refund: RefundKey) -> None:
        self.begin("replay_refund")
        payment = refund.payment
        call = self.request("refund", auth=payment.owner, payment=payment, key=refund.key)
        answer = self.send(call)
        self.applied(payment)
        if refund.stored is not None:
            self.judge(
                checks.replay_is_identical, refund.stored, answer, requirement="REFUND-REPLAY"
            )
        elif payment.refunds:  # a refused key: refused again, or the original refund
            self.judge(checks.second_refund_makes_no_new_refund, answer, payment.refunds[0])
            if ok(answer):
                payment.refunds.append(answer)
        elif ok(answer):  # refused while another request was in flight; now a refund of its own
            self.judge(
                checks.refund_processed, answer, payment.response, requirement="STATEFUL-MODEL"
            )
            payment.refunds.append(answer)

    @rule(key=fresh_key_specs())
    def refund_an_unknown_payment(self, key: str) -> None:
        self.begin("refund_an_unknown_payment")
        unknown = f"pay_never_made_{fresh_hex(12)}"
        answer = self.send(self.request("refund", payment_id=unknown, key=make_key(key)))
        self.judge(checks.unknown_payment_refused, answer, requirement="REFUND-UNKNOWN")

    @rule(target=REFUND_KEYS, payment=acting_on(PAYMENTS, REFUND))
    def simultaneous_refunds_with_new_keys(self, payment: Payment) -> Any:
        self.begin("simultaneous_refunds_with_new_keys")
        keys = [make_key("fresh:20") for _ in range(BURST)]
        answers = self.send_together(
            [self.request("refund", auth=payment.owner, payment=payment, key=k) for k in keys]
        )
        self.applied(payment)
        for answer in answers if payment.refunds else ():  # each is a second refund
            self.judge(checks.second_refund_makes_no_new_refund, answer, payment.refunds[0])
        self.judge(checks.at_most_one_refund, *answers, requirement="CONC-REFUND-ONCE")
        results = [self.burst_result(a, payment, k) for a, k in zip(answers, keys, strict=True)]
        # Which key wins the race varies from run to run; the bundle must not: the winner goes
        # first, so later draws from refund_keys find the same kind of key at the same index.
        return multiple(*sorted(results, key=lambda result: result.stored is None))

    def burst_result(self, answer: requests.Response, payment: Payment, key: str) -> RefundKey:
        if not ok(answer):
            return RefundKey(payment, key, None)
        self.judge(checks.refund_processed, answer, payment.response, requirement="STATEFUL-MODEL")
        payment.refunds.append(answer)
        return RefundKey(payment, key, answer)

    @rule(target=REFUND_KEYS, payment=acting_on(PAYMENTS, REFUND))
    def simultaneous_refunds_with_one_key(self, payment: Payment) -> Any:
        self.begin("simultaneous_refunds_with_one_key")
        key = make_key("fresh:20")
        call = self.request("refund", auth=payment.owner, payment=payment, key=key)
        answers = self.send_together([call] * BURST)
        self.applied(payment)
        self.judge(checks.simultaneous_answers_agree, *answers, requirement="CONC-REFUND-KEY")
        winner = next((a for a in answers if ok(a)), None)
        return multiple() if winner is None else self.burst_result(winner, payment, key)

    # -- one key on two operations or resources ------------------------------------------------
    @rule(target=REFUND_KEYS, payment=acting_on(PAYMENTS, REFUND), other=PAYMENTS)
    def refund_with_a_create_key(self, payment: Payment, other: Payment) -> Any:
        self.begin("refund_with_a_create_key")
        if other.owner != payment.owner:
            other = payment
        call = self.request("refund", auth=payment.owner, payment=payment, key=other.key)
        answer = self.send(call)
        self.applied(payment)
        return self.judge_cross_operation(
            answer, other.stored, lambda: self.judge_refund(answer, payment, other.key, CROSS)
        )

    @rule(target=REFUND_KEYS, refund=REFUND_KEYS, payment=acting_on(PAYMENTS, REFUND))
    def refund_with_another_payments_refund_key(self, refund: RefundKey, payment: Payment) -> Any:
        self.begin("refund_with_another_payments_refund_key")
        if refund.payment is payment or refund.payment.owner != payment.owner:
            return multiple()
        call = self.request("refund", auth=payment.owner, payment=payment, key=refund.key)
        answer = self.send(call)
        self.applied(payment)
        return self.judge_cross_operation(
            answer, refund.stored, lambda: self.judge_refund(answer, payment, refund.key, CROSS)
        )

    @rule(target=PAYMENTS, refund=REFUND_KEYS, body=plain_bodies())
    def create_with_a_refund_key(self, refund: RefundKey, body: dict[str, Any]) -> Any:
        self.begin("create_with_a_refund_key")
        owner = refund.payment.owner
        if self.payment_under(owner, refund.key) is not None:
            return multiple()  # already a create key too (scoped keys): covered by replays
        call = self.request("create", auth=owner, key=refund.key, body=json.dumps(body))
        answer = self.send(call)

        def fresh() -> Payment:
            self.judge_new_payment(answer, body, CROSS, owner)
            return self.made(answer, body, refund.key, owner)

        return self.judge_cross_operation(answer, refund.stored, fresh)

    def judge_cross_operation(
        self, answer: requests.Response, stored: requests.Response | None, fresh: Callable[[], Any]
    ) -> Any:
        """Never the other request's stored answer; a refusal, or a fresh result (scoped keys)."""
        if stored is not None:
            self.judge(checks.never_the_stored_response, answer, stored, requirement=CROSS)
        self.judge(checks.cross_operation_refused_or_fresh, answer)
        return fresh() if ok(answer) else multiple()

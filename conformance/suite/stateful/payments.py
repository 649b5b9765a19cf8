"""Rules of the state machine that create, replay and read payments."""

from __future__ import annotations

import json
import time
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import multiple, rule

from conformance import checks
from conformance.strategies import OddValue, fresh_hex, mutations, plain_bodies, reencodings
from conformance.suite.helpers import refused_body
from conformance.suite.stateful.coverage import CHANGED_RETRY, GET, REPLAY
from conformance.suite.stateful.driver import BURST, Driver
from conformance.suite.stateful.model import (
    PAYMENTS,
    Payment,
    acting_on,
    fresh_key_specs,
    make_key,
    odd_values_to_send,
)
from conformance.transport.client import KEY_HEADER

__all__ = ["PAUSE", "PaymentRules"]

PAUSE = 2.0
"""Seconds of the short pause (once per run, unless a failure needs it replayed)."""
PAUSE_BUDGET_AFTER_FAILURE = 20.0
"""Seconds of pauses that shrinking a failure found after a pause may spend."""


class PaymentRules(Driver):
    @rule(target=PAYMENTS, body=plain_bodies(), key=fresh_key_specs())
    def create_payment(self, body: dict[str, Any], key: str) -> Payment:
        self.begin("create_payment")
        made = make_key(key)
        response = self.send(self.request("create", key=made, body=json.dumps(body)))
        self.judge_new_payment(response, body, "PAY-CREATE")
        return self.made(response, body, made)

    @rule(target=PAYMENTS, payment=PAYMENTS)
    def create_the_same_body_with_a_new_key(self, payment: Payment) -> Payment:
        self.begin("create_the_same_body_with_a_new_key")
        key = make_key("fresh:24")
        text = json.dumps(payment.body)
        response = self.send(self.request("create", auth=payment.owner, key=key, body=text))
        self.judge_new_payment(response, payment.body, "PAY-DISTINCT", payment.owner)
        return self.made(response, payment.body, key, payment.owner)

    @rule(target=PAYMENTS, payment=PAYMENTS)
    def create_with_a_key_one_character_off(self, payment: Payment) -> Payment:
        self.begin("create_with_a_key_one_character_off")
        key = make_key("tweak", payment.key, taken={p.key for p in self.known})
        text = json.dumps(payment.body)
        response = self.send(self.request("create", auth=payment.owner, key=key, body=text))
        self.judge_new_payment(response, payment.body, "KEY-DISTINCT", payment.owner)
        return self.made(response, payment.body, key, payment.owner)

    @rule(target=PAYMENTS, odd=odd_values_to_send(), key=fresh_key_specs())
    def create_with_an_odd_value(self, odd: OddValue, key: str) -> Any:
        """A valid body but for one field's odd content, under a fresh key. A target may accept
        or refuse it (REQUIREMENTS.md asks neither), so only the protocol checks judge the
        answer, as they judge every answer. Accepted, it is a payment like any other, replayed
        and refunded by the other rules; refused, the model keeps nothing of it (what the key
        does next is PAY-VALIDATION-KEY's, INFO). The body goes as the model spells every body
        (`json.dumps`, so `1e308` as `1e+308`): its replays must be the same request."""
        self.begin("create_with_an_odd_value")
        made, body = make_key(key), json.loads(odd.text(self.shared.target.run_id))
        answer = self.send(self.request("create", key=made, body=json.dumps(body)))
        if not checks.Answer.of(answer).ok:
            return multiple()
        return self.made(answer, body, made)

    @rule(
        payment=acting_on(PAYMENTS, REPLAY),
        spelling=st.sampled_from(("as sent", "re-encoded", "header name in lower case")),
        data=st.data(),
    )
    def replay_create(self, payment: Payment, spelling: str, data: st.DataObject) -> None:
        self.begin("replay_create")
        text, header = json.dumps(payment.body), KEY_HEADER
        if spelling == "re-encoded":
            text = data.draw(reencodings(payment.body), label="re-encoded body")
        elif spelling == "header name in lower case":
            header = KEY_HEADER.lower()
        call = self.request(
            "create", auth=payment.owner, key=payment.key, key_header=header, body=text
        )
        requirement = {
            "re-encoded": "REPLAY-JSON-EQUIVALENT",
            "header name in lower case": "KEY-HEADER-CASE",
        }.get(spelling, "REPLAY-IDENTICAL")
        if payment.refunds:
            requirement = "REPLAY-AFTER-CHANGE"
        answer = self.send(call)
        self.applied(payment)
        self.judge_replay(answer, payment, requirement)

    @rule(payment=acting_on(PAYMENTS, REPLAY))
    def replay_after_a_short_pause(self, payment: Payment) -> None:
        self.begin("replay_after_a_short_pause")
        shared = self.shared
        real = (shared.pause_mode is None and shared.pauses_left > 0) or (
            shared.pause_mode == "real" and shared.pause_spent < PAUSE_BUDGET_AFTER_FAILURE
        )
        if real:
            if shared.pause_mode is None:
                shared.pauses_left -= 1
            else:
                shared.pause_spent += PAUSE
            time.sleep(PAUSE)  # the bug shape is elapsed time itself (keys expiring early)
            self.paused = True
        call = self.request(
            "create", auth=payment.owner, key=payment.key, body=json.dumps(payment.body)
        )
        answer = self.send(call)
        self.applied(payment)
        self.judge_replay(answer, payment, "REPLAY-DELAYED" if real else "REPLAY-IDENTICAL")

    @rule(payment=acting_on(PAYMENTS, CHANGED_RETRY), data=st.data())
    def retry_with_a_changed_body(self, payment: Payment, data: st.DataObject) -> None:
        self.begin("retry_with_a_changed_body")
        mutation = data.draw(mutations(payment.body), label="changed body")
        call = self.request(
            "create", auth=payment.owner, key=payment.key, body=json.dumps(mutation.body)
        )
        answer = self.send(call)
        self.applied(payment)
        conflict = self.shared.target.conflict_status
        if answer.status_code != conflict and refused_body(mutation.body, answer):
            return  # a business rule of the target's refused the changed body itself
        self.judge(
            checks.changed_body_is_a_conflict,
            answer,
            status=conflict,
            invalid=mutation.drops_required,
        )

    @rule(target=PAYMENTS, body=plain_bodies(), key=fresh_key_specs())
    def simultaneous_creates_with_one_key(self, body: dict[str, Any], key: str) -> Any:
        self.begin("simultaneous_creates_with_one_key")
        made, text = make_key(key), json.dumps(body)
        answers = self.send_together(
            [self.request("create", key=made, body=text) for _ in range(BURST)]
        )
        self.judge(checks.simultaneous_creates_make_one_payment, *answers)
        winner = next((a for a in answers if checks.Answer.of(a).ok), None)
        if winner is None:
            return multiple()
        self.judge(checks.payment_created, winner)
        for other in self.known:
            self.judge(checks.payments_are_distinct, other.response, winner)
        payment = Payment(checks.Answer.of(winner).get("id"), winner, "first", body, made, None)
        self.known.append(payment)
        self.applied(payment)
        return payment

    @rule(payment=acting_on(PAYMENTS, GET))
    def get_payment(self, payment: Payment) -> None:
        self.begin("get_payment")
        fetched = self.send(self.request("get", auth=payment.owner, payment=payment))
        self.applied(payment)
        self.judge(checks.payment_reads_as_created, payment.response, fetched)

    @rule()
    def get_an_unknown_payment(self) -> None:
        self.begin("get_an_unknown_payment")
        unknown = self.request("get", payment_id=f"pay_never_made_{fresh_hex(12)}")
        self.judge(checks.unknown_payment_refused, self.send(unknown))

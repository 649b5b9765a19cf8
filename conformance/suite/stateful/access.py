"""Rules of the state machine about what a request needs: a valid key, a valid body, valid
credentials, and the right client."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import consumes, multiple, precondition, rule

from conformance import checks
from conformance.strategies import BadKey, another_plain_body, plain_bodies
from conformance.suite.stateful.driver import AUTH_FAILURES, MISSING, Driver
from conformance.suite.stateful.model import (
    PAYMENTS,
    UNSTORED,
    Payment,
    Unstored,
    fresh_key_specs,
    invalid_bodies,
    invalid_keys,
    make_key,
)

__all__ = ["AccessRules"]

OPERATIONS = st.sampled_from(("create", "refund"))


class AccessRules(Driver):
    # -- keys missing or invalid -----------------------------------------------------------------
    @rule(payment=PAYMENTS, operation=OPERATIONS, body=plain_bodies())
    def send_without_a_key(self, payment: Payment, operation: str, body: dict[str, Any]) -> None:
        self.begin("send_without_a_key")
        if operation == "create":
            answer = self.send(self.request("create", body=json.dumps(body)))
            self.judge(checks.key_refused_with_400, answer, requirement="KEY-REQUIRED")
            self.judge(checks.has_the_error_shape, answer, requirement="KEY-REQUIRED")
        else:
            answer = self.send(self.request("refund", auth=payment.owner, payment=payment))
            self.judge(checks.key_refused_with_400, answer, requirement="REFUND-KEY")

    @rule(payment=PAYMENTS, operation=OPERATIONS, bad=invalid_keys(), body=plain_bodies())
    def send_an_invalid_key(
        self, payment: Payment, operation: str, bad: tuple[BadKey, str], body: dict[str, Any]
    ) -> None:
        self.begin("send_an_invalid_key")
        key, requirement = bad
        if operation == "create":
            call = self.request("create", key_line=key.value, body=json.dumps(body))
        else:
            requirement = "REFUND-KEY"
            call = self.request("refund", auth=payment.owner, payment=payment, key_line=key.value)
        self.judge(checks.key_refused_with_400, self.send(call), requirement=requirement)

    @rule(key=fresh_key_specs(), what=st.integers(0, len(invalid_bodies("")) - 1))
    def create_with_an_invalid_body(self, key: str, what: int) -> None:
        self.begin("create_with_an_invalid_body")
        _, text, content_type = invalid_bodies(self.shared.target.run_id)[what]
        call = self.request("create", key=make_key(key), body=text, content_type=content_type)
        self.judge(checks.invalid_body_refused, self.send(call))

    # -- credentials -----------------------------------------------------------------------------
    @rule(
        payment=PAYMENTS,
        auth=st.sampled_from(AUTH_FAILURES),
        operation=st.sampled_from(("replay", "get", "refund")),
    )
    def send_with_wrong_credentials(self, payment: Payment, auth: str, operation: str) -> None:
        self.begin("send_with_wrong_credentials")
        carried: list[Any] = [payment.id]
        if operation == "replay":
            text = json.dumps(payment.body)
            call = self.request("create", auth=auth, key=payment.key, body=text)
            carried = [payment.key, *payment.body.values()]
            requirement = "AUTH-BEFORE-REPLAY"
        elif operation == "get":
            call = self.request("get", auth=auth, payment=payment)
            requirement = "AUTH-INVALID"
        else:
            key = make_key("fresh:20")
            call = self.request("refund", auth=auth, payment=payment, key=key)
            carried.append(key)
            requirement = "AUTH-INVALID"
        answer = self.send(call)
        self.judge(
            checks.refused_with_401,
            answer,
            requirement="AUTH-MISSING" if auth in MISSING else requirement,
        )
        self.judge(
            checks.refusal_carries_no_payment_data,
            answer,
            payment.response,
            *payment.refunds,
            requirement=requirement,
            carried=carried,
        )

    @rule(
        target=UNSTORED,
        body=plain_bodies(),
        key=fresh_key_specs(),
        auth=st.sampled_from(AUTH_FAILURES),
    )
    def create_with_wrong_credentials(self, body: dict[str, Any], key: str, auth: str) -> Unstored:
        self.begin("create_with_wrong_credentials")
        made = make_key(key)
        answer = self.send(self.request("create", auth=auth, key=made, body=json.dumps(body)))
        requirement = "AUTH-MISSING" if auth in MISSING else "AUTH-INVALID"
        self.judge(checks.refused_with_401, answer, requirement=requirement)
        self.judge(
            checks.refusal_carries_no_payment_data,
            answer,
            requirement="AUTH-INVALID",
            carried=[made, *body.values()],
        )
        return Unstored(made, body)

    @rule(target=PAYMENTS, unused=consumes(UNSTORED), data=st.data())
    def create_with_a_key_refused_with_401(self, unused: Unstored, data: st.DataObject) -> Payment:
        """Another body than the refused one: a 409 or the refused body's payment would show
        that the 401 did its work under the key."""
        self.begin("create_with_a_key_refused_with_401")
        body = data.draw(another_plain_body(unused.body), label="the valid request")
        answer = self.send(self.request("create", key=unused.key, body=json.dumps(body)))
        self.judge_new_payment(answer, body, "AUTH-NOT-STORED")
        return self.made(answer, body, unused.key)

    # -- a second client -------------------------------------------------------------------------
    def other(self, payment: Payment) -> str:
        return "second" if payment.owner == "first" else "first"

    @precondition(lambda self: self.second is not None and any(not p.reused for p in self.known))
    @rule(target=PAYMENTS, payment=PAYMENTS.filter(lambda p: not p.reused))
    def another_client_reuses_the_key(self, payment: Payment) -> Any:
        """Only a key the other client has not sent yet: so the step makes that client a
        payment of its own or an error, and is a create (its replays are `replay_create`'s)."""
        self.begin("another_client_reuses_the_key")
        owner = self.other(payment)
        call = self.request("create", auth=owner, key=payment.key, body=json.dumps(payment.body))
        answer = self.send(call)
        if payment.stored is not None:
            self.judge(
                checks.never_the_stored_response,
                answer,
                payment.stored,
                requirement="AUTH-KEY-SCOPE",
            )
        if not checks.Answer.of(answer).ok:
            return multiple()  # its own result may be an error (a 5xx is ERR-NO-5XX's)
        self.judge_new_payment(answer, payment.body, "AUTH-KEY-SCOPE", owner)
        made = self.made(answer, payment.body, payment.key, owner)
        payment.reused = made.reused = True
        return made

    @precondition(lambda self: self.second is not None)
    @rule(payment=PAYMENTS, operation=st.sampled_from(("get", "refund")))
    def another_client_reaches_the_payment(self, payment: Payment, operation: str) -> None:
        self.begin("another_client_reaches_the_payment")
        key = make_key("fresh:20") if operation == "refund" else None
        call = self.request(operation, auth=self.other(payment), payment=payment, key=key)
        answer = self.send(call)
        self.judge(checks.another_client_is_refused, answer)
        self.judge(
            checks.refusal_carries_no_payment_data,
            answer,
            payment.response,
            *payment.refunds,
            requirement="AUTH-KEY-SCOPE",
            carried=[payment.id, *([key] if key else [])],
        )

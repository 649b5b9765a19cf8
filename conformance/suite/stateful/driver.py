"""How the state machine talks to the target and hands answers to the checks.

Requests go through the run's ApiClient (recorded, budgeted, 429s waited out), acting as the
first or the second client or with missing or wrong credentials; simultaneous ones through a
Burst. Every judgement is a call of a registered check (`conformance.checks`) with the
requirement the step breaks; a violation is remembered with the example's evidence, so the run
can report it even when the final replay of the shrunk example passes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine

from conformance import checks, spec
from conformance.not_judged import NotJudgedSkip
from conformance.spec import CREATE_OP, GET_OP, REFUND_OP
from conformance.suite.stateful.coverage import CREATE, RULE_ACTIONS
from conformance.suite.stateful.model import Payment, Shared
from conformance.target import Credentials
from conformance.transport.burst import Burst
from conformance.transport.client import KEY_HEADER, ApiClient
from conformance.transport.errors import NotJudged

__all__ = ["AUTH_FAILURES", "BURST", "MISSING", "Call", "Driver"]

BURST = 2
"""Simultaneous requests in one burst step (small: a reproduction stays short)."""
WRONG_SECRET, WRONG_KEY = "not-the-secret-0", "not-a-client-key-0"
AUTH_FAILURES = ("wrong-secret", "wrong-key", "no-secret", "no-key", "none")
MISSING = frozenset({"no-secret", "no-key", "none"})
OPERATIONS = {"create": CREATE_OP, "get": GET_OP, "refund": REFUND_OP}


class _EveryRule:
    """Every rule enabled in every example, in place of Hypothesis's swarm testing, which turns
    a random share of the rules off for each example (through an internal of its rule
    strategy). The steering chooses among the rules instead, and an example whose wanted rules
    were all turned off was abandoned midway: the fast profile started 51 examples to run its
    10, each payment's sequence cut short, and the run spent its steps unpredictably."""

    def is_enabled(self, name: str) -> bool:
        return True


_EVERY_RULE = _EveryRule()


@dataclass(frozen=True)
class Call:
    """One request, to be sent by a given client (so the threads of a burst can share it)."""

    operation: str
    send: Callable[[ApiClient], requests.Response]


class Driver(RuleBasedStateMachine):
    """The transport and the judging half of the state machine (the rules are the other)."""

    def __init__(self, shared: Shared) -> None:
        super().__init__()
        self.shared = shared
        self.api = shared.api
        self.second = shared.target.second_credentials
        self.known: list[Payment] = []
        self.step = 0
        self.rule_name = "(start)"
        self.paused = False
        self.unjudged: list[tuple[requests.Response, str]] = []
        """Answers of the current step still to be judged by the protocol checks."""
        self.api.journal.new_example()  # this example's exchanges are its evidence
        shared.steering.new_example()
        self.later = False
        """Whether the example wants what its round's first example left (steering.py)."""
        rules = self._rules_strategy
        if not hasattr(rules, "enabled_rules_strategy"):
            raise RuntimeError(
                "Hypothesis no longer chooses the rules enabled for an example in "
                "RuleStrategy.enabled_rules_strategy: see _EveryRule in "
                "conformance/suite/stateful/driver.py"
            )
        rules.enabled_rules_strategy = st.just(_EVERY_RULE)  # type: ignore[arg-type]

    def teardown(self) -> None:
        self.shared.steering.end_example(self.later, self.shared.coverage)

    def begin(self, name: str) -> None:
        self.shared.steering.took(self, name)
        self.step += 1
        self.rule_name = name

    def applied(self, payment: Payment, action: str | None = None) -> None:
        """Note that the step acted on `payment`: its rule's action (see `coverage`), unless
        `action` says which. Observation only: it never judges and never fails a step."""
        self.shared.coverage.apply(payment.history, action or RULE_ACTIONS[self.rule_name])
        self.shared.steering.note(payment.history)

    # -- sending -------------------------------------------------------------------------------
    def client(self, auth: str, base: ApiClient | None = None) -> tuple[ApiClient, dict[str, str]]:
        """The client acting as `auth`, and the one auth header a 'no-...' mode keeps."""
        base = base or self.api
        target = self.shared.target
        first = target.credentials
        if auth == "first":
            return base, {}
        if auth == "second" and self.second is not None:
            return base.as_client(self.second), {}
        if auth == "wrong-secret":
            return base.as_client(Credentials(first.key, WRONG_SECRET)), {}
        if auth == "wrong-key":
            return base.as_client(Credentials(WRONG_KEY, first.secret)), {}
        kept = {
            "no-secret": {target.key_header: first.key},
            "no-key": {target.secret_header: first.secret},
        }
        return base.as_client(None), kept.get(auth, {})

    def request(
        self,
        operation: str,
        *,
        auth: str = "first",
        payment: Payment | None = None,
        payment_id: str | None = None,
        key: str | None = None,
        key_line: str | None = None,
        key_header: str = KEY_HEADER,
        body: str | None = None,
        content_type: str | None = "application/json",
    ) -> Call:
        """One request of `operation` ('create', 'get' or 'refund') to its path in the spec, with
        `payment`'s id, or `payment_id` for a payment the target never made."""
        documented = spec.operation(OPERATIONS[operation])
        if payment is not None:
            payment_id = str(payment.id)
        if payment_id is None and "{id}" in documented.path:
            raise ValueError(f"a {operation} request needs a payment or a payment_id")
        path = documented.relative_path(payment_id)

        def send(base: ApiClient) -> requests.Response:
            client, headers = self.client(auth, base)
            if key is not None:
                headers[key_header] = key
            return client.send(
                documented.method,
                path,
                headers=headers,
                data=body,
                content_type=content_type if operation == "create" else None,
                header_lines=[(key_header, key_line)] if key_line is not None else [],
            )

        return Call(operation, send)

    def send(self, call: Call) -> requests.Response:
        try:
            response = call.send(self.api)
        except NotJudged as error:
            raise NotJudgedSkip(str(error)) from None
        self.unjudged.append((response, call.operation))
        return response

    def send_together(self, calls: list[Call]) -> list[requests.Response]:
        """The calls at the same moment, one thread each; their answers in the same order."""
        try:
            volley = Burst(self.api, len(calls)).fire(lambda client, i: calls[i].send(client))
            volley.raise_errors()
        except NotJudged as error:
            raise NotJudgedSkip(str(error)) from None
        for response, call in zip(volley.responses, calls, strict=True):
            self.unjudged.append((response, call.operation))
        return volley.responses

    # -- judging -------------------------------------------------------------------------------
    def judge(self, check: Callable[..., None], *answers: Any, **arguments: Any) -> None:
        """Call the check; a violation names the step and is remembered with its evidence."""
        try:
            check(*answers, **arguments)
        except checks.Violation as violation:
            violation.title = (
                f"Step {self.step} ({self.rule_name}) violates {violation.requirement}: "
                f"{violation.title}"
            )
            if self.shared.pause_mode is None:
                self.shared.pause_mode = "real" if self.paused else "off"
            self.shared.last_violation = violation
            self.shared.last_evidence = list(self.api.journal.current)
            raise

    def judge_protocol(self) -> None:
        """Every answer of the step: no 5xx, what the spec documents, 4xx with the error body."""
        answers, self.unjudged = self.unjudged, []
        for response, operation in answers:
            self.judge(checks.no_server_error, response)
            self.judge(
                checks.matches_the_spec,
                response,
                operation=OPERATIONS[operation],
                requirement="SCHEMA-RESPONSES",
            )
            self.judge(checks.has_the_error_shape, response)

    def judge_new_payment(
        self,
        response: requests.Response,
        body: dict[str, Any],
        requirement: str,
        owner: str = "first",
    ) -> None:
        """A new payment: 201 and a PaymentResponseDto, echoing the request, with an id no
        other key of the same client got (`requirement` is the step's; the echo is PAY-ECHO's;
        ids of two clients are not compared: they may be counted per client)."""
        self.judge(checks.payment_created, response, requirement=requirement)
        self.judge(
            checks.payment_echoes_the_request,
            response,
            amount=body["amount"],
            currency=body["currency"],
        )
        distinct = "KEY-DISTINCT" if requirement == "KEY-DISTINCT" else "PAY-DISTINCT"
        for other in self.known:
            if other.owner == owner:
                self.judge(
                    checks.payments_are_distinct, other.response, response, requirement=distinct
                )

    def judge_replay(self, again: requests.Response, payment: Payment, requirement: str) -> None:
        """The stored answer again: the same payment (a 2xx with another id is a new one) and
        the same status, media type and body."""
        if payment.stored is None:  # the first replay after a burst fixes the stored answer
            self.judge(checks.payment_created, again, requirement="CONC-CREATE")
            self.judge(
                checks.replay_makes_no_new_payment,
                payment.response,
                again,
                requirement="CONC-CREATE",
            )
            payment.stored = again
            return
        if checks.Answer.of(again).ok:
            self.judge(
                checks.replay_makes_no_new_payment,
                payment.stored,
                again,
                requirement="REPLAY-NO-NEW-PAYMENT",
            )
        self.judge(checks.replay_is_identical, payment.stored, again, requirement=requirement)

    def made(
        self, response: requests.Response, body: dict[str, Any], key: str, owner: str = "first"
    ) -> Payment:
        payment = Payment(
            checks.Answer.of(response).get("id"), response, owner, body, key, response
        )
        self.known.append(payment)
        self.applied(payment, CREATE)
        return payment

    def payment_under(self, owner: str, key: str) -> Payment | None:
        return next((p for p in self.known if p.owner == owner and p.key == key), None)

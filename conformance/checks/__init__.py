"""The one place where an answer of the target is judged.

One named check per property, registered under the requirements it serves (`registry.py`);
each requirement's rule lives in the module of its area. The example tests, the run-wide scans
and the state machine call these checks and nothing else judges; a reproduction applies the
same checks to its own answers by name. Every module but `schema.py` uses the standard library
only, so a reproduction can carry the checks with it.
"""

from __future__ import annotations

from . import auth, concurrency, conflict, keys, payments, protocol, refund, replay, schema
from .answer import Answer, describe, excerpt
from .auth import (
    another_client_is_refused,
    another_client_is_refused_with_403_or_404,
    never_the_stored_response,
    refusal_carries_no_payment_data,
    refused_with_401,
)
from .concurrency import simultaneous_answers_agree, simultaneous_creates_make_one_payment
from .conflict import changed_body_is_a_conflict, cross_operation_refused_or_fresh
from .failure import ConformanceFailure, Violation
from .keys import key_refused_with_400, valid_key_accepted
from .payments import (
    invalid_body_refused,
    payment_created,
    payment_echoes_the_request,
    payment_reads_as_created,
    payment_status_is_succeeded,
    payments_are_distinct,
    unknown_payment_not_found,
    unknown_payment_refused,
)
from .protocol import (
    a_429_is_not_stored,
    every_client_error_has_the_error_shape,
    has_the_error_shape,
    no_answer_is_a_server_error,
    no_server_error,
    rate_limits_carry_retry_after,
)
from .refund import (
    at_most_one_refund,
    refund_of_the_payment,
    refund_processed,
    refunded_never_exceeds_paid,
    second_refund_makes_no_new_refund,
)
from .registry import CHECKS, Check, apply, check, checks_for
from .replay import replay_is_identical, replay_makes_no_new_payment
from .schema import every_answer_matches_the_spec, matches_the_spec

__all__ = [
    "CHECKS",
    "Answer",
    "Check",
    "ConformanceFailure",
    "Violation",
    "a_429_is_not_stored",
    "another_client_is_refused",
    "another_client_is_refused_with_403_or_404",
    "apply",
    "at_most_one_refund",
    "auth",
    "changed_body_is_a_conflict",
    "check",
    "checks_for",
    "concurrency",
    "conflict",
    "cross_operation_refused_or_fresh",
    "describe",
    "every_answer_matches_the_spec",
    "every_client_error_has_the_error_shape",
    "excerpt",
    "has_the_error_shape",
    "invalid_body_refused",
    "key_refused_with_400",
    "keys",
    "matches_the_spec",
    "never_the_stored_response",
    "no_answer_is_a_server_error",
    "no_server_error",
    "payment_created",
    "payment_echoes_the_request",
    "payment_reads_as_created",
    "payment_status_is_succeeded",
    "payments",
    "payments_are_distinct",
    "protocol",
    "rate_limits_carry_retry_after",
    "refund",
    "refund_of_the_payment",
    "refund_processed",
    "refunded_never_exceeds_paid",
    "refusal_carries_no_payment_data",
    "refused_with_401",
    "replay",
    "replay_is_identical",
    "replay_makes_no_new_payment",
    "schema",
    "second_refund_makes_no_new_refund",
    "simultaneous_answers_agree",
    "simultaneous_creates_make_one_payment",
    "unknown_payment_not_found",
    "unknown_payment_refused",
    "valid_key_accepted",
]

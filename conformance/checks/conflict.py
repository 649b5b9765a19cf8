"""CONFLICT-BODY and CONFLICT-CROSS-OPERATION: a used key with another body is a conflict, and a
key sent to another operation or resource never gets the other request's answer.

(CONFLICT-NO-SIDE-EFFECT is `payment_reads_as_created` and `replay_is_identical`.)
"""

from __future__ import annotations

from .answer import Answer, describe
from .failure import fail
from .registry import check
from .shapes import error_body_problems
from .status import ANY_4XX, expect_status, within

__all__ = [
    "CROSS_OPERATION_REFUSALS",
    "changed_body_is_a_conflict",
    "cross_operation_refused_or_fresh",
]

CROSS_OPERATION_REFUSALS = frozenset({400, 409, 422})


@check("CONFLICT-BODY")
def changed_body_is_a_conflict(answer: Answer, *, status: int = 409, invalid: bool = False) -> None:
    """409 (422 under `--conflict-status 422`) with an error body whose `statusCode` is that
    status, for the same key with a changed body; when the change made the body invalid (a
    required field removed), any 4xx."""
    if invalid and within(answer.status, ANY_4XX) and answer.status != status:
        return
    expect_status(answer, {status}, "A retry with a changed body was not refused as a conflict")
    problems = error_body_problems(answer)
    if problems:
        fail(
            "The conflict answer has no error body",
            expected=f'{{"statusCode": {status}, "message": "..."}}',
            received=f"{'; '.join(problems)}: {describe(answer)}",
        )


@check("CONFLICT-CROSS-OPERATION")
def cross_operation_refused_or_fresh(answer: Answer) -> None:
    """400, 409 or 422 for a key sent to another operation or resource, or a fresh result of
    its own (a 2xx: keys scoped per operation and resource)."""
    if answer.ok:
        return
    expect_status(
        answer, CROSS_OPERATION_REFUSALS, "A key used on another operation was not refused"
    )

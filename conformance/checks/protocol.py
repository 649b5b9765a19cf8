"""ERR-SHAPE, ERR-NO-5XX, RATE-LIMIT and RATE-NOT-STORED: the error body, no server errors,
and what a 429 must and must not do.

A 429 may come from a gateway in front of the API (any body, any content type): it is judged
here by RATE-LIMIT and RATE-NOT-STORED only, never by the error shape or the schema.
"""

from __future__ import annotations

from .answer import Answer, describe
from .failure import fail
from .registry import check
from .shapes import error_body_problems

__all__ = [
    "SHOWN",
    "a_429_is_not_stored",
    "every_client_error_has_the_error_shape",
    "has_the_error_shape",
    "no_answer_is_a_server_error",
    "no_server_error",
    "rate_limits_carry_retry_after",
]

SHOWN = 5
"""Offending answers named in one failure of a run-wide check."""
SHAPE = '{"statusCode": <the status>, "message": "..." or ["...", ...]}'


def judged_by_shape(answer: Answer) -> bool:
    return answer.client_error and answer.status != 429


@check("ERR-SHAPE", "KEY-REQUIRED", "CONFLICT-BODY")
def has_the_error_shape(answer: Answer) -> None:
    """A 4xx other than 429 has a JSON body with `statusCode` equal to the status and `message`
    a string or a list of strings (extra fields allowed); other statuses pass."""
    if not judged_by_shape(answer):
        return
    problems = error_body_problems(answer)
    if problems:
        fail(
            f"The {answer.status} answer has no error body",
            expected=SHAPE,
            received=f"{'; '.join(problems)}: {describe(answer)}",
        )


@check("ERR-SHAPE")
def every_client_error_has_the_error_shape(*answers: Answer) -> None:
    """Every 4xx of the run but 429s has the error shape (run-wide)."""
    offenders = [a for a in answers if judged_by_shape(a) and error_body_problems(a)]
    if offenders:
        fail(
            f"{_count(offenders, '4xx answer')} without the error shape",
            expected=SHAPE,
            received=_listed(
                [f"{a.status}: {'; '.join(error_body_problems(a))}" for a in offenders]
            ),
            culprits=offenders,
        )


@check("ERR-NO-5XX")
def no_server_error(answer: Answer) -> None:
    """Any status below 500."""
    if answer.status >= 500:
        fail(
            "A request got a server error", expected="a status below 500", received=describe(answer)
        )


@check("ERR-NO-5XX")
def no_answer_is_a_server_error(*answers: Answer) -> None:
    """No answer of the run has a 5xx status (run-wide)."""
    offenders = [a for a in answers if a.status >= 500]
    if offenders:
        fail(
            f"{_count(offenders, 'request')} of this run got a server error",
            expected="no 5xx status",
            received=_listed([describe(a) for a in offenders]),
            culprits=offenders,
        )


@check("RATE-LIMIT")
def rate_limits_carry_retry_after(*answers: Answer) -> None:
    """Every 429 carries a Retry-After header (seconds or an HTTP-date)."""
    limited = [a for a in answers if a.status == 429]
    missing = [a for a in limited if a.header("Retry-After") is None]
    if missing:
        fail(
            "429 answers without Retry-After",
            expected="a Retry-After header on every 429",
            received=f"{len(missing)} of {len(limited)} had none, e.g. {describe(missing[0])}",
            culprits=missing,
        )


@check("RATE-NOT-STORED")
def a_429_is_not_stored(again: Answer, control: Answer) -> None:
    """A key that got 429 is processed normally on a later retry: it may still get 429 only while
    the target also answers other requests with 429 (a limit still in force)."""
    if again.status == 429 and control.status != 429:
        fail(
            "A key that got 429 keeps getting 429 while the target answers other requests",
            expected="the retry with the same key processed normally once the wait is over",
            received=f"the key: {describe(again)}; another request meanwhile: {control.status}",
        )


def _count(items: list[Answer], noun: str) -> str:
    return f"{len(items)} {noun}{'s' * (len(items) != 1)}"


def _listed(offenders: list[str]) -> str:
    more = f" (and {len(offenders) - SHOWN} more)" if len(offenders) > SHOWN else ""
    return "; ".join(offenders[:SHOWN]) + more

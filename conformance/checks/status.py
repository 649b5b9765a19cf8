"""Accepted statuses, written as REQUIREMENTS.md writes them: a set, `2xx` or `4xx` (any).

Standard library only. Not a check itself: each requirement's module says which statuses its
checks accept, with this one way of spelling and testing them.
"""

from __future__ import annotations

from collections.abc import Collection

from .answer import Answer, describe
from .failure import fail

__all__ = ["ANY_2XX", "ANY_4XX", "Statuses", "expect_status", "shown", "within"]

Statuses = Collection[int] | str
ANY_2XX = "2xx"
ANY_4XX = "4xx"


def within(status: int, accepted: Statuses) -> bool:
    if isinstance(accepted, str):
        return str(status)[0] == accepted[0] and len(str(status)) == 3
    return status in accepted


def shown(accepted: Statuses) -> str:
    if isinstance(accepted, str):
        return f"any {accepted}"
    return " or ".join(str(s) for s in sorted(accepted))


def expect_status(answer: Answer, accepted: Statuses, title: str) -> None:
    if not within(answer.status, accepted):
        fail(title, expected=f"status {shown(accepted)}", received=describe(answer))

"""REPLAY-IDENTICAL and the replays of other requirements: the same key with the same request
gets the stored answer, and never a new payment.

"The exact same response" means the same status, the same media type and an equal JSON body,
every field (`id` and `timestamp` included). Headers other than Content-Type may differ (a
request id, a date, a replay marker).
"""

from __future__ import annotations

import json

from .answer import Answer, describe, differences, excerpt
from .failure import fail
from .registry import check

__all__ = ["replay_is_identical", "replay_makes_no_new_payment"]


@check(
    "REPLAY-IDENTICAL",
    "REPLAY-AFTER-CHANGE",
    "REPLAY-DELAYED",
    "REPLAY-JSON-EQUIVALENT",
    "KEY-HEADER-CASE",
    "KEY-DISTINCT",
    "KEY-EXPIRY",
    "REFUND-REPLAY",
    "CONFLICT-NO-SIDE-EFFECT",
    "AUTH-KEY-SCOPE",
    "CONC-CREATE",
    "CONC-REFUND-KEY",
)
def replay_is_identical(first: Answer, again: Answer) -> None:
    """The same status, the same media type and an equal JSON body (every field) as the stored
    answer; other headers may differ."""
    if again.status != first.status:
        fail(
            "A replay did not get the stored response",
            expected=f"status {first.status} as the first time",
            received=describe(again),
        )
    if again.media != first.media:
        fail(
            "A replay did not get the stored response",
            expected=f"Content-Type {first.media or '(none)'}",
            received=f"Content-Type {again.media or '(none)'}",
        )
    if not again.is_json or again.json != first.json:
        fail(
            "A replay did not get the stored response",
            expected=f"the stored body {excerpt(first.text)}",
            received=f"{describe(again)} ({differences(first.json, again.json)})",
        )


@check("REPLAY-NO-NEW-PAYMENT", "CONC-CREATE")
def replay_makes_no_new_payment(created: Answer, again: Answer) -> None:
    """A replay carries the original payment's `id` (a 2xx with another id is a new payment)."""
    if again.get("id") != created.get("id"):
        fail(
            "A replay returned another payment",
            expected=f"id {json.dumps(created.get('id'))}",
            received=describe(again),
        )

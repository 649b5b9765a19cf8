"""CONC-CREATE and CONC-REFUND-KEY: simultaneous requests with one key give one result.
(CONC-REFUND-ONCE is `at_most_one_refund` in refund.py.)
"""

from __future__ import annotations

import json
from collections import Counter

from .answer import Answer, describe
from .failure import fail
from .registry import check

__all__ = [
    "IN_FLIGHT",
    "simultaneous_answers_agree",
    "simultaneous_creates_make_one_payment",
    "tally",
]

IN_FLIGHT = frozenset({409, 429})
"""What CONC-CREATE lets a simultaneous duplicate get instead of the stored response."""


def tally(answers: list[Answer]) -> str:
    """`201 (id "pay_1") x7, 409 x1`: the answers of one burst, grouped."""
    counts: Counter[str] = Counter()
    for answer in answers:
        label = str(answer.status)
        if answer.ok:
            label += f" (id {json.dumps(answer.get('id'))})"
        counts[label] += 1
    return ", ".join(f"{label} x{count}" for label, count in sorted(counts.items()))


@check("CONC-CREATE")
def simultaneous_creates_make_one_payment(*answers: Answer) -> None:
    """Every 2xx to simultaneous identical creates with one key carries the same payment id, and
    every other answer is 409 (request in flight) or 429."""
    ids = {json.dumps(a.get("id")) for a in answers if a.ok}
    if len(ids) > 1:
        fail(
            f"{len(answers)} simultaneous creates with one key made {len(ids)} payments",
            expected="every 2xx carrying the same payment id",
            received=tally(list(answers)),
        )
    for answer in answers:
        if not answer.ok and answer.status not in IN_FLIGHT:
            fail(
                f"One of {len(answers)} simultaneous creates with one key got {answer.status}",
                expected="2xx (the one payment), or 409 (request in flight) or 429",
                received=f"{describe(answer)}; the burst got {tally(list(answers))}",
            )


@check("CONC-REFUND-KEY", "STATEFUL-MODEL")
def simultaneous_answers_agree(*answers: Answer) -> None:
    """Every 2xx to simultaneous requests with one key is the same answer (status and JSON
    body); the others may be anything the operation's own requirements allow."""
    successes = [a for a in answers if a.ok]
    bodies = {json.dumps(a.json, sort_keys=True) for a in successes}
    if len(bodies) > 1 or len({a.status for a in successes}) > 1:
        fail(
            f"{len(answers)} simultaneous requests with one key got different 2xx answers",
            expected="every 2xx identical",
            received=tally(list(answers)),
        )

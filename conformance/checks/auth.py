"""AUTH-MISSING, AUTH-INVALID, AUTH-BEFORE-REPLAY, AUTH-NOT-STORED, AUTH-KEY-SCOPE: credentials
are checked first, refusals carry no payment data, and one client never gets another's.

"No payment data" is judged structurally (see `shapes.leaked_data`): an error body may repeat
what the request itself carried (the id in its URL, its key, its body) and may carry fields of
its own (a trace `id`, an error code).
"""

from __future__ import annotations

import json
from typing import Any

from .answer import Answer, describe
from .failure import fail
from .registry import check
from .shapes import leaked_data
from .status import ANY_4XX, expect_status

__all__ = [
    "another_client_is_refused",
    "another_client_is_refused_with_403_or_404",
    "never_the_stored_response",
    "refusal_carries_no_payment_data",
    "refused_with_401",
]


@check("AUTH-MISSING", "AUTH-INVALID", "AUTH-BEFORE-REPLAY")
def refused_with_401(answer: Answer) -> None:
    """401 for a request without both credentials, or with a wrong key or secret."""
    expect_status(answer, {401}, "The request was not refused with 401")


@check("AUTH-INVALID", "AUTH-BEFORE-REPLAY", "AUTH-KEY-SCOPE", "STATEFUL-MODEL")
def refusal_carries_no_payment_data(
    refusal: Answer, *resources: Answer, carried: list[Any] | None = None
) -> None:
    """A refusal carries no payment or refund object, no stored response of the resources
    concerned, and none of their values the request did not carry itself."""
    leaked = leaked_data(refusal, list(resources), carried)
    if leaked:
        fail(
            "A refused request got payment data",
            expected="an error body without payment or refund data (it may repeat the request)",
            received=f"{leaked}: {describe(refusal)}",
        )


@check(
    "AUTH-BEFORE-REPLAY",
    "AUTH-KEY-SCOPE",
    "KEY-DISTINCT",
    "CONFLICT-CROSS-OPERATION",
    "STATEFUL-MODEL",
)
def never_the_stored_response(answer: Answer, stored: Answer) -> None:
    """Not the answer stored for another client, key, operation or resource (the same JSON body).
    Ids alone are not compared: a refund and a payment, or two clients' payments, may carry the
    same id where ids are counted per kind or per client."""
    if answer.is_json and answer.json == stored.json:
        fail(
            "A request got the response stored for another request",
            expected=f"its own result, not {json.dumps(stored.get('id'))} stored earlier",
            received=describe(answer),
        )


@check("AUTH-KEY-SCOPE")
def another_client_is_refused(answer: Answer) -> None:
    """Any 4xx when a client reads or refunds another client's payment."""
    expect_status(answer, ANY_4XX, "A client reached another client's payment")


@check("AUTH-KEY-SCOPE")
def another_client_is_refused_with_403_or_404(answer: Answer) -> None:
    """(SHOULD) 403 or 404 when a client reads or refunds another client's payment."""
    expect_status(answer, {403, 404}, "Another client's payment was not answered 403 or 404")

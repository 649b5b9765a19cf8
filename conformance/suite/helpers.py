"""Setup steps the suite's tests share: make a payment, refund it, and tell a body the target
refused from a failure.

A setup step that does not succeed raises Precondition: the requirement under test could not be
judged (the failing operation is judged by its own requirement, e.g. PAY-CREATE), so one broken
operation does not show up as a failure of every requirement that needs it.

A target may refuse a well-formed body as a business rule of its own ("What a target may
refuse" in REQUIREMENTS.md). Such a refusal of a body that is not plain is never a failure of
the requirement that happened to use it: `unless_refused` drops the example (Hypothesis draws
another) and records what was refused, which the report shows. A refused plain body is a
failure of PAY-CREATE and of nothing else.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import hypothesis
import requests

from conformance.checks import Answer, describe
from conformance.strategies import is_plain, unique_key
from conformance.transport.client import ApiClient
from conformance.transport.errors import NotJudged

__all__ = [
    "EXAMPLE_BODY",
    "Created",
    "Precondition",
    "Refunded",
    "create_payment",
    "id_of",
    "refund_payment",
    "refused_body",
    "unless_refused",
]

EXAMPLE_BODY = {"amount": 100.0, "currency": "USD"}
NOT_A_BODY_REFUSAL = frozenset({401, 403, 404, 405, 409, 429})
"""4xx statuses that say something else than "this body breaks a rule of mine"."""


class Precondition(NotJudged):
    """A setup step failed, so the requirement under test could not be judged."""


@dataclass
class Created:
    response: requests.Response
    body: dict[str, Any]
    key: str

    @property
    def payment(self) -> dict[str, Any]:
        payment: dict[str, Any] = json.loads(self.response.content)
        return payment

    @property
    def id(self) -> str:
        return str(self.payment["id"])


@dataclass
class Refunded:
    response: requests.Response
    key: str

    @property
    def refund(self) -> dict[str, Any]:
        refund: dict[str, Any] = json.loads(self.response.content)
        return refund


def id_of(response: requests.Response) -> Any:
    """The `id` field of a JSON object body, or None (no JSON, no object, no id)."""
    return Answer.of(response).get("id")


def _has_id(response: requests.Response) -> bool:
    return isinstance(id_of(response), str | int)


def refused_body(body: Any, response: requests.Response) -> bool:
    """Whether `response` is the target refusing a well-formed body that is not plain."""
    status = response.status_code
    return 400 <= status < 500 and status not in NOT_A_BODY_REFUSAL and not is_plain(body)


def unless_refused(api: ApiClient, body: Any, response: requests.Response) -> None:
    """Drop the example when the target refused its (not plain) body; record the refusal."""
    if refused_body(body, response):
        api.journal.refusals.append(
            f"{json.dumps(body, ensure_ascii=False)[:160]} -> {describe(Answer.of(response))[:160]}"
        )
        hypothesis.reject()


def create_payment(
    api: ApiClient, body: dict[str, Any] | None = None, key: str | None = None
) -> Created:
    """A new payment (201 with an id), or Precondition (the example is dropped instead when the
    target refused a body that is not plain)."""
    body = (
        body
        if body is not None
        else {**EXAMPLE_BODY, "description": f"setup [{api.target.run_id}]"}
    )
    key = key or unique_key("pay")
    response = api.create(body, key)
    unless_refused(api, body, response)
    if response.status_code != 201 or not _has_id(response):
        raise Precondition(
            f"setup: creating a payment did not succeed: {describe(Answer.of(response))}"
        )
    return Created(response, body, key)


def refund_payment(api: ApiClient, payment_id: str, key: str | None = None) -> Refunded:
    """A refund of the payment (2xx with an id), or Precondition."""
    key = key or unique_key("ref")
    response = api.refund(payment_id, key)
    if response.status_code // 100 != 2 or not _has_id(response):
        raise Precondition(
            f"setup: refunding payment {payment_id} did not succeed: "
            f"{describe(Answer.of(response))}"
        )
    return Refunded(response, key)

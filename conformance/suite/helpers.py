"""Setup steps the suite's tests share: make a payment, refund it.

A setup step that does not succeed raises Precondition: the requirement under test could not be
judged (the failing operation is judged by its own requirement, e.g. PAY-CREATE), so one broken
operation does not show up as a failure of every requirement that needs it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import requests

from conformance.checks import describe
from conformance.client import ApiClient
from conformance.http import NotJudged
from conformance.strategies import unique_key

EXAMPLE_BODY = {"amount": 100.0, "currency": "USD"}


class Precondition(NotJudged):
    """A setup step failed, so the requirement under test could not be judged."""


@dataclass
class Created:
    response: requests.Response
    body: dict[str, Any]
    key: str

    @property
    def payment(self) -> dict[str, Any]:
        return json.loads(self.response.content)

    @property
    def id(self) -> str:
        return str(self.payment["id"])


@dataclass
class Refunded:
    response: requests.Response
    key: str

    @property
    def refund(self) -> dict[str, Any]:
        return json.loads(self.response.content)


def id_of(response: requests.Response) -> Any:
    """The `id` field of a JSON object body, or None (no JSON, no object, no id)."""
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    return body.get("id") if isinstance(body, dict) else None


def _has_id(response: requests.Response) -> bool:
    return isinstance(id_of(response), str | int)


def create_payment(
    api: ApiClient, body: dict[str, Any] | None = None, key: str | None = None
) -> Created:
    """A new payment (201 with an id), or Precondition."""
    body = (
        body
        if body is not None
        else {**EXAMPLE_BODY, "description": f"setup [{api.target.run_id}]"}
    )
    key = key or unique_key("pay")
    response = api.create(body, key)
    if response.status_code != 201 or not _has_id(response):
        raise Precondition(f"setup: creating a payment did not succeed: {describe(response)}")
    return Created(response, body, key)


def refund_payment(api: ApiClient, payment_id: str, key: str | None = None) -> Refunded:
    """A refund of the payment (2xx with an id), or Precondition."""
    key = key or unique_key("ref")
    response = api.refund(payment_id, key)
    if response.status_code // 100 != 2 or not _has_id(response):
        raise Precondition(
            f"setup: refunding payment {payment_id} did not succeed: {describe(response)}"
        )
    return Refunded(response, key)

"""The published Python client (PyPI ``devdraft``), unchanged, against the reference server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import devdraft
import pytest
from devdraft.exceptions import ApiException

from conformance.reference import DEFAULT_CLIENT_KEY, DEFAULT_CLIENT_SECRET, RunningServer


@pytest.fixture
def payments(server: RunningServer) -> Iterator[devdraft.TestPaymentsApi]:
    configuration = devdraft.Configuration(host=server.base_url)
    configuration.api_key["x-client-key"] = DEFAULT_CLIENT_KEY
    configuration.api_key["x-client-secret"] = DEFAULT_CLIENT_SECRET
    with devdraft.ApiClient(configuration) as client:
        yield devdraft.TestPaymentsApi(client)


def request(amount: float = 100.0, **extra: str) -> devdraft.PaymentRequestDto:
    return devdraft.PaymentRequestDto(
        amount=amount, currency="USD", description="published client", **extra
    )


def test_create_replay_conflict_get_refund_and_refund_replay(
    payments: devdraft.TestPaymentsApi,
) -> None:
    key = uuid.uuid4()
    created = payments.test_payment_controller_create_payment_v0(key, request(customer_id="c1"))
    assert (created.amount, created.currency, created.status) == (100.0, "USD", "succeeded")

    replayed = payments.test_payment_controller_create_payment_v0(key, request(customer_id="c1"))
    assert replayed == created

    with pytest.raises(ApiException) as conflict:
        payments.test_payment_controller_create_payment_v0(key, request(amount=5.0))
    assert conflict.value.status == 409

    fetched = payments.test_payment_controller_get_payment_v0(created.id)
    assert (fetched.id, fetched.amount) == (created.id, created.amount)

    refund_key = uuid.uuid4()
    refund = payments.test_payment_controller_refund_payment_v0(created.id, refund_key)
    assert (refund.payment_id, refund.amount, refund.status) == (created.id, 100.0, "succeeded")
    assert payments.test_payment_controller_refund_payment_v0(created.id, refund_key) == refund

    with pytest.raises(ApiException) as again:
        payments.test_payment_controller_refund_payment_v0(created.id, uuid.uuid4())
    assert again.value.status == 409
    assert payments.test_payment_controller_get_payment_v0(created.id).status == "refunded"


def test_wrong_credentials_raise_401(server: RunningServer) -> None:
    configuration = devdraft.Configuration(host=server.base_url)
    configuration.api_key["x-client-key"] = DEFAULT_CLIENT_KEY
    configuration.api_key["x-client-secret"] = "wrong"
    with devdraft.ApiClient(configuration) as client, pytest.raises(ApiException) as denied:
        devdraft.TestPaymentsApi(client).test_payment_controller_create_payment_v0(
            uuid.uuid4(), request()
        )
    assert denied.value.status == 401

"""Each conformant variant keeps the contract and behaves as its summary says: the catalog, ids
and timestamps. (Statuses and keys: test_variant_rules.py; the wire and rate limits:
test_variant_wire.py.)"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from reference_support import Api, assert_error, variant_server

from conformance import spec
from conformance.reference.variants import VARIANTS

ISO_FORMATS = {
    "uuid-ids": r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00",
}
ID_FORMATS = {
    "uuid-ids": r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
}


@pytest.fixture(params=sorted(VARIANTS))
def variant_api(request: pytest.FixtureRequest) -> Iterator[Api]:
    with variant_server(request.param, retry_429=True) as api:
        yield api


def test_every_variant_keeps_the_basic_contract(variant_api: Api) -> None:
    api, server = variant_api, variant_api.server
    key = api.new_key()
    first = api.create(key)
    assert first.status_code == 201
    assert api.create(key).content == first.content
    assert_error(api.create(key, api.body(amount=7)), server.conflict_status)
    assert api.create(api.new_key(), {"amount": -1}).status_code in (400, 422)
    payment_id = first.json()["id"]
    refund_key = api.new_key()
    refund = api.refund(payment_id, refund_key)
    assert refund.status_code == 200
    assert refund.json()["paymentId"] == payment_id
    assert api.refund(payment_id, refund_key).content == refund.content
    second = api.refund(payment_id, api.new_key())
    if second.status_code == 200:
        assert second.json()["id"] == refund.json()["id"]
    else:
        assert_error(second, (400, 409, 422))
    assert api.create(key).content == first.content


@pytest.mark.parametrize("name", sorted(ISO_FORMATS))
def test_timestamps_take_the_variants_form_and_stay_date_times(name: str) -> None:
    checker = spec.validator(spec.schema("PaymentResponseDto"))
    with variant_server(name) as api:
        payment = api.paid()
        refund = api.refund(payment["id"], api.new_key()).json()
    assert list(checker.iter_errors(payment)) == []
    for body in (payment, refund):
        assert re.fullmatch(ISO_FORMATS[name], body["timestamp"]), body["timestamp"]


@pytest.mark.parametrize("name", sorted(ID_FORMATS))
def test_ids_take_the_variants_form(name: str) -> None:
    with variant_server(name) as api:
        payment = api.paid()
        assert re.fullmatch(ID_FORMATS[name], payment["id"]), payment["id"]
        assert api.get(payment["id"]).json()["id"] == payment["id"]

"""The variants that change the wire or answer 429 now and then, against real servers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests
from reference_support import assert_error, variant_server


def test_slow_still_answers_correctly() -> None:
    with variant_server("slow") as api:
        key = api.new_key()
        assert api.create(key).content == api.create(key).content


def check_seconds(response: requests.Response) -> None:
    assert_error(response, 429)
    assert response.headers["Retry-After"] == "1"


@pytest.mark.parametrize(
    ("name", "check"),
    [("flaky-429", check_seconds)],
)
def test_every_hundredth_request_gets_429_without_side_effect(
    name: str, check: Callable[[requests.Response], None]
) -> None:
    with variant_server(name) as api:
        keys = [api.new_key() for _ in range(100)]
        responses = [api.create(key) for key in keys]
        assert [r.status_code for r in responses] == [201] * 99 + [429]
        check(responses[99])
        retried = api.create(keys[99])
        assert retried.status_code == 201
        assert retried.json()["id"] not in {r.json()["id"] for r in responses[:99]}

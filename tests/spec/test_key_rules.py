"""The idempotency key rules: the header both POSTs require, and the pattern and bounds that
conformance.spec reads from it."""

from __future__ import annotations

import pytest

from conformance import spec

from .support import CREATE, GET, KEY_HEADER, POSTS, header_parameter


@pytest.mark.parametrize("operation_id", POSTS)
def test_both_posts_require_the_idempotency_key_header_with_the_key_rules(
    operation_id: str,
) -> None:
    parameter = header_parameter(operation_id, KEY_HEADER)
    assert parameter is not None
    assert parameter["name"] == "Idempotency-Key"
    assert parameter["required"] is True
    assert parameter["schema"] == {
        "type": "string",
        "minLength": 6,
        "maxLength": 64,
        "pattern": "^[A-Za-z0-9_-]{6,64}$",
        "description": parameter["schema"]["description"],
        "examples": parameter["schema"]["examples"],
    }
    assert spec.operation(operation_id).required_headers == ("Idempotency-Key",)


def test_get_takes_no_idempotency_key() -> None:
    assert header_parameter(GET, KEY_HEADER) is None


def test_key_rules_are_read_from_the_spec() -> None:
    parameter = header_parameter(CREATE, KEY_HEADER)
    assert parameter is not None
    assert spec.KEY_PATTERN.pattern == parameter["schema"]["pattern"]
    assert (spec.KEY_MIN, spec.KEY_MAX) == (6, 64)


@pytest.mark.parametrize(
    "key",
    ["payment_123456_unique_key", "3f2b8c1e-9d4a-4e7b-8a21-5c6d7e8f9a0b", "a" * 6, "Z9_-" * 16],
)
def test_key_pattern_accepts_good_keys(key: str) -> None:
    assert spec.KEY_PATTERN.fullmatch(key)


@pytest.mark.parametrize(
    "key", ["a" * 5, "a" * 65, "abc def", "abcdef\n", "abc.def", "abc:def", "clé_123456", ""]
)
def test_key_pattern_rejects_bad_keys(key: str) -> None:
    assert spec.KEY_PATTERN.fullmatch(key) is None

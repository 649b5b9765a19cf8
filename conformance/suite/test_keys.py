"""The Idempotency-Key header on create and refund: required, well-formed, one per request,
case-insensitive in its name, and compared in full.

A create that must be refused for its key carries a plain body: a target may refuse any other
body for a business rule of its own, with a 4xx other than 400, before it looks at the key
("What a target may refuse" in REQUIREMENTS.md).

Invalid keys go out through `header_lines`, so values that requests would refuse (surrounding
whitespace, control or non-ASCII characters) still reach the target as written.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance import checks
from conformance.spec import KEY_MAX, KEY_MIN
from conformance.strategies import (
    BadKey,
    bad_character_keys,
    fresh_key,
    keys,
    long_keys,
    payment_bodies,
    plain_bodies,
    punctuation_keys,
    short_keys,
    unique_key,
)
from conformance.suite.helpers import create_payment, unless_refused
from conformance.transport.client import KEY_HEADER, ApiClient

EMPTY_VALUES = ("", " ", "   ", "\t", " \t ")
NAME_SPELLINGS = ("idempotency-key", "IDEMPOTENCY-KEY", "Idempotency-Key", "iDEMPOTENCY-kEY")
FIXED_LENGTH_STYLES = ("alnum", "lower", "upper", "underscore", "hyphen")
TRUNCATION_POINTS = (8, 16, 32)


def bad_lengths() -> st.SearchStrategy[BadKey]:
    return st.one_of(short_keys(), long_keys())


def as_line(value: str) -> list[tuple[str, str]]:
    return [(KEY_HEADER, value)]


# -- KEY-REQUIRED --------------------------------------------------------------------------------
@pytest.mark.requirement("KEY-REQUIRED")
@given(body=plain_bodies())
def test_create_without_a_key_is_400_with_an_error_body(
    api: ApiClient, body: dict[str, Any]
) -> None:
    response = api.create(body, None)
    title = "Create without an Idempotency-Key was not refused"
    checks.key_refused_with_400(response, requirement="KEY-REQUIRED", title=title)
    checks.has_the_error_shape(response, requirement="KEY-REQUIRED", title=title)


@pytest.mark.requirement("KEY-REQUIRED")
def test_refund_without_a_key_is_400_with_an_error_body(api: ApiClient) -> None:
    created = create_payment(api)
    response = api.refund(created.id, None)
    title = "Refund without an Idempotency-Key was not refused"
    checks.key_refused_with_400(response, requirement="KEY-REQUIRED", title=title)
    checks.has_the_error_shape(response, requirement="KEY-REQUIRED", title=title)


# -- KEY-EMPTY -----------------------------------------------------------------------------------
@pytest.mark.requirement("KEY-EMPTY")
@pytest.mark.parametrize("value", EMPTY_VALUES, ids=repr)
def test_create_with_an_empty_key_is_400(api: ApiClient, value: str) -> None:
    response = api.create(
        {"amount": 100, "currency": "USD", "description": f"empty key [{api.target.run_id}]"},
        None,
        header_lines=as_line(value),
    )
    checks.key_refused_with_400(
        response, requirement="KEY-EMPTY", title=f"Create with the key {value!r} was not refused"
    )


@pytest.mark.requirement("KEY-EMPTY")
@pytest.mark.parametrize("value", EMPTY_VALUES, ids=repr)
def test_refund_with_an_empty_key_is_400(api: ApiClient, value: str) -> None:
    created = create_payment(api)
    response = api.refund(created.id, None, header_lines=as_line(value))
    checks.key_refused_with_400(
        response, requirement="KEY-EMPTY", title=f"Refund with the key {value!r} was not refused"
    )


# -- KEY-LENGTH ----------------------------------------------------------------------------------
@pytest.mark.requirement("KEY-LENGTH")
@given(body=plain_bodies(), bad=bad_lengths())
def test_create_with_a_key_of_a_bad_length_is_400(
    api: ApiClient, body: dict[str, Any], bad: BadKey
) -> None:
    response = api.create(body, None, header_lines=as_line(bad.value))
    checks.key_refused_with_400(
        response,
        requirement="KEY-LENGTH",
        title=f"Create with a key of {bad.reason} was not refused",
    )


@pytest.mark.requirement("KEY-LENGTH")
@given(bad=bad_lengths())
def test_refund_with_a_key_of_a_bad_length_is_400(api: ApiClient, bad: BadKey) -> None:
    created = create_payment(api)
    response = api.refund(created.id, None, header_lines=as_line(bad.value))
    checks.key_refused_with_400(
        response,
        requirement="KEY-LENGTH",
        title=f"Refund with a key of {bad.reason} was not refused",
    )


@pytest.mark.requirement("KEY-LENGTH")
@given(
    body=payment_bodies(),
    length=st.sampled_from((KEY_MIN, KEY_MAX)),
    style=st.sampled_from(FIXED_LENGTH_STYLES),
)
def test_create_with_a_key_of_a_boundary_length_is_accepted(
    api: ApiClient, body: dict[str, Any], length: int, style: str
) -> None:
    key = fresh_key(length, style)
    response = api.create(body, key)
    unless_refused(api, body, response)
    checks.payment_created(
        response,
        requirement="KEY-LENGTH",
        title=f"Create with a valid key of {length} characters failed",
    )


@pytest.mark.requirement("KEY-LENGTH")
@given(length=st.sampled_from((KEY_MIN, KEY_MAX)), style=st.sampled_from(FIXED_LENGTH_STYLES))
def test_refund_with_a_key_of_a_boundary_length_is_accepted(
    api: ApiClient, length: int, style: str
) -> None:
    created = create_payment(api)
    response = api.refund(created.id, fresh_key(length, style))
    checks.valid_key_accepted(
        response,
        requirement="KEY-LENGTH",
        title=f"Refund with a valid key of {length} characters failed",
    )


# -- KEY-ALPHABET --------------------------------------------------------------------------------
@pytest.mark.requirement("KEY-ALPHABET")
@given(body=payment_bodies(), key=keys())
def test_create_with_letters_digits_underscore_and_hyphen_is_accepted(
    api: ApiClient, body: dict[str, Any], key: str
) -> None:
    response = api.create(body, key)
    unless_refused(api, body, response)
    checks.payment_created(
        response, requirement="KEY-ALPHABET", title=f"Create with the valid key {key!r} failed"
    )


@pytest.mark.requirement("KEY-ALPHABET")
@given(body=plain_bodies(), bad=bad_character_keys())
def test_create_with_whitespace_control_or_non_ascii_in_the_key_is_400(
    api: ApiClient, body: dict[str, Any], bad: BadKey
) -> None:
    # The HTTP layer may refuse a control character before the application: any 400 will do.
    response = api.create(body, None, header_lines=as_line(bad.wire()))
    checks.key_refused_with_400(
        response,
        requirement="KEY-ALPHABET",
        title=f"Create with a key that {bad.reason} was not refused",
    )


@pytest.mark.requirement("KEY-ALPHABET")
@given(bad=bad_character_keys())
def test_refund_with_whitespace_control_or_non_ascii_in_the_key_is_400(
    api: ApiClient, bad: BadKey
) -> None:
    created = create_payment(api)
    response = api.refund(created.id, None, header_lines=as_line(bad.wire()))
    checks.key_refused_with_400(
        response,
        requirement="KEY-ALPHABET",
        title=f"Refund with a key that {bad.reason} was not refused",
    )


@pytest.mark.requirement("KEY-ALPHABET", part="should")
@given(body=plain_bodies(), bad=punctuation_keys())
def test_create_with_other_punctuation_in_the_key_is_400(
    api: ApiClient, body: dict[str, Any], bad: BadKey
) -> None:
    response = api.create(body, None, header_lines=as_line(bad.wire()))
    checks.key_refused_with_400(
        response,
        requirement="KEY-ALPHABET",
        title=f"Create with a key that {bad.reason} was not refused",
    )


# -- KEY-HEADER-CASE -----------------------------------------------------------------------------
@pytest.mark.requirement("KEY-HEADER-CASE")
@pytest.mark.parametrize("name", ("idempotency-key", "IDEMPOTENCY-KEY"))
def test_create_with_another_spelling_of_the_header_name_works(api: ApiClient, name: str) -> None:
    body = {"amount": 100, "currency": "USD", "description": f"{name} [{api.target.run_id}]"}
    key = unique_key("case")
    first = api.create(body, None, headers={name: key})
    checks.payment_created(
        first,
        requirement="KEY-HEADER-CASE",
        title=f"Create with the key in a {name!r} header failed",
    )
    again = api.create(body, key)
    checks.replay_is_identical(
        first,
        again,
        requirement="KEY-HEADER-CASE",
        title=f"A key sent as {name!r} did not replay under {KEY_HEADER!r}",
    )


@pytest.mark.requirement("KEY-HEADER-CASE")
@given(
    body=payment_bodies(),
    key=keys(),
    names=st.lists(st.sampled_from(NAME_SPELLINGS), min_size=2, max_size=2, unique=True),
)
def test_replay_under_another_spelling_of_the_header_name_replays(
    api: ApiClient, body: dict[str, Any], key: str, names: list[str]
) -> None:
    first = api.create(body, None, headers={names[0]: key})
    unless_refused(api, body, first)
    checks.payment_created(
        first,
        requirement="KEY-HEADER-CASE",
        title=f"Create with the key in a {names[0]!r} header failed",
    )
    again = api.create(body, None, headers={names[1]: key})
    checks.replay_is_identical(
        first,
        again,
        requirement="KEY-HEADER-CASE",
        title=f"A key sent as {names[0]!r} did not replay under {names[1]!r}",
    )


# -- KEY-DUPLICATE-HEADER ------------------------------------------------------------------------
@pytest.mark.requirement("KEY-DUPLICATE-HEADER")
@given(body=plain_bodies(), first=keys(), second=keys())
def test_create_with_two_key_header_lines_is_400(
    api: ApiClient, body: dict[str, Any], first: str, second: str
) -> None:
    lines = [(KEY_HEADER, first), (KEY_HEADER, second)]
    response = api.create(body, None, header_lines=lines)
    checks.key_refused_with_400(
        response,
        requirement="KEY-DUPLICATE-HEADER",
        title="Create with two Idempotency-Key header lines",
    )


@pytest.mark.requirement("KEY-DUPLICATE-HEADER")
@given(first=keys(), second=keys())
def test_refund_with_two_key_header_lines_is_400(api: ApiClient, first: str, second: str) -> None:
    created = create_payment(api)
    lines = [(KEY_HEADER, first), (KEY_HEADER, second)]
    response = api.refund(created.id, None, header_lines=lines)
    checks.key_refused_with_400(
        response,
        requirement="KEY-DUPLICATE-HEADER",
        title="Refund with two Idempotency-Key header lines",
    )


# -- KEY-DISTINCT --------------------------------------------------------------------------------
def _twin_keys(length: int, shared: int) -> tuple[str, str]:
    """Two fresh keys of `length` characters that agree on their first `shared` ones only, and
    differ at the next one in more than letter case: keys differing only in case are the
    SHOULD of KEY-DISTINCT, which a conformant target may fold."""
    prefix = fresh_key(shared, "alnum")
    tail = fresh_key(length - shared, "alnum")
    other = fresh_key(length - shared, "alnum")
    while other[0].lower() == tail[0].lower():
        other = fresh_key(length - shared, "alnum")
    return prefix + tail, prefix + other


def twin_keys() -> st.SearchStrategy[tuple[str, str]]:
    """Pairs of keys differing only at the last position or only after a truncation point."""
    lengths = st.one_of(st.just(KEY_MAX), st.integers(TRUNCATION_POINTS[0] + 1, KEY_MAX))
    return lengths.flatmap(
        lambda n: st.builds(
            _twin_keys,
            st.just(n),
            st.sampled_from([p for p in TRUNCATION_POINTS if p < n] + [n - 1]),
        )
    )


def expect_distinct(api: ApiClient, body: dict[str, Any], first_key: str, second_key: str) -> None:
    """Each key gets its own payment with the same body, and each replays its own."""
    first = create_payment(api, body, first_key).response
    second = api.create(body, second_key)
    checks.never_the_stored_response(
        second,
        first,
        requirement="KEY-DISTINCT",
        title=f"Two keys that differ got the same payment ({first_key!r}, {second_key!r})",
    )
    checks.payment_created(
        second, requirement="KEY-DISTINCT", title="Create with a fresh key sharing a prefix failed"
    )
    checks.replay_is_identical(
        first,
        api.create(body, first_key),
        requirement="KEY-DISTINCT",
        title="The first key no longer replays its payment",
    )
    checks.replay_is_identical(
        second,
        api.create(body, second_key),
        requirement="KEY-DISTINCT",
        title="The second key does not replay its payment",
    )


@pytest.mark.requirement("KEY-DISTINCT")
@pytest.mark.parametrize("shared", (*TRUNCATION_POINTS, KEY_MAX - 1))
def test_longest_keys_differing_after_a_truncation_point_are_distinct(
    api: ApiClient, shared: int
) -> None:
    body = {"amount": 100, "currency": "USD", "description": f"distinct [{api.target.run_id}]"}
    expect_distinct(api, body, *_twin_keys(KEY_MAX, shared))


@pytest.mark.requirement("KEY-DISTINCT")
@given(body=payment_bodies(), pair=twin_keys())
def test_keys_sharing_a_prefix_never_share_a_response(
    api: ApiClient, body: dict[str, Any], pair: tuple[str, str]
) -> None:
    expect_distinct(api, body, *pair)


@pytest.mark.requirement("KEY-DISTINCT", part="should")
@given(body=payment_bodies(), key=keys().filter(lambda k: k.swapcase() != k))
def test_keys_differing_only_in_letter_case_are_distinct(
    api: ApiClient, body: dict[str, Any], key: str
) -> None:
    created = create_payment(api, body, key)
    response = api.create(body, key.swapcase())
    checks.never_the_stored_response(
        response,
        created.response,
        requirement="KEY-DISTINCT",
        title="A key in other letter case got the stored response of the original key",
    )

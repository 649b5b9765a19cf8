"""Protocol and errors: no 5xx, documented responses match the spec, 4xx bodies have the error
shape, and 429 answers behave.

schemathesis generates requests from the spec (valid ones and, for ERR-NO-5XX, invalid ones).
These tests run last and also judge every exchange the run recorded before them.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
import schemathesis
from hypothesis import assume, given
from hypothesis import strategies as st
from schemathesis import GenerationMode

from conformance import checks, spec
from conformance.spec import CREATE_OP, GET_OP, REFUND_OP, SPEC_PREFIX, operation_of
from conformance.strategies import ODD_VALUES, unique_key
from conformance.transport.client import ApiClient
from conformance.transport.records import Exchange

_TRANSPORT_HEADERS = {"user-agent", "accept-encoding", "connection", "x-schemathesis-testcaseid"}


@cache
def _schema() -> Any:
    return schemathesis.openapi.from_path(str(spec.spec_path()))


def generated_cases(mode: GenerationMode) -> st.SearchStrategy[Any]:
    return st.deferred(
        lambda: st.one_of(
            [
                _schema().find_operation_by_id(operation_id).as_strategy(generation_mode=mode)
                for operation_id in (CREATE_OP, GET_OP, REFUND_OP)
            ]
        )
    )


def send_case(api: ApiClient, case: Any) -> Any:
    """Send a schemathesis case through the suite's client, with the run's credentials."""
    kwargs = case.as_transport_kwargs(base_url="http://spec.invalid")
    path = kwargs["url"].removeprefix("http://spec.invalid").removeprefix(SPEC_PREFIX)
    security = {
        "x-client-key",
        "x-client-secret",
        api.target.key_header.lower(),
        api.target.secret_header.lower(),
    }
    headers = {
        name: str(value)
        for name, value in kwargs.get("headers", {}).items()
        if name.lower() not in _TRANSPORT_HEADERS | security
    }
    if "json" in kwargs:
        data: bytes | None = json.dumps(kwargs["json"]).encode()
    else:
        data = kwargs.get("data")
    if kwargs.get("params"):
        path += "?" + "&".join(f"{k}={v}" for k, v in kwargs["params"].items())
    try:
        return api.send(kwargs["method"], path, headers=headers, data=data)
    except (ValueError, UnicodeError):
        assume(False)  # a header value no HTTP client can send: not a request to judge


def _reaches_the_application(exchange: Exchange) -> bool:
    """False for requests an HTTP layer or router may refuse before the application, with a
    body of its own: header values with control or non-ASCII bytes, or a path whose
    percent-encoding is not UTF-8 or decodes to control characters."""
    headers = all(
        value.isprintable() and value.isascii() for value in exchange.request_headers.values()
    )
    try:
        path = unquote(urlsplit(exchange.url).path, errors="strict")
    except UnicodeDecodeError:
        return False
    return headers and path.isprintable()


def _judged(api: ApiClient) -> list[Exchange]:
    """The run's answers that run-wide checks judge: complete ones (not cut at the recording
    limit) with an answer, and cited as the evidence of the check."""
    return [e for e in list(api.journal.all) if e.status is not None and not e.truncated]


def _cite(api: ApiClient, violation: checks.Violation, exchanges: list[Exchange]) -> None:
    by_seq = {e.seq: e for e in exchanges}
    api.journal.cite(
        [by_seq[seq] for seq in violation.answers[: checks.protocol.SHOWN] if seq in by_seq]
    )


@pytest.mark.requirement("ERR-NO-5XX")
@given(
    case=st.one_of(
        generated_cases(GenerationMode.POSITIVE), generated_cases(GenerationMode.NEGATIVE)
    )
)
def test_generated_requests_never_get_a_5xx(api: ApiClient, case: Any) -> None:
    checks.no_server_error(send_case(api, case), title="A generated request got a server error")


@pytest.mark.requirement("ERR-NO-5XX")
def test_unusual_values_in_a_create_body_never_get_a_5xx(api: ApiClient) -> None:
    """Each value once (a few dozen requests): accepted or refused as the target likes (the
    document fixes no such rule), never a 5xx."""
    for odd in ODD_VALUES:
        response = api.create(None, unique_key("odd"), raw=odd.text(api.target.run_id).encode())
        checks.no_server_error(response, title=f"A create with {odd.what} got a server error")


@pytest.mark.scans_the_run
@pytest.mark.requirement("ERR-NO-5XX")
def test_no_request_of_the_run_got_a_5xx(api: ApiClient) -> None:
    exchanges = [e for e in _judged(api) if e.status is not None and e.status >= 500]
    try:
        checks.no_answer_is_a_server_error(*exchanges)
    except checks.Violation as violation:
        _cite(api, violation, exchanges)
        raise


@pytest.mark.requirement("SCHEMA-RESPONSES")
@given(case=generated_cases(GenerationMode.POSITIVE))
def test_generated_valid_requests_get_documented_responses(api: ApiClient, case: Any) -> None:
    response = send_case(api, case)
    operation_id = operation_of(response.request.method, response.request.url, api.target.api_root)
    if operation_id is None:
        raise pytest.UsageError(f"a generated request went to no operation: {response.request.url}")
    checks.matches_the_spec(response, operation=operation_id)


@pytest.mark.scans_the_run
@pytest.mark.requirement("SCHEMA-RESPONSES")
def test_every_response_of_the_run_matches_the_spec(api: ApiClient) -> None:
    exchanges = _judged(api)
    operations = [operation_of(e.method, e.url, api.target.api_root) for e in exchanges]
    try:
        checks.every_answer_matches_the_spec(*exchanges, operations=operations)
    except checks.Violation as violation:
        _cite(api, violation, exchanges)
        raise


@pytest.mark.scans_the_run
@pytest.mark.requirement("ERR-SHAPE")
def test_every_client_error_of_the_run_has_the_error_shape(api: ApiClient) -> None:
    exchanges = [
        e
        for e in _judged(api)
        if _reaches_the_application(e) and e.status is not None and e.status // 100 == 4
    ]
    if not exchanges:
        pytest.skip("no 4xx answer was seen in this run")
    try:
        checks.every_client_error_has_the_error_shape(*exchanges)
    except checks.Violation as violation:
        _cite(api, violation, exchanges)
        raise


@pytest.mark.scans_the_run
@pytest.mark.requirement("RATE-LIMIT")
def test_rate_limit_answers_carry_retry_after(api: ApiClient) -> None:
    events = list(api.journal.rate_limits)
    if not events:
        pytest.skip("the target answered no 429 in this run")
    by_seq = {e.seq: e for e in api.journal.all}
    checks.rate_limits_carry_retry_after(
        *[by_seq[event.first_seq] for event in events if event.first_seq in by_seq]
    )


@pytest.mark.scans_the_run
@pytest.mark.requirement("RATE-NOT-STORED")
def test_a_429_is_not_stored_under_the_key(api: ApiClient) -> None:
    events = [event for event in api.journal.rate_limits if event.idempotency_key]
    if not events:
        pytest.skip("the target answered no 429 to a request with a key in this run")
    gave_up = [(e, e.request) for e in events if e.gave_up and e.request is not None]
    for event, request in gave_up[: checks.protocol.SHOWN]:
        # Answered 429 again and again: a rate limit still in force, or a 429 stored under the
        # key? Ask once more, and ask something else right after: only a stored 429 keeps
        # answering the key while the target serves the rest.
        again = api.session.send_once(request)
        control = api.get(f"rate-limit-control-{unique_key('ctl')}")
        checks.a_429_is_not_stored(
            again,
            control,
            title=f"{event.method} {event.url} with key {event.idempotency_key}: "
            f"{event.answers_429 + 1} answers 429 while other requests are served",
        )

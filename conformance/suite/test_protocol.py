"""Protocol and errors: no 5xx, documented responses match the spec, 4xx bodies have the error
shape, and 429 answers behave.

schemathesis generates requests from the spec (valid ones and, for ERR-NO-5XX, invalid ones).
These tests run last and also judge every exchange the run recorded before them.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest
import schemathesis
from hypothesis import assume, given
from hypothesis import strategies as st
from schemathesis import GenerationMode

from conformance import spec
from conformance.checks import (
    CREATE_OP,
    GET_OP,
    REFUND_OP,
    describe,
    error_body_problems,
    excerpt,
    expect_schema,
    operation_of,
)
from conformance.client import ApiClient
from conformance.failures import ConformanceFailure
from conformance.http import Exchange
from conformance.strategies import unique_key

SPEC_PREFIX = "/api/v0"
"""The spec's own path prefix; the target's prefix (--path-prefix) replaces it."""
_TRANSPORT_HEADERS = {"user-agent", "accept-encoding", "connection", "x-schemathesis-testcaseid"}
CITED = 5


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


def _fail_on(
    offenders: list[tuple[Exchange, str]], api: ApiClient, title: str, expected: str
) -> None:
    if not offenders:
        return
    api.journal.cite([exchange for exchange, _ in offenders[:CITED]])
    shown = "; ".join(f"{e.method} {e.url} -> {problem}" for e, problem in offenders[:CITED])
    more = f" (and {len(offenders) - CITED} more)" if len(offenders) > CITED else ""
    raise ConformanceFailure(title, expected=expected, received=shown + more)


def _clean_headers(exchange: Exchange) -> bool:
    """False for requests whose header values carry control or non-ASCII bytes: an HTTP layer
    may refuse those before the application, with a body of its own."""
    return all(
        value.isprintable() and value.isascii() for value in exchange.request_headers.values()
    )


@pytest.mark.requirement("ERR-NO-5XX")
@given(
    case=st.one_of(
        generated_cases(GenerationMode.POSITIVE), generated_cases(GenerationMode.NEGATIVE)
    )
)
def test_generated_requests_never_get_a_5xx(api: ApiClient, case: Any) -> None:
    response = send_case(api, case)
    if response.status_code >= 500:
        raise ConformanceFailure(
            "A generated request got a server error",
            expected="a status below 500",
            received=describe(response),
        )


@pytest.mark.requirement("ERR-NO-5XX")
def test_no_request_of_the_run_got_a_5xx(api: ApiClient) -> None:
    offenders = [
        (e, f"{e.status} {excerpt(e.response_body, 80)}")
        for e in api.journal.all
        if e.status is not None and e.status >= 500
    ]
    _fail_on(offenders, api, "Requests of this run got server errors", "no 5xx status")


@pytest.mark.requirement("SCHEMA-RESPONSES")
@given(case=generated_cases(GenerationMode.POSITIVE))
def test_generated_valid_requests_get_documented_responses(api: ApiClient, case: Any) -> None:
    response = send_case(api, case)
    operation_id = operation_of(response.request.method, response.request.url, api.target.api_root)
    status = response.status_code
    if operation_id is None:
        raise ConformanceFailure(
            "A generated request went to an unknown operation",
            expected="one of the spec's operations",
            received=response.request.url,
        )
    if status // 100 == 2 or spec.operation(operation_id).documents(status) or status >= 500:
        expect_schema(response, operation_id, title="The response does not match the spec")


def _schema_problem(exchange: Exchange, api_root: str) -> str | None:
    operation_id = operation_of(exchange.method, exchange.url, api_root)
    if operation_id is None or exchange.status is None or exchange.truncated:
        return None
    documented = spec.operation(operation_id).documents(exchange.status)
    if not (exchange.status // 100 == 2 or documented):
        return None  # an undocumented 4xx is judged by the requirement that provoked it
    try:
        body: Any = json.loads(exchange.response_body or "")
    except ValueError:
        body = exchange.response_body
    content_type = next(
        (v for k, v in exchange.response_headers.items() if k.lower() == "content-type"), None
    )
    problems = spec.validate_response(operation_id, exchange.status, content_type, body)
    return "; ".join(problems[:3]) if problems else None


@pytest.mark.requirement("SCHEMA-RESPONSES")
def test_every_response_of_the_run_matches_the_spec(api: ApiClient) -> None:
    offenders = [
        (e, problem)
        for e in list(api.journal.all)
        if (problem := _schema_problem(e, api.target.api_root))
    ]
    _fail_on(
        offenders,
        api,
        "Responses of this run do not match the spec",
        "every 2xx and documented error response as the spec describes it",
    )


@pytest.mark.requirement("ERR-SHAPE")
def test_every_client_error_of_the_run_has_the_error_shape(api: ApiClient) -> None:
    offenders = []
    for exchange in list(api.journal.all):
        if exchange.status is None or exchange.status // 100 != 4 or exchange.truncated:
            continue
        if not _clean_headers(exchange):
            continue
        problems = error_body_problems(exchange.status, exchange.response_body)
        if problems:
            offenders.append((exchange, f"{exchange.status}: {'; '.join(problems)}"))
    if not any(e.status and e.status // 100 == 4 for e in api.journal.all):
        pytest.skip("no 4xx answer was seen in this run")
    _fail_on(
        offenders,
        api,
        "4xx answers without the error shape",
        '{"statusCode": <the status>, "message": "..." or ["..."]}',
    )


@pytest.mark.requirement("RATE-LIMIT")
def test_rate_limit_answers_carry_retry_after(api: ApiClient) -> None:
    events = list(api.journal.rate_limits)
    if not events:
        pytest.skip("the target answered no 429 in this run")
    missing = [event for event in events if not event.had_retry_after]
    if missing:
        raise ConformanceFailure(
            "429 answers without Retry-After",
            expected="a Retry-After header on every 429",
            received=f"{len(missing)} of {len(events)} had none, e.g. {missing[0].method} "
            f"{missing[0].url}",
        )


@pytest.mark.requirement("RATE-NOT-STORED")
def test_a_429_is_not_stored_under_the_key(api: ApiClient) -> None:
    events = [event for event in api.journal.rate_limits if event.idempotency_key]
    if not events:
        pytest.skip("the target answered no 429 to a request with a key in this run")
    for event in [e for e in events if e.gave_up and e.request is not None][:CITED]:
        # Answered 429 again and again: a rate limit still in force, or a 429 stored under the
        # key? Ask once more, and ask something else right after: only a stored 429 keeps
        # answering the key while the target serves the rest.
        again = api.session.send_once(event.request)
        control = api.get(f"rate-limit-control-{unique_key('ctl')}")
        if again.status_code == 429 and control.status_code != 429:
            raise ConformanceFailure(
                "A key that got 429 keeps getting 429 while the target answers other requests",
                expected="the retry with the same key processed normally once the wait is over",
                received=f"{event.method} {event.url} with key {event.idempotency_key}: "
                f"{event.answers_429 + 1} answers 429; meanwhile GET -> {control.status_code}",
            )

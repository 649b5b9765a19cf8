"""The OpenAPI contract is valid and self-consistent: the meta-schema, its schemas and examples,
the three operations, auth, links, error bodies and documented statuses."""

from __future__ import annotations

import re

import pytest
import schemathesis
from jsonschema import Draft202012Validator
from schemathesis.core.result import Err
from schemathesis.specs.openapi.definitions import OPENAPI_31

from conformance import spec
from conformance.checks import schema as schema_check

from .differences import NOTED_CONTRADICTIONS
from .support import CREATE, GET, REFUND, examples_of, response, walk

# --- the document is valid OpenAPI -----------------------------------------------------------


def test_spec_validates_against_the_openapi_31_meta_schema() -> None:
    errors = [
        f"{e.json_path}: {e.message[:120]}"
        for e in Draft202012Validator(OPENAPI_31).iter_errors(spec.load_spec())
    ]
    assert errors == []


def test_every_schema_in_the_spec_is_a_valid_json_schema_2020_12() -> None:
    for where, node in walk(spec.load_spec()):
        if where.endswith(".schema") or re.search(r"\.components\.schemas\.\w+$", where):
            Draft202012Validator.check_schema(spec.resolve(node))


def test_schemathesis_loads_every_operation_without_error() -> None:
    loaded = schemathesis.openapi.from_path(spec.spec_path())
    labels = []
    for result in loaded.get_all_operations():
        if isinstance(result, Err):
            raise result.err()
        labels.append(result.ok().label)
    assert sorted(labels) == [
        "GET /api/v0/test-payment/{id}",
        "POST /api/v0/test-payment",
        "POST /api/v0/test-payment/{id}/refund",
    ]


def test_every_example_validates_against_its_own_schema() -> None:
    checked = 0
    for where, node in walk(spec.load_spec()):
        if not isinstance(node, dict) or "schema" in where.split(".")[-1:]:
            continue
        examples = examples_of(node)
        if not examples:
            continue
        own = node.get("schema", node if "type" in node or "properties" in node else None)
        assert own is not None, f"{where} has examples but no schema to judge them by"
        validator = schema_check.validator(spec.resolve(own))
        for example in examples:
            errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(example)]
            assert errors == [], f"example at {where} breaks its schema"
            checked += 1
    assert checked >= 20, "the walk found too few examples; has the spec's layout changed?"


# --- operations, auth, links, statuses -------------------------------------------------------


def test_the_three_operations_have_the_client_method_names() -> None:
    found = {
        (op.method, op.path): op.operation_id for op in map(spec.operation, spec.OPERATION_IDS)
    }
    assert found == {
        ("POST", "/api/v0/test-payment"): CREATE,
        ("GET", "/api/v0/test-payment/{id}"): GET,
        ("POST", "/api/v0/test-payment/{id}/refund"): REFUND,
    }


def test_every_operation_requires_both_auth_headers_in_one_security_requirement() -> None:
    schemes = spec.load_spec()["components"]["securitySchemes"]
    for name in ("x-client-key", "x-client-secret"):
        assert schemes[name] == {**schemes[name], "type": "apiKey", "in": "header", "name": name}
    for operation_id in spec.OPERATION_IDS:
        assert spec.raw_operation(operation_id)["security"] == [
            {"x-client-key": [], "x-client-secret": []}
        ]


def test_create_links_its_payment_id_to_get_and_refund() -> None:
    links = response(CREATE, 201)["links"]
    targets = {link["operationId"]: link["parameters"] for link in links.values()}
    assert targets == {GET: {"id": "$response.body#/id"}, REFUND: {"id": "$response.body#/id"}}


def test_every_error_response_is_an_error_body_pinned_to_its_status() -> None:
    for operation_id in spec.OPERATION_IDS:
        for status in spec.operation(operation_id).statuses:
            if status < 400:
                continue
            content = response(operation_id, status)["content"]
            assert list(content) == ["application/json"]
            pinned = schema_check.validator(content["application/json"]["schema"])
            assert pinned.is_valid({"statusCode": status, "message": "x", "error": "Extra"})
            assert pinned.is_valid({"statusCode": status, "message": ["a", "b"]})
            assert not pinned.is_valid({"statusCode": status + 1, "message": "x"})
            assert not pinned.is_valid({"statusCode": status})


@pytest.mark.parametrize("operation_id", spec.OPERATION_IDS)
def test_429_may_carry_retry_after(operation_id: str) -> None:
    header = response(operation_id, 429)["headers"]["Retry-After"]
    assert header["required"] is False


def test_the_documented_statuses_are_the_ones_requirements_accepts() -> None:
    assert spec.operation(CREATE).statuses == (201, 400, 401, 409, 415, 422, 429)
    assert spec.operation(GET).statuses == (200, 400, 401, 403, 404, 409, 429)
    assert spec.operation(REFUND).statuses == (200, 400, 401, 403, 404, 409, 422, 429)


@pytest.mark.parametrize("topic", NOTED_CONTRADICTIONS)
def test_each_resolved_contradiction_is_noted_in_the_spec(topic: str) -> None:
    notes = [
        node
        for where, node in walk(spec.load_spec())
        if where.endswith(".x-conformance-note") and isinstance(node, str)
    ]
    assert any(f'"{topic}"' in note for note in notes), f"no x-conformance-note cites {topic!r}"

"""The OpenAPI contract: valid, self-consistent, derived from the document, and its loader.

The derived-from-source tests re-read ``../shared/docs/TestPaymentsApi.md`` (a sibling of the
checkout) and fail when the document shows a path, method, status, header or example the spec
lacks, unless the difference is one of the deliberate ones tabled below, each citing the
REQUIREMENTS.md row (or the document's own words) that decides it.
"""

from __future__ import annotations

import html
import json
import os
import re
import shlex
import shutil
import string
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import schemathesis
from jsonschema import Draft202012Validator
from schemathesis.specs.openapi.definitions import OPENAPI_31

from conformance import spec

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared"
DOCUMENT = SHARED / "docs" / "TestPaymentsApi.md"
REQUIREMENTS = SHARED / "REQUIREMENTS.md"

CREATE = "test_payment_controller_create_payment_v0"
GET = "test_payment_controller_get_payment_v0"
REFUND = "test_payment_controller_refund_payment_v0"
POSTS = (CREATE, REFUND)
KEY_HEADER = "idempotency-key"


@dataclass(frozen=True)
class Difference:
    """A place where the spec deliberately says something other than the document."""

    document: str
    spec: str
    source: str
    """The REQUIREMENTS.md row (resolved-contradiction topic or requirement id) or the
    document's own statement that decides it."""


# (kind, what the document shows) -> how the spec says it, and why.
DIFFERENCES: dict[tuple[str, str], Difference] = {
    ("header", "Client-Key"): Difference(
        "Client-Key", "x-client-key", "REQUIREMENTS.md resolved contradiction 'auth header names'"
    ),
    ("header", "Client-Secret"): Difference(
        "Client-Secret",
        "x-client-secret",
        "REQUIREMENTS.md resolved contradiction 'auth header names'",
    ),
    ("path-prefix", "/rest-api"): Difference(
        "/rest-api", "/api", "REQUIREMENTS.md resolved contradiction 'path prefix'"
    ),
    ("host", "https://api.example.com"): Difference(
        "https://api.example.com",
        "https://api.devdraft.ai",
        "the document's own 'All URIs are relative to *https://api.devdraft.ai*'",
    ),
    ("key-alphabet", "alphanumeric"): Difference(
        "alphanumeric",
        "letters, digits, _ and -",
        "REQUIREMENTS.md resolved contradiction 'key alphabet' (KEY-ALPHABET)",
    ),
    ("refund-header", "Content-Type"): Difference(
        "Content-Type: application/json in the refund curl",
        "no request body on refund",
        "the document's own refund 'HTTP request headers': Content-Type Not defined",
    ),
}
EXTRA_KEY_CHARACTERS = "_-"  # what DIFFERENCES[("key-alphabet", ...)] adds to alphanumerics

# Statuses the spec documents beyond the document's tables, each accepted by REQUIREMENTS.md.
ADDED_STATUSES: dict[tuple[str, int], str] = {
    (CREATE, 415): "PAY-VALIDATION (any 4xx; 400, 415 and 422 named)",
    (CREATE, 422): "PAY-VALIDATION (any 4xx; 400, 415 and 422 named)",
    (GET, 403): "AUTH-KEY-SCOPE (404 or 403)",
    (GET, 404): "PAY-GET-UNKNOWN (SHOULD 404); resolved contradiction 'unknown payment id'",
    (REFUND, 403): "AUTH-KEY-SCOPE (404 or 403)",
    (REFUND, 404): "REFUND-UNKNOWN (SHOULD 404)",
    (REFUND, 422): "REFUND-ONCE, CONFLICT-CROSS-OPERATION (400/409/422 accepted)",
}

# The resolved contradictions of REQUIREMENTS.md that the spec itself must carry a note for.
NOTED_CONTRADICTIONS = ("auth header names", "key alphabet", "path prefix", "GET error table")


def walk(node: object, where: str = "$") -> Iterator[tuple[str, Any]]:
    """Every (json path, node) of a parsed YAML tree, depth first."""
    yield where, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{where}[{index}]")


def raw_operation(operation_id: str) -> dict[str, Any]:
    op = spec.operation(operation_id)
    node: dict[str, Any] = spec.load_spec()["paths"][op.path][op.method.lower()]
    return node


def header_parameter(operation_id: str, name: str) -> dict[str, Any] | None:
    for parameter in spec.resolve(raw_operation(operation_id).get("parameters", [])):
        if parameter["in"] == "header" and parameter["name"].lower() == name.lower():
            found: dict[str, Any] = parameter
            return found
    return None


def response(operation_id: str, status: int) -> dict[str, Any]:
    resolved: dict[str, Any] = spec.resolve(raw_operation(operation_id)["responses"][str(status)])
    return resolved


def examples_of(holder: dict[str, Any]) -> list[Any]:
    """The examples an OpenAPI object carries, in either spelling."""
    found = [holder["example"]] if "example" in holder else []
    if "examples" in holder:
        values = holder["examples"]
        found += values if isinstance(values, list) else [e["value"] for e in values.values()]
    return found


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
    labels = sorted(result.ok().label for result in loaded.get_all_operations())
    assert labels == [
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
        validator = spec.validator(spec.resolve(own))
        for example in examples:
            errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(example)]
            assert errors == [], f"example at {where} breaks its schema"
            checked += 1
    assert checked >= 20, "the walk found too few examples; has the spec's layout changed?"


# --- operations, keys, auth, links -----------------------------------------------------------


def test_the_three_operations_have_the_client_method_names() -> None:
    found = {
        (op.method, op.path): op.operation_id for op in map(spec.operation, spec.OPERATION_IDS)
    }
    assert found == {
        ("POST", "/api/v0/test-payment"): CREATE,
        ("GET", "/api/v0/test-payment/{id}"): GET,
        ("POST", "/api/v0/test-payment/{id}/refund"): REFUND,
    }


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


def test_every_operation_requires_both_auth_headers_in_one_security_requirement() -> None:
    schemes = spec.load_spec()["components"]["securitySchemes"]
    for name in ("x-client-key", "x-client-secret"):
        assert schemes[name] == {**schemes[name], "type": "apiKey", "in": "header", "name": name}
    for operation_id in spec.OPERATION_IDS:
        assert raw_operation(operation_id)["security"] == [
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
            pinned = spec.validator(content["application/json"]["schema"])
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


# --- conformance.spec ------------------------------------------------------------------------

PAYMENT = {
    "id": "pay_1",
    "amount": 100.0,
    "currency": "USD",
    "status": "succeeded",
    "timestamp": "2023-07-01T12:00:00.000Z",
}


def test_the_spec_is_found_and_loaded_once() -> None:
    assert spec.spec_path() == spec.SPEC_PATH
    assert spec.SPEC_PATH.is_file()
    assert spec.load_spec() is spec.load_spec()


def test_schema_inlines_every_reference_and_drops_extensions() -> None:
    for name in spec.load_spec()["components"]["schemas"]:
        text = json.dumps(spec.schema(name))
        assert "$ref" not in text
        assert '"x-' not in text
    assert spec.schema("PaymentRequestDto")["properties"]["amount"] == {
        "type": "number",
        "exclusiveMinimum": 0,
        "maximum": 1.7976931348623157e308,
        "description": "The amount to charge",
    }


def test_schema_and_operation_name_the_known_ones_when_asked_for_an_unknown_one() -> None:
    with pytest.raises(spec.SpecError, match="PaymentResponseDto"):
        spec.schema("Nope")
    with pytest.raises(spec.SpecError, match=CREATE):
        spec.operation("createPayment")


def test_operation_knows_method_path_and_success_status() -> None:
    op = spec.operation(REFUND)
    assert (op.method, op.path, op.success_status) == (
        "POST",
        "/api/v0/test-payment/{id}/refund",
        200,
    )
    assert spec.operation(CREATE).success_status == 201
    assert op.documents(404) and not spec.operation(CREATE).documents(404)


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


def test_validate_response_accepts_a_conforming_payment_with_a_charset() -> None:
    assert spec.validate_response(CREATE, 201, "application/json; charset=utf-8", PAYMENT) == []


def test_validate_response_accepts_extra_fields() -> None:
    body = {**PAYMENT, "customerId": "cus_1"}
    assert spec.validate_response(GET, 200, "application/json", body) == []


def test_validate_response_names_a_missing_field() -> None:
    body = {k: v for k, v in PAYMENT.items() if k != "timestamp"}
    assert spec.validate_response(CREATE, 201, "application/json", body) == [
        "required at $: 'timestamp' is a required property"
    ]


def test_validate_response_names_a_wrong_type_with_path_and_value() -> None:
    problems = spec.validate_response(CREATE, 201, "application/json", {**PAYMENT, "amount": "100"})
    assert problems == ['type at $.amount: expected type "number", got "100"']


def test_validate_response_checks_the_timestamp_format() -> None:
    body = {**PAYMENT, "timestamp": "2023-02-30T12:00:00Z"}
    assert spec.validate_response(GET, 200, "application/json", body) == [
        'format at $.timestamp: expected format "date-time", got "2023-02-30T12:00:00Z"'
    ]


def test_validate_response_cuts_long_values() -> None:
    problems = spec.validate_response(GET, 200, "application/json", {**PAYMENT, "id": 7 * 10**200})
    assert len(problems) == 1
    assert problems[0].startswith('type at $.id: expected type "string", got 7000')
    assert problems[0].endswith("...")
    assert len(problems[0]) < 140


def test_validate_response_reports_an_undocumented_status_alone() -> None:
    assert spec.validate_response(CREATE, 404, "text/html", "<html>") == [
        f"status 404 is not documented for {CREATE} (documented: 201, 400, 401, 409, 415, 422, 429)"
    ]


@pytest.mark.parametrize("content_type", ["text/html", "application/jsonp", None])
def test_validate_response_requires_json_content_type(content_type: str | None) -> None:
    problems = spec.validate_response(CREATE, 201, content_type, PAYMENT)
    assert len(problems) == 1
    assert "Content-Type" in problems[0]
    assert "application/json" in problems[0]


def test_validate_response_checks_error_bodies() -> None:
    ok = {"statusCode": 404, "message": "Payment not found"}
    assert spec.validate_response(REFUND, 404, "application/json", ok) == []
    problems = spec.validate_response(
        REFUND, 404, "application/json", {"statusCode": 400, "message": 1}
    )
    assert [problem.split(" at ")[0] for problem in problems] == ["oneOf", "const"]
    assert problems[1] == "const at $.statusCode: expected const 404, got 400"


# --- derived from the source document --------------------------------------------------------


@dataclass(frozen=True)
class Curl:
    method: str
    url: str
    headers: dict[str, str]
    body: Any | None


@dataclass
class DocOperation:
    """What the document shows for one operation."""

    name: str
    summary: str = ""
    statuses: dict[int, str] = field(default_factory=dict)
    samples: dict[int, Any] = field(default_factory=dict)
    curls: list[Curl] = field(default_factory=list)
    json_examples: list[Any] = field(default_factory=list)
    return_type: str = ""
    parameters: dict[str, str] = field(default_factory=dict)
    """Parameter name -> its type; a model name (e.g. PaymentRequestDto) means the body."""
    auth: set[str] = field(default_factory=set)
    content_type: str = ""
    accept: str = ""
    key_format: tuple[int, int, str] | None = None


@dataclass(frozen=True)
class Document:
    host: str
    table: dict[str, tuple[str, str, str]]
    """Client method -> (HTTP method, path, description) from the method table."""
    operations: dict[str, DocOperation]


FENCE = re.compile(r"```(\w*)\n(.*?)```", re.DOTALL)


def parse_curl(text: str) -> Curl:
    tokens = shlex.split(text.replace("\\\n", " "))
    assert tokens[0] == "curl", text
    method, url, headers, body = "GET", "", {}, None
    rest = iter(tokens[1:])
    for token in rest:
        if token == "-X":
            method = next(rest)
        elif token == "-H":
            name, _, value = next(rest).partition(":")
            headers[name.strip()] = value.strip()
        elif token == "-d":
            body = json.loads(next(rest))
        else:
            url = token
    return Curl(method, url, headers, body)


def parse_sample(cell: str) -> Any | None:
    """The JSON sample hidden, HTML-escaped, in a status table cell."""
    text = html.unescape(cell).replace('\\"', '"')
    found = re.search(r"```json(.*?)```", text, re.DOTALL)
    return json.loads(found.group(1)) if found else None


def parse_operation(name: str, text: str) -> DocOperation:
    doc = DocOperation(name)
    summary = re.search(r"^> .*\n\n(.+)$", text, re.MULTILINE)
    doc.summary = summary.group(1).strip() if summary else ""
    for status, cell in re.findall(r"^\*\*(\d{3})\*\* \| (.*?) \| .*\|$", text, re.MULTILINE):
        head = cell.split("Sample response:")[0]
        doc.statuses[int(status)] = " ".join(head.split()).rstrip(".")
        sample = parse_sample(cell)
        if sample is not None:
            doc.samples[int(status)] = sample
    for language, block in FENCE.findall(text):
        if language == "bash" and block.lstrip().startswith("curl"):
            doc.curls.append(parse_curl(block.strip()))
        elif language == "json":
            doc.json_examples.append(json.loads(block))
    return_type = re.search(r"### Return type\s+\[\*\*(\w+)\*\*\]", text)
    doc.return_type = return_type.group(1) if return_type else ""
    for param, model, scalar in re.findall(
        r"^ \*\*(\w+)\*\* \| (?:\[\*\*(\w+)\*\*\]\([^)]*\)|\*\*(\w+)\*\*)\s*\|", text, re.MULTILINE
    ):
        doc.parameters[param] = model or scalar
    auth = re.search(r"### Authorization\s+(.+)", text)
    doc.auth = set(re.findall(r"\[([\w-]+)\]\(", auth.group(1))) if auth else set()
    content_type = re.search(r"- \*\*Content-Type\*\*: (.+)", text)
    doc.content_type = content_type.group(1).strip() if content_type else ""
    accept = re.search(r"- \*\*Accept\*\*: (.+)", text)
    doc.accept = accept.group(1).strip() if accept else ""
    key_format = re.search(r"\*\*Key format\*\*: Between (\d+)-(\d+) (\w+) characters", text)
    if key_format:
        low, high, alphabet = key_format.groups()
        doc.key_format = (int(low), int(high), alphabet)
    return doc


def parse_document(text: str) -> Document:
    host = re.search(r"All URIs are relative to \*(\S+?)\*", text)
    assert host, "the document no longer names its host"
    table = {
        name: (method, path, description.strip())
        for name, method, path, description in re.findall(
            r"^\[\*\*(\w+)\*\*\]\([^)]*\) \| \*\*([A-Z]+)\*\* (\S+) \| (.+)$", text, re.MULTILINE
        )
    }
    parts = re.split(r"^# \*\*(\w+)\*\*$", text, flags=re.MULTILINE)
    operations = {
        name: parse_operation(name, body)
        for name, body in zip(parts[1::2], parts[2::2], strict=True)
    }
    return Document(host.group(1), table, operations)


@pytest.fixture(scope="module")
def document() -> Document:
    if not DOCUMENT.is_file():
        pytest.skip(f"the source document is not at {DOCUMENT} (a sibling 'shared' checkout)")
    parsed = parse_document(DOCUMENT.read_text(encoding="utf-8"))
    assert parsed.table and parsed.operations, f"nothing parsed from {DOCUMENT}; has it changed?"
    return parsed


def template_regex(path: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(path)))


def security_header_names() -> dict[str, str]:
    """Lower-cased header name -> security scheme name."""
    schemes = spec.load_spec()["components"]["securitySchemes"]
    return {s["name"].lower(): name for name, s in schemes.items() if s["in"] == "header"}


def differences_in(doc: Document) -> set[tuple[str, str]]:
    """Every place where the document says something the spec deliberately does not."""
    found: set[tuple[str, str]] = set()
    servers = {server["url"] for server in spec.load_spec()["servers"]}
    for name, section in doc.operations.items():
        op = spec.operation(name)
        for curl in section.curls:
            url = urlsplit(curl.url)
            if f"{url.scheme}://{url.netloc}" not in servers:
                found.add(("host", f"{url.scheme}://{url.netloc}"))
            if not template_regex(op.path).fullmatch(url.path):
                prefix = "/" + url.path.split("/")[1]
                found.add(("path-prefix", prefix))
            for header in curl.headers:
                known = header.lower() in security_header_names()
                parameter = header_parameter(name, header)
                if header.lower() == "content-type":
                    if "requestBody" not in raw_operation(name):
                        found.add(("refund-header", header))
                elif not known and parameter is None:
                    found.add(("header", header))
        if section.key_format:
            admitted = {c for c in string.printable if spec.KEY_PATTERN.fullmatch(c * 6)}
            if section.key_format[2] != "alphanumeric" or not all(c.isalnum() for c in admitted):
                found.add(("key-alphabet", section.key_format[2]))
    return found


def test_the_deliberate_differences_are_exactly_the_tabled_ones(document: Document) -> None:
    assert differences_in(document) == set(DIFFERENCES)


def test_the_method_table_is_the_spec_operations(document: Document) -> None:
    assert set(document.table) == set(spec.OPERATION_IDS) == set(document.operations)
    for name, (method, path, description) in document.table.items():
        op = spec.operation(name)
        assert (op.method, op.path) == (method, path)
        assert raw_operation(name)["summary"] == description == document.operations[name].summary


def test_the_host_is_the_spec_server(document: Document) -> None:
    assert spec.load_spec()["servers"][0]["url"] == document.host


@pytest.mark.parametrize("operation_id", [CREATE, GET, REFUND])
def test_every_documented_status_is_in_the_spec_with_its_description(
    document: Document, operation_id: str
) -> None:
    section = document.operations[operation_id]
    documented = set(spec.operation(operation_id).statuses)
    assert set(section.statuses) <= documented
    added = {status for (op, status) in ADDED_STATUSES if op == operation_id}
    assert documented - set(section.statuses) == added, "an added status needs a REQUIREMENTS row"
    for status, description in section.statuses.items():
        ours = " ".join(response(operation_id, status)["description"].split())
        assert ours.startswith(description), f"{operation_id} {status}: {ours!r}"


@pytest.mark.parametrize("operation_id", [CREATE, GET, REFUND])
def test_every_sample_error_body_is_an_example_of_its_response(
    document: Document, operation_id: str
) -> None:
    section = document.operations[operation_id]
    assert section.samples, "the document's status tables carry 400 and 409 samples"
    for status, sample in section.samples.items():
        media = response(operation_id, status)["content"]["application/json"]
        assert sample in examples_of(media), f"{operation_id} {status} lacks the sample"


@pytest.mark.parametrize("operation_id", [CREATE, GET, REFUND])
def test_return_type_parameters_auth_and_media_types_match(
    document: Document, operation_id: str
) -> None:
    section = document.operations[operation_id]
    op = spec.operation(operation_id)
    raw = raw_operation(operation_id)
    success = raw["responses"][str(op.success_status)]["content"]["application/json"]
    assert success["schema"] == {"$ref": f"#/components/schemas/{section.return_type}"}
    assert section.accept == "application/json"
    params = {
        p["name"].lower().replace("-", "_"): p for p in spec.resolve(raw.get("parameters", []))
    }
    for name, kind in section.parameters.items():
        if kind[0].isupper():  # a model: the request body
            body = raw["requestBody"]["content"]["application/json"]["schema"]
            assert body == {"$ref": f"#/components/schemas/{kind}"}
        else:
            assert name in params, f"{operation_id} lacks the parameter {name}"
            assert params[name]["required"] is True
    assert set(params) == set(section.parameters) - {
        n for n, kind in section.parameters.items() if kind[0].isupper()
    }
    assert section.auth == set(raw["security"][0])
    if section.content_type == "Not defined":
        assert "requestBody" not in raw
    else:
        assert list(raw["requestBody"]["content"]) == [section.content_type]


@pytest.mark.parametrize("operation_id", [CREATE, REFUND])
def test_curl_examples_are_in_the_spec_up_to_the_tabled_differences(
    document: Document, operation_id: str
) -> None:
    section = document.operations[operation_id]
    op = spec.operation(operation_id)
    assert section.curls, f"the document shows a curl example for {operation_id}"
    for curl in section.curls:
        assert curl.method == op.method
        path = urlsplit(curl.url).path
        for (kind, shown), difference in DIFFERENCES.items():
            if kind == "path-prefix" and path.startswith(shown + "/"):
                path = difference.spec + path[len(shown) :]
        assert template_regex(op.path).fullmatch(path), f"{curl.url} is not {op.path}"
        schemes = security_header_names()
        for header, value in curl.headers.items():
            parameter = header_parameter(operation_id, header)
            renamed = DIFFERENCES.get(("header", header))
            if parameter is not None:
                assert value in examples_of(parameter)
                assert spec.KEY_PATTERN.fullmatch(value)
            elif renamed is not None:
                assert renamed.spec.lower() in schemes
            elif header.lower() == "content-type" and "requestBody" in raw_operation(operation_id):
                assert value in raw_operation(operation_id)["requestBody"]["content"]
            else:
                assert header.lower() in schemes or ("refund-header", header) in DIFFERENCES
        if curl.body is not None:
            media = raw_operation(operation_id)["requestBody"]["content"]["application/json"]
            assert curl.body in examples_of(media)
            assert spec.validator(spec.schema("PaymentRequestDto")).is_valid(curl.body)


@pytest.mark.parametrize("operation_id", [CREATE, GET, REFUND])
def test_json_response_examples_are_examples_of_the_success_response(
    document: Document, operation_id: str
) -> None:
    section = document.operations[operation_id]
    success = response(operation_id, spec.operation(operation_id).success_status)
    media = success["content"]["application/json"]
    for example in section.json_examples:
        assert example in examples_of(media)
        assert spec.validator(media["schema"]).is_valid(example)


def test_the_key_format_line_gives_the_key_length_and_the_tabled_alphabet(
    document: Document,
) -> None:
    formats = {s.key_format for s in document.operations.values() if s.key_format}
    assert len(formats) == 1, "the document states the key format once"
    low, high, alphabet = formats.pop()
    assert (low, high) == (spec.KEY_MIN, spec.KEY_MAX)
    assert ("key-alphabet", alphabet) in DIFFERENCES
    for character in string.printable:
        allowed = character.isalnum() or character in EXTRA_KEY_CHARACTERS
        assert bool(spec.KEY_PATTERN.fullmatch(character * 6)) == allowed, repr(character)


def test_every_citation_names_a_row_of_requirements_md() -> None:
    if not REQUIREMENTS.is_file():
        pytest.skip(f"REQUIREMENTS.md is not at {REQUIREMENTS} (a sibling 'shared' checkout)")
    text = REQUIREMENTS.read_text(encoding="utf-8")
    topics = set(re.findall(r"^\| ([^|]+?) \|", text, re.MULTILINE))
    ids = set(re.findall(r"^- \*\*([A-Z0-9-]+)\*\*", text, re.MULTILINE))
    sources = [d.source for d in DIFFERENCES.values() if "REQUIREMENTS.md" in d.source]
    sources += list(ADDED_STATUSES.values())
    sources += [f"'{topic}'" for topic in NOTED_CONTRADICTIONS]
    for source in sources:
        for topic in re.findall(r"'([^']+)'", source):
            assert topic in topics, f"{source!r}: no resolved contradiction {topic!r}"
        for requirement in re.findall(r"\b[A-Z]+(?:-[A-Z0-9]+)+\b", source):
            assert requirement in ids, f"{source!r}: no requirement {requirement}"


def test_an_installed_package_uses_its_force_included_copy(tmp_path: Path) -> None:
    """The wheel layout (pyproject force-include) wins over a repository copy."""
    package = tmp_path / "conformance"
    (package / "specs").mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    shutil.copytree(Path(spec.__file__).parent, package / "spec")
    shutil.copytree(Path(spec.__file__).parents[1] / "checks", package / "checks")
    (package / "specs" / spec.SPEC_FILENAME).write_bytes(spec.SPEC_PATH.read_bytes())
    probe = "import conformance.spec as s; print(s.SPEC_PATH)"
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(done.stdout.strip()) == package / "specs" / spec.SPEC_FILENAME


def test_a_missing_contract_is_a_clear_error(tmp_path: Path) -> None:
    package = tmp_path / "conformance"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    shutil.copytree(Path(spec.__file__).parent, package / "spec")
    shutil.copytree(Path(spec.__file__).parents[1] / "checks", package / "checks")
    done = subprocess.run(
        [sys.executable, "-c", "import conformance.spec"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "SpecError: the OpenAPI contract test-payments.openapi.yaml was not found" in done.stderr

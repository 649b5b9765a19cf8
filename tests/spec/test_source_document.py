"""The contract against its source document, ../shared/docs/TestPaymentsApi.md (a sibling of
the checkout).

These tests re-read the document and fail when it shows a path, method, status, header or
example the spec lacks, unless the difference is one of the deliberate ones tabled in
`differences`, each citing the REQUIREMENTS.md row (or the document's own words) that decides it.
"""

from __future__ import annotations

import re
import string
from urllib.parse import urlsplit

import pytest

from conformance import spec
from conformance.checks import schema as schema_check

from .differences import ADDED_STATUSES, DIFFERENCES, EXTRA_KEY_CHARACTERS
from .document_reader import Document, parse_document
from .support import CREATE, GET, REFUND, SHARED, examples_of, header_parameter, response

DOCUMENT = SHARED / "docs" / "TestPaymentsApi.md"


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
                    if "requestBody" not in spec.raw_operation(name):
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
        summary = spec.raw_operation(name)["summary"]
        assert summary == description == document.operations[name].summary


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
    raw = spec.raw_operation(operation_id)
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
    raw = spec.raw_operation(operation_id)
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
            elif header.lower() == "content-type" and "requestBody" in raw:
                assert value in raw["requestBody"]["content"]
            else:
                assert header.lower() in schemes or ("refund-header", header) in DIFFERENCES
        if curl.body is not None:
            media = raw["requestBody"]["content"]["application/json"]
            assert curl.body in examples_of(media)
            assert schema_check.validator(spec.schema("PaymentRequestDto")).is_valid(curl.body)


@pytest.mark.parametrize("operation_id", [CREATE, GET, REFUND])
def test_json_response_examples_are_examples_of_the_success_response(
    document: Document, operation_id: str
) -> None:
    section = document.operations[operation_id]
    success = response(operation_id, spec.operation(operation_id).success_status)
    media = success["content"]["application/json"]
    for example in section.json_examples:
        assert example in examples_of(media)
        assert schema_check.validator(media["schema"]).is_valid(example)


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

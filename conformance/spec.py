"""The OpenAPI contract, loaded once: component schemas, operations, response validation.

Everything the suite knows about shapes comes from ``specs/test-payments.openapi.yaml``; this
module is the only reader of that file. Values that appear in the contract (the idempotency key
rules, the documented statuses) are read from it here, never written down a second time.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from jsonschema import Draft202012Validator, FormatChecker, ValidationError

from conformance.checks.answer import is_time

__all__ = [
    "KEY_MAX",
    "KEY_MIN",
    "KEY_PATTERN",
    "OPERATION_IDS",
    "SPEC_PATH",
    "Operation",
    "SpecError",
    "load_spec",
    "operation",
    "resolve",
    "schema",
    "spec_path",
    "validate_response",
    "validator",
]

SPEC_FILENAME = "test-payments.openapi.yaml"
JSON_MEDIA_TYPE = "application/json"
_CUT = 80


class SpecError(Exception):
    """The contract is missing, malformed, or asked for something it does not define."""


def _find_spec() -> Path:
    """The installed copy first, then the repository's.

    A non-editable install force-includes the file as ``conformance/specs/<file>`` (pyproject
    ``[tool.hatch.build.targets.wheel.force-include]``); an editable install or a checkout has
    only ``<repo>/specs/<file>``.
    """
    tried: list[str] = []
    resource = resources.files("conformance").joinpath("specs", SPEC_FILENAME)
    if isinstance(resource, Path):
        if resource.is_file():
            return resource
        tried.append(str(resource))
    repo_copy = Path(__file__).resolve().parent.parent / "specs" / SPEC_FILENAME
    if repo_copy.is_file():
        return repo_copy
    tried.append(str(repo_copy))
    raise SpecError(
        f"the OpenAPI contract {SPEC_FILENAME} was not found (tried {', '.join(tried)}); "
        "reinstall the package or run from a checkout that has specs/"
    )


SPEC_PATH: Path = _find_spec()


def spec_path() -> Path:
    """Where the contract was loaded from."""
    return SPEC_PATH


@cache
def load_spec() -> dict[str, Any]:
    """The contract as parsed YAML, ``$ref`` intact. Cached: callers must not mutate it."""
    with SPEC_PATH.open(encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    if not isinstance(document, dict) or "paths" not in document:
        raise SpecError(f"{SPEC_PATH} is not an OpenAPI document (no 'paths')")
    return document


# --- $ref resolution -------------------------------------------------------------------------


def _pointer(document: Mapping[str, Any], ref: str) -> Any:
    if not ref.startswith("#/"):
        raise SpecError(f"only local references are supported, got {ref!r}")
    node: Any = document
    for raw in ref[2:].split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, Mapping) or part not in node:
            raise SpecError(f"unresolvable reference {ref!r} in {SPEC_PATH}")
        node = node[part]
    return node


def _resolve(node: Any, document: Mapping[str, Any], seen: tuple[str, ...] = ()) -> Any:
    """A deep copy of ``node`` with every local ``$ref`` inlined.

    A ``$ref`` with sibling keywords (legal in OpenAPI 3.1 / JSON Schema 2020-12, used here to
    pin ``statusCode`` per error response) becomes ``allOf: [target]`` plus the siblings, which
    means the same and is understood by every JSON Schema tool.
    """
    if isinstance(node, list):
        return [_resolve(item, document, seen) for item in node]
    if not isinstance(node, Mapping):
        return copy.deepcopy(node)
    if "$ref" in node:
        ref = node["$ref"]
        if ref in seen:
            raise SpecError(f"recursive reference {' -> '.join((*seen, ref))} cannot be inlined")
        target = _resolve(_pointer(document, ref), document, (*seen, ref))
        siblings = {k: _resolve(v, document, seen) for k, v in node.items() if k != "$ref"}
        if not siblings:
            return target
        return {"allOf": [target], **siblings}
    return {key: _resolve(value, document, seen) for key, value in node.items()}


def resolve(node: object) -> Any:
    """A copy of any part of the spec (an operation, a response, a schema) with refs inlined."""
    return _resolve(node, load_spec())


_SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SUBSCHEMAS = ("items", "additionalProperties", "not", "if", "then", "else", "contains")


def _without_extensions(node: Any) -> Any:
    """A schema without OpenAPI's ``x-`` extension keywords, which JSON Schema tools may reject.

    Only keywords are dropped: a property *named* ``x-something`` stays.
    """
    if not isinstance(node, dict):
        return node
    cleaned: dict[str, Any] = {}
    for keyword, value in node.items():
        if keyword.startswith("x-"):
            continue
        if keyword in _SUBSCHEMA_MAPS and isinstance(value, dict):
            value = {name: _without_extensions(sub) for name, sub in value.items()}
        elif keyword in _SUBSCHEMA_LISTS and isinstance(value, list):
            value = [_without_extensions(sub) for sub in value]
        elif keyword in _SUBSCHEMAS:
            value = _without_extensions(value)
        cleaned[keyword] = value
    return cleaned


def schema(name: str) -> dict[str, Any]:
    """The component schema ``name`` as plain JSON Schema 2020-12 (a fresh copy each call).

    References are inlined and ``x-`` extensions dropped, so the result goes straight to
    jsonschema or a Hypothesis JSON Schema strategy.
    """
    schemas = load_spec().get("components", {}).get("schemas", {})
    if name not in schemas:
        raise SpecError(f"no component schema {name!r}; the spec defines {', '.join(schemas)}")
    cleaned: dict[str, Any] = _without_extensions(_resolve(schemas[name], load_spec()))
    return cleaned


# --- operations ------------------------------------------------------------------------------

_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


@dataclass(frozen=True)
class Operation:
    """One documented operation: how to call it and which statuses the contract documents."""

    operation_id: str
    method: str
    """Upper case, e.g. ``POST``."""
    path: str
    """The path template, e.g. ``/api/v0/test-payment/{id}``."""
    statuses: tuple[int, ...]
    """Every documented status, ascending."""
    success_status: int
    """The one documented 2xx (201 for create, 200 for get and refund)."""
    required_headers: tuple[str, ...]
    """Names of required header parameters (security headers excluded)."""

    def documents(self, status: int) -> bool:
        return status in self.statuses


def _walk_operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in load_spec()["paths"].items():
        for method in _METHODS:
            if method in item:
                yield path, method, item[method]


def _parameters(path: str, method: str) -> list[dict[str, Any]]:
    """The operation's parameters, resolved, path-level ones included unless overridden."""
    document = load_spec()
    item = document["paths"][path]
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for raw in (*item.get("parameters", ()), *item[method].get("parameters", ())):
        parameter = _resolve(raw, document)
        merged[(parameter["in"], parameter["name"].lower())] = parameter
    return list(merged.values())


@cache
def _operations() -> dict[str, Operation]:
    found: dict[str, Operation] = {}
    for path, method, raw in _walk_operations():
        operation_id = raw.get("operationId")
        if not operation_id:
            raise SpecError(f"{method.upper()} {path} has no operationId")
        if operation_id in found:
            raise SpecError(f"operationId {operation_id!r} is used twice")
        statuses = tuple(sorted(int(code) for code in raw.get("responses", {})))
        successes = [code for code in statuses if 200 <= code < 300]
        if len(successes) != 1:
            raise SpecError(
                f"{operation_id} documents {successes or 'no'} 2xx; expected exactly one"
            )
        headers = tuple(
            p["name"]
            for p in _parameters(path, method)
            if p["in"] == "header" and p.get("required")
        )
        found[operation_id] = Operation(
            operation_id, method.upper(), path, statuses, successes[0], headers
        )
    return found


def operation(operation_id: str) -> Operation:
    """The operation named ``operation_id`` (the published client's method name)."""
    operations = _operations()
    if operation_id not in operations:
        raise SpecError(
            f"no operation {operation_id!r}; the spec defines {', '.join(sorted(operations))}"
        )
    return operations[operation_id]


CREATE_OP = "test_payment_controller_create_payment_v0"
GET_OP = "test_payment_controller_get_payment_v0"
REFUND_OP = "test_payment_controller_refund_payment_v0"
SPEC_PREFIX = "/api/v0"
"""The spec's own path prefix; a target's prefix (--path-prefix) stands in its place."""


@cache
def _path_patterns() -> tuple[tuple[str, re.Pattern[str], str], ...]:
    patterns = []
    for found in _operations().values():
        template = found.path.removeprefix(SPEC_PREFIX)
        pattern = re.escape(template).replace(r"\{id\}", "[^/]+")
        patterns.append((found.method, re.compile(f"^{pattern}/?$"), found.operation_id))
    return tuple(patterns)


def operation_of(method: str, url: str, api_root: str) -> str | None:
    """The operation a request to ``url`` under ``api_root`` was sent to, or None (another path
    or method)."""
    if not url.startswith(api_root):
        return None
    path = urlsplit(url[len(api_root) :] or "/").path
    for op_method, pattern, operation_id in _path_patterns():
        if method.upper() == op_method and pattern.match(path):
            return operation_id
    return None


def _raw_operation(operation_id: str) -> dict[str, Any]:
    """The operation object as written in the spec (``$ref`` intact)."""
    wanted = operation(operation_id)
    raw: dict[str, Any] = load_spec()["paths"][wanted.path][wanted.method.lower()]
    return raw


# --- response validation ---------------------------------------------------------------------

_FORMATS = FormatChecker()


@_FORMATS.checks("date-time")
def _is_date_time(value: object) -> bool:
    """An ISO-8601 date-time as REQUIREMENTS.md reads PAY-CREATE (one definition, shared with the
    checks: an offset or `Z` is optional, any fraction is allowed).

    Registered here because jsonschema checks ``date-time`` only when the optional
    ``rfc3339-validator`` package is installed, and a silent pass would hide a bad timestamp.
    """
    if not isinstance(value, str):
        return True  # ``format`` constrains strings only; ``type`` judges the rest
    return is_time(value)


def _cut(value: object, limit: int = _CUT) -> str:
    """``value`` as JSON (so ``"1"`` and ``1`` read differently), cut to ``limit`` characters."""
    text = json.dumps(value, default=repr, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def validator(json_schema: Mapping[str, Any]) -> Draft202012Validator:
    """A JSON Schema 2020-12 validator (the dialect of OpenAPI 3.1) that checks ``date-time``."""
    Draft202012Validator.check_schema(json_schema)
    return Draft202012Validator(json_schema, format_checker=_FORMATS)


def _error_order(error: ValidationError) -> tuple[list[str], str]:
    return [str(part) for part in error.absolute_path], str(error.validator)


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


@cache
def _response_validator(operation_id: str, status: int) -> Draft202012Validator | None:
    """The body validator of one documented response, or None when it documents no body."""
    raw = _raw_operation(operation_id)
    response = _resolve(raw["responses"][str(status)], load_spec())
    content = response.get("content", {})
    if JSON_MEDIA_TYPE not in content:
        return None
    return validator(content[JSON_MEDIA_TYPE].get("schema", {}))


def validate_response(
    operation_id: str, status: int, content_type: str | None, body: object
) -> list[str]:
    """Every way a response breaks the contract, as short readable lines; empty when it conforms.

    ``body`` is the parsed JSON body. A status the operation does not document gives one
    problem and nothing else (there is no schema to judge the body by). The content type must
    be ``application/json``; parameters such as ``charset`` are allowed.
    """
    op = operation(operation_id)
    if not op.documents(status):
        documented = ", ".join(str(code) for code in op.statuses)
        return [f"status {status} is not documented for {operation_id} (documented: {documented})"]
    body_validator = _response_validator(operation_id, status)
    if body_validator is None:
        return []
    problems: list[str] = []
    if content_type is None:
        problems.append(f"Content-Type is missing; expected {JSON_MEDIA_TYPE}")
    elif _media_type(content_type) != JSON_MEDIA_TYPE:
        problems.append(f"Content-Type is {_cut(content_type)}; expected {JSON_MEDIA_TYPE}")
    for error in sorted(body_validator.iter_errors(body), key=_error_order):
        if error.validator == "required":
            detail = error.message
        else:
            detail = (
                f"expected {error.validator} {_cut(error.validator_value)}, "
                f"got {_cut(error.instance)}"
            )
        problems.append(f"{error.validator} at {error.json_path}: {detail}")
    return problems


# --- values read from the contract -----------------------------------------------------------

OPERATION_IDS: tuple[str, ...] = tuple(sorted(_operations()))


def _idempotency_key_schema() -> dict[str, Any]:
    """The Idempotency-Key schema, identical on every operation that takes the header."""
    found: dict[str, dict[str, Any]] = {}
    for operation_id in OPERATION_IDS:
        op = operation(operation_id)
        for parameter in _parameters(op.path, op.method.lower()):
            if parameter["in"] == "header" and parameter["name"].lower() == "idempotency-key":
                found[operation_id] = parameter["schema"]
    if not found:
        raise SpecError("no operation takes an Idempotency-Key header")
    first = next(iter(found.values()))
    if any(candidate != first for candidate in found.values()):
        raise SpecError(f"the Idempotency-Key schema differs between {', '.join(found)}")
    for keyword in ("pattern", "minLength", "maxLength"):
        if keyword not in first:
            raise SpecError(f"the Idempotency-Key schema has no {keyword!r}")
    return first


_KEY_SCHEMA = _idempotency_key_schema()
KEY_PATTERN: re.Pattern[str] = re.compile(_KEY_SCHEMA["pattern"])
"""The key pattern as the spec writes it. Use ``fullmatch``: Python's ``$`` also matches before
a trailing newline, ECMA-262's does not."""
KEY_MIN: int = int(_KEY_SCHEMA["minLength"])
KEY_MAX: int = int(_KEY_SCHEMA["maxLength"])

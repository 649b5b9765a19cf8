"""Response validation: a response's status, content type and JSON body judged against the
contract, as short readable problems; and the JSON Schema validator the suite uses."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, ValidationError

from conformance.checks.answer import is_time
from conformance.spec.contract import resolve
from conformance.spec.operations import operation, raw_operation

__all__ = ["JSON_MEDIA_TYPE", "validate_response", "validator"]

JSON_MEDIA_TYPE = "application/json"
_CUT = 80
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
    response = resolve(raw_operation(operation_id)["responses"][str(status)])
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

"""SCHEMA-RESPONSES: every 2xx, and every error whose status the spec documents for the
operation, matches the spec (application/json, the body schema).

An undocumented 4xx is judged by the requirement that provoked it, never here; an
undocumented 2xx or any 5xx is a failure; a 429 is judged only by RATE-LIMIT and
RATE-NOT-STORED. `validate_response` judges one response against the contract.

The one check module that needs more than the standard library: the spec, and jsonschema,
imported when a schema check first runs, so the copy of the checks a reproduction carries runs
every other check on the standard library alone (a schema check needs the installed suite).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from conformance import spec

from .answer import Answer, is_time
from .failure import fail
from .protocol import SHOWN
from .registry import check

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator, FormatChecker, ValidationError

__all__ = [
    "JSON_MEDIA_TYPE",
    "every_answer_matches_the_spec",
    "matches_the_spec",
    "schema_problems",
    "validate_response",
    "validator",
]

JSON_MEDIA_TYPE = "application/json"
_CUT = 80


def _is_date_time(value: object) -> bool:
    """An ISO-8601 date-time as REQUIREMENTS.md reads PAY-CREATE (the checks' one definition:
    an offset or `Z` is optional, any fraction is allowed).

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


@cache
def _formats() -> FormatChecker:
    from jsonschema import FormatChecker  # see the module's docstring

    formats = FormatChecker()
    formats.checks("date-time")(_is_date_time)
    return formats


def validator(json_schema: Mapping[str, Any]) -> Draft202012Validator:
    """A JSON Schema 2020-12 validator (the dialect of OpenAPI 3.1) that checks ``date-time``."""
    from jsonschema import Draft202012Validator  # see the module's docstring

    Draft202012Validator.check_schema(json_schema)
    return Draft202012Validator(json_schema, format_checker=_formats())


def _error_order(error: ValidationError) -> tuple[list[str], str]:
    return [str(part) for part in error.absolute_path], str(error.validator)


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


@cache
def _response_validator(operation_id: str, status: int) -> Draft202012Validator | None:
    """The body validator of one documented response, or None when it documents no body."""
    response = spec.resolve(spec.raw_operation(operation_id)["responses"][str(status)])
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
    op = spec.operation(operation_id)
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


def schema_problems(answer: Answer, operation_id: str) -> list[str]:
    """Why the answer breaks the spec, or [] when it conforms or is not this check's to judge."""
    status = answer.status
    if status == 429:
        return []
    documented = spec.operation(operation_id).documents(status)
    if not (documented or 200 <= status < 300 or status >= 500):
        return []
    body = answer.json if answer.is_json else answer.text
    return validate_response(operation_id, status, answer.content_type or None, body)


@check("SCHEMA-RESPONSES", "PAY-CREATE", "PAY-GET", "REFUND-CREATE")
def matches_the_spec(answer: Answer, *, operation: str) -> None:
    """A 2xx, a documented error status, or a 5xx of `operation` is what the spec documents:
    an application/json content type (parameters allowed) and a body of the documented schema;
    an undocumented 4xx and any 429 pass."""
    problems = schema_problems(answer, operation)
    if problems:
        fail(
            "The response does not match the spec",
            expected=f"a response the spec documents for {operation}",
            received="; ".join(problems[:SHOWN]),
        )


@check("SCHEMA-RESPONSES")
def every_answer_matches_the_spec(*answers: Answer, operations: list[str | None]) -> None:
    """Every answer of the run, each with the operation it answered (None: not an operation of
    the spec, left alone), matches the spec as `matches_the_spec` says (run-wide)."""
    offenders, shown = [], []
    for answer, operation in zip(answers, operations, strict=True):
        if operation is not None and (problems := schema_problems(answer, operation)):
            offenders.append(answer)
            shown.append(f"{answer.status} for {operation}: {'; '.join(problems[:3])}")
    if offenders:
        more = f" (and {len(offenders) - SHOWN} more)" if len(offenders) > SHOWN else ""
        said = "response of this run does" if len(offenders) == 1 else "responses of this run do"
        fail(
            f"{len(offenders)} {said} not match the spec",
            expected="every 2xx and documented error response as the spec describes it",
            received="; ".join(shown[:SHOWN]) + more,
            culprits=offenders,
        )

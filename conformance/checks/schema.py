"""SCHEMA-RESPONSES: every 2xx, and every error whose status the spec documents for the
operation, matches the spec (application/json, the body schema).

An undocumented 4xx is judged by the requirement that provoked it, never here; an
undocumented 2xx or any 5xx is a failure; a 429 is judged only by RATE-LIMIT and
RATE-NOT-STORED. The one check module that needs more than the standard library (the spec and
jsonschema): a reproduction of a schema failure imports the installed suite for it.
"""

from __future__ import annotations

from conformance import spec

from .answer import Answer
from .failure import fail
from .protocol import SHOWN
from .registry import check

__all__ = ["every_answer_matches_the_spec", "matches_the_spec", "schema_problems"]


def schema_problems(answer: Answer, operation_id: str) -> list[str]:
    """Why the answer breaks the spec, or [] when it conforms or is not this check's to judge."""
    status = answer.status
    if status == 429:
        return []
    documented = spec.operation(operation_id).documents(status)
    if not (documented or 200 <= status < 300 or status >= 500):
        return []
    body = answer.json if answer.is_json else answer.text
    return spec.validate_response(operation_id, status, answer.content_type or None, body)


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

"""The idempotency key rules (pattern and length bounds), read from the contract's Idempotency-Key
header parameter."""

from __future__ import annotations

import re
from typing import Any

from conformance.spec.contract import SpecError
from conformance.spec.operations import OPERATION_IDS, operation, parameters_of

__all__ = ["KEY_MAX", "KEY_MIN", "KEY_PATTERN"]


def _idempotency_key_schema() -> dict[str, Any]:
    """The Idempotency-Key schema, identical on every operation that takes the header."""
    found: dict[str, dict[str, Any]] = {}
    for operation_id in OPERATION_IDS:
        op = operation(operation_id)
        for parameter in parameters_of(op.path, op.method.lower()):
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

"""Pure helpers: the idempotency key rule, and the canonical form of a JSON request body.

Two bodies are the same request when they parse to the same JSON value: key order and
whitespace do not matter, and numbers compare by value (``100``, ``100.0`` and ``100.00`` are
one amount), while strings, ``true``/``1`` and ``null``/absent stay distinct.
"""

from __future__ import annotations

import decimal
import hashlib
import json
import re
from typing import Any

__all__ = ["KEY_PATTERN", "body_fingerprint", "canonical", "is_valid_key", "parse_json"]

KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{6,64}")
"""Letters, digits, ``_`` and ``-``, 6 to 64 of them (REQUIREMENTS.md, "key alphabet")."""

_WIDE = decimal.Context(prec=200_000)


def is_valid_key(key: str) -> bool:
    return KEY_PATTERN.fullmatch(key) is not None


def parse_json(body: bytes) -> Any:
    """Parse with exact numbers (Decimal); raises ValueError on anything that is not JSON."""
    try:
        return json.loads(
            body,
            parse_float=decimal.Decimal,
            parse_int=decimal.Decimal,
            parse_constant=_reject_constant,
        )
    except RecursionError as exc:
        raise ValueError("JSON nested too deeply") from exc


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def canonical(value: Any) -> str:
    """One text per JSON value: sorted keys, no whitespace, numbers in normalized form."""
    if isinstance(value, dict):
        items = sorted(value.items())
        return "{" + ",".join(f"{json.dumps(k)}:{canonical(v)}" for k, v in items) + "}"
    if isinstance(value, list):
        return "[" + ",".join(canonical(v) for v in value) + "]"
    if isinstance(value, decimal.Decimal):
        return "n:" + str(value.normalize(_WIDE))
    return json.dumps(value)


def body_fingerprint(body: bytes, is_json: bool) -> str:
    """The fingerprint of a request body: its canonical JSON, or its raw bytes if not JSON."""
    if is_json:
        try:
            return "json:" + _digest(canonical(parse_json(body)).encode())
        except ValueError:
            pass
    return "raw:" + _digest(body)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()

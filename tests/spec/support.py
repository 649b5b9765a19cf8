"""What the contract tests share: the operation ids, where the source documents are, and small
readers of parts of the contract."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from conformance import spec

__all__ = [
    "CREATE",
    "GET",
    "KEY_HEADER",
    "POSTS",
    "REFUND",
    "SHARED",
    "examples_of",
    "header_parameter",
    "response",
    "walk",
]

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
"""The sibling 'shared' checkout: the source document and REQUIREMENTS.md."""

CREATE = "test_payment_controller_create_payment_v0"
GET = "test_payment_controller_get_payment_v0"
REFUND = "test_payment_controller_refund_payment_v0"
POSTS = (CREATE, REFUND)
KEY_HEADER = "idempotency-key"


def walk(node: object, where: str = "$") -> Iterator[tuple[str, Any]]:
    """Every (json path, node) of a parsed YAML tree, depth first."""
    yield where, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{where}[{index}]")


def header_parameter(operation_id: str, name: str) -> dict[str, Any] | None:
    for parameter in spec.resolve(spec.raw_operation(operation_id).get("parameters", [])):
        if parameter["in"] == "header" and parameter["name"].lower() == name.lower():
            found: dict[str, Any] = parameter
            return found
    return None


def response(operation_id: str, status: int) -> dict[str, Any]:
    raw = spec.raw_operation(operation_id)
    resolved: dict[str, Any] = spec.resolve(raw["responses"][str(status)])
    return resolved


def examples_of(holder: dict[str, Any]) -> list[Any]:
    """The examples an OpenAPI object carries, in either spelling."""
    found = [holder["example"]] if "example" in holder else []
    if "examples" in holder:
        values = holder["examples"]
        found += values if isinstance(values, list) else [e["value"] for e in values.values()]
    return found

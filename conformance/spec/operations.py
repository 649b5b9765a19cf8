"""The one operation table: each documented operation's id, method, path and statuses, read from
the contract, and the operation a request was sent to."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import quote, urlsplit

from conformance.spec.contract import SpecError, load_spec, resolve

__all__ = [
    "CREATE_OP",
    "GET_OP",
    "OPERATION_IDS",
    "REFUND_OP",
    "SPEC_PREFIX",
    "Operation",
    "operation",
    "operation_of",
    "parameters_of",
    "raw_operation",
]

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

    def relative_path(self, payment_id: str | None = None) -> str:
        """The path below the API root (the spec's prefix dropped), with `payment_id` quoted
        into its ``{id}``; without one, the template itself."""
        path = self.path.removeprefix(SPEC_PREFIX)
        if payment_id is None:
            return path
        return path.replace("{id}", quote(payment_id, safe=""))


def _walk_operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in load_spec()["paths"].items():
        for method in _METHODS:
            if method in item:
                yield path, method, item[method]


def parameters_of(path: str, method: str) -> list[dict[str, Any]]:
    """The parameters of the operation at ``path`` and ``method`` (lower case), resolved,
    path-level ones included unless overridden."""
    item = load_spec()["paths"][path]
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for raw in (*item.get("parameters", ()), *item[method].get("parameters", ())):
        parameter = resolve(raw)
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
            for p in parameters_of(path, method)
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


OPERATION_IDS: tuple[str, ...] = tuple(sorted(_operations()))
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


def raw_operation(operation_id: str) -> dict[str, Any]:
    """The operation object as written in the spec (``$ref`` intact; do not mutate it)."""
    wanted = operation(operation_id)
    raw: dict[str, Any] = load_spec()["paths"][wanted.path][wanted.method.lower()]
    return raw

"""The contract file, found and parsed once, with its ``$ref``s inlined and its component schemas.

This module is the only reader of ``specs/test-payments.openapi.yaml``; the rest of
``conformance.spec`` reads the contract through `load_spec` and `resolve`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "SPEC_FILENAME",
    "SPEC_PATH",
    "SpecError",
    "load_spec",
    "resolve",
    "schema",
    "spec_path",
]

SPEC_FILENAME = "test-payments.openapi.yaml"


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
    repo_copy = Path(__file__).resolve().parents[2] / "specs" / SPEC_FILENAME
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


_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader where PyYAML was built with it: the same document, parsed in about a
tenth of the pure-Python loader's 150 ms, which every run of the suite paid at import."""


@cache
def load_spec() -> dict[str, Any]:
    """The contract as parsed YAML, ``$ref`` intact. Cached: callers must not mutate it."""
    with SPEC_PATH.open(encoding="utf-8") as handle:
        document = yaml.load(handle, Loader=_SAFE_LOADER)
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
    cleaned: dict[str, Any] = _without_extensions(resolve(schemas[name]))
    return cleaned

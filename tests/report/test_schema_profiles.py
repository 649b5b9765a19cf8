"""The published report schemas list the profiles a run can have: a profile added to the suite
but not to a schema would make every report of it invalid against its own schema."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest

from conformance.profiles import PROFILES


def _profile_enums(node: Any) -> list[list[str]]:
    """Every `profile` property's enum in a schema, wherever it sits."""
    found: list[list[str]] = []
    if isinstance(node, dict):
        profile = node.get("properties", {}).get("profile")
        if isinstance(profile, dict) and "enum" in profile:
            found.append(profile["enum"])
        for value in node.values():
            found += _profile_enums(value)
    elif isinstance(node, list):
        for value in node:
            found += _profile_enums(value)
    return found


@pytest.mark.parametrize("name", ["conformance.schema.json", "compare.schema.json"])
def test_the_schema_names_every_profile_of_the_suite_in_order(name: str) -> None:
    schema = json.loads(resources.files("conformance.report").joinpath(name).read_text())
    enums = _profile_enums(schema)
    assert enums, f"{name} has no profile enum"
    assert all(enum == list(PROFILES) for enum in enums), (enums, list(PROFILES))

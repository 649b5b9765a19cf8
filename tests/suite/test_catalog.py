"""The requirement catalog in code says what ../shared/REQUIREMENTS.md says, and every id is
judged by at least one suite test while every suite test names a real id."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from conformance.requirements import BY_ID, CATALOG, Level

ROOT = Path(__file__).resolve().parents[2]
REQUIREMENTS_MD = ROOT.parent / "shared" / "REQUIREMENTS.md"
SUITE = ROOT / "conformance" / "suite"
LINE = re.compile(r"^- \*\*(?P<id>[A-Z0-9-]+)\*\* (?P<level>MUST|SHOULD|INFO)\b(?P<rest>.*)$")
# Requirements the project adds beyond REQUIREMENTS.md, each with the issue that asked for it.
ADDED: dict[str, str] = {
    "STATEFUL-MODEL": "issue 5: model-based stateful testing with minimal reproductions",
}


def documented() -> dict[str, tuple[str, str]]:
    if not REQUIREMENTS_MD.is_file():
        pytest.skip(f"{REQUIREMENTS_MD} is not beside the checkout")
    found = {}
    for line in REQUIREMENTS_MD.read_text(encoding="utf-8").splitlines():
        match = LINE.match(line)
        if match:
            found[match["id"]] = (match["level"], match["rest"])
    return found


def suite_markers() -> list[tuple[str, str, str]]:
    """(module, test name, requirement id) for every marked test function of the suite."""
    marks = []
    for module in sorted(SUITE.glob("test_*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef):
                continue
            for decorator in node.decorator_list:
                if (
                    isinstance(decorator, ast.Call)
                    and ast.unparse(decorator.func) == "pytest.mark.requirement"
                ):
                    marks.append((module.name, node.name, ast.literal_eval(decorator.args[0])))
    return marks


def test_every_documented_requirement_is_in_the_catalog_with_its_level() -> None:
    doc = documented()
    assert sorted(set(doc) - set(BY_ID)) == []
    mismatched = {
        i: (lvl, BY_ID[i].level.value) for i, (lvl, _) in doc.items() if BY_ID[i].level.value != lvl
    }
    assert mismatched == {}


def test_the_catalog_adds_only_listed_requirements() -> None:
    assert sorted(set(BY_ID) - set(documented())) == sorted(ADDED)


def test_a_should_clause_is_in_the_catalog_exactly_where_a_must_line_has_one() -> None:
    doc = documented()
    with_should = {i for i, (lvl, rest) in doc.items() if lvl == "MUST" and "SHOULD" in rest}
    assert {r.id for r in CATALOG if r.should} == with_should


def test_every_requirement_has_a_suite_test() -> None:
    judged = {requirement_id for _, _, requirement_id in suite_markers()}
    assert sorted(set(BY_ID) - judged) == []


def test_every_suite_test_names_a_real_requirement() -> None:
    unknown = [(m, t, r) for m, t, r in suite_markers() if r not in BY_ID]
    assert unknown == []


def test_every_suite_test_function_carries_a_requirement_marker() -> None:
    marked = {(m, t) for m, t, _ in suite_markers()}
    unmarked = []
    for module in sorted(SUITE.glob("test_*.py")):
        for node in ast.parse(module.read_text(encoding="utf-8")).body:
            is_test = isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
            if is_test and (module.name, node.name) not in marked:
                unmarked.append((module.name, node.name))
    assert unmarked == []


def test_info_requirements_have_no_should_clause() -> None:
    assert [r.id for r in CATALOG if r.level is Level.INFO and r.should] == []

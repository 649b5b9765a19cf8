"""One judgement home: every requirement is judged by a registered check, every check names real
requirements, nothing in the suite judges beside them, and docs/requirements.md is current."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conformance.checks import CHECKS, Answer, Violation, check, payment_reads_as_created
from conformance.checks.registry import apply
from conformance.requirements import BY_ID, CATALOG, Level
from conformance.requirements_page import render

ROOT = Path(__file__).resolve().parents[2]
SUITE = ROOT / "conformance" / "suite"
CHECKS_DIR = ROOT / "conformance" / "checks"


def test_every_judged_requirement_has_a_check() -> None:
    judged = {r.id for r in CATALOG if r.level is not Level.INFO}
    served = {requirement for c in CHECKS.values() for requirement in c.serves}
    assert sorted(judged - served) == []


def test_every_check_serves_known_requirements_and_says_what_it_accepts() -> None:
    for found in CHECKS.values():
        assert set(found.serves) <= set(BY_ID), (found.name, found.serves)
        assert len(found.accepts) > 20, found.name


def test_a_second_check_with_the_same_name_is_refused() -> None:
    with pytest.raises(ValueError, match="duplicate check name"):

        @check("PAY-GET")
        def payment_reads_as_created(created: Answer, fetched: Answer) -> None:
            """A docstring long enough to register."""


def test_a_failing_check_names_its_requirement_check_and_answers() -> None:
    created = Answer(201, "application/json", '{"id": "1", "amount": 10, "currency": "USD"}', seq=3)
    fetched = Answer(200, "application/json", '{"id": "1", "amount": 11, "currency": "usd"}', seq=7)
    with pytest.raises(Violation) as caught:
        payment_reads_as_created(created, fetched, requirement="CONFLICT-NO-SIDE-EFFECT")
    violation = caught.value
    assert (violation.requirement, violation.check, violation.answers) == (
        "CONFLICT-NO-SIDE-EFFECT",
        "payment_reads_as_created",
        [3, 7],
    )
    assert "amount differ" in violation.received
    with pytest.raises(Violation):  # a reproduction applies the same check by name
        apply(violation.check, [created, fetched], violation.params, violation.requirement)


def test_a_check_refuses_a_requirement_it_does_not_serve() -> None:
    answer = Answer(200, "application/json", "{}")
    with pytest.raises(ValueError, match="does not serve"):
        payment_reads_as_created(answer, answer, requirement="KEY-EMPTY")


def _raises_failures(path: Path) -> list[str]:
    """Places in a module that build a failure themselves instead of calling a check."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and ast.unparse(node.func).split(".")[-1] in (
            "ConformanceFailure",
            "Violation",
            "ModelViolation",
            "fail",
        ):
            found.append(f"{path.name}:{node.lineno}")
    return found


@pytest.mark.parametrize(
    "module", sorted(p.name for p in SUITE.rglob("*.py") if p.name != "__init__.py")
)
def test_the_suite_judges_only_through_checks(module: str) -> None:
    path = next(SUITE.rglob(module))
    assert _raises_failures(path) == []


def test_the_checks_need_only_the_standard_library_but_for_the_schema() -> None:
    """A reproduction carries the checks with it: they import nothing outside the standard
    library and their own package (schema.py alone reads the spec)."""
    for path in sorted(CHECKS_DIR.glob("*.py")):
        if path.name in ("schema.py", "__init__.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                assert node.module in ("__future__",) or node.module.split(".")[0] in (
                    "collections",
                    "dataclasses",
                    "datetime",
                    "functools",
                    "json",
                    "math",
                    "typing",
                ), f"{path.name} imports {node.module}"
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert alias.name.split(".")[0] in ("json", "math", "functools"), alias.name


def test_the_requirements_page_is_current() -> None:
    page = ROOT / "docs" / "requirements.md"
    assert page.read_text(encoding="utf-8") == render(), (
        "docs/requirements.md is stale: run make requirements-page"
    )

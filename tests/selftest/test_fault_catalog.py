"""The suite catches every fault of the reference server on the requirement it breaks, and
passes every conformant variant (one run each, fast profile, 2 workers; see conformance.selftest).

`make selftest-soak` repeats every fault 20 times with different seeds.
"""

from __future__ import annotations

import inspect
import os

import pytest

from conformance.reference.faults import FAULTS
from conformance.reference.variants import VARIANTS
from conformance.requirements import CATALOG
from conformance.selftest import Judgement, cases, run_matrix

IDS = {requirement.id for requirement in CATALOG}


def test_the_catalog_has_at_least_25_faults() -> None:
    assert len(FAULTS) >= 25, sorted(FAULTS)


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_each_fault_names_a_requirement_and_comments_its_bug(name: str) -> None:
    cls = FAULTS[name]
    assert cls.breaks in IDS, f"{name}: unknown requirement {cls.breaks!r}"
    assert set(cls.also_breaks) <= IDS - {cls.breaks}, cls.also_breaks
    lines = [line.strip() for line in inspect.getsource(cls).splitlines()]
    comment = lines[next(i for i, line in enumerate(lines) if line.startswith("class ")) + 1]
    assert comment.startswith("# Bug: ") and f"({cls.breaks}" in comment, comment


@pytest.fixture(scope="session")
def matrix() -> dict[str, Judgement]:
    workers = int(os.environ.get("SELFTEST_WORKERS", "2"))
    return {r.case.label: r for r in run_matrix(cases(), (1,), workers=workers)}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(FAULTS))
def test_the_suite_catches_each_fault_on_its_requirement_only(
    matrix: dict[str, Judgement], name: str
) -> None:
    result = matrix[f"fault {name}"]
    assert result.detected, result.problems
    assert not result.unrelated, result.problems
    assert result.ok, result.problems


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_the_suite_passes_each_variant(matrix: dict[str, Judgement], name: str) -> None:
    result = matrix[f"variant {name}"]
    assert (result.exit_code, result.problems) == (0, [])

"""The suite catches every fault of the reference server on the requirement it breaks, and
passes every conformant variant (one run each: a fault in the fast profile, a variant in the
smoke profile; see conformance.selftest and tests/fault_runs.py).

`make selftest-soak` repeats every fault 20 times with different seeds, `make variants-soak`
every variant.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from conformance.reference import Behaviour
from conformance.reference.faults import FAULTS
from conformance.reference.variants import VARIANTS, warns_of
from conformance.reference.variants.combined import SEPARATOR, combination_of
from conformance.requirements import CATALOG
from conformance.selftest import cases
from conformance.selftest.matrix import RUN_WIDE, SANITY, VARIANT_IDS
from tests.fault_runs import judged

IDS = {requirement.id for requirement in CATALOG}
REQUIREMENTS_MD = Path(__file__).resolve().parents[2].parent / "shared" / "REQUIREMENTS.md"
CLAUSES = ("What a target may refuse", 'resolved contradiction "')
"""Where REQUIREMENTS.md allows a choice outside a requirement id."""


def test_the_catalog_has_at_least_25_faults() -> None:
    assert len(FAULTS) >= 25, sorted(FAULTS)


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_each_fault_names_a_requirement_and_states_its_bug_once(name: str) -> None:
    cls = FAULTS[name]
    assert cls.breaks in IDS, f"{name}: unknown requirement {cls.breaks!r}"
    assert set(cls.also_breaks) <= IDS - {cls.breaks}, cls.also_breaks
    assert "summary" in vars(cls), f"{name} inherits its summary"
    assert "\n" not in cls.summary and len(cls.summary) < 220, cls.summary
    assert "# Bug" not in inspect.getsource(cls), f"{name}: the summary states the bug"


def test_the_catalog_has_at_least_30_variants() -> None:
    assert len(VARIANTS) >= 30, sorted(VARIANTS)


@pytest.mark.parametrize("name", sorted(set(VARIANTS) - {Behaviour.name}))
def test_each_variant_states_its_choice_and_cites_what_allows_it(name: str) -> None:
    cls = VARIANTS[name]
    assert "\n" not in cls.summary and len(cls.summary) < 220, cls.summary
    cited = [i for i in IDS if re.search(rf"\b{re.escape(i)}\b", cls.summary)]
    assert cited or any(clause in cls.summary for clause in CLAUSES), cls.summary


def should_ids() -> set[str]:
    """Ids whose line in REQUIREMENTS.md has a SHOULD (a SHOULD level or a SHOULD clause)."""
    if not REQUIREMENTS_MD.is_file():
        pytest.skip(f"{REQUIREMENTS_MD} is not beside the checkout")
    line = re.compile(r"^- \*\*(?P<id>[A-Z0-9-]+)\*\* (?P<rest>.*)$")
    found = (line.match(text) for text in REQUIREMENTS_MD.read_text(encoding="utf-8").splitlines())
    return {m["id"] for m in found if m and "SHOULD" in m["rest"]}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_a_variant_may_warn_only_on_should_clauses(name: str) -> None:
    assert set(warns_of(VARIANTS[name])) <= should_ids()


def test_a_fault_runs_its_own_ids_and_the_sanity_set_and_a_variant_everything() -> None:
    for case in cases():
        if case.kind == "variant":
            assert case.only == VARIANT_IDS
        elif case.breaks in RUN_WIDE:
            assert case.whole_suite, case
        else:
            assert set(case.only) == {case.breaks, *case.also_breaks, *SANITY}, case


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(FAULTS))
def test_the_suite_catches_each_fault_on_its_requirement_only(name: str) -> None:
    result = judged("fault", name)
    assert result.detected, result.problems
    assert not result.unrelated, result.problems
    assert result.ok, result.problems


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_the_suite_passes_each_variant(name: str) -> None:
    """No failure, nothing unjudged, no warning but on the SHOULD ids the variant gives up."""
    result = judged("variant", name)
    assert (result.exit_code, result.problems) == (0, []), "\n".join(result.problems)


COMBINATIONS = sorted({c for c in combination_of().values() if SEPARATOR in c})


@pytest.mark.slow
@pytest.mark.parametrize("combination", COMBINATIONS, ids=COMBINATIONS)
def test_the_suite_passes_servers_that_combine_variants(combination: str) -> None:
    """A server making several allowed choices at once is conformant too; a failure here with
    every variant of it passing alone is a failure of the combination."""
    result = judged("variant", combination)
    assert (result.exit_code, result.problems) == (0, []), "\n".join(result.problems)

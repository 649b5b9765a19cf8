"""make test's scopes (tests/scheduling.py), read from the node ids pytest really collects: the
tests that share one run of the suite land in one scope, hence in one worker."""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from conformance.reference.variants.combined import SEPARATOR, combination_of
from tests.scheduling import LONGEST, expected_length, scope_of

ROOT = Path(__file__).resolve().parents[1]
CATALOG_TESTS = "tests/selftest/test_fault_catalog.py"


def collected(path: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", path],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=True,
    )
    return [line for line in done.stdout.splitlines() if "::" in line]


def test_each_combination_and_its_variants_share_one_scope() -> None:
    scopes: dict[str, set[str]] = defaultdict(set)
    for nodeid in collected(CATALOG_TESTS):
        if "passes_each_variant[" in nodeid or "combine_variants[" in nodeid:
            scopes[scope_of(nodeid)].add(nodeid)
    combinations = {c for c in combination_of().values() if SEPARATOR in c}
    for combination in combinations:
        tests = scopes[f"variants {combination}"]
        members = combination.split(SEPARATOR)
        assert len(tests) == len(members) + 1, (combination, sorted(tests))
    assert len(scopes) == len(set(combination_of().values()))


def test_the_units_that_wait_or_run_the_whole_suite_are_handed_out_first() -> None:
    nodeids = collected(CATALOG_TESTS) + collected("tests/repro")
    longest = {scope_of(n) for n in nodeids if expected_length(n, slow=True) == LONGEST}
    assert "variants every-7th-429" in longest  # waits out a rate limit
    assert "fault stores-429" in longest  # the whole suite, and waits
    assert "fault get-recaches-stale-payment" in longest  # the state machine, shrinking
    assert "fault key-truncated" not in longest
    assert not any(SEPARATOR in scope for scope in longest)
    assert expected_length("tests/spec/test_spec.py::test_x", slow=False) == 0

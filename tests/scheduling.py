"""How `make test` spreads the project's tests over pytest-xdist's workers: each test on its
own, but the tests that share a costly run, which go to one worker together so that the run
is made once: a module whose fixtures are whole runs of the suite, and a fault's self-test
verdict with its reproductions (both read one run of the suite: tests/fault_runs.py).

pytest-xdist's `xdist_group` marks would say the same, but they work by renaming node ids,
which pytest 9.2 no longer reads; the scopes are therefore decided here, from the node id.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from conformance.reference.variants import Variant
from conformance.reference.variants.combined import SEPARATOR, combination_of, variant_named
from conformance.selftest import cases
from conformance.shard import STATE_MACHINE

__all__ = ["LONGEST", "expected_length", "scheduler", "scope_of"]

ONE_WORKER_PER_MODULE = {
    "tests/suite/test_runs.py": "suite runs",
    "tests/stateful/test_stateful_runs.py": "stateful runs",
    "tests/gate/test_verdicts.py": "gate verdicts",
    "tests/gate/test_shards.py": "shards",
    "tests/report/test_reports.py": "report runs",
    "tests/report/test_browser.py": "report runs",
    "tests/report/test_compare.py": "report runs",
}
"""Modules whose module or session fixtures are runs of the suite (by the scope they share)."""
ONE_WORKER_PER_FAULT = {
    "tests/selftest/test_fault_catalog.py::"
    "test_the_suite_catches_each_fault_on_its_requirement_only": "",
    "tests/repro/test_fault_reproductions.py::"
    "test_the_first_failure_reproduces_against_the_fault_and_passes_against_the_reference": "-",
}
"""Tests parametrized by a fault's name, which read that fault's run; the value is what
separates the name from the rest of the parameter id (the reproduction's kind)."""
ONE_WORKER_PER_COMBINATION = {
    "tests/selftest/test_fault_catalog.py::test_the_suite_passes_each_variant",
    "tests/selftest/test_fault_catalog.py::test_the_suite_passes_servers_that_combine_variants",
}
"""Tests parametrized by a variant (or a combination of them), which read the run of its
combination (tests/fault_runs.py)."""
LONGEST_MODULES = frozenset({"suite runs", "stateful runs"})
"""Module scopes whose runs are the longest: the default profile, the state machine failing."""
LONGEST = 2
"""The expected length of the units that take a minute or more."""


def scope_of(nodeid: str) -> str:
    """The work unit a test belongs to: tests of one unit run in one worker, in order."""
    path, _, name = nodeid.partition("::")
    if path in ONE_WORKER_PER_MODULE:
        return ONE_WORKER_PER_MODULE[path]
    function, _, params = name.partition("[")
    if f"{path}::{function}" in ONE_WORKER_PER_COMBINATION:
        variant = params.removesuffix("]")
        return "variants " + combination_of().get(variant, variant)
    separator = ONE_WORKER_PER_FAULT.get(f"{path}::{function}")
    if separator is None:
        return nodeid
    fault = params.removesuffix("]")
    return "fault " + (fault.rsplit(separator, 1)[0] if separator else fault)


def expected_length(nodeid: str, slow: bool) -> int:
    """How long the work unit of a test will take, coarsely, so that the longest are handed
    out first (a long unit handed out last leaves the other workers idle at the end):

    - LONGEST for a unit that waits out a target's rate limit or latency (a variant that runs
      alone), runs the whole suite or the state machine against a fault, or is in
      LONGEST_MODULES;
    - 1 for the other units that share a run, and the tests marked slow;
    - 0 for the rest.
    """
    scope = scope_of(nodeid)
    kind, _, name = scope.partition(" ")
    if scope in LONGEST_MODULES:
        return LONGEST
    if kind == "fault":
        return LONGEST if _fault_run_is_long(name) else 1
    if kind == "variants" and SEPARATOR not in name:
        server = variant_named(name)  # a variant, or the reference server's own behaviour
        if issubclass(server, Variant) and server.runs_alone:
            return LONGEST
    return 1 if slow or scope != nodeid else 0


@cache
def _fault_run_is_long(fault: str) -> bool:
    (case,) = (c for c in cases([fault]) if c.kind == "fault")
    return case.whole_suite or STATE_MACHINE in case.only


def scheduler(config: Any, log: Any) -> Any:
    """pytest-xdist's scope scheduling with the scopes of `scope_of`, handed out in the order
    of collection (longest first: expected_length), where xdist would reorder them by their
    number of tests (xdist is imported here only: a run without it never asks)."""
    from xdist.scheduler import LoadScopeScheduling

    config.option.loadscopereorder = False

    class SharedRunScheduling(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            return scope_of(nodeid)

    return SharedRunScheduling(config, log)

"""The pytest plugin: options, activation, and one collector whose methods are the hooks.

Inert unless the collected tests carry the `requirement` marker (the conformance suite), so it
can stay installed beside any other test suite. Report writing lives in `conformance.report`;
turning outcomes into verdicts in `conformance.results`.
"""

from __future__ import annotations

import gc
import os
from typing import Any

import pytest

from conformance.options import COMMAND_ONLY, OPTIONS, register
from conformance.profiles import DEFAULT, PROFILES
from conformance.run_context import RUN_CONTEXT_KEY
from conformance.runner import (
    ConformanceRun,
    keep_hypothesis_out_of_the_working_directory,
    load_profile,
)
from conformance.shard import SCANS_THE_RUN
from conformance.target import ConformanceConfigError, Target, build_target

__all__ = [
    "PRESET_KEY",
    "PresetTarget",
    "pytest_addoption",
    "pytest_collection_modifyitems",
    "pytest_configure",
]

PRESET_KEY = pytest.StashKey[Target]()


class PresetTarget:
    """Registered by devdraft-conformance: the Target it already built and checked, so that
    credentials never travel through pytest's argument list."""

    def __init__(self, target: Target) -> None:
        self.target = target

    @pytest.hookimpl(tryfirst=True)
    def pytest_configure(self, config: pytest.Config) -> None:
        config.stash[PRESET_KEY] = self.target


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "Test Payments API conformance")
    # pytest's own --strict is read instead: one flag, one meaning per run.
    register(group.addoption, skip={"--strict", *COMMAND_ONLY})


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "requirement(id, part='must'): the requirement of REQUIREMENTS.md a test "
        "judges (part='should' for the SHOULD clause of a MUST requirement)",
    )
    config.addinivalue_line(
        "markers",
        f"{SCANS_THE_RUN}: a test that judges every exchange of the run; under --shard it "
        "runs in every shard",
    )
    if PRESET_KEY in config.stash or config.getoption("conformance_base_url", None):
        # @given fixes its settings when the test module is imported, so the profile has to be
        # in force before collection.
        load_profile(_profile(config))
        keep_hypothesis_out_of_the_working_directory()


def _profile(config: pytest.Config) -> str:
    if PRESET_KEY in config.stash:
        return config.stash[PRESET_KEY].profile
    name = config.getoption("conformance_profile", None) or os.environ.get(
        "CONFORMANCE_PROFILE", DEFAULT
    )
    return name if name in PROFILES else DEFAULT


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    if not any(item.get_closest_marker("requirement") for item in items):
        return
    target = config.stash.get(PRESET_KEY, None) or _target_from_options(config)
    run = ConformanceRun(config, target)
    config.stash[RUN_CONTEXT_KEY] = run
    config.pluginmanager.register(run, "conformance-run")
    run.prepare(items)
    # Everything imported and collected so far lives as long as the run. Frozen, it is left
    # out of every garbage collection from here on: Hypothesis and pytest each force a full
    # one, and each would otherwise walk every object of schemathesis, pytest and the suite.
    gc.freeze()


def _target_from_options(config: pytest.Config) -> Target:
    given: dict[str, Any] = {o.dest: config.getoption(o.dest, None) for o in OPTIONS}
    given["conformance_strict"] = bool(config.getoption("strict", False)) or None
    try:
        return build_target(given)
    except ConformanceConfigError as error:
        pytest.exit(f"configuration error: {error}", returncode=2)

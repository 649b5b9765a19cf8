"""The suite imported ahead of its run, by a process that will fork the run's parts.

A part of `--workers N` is a fork of the command's process (conformance.workers). Imported
there once, the suite's modules are in every part already when its pytest collects them
(pytest finds them in sys.modules under the names it would give them), so the parts do not
each compile and import them again at the same time, on the cores the others need (measured,
fast profile, 8 parts on 2 cores: about 0.35 s of CPU a part before its first request, 0.15 s
with the suite imported first).
"""

from __future__ import annotations

import importlib
from pathlib import Path

from conformance import suite
from conformance.runner.hypothesis_settings import (
    keep_hypothesis_out_of_the_working_directory,
    load_profile,
)

__all__ = ["import_the_suite", "suite_modules"]


def suite_modules() -> list[str]:
    """The suite's modules in the order pytest's collection imports them: the conftest, then
    each test module, by file name."""
    folder = Path(suite.__file__).parent
    tests = sorted(path.stem for path in folder.glob("test_*.py"))
    return [f"{suite.__name__}.{name}" for name in ("conftest", *tests)]


def import_the_suite(profile: str) -> None:
    """Import every module of the suite as a run with `profile` would: Hypothesis set up for
    the profile first (`@given` fixes its settings when a test module is imported, see
    conformance.plugin.pytest_configure)."""
    load_profile(profile)
    keep_hypothesis_out_of_the_working_directory()
    for name in suite_modules():
        importlib.import_module(name)

"""One conformance run inside pytest, one part per module.

`session` holds `ConformanceRun`, whose methods are the pytest hooks of one run and hand the
work to the others: `ordering` (which tests the run makes, in which order), `examples` (each
Hypothesis test seeded, each example with its own evidence), `outcomes` (each test's outcome
with its evidence, and what a failure shows), `progress` (the lines printed while it runs),
`stopping` (SIGINT / SIGTERM) and `run_result` (the RunResult the reports show).
`hypothesis_settings` sets Hypothesis up for a profile before the tests are collected;
`suite_import` imports the suite once in a process that forks the parts of a run.
"""

from __future__ import annotations

from conformance.runner.hypothesis_settings import (
    keep_hypothesis_out_of_the_working_directory,
    load_profile,
)
from conformance.runner.run_result import read_baseline, rerun_command
from conformance.runner.session import ConformanceRun
from conformance.runner.stopping import STOP_SIGNALS, on_stop_signal, stop_signal

__all__ = [
    "STOP_SIGNALS",
    "ConformanceRun",
    "keep_hypothesis_out_of_the_working_directory",
    "load_profile",
    "on_stop_signal",
    "read_baseline",
    "rerun_command",
    "stop_signal",
]

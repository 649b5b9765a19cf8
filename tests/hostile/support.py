"""Running the suite as a user does (a subprocess) against a hostile target, with distinctive
credentials that must never show up in any of its outputs."""

from __future__ import annotations

from pathlib import Path

from tests import suite_runner as runner
from tests.suite_runner import Run

KEY, SECRET = "hostile-key-Zq81vX", "hostile-secret-Pw27nM0d"
ENV = {"DEVDRAFT_API_KEY": KEY, "DEVDRAFT_SECRET": SECRET}
FAST = ("--timeout", "2", "--profile", "fast", "--max-rate-limit-wait", "3")


def run_suite(report_dir: Path, base_url: str, *args: str, limit: float = 120) -> Run:
    """`python -m conformance` against `base_url`; a run that overruns `limit` fails the test."""
    return runner.run_suite(report_dir, "--base-url", base_url, *args, env=ENV, timeout=limit)


def leaked(run: Run) -> list[str]:
    return run.leaked((KEY, SECRET))

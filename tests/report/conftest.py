"""Runs of the suite whose reports the report tests read: against a hostile, failing server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import suite_runner as runner
from tests.report.hostile_server import hostile_server
from tests.suite_runner import Run

# Distinctive credentials: neither may appear in any report, nor in stdout or stderr.
KEY, SECRET = "rk-hostile-Zq81xPlm4Tu", "rs-hostile-Wv9Hc2Ae7Nq0Lj"
ENV = {"DEVDRAFT_API_KEY": KEY, "DEVDRAFT_SECRET": SECRET}
FAILING_IDS = "PAY-CREATE,PAY-GET-UNKNOWN,REPLAY-IDENTICAL"


def run_suite(report_dir: Path, base_url: str, *args: str) -> Run:
    return runner.run_suite(
        report_dir, "--base-url", base_url, "--profile", "fast", "--seed", "1", *args, env=ENV
    )


@pytest.fixture(scope="session")
def hostile_url() -> Iterator[str]:
    with hostile_server((KEY, SECRET)) as url:
        yield url


@pytest.fixture(scope="session")
def failing_run(hostile_url: str, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """A run against the hostile server: PAY-CREATE passes, two MUSTs fail."""
    return run_suite(tmp_path_factory.mktemp("failing"), hostile_url, "--only", FAILING_IDS)


@pytest.fixture(scope="session")
def baseline_run(hostile_url: str, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The failing run against a baseline where PAY-GET-UNKNOWN passed and PAY-CREATE failed:
    PAY-GET-UNKNOWN is a new failure, PAY-CREATE fixed, REPLAY-IDENTICAL unchanged."""
    directory = tmp_path_factory.mktemp("baseline")
    earlier = run_suite(directory / "earlier", hostile_url, "--only", FAILING_IDS).report
    for requirement in earlier["requirements"]:
        if requirement["id"] == "PAY-GET-UNKNOWN":
            requirement["verdict"] = "pass"
        if requirement["id"] == "PAY-CREATE":
            requirement["verdict"] = "fail"
    baseline = directory / "baseline.json"
    baseline.write_text(json.dumps(earlier), encoding="utf-8")
    return run_suite(
        directory / "now", hostile_url, "--only", FAILING_IDS, "--baseline", str(baseline)
    )

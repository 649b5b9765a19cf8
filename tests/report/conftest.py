"""Runs of the suite whose reports the report tests read: against a hostile, failing server,
and the reference server beside two of its faults for `compare`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests import suite_runner as runner
from tests.report.hostile_server import hostile_server
from tests.suite_runner import Run

# Distinctive credentials: neither may appear in any report, nor in stdout or stderr.
KEY, SECRET = "rk-hostile-Zq81xPlm4Tu", "rs-hostile-Wv9Hc2Ae7Nq0Lj"
ENV = {"DEVDRAFT_API_KEY": KEY, "DEVDRAFT_SECRET": SECRET}
FAILING_IDS = "PAY-CREATE,PAY-GET-UNKNOWN,REPLAY-IDENTICAL"
COMPARED_IDS = "PAY-CREATE,PAY-GET-UNKNOWN,REFUND-UNKNOWN"
LABEL_PAYLOAD = "<script>window.__pwned = 'label'</script>unknown-id-500"
COMPARED = {
    # name: (--reference-arg, --label); the last run keeps the default label, its host.
    "reference": ((), ("--label", "reference")),
    "unknown-id-500": (("--reference-arg=--fault=unknown-id-500",), ("--label", LABEL_PAYLOAD)),
    "refund-unknown-500": (("--reference-arg=--fault=refund-unknown-500",), ()),
}
"""The runs compared: the reference server passes all three requirements, each fault fails
one of them (PAY-GET-UNKNOWN, REFUND-UNKNOWN), and all pass PAY-CREATE."""


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


@dataclass
class Comparison:
    runs: dict[str, Run]
    """The compared runs by name (COMPARED), each in its own report directory."""
    compare: Run
    """`devdraft-conformance compare` over them, in the order of COMPARED."""

    @property
    def data(self) -> dict[str, Any]:
        return json.loads((self.compare.report_dir / "compare.json").read_text(encoding="utf-8"))

    @property
    def html_path(self) -> Path:
        return self.compare.report_dir / "compare.html"


@pytest.fixture(scope="session")
def comparison(tmp_path_factory: pytest.TempPathFactory) -> Comparison:
    """Three runs against their own reference servers, side by side (a few seconds each; made
    together), then compared."""
    folder = tmp_path_factory.mktemp("compared")

    def made(name: str) -> Run:
        server, label = COMPARED[name]
        return runner.run_suite(
            folder / name,
            *("--reference", *server, *label, "--only", COMPARED_IDS),
            *("--profile", "fast", "--seed", "1"),
            env={},
            timeout=180,
        )

    with ThreadPoolExecutor(len(COMPARED)) as pool:
        runs = dict(zip(COMPARED, pool.map(made, COMPARED), strict=True))
    sources = [str(run.report_dir / "conformance.json") for run in runs.values()]
    report_dir = folder / "comparison"
    compare = runner.run_command(
        report_dir, "compare", *sources, "--report-dir", str(report_dir), env={}, timeout=60
    )
    return Comparison(runs, compare)

"""Every fault's first failure reproduces, and stops reproducing once the bug is gone.

For each fault of the catalog, the self-test's run of the suite against the reference server
with that fault (tests/fault_runs.py) names the first failure of the requirement it breaks; its
reproduction, curl script and pytest module alike, is run as written against a freshly started
server with the fault (it must exit 1, the curl script within twice the rounds the failure took
to show) and against a freshly started reference server (it must exit 0); the servers run in
a thread of the test's process (172 of them), the reproduction in a process of its own.
Secrets reach the reproductions through the environment only: the fresh servers have
credentials of their own.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from conformance.reference.cli import serving_in_thread
from conformance.reference.faults import FAULTS
from tests.fault_runs import judged

pytestmark = pytest.mark.slow

_BYTECODE = tempfile.mkdtemp(prefix="repro-bytecode-")
atexit.register(shutil.rmtree, _BYTECODE, ignore_errors=True)
KEY, SECRET = "rp-key-5d1e0b", "rp-secret-Qw3Er5Ty7Ui9"
SECOND_KEY, SECOND_SECRET = "rp-key-b-7c2f9a", "rp-secret-b-Zx8Cv6Bn4Ml2"
CLIENTS = ("--client", f"{KEY}:{SECRET}", "--client", f"{SECOND_KEY}:{SECOND_SECRET}")
ENV = {
    "DEVDRAFT_API_KEY": KEY,
    "DEVDRAFT_SECRET": SECRET,
    "DEVDRAFT_SECOND_API_KEY": SECOND_KEY,
    "DEVDRAFT_SECOND_SECRET": SECOND_SECRET,
    "PYTHON": sys.executable,  # a schema check needs the installed suite
    # A curl script starts its helper some 60 times: compiled once, not at every start, and
    # never beside the written reproduction.
    "PYTHONDONTWRITEBYTECODE": "",
    "PYTHONPYCACHEPREFIX": _BYTECODE,
    "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",  # the generated module needs no plugin
}
RUN_TIMEOUT = 300.0
KINDS = ("sh", "pytest")


@dataclass
class Ran:
    code: int
    output: str
    """The end of stdout and stderr."""
    reproduced: str
    """The line that says the failure showed again ('' when none did)."""
    rounds_sent: int
    """Rounds whose first request the shell script sent (it prints `[1] ...` for each)."""
    rounds_passed: int
    """Rounds the check passed in (`round K of N: the check ... passes`)."""


def run_reproduction(path: Path, kind: str, server_args: tuple[str, ...]) -> Ran:
    command = (
        ["sh", str(path)]
        if kind == "sh"
        else [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)]
    )
    with serving_in_thread(*CLIENTS, *server_args) as base_url:
        done = subprocess.run(
            command,
            env={**os.environ, **ENV, "CONFORMANCE_BASE_URL": base_url},
            cwd=path.parent,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            check=False,
        )
    lines = done.stdout.splitlines()
    shown = next((line for line in lines if "FAILURE REPRODUCED" in line), "")
    return Ran(
        done.returncode,
        (done.stdout[-2500:] + done.stderr[-1500:]).strip(),
        shown,
        rounds_sent=sum(line.startswith("[1] ") for line in lines),
        rounds_passed=sum(line.startswith("round ") and " passes (" in line for line in lines),
    )


def first_failure(fault: str) -> dict[str, str]:
    """The reproduction files of the first failed test of the fault's requirement in the
    self-test's run of the fault."""
    run = judged("fault", fault)
    report = (run.report_dir or Path()) / "conformance.json"
    assert report.is_file(), f"no report (exit {run.exit_code}): {run.problems}"
    breaks = FAULTS[fault].breaks
    entry = next(
        r
        for r in json.loads(report.read_text(encoding="utf-8"))["requirements"]
        if r["id"] == breaks
    )
    failed = [t for t in entry["tests"] if t["outcome"] == "failed"]
    assert failed, f"{breaks} was not failed ({entry['verdict']}): {entry['reason']}"
    return dict(failed[0]["reproduction_files"])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_the_first_failure_reproduces_against_the_fault_and_passes_against_the_reference(
    fault: str, kind: str
) -> None:
    path = Path(first_failure(fault)[kind])
    against_fault = run_reproduction(path, kind, ("--fault", fault))
    assert against_fault.code == 1, f"{path} vs {fault}:\n{against_fault.output}"
    assert f"FAILURE REPRODUCED: {FAULTS[fault].breaks}" in against_fault.reproduced
    if kind == "sh":  # judged after rounds 1, 3, 7...: a failure ends the script soon after
        assert against_fault.rounds_sent < 2 * (against_fault.rounds_passed + 1), (
            against_fault.output
        )
    against_reference = run_reproduction(path, kind, ())
    assert against_reference.code == 0, (
        f"{path} vs the reference server:\n{against_reference.output}"
    )

"""Every fault's first failure reproduces, and stops reproducing once the bug is gone.

For each fault of the catalog, the suite runs once against the reference server with that
fault (`--profile fast`, only the requirement it breaks, plus the few whose traffic its test
needs); the reproduction of the first failure of that requirement, curl script and pytest
module alike, is then run as written against a freshly started server with the fault (it must
exit 1) and against a freshly started reference server (it must exit 0). Secrets reach the
reproductions through the environment only: the fresh servers have credentials of their own.

The runs go two at a time in one session fixture (the cost of the matrix on 2 cores); each
test reads its fault's results.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conformance.reference.faults import FAULTS
from conformance.reference.launch import running_reference_server

pytestmark = pytest.mark.slow

SEED = 1
KEY, SECRET = "rp-key-5d1e0b", "rp-secret-Qw3Er5Ty7Ui9"
SECOND_KEY, SECOND_SECRET = "rp-key-b-7c2f9a", "rp-secret-b-Zx8Cv6Bn4Ml2"
CLIENTS = ("--client", f"{KEY}:{SECRET}", "--client", f"{SECOND_KEY}:{SECOND_SECRET}")
ENV = {
    "DEVDRAFT_API_KEY": KEY,
    "DEVDRAFT_SECRET": SECRET,
    "DEVDRAFT_SECOND_API_KEY": SECOND_KEY,
    "DEVDRAFT_SECOND_SECRET": SECOND_SECRET,
    "PYTHON": sys.executable,  # a schema check needs the installed suite
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",  # the generated module needs no plugin
}
TRAFFIC = {
    "RATE-LIMIT": "PAY-CREATE,REPLAY-IDENTICAL,PAY-VALIDATION,KEY-ALPHABET",
    "RATE-NOT-STORED": "PAY-CREATE,PAY-DISTINCT,PAY-ECHO,KEY-ALPHABET,KEY-LENGTH,REFUND-CREATE,"
    "REFUND-REPLAY",
}
"""Requirements whose traffic a run-wide test of the fault's requirement needs to see it: a
rate limit shows after many requests."""
FAULT_TRAFFIC = {"refunded-amount-as-string": "REFUND-STATE"}
"""The same, for one fault: the schema drift shows on a GET of a refunded payment."""
RUN_TIMEOUT = 300.0
KINDS = ("sh", "pytest")


@dataclass
class Ran:
    code: int
    output: str
    """The end of stdout and stderr."""
    reproduced: str
    """The line that says the failure showed again ('' when none did)."""


@dataclass
class FaultResult:
    fault: str
    breaks: str
    failure: dict[str, str] = field(default_factory=dict)
    """The first failed test of the requirement in the report (empty: not detected)."""
    runs: dict[tuple[str, str], Ran] = field(default_factory=dict)
    """(kind, 'fault' or 'reference') -> what the reproduction did."""
    problem: str = ""


def only(fault: str) -> str:
    breaks = FAULTS[fault].breaks
    extra = [TRAFFIC.get(breaks, ""), FAULT_TRAFFIC.get(fault, "")]
    return ",".join([breaks, *[e for e in extra if e]])


def run_reproduction(path: Path, kind: str, server_args: tuple[str, ...]) -> Ran:
    command = (
        ["sh", str(path)]
        if kind == "sh"
        else [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)]
    )
    with running_reference_server(*CLIENTS, *server_args) as server:
        done = subprocess.run(
            command,
            env={**os.environ, **ENV, "CONFORMANCE_BASE_URL": server.base_url},
            cwd=path.parent,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            check=False,
        )
    shown = next((line for line in done.stdout.splitlines() if "FAILURE REPRODUCED" in line), "")
    return Ran(done.returncode, (done.stdout[-2500:] + done.stderr[-1500:]).strip(), shown)


def reproduce(fault: str, workdir: Path) -> FaultResult:
    result = FaultResult(fault, FAULTS[fault].breaks)
    report_dir = workdir / fault
    command = [
        sys.executable, "-m", "conformance", "--reference", f"--reference-arg=--fault={fault}",
        "--profile", "fast", "--seed", str(SEED), "--only", only(fault),
        "--report-dir", str(report_dir),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=RUN_TIMEOUT)
    report = report_dir / "conformance.json"
    if not report.is_file():
        result.problem = f"no report (exit {done.returncode}): {done.stderr[-1500:]}"
        return result
    entry = next(
        r
        for r in json.loads(report.read_text(encoding="utf-8"))["requirements"]
        if r["id"] == result.breaks
    )
    failed = [t for t in entry["tests"] if t["outcome"] == "failed"]
    if not failed:
        result.problem = f"{result.breaks} was not failed ({entry['verdict']}): {entry['reason']}"
        return result
    result.failure = failed[0]["reproduction_files"]
    for kind in KINDS:
        path = Path(result.failure[kind])
        result.runs[kind, "fault"] = run_reproduction(path, kind, ("--fault", fault))
        result.runs[kind, "reference"] = run_reproduction(path, kind, ())
    return result


@pytest.fixture(scope="session")
def reproduced() -> Iterator[dict[str, FaultResult]]:
    with tempfile.TemporaryDirectory(prefix="fault-repro-") as folder:
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(lambda f: reproduce(f, Path(folder)), sorted(FAULTS)))
        yield {r.fault: r for r in results}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_the_first_failure_reproduces_against_the_fault_and_passes_against_the_reference(
    reproduced: dict[str, FaultResult], fault: str, kind: str
) -> None:
    result = reproduced[fault]
    assert not result.problem, result.problem
    against_fault = result.runs[kind, "fault"]
    assert against_fault.code == 1, f"{result.failure[kind]} vs {fault}:\n{against_fault.output}"
    assert f"FAILURE REPRODUCED: {result.breaks}" in against_fault.reproduced
    against_reference = result.runs[kind, "reference"]
    assert against_reference.code == 0, (
        f"{result.failure[kind]} vs the reference server:\n{against_reference.output}"
    )

"""Schemathesis' own checks, driven by our contract, against the reference server.

Runs the ``schemathesis run`` command (every check, every phase, stateful links included) as a
user would, in a subprocess, so that the contract and the reference server are judged by an
independent tool. Its configuration is ``schemathesis.toml`` at the repository root; why each
setting is what it is is written there. To reproduce a failure, rerun the command printed in
the failure message with the ``--seed`` it shows.
"""

from __future__ import annotations

import json
import secrets
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from conformance import spec
from conformance.reference.launch import RunningServer, running_reference_server

pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parents[1]
CONFIG = REPO_ROOT / "schemathesis.toml"
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
MAX_EXAMPLES = 30  # per operation and phase: about 20 s on a laptop, every phase included
REQUEST_TIMEOUT = 10.0  # seconds; a hung request fails the case instead of stalling the run
RUN_TIMEOUT = 240.0  # seconds; a run that takes longer is a failure, not a stall
CREDENTIALS = (f"ck_{secrets.token_hex(8)}", f"cs_{secrets.token_hex(8)}")


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    key, secret = CREDENTIALS
    with running_reference_server("--client", f"{key}:{secret}") as running:
        yield running


def schemathesis_run(
    spec_file: Path, base_url: str, workdir: Path, *options: str
) -> tuple[int, str, dict[str, Any]]:
    """Run the CLI; return its exit code, its output and its JSON report."""
    key, secret = CREDENTIALS
    report = workdir / "schemathesis.json"
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(CONFIG),
        "run",
        str(spec_file),
        "--url",
        base_url,
        "--checks",
        "all",
        "-H",
        f"x-client-key: {key}",
        "-H",
        f"x-client-secret: {secret}",
        "--request-timeout",
        str(REQUEST_TIMEOUT),
        "--report",
        "json",
        "--report-json-path",
        str(report),
        "--no-color",
        *options,
    ]
    shown = shlex.join(command).replace(key, "$KEY").replace(secret, "$SECRET")
    try:
        # cwd: schemathesis and hypothesis write nothing into the checkout
        done = subprocess.run(
            command, cwd=workdir, capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired as expired:
        pytest.fail(f"schemathesis ran longer than {RUN_TIMEOUT:g} s\n$ {shown}\n{expired.stdout}")
    output = f"$ {shown}\n{done.stdout}\n{done.stderr}".replace(secret, "$SECRET")
    data = json.loads(report.read_text(encoding="utf-8")) if report.is_file() else {}
    return done.returncode, output, data


def test_schemathesis_finds_no_issue_in_the_reference_server(
    server: RunningServer, tmp_path: Path
) -> None:
    code, output, report = schemathesis_run(
        spec.spec_path(), server.base_url, tmp_path, "--max-examples", str(MAX_EXAMPLES)
    )
    if code != 0:
        pytest.fail(f"schemathesis exited with {code}:\n{output}", pytrace=False)
    # Guard against a vacuous pass (e.g. every request answered 401 because the credentials
    # were not sent): every phase ran, and valid creates were accepted.
    assert {name: phase["status"] for name, phase in report["phases"].items()} == {
        "examples": "success",
        "coverage": "success",
        "fuzzing": "success",
        "stateful": "success",
    }, output
    assert report["warnings"]["missing_auth"] == [], output
    creates = report["valid_rates"]["POST /api/v0/test-payment"]
    assert sum(phase["accepted"] for phase in creates.values()) > 0, output


def test_schemathesis_fails_when_the_contract_demands_what_the_server_does_not_send(
    server: RunningServer, tmp_path: Path
) -> None:
    """The harness is not vacuous: a contract the server breaks makes the run fail."""
    contract = yaml.safe_load(spec.spec_path().read_text(encoding="utf-8"))
    payment = contract["components"]["schemas"]["PaymentResponseDto"]
    payment["required"] = [*payment["required"], "settledAt"]
    stricter = tmp_path / "stricter.openapi.yaml"
    stricter.write_text(yaml.safe_dump(contract), encoding="utf-8")
    code, output, _ = schemathesis_run(stricter, server.base_url, tmp_path, "--phases", "examples")
    assert code == 1, output
    assert "settledAt" in output

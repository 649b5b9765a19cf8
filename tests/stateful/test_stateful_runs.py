"""The state machine against real servers on loopback: it passes the reference server, and a
failing run's reproduction, executed as written against the same faulty server, shows the
failure again. (The conformant variants meet the state machine in the self-test, which runs the
whole suite against each of them; `make stateful-soak` repeats it over many seeds.)"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance.reference.launch import RunningServer, running_reference_server
from tests.suite_runner import Run, run_suite

KEY, SECRET = "sm-key-4c1d8e", "sm-secret-Zp7Qw2Lx9Vb"
SECOND_KEY, SECOND_SECRET = "sm-key-b-90af3e", "sm-secret-b-Rt5Mn8Kc"
CLIENT_ARGS = ("--client", f"{KEY}:{SECRET}", "--client", f"{SECOND_KEY}:{SECOND_SECRET}")
ENV = {
    "DEVDRAFT_API_KEY": KEY,
    "DEVDRAFT_SECRET": SECRET,
    "DEVDRAFT_SECOND_API_KEY": SECOND_KEY,
    "DEVDRAFT_SECOND_SECRET": SECOND_SECRET,
}
SEED = int(os.environ.get("STATEFUL_SEED", "20261127"))
FAULT = "refund-replay-new-refund"
"""A deterministic multi-step fault: create, refund, and the refund's replay makes a new one."""


def run_state_machine(
    base_url: str,
    report_dir: Path,
    *options: str,
    seed: int = SEED,
    profile: str = "fast",
) -> Run:
    """The state machine alone; `options` are further suite options (e.g. a variant's)."""
    return run_suite(
        report_dir, "--base-url", base_url, "--only", "STATEFUL-MODEL", "--profile", profile,
        "--seed", str(seed), *options, env=ENV,
    )  # fmt: skip


def verdict(report_dir: Path) -> dict[str, object]:
    report = json.loads((report_dir / "conformance.json").read_text(encoding="utf-8"))
    return dict(report["requirements"][0])


def test_the_state_machine_passes_the_reference_server(tmp_path: Path) -> None:
    with running_reference_server(*CLIENT_ARGS) as server:
        run = run_state_machine(server.base_url, tmp_path)
    entry = verdict(tmp_path)
    assert entry["verdict"] == "pass", run.stdout[-3000:]
    assert run.code == 0


@pytest.fixture(scope="module")
def faulty_server() -> Iterator[RunningServer]:
    with running_reference_server(*CLIENT_ARGS, "--fault", FAULT) as server:
        yield server


@pytest.fixture(scope="module")
def failing_run(
    faulty_server: RunningServer, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, object]]:
    report_dir = tmp_path_factory.mktemp("stateful-fault")
    run = run_state_machine(faulty_server.base_url, report_dir, profile="default")
    assert run.code == 1, run.stdout[-3000:]
    return report_dir, verdict(report_dir)


def test_a_failing_step_names_the_requirement_it_violates(
    failing_run: tuple[Path, dict[str, object]],
) -> None:
    _, entry = failing_run
    assert entry["verdict"] == "fail"
    assert " violates " in str(entry["reason"]), entry["reason"]


def test_the_report_carries_both_reproductions(failing_run: tuple[Path, dict[str, object]]) -> None:
    report_dir, entry = failing_run
    test = next(t for t in entry["tests"] if t["outcome"] == "failed")  # type: ignore[attr-defined]
    assert test["reproduction"].startswith("#!/bin/sh")
    assert "def test_" in test["reproduction_pytest"]
    files = test["reproduction_files"]
    assert Path(files["sh"]).read_text(encoding="utf-8") == test["reproduction"]
    assert Path(files["pytest"]).read_text(encoding="utf-8") == test["reproduction_pytest"]
    assert sorted(p.name for p in (report_dir / "repro").glob("*.sh")) == [Path(files["sh"]).name]
    assert f"Reproduce: sh {files['sh']}" in test["received"]
    html = (report_dir / "conformance.html").read_text(encoding="utf-8")
    assert "Reproduce with curl" in html and "Reproduce with pytest" in html


def test_no_secret_is_written_into_a_reproduction(
    failing_run: tuple[Path, dict[str, object]],
) -> None:
    report_dir, _ = failing_run
    for path in (report_dir / "repro").rglob("*"):
        if not path.is_file() or path.suffix not in (".sh", ".py"):
            continue
        text = path.read_text(encoding="utf-8")
        for secret in (KEY, SECRET, SECOND_KEY, SECOND_SECRET):
            assert secret not in text, path
        if path.suffix == ".sh":
            assert '"${DEVDRAFT_SECRET}"' in text


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")
def test_the_shell_reproduction_run_as_written_shows_the_failure_again(
    failing_run: tuple[Path, dict[str, object]],
) -> None:
    report_dir, _ = failing_run
    script = next((report_dir / "repro").glob("*.sh"))
    completed = subprocess.run(
        ["sh", str(script)],
        env={"PATH": os.environ["PATH"], **ENV},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "FAILURE REPRODUCED" in completed.stdout


def test_the_pytest_reproduction_fails_again_against_the_same_server(
    failing_run: tuple[Path, dict[str, object]],
) -> None:
    report_dir, _ = failing_run
    module = next((report_dir / "repro").glob("test_*.py"))
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(module)],
        env={"PATH": os.environ["PATH"], **ENV},
        cwd=report_dir,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 1, completed.stdout[-3000:]
    assert "1 failed" in completed.stdout
    assert "FAILURE REPRODUCED" in completed.stdout


def test_the_reproductions_pass_against_a_conformant_server(
    failing_run: tuple[Path, dict[str, object]],
) -> None:
    """Pointed at the reference server (CONFORMANCE_BASE_URL), the same script exits 0."""
    report_dir, _ = failing_run
    script = next((report_dir / "repro").glob("*.sh"))
    with running_reference_server(*CLIENT_ARGS) as server:
        completed = subprocess.run(
            ["sh", str(script)],
            env={"PATH": os.environ["PATH"], **ENV, "CONFORMANCE_BASE_URL": server.base_url},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "not reproduced" in completed.stdout

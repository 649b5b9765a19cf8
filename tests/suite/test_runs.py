"""The suite as a user runs it, against real servers on loopback: verdicts, exit codes, budget,
reports, and no secret in any output. (The conformant variants are run by tests/selftest.)"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance.reference.launch import RunningServer, running_reference_server
from conformance.requirements import CATALOG
from tests import suite_runner as runner
from tests.suite_runner import Run

KEY, SECRET = "conf-key-7f3a9c2e", "conf-secret-Q8zW4kLm2Rt6"
SECOND_KEY, SECOND_SECRET = "conf-key-b-51d0e8aa", "conf-secret-b-Hn3Vx9Pq"
SEED = "20261127"
ROOT = Path(__file__).resolve().parents[2]
CLIENT_ARGS = ("--client", f"{KEY}:{SECRET}", "--client", f"{SECOND_KEY}:{SECOND_SECRET}")
ENV = {
    "DEVDRAFT_API_KEY": KEY,
    "DEVDRAFT_SECRET": SECRET,
    "DEVDRAFT_SECOND_API_KEY": SECOND_KEY,
    "DEVDRAFT_SECOND_SECRET": SECOND_SECRET,
}


def run_suite(
    report_dir: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 300
) -> Run:
    return runner.run_suite(report_dir, *args, env=ENV if env is None else env, timeout=timeout)


@pytest.fixture(scope="module")
def reference() -> Iterator[RunningServer]:
    with running_reference_server(*CLIENT_ARGS) as server:
        yield server


@pytest.fixture(scope="module")
def default_run(reference: RunningServer, tmp_path_factory: pytest.TempPathFactory) -> Run:
    # A fixed seed keeps CI reproducible; fresh seeds are exercised by `make conformance-soak`.
    return run_suite(
        tmp_path_factory.mktemp("default"), "--base-url", reference.base_url, "--seed", SEED
    )


def test_the_reference_server_conforms_in_the_default_profile(default_run: Run) -> None:
    assert default_run.code == 0, default_run.stdout + default_run.stderr
    verdicts = default_run.verdicts()
    judged = {r.id for r in CATALOG if r.level.value != "INFO" and r.runs_when is None}
    assert {i: verdicts[i] for i in judged if verdicts[i] != "pass"} == {}
    assert verdicts["AUTH-KEY-SCOPE"] == "pass"
    assert default_run.stdout.strip().splitlines()[-1].startswith("CONFORMANT")


def test_each_requirement_prints_a_progress_line_with_a_counter(default_run: Run) -> None:
    progress = re.compile(r"^  \[\s*(\d+)/(\d+)\] (\S+) ")
    found = [m.groups() for m in map(progress.match, default_run.stdout.splitlines()) if m]
    assert [int(n) for n, _, _ in found] == list(range(1, len(CATALOG) + 1))
    assert {total for _, total, _ in found} == {str(len(CATALOG))}
    assert sorted(i for _, _, i in found) == sorted(r.id for r in CATALOG)


def test_a_passing_run_prints_the_result_table_once(default_run: Run) -> None:
    """The progress lines are the table; the summary adds only what did not pass."""
    lines = default_run.stdout.splitlines()
    assert sum(line.split()[:1] == ["PAY-CREATE"] for line in lines) == 0
    assert sum(" PAY-CREATE " in line for line in lines) == 1


def test_the_readme_states_what_a_default_run_sends_and_the_ci_examples_double_it(
    default_run: Run,
) -> None:
    """The budget table of the README is measured (two clients, the reference server), and
    every --max-requests of the CI examples leaves twice that."""
    sent = default_run.report["requests"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    workflow = (ROOT / "examples" / "github-actions" / "conformance.yml").read_text("utf-8")
    row = re.search(r"^\| `default` \| [\d,]+ to [\d,]+ \| ([\d,]+) to ([\d,]+) \|", readme, re.M)
    assert row, "README lost its 'Requests per run' table"
    low, high = (int(n.replace(",", "")) for n in row.groups())
    assert 0.9 * low <= sent <= 1.1 * high, (sent, low, high)
    budgets = [int(n) for n in re.findall(r"--max-requests (\d+)", readme + workflow)]
    assert len(budgets) >= 2 and min(budgets) >= 2 * sent, (budgets, sent)


def test_junit_has_one_case_per_requirement(default_run: Run) -> None:
    cases = ET.parse(default_run.report_dir / "junit.xml").getroot().iter("testcase")
    assert sorted(c.get("name") or "" for c in cases) == sorted(r.id for r in CATALOG)


def test_no_secret_reaches_any_output(default_run: Run) -> None:
    assert default_run.leaked((KEY, SECRET, SECOND_KEY, SECOND_SECRET)) == []


def test_every_created_payment_carries_the_run_id(default_run: Run) -> None:
    run_id = default_run.report["run_id"]
    marker = default_run.report["requirements"]
    info = next(r for r in marker if r["id"] == "REPLAY-MARKER")
    bodies = [
        e["request_body"]
        for t in info["tests"]
        for e in t.get("exchanges", [])
        if e["method"] == "POST" and e["request_body"]
    ]
    assert bodies and all(run_id in body for body in bodies)


def test_the_request_budget_is_never_exceeded(reference: RunningServer, tmp_path: Path) -> None:
    run = run_suite(
        tmp_path, "--base-url", reference.base_url, "--max-requests", "60", "--profile", "fast"
    )
    assert run.code == 3, run.stdout[-2000:]
    assert run.report["requests"] <= 60
    assert "not judged" in run.verdicts().values()
    assert run.last_line.startswith("INCOMPLETE: the request budget of 60 was spent after ")
    assert run.last_line.endswith("; raise --max-requests")


def _closed_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.mark.parametrize(
    ("base_url", "why"),
    [
        (None, "connection refused"),
        # .invalid never resolves (RFC 6761); the resolver here answers that at once.
        ("http://conformance-test.invalid", "the host name does not resolve"),
    ],
)
def test_an_unreachable_target_ends_with_exit_3_and_one_line_within_seconds(
    base_url: str | None, why: str, tmp_path: Path
) -> None:
    started = time.monotonic()
    run = run_suite(
        tmp_path, "--base-url", base_url or _closed_port(), "--timeout", "2", timeout=60
    )
    assert run.code == 3
    assert time.monotonic() - started < 30
    last = run.last_line
    assert last.startswith(f"INCOMPLETE: the target could not be reached: {why}"), last
    assert len(last) < 300
    assert "Traceback" not in run.stdout + run.stderr
    assert set(run.verdicts().values()) <= {"not judged", "not run"}
    assert run.leaked((KEY, SECRET)) == []


def test_a_configuration_mistake_ends_with_exit_2_and_one_line(tmp_path: Path) -> None:
    run = run_suite(tmp_path, "--base-url", "http://127.0.0.1:1", "--profile", "huge")
    assert run.code == 2
    assert run.stderr.strip().count("\n") == 0 and "--profile" in run.stderr
    run = run_suite(tmp_path, env={"DEVDRAFT_API_KEY": "", "DEVDRAFT_SECRET": ""})
    assert run.code == 2 and "--base-url" in run.stderr


def test_list_prints_the_catalog(tmp_path: Path) -> None:
    run = run_suite(tmp_path, "--list")
    assert run.code == 0
    assert [line.split()[0] for line in run.stdout.splitlines()] == [r.id for r in CATALOG]


def test_the_suite_runs_as_plain_pytest(reference: RunningServer, tmp_path: Path) -> None:
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--pyargs",
            "conformance.suite",
            "-p",
            "no:cacheprovider",
            "--base-url",
            reference.base_url,
            "--profile",
            "fast",
            "--report-dir",
            str(tmp_path),
            "--only",
            "PAY-CREATE,REPLAY-IDENTICAL",
            "-q",
        ],
        env={**os.environ, **ENV},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=tmp_path,
    )
    assert completed.returncode == 0, completed.stdout[-3000:]
    assert "CONFORMANT" in completed.stdout
    verdicts = {
        r["id"]: r["verdict"]
        for r in json.loads((tmp_path / "conformance.json").read_text())["requirements"]
    }
    assert verdicts == {"PAY-CREATE": "pass", "REPLAY-IDENTICAL": "pass"}

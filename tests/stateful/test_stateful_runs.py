"""The state machine against real servers on loopback: it passes the reference server, reports
which orders of actions it applied (its sequence coverage: recorded, counted, the same for the
same seed, in every report), and a failing run's reproduction, executed as written against the
same faulty server, shows the failure again. (The conformant variants meet the state machine in
the self-test, which runs the whole suite against each of them; `make stateful-soak` repeats it
over many seeds.)"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conformance.reference.launch import RunningServer, running_reference_server
from conformance.results import SequenceCoverage
from conformance.results.coverage import joined
from conformance.strategies import seed_values
from conformance.suite.stateful.coverage import POSSIBLE_PAIRS, POSSIBLE_TRIPLES
from conformance.suite.stateful.machine import PaymentsModel
from conformance.suite.stateful.model import Shared
from conformance.target import build_target
from conformance.transport.client import ApiClient
from conformance.workers import PARTS_DIR
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
SCHEMA = json.loads(
    resources.files("conformance.report").joinpath("conformance.schema.json").read_text()
)
REPRODUCTION_TIMEOUT = 300.0
"""Seconds a reproduction may run: a race's runs 20 rounds of processes (curl, python), which
took over 60 s on a machine loaded 18 deep."""
BODY = {"amount": 12.5, "currency": "USD", "description": "sequence coverage"}


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


@pytest.fixture(scope="module")
def reference_server() -> Iterator[RunningServer]:
    with running_reference_server(*CLIENT_ARGS) as server:
        yield server


@pytest.fixture(scope="module")
def passing_run(reference_server: RunningServer, tmp_path_factory: pytest.TempPathFactory) -> Run:
    return run_state_machine(reference_server.base_url, tmp_path_factory.mktemp("stateful-pass"))


def test_the_state_machine_passes_the_reference_server(passing_run: Run) -> None:
    entry = verdict(passing_run.report_dir)
    assert entry["verdict"] == "pass", passing_run.stdout[-3000:]
    assert passing_run.code == 0


def test_the_run_reports_the_orders_of_actions_it_applied_in_every_report(
    passing_run: Run,
) -> None:
    coverage = passing_run.report["sequence_coverage"]
    pairs, triples = coverage["pairs"], coverage["triples"]
    for tally, possible in ((pairs, POSSIBLE_PAIRS), (triples, POSSIBLE_TRIPLES)):
        unseen = tally["unseen"]
        assert tally["possible"] == len(possible)
        assert len(set(unseen)) == len(unseen)
        assert set(unseen) <= {joined(sequence) for sequence in possible}
        assert tally["exercised"] == tally["possible"] - len(unseen)
    # The steering's goal for the fast profile: every pair and every triple, on every seed.
    assert (pairs["exercised"], pairs["possible"]) == (40, 40), pairs["unseen"]
    assert (triples["exercised"], triples["possible"]) == (234, 234), triples["unseen"]
    assert coverage["actions"] > pairs["exercised"]
    validator = jsonschema.Draft202012Validator(SCHEMA)
    assert [e.message[:200] for e in validator.iter_errors(passing_run.report)] == []
    assert SequenceCoverage.of(coverage).line() in passing_run.stdout.splitlines()
    assert passing_run.last_line.startswith("CONFORMANT: ")  # the closing line stays last
    html = passing_run.html_path.read_text(encoding="utf-8")
    assert 'id="sequence-coverage"' in html
    assert "pairs 40/40, triples 234/234" in html


def test_the_same_seed_applies_the_same_sequences(passing_run: Run, tmp_path: Path) -> None:
    with running_reference_server(*CLIENT_ARGS) as fresh:  # the seed's keys are new to it
        again = run_state_machine(fresh.base_url, tmp_path)
    assert again.code == 0, again.explain()
    assert again.report["sequence_coverage"] == passing_run.report["sequence_coverage"]
    assert again.report["requests"] == passing_run.report["requests"]


def test_a_run_without_the_state_machine_reports_no_coverage(
    reference_server: RunningServer, tmp_path: Path
) -> None:
    run = run_suite(
        tmp_path, "--base-url", reference_server.base_url, "--only", "PAY-GET",
        "--profile", "smoke", env=ENV,
    )  # fmt: skip
    assert run.code == 0, run.explain()
    assert run.report["sequence_coverage"] is None
    assert "state machine sequences" not in run.stdout
    assert 'id="sequence-coverage"' not in run.html_path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def run_in_parts(reference_server: RunningServer, tmp_path_factory: pytest.TempPathFactory) -> Run:
    return run_in_two_parts(reference_server.base_url, tmp_path_factory.mktemp("parts"))


def run_in_two_parts(base_url: str, report_dir: Path) -> Run:
    return run_suite(
        report_dir, "--base-url", base_url, "--only", "STATEFUL-MODEL,PAY-GET",
        "--profile", "fast", "--seed", str(SEED), "--workers", "2", env=ENV,
    )  # fmt: skip


def parts_of(run: Run) -> list[dict[str, Any]]:
    return [
        json.loads(path.read_text(encoding="utf-8"))
        for path in sorted((run.report_dir / PARTS_DIR).glob("*/conformance.json"))
    ]


def state_machine_test(report: dict[str, Any]) -> dict[str, Any]:
    entry = next(r for r in report["requirements"] if r["id"] == "STATEFUL-MODEL")
    return dict(entry["tests"][0])


def test_a_run_in_parts_runs_a_lane_of_the_state_machine_in_each_and_merges_their_coverage(
    run_in_parts: Run,
) -> None:
    run = run_in_parts
    assert run.code == 0, run.explain()
    parts = parts_of(run)
    carried = [SequenceCoverage.of(p["sequence_coverage"]) for p in parts]
    assert len(parts) == 2 and all(c.actions > 0 for c in carried)  # a lane in each part
    merged = SequenceCoverage.merged(carried)
    assert run.report["sequence_coverage"] == merged.as_dict()
    assert merged.pairs.exercised == merged.pairs.possible == len(POSSIBLE_PAIRS)
    assert merged.triples.exercised > max(c.triples.exercised for c in carried)
    assert merged.line() in run.stdout.splitlines()
    made = [state_machine_test(p)["requests"] for p in parts]
    assert state_machine_test(run.report)["requests"] == sum(made) and min(made) > 0
    assert run.verdicts()["STATEFUL-MODEL"] == "pass"


def test_a_run_in_parts_sends_the_same_requests_again_with_the_same_seed(
    run_in_parts: Run, tmp_path: Path
) -> None:
    with running_reference_server(*CLIENT_ARGS) as fresh:  # the seed's keys are new to it
        again = run_in_two_parts(fresh.base_url, tmp_path)
    assert again.code == 0, again.explain()
    for first, second in zip(parts_of(run_in_parts), parts_of(again), strict=True):
        assert second["sequence_coverage"] == first["sequence_coverage"]
        assert second["requests"] == first["requests"]
    assert again.report["sequence_coverage"] == run_in_parts.report["sequence_coverage"]


def test_each_rule_notes_its_action_on_the_payment_it_sent_a_request_about(
    reference_server: RunningServer,
) -> None:
    """The rules called one by one against the reference server: each answer is judged as in a
    run, and the coverage holds exactly the pairs and triples of the two histories."""
    seed_values(SEED)
    target = build_target(
        {
            "conformance_base_url": reference_server.base_url,
            "conformance_client_key": KEY,
            "conformance_client_secret": SECRET,
            "conformance_second_client_key": SECOND_KEY,
            "conformance_second_client_secret": SECOND_SECRET,
        },
        environ={},
    )
    shared = Shared(ApiClient.for_target(target), target)
    machine = PaymentsModel(shared)
    first = machine.create_payment(body=dict(BODY), key="uuid")
    refund = machine.refund_payment(payment=first, key="fresh:24")
    machine.replay_refund(refund=refund)
    machine.replay_refund(refund=refund)
    machine.refund_again_with_a_new_key(refund=refund)
    machine.send_with_wrong_credentials(payment=first, auth="wrong-secret", operation="get")
    machine.get_an_unknown_payment()  # left out: neither adds a step to a history
    machine.get_payment(payment=first)
    machine.replay_create(payment=first, spelling="as sent", data=None)
    second = machine.create_the_same_body_with_a_new_key(payment=first)
    machine.get_payment(payment=second)
    assert first.history == [
        "create", "refund", "refund replay", "refund replay", "refund with a new key", "GET",
        "replay",
    ]  # fmt: skip
    assert second.history == ["create", "GET"]
    assert shared.coverage.pairs == {
        ("create", "refund"), ("refund", "refund replay"), ("refund replay", "refund replay"),
        ("refund replay", "refund with a new key"), ("refund with a new key", "GET"),
        ("GET", "replay"), ("create", "GET"),
    }  # fmt: skip
    assert shared.coverage.triples == {
        ("create", "refund", "refund replay"), ("refund", "refund replay", "refund replay"),
        ("refund replay", "refund replay", "refund with a new key"),
        ("refund replay", "refund with a new key", "GET"),
        ("refund with a new key", "GET", "replay"),
    }  # fmt: skip
    figures = shared.coverage.figures()
    assert (figures.pairs.exercised, figures.triples.exercised, figures.actions) == (7, 5, 9)
    assert [e.status for e in shared.api.journal.all][:3] == [201, 200, 200]


@pytest.fixture(scope="module")
def faulty_server() -> Iterator[RunningServer]:
    with running_reference_server(*CLIENT_ARGS, "--fault", FAULT) as server:
        yield server


@pytest.fixture(scope="module")
def failing_run(
    faulty_server: RunningServer, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, object]]:
    report_dir = tmp_path_factory.mktemp("stateful-fault")
    run = run_state_machine(faulty_server.base_url, report_dir)
    assert run.code == 1, run.stdout[-3000:]
    return report_dir, verdict(report_dir)


def test_a_failing_step_names_the_requirement_it_violates(
    failing_run: tuple[Path, dict[str, object]],
) -> None:
    _, entry = failing_run
    assert entry["verdict"] == "fail"
    assert " violates " in str(entry["reason"]), entry["reason"]


def test_a_failing_run_still_reports_what_it_covered(
    failing_run: tuple[Path, dict[str, object]],
) -> None:
    report_dir, _ = failing_run
    report = json.loads((report_dir / "conformance.json").read_text(encoding="utf-8"))
    coverage = report["sequence_coverage"]
    assert coverage["actions"] >= 3  # at least the create, refund and refund replay that failed
    assert "create > refund > refund replay" not in coverage["triples"]["unseen"]
    assert report["exit_code"] == 1  # the fault's verdict, which coverage never changes


def test_a_failure_in_a_lane_is_reported_under_its_requirement_with_a_reproduction(
    faulty_server: RunningServer, tmp_path: Path
) -> None:
    run = run_state_machine(faulty_server.base_url, tmp_path, "--workers", "2")
    assert run.code == 1, run.explain()
    entry = run.requirement("STATEFUL-MODEL")
    assert entry["verdict"] == "fail" and " violates " in str(entry["reason"]), entry["reason"]
    failed = [t for t in entry["tests"] if t["outcome"] == "failed"]
    assert failed and all("def test_" in t["reproduction_pytest"] for t in failed)
    assert all(t["reproduction"] for t in failed)
    assert run.report["sequence_coverage"]["actions"] >= 3


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
        timeout=REPRODUCTION_TIMEOUT,
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
        timeout=REPRODUCTION_TIMEOUT,
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
            timeout=REPRODUCTION_TIMEOUT,
            check=False,
        )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "not reproduced" in completed.stdout

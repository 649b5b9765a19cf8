"""What a run says it judged: MUSTs it could not judge are named (and fail --require-all), one
count everywhere (last line, HTML banner, conformance.json, junit.xml), a SHOULD warning shows
as not passed in JUnit, failures caused by one answer are shown together with how to rerun
them, and long requirements report progress."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from conformance.reference.launch import RunningServer
from tests.suite_runner import Run

from .conftest import FAST, ONE_CLIENT, SEEDS, TWO_CLIENTS, run_suite

UNJUDGED = "AUTH-KEY-SCOPE needs a second client, RATE-NOT-STORED saw no 429"


def junit(run: Run) -> tuple[ET.Element, dict[str, ET.Element], dict[str, str]]:
    suite = ET.parse(run.report_dir / "junit.xml").getroot().find("testsuite")
    assert suite is not None
    cases = {case.get("name") or "": case for case in suite.iter("testcase")}
    properties = {p.get("name") or "": p.get("value") or "" for p in suite.iter("property")}
    return suite, cases, properties


def banner(run: Run) -> dict[str, str]:
    html = run.html_path.read_text(encoding="utf-8")
    found = dict(re.findall(r'<(?:span|div) id="([a-z-]+)">([^<]*)</', html))
    found["verdict"] = re.search(r'<h1 id="verdict">([^<]*)</h1>', html).group(1)  # type: ignore[union-attr]
    return found


def assert_one_count(run: Run) -> dict[str, Any]:
    """The last line, the HTML banner, conformance.json and junit.xml tell the same numbers."""
    summary = run.report["summary"]
    must, should = summary["must"], summary["should"]
    assert summary["line"] == run.last_line
    assert f"MUST {must['passed']}/{must['judged']} passed" in run.last_line
    shown = banner(run)
    assert shown["must-count"] == f"MUST {must['passed']}/{must['judged']} passed"
    assert shown["should-count"] == f"SHOULD {should['passed']}/{should['judged']} passed"
    assert shown["closing-line"] == run.last_line
    suite, cases, properties = junit(run)
    assert properties["summary"] == run.last_line
    assert (properties["must_passed"], properties["must_judged"]) == (
        str(must["passed"]),
        str(must["judged"]),
    )
    assert (properties["should_passed"], properties["should_judged"]) == (
        str(should["passed"]),
        str(should["judged"]),
    )
    failures = [c for c in cases.values() if c.find("failure") is not None]
    assert int(suite.get("failures") or -1) == len(failures)
    if not run.report["strict"]:
        assert len(failures) == must["failed"]
    verdicts = run.verdicts()
    assert must["failed"] == list(verdicts.values()).count("fail")
    return summary


def test_musts_that_were_not_judged_are_named_on_the_last_line_in_html_and_json(
    reference: RunningServer, tmp_path: Path
) -> None:
    only = "AUTH-KEY-SCOPE,RATE-NOT-STORED,PAY-CREATE"
    run = run_suite(
        tmp_path, "--base-url", reference.base_url, *FAST, "--only", only, env=ONE_CLIENT
    )
    assert run.code == 0, run.explain()
    assert run.last_line == f"CONFORMANT: MUST 1/1 passed; 2 MUST not judged: {UNJUDGED}"
    summary = assert_one_count(run)
    assert summary["not_judged"] == [
        {"id": "AUTH-KEY-SCOPE", "level": "MUST", "why": "needs a second client"},
        {"id": "RATE-NOT-STORED", "level": "MUST", "why": "saw no 429"},
        {"id": "AUTH-KEY-SCOPE (SHOULD)", "level": "SHOULD", "why": "needs a second client"},
    ]
    shown = banner(run)
    assert shown["must-not-judged"] == "2 MUST not judged"
    assert shown["not-judged"].startswith("Not judged: AUTH-KEY-SCOPE (needs a second client)")
    _, cases, _ = junit(run)
    skipped = cases["AUTH-KEY-SCOPE"].find("skipped")
    assert skipped is not None and (skipped.get("message") or "").startswith("not run: ")


def test_require_all_makes_an_unjudged_must_exit_3(
    reference: RunningServer, tmp_path: Path
) -> None:
    only = "AUTH-KEY-SCOPE,RATE-NOT-STORED,PAY-CREATE"
    run = run_suite(
        tmp_path,
        *("--base-url", reference.base_url, *FAST, "--only", only, "--require-all"),
        env=ONE_CLIENT,
    )
    assert run.code == 3, run.explain()
    assert run.last_line == (
        f"INCOMPLETE: --require-all, and 2 MUST not judged: {UNJUDGED} (MUST 1/1 passed)"
    )
    assert run.report["require_all"] is True and run.report["exit_code"] == 3
    assert banner(run)["verdict"] == "Incomplete"


@pytest.fixture(scope="module")
def warning_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """A server whose keys are case-insensitive: KEY-DISTINCT's SHOULD clause fails."""
    return run_suite(
        tmp_path_factory.mktemp("warning"),
        *("--reference", "--reference-arg=--fault=key-case-folded", *FAST),
        *("--only", "KEY-DISTINCT,KEY-DUPLICATE-HEADER,PAY-CREATE"),
        env={},
    )


def test_a_should_warning_counts_the_same_everywhere_and_is_not_passed_in_junit(
    warning_run: Run,
) -> None:
    run = warning_run
    assert run.code == 0, run.explain()
    assert run.last_line == "CONFORMANT: MUST 2/2 passed, 1 SHOULD warning (KEY-DISTINCT)"
    summary = assert_one_count(run)
    assert summary["should"] == {"passed": 1, "judged": 2, "failed": 1, "not_judged": 0}
    assert summary["warnings"] == ["KEY-DISTINCT"]
    suite, cases, _ = junit(run)
    warned = cases["KEY-DISTINCT"]
    assert warned.find("failure") is None
    skipped = warned.find("skipped")
    assert skipped is not None
    assert (skipped.get("message") or "").startswith("SHOULD warning: KEY-DISTINCT: ")
    assert "letter case" in (skipped.text or "")
    assert cases["PAY-CREATE"].find("skipped") is None
    assert suite.get("skipped") == "1" and suite.get("failures") == "0"


def test_under_strict_a_should_warning_is_a_junit_failure_and_exit_1(tmp_path: Path) -> None:
    run = run_suite(
        tmp_path,
        *("--reference", "--reference-arg=--fault=key-case-folded", *FAST, "--strict"),
        *("--only", "KEY-DISTINCT,PAY-CREATE"),
        env={},
    )
    assert run.code == 1, run.explain()
    assert run.last_line == (
        "NOT CONFORMANT: KEY-DISTINCT failed a SHOULD (--strict) "
        "(MUST 2/2 passed, SHOULD 0/1 passed)"
    )
    assert_one_count(run)
    _, cases, _ = junit(run)
    failure = cases["KEY-DISTINCT"].find("failure")
    assert failure is not None and failure.get("type") == "warning"


@pytest.fixture(scope="module")
def one_answer_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """A server that answers 500 to a GET of an unknown id: several requirements fail on it."""
    return run_suite(
        tmp_path_factory.mktemp("one-answer"),
        *("--reference", "--reference-arg=--fault=unknown-id-500", *FAST),
        *("--only", "PAY-CREATE,PAY-GET-UNKNOWN,ERR-NO-5XX,SCHEMA-RESPONSES"),
        env={},
    )


def test_failures_on_one_answer_are_grouped_and_counted_alike(one_answer_run: Run) -> None:
    run = one_answer_run
    assert run.code == 1, run.explain()
    assert run.last_line == (
        "NOT CONFORMANT: PAY-GET-UNKNOWN, ERR-NO-5XX, SCHEMA-RESPONSES failed (MUST 1/4 passed)"
    )
    assert_one_count(run)
    group = [line for line in run.stdout.splitlines() if "failed on one answer" in line]
    assert group == [
        "3 requirements failed on one answer: GET /test-payment/{id} -> 500 "
        "(PAY-GET-UNKNOWN, ERR-NO-5XX, SCHEMA-RESPONSES)"
    ]


def test_each_failure_says_how_to_reproduce_it(one_answer_run: Run) -> None:
    lines = one_answer_run.stdout.splitlines()
    seed = one_answer_run.report["seed"]
    for requirement_id in ("PAY-GET-UNKNOWN", "ERR-NO-5XX", "SCHEMA-RESPONSES"):
        start = next(i for i, line in enumerate(lines) if f"FAIL {requirement_id} (" in line)
        block = lines[start : start + 40]
        rerun = (
            "rerun: devdraft-conformance --reference --reference-arg=--fault=unknown-id-500 "
            f"--profile fast --seed {seed} --only {requirement_id}"
        )
        assert any(line.strip() == rerun for line in block), block
        evidence = f"{one_answer_run.report_dir}/conformance.html#fail-{requirement_id}"
        assert any(line.strip().endswith(evidence) for line in block), block
        assert any("::test_" in line for line in block)  # the failing test's id


def test_a_long_requirement_reports_its_progress(reference: RunningServer, tmp_path: Path) -> None:
    run = run_suite(
        tmp_path,
        *("--base-url", reference.base_url, *FAST, "--only", "REPLAY-DELAYED"),
        *("--replay-delay", "6"),
    )
    assert run.code == 0, run.explain()
    assert run.last_line == "CONFORMANT: MUST 1/1 passed"
    beats = [line for line in run.stdout.splitlines() if "REPLAY-DELAYED still running" in line]
    assert beats and re.match(r"^      \.\.\. REPLAY-DELAYED still running: .*\d+s$", beats[0])
    assert re.search(r"^  \[1/1\] REPLAY-DELAYED ", run.stdout, re.M)


def test_a_run_leaves_no_hypothesis_folder_and_clears_stale_reproductions(
    reference: RunningServer, tmp_path: Path
) -> None:
    work, cache, reports = tmp_path / "work", tmp_path / "cache", tmp_path / "work" / "reports"
    (reports / "repro").mkdir(parents=True)
    stale = reports / "repro" / "test_stale_from_an_earlier_run.py"
    stale.write_text("assert False\n", encoding="utf-8")
    completed = subprocess.run(
        [
            *(sys.executable, "-m", "conformance", "--base-url", reference.base_url, *FAST),
            *("--seed", str(next(SEEDS))),
            *("--only", "PAY-CREATE,PAY-ECHO,KEY-ALPHABET"),  # text strategies: unicode data
        ],
        cwd=work,
        env={**os.environ, **TWO_CLIENTS, "XDG_CACHE_HOME": str(cache)},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert completed.stdout.strip().splitlines()[-1] == "CONFORMANT: MUST 3/3 passed"
    assert sorted(p.name for p in work.iterdir()) == ["reports"]
    assert not stale.exists()
    assert any((cache / "devdraft-conformance" / "hypothesis").iterdir())  # it went here

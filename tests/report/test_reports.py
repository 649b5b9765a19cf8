"""The three reports of a failing run: schema, JUnit, escaping, secrets, reproductions and the
--baseline regression view."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from tests.report.conftest import ENV, KEY, SECRET, Run
from tests.report.hostile_server import IMG_PAYLOAD, SCRIPT_PAYLOAD

SCHEMA = json.loads(
    resources.files("conformance.report").joinpath("conformance.schema.json").read_text()
)


def test_the_failing_run_exits_1_with_the_failed_ids_on_its_last_line(failing_run: Run) -> None:
    assert failing_run.code == 1, failing_run.stdout[-3000:] + failing_run.stderr[-3000:]
    last = failing_run.stdout.strip().splitlines()[-1]
    assert last == "NOT CONFORMANT: PAY-GET-UNKNOWN, REPLAY-IDENTICAL failed (MUST 1/3 passed)"


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("which", ["failing_run", "baseline_run"])
def test_conformance_json_validates_against_the_published_schema(
    which: str, request: pytest.FixtureRequest
) -> None:
    run: Run = request.getfixturevalue(which)
    validator = jsonschema.Draft202012Validator(
        SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    errors = [f"{e.json_path}: {e.message[:200]}" for e in validator.iter_errors(run.report)]
    assert errors == []


def test_each_test_counts_its_requests_and_only_the_preflight_belongs_to_none(
    failing_run: Run,
) -> None:
    tests = [t for r in failing_run.report["requirements"] for t in r["tests"]]
    counted = sum(t["requests"] for t in tests)
    assert all(t["requests"] > 0 for t in tests if t["outcome"] == "failed"), tests
    assert 0 <= failing_run.report["requests"] - counted <= 3  # the preflight's at most three


def test_junit_has_one_case_per_requirement_and_failures_carry_expected_and_received(
    failing_run: Run,
) -> None:
    root = ET.parse(failing_run.report_dir / "junit.xml").getroot()
    cases = {case.get("name"): case for case in root.iter("testcase")}
    assert sorted(cases) == ["PAY-CREATE", "PAY-GET-UNKNOWN", "REPLAY-IDENTICAL"]
    assert cases["PAY-CREATE"].find("failure") is None
    failure = cases["PAY-GET-UNKNOWN"].find("failure")
    assert failure is not None and failure.text is not None
    assert "Expected: status any 4xx" in failure.text
    assert "Received: 500" in failure.text


def test_target_payloads_reach_the_html_only_escaped(failing_run: Run) -> None:
    html = failing_run.html_path.read_text(encoding="utf-8")
    assert SCRIPT_PAYLOAD not in html and IMG_PAYLOAD not in html
    assert "&lt;script&gt;window.__pwned" in html
    assert "&lt;img src=x onerror=" in html
    assert "<script" not in html.lower()


def test_the_html_is_self_contained(failing_run: Run) -> None:
    html = failing_run.html_path.read_text(encoding="utf-8")
    assert "default-src 'none'" in html
    tags = _Tags()
    tags.feed(html)
    assert [t for t in tags.seen if t in ("script", "iframe", "object", "embed", "img")] == []
    assert [r for r in tags.references if not r.startswith(("#", "data:"))] == []
    assert "@import" not in html and "url(" not in html


class _Tags(HTMLParser):
    """The page's real tags and the URLs they reference (escaped text is not a tag)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []
        self.references: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.append(tag)
        self.references += [v or "" for k, v in attrs if k in ("src", "href", "action")]


def test_no_secret_reaches_any_report_stdout_or_stderr(failing_run: Run, baseline_run: Run) -> None:
    for run in (failing_run, baseline_run):
        outputs = {"stdout": run.stdout, "stderr": run.stderr}
        for path in run.report_dir.rglob("*"):
            if path.is_file():
                outputs[str(path)] = path.read_text(encoding="utf-8")
        for secret in (KEY, SECRET):
            assert [name for name, text in outputs.items() if secret in text] == [], secret
    # The hostile server echoes the credentials: the exchanges show their placeholders.
    html = failing_run.html_path.read_text(encoding="utf-8")
    assert "$DEVDRAFT_SECRET" in html and "$DEVDRAFT_API_KEY" in html


def test_each_failure_carries_exchanges_and_both_reproductions(failing_run: Run) -> None:
    for requirement_id in ("PAY-GET-UNKNOWN", "REPLAY-IDENTICAL"):
        failed = [
            t for t in failing_run.requirement(requirement_id)["tests"] if t["outcome"] == "failed"
        ]
        assert failed
        for test in failed:
            assert test["exchanges"] and test["expected"] and test["received"]
            assert test["reproduction"].startswith("#!/bin/sh")
            compile(test["reproduction_pytest"], "reproduction.py", "exec")


@pytest.mark.parametrize("kind", ["sh", "pytest"])
def test_the_reproduction_fails_while_the_target_still_breaks_the_requirement(
    failing_run: Run, kind: str
) -> None:
    test = next(
        t for t in failing_run.requirement("PAY-GET-UNKNOWN")["tests"] if t["outcome"] == "failed"
    )
    path = Path(test["reproduction_files"][kind])
    command = (
        ["sh", str(path)]
        if kind == "sh"
        else [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)]
    )
    completed = subprocess.run(
        command,
        env={**os.environ, **ENV, "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=path.parent,
    )
    assert completed.returncode == 1, completed.stdout[-2000:] + completed.stderr[-2000:]
    assert "FAILURE REPRODUCED: PAY-GET-UNKNOWN" in completed.stdout


def test_the_baseline_marks_new_failures_fixed_and_unchanged(baseline_run: Run) -> None:
    report = baseline_run.report
    changes = {r["id"]: (r["change"], r["baseline_verdict"]) for r in report["requirements"]}
    assert changes == {
        "PAY-GET-UNKNOWN": ("new failure", "pass"),
        "PAY-CREATE": ("fixed", "fail"),
        "REPLAY-IDENTICAL": ("unchanged", "fail"),
    }
    assert report["baseline"]["new_failures"] == ["PAY-GET-UNKNOWN"]
    assert report["baseline"]["fixed"] == ["PAY-CREATE"]


def test_the_console_summary_lists_new_failures_first(baseline_run: Run) -> None:
    lines = baseline_run.stdout.splitlines()
    assert "  new failures: PAY-GET-UNKNOWN" in lines
    table = lines[lines.index(next(line for line in lines if line.startswith("requirement "))) :]
    rows = [line.split()[0] for line in table[1:4]]
    assert rows[0] == "PAY-GET-UNKNOWN"
    assert table[0].rstrip().endswith("change")


def test_the_baseline_shows_in_junit_and_html(baseline_run: Run) -> None:
    root = ET.parse(baseline_run.report_dir / "junit.xml").getroot()
    cases = {case.get("name"): case for case in root.iter("testcase")}
    failure = cases["PAY-GET-UNKNOWN"].find("failure")
    assert failure is not None and (failure.get("message") or "").startswith("[new failure]")
    fixed = cases["PAY-CREATE"].find("system-out")
    assert fixed is not None and (fixed.text or "").startswith("fixed since baseline run")
    html = baseline_run.html_path.read_text(encoding="utf-8")
    assert 'id="baseline"' in html and "1 new failure (PAY-GET-UNKNOWN)" in html


def test_a_baseline_that_is_not_a_report_is_a_usage_error(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.json"
    bogus.write_text('{"hello": 1}', encoding="utf-8")
    completed = subprocess.run(
        [
            *(sys.executable, "-m", "conformance", "--base-url", "http://127.0.0.1:9"),
            *("--baseline", str(bogus), "--report-dir", str(tmp_path)),
        ],
        env={**os.environ, **ENV},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 2
    assert "--baseline" in completed.stderr and completed.stderr.strip().count("\n") == 0


def test_a_body_with_a_lone_surrogate_escape_stays_escaped_in_the_html() -> None:
    """The page is UTF-8: a lone surrogate decoded from "\\ud800" would make it unwritable."""
    from conformance.report.html import _pretty

    text = '{"description": "\\ud800"}'
    assert _pretty(text) == text
    assert _pretty('{"a": "\\u00e9"}') == '{\n  "a": "é"\n}'

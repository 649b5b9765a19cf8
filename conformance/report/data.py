"""The report's plain data: one dict per run, one entry per requirement, built once."""

from __future__ import annotations

from typing import Any

from conformance.requirements import Level
from conformance.results import Change, RequirementResult, RunResult, TestOutcome, Verdict

SCHEMA_VERSION = 1


def _test(outcome: TestOutcome) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "test": outcome.test,
        "part": outcome.part,
        "outcome": outcome.outcome.value,
        "duration": round(outcome.duration, 3),
    }
    if outcome.outcome.value != "passed":
        entry.update(
            title=outcome.title,
            expected=outcome.expected,
            received=outcome.received,
            message=outcome.message,
            minimal_example=outcome.minimal_example,
        )
    if outcome.exchanges:
        entry["exchanges"] = outcome.exchanges
    if outcome.repro_files:
        script, module = outcome.repro_files
        entry["reproduction"] = outcome.repro_script
        entry["reproduction_pytest"] = outcome.repro_pytest
        entry["reproduction_files"] = {"sh": script, "pytest": module}
    if outcome.observations:
        entry["observations"] = outcome.observations
    return entry


def _requirement(result: RequirementResult) -> dict[str, Any]:
    requirement = result.requirement
    return {
        "id": requirement.id,
        "level": requirement.level.value,
        "area": requirement.area,
        "statement": requirement.statement,
        "should": requirement.should,
        "verdict": result.verdict.value,
        "reason": result.reason,
        "duration": round(result.duration, 3),
        "tests": [_test(outcome) for outcome in result.outcomes],
        "change": result.change.value if result.change else None,
        "baseline_verdict": result.previous,
    }


def _baseline(run: RunResult) -> dict[str, Any] | None:
    if run.baseline_run_id is None:
        return None
    changes = [r.change.value for r in run.requirements if r.change]
    return {
        "run_id": run.baseline_run_id,
        "new_failures": [
            r.requirement.id for r in run.requirements if r.change is Change.NEW_FAILURE
        ],
        "fixed": [r.requirement.id for r in run.requirements if r.change is Change.FIXED],
        "unchanged": changes.count("unchanged"),
    }


def report_data(run: RunResult) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "run_id": run.run_id,
        "target": run.target,
        "started": run.started,
        "duration": run.duration,
        "requests": run.requests,
        "seed": run.seed,
        "profile": run.profile,
        "strict": run.strict,
        "versions": run.versions,
        "conformant": run.conformant,
        "exit_code": run.exit_code,
        "summary": {
            "line": run.closing_line(),
            "must": {
                "passed": run.count(Verdict.PASS, Level.MUST),
                "judged": run.judged(Level.MUST),
            },
            "should": {
                "passed": run.count(Verdict.PASS, Level.SHOULD),
                "judged": run.judged(Level.SHOULD),
            },
        },
        "aborted": run.aborted,
        "baseline": _baseline(run),
        "requirements": [_requirement(result) for result in run.requirements],
    }

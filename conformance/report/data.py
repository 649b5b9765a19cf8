"""The report's plain data: one dict per run, one entry per requirement, built once."""

from __future__ import annotations

from typing import Any

from conformance.results import Change, Count, RequirementResult, RunResult, TestOutcome

__all__ = ["SCHEMA_VERSION", "report_data"]

SCHEMA_VERSION = 1
"""Changes only when a change breaks a reader of version 1: a new optional field (e.g.
`refused_bodies`, `rate_limits`, `sequence_coverage`) keeps it, so reports of version 1 stay
valid."""


def _test(outcome: TestOutcome) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "test": outcome.test,
        "part": outcome.part,
        "outcome": outcome.outcome.value,
        "duration": round(outcome.duration, 3),
        "requests": outcome.requests,
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
    if outcome.answers:
        entry["answers"] = [list(answer) for answer in outcome.answers]
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
        "refused_bodies": [
            note
            for outcome in result.outcomes
            if outcome.part != "info"
            for note in outcome.observations
        ],
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


def _shard(run: RunResult) -> dict[str, Any] | None:
    if run.shard is None:
        return None
    return {
        "index": run.shard.index,
        "total": run.shard.total,
        "max_requests": run.max_requests,
        "budget_spent": run.budget_spent is not None,
        "interrupted_by": run.interrupted,
    }


def _count(count: Count) -> dict[str, Any]:
    return {
        "passed": count.passed,
        "judged": count.judged,
        "failed": count.failed,
        "not_judged": len(count.not_judged),
    }


def report_data(run: RunResult) -> dict[str, Any]:
    must, should = run.must, run.should
    return {
        "schema_version": SCHEMA_VERSION,
        "run_id": run.run_id,
        "label": run.label,
        "target": run.target,
        "started": run.started,
        "duration": run.duration,
        "requests": run.requests,
        "seed": run.seed,
        "profile": run.profile,
        "strict": run.strict,
        "require_all": run.require_all,
        "versions": run.versions,
        "conformant": run.conformant,
        "exit_code": run.exit_code,
        "interrupted": bool(run.interrupted),
        "summary": {
            "line": run.closing_line(),
            "must": _count(must),
            "should": _count(should),
            "not_judged": [
                {"id": requirement_id, "level": level, "why": why}
                for level, count in (("MUST", must), ("SHOULD", should))
                for requirement_id, why in count.not_judged
            ],
            "warnings": list(should.failed_ids),
        },
        "aborted": run.aborted,
        "rate_limits": {
            "answers_429": run.answers_429,
            "seconds_waited": run.seconds_waited,
            "wait_allowance": run.wait_allowance,
            "rate_cap": run.rate_cap,
        },
        "baseline": _baseline(run),
        "shard": _shard(run),
        "sequence_coverage": (
            run.sequence_coverage.as_dict() if run.sequence_coverage is not None else None
        ),
        "requirements": [_requirement(result) for result in run.requirements],
    }

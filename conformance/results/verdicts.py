"""Test outcomes turned into one verdict per requirement (by its level), and the change since a
baseline run. Plain data: nothing here sends a request or formats a report."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from conformance.requirements import CATALOG, Level, Requirement

__all__ = [
    "FAILING",
    "Change",
    "Outcome",
    "RequirementResult",
    "TestOutcome",
    "Verdict",
    "compare_with_baseline",
    "judge",
    "results_for",
    "why_not_judged",
]


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_JUDGED = "not judged"
    SKIPPED = "skipped"


class Verdict(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    """A SHOULD (or the SHOULD clause of a MUST) failed."""
    OBSERVED = "observed"
    """INFO requirements: recorded, never judged."""
    NOT_JUDGED = "not judged"
    """The run could not judge it: request budget, rate limits or an unreachable target."""
    NOT_RUN = "not run"
    """Excluded by --only, or the option it needs was not given."""


class Change(StrEnum):
    """How a requirement's verdict moved since the --baseline run."""

    NEW_FAILURE = "new failure"
    FIXED = "fixed"
    UNCHANGED = "unchanged"


FAILING = frozenset({"fail", "warn"})


"""Verdicts that count as failing when comparing with a baseline."""


@dataclass
class TestOutcome:
    """One test of one requirement (part 'must', 'should' or 'info')."""

    __test__ = False  # a data class, not a pytest test class

    test: str
    requirement_id: str
    part: str
    outcome: Outcome
    duration: float
    requests: int = 0
    """Requests the test sent, the retries of its 429 answers included."""
    title: str = ""
    expected: str = ""
    received: str = ""
    message: str = ""
    minimal_example: str = ""
    exchanges: list[dict[str, Any]] = field(default_factory=list)
    observations: list[str] = field(default_factory=list)
    repro_script: str = ""
    """A failure's reproduction as a shell script (conformance.repro)."""
    repro_pytest: str = ""
    """The same reproduction as a pytest module."""
    repro_files: list[str] = field(default_factory=list)
    """Where both were written: the script, then the pytest module."""
    answers: list[tuple[str, str]] = field(default_factory=list)
    """What a failure was judged on: (grouping key, description) of the exchanges it names,
    so that failures caused by one answer are shown together."""


@dataclass
class RequirementResult:
    requirement: Requirement
    verdict: Verdict
    duration: float
    reason: str
    outcomes: list[TestOutcome]
    previous: str | None = None
    """The verdict in the --baseline run; None when it had none (or no baseline was given)."""
    change: Change | None = None
    """New failure, fixed or unchanged against the baseline; None without a baseline."""

    @property
    def failures(self) -> list[TestOutcome]:
        return [o for o in self.outcomes if o.outcome is Outcome.FAILED]


def judge(requirement: Requirement, outcomes: list[TestOutcome]) -> RequirementResult:
    duration = sum(o.duration for o in outcomes)

    def result(verdict: Verdict, reason: str) -> RequirementResult:
        return RequirementResult(requirement, verdict, duration, reason, outcomes)

    if not outcomes:
        return result(
            Verdict.NOT_RUN,
            f"runs when {requirement.runs_when}" if requirement.runs_when else "not selected",
        )
    failed = [o for o in outcomes if o.outcome is Outcome.FAILED]
    not_judged = [o for o in outcomes if o.outcome is Outcome.NOT_JUDGED]
    if requirement.level is Level.INFO:
        if all(o.outcome is Outcome.NOT_JUDGED for o in outcomes):
            return result(Verdict.NOT_JUDGED, not_judged[0].message)
        notes = [n for o in outcomes for n in o.observations]
        return result(Verdict.OBSERVED, "; ".join(notes) or "nothing observed")
    must_failed = [o for o in failed if o.part == "must"]
    if must_failed:
        verdict = Verdict.FAIL if requirement.level is Level.MUST else Verdict.WARN
        return result(verdict, must_failed[0].title)
    if not_judged:
        # A warning must not stand in for a MUST part that could not be judged.
        also = f"; SHOULD: {failed[0].title}" if failed else ""
        return result(Verdict.NOT_JUDGED, not_judged[0].message + also)
    if failed:
        return result(Verdict.WARN, f"SHOULD: {failed[0].title}")
    if all(o.outcome is Outcome.SKIPPED for o in outcomes):
        return result(Verdict.NOT_RUN, outcomes[0].message)
    return result(Verdict.PASS, "")


def why_not_judged(result: RequirementResult) -> str:
    """A few words for a requirement the run did not judge ('needs a second client')."""
    if result.verdict is Verdict.NOT_RUN and result.requirement.unmet:
        return result.requirement.unmet
    return result.reason or result.verdict.value


def results_for(outcomes: list[TestOutcome]) -> list[RequirementResult]:
    """One result per catalog requirement, in catalog order."""
    by_id: dict[str, list[TestOutcome]] = {r.id: [] for r in CATALOG}
    for outcome in outcomes:
        by_id[outcome.requirement_id].append(outcome)
    return [judge(r, by_id[r.id]) for r in CATALOG]


def compare_with_baseline(
    results: list[RequirementResult], previous: Mapping[str, str]
) -> list[RequirementResult]:
    """Mark each result new failure, fixed or unchanged against `previous` (id -> verdict)."""
    for result in results:
        before = previous.get(result.requirement.id)
        now = result.verdict.value
        result.previous = before
        if now in FAILING and before not in FAILING:
            result.change = Change.NEW_FAILURE
        elif before in FAILING and result.verdict is Verdict.PASS:
            result.change = Change.FIXED
        else:
            result.change = Change.UNCHANGED
    return results

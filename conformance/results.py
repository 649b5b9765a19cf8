"""Test outcomes turned into one verdict per requirement, and the run's exit code.

Plain data only: the plugin fills it in, the report writers read it. Nothing here sends a
request or formats HTML.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from conformance.requirements import CATALOG, Level, Requirement


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

EXIT_CONFORMANT, EXIT_NON_CONFORMANT, EXIT_USAGE, EXIT_INCOMPLETE = 0, 1, 2, 3


@dataclass
class TestOutcome:
    """One test of one requirement (part 'must', 'should' or 'info')."""

    __test__ = False  # a data class, not a pytest test class

    test: str
    requirement_id: str
    part: str
    outcome: Outcome
    duration: float
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


@dataclass
class RunResult:
    run_id: str
    target: str
    seed: int
    profile: str
    strict: bool
    started: str
    duration: float
    requests: int
    versions: dict[str, str]
    requirements: list[RequirementResult]
    aborted: str = ""
    """Why the run stopped early (unreachable target), empty when it completed."""
    baseline_run_id: str | None = None
    """The run id of the --baseline report, when one was given."""

    def count(self, verdict: Verdict, level: Level | None = None) -> int:
        return sum(
            1
            for r in self.requirements
            if r.verdict is verdict and (level is None or r.requirement.level is level)
        )

    def judged(self, level: Level) -> int:
        return sum(
            1
            for r in self.requirements
            if r.requirement.level is level
            and r.verdict in (Verdict.PASS, Verdict.FAIL, Verdict.WARN)
        )

    @property
    def exit_code(self) -> int:
        if self.count(Verdict.FAIL) or (self.strict and self.count(Verdict.WARN)):
            return EXIT_NON_CONFORMANT
        if self.aborted or self.count(Verdict.NOT_JUDGED):
            return EXIT_INCOMPLETE
        if not any(r.verdict in (Verdict.PASS, Verdict.WARN) for r in self.requirements):
            return EXIT_INCOMPLETE
        return EXIT_CONFORMANT

    @property
    def conformant(self) -> bool:
        return self.exit_code == EXIT_CONFORMANT

    def closing_line(self) -> str:
        """The one line that says how the run ended and why."""
        must = f"MUST {self.count(Verdict.PASS, Level.MUST)}/{self.judged(Level.MUST)} passed"
        code = self.exit_code
        if code == EXIT_NON_CONFORMANT:
            failed = [r.requirement.id for r in self.requirements if r.verdict is Verdict.FAIL]
            if self.strict:
                failed += [r.requirement.id for r in self.requirements if r.verdict is Verdict.WARN]
            return f"NOT CONFORMANT: {', '.join(failed)} failed ({must})"
        if code == EXIT_INCOMPLETE:
            if self.aborted:
                return f"INCOMPLETE: {self.aborted}"
            missing = [
                r.requirement.id for r in self.requirements if r.verdict is Verdict.NOT_JUDGED
            ]
            if not missing:
                return "INCOMPLETE: no requirement could be judged"
            return f"INCOMPLETE: could not judge {', '.join(missing)} ({must})"
        warned = self.count(Verdict.WARN)
        suffix = f", {warned} SHOULD warning{'s' * (warned != 1)}" if warned else ""
        return f"CONFORMANT: {must}{suffix}"


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

"""The whole run's result: the one MUST / SHOULD count every report shows, the closing line and
the exit code. Plain data: the runner fills it in, the report writers read it."""

from __future__ import annotations

from dataclasses import dataclass

from conformance.requirements import Level
from conformance.results import SequenceCoverage
from conformance.results.verdicts import Outcome, RequirementResult, Verdict, why_not_judged
from conformance.shard import Shard

__all__ = [
    "EXIT_CONFORMANT",
    "EXIT_INCOMPLETE",
    "EXIT_NON_CONFORMANT",
    "EXIT_USAGE",
    "Count",
    "RunResult",
    "count",
    "listed",
]


EXIT_CONFORMANT, EXIT_NON_CONFORMANT, EXIT_USAGE, EXIT_INCOMPLETE = 0, 1, 2, 3


@dataclass(frozen=True)
class Count:
    """How one level fared: the single count behind the closing line, the HTML banner,
    conformance.json and junit.xml."""

    passed: int
    failed: int
    """MUST: requirements whose MUST clause failed. SHOULD: clauses that warned."""
    not_judged: tuple[tuple[str, str], ...] = ()
    """(requirement id, why in a few words) of what the run selected but did not judge."""
    failed_ids: tuple[str, ...] = ()

    @property
    def judged(self) -> int:
        return self.passed + self.failed


def _should_clause(result: RequirementResult) -> Verdict:
    """The verdict of the SHOULD clause of a MUST requirement: WARN, PASS or NOT_JUDGED."""
    parts = [o for o in result.outcomes if o.part == "should"]
    if any(o.outcome is Outcome.FAILED for o in parts):
        return Verdict.WARN
    if any(o.outcome is Outcome.PASSED for o in parts):
        return Verdict.PASS
    return Verdict.NOT_JUDGED


def count(requirements: list[RequirementResult], level: Level) -> Count:
    """MUST: one per MUST requirement (a failed SHOULD clause leaves its MUST clause passed).
    SHOULD: one per SHOULD requirement and one per SHOULD clause of a MUST requirement."""
    passed = failed = 0
    failed_ids: list[str] = []
    unjudged: list[tuple[str, str]] = []
    for result in requirements:
        requirement = result.requirement
        if level is Level.MUST and requirement.level is Level.MUST:
            verdict = result.verdict
            bad = verdict is Verdict.FAIL
            good = verdict in (Verdict.PASS, Verdict.WARN)
        elif level is Level.SHOULD and requirement.level is Level.SHOULD:
            verdict = result.verdict
            bad, good = verdict is Verdict.WARN, verdict is Verdict.PASS
        elif level is Level.SHOULD and requirement.level is Level.MUST and requirement.should:
            verdict = _should_clause(result)
            bad, good = verdict is Verdict.WARN, verdict is Verdict.PASS
        else:
            continue
        if bad:
            failed += 1
            failed_ids.append(requirement.id)
        elif good:
            passed += 1
        elif requirement.level is level:
            unjudged.append((requirement.id, why_not_judged(result)))
        else:
            parts = [o.message for o in result.outcomes if o.part == "should" and o.message]
            why = parts[0] if parts and result.verdict is Verdict.PASS else why_not_judged(result)
            unjudged.append((f"{requirement.id} (SHOULD)", why))
    return Count(passed, failed, tuple(unjudged), tuple(failed_ids))


def listed(items: list[str], most: int = 6) -> str:
    """'A, B, C' with at most `most` items, then 'and N more'."""
    shown = ", ".join(items[:most])
    return shown + (f" and {len(items) - most} more" if len(items) > most else "")


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
    """Why the run stopped early (unreachable target, interruption), empty when it completed."""
    baseline_run_id: str | None = None
    """The run id of the --baseline report, when one was given."""
    interrupted: str = ""
    """The signal that stopped the run ('SIGINT', 'SIGTERM'), empty when it was not stopped."""
    budget_spent: int | None = None
    """The --max-requests limit when the run ran out of it, else None."""
    require_all: bool = False
    """--require-all: a MUST the run did not judge makes it incomplete."""
    rerun: str = ""
    """The command that runs this target again (the console adds --seed and --only)."""
    report_dir: str = ""
    shard: Shard | None = None
    """--shard K/N: the part of the selection this run made (merge joins the parts)."""
    max_requests: int | None = None
    """The --max-requests limit of the run, if any."""
    answers_429: int = 0
    """Answers 429 the run received (each one waited out or given up)."""
    seconds_waited: float = 0.0
    """Seconds the run spent only waiting on rate limits: 429 pauses, pacing, --rate."""
    wait_allowance: float = 0.0
    """--max-rate-limit-wait: the bound on waits the target imposes."""
    rate_cap: float | None = None
    """--rate, when given."""

    @property
    def pacing_line(self) -> str:
        """'12 answers 429, 13.0 s waited': what rate limits cost the run."""
        return f"{self.answers_429} answered 429, {self.seconds_waited:.1f} s waited"

    label: str = ""
    """--label: how the run is named in reports and comparisons (the target's host by default)."""
    sequence_coverage: SequenceCoverage | None = None
    """The orders of actions the state machine tried; None when it did not run (observation)."""

    def count(self, verdict: Verdict, level: Level | None = None) -> int:
        return sum(
            1
            for r in self.requirements
            if r.verdict is verdict and (level is None or r.requirement.level is level)
        )

    @property
    def must(self) -> Count:
        return count(self.requirements, Level.MUST)

    @property
    def should(self) -> Count:
        return count(self.requirements, Level.SHOULD)

    def ids(self, *verdicts: Verdict) -> list[str]:
        """The judged levels' requirements with one of `verdicts` (INFO is never judged)."""
        return [
            r.requirement.id
            for r in self.requirements
            if r.verdict in verdicts and r.requirement.level is not Level.INFO
        ]

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return EXIT_INCOMPLETE
        if self.count(Verdict.FAIL) or (self.strict and self.should.failed):
            return EXIT_NON_CONFORMANT
        if self.aborted or self.ids(Verdict.NOT_JUDGED):
            return EXIT_INCOMPLETE
        if self.require_all and self.must.not_judged:
            return EXIT_INCOMPLETE
        if not any(r.verdict in (Verdict.PASS, Verdict.WARN) for r in self.requirements):
            return EXIT_INCOMPLETE
        return EXIT_CONFORMANT

    @property
    def conformant(self) -> bool:
        return self.exit_code == EXIT_CONFORMANT

    def closing_line(self) -> str:
        """The one line that says how the run ended and why."""
        must = self.must
        counted = f"MUST {must.passed}/{must.judged} passed"
        code = self.exit_code
        judged = sum(
            r.verdict not in (Verdict.NOT_JUDGED, Verdict.NOT_RUN) for r in self.requirements
        )
        of_all = f"{judged} of {len(self.requirements)} requirements"
        spent = (
            f"the request budget of {self.budget_spent} was spent"
            if self.budget_spent is not None
            else ""
        )
        if self.interrupted:
            failed = self.ids(Verdict.FAIL)
            return (
                f"INCOMPLETE: interrupted after {self.requests} requests ({self.interrupted}, "
                f"{self.duration:.0f}s): {of_all} judged, {counted} so far"
                + (f"; already failed: {listed(failed)}" if failed else "")
            )
        if code == EXIT_NON_CONFORMANT:
            failed = self.ids(Verdict.FAIL)
            said = [f"{', '.join(failed)} failed"] if failed else []
            if self.strict:
                warned = [i for i in self.should.failed_ids if i not in failed]
                if warned:
                    said.append(f"{', '.join(warned)} failed a SHOULD (--strict)")
                should = self.should
                counted += f", SHOULD {should.passed}/{should.judged} passed"
            missing = self.ids(Verdict.NOT_JUDGED)
            return f"NOT CONFORMANT: {'; '.join(said)} ({counted})" + (
                f"; {spent}: {len(missing)} not judged" if spent and missing else ""
            )
        if code == EXIT_INCOMPLETE:
            missing = self.ids(Verdict.NOT_JUDGED)
            if self.aborted:
                return f"INCOMPLETE: {self.aborted}"
            if spent and missing:
                return (
                    f"INCOMPLETE: {spent} after {of_all} ({counted}); not judged: "
                    f"{listed(missing)}; raise --max-requests"
                )
            if missing:
                return f"INCOMPLETE: could not judge {listed(missing)} ({counted})"
            if self.require_all and must.not_judged:
                return f"INCOMPLETE: --require-all, and {self._unjudged_musts()} ({counted})"
            return "INCOMPLETE: no requirement could be judged"
        warnings = list(self.should.failed_ids)
        suffix = (
            f", {len(warnings)} SHOULD warning{'s' * (len(warnings) != 1)} ({listed(warnings)})"
            if warnings
            else ""
        )
        if must.not_judged:
            suffix += f"; {self._unjudged_musts()}"
        return f"CONFORMANT: {counted}{suffix}"

    def _unjudged_musts(self) -> str:
        unjudged = self.must.not_judged
        whys = [f"{requirement_id} {why}" for requirement_id, why in unjudged]
        return f"{len(unjudged)} MUST not judged: {listed(whys)}"

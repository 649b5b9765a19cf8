"""Each test's outcome recorded with its evidence, by requirement, and what a failure shows."""

from __future__ import annotations

import dataclasses
import pprint
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import pytest
from hypothesis.errors import Flaky, Unsatisfiable

from conformance.checks.failure import ConformanceFailure
from conformance.not_judged import NotJudgedSkip
from conformance.repro import Reproductions
from conformance.requirements import BY_ID
from conformance.results import Outcome, RequirementResult, TestOutcome, judge
from conformance.runner.examples import ExampleArguments
from conformance.runner.ordering import requirement_of
from conformance.spec import operation, operation_of
from conformance.target import Target
from conformance.transport.client import ApiClient
from conformance.transport.errors import NotJudged, Redirected, TargetUnreachable
from conformance.transport.records import Exchange

__all__ = [
    "REFUSALS_SHOWN",
    "Outcomes",
    "answer_of",
    "minimal_example",
    "underlying_failure",
    "unjudged_reason",
]

REFUSALS_SHOWN = 3
"""Bodies refused as business rules that one test's outcome lists."""


class Outcomes:
    """Every outcome of the run, and how many tests each requirement has still to make."""

    def __init__(self, api: ApiClient, target: Target, examples: ExampleArguments) -> None:
        self.api = api
        self.target = target
        self.examples = examples
        self.recorded: list[TestOutcome] = []
        self.pending: dict[str, int] = {}
        self.done: dict[str, list[TestOutcome]] = defaultdict(list)
        self.finished_requirements = 0
        self._requests_before = 0
        """The run's request count when the current test started."""
        self.reproductions = Reproductions(target, api.session.redactor)

    def expect(self, items: Iterable[pytest.Item]) -> None:
        """Count the tests of each requirement the run is about to make."""
        for item in items:
            requirement_id = requirement_of(item)[0]
            self.pending[requirement_id] = self.pending.get(requirement_id, 0) + 1

    def test_started(self) -> None:
        self._requests_before = self.api.budget.used

    def unfinished(self) -> list[str]:
        """The requirements with tests still to make."""
        return [i for i, left in self.pending.items() if left > 0]

    def not_judged(self, requirement_ids: Iterable[str], message: str, info: bool = False) -> None:
        """One "not judged" outcome for each requirement (INFO ones only when `info`)."""
        for requirement_id in requirement_ids:
            if info or BY_ID[requirement_id].level.value != "INFO":
                self.recorded.append(
                    TestOutcome(
                        test="(not reached)",
                        requirement_id=requirement_id,
                        part="info" if BY_ID[requirement_id].level.value == "INFO" else "must",
                        outcome=Outcome.NOT_JUDGED,
                        duration=0.0,
                        message=message,
                    )
                )

    def record(
        self, item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport
    ) -> RequirementResult | None:
        """Record a test's outcome; the verdict of its requirement when that was its last test."""
        requirement_id, part = requirement_of(item)
        outcome = TestOutcome(
            test=item.nodeid,
            requirement_id=requirement_id,
            part=part,
            outcome=Outcome.PASSED,
            duration=report.duration,
            requests=self.api.budget.used - self._requests_before,
            observations=list(getattr(item, "conformance_observations", [])),
        )
        error = call.excinfo.value if call.excinfo else None
        if isinstance(error, NotJudgedSkip | NotJudged):
            outcome.outcome, outcome.message = (
                Outcome.NOT_JUDGED,
                str(error.args[0] if error.args else error),
            )
        elif report.skipped:
            outcome.outcome = Outcome.SKIPPED
            outcome.message = str(getattr(error, "msg", "") or error or "")
        elif report.failed and not isinstance(
            underlying_failure(error), ConformanceFailure | Redirected | TargetUnreachable
        ):
            # Not a verdict on the target: the suite itself broke (or Hypothesis found no
            # example it could use). Said loudly, never blamed on the target.
            outcome.outcome = Outcome.NOT_JUDGED
            outcome.message = self.api.session.redactor.text(unjudged_reason(error)) or ""
        elif report.failed:
            outcome.outcome = Outcome.FAILED
            error = underlying_failure(error)
            self._describe_failure(outcome, error, item)
            self._reproduce(outcome, error)
        if outcome.outcome is not Outcome.PASSED or part == "info":
            outcome.exchanges = [e.as_dict() for e in self.api.journal.current]
        if self.api.journal.refusals:
            outcome.observations.extend(
                f"the target refused a well-formed body (judged with bodies it accepts): {r}"
                for r in self.api.journal.refusals[:REFUSALS_SHOWN]
            )
            self.api.journal.refusals.clear()
        if outcome.outcome is Outcome.FAILED:
            outcome.answers = [answer_of(e, self.target.api_root) for e in self._culprits(error)]
        self.recorded.append(outcome)
        broken = getattr(error, "requirement", "")
        if outcome.outcome is Outcome.FAILED and broken in BY_ID and broken != requirement_id:
            self._record_broken(outcome, broken)
        self.done[requirement_id].append(outcome)
        self.pending[requirement_id] -= 1
        if self.pending[requirement_id] != 0:
            return None
        self.finished_requirements += 1
        return judge(BY_ID[requirement_id], self.done[requirement_id])

    def _describe_failure(
        self, outcome: TestOutcome, error: BaseException | None, item: pytest.Item
    ) -> None:
        outcome.minimal_example = (
            self.api.session.redactor.text(
                minimal_example(item.name, self.examples.of(item.nodeid), error)
            )
            or ""
        )
        # A test that shrinks by itself (the state machine) carries its own minimal example.
        own = getattr(error, "minimal_example", "") if error else ""
        if own and not outcome.minimal_example:
            outcome.minimal_example = self.api.session.redactor.text(str(own)) or ""
        if isinstance(error, ConformanceFailure | Redirected):
            outcome.title, outcome.expected, outcome.received = (
                error.title,
                error.expected,
                error.received,
            )
        elif isinstance(error, TargetUnreachable):
            outcome.title = f"The target stopped answering: {error}"
        outcome.message = str(
            self.api.session.redactor.text(
                f"{outcome.title}\nExpected: {outcome.expected}\nReceived: {outcome.received}"
            )
        )

    def _culprits(self, error: BaseException | None) -> list[Exchange]:
        """The exchanges a failure was judged on: the answers its check named, else those the
        test cited, else the last one it got."""
        named = set(getattr(error, "answers", None) or ())
        if named:
            found = [e for e in self.api.journal.current if e.seq in named]
            if found:
                return found
        return self.api.journal.cited or self.api.journal.current[-1:]

    def _reproduce(self, outcome: TestOutcome, error: BaseException | None) -> None:
        """Write the failure's reproduction (conformance.repro) and name it in Received."""
        made = self.reproductions.write(
            self.api.journal,
            error,
            test=outcome.test,
            requirement=outcome.requirement_id,
            failure=(outcome.title, outcome.expected, outcome.received),
        )
        outcome.repro_script, outcome.repro_pytest = made.script, made.pytest
        outcome.repro_files = [str(made.script_path), str(made.pytest_path)]
        outcome.received += f"\nReproduce: {made.command}"
        outcome.message += f"\nReproduce: {made.command}"

    def _record_broken(self, outcome: TestOutcome, broken: str) -> None:
        """A test that judges several requirements (the state machine) found a violation of
        `broken`: it is a failure of that requirement too, with the same evidence."""
        self.recorded.append(
            dataclasses.replace(outcome, requirement_id=broken, part="must", observations=[])
        )
        self.done[broken].append(self.recorded[-1])


def answer_of(exchange: Exchange, api_root: str) -> tuple[str, str]:
    """What a failure was judged on, as (grouping key, description). A 5xx or a transport
    error of one operation is one answer wherever it came; any other answer is that exchange."""
    path = exchange.url.removeprefix(api_root) or exchange.url
    answered = operation_of(exchange.method, exchange.url, api_root)
    shape = operation(answered).relative_path() if answered else path.split("?", 1)[0]
    got = exchange.error or str(exchange.status)
    if exchange.error or (exchange.status or 0) >= 500:
        return f"{exchange.method} {shape} {got}", f"{exchange.method} {shape} -> {got}"
    return f"#{exchange.seq}", f"{exchange.method} {path} -> {got}"


def unjudged_reason(error: BaseException | None) -> str:
    if isinstance(error, Unsatisfiable):
        return (
            "every example was dropped: the target refused every body the test drew "
            "(see the bodies it refused)"
        )
    return (
        "the suite could not judge this (a defect of the suite, please report it): "
        f"{type(error).__name__}: {str(error)[:300]}"
    )


def underlying_failure(error: BaseException | None) -> BaseException | None:
    """The violation inside an exception group (Hypothesis' Flaky errors are groups), so the
    report shows what was seen rather than "Unexpected error: FlakyFailure"."""
    if isinstance(error, BaseExceptionGroup):
        for inner in error.exceptions:
            found = underlying_failure(inner)
            if isinstance(found, ConformanceFailure):
                if isinstance(error, Flaky):
                    found.received += " (it did not happen again when the example was replayed)"
                return found
    return error


def minimal_example(
    name: str, arguments: dict[str, Any] | None, error: BaseException | None
) -> str:
    """The failing example as a call with its generated arguments, then Hypothesis' notes on
    interactive draws (`Draw 1 (label): ...`). Hypothesis replays the shrunk example last, so the
    latest arguments are the minimal ones."""
    if arguments is None:
        return ""
    lines = [f"{name}("]
    lines += [
        f"    {key}={pprint.pformat(value, width=90)},"
        for key, value in arguments.items()
        if type(value).__name__ != "DataObject"
    ]
    lines.append(")")
    notes = getattr(error, "__notes__", []) if error else []
    lines += [note for note in notes if note.startswith("Draw ")]
    return "\n".join(lines)

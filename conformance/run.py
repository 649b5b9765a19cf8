"""One conformance run inside pytest: orders and seeds the tests, records each outcome with its
evidence, prints a progress line per requirement, and at the end writes the reports and sets
the exit code.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import pprint
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import hypothesis
import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.errors import Flaky

from conformance import __version__
from conformance.client import ApiClient
from conformance.failures import ConformanceFailure
from conformance.http import NotJudged, Redirected, TargetUnreachable
from conformance.not_judged import NotJudgedSkip
from conformance.repro import Reproductions
from conformance.requirements import BY_ID, CATALOG
from conformance.results import (
    Outcome,
    RequirementResult,
    RunResult,
    TestOutcome,
    Verdict,
    compare_with_baseline,
    judge,
    results_for,
)
from conformance.strategies import seed_values, set_run_tag
from conformance.target import Target

PROFILE_EXAMPLES = {"fast": 10, "default": 25, "thorough": 100}
STATEFUL_STEPS = {"fast": 10, "default": 25, "thorough": 60}
# Requirements that judge every exchange of the run, or wait on the clock, run last.
LAST = (
    "REPLAY-DELAYED",
    "KEY-EXPIRY",
    "ERR-SHAPE",
    "ERR-NO-5XX",
    "SCHEMA-RESPONSES",
    "RATE-LIMIT",
    "RATE-NOT-STORED",
)
CATALOG_ORDER = {r.id: i for i, r in enumerate(CATALOG)}
REFUSALS_SHOWN = 3
"""Bodies refused as business rules that one test's outcome lists."""


def requirement_of(item: pytest.Item) -> tuple[str, str]:
    marker = item.get_closest_marker("requirement")
    if marker is None:
        raise pytest.UsageError(f"{item.nodeid} has no requirement marker")
    requirement_id = marker.args[0]
    if requirement_id not in BY_ID:
        raise pytest.UsageError(f"{item.nodeid} names unknown requirement {requirement_id!r}")
    part = marker.kwargs.get("part", "must")
    if part not in ("must", "should"):
        raise pytest.UsageError(f"{item.nodeid}: part must be 'must' or 'should', not {part!r}")
    if BY_ID[requirement_id].level.value == "INFO":
        part = "info"
    return requirement_id, part


def hypothesis_settings(profile: str) -> settings:
    return settings(
        max_examples=PROFILE_EXAMPLES[profile],
        stateful_step_count=STATEFUL_STEPS[profile],
        deadline=None,
        database=None,
        derandomize=False,
        print_blob=False,
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )


def load_profile(profile: str) -> None:
    settings.register_profile(f"conformance-{profile}", hypothesis_settings(profile))
    settings.load_profile(f"conformance-{profile}")


class ConformanceRun:
    def __init__(self, config: pytest.Config, target: Target) -> None:
        self.config = config
        self.target = target
        self.api = ApiClient.for_target(target)
        self.outcomes: list[TestOutcome] = []
        self.pending: dict[str, int] = {}
        self.done: dict[str, list[TestOutcome]] = defaultdict(list)
        self.started = datetime.now(UTC)
        self.clock = time.monotonic()
        self.aborted = ""
        self.result: RunResult | None = None
        self.current_test = ""
        self.examples: dict[str, dict[str, Any]] = {}
        """The arguments of each Hypothesis test's latest example (the minimal one on failure)."""
        self.baseline = read_baseline(target.baseline) if target.baseline else None
        self.reproductions = Reproductions(target, self.api.session.redactor)

    # -- before the tests -------------------------------------------------------------------
    def prepare(self, items: list[pytest.Item]) -> None:
        selected = [item for item in items if self.target.runs(requirement_of(item)[0])]
        deselected = [item for item in items if item not in selected]
        if deselected:
            self.config.hook.pytest_deselected(items=deselected)
        items[:] = sorted(selected, key=self._order)
        for item in items:
            requirement_id = requirement_of(item)[0]
            self.pending[requirement_id] = self.pending.get(requirement_id, 0) + 1
        set_run_tag(self.target.run_id)
        seed_values(self.target.seed)
        for item in items:
            self._wrap_hypothesis(item)
        self._say(
            f"conformance run {self.target.run_id} against {self.target.api_root}: "
            f"{len(self.pending)} requirements, profile {self.target.profile}, "
            f"seed {self.target.seed} (rerun with --seed {self.target.seed})"
        )
        self._preflight()

    def _order(self, item: pytest.Item) -> tuple[int, int]:
        requirement_id = requirement_of(item)[0]
        if requirement_id in LAST:
            return (1, LAST.index(requirement_id))
        return (0, CATALOG_ORDER[requirement_id])

    def _wrap_hypothesis(self, item: pytest.Item) -> None:
        """Seed the test and wrap its inner test once (parametrized items share the function):
        each example starts a new evidence list and records its arguments; NotJudged becomes
        a skip, which Hypothesis re-raises without shrinking."""
        test = getattr(item, "obj", None)
        handle = getattr(test, "hypothesis", None)
        if handle is None or getattr(handle, "conformance_wrapped", False):
            return
        hypothesis.seed(self.target.seed)(test)
        inner = handle.inner_test
        fixtures = set(getattr(item, "fixturenames", ()))

        @functools.wraps(inner)
        def each_example(*args: Any, **kwargs: Any) -> Any:
            self.api.journal.new_example()
            self.examples[self.current_test] = {
                k: v for k, v in kwargs.items() if k not in fixtures
            }
            try:
                return inner(*args, **kwargs)
            except NotJudged as error:
                raise NotJudgedSkip(str(error)) from None

        handle.inner_test = each_example
        handle.conformance_wrapped = True

    def _preflight(self) -> None:
        """One request to see that the target answers at all; exit 3 with one line if not.
        Any answer will do (a redirect or a 429 too: the tests judge those)."""
        try:
            self.api.get(f"conformance-preflight-{self.target.run_id}")
        except (Redirected, NotJudged) as error:
            if not isinstance(error, TargetUnreachable):
                return
            self.aborted = f"the target could not be reached: {error} ({self.target.base_url})"
            for requirement_id in self.pending:
                if BY_ID[requirement_id].level.value != "INFO":
                    self.outcomes.append(
                        TestOutcome(
                            test="preflight",
                            requirement_id=requirement_id,
                            part="must",
                            outcome=Outcome.NOT_JUDGED,
                            duration=0.0,
                            message=self.aborted,
                        )
                    )
            self._finish()
            pytest.exit(self.aborted, returncode=3)

    # -- around each test -------------------------------------------------------------------
    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        self.current_test = item.nodeid
        self.api.journal.new_example()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Any:
        try:
            return (yield)
        except NotJudged as error:
            raise NotJudgedSkip(str(error)) from None

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
        report = yield
        if call.when == "call" or (call.when == "setup" and not report.passed):
            self._record(item, call, report)
        return report

    def _record(
        self, item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport
    ) -> None:
        requirement_id, part = requirement_of(item)
        outcome = TestOutcome(
            test=item.nodeid,
            requirement_id=requirement_id,
            part=part,
            outcome=Outcome.PASSED,
            duration=report.duration,
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
        self.outcomes.append(outcome)
        broken = getattr(error, "requirement", "")
        if outcome.outcome is Outcome.FAILED and broken in BY_ID and broken != requirement_id:
            self._record_broken(outcome, broken)
        self.done[requirement_id].append(outcome)
        self.pending[requirement_id] -= 1
        if self.pending[requirement_id] == 0:
            self._progress(requirement_id)

    def _describe_failure(
        self, outcome: TestOutcome, error: BaseException | None, item: pytest.Item
    ) -> None:
        outcome.minimal_example = (
            self.api.session.redactor.text(
                minimal_example(item.name, self.examples.get(item.nodeid), error)
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
        else:
            outcome.title = f"Unexpected error: {type(error).__name__}"
            outcome.received = self.api.session.redactor.text(str(error)) or ""
        outcome.message = str(
            self.api.session.redactor.text(
                f"{outcome.title}\nExpected: {outcome.expected}\nReceived: {outcome.received}"
            )
        )

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
        self.outcomes.append(
            dataclasses.replace(outcome, requirement_id=broken, part="must", observations=[])
        )
        self.done[broken].append(self.outcomes[-1])

    def _progress(self, requirement_id: str) -> None:
        result = judge(BY_ID[requirement_id], self.done[requirement_id])
        self._say(
            f"  {requirement_id:<26} {result.requirement.level.value:<6} "
            f"{result.verdict.value:<10} {result.duration:6.1f}s"
            + (f"  {result.reason}" if result.verdict is not Verdict.PASS and result.reason else "")
        )

    # -- after the tests --------------------------------------------------------------------
    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.result is None:
            self._finish()
        if self.result is not None:
            session.exitstatus = self.result.exit_code

    def _finish(self) -> None:
        from conformance.report import print_summary, write_reports

        self.result = RunResult(
            run_id=self.target.run_id,
            target=self.target.api_root,
            seed=self.target.seed,
            profile=self.target.profile,
            strict=self.target.strict,
            started=self.started.isoformat(timespec="seconds"),
            duration=round(time.monotonic() - self.clock, 2),
            requests=self.api.budget.used,
            versions=versions(),
            requirements=self._results(),
            aborted=self.aborted,
            baseline_run_id=self.baseline[0] if self.baseline else None,
        )
        paths = write_reports(self.result, self.target.report_dir)
        print_summary(self.result, self._say)
        self._say(f"reports: {', '.join(str(p) for p in paths)}")
        self._say(self.result.closing_line())

    def _results(self) -> list[RequirementResult]:
        results = results_for(self.outcomes)
        if self.target.only is not None:
            results = [r for r in results if r.requirement.id in self.target.only]
        if self.baseline is not None:
            compare_with_baseline(results, self.baseline[1])
        return results

    def _say(self, line: str) -> None:
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(line)
        else:
            print(line, file=sys.stdout, flush=True)


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


def versions() -> dict[str, str]:
    from conformance import spec

    return {
        "suite": __version__,
        "spec": str(spec.load_spec().get("info", {}).get("version")),
        "hypothesis": hypothesis.__version__,
    }


def read_baseline(path: Path) -> tuple[str, dict[str, str]]:
    """An earlier conformance.json (checked by build_target) as its run id and verdicts by id."""
    data = json.loads(path.read_text(encoding="utf-8"))
    verdicts = {entry["id"]: entry["verdict"] for entry in data["requirements"]}
    return str(data.get("run_id", path)), verdicts

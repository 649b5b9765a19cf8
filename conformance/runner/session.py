"""ConformanceRun: the pytest hooks of one conformance run, each handing its work to a part."""

from __future__ import annotations

import sys
import time
from collections.abc import Generator
from datetime import UTC, datetime

import pytest

from conformance.not_judged import NotJudgedSkip
from conformance.preflight import PreflightRefused, preflight
from conformance.results import RunResult, SequenceCoverage
from conformance.runner.examples import ExampleArguments
from conformance.runner.ordering import requirement_of, selection
from conformance.runner.outcomes import Outcomes
from conformance.runner.progress import Console, Heartbeat, opening_line, requirement_line
from conformance.runner.run_result import read_baseline, run_result
from conformance.runner.stopping import StopHandlers
from conformance.strategies import seed_values, set_run_tag
from conformance.target import Target
from conformance.transport.client import ApiClient
from conformance.transport.errors import NotJudged, TargetUnreachable

__all__ = ["ConformanceRun"]


class ConformanceRun:
    """One run per pytest session: orders and seeds the tests, records each outcome with its
    evidence, prints a progress line per requirement, stops on SIGINT / SIGTERM, and at the end
    writes the reports and sets the exit code."""

    def __init__(self, config: pytest.Config, target: Target) -> None:
        self.config = config
        self.target = target
        self.api = ApiClient.for_target(target)
        self.started = datetime.now(UTC)
        self.clock = time.monotonic()
        self.aborted = ""
        self.result: RunResult | None = None
        self.baseline = read_baseline(target.baseline) if target.baseline else None
        self.refused = ""
        """The preflight's one line when the configuration is wrong (exit 2, no report)."""
        self.examples = ExampleArguments(self.api.journal, target.seed)
        self.outcomes = Outcomes(self.api, target, self.examples)
        self.stop_handlers = StopHandlers(self.api.budget)
        self.console = Console(config)
        self.heartbeat = Heartbeat(self.api, self.console)
        self.sequence_coverage: SequenceCoverage | None = None

    def record_sequence_coverage(self, coverage: SequenceCoverage) -> None:
        """What the state machine covered, for the reports (RunContext)."""
        self.sequence_coverage = coverage

    # -- before the tests -------------------------------------------------------------------
    def prepare(self, items: list[pytest.Item]) -> None:
        selected, deselected = selection(items, self.target)
        if deselected:
            self.config.hook.pytest_deselected(items=deselected)
        items[:] = selected
        self.outcomes.expect(items)
        set_run_tag(self.target.run_id)
        seed_values(self.target.seed, str(self.target.shard or ""))
        for item in items:
            self.examples.wrap(item)
        self.console.say(opening_line(self.target, len(self.outcomes.pending)))
        self.stop_handlers.install()
        self._preflight()
        self.heartbeat.start()

    def _preflight(self) -> None:
        """A few requests before the first test (conformance.preflight): exit 3 with one line
        when the target does not answer, exit 2 with one line (and no verdict) when the URL or
        the credentials are wrong."""
        try:
            preflight(self.api)
        except PreflightRefused as error:
            self.refused = str(error)
            print(f"devdraft-conformance: configuration error: {error}", file=sys.stderr)
            pytest.exit(self.refused, returncode=2)
        except TargetUnreachable as error:
            self.aborted = f"the target could not be reached: {error} ({self.target.base_url})"
            self.outcomes.not_judged(self.outcomes.pending, self.aborted)
            self._finish()
            pytest.exit(self.aborted, returncode=3)

    # -- around each test -------------------------------------------------------------------
    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        self.examples.current_test = item.nodeid
        self.api.journal.new_example()
        self.outcomes.test_started()
        self.heartbeat.test_started(requirement_of(item)[0])

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, object, object]:
        try:
            return (yield)
        except NotJudged as error:
            raise NotJudgedSkip(str(error)) from None

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        if call.when == "call" or (call.when == "setup" and not report.passed):
            self.heartbeat.test_ended()
            finished = self.outcomes.record(item, call, report)
            if finished is not None:
                counted = (self.outcomes.finished_requirements, len(self.outcomes.pending))
                self.console.say(requirement_line(finished, *counted))
        return report

    # -- after the tests --------------------------------------------------------------------
    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.refused:
            self.stop_handlers.restore()
            session.exitstatus = 2
            return
        if self.result is None:
            self._finish()
        if self.result is not None:
            session.exitstatus = self.result.exit_code

    def _finish(self) -> None:
        from conformance.report import print_summary, write_reports

        interrupted = self.stop_handlers.finish()
        self.heartbeat.stop()
        if interrupted:
            self.aborted = f"interrupted by {interrupted}; what it had not finished is not judged"
            self.outcomes.not_judged(
                self.outcomes.unfinished(), f"the run was interrupted ({interrupted})", info=True
            )
            self.console.say(f"{interrupted}: stopped sending; writing the reports")
        self.result = run_result(
            self.target,
            self.api,
            self.outcomes.recorded,
            started=self.started,
            clock=self.clock,
            aborted=self.aborted,
            interrupted=interrupted,
            baseline=self.baseline,
            sequence_coverage=self.sequence_coverage,
        )
        paths = write_reports(self.result, self.target.report_dir)
        print_summary(self.result, self.console.say)
        self.console.say(f"reports: {', '.join(str(p) for p in paths)}")
        self.console.say(self.result.closing_line())
        self.stop_handlers.restore()

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        self.console.close()

"""One conformance run inside pytest: orders and seeds the tests, records each outcome with its
evidence, prints a progress line per requirement, and at the end writes the reports and sets
the exit code.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import pprint
import shlex
import signal
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import hypothesis
import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.errors import Flaky, Unsatisfiable

from conformance import __version__
from conformance.client import ApiClient
from conformance.failures import ConformanceFailure
from conformance.http import Exchange, Interrupted, NotJudged, Redirected, TargetUnreachable
from conformance.not_judged import NotJudgedSkip
from conformance.preflight import PreflightRefused, preflight
from conformance.profiles import PROFILES
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
from conformance.shard import SCANS_THE_RUN
from conformance.strategies import seed_values, set_run_tag
from conformance.target import Target

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
HEARTBEAT = 5.0
"""Seconds between the progress notes of a requirement that is still running."""
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_stopped_by: list[str] = []
"""The stop signal this process received, if any (set by either handler)."""


def stop_signal() -> str:
    """'SIGINT' or 'SIGTERM' once the process was told to stop, else ''."""
    return _stopped_by[0] if _stopped_by else ""


def on_stop_signal(signum: int, frame: Any) -> None:
    """The handler before a run has its own (devdraft-conformance installs it first thing):
    a SIGTERM too unwinds like Ctrl-C instead of killing the process."""
    _stopped_by.append(signal.Signals(signum).name)
    raise Interrupted(stop_signal())


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
        max_examples=PROFILES[profile].examples,
        stateful_step_count=PROFILES[profile].stateful_steps,
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


def keep_hypothesis_out_of_the_working_directory() -> None:
    """Hypothesis caches data (unicode tables, constants) under ./.hypothesis even without an
    example database; a run of the suite points it at the user's cache instead, unless
    HYPOTHESIS_STORAGE_DIRECTORY says where."""
    if os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
        return
    from hypothesis.configuration import set_hypothesis_home_dir

    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    for folder in (
        Path(cache) / "devdraft-conformance" / "hypothesis",
        Path(tempfile.gettempdir()) / f"devdraft-conformance-{os.getuid()}" / "hypothesis",
    ):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        set_hypothesis_home_dir(folder)
        return


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
        self.refused = ""
        """The preflight's one line when the configuration is wrong (exit 2, no report)."""
        self.interrupted = ""
        """SIGINT or SIGTERM once the run was told to stop."""
        self.finishing = False
        self.finished_requirements = 0
        self.running: tuple[str, float, int, int] | None = None
        """The test in progress: requirement id, start, examples and requests before it."""
        self._previous_handlers: dict[int, Any] = {}
        self._previous_unraisable_hook: Any = None
        self._say_lock = threading.Lock()
        self._console = _real_stdout()
        """The console itself: pytest captures stdout while a test runs, and the heartbeat
        speaks while one does."""
        self._heartbeat_stop = threading.Event()
        self._heartbeat: threading.Thread | None = None
        self.reproductions = Reproductions(target, self.api.session.redactor)

    # -- before the tests -------------------------------------------------------------------
    def prepare(self, items: list[pytest.Item]) -> None:
        selected = [item for item in items if self._makes(item)]
        deselected = [item for item in items if item not in selected]
        if deselected:
            self.config.hook.pytest_deselected(items=deselected)
        items[:] = sorted(selected, key=self._order)
        for item in items:
            requirement_id = requirement_of(item)[0]
            self.pending[requirement_id] = self.pending.get(requirement_id, 0) + 1
        set_run_tag(self.target.run_id)
        seed_values(self.target.seed, str(self.target.shard or ""))
        for item in items:
            self._wrap_hypothesis(item)
        self._say(
            f"conformance run {self.target.run_id} against {self.target.api_root}: "
            f"{len(self.pending)} requirements, profile {self.target.profile}, "
            f"seed {self.target.seed} (rerun with --seed {self.target.seed})"
            + (f", shard {self.target.shard}" if self.target.shard else "")
        )
        self._handle_stop_signals()
        self._preflight()
        self._clear_stale_reproductions()
        self._heartbeat = threading.Thread(
            target=self._beat, name="conformance-heartbeat", daemon=True
        )
        self._heartbeat.start()

    def _makes(self, item: pytest.Item) -> bool:
        """Whether this run makes the test: its requirement is this run's (see Target.runs),
        or it scans every exchange of a selected requirement (which every shard does)."""
        requirement_id = requirement_of(item)[0]
        scans = item.get_closest_marker(SCANS_THE_RUN) is not None
        return self.target.runs(requirement_id) or (scans and self.target.selects(requirement_id))

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
            self._not_judged_all(self.pending, self.aborted)
            self._finish()
            pytest.exit(self.aborted, returncode=3)

    def _not_judged_all(self, requirement_ids: Any, message: str, info: bool = False) -> None:
        for requirement_id in requirement_ids:
            if info or BY_ID[requirement_id].level.value != "INFO":
                self.outcomes.append(
                    TestOutcome(
                        test="(not reached)",
                        requirement_id=requirement_id,
                        part="info" if BY_ID[requirement_id].level.value == "INFO" else "must",
                        outcome=Outcome.NOT_JUDGED,
                        duration=0.0,
                        message=message,
                    )
                )

    def _clear_stale_reproductions(self) -> None:
        """The state machine's reproductions of an earlier run must not pass for this run's."""
        folder = self.target.report_dir / "repro"
        if not folder.is_dir():
            return
        for path in folder.iterdir():
            if path.is_file() or path.is_symlink():
                path.unlink()
            elif path.name == "__pycache__":
                for cached in path.iterdir():
                    cached.unlink()
                path.rmdir()

    # -- stopping on SIGINT / SIGTERM ------------------------------------------------------
    def _handle_stop_signals(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for signum in STOP_SIGNALS:
            self._previous_handlers[signum] = signal.signal(signum, self._on_stop_signal)
        self._previous_unraisable_hook = sys.unraisablehook
        sys.unraisablehook = self._unraisable

    def _unraisable(self, unraisable: Any) -> None:
        """The stop signal raises Interrupted wherever the main thread is; when that is a
        finalizer (a generator closed by the garbage collector, say), Python cannot raise it
        and reports it as unraisable, with a traceback. That is the stop itself, not an error."""
        if isinstance(unraisable.exc_value, Interrupted):
            return
        self._previous_unraisable_hook(unraisable)

    def _on_stop_signal(self, signum: int, frame: Any) -> None:
        """Stop sending at once (requests in flight are cut off) and unwind the test in
        progress; pytest then ends the session and the reports are written. Nothing is printed
        here: the main thread may be in the middle of a print."""
        if self.finishing:
            return
        _stopped_by.append(signal.Signals(signum).name)
        self.interrupted = self.interrupted or stop_signal()
        self.api.budget.stop(self.interrupted)
        raise Interrupted(self.interrupted)

    def _restore_signal_handlers(self) -> None:
        for signum, handler in self._previous_handlers.items():
            signal.signal(signum, handler)
        self._previous_handlers.clear()
        if self._previous_unraisable_hook is not None:
            sys.unraisablehook = self._previous_unraisable_hook
            self._previous_unraisable_hook = None

    # -- progress inside a long requirement ------------------------------------------------
    def _beat(self) -> None:
        """Every HEARTBEAT seconds that one test runs, a line with what it has done so far."""
        said: tuple[str, float, int, int] | None = None
        last = 0.0
        while not self._heartbeat_stop.wait(0.5):
            running = self.running
            if running is None:
                continue
            requirement_id, started, examples, requests = running
            if said is not running:
                said, last = running, started
            now = time.monotonic()
            if now - last < HEARTBEAT:
                continue
            last = now
            elapsed = now - started
            done = self.api.journal.examples - examples
            sent = self.api.budget.used - requests
            self._say(
                f"      ... {requirement_id} still running: "
                + (f"{_many(done, 'example')}, " if done else "")
                + f"{_many(sent, 'request')}, {elapsed:.0f}s",
                during_a_test=True,
            )

    # -- around each test -------------------------------------------------------------------
    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        self.current_test = item.nodeid
        self.api.journal.new_example()
        self.running = (
            requirement_of(item)[0],
            time.monotonic(),
            self.api.journal.examples,
            self.api.budget.used,
        )

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
            self.running = None
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
        self.outcomes.append(
            dataclasses.replace(outcome, requirement_id=broken, part="must", observations=[])
        )
        self.done[broken].append(self.outcomes[-1])

    def _progress(self, requirement_id: str) -> None:
        result = judge(BY_ID[requirement_id], self.done[requirement_id])
        self.finished_requirements += 1
        total = len(self.pending)
        counter = f"[{self.finished_requirements:>{len(str(total))}}/{total}]"
        self._say(
            f"  {counter} {requirement_id:<26} {result.requirement.level.value:<6} "
            f"{result.verdict.value:<10} {result.duration:6.1f}s"
            + (f"  {result.reason}" if result.verdict is not Verdict.PASS and result.reason else "")
        )

    # -- after the tests --------------------------------------------------------------------
    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.refused:
            self._restore_signal_handlers()
            session.exitstatus = 2
            return
        if self.result is None:
            self._finish()
        if self.result is not None:
            session.exitstatus = self.result.exit_code

    def _finish(self) -> None:
        from conformance.report import print_summary, write_reports

        self.finishing = True
        self._heartbeat_stop.set()
        self.running = None
        self.interrupted = self.interrupted or stop_signal()
        if self.interrupted:
            self.aborted = (
                f"interrupted by {self.interrupted}; what it had not finished is not judged"
            )
            unfinished = [i for i, left in self.pending.items() if left > 0]
            self._not_judged_all(
                unfinished, f"the run was interrupted ({self.interrupted})", info=True
            )
            self._say(f"{self.interrupted}: stopped sending; writing the reports")
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
            interrupted=self.interrupted,
            budget_spent=self.target.max_requests if self.api.budget.refused else None,
            require_all=self.target.require_all,
            rerun=self.target.rerun or self._plain_pytest_rerun(),
            report_dir=str(self.target.report_dir),
            shard=self.target.shard,
            max_requests=self.target.max_requests,
            answers_429=sum(1 for e in self.api.journal.all if e.status == 429),
            seconds_waited=round(self.api.session.allowance.waited, 2),
            wait_allowance=self.target.max_rate_limit_wait,
            rate_cap=self.target.rate,
            label=self.target.label,
        )
        paths = write_reports(self.result, self.target.report_dir)
        print_summary(self.result, self._say)
        self._say(f"reports: {', '.join(str(p) for p in paths)}")
        self._say(self.result.closing_line())
        self._restore_signal_handlers()

    def _plain_pytest_rerun(self) -> str:
        target = self.target
        command = f"pytest --pyargs conformance.suite --base-url {shlex.quote(target.base_url)}"
        if target.path_prefix != "/api/v0":
            command += f" --path-prefix {shlex.quote(target.path_prefix)}"
        if target.profile != "default":
            command += f" --profile {target.profile}"
        return command

    def _results(self) -> list[RequirementResult]:
        results = results_for(self.outcomes)
        if self.target.only is not None:
            results = [r for r in results if r.requirement.id in self.target.only]
        if self.baseline is not None:
            compare_with_baseline(results, self.baseline[1])
        return results

    def _say(self, line: str, during_a_test: bool = False) -> None:
        with self._say_lock:  # the heartbeat prints from its own thread
            reporter = self.config.pluginmanager.get_plugin("terminalreporter")
            if reporter is not None and not during_a_test:
                reporter.write_line(line)
            elif self._console is not None:
                self._console.write(line + "\n")
                self._console.flush()
            elif not during_a_test:
                print(line, file=sys.stdout, flush=True)

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        if self._console is not None:
            self._console.close()
            self._console = None


def _many(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"


def _real_stdout() -> Any:
    """A file on the process's stdout that pytest's capturing does not redirect (a duplicate
    of the descriptor, taken while capturing is suspended), or None."""
    try:
        return open(
            os.dup(sys.stdout.fileno()), "w", encoding="utf-8", errors="replace", closefd=True
        )
    except (AttributeError, OSError, ValueError):
        return None


def answer_of(exchange: Exchange, api_root: str) -> tuple[str, str]:
    """What a failure was judged on, as (grouping key, description). A 5xx or a transport
    error of one operation is one answer wherever it came; any other answer is that exchange."""
    path = exchange.url.removeprefix(api_root) or exchange.url
    parts = path.split("/")
    if len(parts) > 2 and parts[1] == "test-payment":
        parts[2] = "{id}"
    shape = "/".join(parts).split("?", 1)[0]
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

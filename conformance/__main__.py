"""devdraft-conformance: the suite as a command, for laptops and CI jobs.

Builds its options from the same table as the pytest plugin, checks them (exit 2 with one line
on a mistake), optionally starts the embedded reference server, and runs the suite through
pytest with pytest's own console output replaced by the suite's progress lines.
"""

from __future__ import annotations

import argparse
import io
import secrets
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext, redirect_stderr
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from conformance import __version__
from conformance.merge import MergeError, load_part, merge
from conformance.options import OPTIONS, register
from conformance.plugin import PresetTarget
from conformance.requirements import CATALOG
from conformance.results import EXIT_INCOMPLETE, EXIT_USAGE
from conformance.runner import (
    STOP_SIGNALS,
    on_stop_signal,
    read_baseline,
    rerun_command,
    stop_signal,
)
from conformance.target import ConformanceConfigError, build_target, check_baseline
from conformance.transport.errors import Interrupted
from conformance.workers import report, run_workers

__all__ = [
    "PYTEST_ARGS",
    "REFERENCE_SETS",
    "SUITE_DIR",
    "check_reference_options",
    "compare_command",
    "compare_parser",
    "main",
    "merge_command",
    "merge_parser",
    "parser",
    "print_catalog",
    "reference_server",
]

SUITE_DIR = Path(__file__).parent / "suite"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="devdraft-conformance",
        description="Check a Test Payments API target against every requirement of the "
        "conformance catalog. Exit 0 conformant, 1 not conformant, 2 usage error, "
        "3 target unreachable or run incomplete.",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    p.add_argument("--list", action="store_true", help="Print the requirement catalog and exit")
    p.add_argument(
        "--reference",
        action="store_true",
        help="Start the embedded reference server and run against it",
    )
    p.add_argument(
        "--reference-arg",
        action="append",
        default=[],
        metavar="ARG",
        help="Extra argument for the embedded reference server (repeatable), e.g. "
        "--reference-arg=--variant=slow",
    )
    register(p.add_argument)
    return p


def print_catalog() -> None:
    for requirement in CATALOG:
        should = f" SHOULD: {requirement.should}" if requirement.should else ""
        when = f" (runs when {requirement.runs_when})" if requirement.runs_when else ""
        print(
            f"{requirement.id:<26} {requirement.level.value:<6} {requirement.area:<11} "
            f"{requirement.statement}{should}{when}"
        )


# Options --reference sets itself: given too, they would be silently replaced.
REFERENCE_SETS = (
    "--base-url",
    "--client-key",
    "--client-secret",
    "--second-client-key",
    "--second-client-secret",
)


def check_reference_options(options: argparse.Namespace) -> None:
    """--reference with a target of its own, or with arguments the reference server refuses,
    is a usage error (exit 2), found before anything starts."""
    given = [o.name for o in OPTIONS if o.name in REFERENCE_SETS and getattr(options, o.dest)]
    if not options.reference:
        if options.reference_arg:
            raise ConformanceConfigError("--reference-arg needs --reference")
        return
    if given:
        raise ConformanceConfigError(
            f"--reference starts its own target and clients; drop {' and '.join(given)}, or "
            "drop --reference to test that target"
        )
    from conformance.reference.cli import chosen_behaviour
    from conformance.reference.cli import parser as reference_parser

    problems = io.StringIO()
    try:
        with redirect_stderr(problems):
            args = reference_parser().parse_args(["--port", "0", *options.reference_arg])
    except SystemExit:
        reason = problems.getvalue().strip().splitlines()[-1:] or ["refused"]
        reason_text = reason[0].split(": error: ", 1)[-1]
        raise ConformanceConfigError(
            f"--reference-arg: the reference server refuses {' '.join(options.reference_arg)!r}: "
            f"{reason_text}; see python -m conformance.reference --help"
        ) from None
    try:
        chosen_behaviour(args)
    except ValueError as exc:
        kind = "fault" if args.fault is not None else "variant"
        raise ConformanceConfigError(
            f"--reference-arg: {exc}; python -m conformance.reference --{kind} list names them"
        ) from None


def _stand_ins(given: dict[str, Any]) -> dict[str, Any]:
    """The options with what --reference will set, to check the rest before it starts."""
    return {
        **given,
        "conformance_base_url": "http://127.0.0.1:1",
        "conformance_client_key": "stand-in",
        "conformance_client_secret": "stand-in",
        "conformance_second_client_key": "stand-in-b",
        "conformance_second_client_secret": "stand-in-b",
    }


@contextmanager
def reference_server(given: dict[str, Any], extra: Sequence[str]) -> Iterator[None]:
    """Start the reference server with fresh credentials for two clients and point `given` at it."""
    from conformance.reference.launch import running_reference_server

    first = (f"ref-{secrets.token_hex(4)}", secrets.token_urlsafe(16))
    second = (f"ref-{secrets.token_hex(4)}", secrets.token_urlsafe(16))
    args = ["--client", ":".join(first), "--client", ":".join(second), *extra]
    # In a session of its own: a Ctrl-C in the terminal stops the suite, which then stops the
    # server after writing its reports, instead of the server vanishing under the last tests.
    with running_reference_server(*args, new_session=True) as server:
        given.update(
            conformance_base_url=server.base_url,
            conformance_client_key=first[0],
            conformance_client_secret=first[1],
            conformance_second_client_key=second[0],
            conformance_second_client_secret=second[1],
        )
        yield


PYTEST_ARGS = (
    # The suite judges through conformance.checks, never a bare assert, so pytest's assertion
    # rewriting buys nothing; it would rewrite every module of schemathesis' distribution (a
    # pytest plugin) on every run where bytecode is not cached: about 2 s a run.
    "--assert=plain",
    # The suite needs its own plugin and Hypothesis'; loading every plugin installed beside it
    # (xdist, anyio, schemathesis' pytest plugin...) costs about 0.4 s of CPU a run, and a
    # stranger's plugin could change how the suite runs.
    "--disable-plugin-autoload",
    "-p",
    "conformance.plugin",
    "-p",
    "_hypothesis_pytestplugin",
    "-p",
    "no:terminal",
    "-p",
    "no:cacheprovider",
    "-c",
    str(SUITE_DIR / "pytest.ini"),
    "--rootdir",
    str(SUITE_DIR),
    "--pyargs",
    "conformance.suite",
)


def main(argv: Sequence[str] | None = None) -> int:
    previous = {signum: signal.signal(signum, on_stop_signal) for signum in STOP_SIGNALS}
    try:
        return _main(argv)
    except Interrupted:
        # Stopped before the run began (while the reference server started, say).
        print(f"INCOMPLETE: interrupted ({stop_signal()}) before the run began; no report written")
        return EXIT_INCOMPLETE
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _main(argv: Sequence[str] | None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["merge"]:
        return merge_command(arguments[1:])
    if arguments[:1] == ["compare"]:
        return compare_command(arguments[1:])
    options = parser().parse_args(arguments)
    if options.list:
        print_catalog()
        return 0
    given = {o.dest: getattr(options, o.dest) for o in OPTIONS}
    launcher = (
        reference_server(given, options.reference_arg) if options.reference else nullcontext()
    )
    try:
        check_reference_options(options)
        build_target(_stand_ins(given) if options.reference else given)  # before any server
        with launcher:
            target = build_target(given)
            reference_args = options.reference_arg if options.reference else None
            target = replace(target, rerun=rerun_command(target, reference_args=reference_args))
            if target.workers > 1 and target.shard is None:
                return run_workers(given, target, target.workers, main)
            code = pytest.main(list(PYTEST_ARGS), plugins=[PresetTarget(target)])
    except ConformanceConfigError as error:
        print(f"devdraft-conformance: configuration error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except RuntimeError as error:
        print(f"devdraft-conformance: the reference server did not start: {error}", file=sys.stderr)
        return EXIT_INCOMPLETE
    if code == pytest.ExitCode.INTERRUPTED and stop_signal():
        # Stopped before the suite's run object existed: nothing was judged or written.
        print(f"INCOMPLETE: interrupted ({stop_signal()}) before the run began; no report written")
        return EXIT_INCOMPLETE
    if code in (pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.NO_TESTS_COLLECTED):
        print(
            "devdraft-conformance: pytest could not run the suite (usage error or no tests)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    return int(code)


def merge_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="devdraft-conformance merge",
        description="Join the conformance.json of every part of a --shard K/N run into the "
        "reports and exit code of the whole run. Exit 2 when parts are missing, duplicated "
        "or of another run.",
    )
    p.add_argument("parts", nargs="+", type=Path, metavar="PART.json")
    p.add_argument("--report-dir", type=Path, default=Path("reports"), help="default reports")
    p.add_argument("--baseline", type=Path, help="An earlier conformance.json to compare with")
    return p


def merge_command(arguments: Sequence[str]) -> int:
    options = merge_parser().parse_args(arguments)
    try:
        baseline_path = check_baseline(str(options.baseline)) if options.baseline else None
        parts = [load_part(path) for path in options.parts]
        result = merge(
            parts,
            report_dir=options.report_dir,
            baseline=read_baseline(baseline_path) if baseline_path else None,
        )
    except (MergeError, ConformanceConfigError) as error:
        print(f"devdraft-conformance merge: {error}", file=sys.stderr)
        return EXIT_USAGE
    return report(result, options.report_dir)


def compare_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="devdraft-conformance compare",
        description="Show runs side by side (each run's conformance.json, its reports beside "
        "it) in compare.html and compare.json. Exit 0 when written, 2 when an input is not "
        "a run's conformance.json.",
    )
    p.add_argument("runs", nargs="+", type=Path, metavar="RUN.json")
    p.add_argument("--report-dir", type=Path, default=Path("reports"), help="default reports")
    return p


def compare_command(arguments: Sequence[str]) -> int:
    """A view, not a gate: 0 once written, whatever the runs' verdicts."""
    from conformance.report.compare import CompareError, compare_data, load_run
    from conformance.report.compare_html import write_compare

    options = compare_parser().parse_args(arguments)
    try:
        runs = [load_run(path) for path in options.runs]
    except CompareError as error:
        print(f"devdraft-conformance compare: {error}", file=sys.stderr)
        return EXIT_USAGE
    paths = write_compare(compare_data(runs, options.report_dir), options.report_dir)
    print(f"compared {len(runs)} runs: {', '.join(str(p) for p in paths)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

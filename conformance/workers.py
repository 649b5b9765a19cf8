"""`--workers N`: one run made by N processes side by side, each a `--shard k/N` part against
the same target, merged into the reports one process would have written.

The parent starts the parts with the target's credentials in their environment (never on a
command line), as forks of itself where it can (`Forked`: the suite imported once, not once a
part), relays their progress lines with the part's label, forwards a stop signal to
them, and merges what they wrote (conformance.merge). The seed is fixed before they start, so
every part shares the run id; --max-requests is shared out between them, so the whole run
never sends more, and the slots of --rate are shared by the parts (transport.rate_slots), so
together they keep to the run's cap. What a part learns of the target's rate limit stays its
own, and each part may wait out 429s for the full --max-rate-limit-wait, since their waits
overlap.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, NoReturn

from conformance.merge import MergeError, load_part, merge
from conformance.options import OPTIONS
from conformance.results import EXIT_INCOMPLETE, EXIT_USAGE, RunResult
from conformance.runner import read_baseline
from conformance.runner.suite_import import import_the_suite
from conformance.target import RATE_SLOTS_ENV, Target
from conformance.transport.errors import Interrupted
from conformance.transport.rate_slots import SharedRateSlots

__all__ = [
    "PARTS_DIR",
    "Forked",
    "be_main",
    "can_fork",
    "part_command",
    "report",
    "run_workers",
]

PARTS_DIR = "parts"
"""Under the report directory: each part's own reports, kept as the merged one's evidence."""
PASSED_THROUGH_NOT = frozenset(
    {
        "--base-url",
        "--client-key",
        "--client-secret",
        "--second-client-key",
        "--second-client-secret",
        "--seed",
        "--report-dir",
        "--max-requests",
        "--baseline",
        "--shard",
        "--workers",
        "--rate",
    }
)
"""Options a part gets from the parent's target rather than as the user gave them."""
PROGRESS = re.compile(r"^\s+(\[\s*\d+/\d+\]|\.\.\. )")
"""The lines of a part that are progress: a requirement done, or one still running."""
STOP_WAIT = 60.0
"""Seconds the parts get to write their reports once told to stop."""


def shares(limit: int | None, workers: int) -> list[int | None]:
    """--max-requests shared out: the parts' limits add up to the run's."""
    if limit is None:
        return [None] * workers
    return [limit // workers + (i < limit % workers) for i in range(workers)]


def part_command(
    given: dict[str, Any], target: Target, index: int, workers: int, *, shared_slots: bool = False
) -> list[str]:
    """The command of part `index` (1-based): the user's options, but those in
    PASSED_THROUGH_NOT, which come from the target. Parts that share the --rate cap's slots
    (`shared_slots`) are each given the run's --rate; else each gets its share of it."""
    command = [sys.executable, "-m", "conformance"]
    for option in OPTIONS:
        value = given.get(option.dest)
        if option.name in PASSED_THROUGH_NOT or option.secret or value is None:
            continue
        if option.flag:
            command += [option.name] if value else []
        else:
            command += [option.name, str(value)]
    limit = shares(target.max_requests, workers)[index - 1]
    command += ["--base-url", target.base_url, "--seed", str(target.seed)]
    command += ["--report-dir", str(part_dir(target, index)), "--shard", f"{index}/{workers}"]
    if target.rate is not None:
        command += ["--rate", f"{target.rate / (1 if shared_slots else workers):g}"]
    return command + (["--max-requests", str(limit)] if limit is not None else [])


def part_dir(target: Target, index: int) -> Path:
    return target.report_dir / PARTS_DIR / str(index)


def _environment(target: Target, slots: Path | None) -> dict[str, str]:
    env = {**os.environ, "DEVDRAFT_API_KEY": target.credentials.key}
    env.pop(RATE_SLOTS_ENV, None)
    if slots is not None:
        env[RATE_SLOTS_ENV] = str(slots)
    env["DEVDRAFT_SECRET"] = target.credentials.secret
    for name in ("DEVDRAFT_SECOND_API_KEY", "DEVDRAFT_SECOND_SECRET"):
        env.pop(name, None)
    if target.second_credentials:
        env["DEVDRAFT_SECOND_API_KEY"] = target.second_credentials.key
        env["DEVDRAFT_SECOND_SECRET"] = target.second_credentials.secret
    return env


def _relay(
    stream: IO[str], label: str, everything: bool, out: IO[str], lock: threading.Lock
) -> None:
    """Copy a part's lines to `out` under its label: all of them, or only its progress."""
    for line in stream:
        if everything or PROGRESS.match(line):
            with lock:
                out.write(f"{label} {line.rstrip()}\n")
                out.flush()


class Forked:
    """A part made by a fork of this process, which has imported the suite already, calling
    `main` with the part's arguments: what a part's own interpreter would do, without paying
    again for the imports (about 1 s of CPU a part, most of a small part's cost). Its stdout
    and stderr are pipes, read as text like a subprocess.Popen's."""

    def __init__(self, main: Callable[[list[str]], int], args: list[str], env: dict[str, str]):
        out, err = os.pipe(), os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        self.pid = os.fork()
        if self.pid == 0:  # the part
            os.close(out[0])
            os.close(err[0])
            be_main(main, args, env, out[1], err[1])
        os.close(out[1])
        os.close(err[1])
        self.stdout = open(out[0], encoding="utf-8", errors="replace")  # noqa: SIM115
        self.stderr = open(err[0], encoding="utf-8", errors="replace")  # noqa: SIM115
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if timeout is None:
            while self.returncode is None:
                self.returncode = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
            return self.returncode
        deadline = time.monotonic() + timeout
        while self.poll() is None:
            if time.monotonic() >= deadline:
                raise subprocess.TimeoutExpired(f"part {self.pid}", timeout)
            time.sleep(0.05)
        assert self.returncode is not None
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def be_main(
    main: Callable[[list[str]], int], args: list[str], env: dict[str, str], out: int, err: int
) -> NoReturn:
    """In a forked process (a part, or a run of conformance.preloaded): take `env` as
    the environment and the file descriptors `out` and `err` as stdout and stderr, call
    `main(args)`, and exit with its code."""
    code = 70  # EX_SOFTWARE: the part broke before it could say why
    try:
        os.dup2(out, 1)
        os.dup2(err, 2)
        os.close(out)
        os.close(err)
        sys.stdout = open(1, "w", encoding="utf-8", closefd=False, buffering=1)  # noqa: SIM115
        sys.stderr = open(2, "w", encoding="utf-8", closefd=False, buffering=1)  # noqa: SIM115
        sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115
        os.environ.clear()
        os.environ.update(env)
        code = main(args)
    except BaseException:
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def can_fork() -> bool:
    """Whether a part can be a fork of this process: on a system that forks, and while this
    process runs no other thread (a fork copies only the calling thread, with whatever locks
    the others held; with --reference, threads read the server's output)."""
    return hasattr(os, "fork") and threading.active_count() == 1


Part = subprocess.Popen[str] | Forked


def _start(
    command: list[str], env: dict[str, str], main: Callable[[list[str]], int] | None
) -> Part:
    """A part's process: a fork calling `main` when it is given and forking is safe, else its
    own interpreter running `command`."""
    if main is not None and can_fork():
        return Forked(main, command[3:], env)  # the arguments after `python -m conformance`
    return subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        errors="replace",
    )


def run_workers(
    given: dict[str, Any],
    target: Target,
    workers: int,
    main: Callable[[list[str]], int] | None = None,
) -> int:
    """Run the parts, wait for them (forwarding SIGINT/SIGTERM), merge; the exit code. With
    `main` (the command's own entry point) the parts are forks of this process (`Forked`)
    where it can fork, with the suite imported before the first (runner.suite_import); else
    each part is a new interpreter."""
    print(
        f"conformance run {target.run_id} against {target.api_root}: profile {target.profile}, "
        f"seed {target.seed} (rerun with --seed {target.seed}), {workers} workers",
        flush=True,
    )
    if main is not None and can_fork():
        import_the_suite(target.profile)  # once, for every forked part
    with shared_rate_slots() as slots:
        codes = _run_parts(given, target, workers, main, slots)
    if EXIT_USAGE in codes:
        return EXIT_USAGE  # a part refused the configuration and said why on stderr
    try:
        parts = [load_part(part_dir(target, i) / "conformance.json") for i in range(1, workers + 1)]
        baseline = read_baseline(target.baseline) if target.baseline else None
        result = merge(parts, report_dir=target.report_dir, baseline=baseline, rerun=target.rerun)
    except MergeError as error:
        print(f"INCOMPLETE: a worker wrote no usable report ({error}); exit codes {codes}")
        return EXIT_INCOMPLETE
    result.rate_cap = target.rate  # the parts' caps add up only where they did not share it
    return report(result, target.report_dir)


def _run_parts(
    given: dict[str, Any],
    target: Target,
    workers: int,
    main: Callable[[list[str]], int] | None,
    slots: Path | None,
) -> list[int]:
    """Start the parts, relay their output, and wait for them: their exit codes."""
    lock = threading.Lock()
    processes = [
        _start(
            part_command(given, target, index, workers, shared_slots=slots is not None),
            _environment(target, slots),
            main,
        )
        for index in range(1, workers + 1)
    ]  # every part started before the first relay thread, so no fork copies a thread
    relays: list[threading.Thread] = []
    for index, process in enumerate(processes, start=1):
        label = f"[part {index}/{workers}]"
        streams = ((process.stdout, False, sys.stdout), (process.stderr, True, sys.stderr))
        for stream, everything, out in streams:
            assert stream is not None
            thread = threading.Thread(target=_relay, args=(stream, label, everything, out, lock))
            thread.start()
            relays.append(thread)
    codes = _wait(processes)
    for thread in relays:
        thread.join()
    return codes


@contextmanager
def shared_rate_slots() -> Iterator[Path | None]:
    """The file of the --rate slots the parts share (transport.rate_slots), removed once they
    are done; None where processes cannot share one (no flock): each part keeps to its share."""
    if not SharedRateSlots.supported():
        yield None
        return
    handle, name = tempfile.mkstemp(prefix="conformance-rate-slots-")
    os.close(handle)
    path = Path(name)
    try:
        SharedRateSlots.create(path)
        yield path
    finally:
        path.unlink(missing_ok=True)


def report(result: RunResult, report_dir: Path) -> int:
    """Write a merged run's reports, print its summary and closing line; its exit code."""
    from conformance.report import print_summary, write_reports

    paths = write_reports(result, report_dir)
    print_summary(result, _say)
    _say(f"reports: {', '.join(str(p) for p in paths)}")
    _say(result.closing_line())
    return result.exit_code


def _say(line: str) -> None:
    print(line, flush=True)


def _wait(processes: Sequence[Part]) -> list[int]:
    """Every part's exit code; a stop signal meanwhile is passed on, and the parts get
    STOP_WAIT seconds to write their reports before they are killed."""
    try:
        return [process.wait() for process in processes]
    except Interrupted:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        codes = []
        for process in processes:
            try:
                codes.append(process.wait(timeout=STOP_WAIT))
            except subprocess.TimeoutExpired:
                process.kill()
                codes.append(process.wait())
        return codes

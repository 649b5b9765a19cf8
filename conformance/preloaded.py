"""Runs of `python -m conformance ARGS` as forks of one process that has imported the suite
already (multiprocessing's forkserver, preloaded with PRELOAD), rather than as new interpreters
that import it again: a small run cost 0.71 s of CPU in an interpreter of its own and 0.31 s in
a fork, and a self-test or a `make test` makes over a hundred runs.

A run gets what its own interpreter would: the arguments, the caller's environment with `env`
on top, stdout and stderr of its own, an empty stdin, and an exit code (negative when a signal
ended it). Where the system has no forkserver, each run is its own interpreter.
"""

from __future__ import annotations

import multiprocessing
import os
import runpy
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path

from conformance.workers import be_main

__all__ = ["run_cli"]

PRELOAD = [
    "conformance.plugin",
    "conformance.merge",
    "conformance.workers",
    "conformance.suite.helpers",
    "conformance.suite.stateful.runner",
    "jinja2",
    "schemathesis",
]
"""What the forkserver imports once: what conformance/__main__.py and the suite's test modules
import, and the libraries of the reports. Not __main__.py itself, which each run executes as
`python -m` would; not the test modules, which pytest rewrites as it imports them; and none of
the project's modules that a run imports only after its tests (the reports): Hypothesis draws
constants from the project's modules that are loaded, so a fork must start with the very
modules a run of its own has by then, or a seed would draw other values there. For the same
reason this module imports no project module a run does not import."""
STOP_GRACE = 10.0


def run_cli(
    args: Sequence[str], *, env: Mapping[str, str] | None = None, timeout: float | None = None
) -> subprocess.CompletedProcess[str]:
    """What `subprocess.run([python, -m, conformance, *args], capture_output=True, text=True)`
    gives, raising subprocess.TimeoutExpired like it when the run outlasts `timeout` (it is
    then stopped, and killed if it has not stopped after STOP_GRACE seconds)."""
    command = [sys.executable, "-m", "conformance", *args]
    environment = {**os.environ, **(env or {})}
    context = _forkserver()
    if context is None:
        return subprocess.run(
            command, env=environment, capture_output=True, text=True, timeout=timeout, check=False
        )
    with tempfile.TemporaryDirectory(prefix="conformance-run-") as folder:
        out, err = Path(folder, "stdout"), Path(folder, "stderr")
        process = context.Process(target=_run, args=(list(args), environment, str(out), str(err)))
        process.start()
        process.join(timeout)
        if process.exitcode is None:
            process.terminate()  # the run's stop handlers end its reference server
            process.join(STOP_GRACE)
            process.kill()
            process.join()
            raise subprocess.TimeoutExpired(command, timeout or 0, _read(out), _read(err))
        code = process.exitcode
        process.close()
        return subprocess.CompletedProcess(command, code, _read(out), _read(err))


@cache
def _forkserver() -> multiprocessing.context.ForkServerContext | None:
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return None
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def _run(args: list[str], env: dict[str, str], out_path: str, err_path: str) -> None:
    """In the fork: the run, with its output in the two files."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    out, err = os.open(out_path, flags, 0o600), os.open(err_path, flags, 0o600)
    be_main(_as_python_m, args, env, out, err)


def _as_python_m(args: list[str]) -> int:
    """What `python -m conformance ARGS` does: run conformance/__main__.py as __main__ (its
    imports preloaded), and exit with the code it exits with."""
    sys.argv = ["-m", *args]
    try:
        runpy.run_module("conformance", run_name="__main__", alter_sys=True)
    except SystemExit as stop:
        if stop.code is None or isinstance(stop.code, int):
            return stop.code or 0
        print(stop.code, file=sys.stderr)
        return 1
    return 0


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

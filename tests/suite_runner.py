"""Running the suite as a user does, `python -m conformance` in a process of its own with
credentials from the environment, and reading what it wrote. Shared by every project test that
needs a whole run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.preloaded import run_cli


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    report_dir: Path
    seconds: float

    @property
    def last_line(self) -> str:
        lines = self.stdout.strip().splitlines()
        return lines[-1] if lines else ""

    @property
    def report(self) -> dict[str, Any]:
        return json.loads((self.report_dir / "conformance.json").read_text(encoding="utf-8"))

    @property
    def html_path(self) -> Path:
        return self.report_dir / "conformance.html"

    def verdicts(self) -> dict[str, str]:
        return {r["id"]: r["verdict"] for r in self.report["requirements"]}

    def requirement(self, requirement_id: str) -> dict[str, Any]:
        return next(r for r in self.report["requirements"] if r["id"] == requirement_id)

    def outputs(self) -> list[str]:
        """stdout, stderr and every file of the report directory."""
        files = [
            p.read_text(encoding="utf-8", errors="replace")
            for p in self.report_dir.rglob("*")
            if p.is_file()
        ]
        return [self.stdout, self.stderr, *files]

    def leaked(self, secrets: Iterable[str]) -> list[str]:
        """The secrets that show up in any output."""
        outputs = self.outputs()
        return [secret for secret in secrets if any(secret in text for text in outputs)]

    def explain(self) -> str:
        head = f"exit {self.code} after {self.seconds:.1f}s"
        return f"{head}\n{self.stdout[-3000:]}{self.stderr[-2000:]}"


def run_suite(
    report_dir: Path,
    *args: str,
    env: Mapping[str, str],
    timeout: float = 300,
    own_interpreter: bool = False,
) -> Run:
    """`python -m conformance --report-dir DIR ARGS...` with `env` added to the environment; a
    run that overruns `timeout` fails the calling test."""
    return run_command(
        report_dir,
        *("--report-dir", str(report_dir), *args),
        env=env,
        timeout=timeout,
        own_interpreter=own_interpreter,
    )


def run_command(
    report_dir: Path,
    *args: str,
    env: Mapping[str, str],
    timeout: float = 300,
    own_interpreter: bool = False,
) -> Run:
    """`python -m conformance ARGS...` (which write their reports to `report_dir`), in a fork of
    a process that imported the suite once (conformance.preloaded), or with `own_interpreter`
    in a new interpreter, as a user runs it."""
    started = time.monotonic()
    completed = (
        subprocess.run(
            [sys.executable, "-m", "conformance", *args],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if own_interpreter
        else run_cli(args, env=env, timeout=timeout)
    )
    seconds = time.monotonic() - started
    return Run(completed.returncode, completed.stdout, completed.stderr, report_dir, seconds)

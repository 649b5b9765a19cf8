"""Running the suite as a user does (a subprocess) against a hostile target, with distinctive
credentials that must never show up in any of its outputs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

KEY, SECRET = "hostile-key-Zq81vX", "hostile-secret-Pw27nM0d"
ENV = {"DEVDRAFT_API_KEY": KEY, "DEVDRAFT_SECRET": SECRET}
FAST = ("--timeout", "2", "--profile", "fast", "--max-rate-limit-wait", "3")


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

    def verdicts(self) -> dict[str, str]:
        return {r["id"]: r["verdict"] for r in self.report["requirements"]}

    def requirement(self, requirement_id: str) -> dict[str, Any]:
        return next(r for r in self.report["requirements"] if r["id"] == requirement_id)

    def outputs(self) -> list[str]:
        """stdout, stderr and every file of the report directory."""
        files = [p.read_text(encoding="utf-8", errors="replace") for p in self.report_dir.iterdir()]
        return [self.stdout, self.stderr, *files]

    def leaked(self) -> list[str]:
        return [secret for secret in (KEY, SECRET) if any(secret in t for t in self.outputs())]

    def explain(self) -> str:
        head = f"exit {self.code} after {self.seconds:.1f}s"
        return f"{head}\n{self.stdout[-3000:]}{self.stderr[-2000:]}"


def run_suite(report_dir: Path, base_url: str, *args: str, limit: float = 120) -> Run:
    """`python -m conformance` against `base_url`; a run that overruns `limit` fails the test."""
    started = time.monotonic()
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "conformance",
            "--base-url",
            base_url,
            "--report-dir",
            str(report_dir),
            *args,
        ],
        env={**os.environ, **ENV},
        capture_output=True,
        text=True,
        timeout=limit,
        check=False,
    )
    seconds = time.monotonic() - started
    return Run(completed.returncode, completed.stdout, completed.stderr, report_dir, seconds)

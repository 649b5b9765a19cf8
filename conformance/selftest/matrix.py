"""Run the conformance command against one fault or variant of the reference server, and judge
the report: a fault must fail its `breaks` id and no other MUST id outside `also_breaks`; a
variant must pass (exit 0)."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.reference.faults import FAULTS
from conformance.reference.variants import VARIANTS
from conformance.requirements import CATALOG

PROFILE = "fast"
RUN_TIMEOUT = 600.0
"""Seconds one run of the suite may take before it counts as a failed run."""
DETECTED = frozenset({"fail", "warn"})
"""A fault is caught when its id fails, or warns when the broken clause is a SHOULD."""


@dataclass(frozen=True)
class Case:
    kind: str  # "fault" or "variant"
    name: str
    breaks: str = ""
    also_breaks: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name}"


def cases(names: Iterable[str] | None = None) -> list[Case]:
    """Every fault, then every variant (or only those named)."""
    wanted = set(names) if names else None
    found = [Case("fault", n, c.breaks, tuple(c.also_breaks)) for n, c in FAULTS.items()]
    found += [Case("variant", n) for n in VARIANTS]
    return [c for c in found if wanted is None or c.name in wanted]


@dataclass
class Judgement:
    case: Case
    seed: int
    exit_code: int
    seconds: float
    verdicts: dict[str, str] = field(default_factory=dict)
    failing_test: str = ""
    time_to_failure: float | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def detected(self) -> bool:
        return self.verdicts.get(self.case.breaks, "") in DETECTED

    @property
    def unrelated(self) -> list[str]:
        allowed = {self.case.breaks, *self.case.also_breaks}
        return sorted(i for i, v in self.verdicts.items() if v == "fail" and i not in allowed)

    @property
    def ok(self) -> bool:
        return not self.problems


def judge(case: Case, seed: int, exit_code: int, seconds: float, report: Any) -> Judgement:
    """Judge one run from its exit code and conformance.json (None when it wrote none)."""
    result = Judgement(case, seed, exit_code, seconds)
    if report is None:
        result.problems.append(f"no report written (exit {exit_code})")
        return result
    requirements = {r["id"]: r for r in report["requirements"]}
    result.verdicts = {i: str(r["verdict"]) for i, r in requirements.items()}
    if case.kind == "variant":
        # A conformant server passes outright: no failure, no SHOULD warning, nothing unjudged.
        flagged = sorted(
            f"{i} {v}" for i, v in result.verdicts.items() if v in ("fail", "warn", "not judged")
        )
        if exit_code != 0 or flagged:
            result.problems.append(f"exit {exit_code}; {', '.join(flagged) or 'nothing flagged'}")
        return result
    broken = requirements.get(case.breaks)
    if broken is None:
        result.problems.append(f"{case.breaks} is not in the report")
        return result
    failed_tests = [t for t in broken["tests"] if t["outcome"] == "failed"]
    if failed_tests:
        result.failing_test = failed_tests[0]["test"]
        result.time_to_failure = float(failed_tests[0]["duration"])
    if not result.detected:
        result.problems.append(f"not detected: {case.breaks} is {broken['verdict']!r}")
    if result.unrelated:
        result.problems.append(f"unrelated MUST failures: {', '.join(result.unrelated)}")
    if exit_code not in (0, 1):
        result.problems.append(f"exit {exit_code} (usage error or incomplete run)")
    return result


MATRIX_IDS = ",".join(r.id for r in CATALOG if r.id != "STATEFUL-MODEL")
"""Every requirement but the state machine's, which has its own detection runs
(tests/stateful) and would spend most of each faulty run shrinking."""


def command(case: Case, seed: int, report_dir: Path) -> list[str]:
    server_arg = f"--reference-arg=--{case.kind}={case.name}"
    return [
        sys.executable, "-m", "conformance", "--reference", server_arg,
        "--profile", PROFILE, "--seed", str(seed), "--report-dir", str(report_dir),
        "--only", MATRIX_IDS,
    ]  # fmt: skip


def run_case(case: Case, seed: int, workdir: Path) -> Judgement:
    report_dir = workdir / f"{case.kind}-{case.name}-{seed}"
    started = time.monotonic()
    try:
        done = subprocess.run(
            command(case, seed, report_dir),
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            check=False,
        )
        exit_code = done.returncode
    except subprocess.TimeoutExpired:
        exit_code = -1
    seconds = time.monotonic() - started
    path = report_dir / "conformance.json"
    report = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
    result = judge(case, seed, exit_code, seconds, report)
    if exit_code == -1:
        result.problems.append(f"timed out after {RUN_TIMEOUT:g} s")
    return result


def run_matrix(
    selected: list[Case],
    seeds: Iterable[int] = (1,),
    *,
    workers: int = 2,
    workdir: Path | None = None,
    progress: Callable[[Judgement], None] | None = None,
) -> list[Judgement]:
    """Every case with every seed, `workers` runs at a time; results in submission order."""
    jobs = [(case, seed) for seed in seeds for case in selected]
    with tempfile.TemporaryDirectory(prefix="selftest-") as scratch:
        where = workdir or Path(scratch)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(run_case, case, seed, where) for case, seed in jobs]
            results = []
            for future in futures:
                result = future.result()
                if progress:
                    progress(result)
                results.append(result)
    return results

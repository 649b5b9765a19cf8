"""Run the conformance command against one fault or variant of the reference server, and judge
the report: a fault must fail its `breaks` id and no other MUST id outside `also_breaks`; a
variant must pass (exit 0), with no warning outside the SHOULD ids it `warns` on.

What each run covers: a variant (and the reference) runs the whole suite, the state machine
included (VARIANT_IDS), since a conformant server must pass every requirement. A fault runs only
the ids it names plus a fixed SANITY set, so an unrelated break in the basics still shows; a
fault whose `breaks` is judged over every exchange of the run (RUN_WIDE) runs every id but the
state machine's (FAULT_WIDE_IDS), because any test's traffic may be what provokes it.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.preloaded import run_cli
from conformance.profiles import FAST
from conformance.reference.faults import FAULTS
from conformance.reference.variants import VARIANTS, suite_args, warns_of
from conformance.reference.variants.combined import variant_named
from conformance.requirements import CATALOG

__all__ = [
    "ALL_IDS",
    "DETECTED",
    "FAULT_WIDE_IDS",
    "PROFILE",
    "RUN_TIMEOUT",
    "RUN_WIDE",
    "SANITY",
    "VARIANT_IDS",
    "Case",
    "Judgement",
    "arguments",
    "cases",
    "fault_ids",
    "judge",
    "run_case",
    "run_matrix",
    "variant_case",
]

PROFILE = FAST
"""The profile the self-test runs the suite in (run_case may run the variants in another)."""
RUN_TIMEOUT = 600.0
"""Seconds one run of the suite may take before it counts as a failed run."""
DETECTED = frozenset({"fail", "warn"})
"""A fault is caught when its id fails, or warns when the broken clause is a SHOULD."""


ALL_IDS = tuple(r.id for r in CATALOG)
VARIANT_IDS = ALL_IDS
FAULT_WIDE_IDS = tuple(i for i in ALL_IDS if i != "STATEFUL-MODEL")
"""Every requirement but the state machine's, which has its own detection runs for the faults
(tests/stateful) and would spend most of a faulty run shrinking."""
SANITY = ("PAY-CREATE", "REPLAY-IDENTICAL", "REFUND-CREATE", "ERR-SHAPE", "SCHEMA-RESPONSES",
          "ERR-NO-5XX")  # fmt: skip
"""Run with every fault besides the ids it names: the basics a fault must not break by accident."""
RUN_WIDE = frozenset({"ERR-SHAPE", "ERR-NO-5XX", "SCHEMA-RESPONSES", "RATE-LIMIT",
                      "RATE-NOT-STORED"})  # fmt: skip
"""Requirements judged over every exchange of the run, whatever test sent it."""


@dataclass(frozen=True)
class Case:
    kind: str  # "fault" or "variant"
    name: str
    breaks: str = ""
    also_breaks: tuple[str, ...] = ()
    only: tuple[str, ...] = VARIANT_IDS
    """The requirement ids the run covers (the suite's --only)."""
    suite_args: tuple[str, ...] = ()
    """Suite options a target like this one needs (its prefix, header names...)."""
    warns: tuple[str, ...] = ()
    """SHOULD ids a variant may warn on."""

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name}"

    @property
    def whole_suite(self) -> bool:
        return set(self.only) >= set(FAULT_WIDE_IDS)


def fault_ids(breaks: str, also_breaks: Iterable[str]) -> tuple[str, ...]:
    """What a fault's run covers: its own ids and SANITY, or everything for a RUN_WIDE break."""
    if breaks in RUN_WIDE:
        return FAULT_WIDE_IDS
    wanted = {breaks, *also_breaks, *SANITY}
    return tuple(i for i in ALL_IDS if i in wanted)


def cases(names: Iterable[str] | None = None) -> list[Case]:
    """Every fault, then every variant (or only those named)."""
    wanted = set(names) if names else None
    found = [
        Case("fault", n, c.breaks, tuple(c.also_breaks), fault_ids(c.breaks, c.also_breaks))
        for n, c in FAULTS.items()
    ]
    found += [variant_case(n) for n in VARIANTS]
    return [c for c in found if wanted is None or c.name in wanted]


def variant_case(name: str) -> Case:
    """The case of a variant, or of a combination of variants (`a+b`)."""
    cls = variant_named(name)
    return Case("variant", name, suite_args=suite_args(cls), warns=warns_of(cls))


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
    report_dir: Path | None = None
    """Where the run wrote its reports (gone once its matrix's scratch folder is)."""

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
        # A conformant server passes outright: no failure, nothing unjudged, and no warning
        # but on the SHOULD ids its choice gives up.
        flagged = sorted(
            _flagged(i, v, requirements[i].get("reason"))
            for i, v in result.verdicts.items()
            if v in ("fail", "not judged") or (v == "warn" and i not in case.warns)
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


def _flagged(requirement: str, verdict: str, reason: object) -> str:
    """`ID verdict`, with the report's reason when it gives one (why it was not judged)."""
    return f"{requirement} {verdict}" + (f" ({reason})" if reason else "")


def arguments(
    case: Case, seed: int, report_dir: Path, profile: str = PROFILE, suite_args: Sequence[str] = ()
) -> list[str]:
    """The suite's arguments (after `python -m conformance`) for a run against `case`."""
    server_arg = f"--reference-arg=--{case.kind}={case.name}"
    return [
        "--reference", server_arg,
        "--profile", profile, "--seed", str(seed), "--report-dir", str(report_dir),
        "--only", ",".join(case.only), *case.suite_args, *suite_args,
    ]  # fmt: skip


def run_case(
    case: Case,
    seed: int,
    workdir: Path,
    variant_profile: str = PROFILE,
    suite_args: Sequence[str] = (),
) -> Judgement:
    """One run of the suite against `case`; `suite_args` go last (after the case's own)."""
    report_dir = workdir / f"{case.kind}-{case.name}-{seed}"
    profile = variant_profile if case.kind == "variant" else PROFILE
    started = time.monotonic()
    try:
        done = run_cli(arguments(case, seed, report_dir, profile, suite_args), timeout=RUN_TIMEOUT)
        exit_code = done.returncode
    except subprocess.TimeoutExpired:
        exit_code = -1
    seconds = time.monotonic() - started
    path = report_dir / "conformance.json"
    report = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
    result = judge(case, seed, exit_code, seconds, report)
    result.report_dir = report_dir
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
    variant_profile: str = PROFILE,
    suite_args: Sequence[str] = (),
) -> list[Judgement]:
    """Every case with every seed, `workers` runs at a time. Whole-suite runs start first (the
    long ones last would leave a worker idle at the end); `progress` hears of each run as it
    ends; the results come back in the order of `selected`, seed by seed."""
    jobs = [(case, seed) for seed in seeds for case in selected]
    started_first = sorted(range(len(jobs)), key=lambda i: not jobs[i][0].whole_suite)
    with tempfile.TemporaryDirectory(prefix="selftest-") as scratch:
        where = workdir or Path(scratch)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = {
                i: pool.submit(run_case, *jobs[i], where, variant_profile, suite_args)
                for i in started_first
            }
            for future in as_completed(futures.values()):
                if progress:
                    progress(future.result())
    return [futures[i].result() for i in range(len(jobs))]

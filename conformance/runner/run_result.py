"""A finished run as the RunResult its reports show: verdicts, baseline, versions, rerun command."""

from __future__ import annotations

import json
import shlex
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import hypothesis

from conformance import __version__
from conformance.profiles import DEFAULT
from conformance.results import (
    RequirementResult,
    RunResult,
    SequenceCoverage,
    TestOutcome,
    compare_with_baseline,
    results_for,
)
from conformance.target import Target
from conformance.transport.client import ApiClient

__all__ = [
    "COMMAND",
    "PLAIN_PYTEST",
    "Baseline",
    "read_baseline",
    "requirement_results",
    "rerun_command",
    "run_result",
    "versions",
]

COMMAND = "devdraft-conformance"
PLAIN_PYTEST = "pytest --pyargs conformance.suite"
"""The suite run by pytest itself, without the command."""
Baseline = tuple[str, dict[str, str]]
"""An earlier run: its run id and its verdicts by requirement id."""


def read_baseline(path: Path) -> Baseline:
    """An earlier conformance.json (checked by build_target) as its run id and verdicts by id."""
    data = json.loads(path.read_text(encoding="utf-8"))
    verdicts = {entry["id"]: entry["verdict"] for entry in data["requirements"]}
    return str(data.get("run_id", path)), verdicts


def versions() -> dict[str, str]:
    from conformance import spec

    return {
        "suite": __version__,
        "spec": str(spec.load_spec().get("info", {}).get("version")),
        "hypothesis": hypothesis.__version__,
    }


def rerun_command(
    target: Target, program: str = COMMAND, reference_args: Sequence[str] | None = None
) -> str:
    """How to run this target again from a shell with `program` (credentials stay in the
    environment): against the embedded reference server started with `reference_args` when
    they are given, else at the target's URL."""
    if reference_args is not None:
        command = f"{program} --reference" + "".join(
            f" --reference-arg={shlex.quote(arg)}" for arg in reference_args
        )
    else:
        command = f"{program} --base-url {shlex.quote(target.base_url)}"
        if target.path_prefix != "/api/v0":
            command += f" --path-prefix {shlex.quote(target.path_prefix)}"
    if target.profile != DEFAULT:
        command += f" --profile {target.profile}"
    return command


def requirement_results(
    outcomes: list[TestOutcome], only: frozenset[str] | None, baseline: Baseline | None
) -> list[RequirementResult]:
    """One result per requirement (those in `only`, when given), compared with the baseline."""
    results = results_for(outcomes)
    if only is not None:
        results = [r for r in results if r.requirement.id in only]
    if baseline is not None:
        compare_with_baseline(results, baseline[1])
    return results


def run_result(
    target: Target,
    api: ApiClient,
    outcomes: list[TestOutcome],
    *,
    started: datetime,
    clock: float,
    aborted: str,
    interrupted: str,
    baseline: Baseline | None,
    sequence_coverage: SequenceCoverage | None = None,
) -> RunResult:
    """The run that started at `started` (`clock` on the monotonic clock), as it ended."""
    return RunResult(
        run_id=target.run_id,
        target=target.api_root,
        seed=target.seed,
        profile=target.profile,
        strict=target.strict,
        started=started.isoformat(timespec="seconds"),
        duration=round(time.monotonic() - clock, 2),
        requests=api.budget.used,
        versions=versions(),
        requirements=requirement_results(outcomes, target.only, baseline),
        aborted=aborted,
        baseline_run_id=baseline[0] if baseline else None,
        interrupted=interrupted,
        budget_spent=target.max_requests if api.budget.refused else None,
        require_all=target.require_all,
        rerun=target.rerun or rerun_command(target, PLAIN_PYTEST),
        report_dir=str(target.report_dir),
        shard=target.shard,
        max_requests=target.max_requests,
        answers_429=sum(1 for e in api.journal.all if e.status == 429),
        seconds_waited=round(api.session.allowance.waited, 2),
        wait_allowance=target.max_rate_limit_wait,
        rate_cap=target.rate,
        label=target.label,
        sequence_coverage=sequence_coverage,
    )

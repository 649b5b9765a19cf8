"""The summary table printed at the end of a run: new failures first (against --baseline), then
failures, warnings and the rest."""

from __future__ import annotations

from collections.abc import Callable

from conformance.results import Change, RequirementResult, RunResult, Verdict

_ORDER = {Verdict.FAIL: 0, Verdict.WARN: 1, Verdict.NOT_JUDGED: 2}


def _rank(result: RequirementResult) -> tuple[int, int]:
    return (0 if result.change is Change.NEW_FAILURE else 1, _ORDER.get(result.verdict, 3))


def print_summary(run: RunResult, say: Callable[[str], None]) -> None:
    ranked = sorted(run.requirements, key=_rank)
    compared = run.baseline_run_id is not None
    say("")
    if compared:
        new = [r.requirement.id for r in ranked if r.change is Change.NEW_FAILURE]
        fixed = [r.requirement.id for r in ranked if r.change is Change.FIXED]
        say(f"compared with baseline run {run.baseline_run_id}:")
        say(f"  new failures: {', '.join(new) if new else 'none'}")
        say(f"  fixed: {', '.join(fixed) if fixed else 'none'}")
        say("")
    header = f"{'requirement':<26} {'level':<6} {'verdict':<10} {'time':>7}"
    say(header + ("  change" if compared else ""))
    for result in ranked:
        say(
            f"{result.requirement.id:<26} {result.requirement.level.value:<6} "
            f"{result.verdict.value:<10} {result.duration:6.1f}s"
            + (f"  {result.change.value}" if result.change else "")
        )
    for result in ranked:
        if result.verdict not in (Verdict.FAIL, Verdict.WARN):
            continue
        new = " NEW" if result.change is Change.NEW_FAILURE else ""
        say("")
        say(
            f"{result.verdict.value.upper()}{new} {result.requirement.id} "
            f"({result.requirement.level.value}): {result.requirement.statement}"
        )
        for failure in result.failures:
            say(f"  {failure.test}")
            for line in failure.message.splitlines():
                say(f"    {line}")
    say("")
    say(f"{run.requests} requests in {run.duration:.1f}s; run {run.run_id}, seed {run.seed}")

"""The summary table printed at the end of a run: failures first, then warnings, then the rest."""

from __future__ import annotations

from collections.abc import Callable

from conformance.results import RunResult, Verdict

_ORDER = {Verdict.FAIL: 0, Verdict.WARN: 1, Verdict.NOT_JUDGED: 2}


def print_summary(run: RunResult, say: Callable[[str], None]) -> None:
    say("")
    say(f"{'requirement':<26} {'level':<6} {'verdict':<10} {'time':>7}")
    for result in sorted(run.requirements, key=lambda r: _ORDER.get(r.verdict, 3)):
        say(
            f"{result.requirement.id:<26} {result.requirement.level.value:<6} "
            f"{result.verdict.value:<10} {result.duration:6.1f}s"
        )
    for result in run.requirements:
        if result.verdict not in (Verdict.FAIL, Verdict.WARN):
            continue
        say("")
        say(
            f"{result.verdict.value.upper()} {result.requirement.id} "
            f"({result.requirement.level.value}): {result.requirement.statement}"
        )
        for failure in result.failures:
            say(f"  {failure.test}")
            for line in failure.message.splitlines():
                say(f"    {line}")
    say("")
    say(f"{run.requests} requests in {run.duration:.1f}s; run {run.run_id}, seed {run.seed}")

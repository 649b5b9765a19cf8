"""The summary printed at the end of a run. The progress lines already showed every
requirement, so the table lists only what did not pass (or changed against --baseline), new
failures first; then each failure with how to reproduce it, failures caused by one answer
shown together."""

from __future__ import annotations

from collections.abc import Callable

from conformance.results import Change, RequirementResult, RunResult, Verdict

__all__ = ["print_summary", "shared_answers"]

_ORDER = {Verdict.FAIL: 0, Verdict.WARN: 1, Verdict.NOT_JUDGED: 2, Verdict.NOT_RUN: 3}
_QUIET = (Verdict.PASS, Verdict.OBSERVED)


def _rank(result: RequirementResult) -> tuple[int, int]:
    return (0 if result.change is Change.NEW_FAILURE else 1, _ORDER.get(result.verdict, 4))


def _shown(result: RequirementResult) -> bool:
    return result.verdict not in _QUIET or result.change not in (None, Change.UNCHANGED)


def shared_answers(results: list[RequirementResult]) -> list[tuple[str, list[RequirementResult]]]:
    """Failures judged on one answer, as (the answer, the failures), largest group first; a
    failure belongs to one group at most."""
    members: dict[str, list[RequirementResult]] = {}
    described: dict[str, str] = {}
    for result in results:
        for key, description in dict.fromkeys(
            answer for outcome in result.failures for answer in outcome.answers
        ):
            if result not in members.setdefault(key, []):
                members[key].append(result)
            described[key] = description
    groups = []
    placed: set[str] = set()
    for key in sorted(members, key=lambda k: -len(members[k])):
        group = [r for r in members[key] if r.requirement.id not in placed]
        if len(group) >= 2:
            groups.append((described[key], group))
            placed.update(r.requirement.id for r in group)
    return groups


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
    table = [r for r in ranked if _shown(r)]
    if table:
        header = f"{'requirement':<26} {'level':<6} {'verdict':<10} {'time':>7}"
        say(header + ("  change" if compared else ""))
        for result in table:
            say(
                f"{result.requirement.id:<26} {result.requirement.level.value:<6} "
                f"{result.verdict.value:<10} {result.duration:6.1f}s"
                + (f"  {result.change.value}" if result.change else "")
            )
    failing = [r for r in ranked if r.verdict in (Verdict.FAIL, Verdict.WARN)]
    groups = shared_answers([r for r in failing if r.verdict is Verdict.FAIL])
    grouped = {r.requirement.id for _, group in groups for r in group}
    for answer, group in groups:
        say("")
        say(
            f"{len(group)} requirements failed on one answer: {answer} "
            f"({', '.join(r.requirement.id for r in group)})"
        )
        for result in group:
            _print_failure(run, result, say, indent="  ")
    for result in failing:
        if result.requirement.id not in grouped:
            say("")
            _print_failure(run, result, say, indent="")
    say("")
    if run.sequence_coverage is not None:
        say(run.sequence_coverage.line())
    say(
        f"{run.requests} requests in {run.duration:.1f}s ({run.pacing_line}); "
        f"run {run.run_id}, seed {run.seed}"
    )


def _print_failure(
    run: RunResult, result: RequirementResult, say: Callable[[str], None], indent: str
) -> None:
    new = " NEW" if result.change is Change.NEW_FAILURE else ""
    requirement = result.requirement
    say(
        f"{indent}{result.verdict.value.upper()}{new} {requirement.id} "
        f"({requirement.level.value}): {requirement.statement}"
    )
    for failure in result.failures:
        say(f"{indent}  {failure.test}")
        for line in failure.message.splitlines():
            say(f"{indent}    {line}")
    if run.rerun:
        say(f"{indent}  rerun: {run.rerun} --seed {run.seed} --only {requirement.id}")
    if run.report_dir:
        say(
            f"{indent}  evidence, curl and pytest reproductions: "
            f"{run.report_dir.rstrip('/')}/conformance.html#fail-{requirement.id}"
        )

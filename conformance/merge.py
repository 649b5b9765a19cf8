"""The parts of a sharded run (`--shard K/N`) joined into the run they make together.

Each part's conformance.json carries every outcome of the tests it made; the merged run judges
each requirement over the outcomes of all parts with the same rules as a whole run
(results.judge), so its verdicts, counts and exit code are those one whole run would give.
A test that scans the run (shard.SCANS_THE_RUN) ran in every part, and a laned one (shard.LANED:
the state machine) in several: its failures are all kept, and without one the outcome that says
the least (not judged, then passed, then skipped) stands for all, with the requests of all. The
parts' 429s and seconds waited add up (they waited side by side, so the run's wall time is
shorter than that sum). The state machine's sequence coverage is that of the parts that ran
its lanes, merged: what none of them tried stays unseen.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from conformance.requirements import BY_ID
from conformance.results import (
    Outcome,
    RunResult,
    SequenceCoverage,
    TestOutcome,
    compare_with_baseline,
    judge,
)
from conformance.shard import Shard
from conformance.target import default_label

__all__ = ["MergeError", "Part", "load_part", "merge", "outcome_of", "sequence_coverage"]

STANDS_FOR_ALL = {Outcome.NOT_JUDGED: 0, Outcome.PASSED: 1, Outcome.SKIPPED: 2}
"""Which outcome of a test that every part made stands for all, when none failed (lowest)."""
SAME_IN_EVERY_PART = ("run_id", "label", "target", "seed", "profile", "strict", "require_all")


class MergeError(Exception):
    """The parts do not make one run: missing, duplicated or mismatched (exit 2)."""


class Part:
    """One part's conformance.json, read and checked."""

    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.path = path
        self.data = data
        shard = data.get("shard")
        if not isinstance(shard, dict):
            raise MergeError(f"{path} is the report of a whole run, not of a --shard K/N part")
        self.shard = Shard(int(shard["index"]), int(shard["total"]))
        self.max_requests: int | None = shard.get("max_requests")
        self.budget_spent = bool(shard.get("budget_spent"))
        self.interrupted_by = str(shard.get("interrupted_by") or "")

    @property
    def suite_version(self) -> str:
        return str(self.data.get("versions", {}).get("suite"))

    @property
    def selection(self) -> list[str]:
        return [entry["id"] for entry in self.data["requirements"]]


def load_part(path: Path) -> Part:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise MergeError(f"{path} is not a readable conformance.json: {error}") from None
    if not isinstance(data, dict) or not isinstance(data.get("requirements"), list):
        raise MergeError(f"{path} is not a conformance.json written by devdraft-conformance")
    return Part(path, data)


def outcome_of(entry: dict[str, Any], requirement_id: str) -> TestOutcome:
    """A test entry of conformance.json (report.data) back as the outcome it was made from."""
    files = entry.get("reproduction_files") or {}
    return TestOutcome(
        test=entry["test"],
        requirement_id=requirement_id,
        part=entry["part"],
        outcome=Outcome(entry["outcome"]),
        duration=float(entry["duration"]),
        requests=int(entry.get("requests", 0)),
        title=entry.get("title", ""),
        expected=entry.get("expected", ""),
        received=entry.get("received", ""),
        message=entry.get("message", ""),
        minimal_example=entry.get("minimal_example", ""),
        exchanges=list(entry.get("exchanges", [])),
        observations=list(entry.get("observations", [])),
        repro_script=entry.get("reproduction", ""),
        repro_pytest=entry.get("reproduction_pytest", ""),
        repro_files=[files["sh"], files["pytest"]] if files else [],
        answers=[(str(key), str(text)) for key, text in entry.get("answers", [])],
    )


def sequence_coverage(parts: Sequence[Part]) -> SequenceCoverage | None:
    """The coverage of the parts that ran the state machine, as one; None if none did."""
    found = [p.data.get("sequence_coverage") for p in parts]
    ran = [SequenceCoverage.of(data) for data in found if isinstance(data, dict)]
    return SequenceCoverage.merged(ran) if ran else None


def check_parts(parts: Sequence[Part]) -> None:
    """Exactly the parts 1..N of one run: the same target, seed, profile, selection and suite
    version; MergeError naming what is missing, duplicated or different otherwise."""
    if not parts:
        raise MergeError("no part to merge")
    first = parts[0]
    for part in parts[1:]:
        for name in SAME_IN_EVERY_PART:
            if part.data.get(name) != first.data.get(name):
                raise MergeError(
                    f"{part.path} is of another run: {name} {part.data.get(name)!r}, where "
                    f"{first.path} has {first.data.get(name)!r}"
                )
        if part.suite_version != first.suite_version:
            raise MergeError(
                f"{part.path} was written by suite version {part.suite_version}, {first.path} "
                f"by {first.suite_version}: merge parts of one suite version"
            )
        if part.selection != first.selection:
            raise MergeError(f"{part.path} selected other requirements than {first.path}")
        if part.shard.total != first.shard.total:
            raise MergeError(
                f"{part.path} is part {part.shard} and {first.path} part {first.shard}: "
                "the parts of one run share N"
            )
    total = first.shard.total
    seen: dict[int, Path] = {}
    for part in parts:
        if part.shard.index in seen:
            raise MergeError(
                f"part {part.shard} is given twice: {seen[part.shard.index]} and {part.path}"
            )
        seen[part.shard.index] = part.path
    missing = [f"{i}/{total}" for i in range(1, total + 1) if i not in seen]
    if missing:
        raise MergeError(f"part {', '.join(missing)} is missing; pass all {total} parts")


def _one_per_test(outcomes: Iterable[TestOutcome]) -> list[TestOutcome]:
    """The outcomes with each test once, but for its failures (see the module docstring)."""
    by_test: dict[tuple[str, str], list[TestOutcome]] = {}
    for outcome in outcomes:
        by_test.setdefault((outcome.requirement_id, outcome.test), []).append(outcome)
    kept: list[TestOutcome] = []
    for same in by_test.values():
        failed = [o for o in same if o.outcome is Outcome.FAILED]
        if failed:
            kept.extend(failed)
            continue
        standing = min(same, key=lambda o: STANDS_FOR_ALL.get(o.outcome, len(STANDS_FOR_ALL)))
        kept.append(replace(standing, requests=sum(o.requests for o in same)))
    return kept


def merge(
    parts: Sequence[Part],
    *,
    report_dir: Path,
    baseline: tuple[str, dict[str, str]] | None = None,
    rerun: str = "",
) -> RunResult:
    """The run the parts make together (check_parts first)."""
    check_parts(parts)
    parts = sorted(parts, key=lambda p: p.shard.index)
    first = parts[0].data
    outcomes = _one_per_test(
        outcome_of(test, entry["id"])
        for part in parts
        for entry in part.data["requirements"]
        for test in entry["tests"]
    )
    by_id: dict[str, list[TestOutcome]] = {i: [] for i in parts[0].selection}
    for outcome in outcomes:
        by_id.setdefault(outcome.requirement_id, []).append(outcome)
    results = [judge(BY_ID[i], by_id[i]) for i in parts[0].selection]
    if baseline is not None:
        compare_with_baseline(results, baseline[1])
    limits = [p.max_requests for p in parts]
    aborted = [str(p.data["aborted"]) for p in parts if p.data.get("aborted")]
    budget = sum(limit or 0 for limit in limits) if None not in limits else None
    paced = [p.data.get("rate_limits") or {} for p in parts]
    caps: list[float | None] = [pace.get("rate_cap") for pace in paced]
    return RunResult(
        run_id=first["run_id"],
        target=first["target"],
        seed=first["seed"],
        profile=first["profile"],
        strict=first["strict"],
        started=min(str(p.data["started"]) for p in parts),
        duration=max(float(p.data["duration"]) for p in parts),
        requests=sum(int(p.data["requests"]) for p in parts),
        versions=dict(first["versions"]),
        requirements=results,
        aborted="; ".join(dict.fromkeys(aborted)),
        baseline_run_id=baseline[0] if baseline else None,
        interrupted=next((p.interrupted_by for p in parts if p.interrupted_by), ""),
        budget_spent=budget if any(p.budget_spent for p in parts) else None,
        require_all=first["require_all"],
        rerun=rerun,
        report_dir=str(report_dir),
        max_requests=budget,
        answers_429=sum(int(pace.get("answers_429", 0)) for pace in paced),
        seconds_waited=round(sum(float(pace.get("seconds_waited", 0.0)) for pace in paced), 2),
        wait_allowance=float(paced[0].get("wait_allowance", 0.0)),
        rate_cap=None if None in caps else sum(cap for cap in caps if cap is not None),
        label=str(first.get("label") or default_label(first["target"])),
        sequence_coverage=sequence_coverage(parts),
    )

"""``python -m conformance.selftest``: run the fault and variant matrix, print one line per run
(and, with --soak, each case's pass count), optionally write the catalog table; exit 0 only if
every fault was caught cleanly and every variant passed. With --compare-workers N the matrix
runs twice, the suite with --workers 1 and with --workers N, and every run's verdicts must be
the same in both. With --combined the variants run in combinations (one server making the
choices of variants of different kinds, conformance.reference.variants.combined): a combination
that fails a seed runs again variant by variant with that seed, so the failure names its
variant."""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

from conformance.reference.variants.combined import SEPARATOR, combined_groups

from .matrix import Case, Judgement, cases, run_matrix, variant_case
from .table import render_table

__all__ = ["main", "parser"]


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m conformance.selftest",
        description="Run the suite against every fault (must be caught) and every variant "
        "(must pass) of the reference server",
    )
    p.add_argument("--soak", type=int, default=1, metavar="N",
                   help="Runs per case, with seeds K..K+N-1 (default 1)")  # fmt: skip
    p.add_argument("--first-seed", type=int, default=1, metavar="K",
                   help="The seed of each case's first run (default 1): a soak cut short "
                   "goes on from its next seed")  # fmt: skip
    p.add_argument("--workers", type=int, default=2, help="Runs at a time (default 2)")
    p.add_argument("--only", default="", metavar="NAME,...", help="Faults or variants to run")
    only = p.add_mutually_exclusive_group()
    only.add_argument("--faults-only", action="store_true", help="Skip the variants")
    only.add_argument("--variants-only", action="store_true", help="Skip the faults")
    p.add_argument("--combined", action="store_true",
                   help="Run the variants in combinations; a failing one again variant by "
                   "variant")  # fmt: skip
    p.add_argument("--table", type=Path, metavar="PATH", help="Write the catalog table here")
    p.add_argument("--compare-workers", type=int, default=0, metavar="N",
                   help="Run the matrix with the suite's --workers 1 and --workers N; every "
                   "run's verdicts must agree")  # fmt: skip
    return p


def _combined(selected: list[Case]) -> list[Case]:
    """The faults as they are, the variants in the combinations they make."""
    faults = [c for c in selected if c.kind == "fault"]
    groups = combined_groups(c.name for c in selected if c.kind == "variant")
    return faults + [variant_case(SEPARATOR.join(group)) for group in groups]


def _alone(failed: list[Judgement], workers: int) -> list[Judgement]:
    """Each variant of each failed combination, run alone with the seed that failed."""
    return [
        result
        for r in failed
        if r.case.kind == "variant" and SEPARATOR in r.case.name
        for result in run_matrix(
            [variant_case(name) for name in r.case.name.split(SEPARATOR)],
            [r.seed],
            workers=workers,
            progress=_print,
        )
    ]


def _print(result: Judgement) -> None:
    print(_line(result), flush=True)


def _differences(serial: list[Judgement], parallel: list[Judgement], workers: int) -> list[str]:
    """One line per run whose verdicts differ between the suite's --workers 1 and N."""
    lines = []
    for one, many in zip(serial, parallel, strict=True):
        changed = sorted(
            i
            for i in set(one.verdicts) | set(many.verdicts)
            if one.verdicts.get(i) != many.verdicts.get(i)
        )
        if changed:
            shown = ", ".join(
                f"{i} {one.verdicts.get(i)} -> {many.verdicts.get(i)}" for i in changed
            )
            lines.append(f"{one.case.label} seed {one.seed}: --workers {workers} changes {shown}")
    return lines


def _detail(result: Judgement) -> str:
    if result.problems:
        return "; ".join(result.problems)
    if result.case.kind == "fault":
        return f"{result.case.breaks} {result.verdicts.get(result.case.breaks)}"
    warned = [i for i in result.case.warns if result.verdicts.get(i) == "warn"]
    return f"passes (allowed warnings: {', '.join(warned)})" if warned else "passes"


def _line(result: Judgement) -> str:
    status = "ok  " if result.ok else "FAIL"
    detail = _detail(result)
    return (
        f"{status} {result.case.label:<40} seed {result.seed:<3} exit {result.exit_code} "
        f"{result.seconds:5.1f}s  {detail}"
    )


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    selected = cases([n for n in args.only.split(",") if n] or None)
    if args.faults_only or args.variants_only:
        kind = "fault" if args.faults_only else "variant"
        selected = [c for c in selected if c.kind == kind]
    if not selected:
        print("selftest: nothing selected", file=sys.stderr)
        return 2
    if args.combined:
        selected = _combined(selected)
    started = time.monotonic()
    passes = [["--workers", "1"], ["--workers", str(args.compare_workers)]]
    runs = [
        run_matrix(
            selected,
            range(args.first_seed, args.first_seed + args.soak),
            workers=args.workers,
            progress=_print,
            suite_args=suite_args,
        )
        for suite_args in (passes if args.compare_workers else [[]])
    ]
    elapsed = time.monotonic() - started
    results = [r for run in runs for r in run]
    bad = [r for r in results if not r.ok]
    if args.combined and bad:
        print("variants of the failed combinations, each alone:")
        alone = _alone(bad, args.workers)
        print(f"{sum(not r.ok for r in alone)} of {len(alone)} failed alone")
    if args.soak > 1:
        passed = Counter(r.case.label for r in results if r.ok)
        for case in selected:
            print(f"{case.label:<40} {passed[case.label]}/{args.soak} ok")
    print(f"{len(results)} runs in {elapsed:.0f} s with {args.workers} workers; {len(bad)} failed")
    differing = (
        _differences(runs[0], runs[-1], args.compare_workers) if args.compare_workers else []
    )
    for line in differing:
        print(line)
    if args.compare_workers:
        print(
            f"verdicts with --workers 1 and --workers {args.compare_workers}: "
            f"{len(runs[0]) - len(differing)} of {len(runs[0])} runs agree"
        )
    if args.table:
        args.table.parent.mkdir(parents=True, exist_ok=True)
        args.table.write_text(render_table(results, matrix_seconds=elapsed), encoding="utf-8")
        print(f"table: {args.table}")
    return 1 if bad or differing else 0


if __name__ == "__main__":
    sys.exit(main())

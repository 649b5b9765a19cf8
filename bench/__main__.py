"""``python -m bench`` (``make bench``): measure, print the table, write reports/bench.json."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from . import measure, pacing, report
from .servers import PROJECT_ROOT, BenchServerError

PARTS = ("throughput", "memory", "suite", "flood", "far", "rate-limits")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--seconds", type=float, default=4.0, help="Seconds per throughput run")
    p.add_argument("--threads", type=int, default=3, help="Load-generator connections")
    p.add_argument("--keys", type=int, default=3000, help="Distinct keys for the memory run")
    p.add_argument("--flood-keys", type=int, default=10_000, help="Distinct keys for the flood")
    p.add_argument("--profile", default="default", help="Suite profile to time")
    p.add_argument(
        "--replay-delay",
        type=float,
        default=0.0,
        help="--replay-delay passed to the suite (default 0: measure overhead, not waits)",
    )
    p.add_argument(
        "--latency",
        type=float,
        action="append",
        help="Latency in seconds of a far target (repeatable; default 0.03 and 0.1)",
    )
    p.add_argument(
        "--workers",
        type=int,
        action="append",
        help="--workers counts to time against each far target (repeatable; default 1 and 4)",
    )
    p.add_argument(
        "--limiter-variant",
        default="every-7th-429",
        help="Count-based rate-limiting variant for the rate-limits part (default every-7th-429)",
    )
    p.add_argument("--plain-requests", type=int, default=1000, help="Plain-loop request limit")
    p.add_argument("--only", choices=PARTS, action="append", help="Run only this part (repeatable)")
    p.add_argument(
        "--report-dir",
        type=Path,
        default=PROJECT_ROOT / "reports",
        help="Directory for bench.json (default reports/)",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if not 0 < args.seconds <= 30 or not 1 <= args.threads <= 8 or not 1 <= args.keys <= 50_000:
        parser().error("--seconds must be 0-30, --threads 1-8 and --keys 1-50000")
    parts = args.only or list(PARTS)
    figures: dict[str, Any] = {"machine": {"start": report.machine()}}
    began = time.perf_counter()
    try:
        if "throughput" in parts:
            print("measuring reference server throughput ...", file=sys.stderr, flush=True)
            figures["throughput"] = measure.throughput(args.threads, args.seconds)
        if "memory" in parts:
            print("measuring reference server memory ...", file=sys.stderr, flush=True)
            figures["memory"] = measure.memory(args.keys, args.threads, 4 * args.seconds)
        if "suite" in parts:
            print(f"timing the suite (profile {args.profile}) ...", file=sys.stderr, flush=True)
            figures["suite"] = measure.suite_cost(
                args.profile, args.replay_delay, args.plain_requests, args.seconds
            )
        if "far" in parts:
            print("timing the suite against far targets ...", file=sys.stderr, flush=True)
            figures["far"] = measure.far_targets(
                args.latency or [0.03, 0.1], args.workers or [1, 4]
            )
        if "flood" in parts:
            print("flooding a rate-limited reference server ...", file=sys.stderr, flush=True)
            figures["flood"] = measure.flood_memory(args.flood_keys)
        if "rate-limits" in parts:
            print("timing the suite against rate limits (fast) ...", file=sys.stderr, flush=True)
            figures["rate_limits"] = pacing.rate_limited_runs("fast", args.limiter_variant)
    except (measure.BenchError, BenchServerError) as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    figures["machine"]["end"] = report.machine()
    figures["bench_seconds"] = round(time.perf_counter() - began, 1)
    print(report.table(figures))
    path = report.write_json(figures, args.report_dir)
    print(f"\n{figures['bench_seconds']:.0f} s in all; figures in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

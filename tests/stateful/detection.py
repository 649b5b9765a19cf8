"""How much of the fault catalog the state machine catches by itself.

    python -m tests.stateful.detection [--workers 2] [--seed N] [--only NAME,...]

Runs `devdraft-conformance --reference --reference-arg=--fault=NAME --only STATEFUL-MODEL
--profile default` once per fault, reads each conformance.json and prints a table: verdict,
the requirement the failing step names, the length of the shortest failing sequence (the
requests of the final, shrunk example), and the run's sequence coverage (pairs and triples of
actions on one payment, exercised of possible). Ends with the detection rate, the median length
and the median coverage.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from conformance.reference.faults import FAULTS

RUN_TIMEOUT = 600.0


@dataclass
class Row:
    fault: str
    breaks: str
    verdict: str
    names: str
    requests: int | None
    seconds: float
    pairs: str = ""
    triples: str = ""


def tally(coverage: dict[str, object] | None, name: str) -> str:
    """'38/40' from a report's sequence_coverage; empty when the run carried none."""
    part = coverage.get(name) if coverage else None
    return f"{part['exercised']}/{part['possible']}" if isinstance(part, dict) else ""


def run_one(fault: str, seed: int, profile: str) -> Row:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="stateful-detect-") as folder:
        command = [
            sys.executable,
            "-m",
            "conformance",
            "--reference",
            f"--reference-arg=--fault={fault}",
            "--only",
            "STATEFUL-MODEL",
            "--profile",
            profile,
            "--seed",
            str(seed),
            "--report-dir",
            folder,
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=RUN_TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            return Row(fault, FAULTS[fault].breaks, "timeout", "", None, RUN_TIMEOUT)
        report = Path(folder) / "conformance.json"
        if not report.is_file():
            return Row(fault, FAULTS[fault].breaks, "no report", "", None, 0.0)
        data = json.loads(report.read_text(encoding="utf-8"))
    entry = data["requirements"][0]
    coverage = data.get("sequence_coverage")
    pairs, triples = tally(coverage, "pairs"), tally(coverage, "triples")
    seconds = round(time.monotonic() - started, 1)
    failing = [t for t in entry["tests"] if t["outcome"] == "failed"]
    if not failing:
        return Row(fault, FAULTS[fault].breaks, entry["verdict"], "", None, seconds, pairs, triples)
    test = failing[0]
    title = test.get("title", "")
    named = title.split(" violates ", 1)[1].split(":", 1)[0] if " violates " in title else title
    return Row(
        fault,
        FAULTS[fault].breaks,
        entry["verdict"],
        named,
        len(test.get("exchanges", [])),
        seconds,
        pairs,
        triples,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", default="default")
    parser.add_argument("--only", default="")
    args = parser.parse_args(argv)
    names = [n for n in args.only.split(",") if n] or sorted(FAULTS)
    with ThreadPoolExecutor(max_workers=args.workers) as pool:
        rows = list(pool.map(lambda n: run_one(n, args.seed, args.profile), names))
    print(
        "| fault | breaks | verdict | the failing step names | requests | seconds "
        "| pairs | triples |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row.fault} | {row.breaks} | {row.verdict} | {row.names} | "
            f"{row.requests if row.requests is not None else ''} | {row.seconds} | "
            f"{row.pairs} | {row.triples} |"
        )
    caught = [row for row in rows if row.verdict == "fail"]
    lengths = [row.requests for row in caught if row.requests is not None]
    median = statistics.median(lengths) if lengths else None
    print(
        f"\ndetected {len(caught)}/{len(rows)} ({100 * len(caught) / len(rows):.0f}%), "
        f"median reproduction {median} requests"
    )
    for name in ("pairs", "triples"):
        figures = [getattr(row, name) for row in rows if getattr(row, name)]
        if figures:
            exercised = statistics.median(int(f.split("/")[0]) for f in figures)
            possible = figures[0].split("/")[1]
            print(f"{name}: median {exercised:g}/{possible} over {len(figures)} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Requests each requirement sends, by profile, beside the faults of the catalog it catches.

    python -m bench.requests_by_requirement [--profile P ...] [--seed N]
    make request-counts

Runs the suite against the reference server once per profile (two clients, `--reference`) and
adds up the requests of each requirement's tests (the `requests` of each test in
conformance.json, the retries of 429 answers included; the preflight belongs to none). The last
column lists the faults whose `breaks` is that requirement (`+name`: it is among the fault's
`also_breaks`), each of which the self-test shows it catches. A requirement that sends many
requests and catches no fault is where a profile could be cut.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from conformance.profiles import FAST, PROFILES, SMOKE
from conformance.reference.faults import FAULTS
from conformance.requirements import CATALOG

RUN_TIMEOUT = 900.0


def requests_by_requirement(profile: str, seed: int) -> tuple[int, dict[str, int]]:
    """The run's request count and each requirement's share of it."""
    with tempfile.TemporaryDirectory(prefix="request-counts-") as folder:
        command = [
            sys.executable, "-m", "conformance", "--reference", "--profile", profile,
            "--seed", str(seed), "--report-dir", folder,
        ]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, timeout=RUN_TIMEOUT)
        report = Path(folder) / "conformance.json"
        if not report.is_file():
            raise SystemExit(f"{profile}: no report (exit {done.returncode}): {done.stderr[-800:]}")
        data = json.loads(report.read_text(encoding="utf-8"))
    counts = {
        entry["id"]: sum(int(test.get("requests", 0)) for test in entry["tests"])
        for entry in data["requirements"]
    }
    return int(data["requests"]), counts


def catches() -> dict[str, list[str]]:
    """The faults naming each requirement: `name` for its breaks, `+name` for an also_breaks."""
    found: dict[str, list[str]] = defaultdict(list)
    for name, fault in sorted(FAULTS.items()):
        found[fault.breaks].append(name)
        for other in fault.also_breaks:
            found[other].append(f"+{name}")
    return found


def table(profiles: list[str], seed: int) -> str:
    runs = {p: requests_by_requirement(p, seed) for p in profiles}
    faults = catches()
    lines = [
        f"| requirement | {' | '.join(profiles)} | faults it catches |",
        "|---|" + "---:|" * len(profiles) + "---|",
    ]
    for requirement in CATALOG:
        counts = " | ".join(f"{runs[p][1].get(requirement.id, 0):,}" for p in profiles)
        named = ", ".join(faults.get(requirement.id, [])) or "—"
        lines.append(f"| {requirement.id} | {counts} | {named} |")
    totals = " | ".join(f"{runs[p][0]:,}" for p in profiles)
    lines.append(f"| the run (preflight included) | {totals} | |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.requests_by_requirement", description=__doc__)
    p.add_argument(
        "--profile", action="append", choices=list(PROFILES), help=f"default {SMOKE} and {FAST}"
    )
    p.add_argument("--seed", type=int, default=1)
    options = p.parse_args(argv)
    print(table(options.profile or [SMOKE, FAST], options.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The state machine never fails a conformant server: N seeds against the reference server and
every conformant variant (default profile), one run at a time.

    python -m tests.stateful.soak [--seeds 20] [--profile default]

Prints one line per run and a summary; exits 1 if any run did not pass.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from conformance.reference.launch import running_reference_server
from conformance.reference.variants import VARIANTS, suite_args
from tests.stateful.test_stateful_runs import CLIENT_ARGS, run_state_machine, verdict


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="State machine soak against conformant servers")
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--profile", default="default")
    args = parser.parse_args(argv)
    variants = ["reference", *sorted(set(VARIANTS) - {"reference"})]
    failures: list[str] = []
    total = 0.0
    for variant in variants:
        with running_reference_server(*CLIENT_ARGS, "--variant", variant) as server:
            for seed in range(1, args.seeds + 1):
                started = time.monotonic()
                with tempfile.TemporaryDirectory(prefix="stateful-soak-") as folder:
                    run = run_state_machine(
                        server.base_url,
                        Path(folder),
                        *suite_args(VARIANTS[variant]),
                        seed=seed,
                        profile=args.profile,
                    )
                    entry = verdict(Path(folder))
                seconds = time.monotonic() - started
                total += seconds
                line = f"{variant:<24} seed {seed:>3}: {entry['verdict']:<10} {seconds:5.1f}s"
                print(line + ("" if entry["verdict"] == "pass" else f"  {entry['reason']}"))
                if entry["verdict"] != "pass" or run.code != 0:
                    failures.append(f"{variant} seed {seed}: {entry['reason']}")
    runs = len(variants) * args.seeds
    print(f"\n{runs - len(failures)}/{runs} runs passed, {total / runs:.1f}s per run on average")
    for failure in failures:
        print(f"FAILED {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

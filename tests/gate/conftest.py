"""The gate as a new user meets it: runs of `python -m conformance` against servers on loopback
(the reference server, or a counting hostile server), with distinctive credentials that must
reach no output."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance.reference.launch import RunningServer, running_reference_server
from tests import suite_runner as runner
from tests.suite_runner import Run

KEY, SECRET = "gate-key-4Jd8QsWz", "gate-secret-Vn2Lp6Ty9Rk"
SECOND_KEY, SECOND_SECRET = "gate-key-b-7Hc1Mx", "gate-secret-b-Ze5Wq3Ub"
ONE_CLIENT = {"DEVDRAFT_API_KEY": KEY, "DEVDRAFT_SECRET": SECRET}
TWO_CLIENTS = {
    **ONE_CLIENT,
    "DEVDRAFT_SECOND_API_KEY": SECOND_KEY,
    "DEVDRAFT_SECOND_SECRET": SECOND_SECRET,
}
SECRETS = (KEY, SECRET, SECOND_KEY, SECOND_SECRET)
FAST = ("--profile", "fast")
SEEDS = itertools.count(100)
"""The seeds of the runs that give none: each its own, as the reference server below is shared
by the runs of a test process, and a seed that has run against a target is refused there
(conformance.preflight)."""


@pytest.fixture(scope="session")
def reference() -> Iterator[RunningServer]:
    """The reference server, knowing both clients."""
    with running_reference_server(
        "--client", f"{KEY}:{SECRET}", "--client", f"{SECOND_KEY}:{SECOND_SECRET}"
    ) as server:
        yield server


def run_suite(
    report_dir: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 240
) -> Run:
    seed = () if "--seed" in args else ("--seed", str(next(SEEDS)))
    return runner.run_suite(
        report_dir, *args, *seed, env=TWO_CLIENTS if env is None else env, timeout=timeout
    )


def one_line(text: str) -> str:
    """The only line of `text` (stderr of a usage error); fails when there are more."""
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]

"""A part of `--workers N` made by a fork of the command's process (conformance.workers.Forked):
it runs the entry point with its own arguments, environment and output, exits with its code,
and is stopped by a signal like a part of its own interpreter. Each case runs in a fresh
interpreter with no other thread, as the command does (a fork copies only the calling thread)."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.reference.launch import running_reference_server
from tests.gate.conftest import run_suite as run
from tests.suite.test_seed import (
    CLIENT,
    ENV,
    ONLY,
    PREFLIGHT_OWN,
    SERVER_MADE,
    recording_proxy,
)

SCRIPT = """
import json, os, signal, sys
from conformance.workers import Forked, can_fork

def main(args):
    if args == ["raise"]:
        raise RuntimeError("broken part")
    if args == ["block"]:
        print("waiting", flush=True)
        os.read(blocker, 1)  # nobody writes: only a signal ends the part
    print("out", *args)
    print("err", os.environ.get("PART_VALUE"), "PATH" in os.environ, file=sys.stderr)
    return 5

blocker, _ = os.pipe()
found = {"can_fork": can_fork()}
part = Forked(main, ["a", "b"], {"PART_VALUE": "given"})
found["plain"] = [part.stdout.read(), part.stderr.read(), part.wait()]
broken = Forked(main, ["raise"], {})
found["broken"] = ["broken part" in broken.stderr.read(), broken.wait()]
blocked = Forked(main, ["block"], {})
found["blocked"] = [blocked.stdout.readline(), blocked.poll()]
blocked.send_signal(signal.SIGTERM)
found["blocked"].append(blocked.wait(timeout=60))
print(json.dumps(found))
"""


def test_a_forked_part_runs_the_entry_point_with_its_arguments_and_environment() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.splitlines()[-1])
    assert found["can_fork"] is True
    assert found["plain"] == ["out a b\n", "err given False\n", 5]  # only the part's environment
    assert found["broken"] == [True, 70]
    assert found["blocked"] == ["waiting\n", None, -15]


def test_workers_beside_a_reference_server_run_each_part_in_its_own_interpreter(
    tmp_path: Path,
) -> None:
    """With --reference, threads read the server's output (can_fork is False), so each part
    is a new interpreter, as before forks."""
    done = run(
        tmp_path, "--reference", "--profile", "smoke", "--seed", "3",
        "--only", "PAY-GET,PAY-CREATE", "--workers", "2",
    )  # fmt: skip
    assert done.code == 0, done.explain()
    assert "[part 1/2]" in done.stdout and "[part 2/2]" in done.stdout
    assert done.verdicts() == {"PAY-CREATE": "pass", "PAY-GET": "pass"}


def requests_of_parts(report_dir: Path, *runs: tuple[str, ...]) -> list[str]:
    """What `runs` (the arguments of each) sent to one fresh reference server, in order of
    text, the server's ids and the preflight's own value left out."""
    with (
        running_reference_server("--client", ":".join(CLIENT)) as server,
        recording_proxy(server.base_url) as (url, seen),
    ):
        for number, args in enumerate(runs):
            done = run(
                report_dir / str(number), "--base-url", url, "--profile", "smoke",
                "--seed", "4242", "--only", ONLY, *args, env=ENV,
            )  # fmt: skip
            assert done.code == 0, done.explain()
    return sorted(PREFLIGHT_OWN.sub(r"\1 <own>", SERVER_MADE.sub("<id>", line)) for line in seen)


@pytest.mark.slow
def test_forked_parts_send_what_each_part_sends_in_an_interpreter_of_its_own(
    tmp_path: Path,
) -> None:
    """The command imports the suite before it forks the parts (runner.suite_import): each
    part then sends what a run of `--shard k/N` sends, which imports the suite's modules itself
    under the profile's Hypothesis settings."""
    forked = requests_of_parts(tmp_path / "forked", ("--workers", "2"))
    alone = requests_of_parts(tmp_path / "alone", ("--shard", "1/2"), ("--shard", "2/2"))
    assert len(forked) > 300
    assert forked == alone


RATE = 20
"""--rate of the shared-cap test: a slot every 50 ms."""


def test_the_parts_keep_together_to_the_runs_rate(tmp_path: Path) -> None:
    """The parts book the slots of the --rate cap in one file (transport.rate_slots): their
    requests arrive a slot apart, as a serial run's do, not as a stream for each part at its
    share of the cap, side by side."""
    arrivals: list[float] = []
    with (
        running_reference_server("--client", ":".join(CLIENT)) as server,
        recording_proxy(server.base_url, arrivals) as (url, _),
    ):
        done = run(
            tmp_path, "--base-url", url, "--profile", "smoke", "--workers", "3",
            "--only", "PAY-CREATE,PAY-GET,KEY-REQUIRED,REPLAY-IDENTICAL,CONFLICT-BODY",
            "--rate", str(RATE), env=ENV,
        )  # fmt: skip
    assert done.code == 0, done.explain()
    assert done.report["rate_limits"]["rate_cap"] == RATE  # the run's, not the parts' sum
    gaps = [later - earlier for earlier, later in itertools.pairwise(arrivals)]
    assert len(gaps) > 50
    close = [round(gap, 4) for gap in gaps if gap < 0.8 / RATE]
    assert len(close) <= len(gaps) // 10, close

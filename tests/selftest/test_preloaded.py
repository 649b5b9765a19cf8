"""A run in a fork of the preloaded process (conformance.preloaded) gives what
`python -m conformance` in its own interpreter gives: exit code, stdout and stderr, with the
environment it is handed; one that outlasts its timeout is stopped."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance.preloaded import run_cli
from tests.suite_runner import run_command


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--list"], {}),
        (["--base-url", "http://127.0.0.1:9"], {"CONFORMANCE_PROFILE": "no-such-profile"}),
        (["--shard", "3/2", "--base-url", "http://127.0.0.1:9"], {}),
    ],
    ids=["list", "environment", "usage-error"],
)
def test_a_run_in_a_fork_answers_as_its_own_interpreter_does(
    args: list[str], env: dict[str, str], tmp_path: Path
) -> None:
    forked = run_cli(args, env=env, timeout=60)
    alone = run_command(tmp_path, *args, env=env, timeout=60, own_interpreter=True)
    assert (forked.returncode, forked.stdout, forked.stderr) == (
        alone.code,
        alone.stdout,
        alone.stderr,
    )
    assert forked.stdout or forked.stderr


@pytest.fixture
def silent_target() -> Iterator[str]:
    """A port that takes connections and never answers."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def test_a_run_that_outlasts_its_timeout_is_stopped(silent_target: str, tmp_path: Path) -> None:
    env = {"DEVDRAFT_API_KEY": "k", "DEVDRAFT_SECRET": "s"}
    args = ["--base-url", silent_target, "--timeout", "120", "--report-dir", str(tmp_path)]
    with pytest.raises(subprocess.TimeoutExpired) as stopped:
        run_cli(args, env=env, timeout=3)
    assert "conformance run" in str(stopped.value.output)

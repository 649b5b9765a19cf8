"""`make conformance` installs what the suite needs to run, not the project's dev tools;
`make test` still installs those (read from make's dry run, so nothing is installed here)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def dry_run(target: str, venv: Path) -> list[str]:
    """The commands `make TARGET` would run on a machine without .venv."""
    completed = subprocess.run(
        ["make", "-n", "-B", target, f"VENV={venv}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return [line for line in completed.stdout.splitlines() if " pip install " in line]


def test_make_conformance_installs_only_the_runtime_dependencies(tmp_path: Path) -> None:
    installs = dry_run("conformance", tmp_path / "venv")
    assert installs and installs[-1].endswith("pip install --quiet -e .")
    assert not any("[dev]" in line for line in installs)


def test_make_test_installs_the_dev_extras(tmp_path: Path) -> None:
    installs = dry_run("test", tmp_path / "venv")
    assert any(line.endswith("-e '.[dev]'") for line in installs)

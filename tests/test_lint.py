"""The code stays as ruff wants it (what `make lint` checks), so CI catches a lapse."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUFF = Path(sys.executable).parent / "ruff"
PATHS = ["conformance", "tests", "conftest.py", "bench"]


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]], ids=["check", "format"])
def test_ruff_finds_nothing(command: list[str]) -> None:
    if not RUFF.exists():
        pytest.skip("ruff is not installed in this environment (pip install -e '.[dev]')")
    result = subprocess.run(
        [str(RUFF), *command, *PATHS], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-1000:]

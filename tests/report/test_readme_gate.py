"""The README's "Gate your CI" demo runs as written against the reference server."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def gate_demo() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- gate-demo.*?-->\s*```sh\n(.*?)```\s*<!-- /gate-demo -->", readme, re.S)
    assert block, "README.md lost its gate-demo block"
    return block.group(1)


def test_the_readme_gate_demo_runs_as_written(tmp_path: Path) -> None:
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")
    completed = subprocess.run(
        ["bash", "-c", gate_demo()],
        cwd=tmp_path,
        # A short run: the commands read CONFORMANCE_ONLY like any other option.
        env={**os.environ, "CONFORMANCE_ONLY": "PAY-CREATE,REPLAY-IDENTICAL,PAY-GET-UNKNOWN"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-3000:]
    assert re.findall(r"^exit code (\d+)$", completed.stdout, re.M) == ["0", "0"], output[-3000:]
    reports = tmp_path / "reports"
    assert {p.name for p in reports.iterdir()} >= {
        "conformance.html",
        "conformance.json",
        "junit.xml",
        "baseline.json",
    }
    report = json.loads((reports / "conformance.json").read_text(encoding="utf-8"))
    assert {r["change"] for r in report["requirements"]} == {"unchanged"}
    assert "compared with baseline run" in completed.stdout

"""Writes the reproductions of one run's failures to <report dir>/repro/.

One writer per run: it clears the reproductions of an earlier run when it starts, numbers the
failures of each requirement (`REPLAY-IDENTICAL-1.sh`, `test_REPLAY_IDENTICAL_1.py`), and
writes the `_support` folder once. Every text passes the run's redactor on its way out.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from conformance.checks import Violation
from conformance.repro.build import build
from conformance.repro.evidence import gather
from conformance.repro.pytest_module import module
from conformance.repro.shell import script
from conformance.repro.support import write_support
from conformance.target import Target
from conformance.transport.records import Journal
from conformance.transport.redaction import Redactor

__all__ = ["Reproduction", "Reproductions"]


@dataclass(frozen=True)
class Reproduction:
    script_path: Path
    script: str
    pytest_path: Path
    pytest: str

    @property
    def command(self) -> str:
        """What the report's Received names: both ways to run it."""
        return f"sh {self.script_path}  or  python -m pytest -s {self.pytest_path}"


class Reproductions:
    def __init__(self, target: Target, redactor: Redactor) -> None:
        self.target, self.redactor = target, redactor
        self.folder = target.report_dir / "repro"
        if self.folder.is_dir():
            shutil.rmtree(self.folder)  # the reproductions of an earlier run
        self.counts: Counter[str] = Counter()
        self.support: Path | None = None

    def write(
        self,
        journal: Journal,
        error: BaseException | None,
        *,
        test: str,
        requirement: str,
        failure: tuple[str, str, str],
    ) -> Reproduction:
        """The reproduction of one failure: `error` is the Violation a check raised (or any
        other error, whose reproduction replays the requests only); `requirement` the one
        the failure is recorded under when the error names none."""
        violation = error if isinstance(error, Violation) else None
        broken = violation.requirement if violation and violation.requirement else requirement
        evidence = gather(list(journal.current), list(journal.all), violation)
        plan = build(
            evidence,
            violation,
            test=test,
            requirement=broken,
            failure=failure,
            base_url=self.target.base_url,
            prefix=self.target.path_prefix,
        )
        self.counts[broken] += 1
        number = self.counts[broken]
        stem = re.sub(r"\W+", "_", broken).strip("_")
        script_path = self.folder / f"{broken}-{number}.sh"
        pytest_path = self.folder / f"test_{stem}_{number}.py"
        run_id = self.target.run_id
        shell_text = self._safe(
            script(plan, name=script_path.name, pytest_name=pytest_path.name, run_id=run_id)
        )
        pytest_text = self._safe(
            module(plan, name=pytest_path.name, script_name=script_path.name, run_id=run_id)
        )
        self.support = self.support or write_support(self.folder)
        script_path.write_text(shell_text, encoding="utf-8")
        script_path.chmod(0o755)
        pytest_path.write_text(pytest_text, encoding="utf-8")
        return Reproduction(script_path, shell_text, pytest_path, pytest_text)

    def _safe(self, text: str) -> str:
        return self.redactor.text(text) or ""

"""Reproductions that reproduce: for every failure, a shell script of curl calls and a pytest
module that send the failing example's requests again, with fresh keys, and end with the
check the suite applied, so they fail while the target still breaks the requirement and pass
once it is fixed.

`evidence` picks the exchanges, `build` turns them into a `Plan`, `shell` and `pytest_module`
render it, `runtime` runs it and `runtime_sh` is the script's helper (standard library only,
copied beside the files with the checks by `support`), and `writer` puts the files in
<report dir>/repro/ for the run.
"""

from __future__ import annotations

from conformance.repro.plan import Plan
from conformance.repro.writer import Reproduction, Reproductions

__all__ = ["Plan", "Reproduction", "Reproductions"]

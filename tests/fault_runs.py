"""One suite run per case of the self-test, shared by every test that reads it: a fault's
verdict (tests/selftest) and the reproduction of its first failure (tests/repro) come from the
same run, made once per test process.

Under pytest-xdist the tests of one fault run in one worker (tests/scheduling.py), and that
worker's run is the one they share.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from pathlib import Path

from conformance.profiles import SMOKE
from conformance.selftest import Judgement, cases, run_case

SEED = 1
_FOLDER = Path(tempfile.mkdtemp(prefix="selftest-runs-"))
atexit.register(shutil.rmtree, _FOLDER, ignore_errors=True)


@cache
def judged(kind: str, name: str) -> Judgement:
    """The run of the fault or variant `name` with SEED, judged as the self-test judges it. A
    variant runs in the smoke profile: its choices are fixed, not probabilistic, so a few
    examples show them, and the whole suite against every variant stays affordable (the
    variants soak runs them in matrix.PROFILE)."""
    (case,) = (c for c in cases([name]) if c.kind == kind)
    return run_case(case, SEED, _FOLDER, variant_profile=SMOKE)

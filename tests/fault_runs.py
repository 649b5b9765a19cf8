"""One suite run per case of the self-test, shared by every test that reads it: a fault's
verdict (tests/selftest) and the reproduction of its first failure (tests/repro) come from the
same run, made once per test process, and so do the verdicts of the variants combined in one
run.

Under pytest-xdist the tests of one fault, or of one combination of variants, run in one worker
(tests/scheduling.py), and that worker's run is the one they share.
"""

from __future__ import annotations

import atexit
import dataclasses
import shutil
import tempfile
from functools import cache
from pathlib import Path

from conformance.profiles import SMOKE
from conformance.reference.variants.combined import combination_of
from conformance.selftest import Judgement, cases, run_case
from conformance.selftest.matrix import variant_case

SEED = 1
_FOLDER = Path(tempfile.mkdtemp(prefix="selftest-runs-"))
atexit.register(shutil.rmtree, _FOLDER, ignore_errors=True)


@cache
def judged(kind: str, name: str) -> Judgement:
    """The run of the fault or variant `name` (or combination `a+b`) with SEED, judged as the
    self-test judges it.

    A variant runs in the smoke profile: its choices are fixed, not probabilistic, so a few
    examples show them (the variants soak runs them in matrix.PROFILE). It is judged by the run
    of the server combining it with variants of other kinds (combination_of), which makes every
    choice at once: one run for several variants keeps the whole suite against every variant
    affordable. When that run has a problem, the variant runs alone as well, so that its
    verdict is its own."""
    combination = combination_of().get(name, name) if kind == "variant" else name
    if combination != name:
        together = judged(kind, combination)
        if together.ok:
            return dataclasses.replace(together, case=variant_case(name))
    if kind == "variant":
        case = variant_case(name)
    else:
        (case,) = (c for c in cases([name]) if c.kind == kind)
    return run_case(case, SEED, _FOLDER, variant_profile=SMOKE)

"""`python -m conformance.selftest --compare-workers N` says which runs' verdicts changed when
the suite ran with --workers N instead of 1, and nothing when they agree."""

from __future__ import annotations

from conformance.selftest.__main__ import _differences
from conformance.selftest.matrix import Case, Judgement

FAULT = Case("fault", "race-create", breaks="CONC-CREATE")
VARIANT = Case("variant", "nestjs-404")


def _run(case: Case, **verdicts: str) -> Judgement:
    return Judgement(case, seed=1, exit_code=0, seconds=1.0, verdicts=dict(verdicts))


def test_runs_with_the_same_verdicts_differ_in_nothing() -> None:
    serial = [_run(FAULT, A="fail", B="pass"), _run(VARIANT, A="pass")]
    parallel = [_run(FAULT, A="fail", B="pass"), _run(VARIANT, A="pass")]
    assert _differences(serial, parallel, 2) == []


def test_a_changed_or_missing_verdict_is_named_with_both_values() -> None:
    serial = [_run(FAULT, A="fail", B="pass"), _run(VARIANT, A="pass")]
    parallel = [_run(FAULT, A="pass", B="pass"), _run(VARIANT, A="pass", C="not judged")]
    assert _differences(serial, parallel, 2) == [
        "fault race-create seed 1: --workers 2 changes A fail -> pass",
        "variant nestjs-404 seed 1: --workers 2 changes C None -> not judged",
    ]

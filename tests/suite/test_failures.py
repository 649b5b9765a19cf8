"""How a failure reaches the report: the violation inside Hypothesis' Flaky group, never
"Unexpected error: FlakyFailure"; anything that is not a violation is not blamed on the target."""

from __future__ import annotations

from hypothesis.errors import FlakyFailure, Unsatisfiable

from conformance.checks import Answer, Violation, replay_is_identical
from conformance.runner.outcomes import underlying_failure, unjudged_reason
from conformance.transport.pacing import WaitAllowance


def violation() -> Violation:
    first = Answer(201, "application/json", '{"id": "1"}', seq=1)
    again = Answer(201, "application/json", '{"id": "2"}', seq=2)
    try:
        replay_is_identical(first, again)
    except Violation as found:
        return found
    raise AssertionError("the check passed")


def test_a_violation_inside_a_flaky_group_is_reported_as_itself() -> None:
    found = violation()
    flaky = FlakyFailure("Inconsistent results", [ValueError("noise"), found])
    unwrapped = underlying_failure(flaky)
    assert unwrapped is found
    assert isinstance(unwrapped, Violation) and unwrapped.requirement == "REPLAY-IDENTICAL"
    assert "did not happen again" in unwrapped.received


def test_a_violation_in_a_nested_group_is_found() -> None:
    found = violation()
    nested = ExceptionGroup("outer", [ExceptionGroup("inner", [found])])
    assert underlying_failure(nested) is found


def test_an_error_that_is_not_a_violation_is_a_suite_defect_or_no_example() -> None:
    assert "defect of the suite" in unjudged_reason(NameError("name 'x' is not defined"))
    assert "refused every body" in unjudged_reason(Unsatisfiable("no examples"))


def test_simultaneous_waits_are_charged_once_for_the_time_they_overlap() -> None:
    now = [100.0]
    allowance = WaitAllowance(10.0, clock=lambda: now[0])
    assert all(allowance.take(1.0) for _ in range(8))  # a burst of 8 waits out one second
    assert allowance.left == 9.0
    now[0] = 100.5
    assert allowance.take(1.0)  # half of it overlaps the burst's wait
    assert allowance.left == 8.5
    now[0] = 200.0
    assert not allowance.take(9.0)
    assert allowance.left == 8.5

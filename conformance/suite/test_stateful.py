"""STATEFUL-MODEL: random sequences of actions keep to the model (see conformance.suite.stateful).

Every answer is judged by the suite's registered checks, each naming the requirement the step
breaks; the run records a violation under that requirement too, and writes the shortest
failing sequence as a reproduction (<report dir>/repro/) that ends with the same check.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conformance.results import SequenceCoverage
from conformance.suite.stateful import run_the_model
from conformance.target import Target
from conformance.transport.client import ApiClient


@pytest.mark.requirement("STATEFUL-MODEL")
def test_random_sequences_of_actions_keep_to_the_model(
    api: ApiClient,
    target: Target,
    record_sequence_coverage: Callable[[SequenceCoverage], None],
) -> None:
    """Hypothesis runs the state machine (examples and steps from the profile) and shrinks a
    failure to the shortest sequence of actions; the orders of actions it tried go to the
    reports, whatever the verdict."""
    run_the_model(api, target, record_sequence_coverage)

"""Runs the state machine under Hypothesis and hands the run the violation it found, and the
orders of actions it tried (its sequence coverage, an observation that never fails a run).

The profile's examples run in rounds, one Hypothesis run each, seeded from the run's seed and
the round's number: before a round the steering learns what the earlier ones covered (see
steering.py). The first failing round ends the run. A run in parts (`--workers`, `--shard`)
runs the state machine in lanes, one a part (shard.LANED): lane k of L makes the rounds whose
number is k modulo L, with the very seeds a whole run gives them, and its steering wants first
the lane's own share of the sequences (lanes.py), so the lanes side by side divide what a whole
run tries, and their coverage, merged, is the run's.

Hypothesis shrinks a failure to the shortest sequence and replays it last, so the journal's
current example is the failing one and the run reproduces it like any other failure. When the
replay does not fail again (a race, or a target that answers differently), the violation that
was seen is raised with the evidence of the example that showed it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import hypothesis
from hypothesis import settings
from hypothesis.errors import Flaky, FlakyStrategyDefinition
from hypothesis.stateful import run_state_machine_as_test

from conformance.checks import Violation
from conformance.profiles import EXAMPLES_PER_ROUND, PROFILES, rounds
from conformance.results import SequenceCoverage
from conformance.shard import STATE_MACHINE, Lane
from conformance.suite.stateful.lanes import shares
from conformance.suite.stateful.machine import PaymentsModel
from conformance.suite.stateful.model import Shared
from conformance.target import Target
from conformance.transport.client import ApiClient
from conformance.transport.errors import NotJudged

__all__ = ["EXAMPLES_PER_ROUND", "lane_rounds", "rounds", "run_the_model"]


def run_the_model(
    api: ApiClient,
    target: Target,
    record_coverage: Callable[[SequenceCoverage], None] | None = None,
) -> None:
    """Examples and steps from the profile, seeded with the run's seed; `record_coverage`
    receives the orders of actions the run applied, whether it passed or not."""
    shared = Shared(api, target)
    try:
        _run(api, target, shared)
    finally:
        if record_coverage is not None:
            record_coverage(shared.coverage.figures())


def lane_rounds(examples: int, lane: Lane) -> list[tuple[int, int]]:
    """The rounds of `examples` (`rounds`) that `lane` makes: (number, examples) of each."""
    every = rounds(examples)
    return [(number, every[number]) for number in lane.makes(len(every))]


def _run(api: ApiClient, target: Target, shared: Shared) -> None:
    def machine() -> PaymentsModel:
        return PaymentsModel(shared)

    lane = target.lane(STATE_MACHINE)
    assert lane is not None  # a part that makes no lane does not run the test
    every = PROFILES[target.profile].stateful_examples
    lanes = [lane_rounds(every, Lane(n, lane.total)) for n in range(lane.total)]
    own = shares([sum(size for _, size in made) for made in lanes])[lane.index]
    try:
        for number, examples in lanes[lane.index]:
            shared.steering.aim(shared.coverage, own)
            hypothesis.seed(target.seed if number == 0 else f"{target.seed}:{number}")(machine)
            run_state_machine_as_test(
                cast("type[PaymentsModel]", machine),  # Hypothesis only calls it with no arguments
                settings=settings(settings(), max_examples=examples, report_multiple_bugs=False),
            )
    except Violation as failure:
        failure.minimal_example = "\n".join(getattr(failure, "__notes__", []))  # type: ignore[attr-defined]
        raise
    except Flaky as flaky:
        found = [e for e in getattr(flaky, "exceptions", ()) if isinstance(e, Violation)]
        if not found and shared.last_violation is not None:
            found = [shared.last_violation]  # the target answered differently on a replay
        if not found and isinstance(flaky, FlakyStrategyDefinition):
            # The model's bundles depended on the target's answers: Hypothesis refuses to go
            # on. No violation was seen, so this run cannot judge STATEFUL-MODEL, and must not
            # fail a conformant target for a defect of the model.
            raise NotJudged(
                "the state machine's generation diverged between examples (a suite defect); "
                f"rerun with another --seed (this one: {target.seed})"
            ) from None
        if not found:
            raise
        violation = found[0]
        if violation is shared.last_violation:
            api.journal.new_example()
            api.journal.cite(shared.last_evidence)  # the example that showed it
        violation.received += " (the shortest sequence did not fail again when replayed: flaky)"
        raise violation from flaky

"""The state machine in lanes (a run in parts), unit by unit: the lanes make a whole run's rounds
between them with the same seeds' numbers, and their first shares of the sequences divide every
pair and triple between them; a whole run is one lane that wants everything, as before."""

from __future__ import annotations

import pytest

from conformance.profiles import PROFILES, rounds
from conformance.shard import WHOLE, Lane
from conformance.suite.stateful.coverage import (
    POSSIBLE_PAIRS,
    POSSIBLE_TRIPLES,
    Coverage,
    after,
    possible,
)
from conformance.suite.stateful.lanes import PAIR_TRAIL, TRAIL, shares
from conformance.suite.stateful.runner import lane_rounds
from conformance.suite.stateful.steering import EVERYTHING, Steering


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_the_lanes_make_the_rounds_of_a_whole_run_between_them(profile: str) -> None:
    examples = PROFILES[profile].stateful_examples
    whole = list(enumerate(rounds(examples)))
    assert lane_rounds(examples, WHOLE) == whole
    for total in range(1, len(whole) + 1):
        made = [lane_rounds(examples, Lane(k, total)) for k in range(total)]
        assert all(made), made  # no lane without a round
        assert sorted(r for lane in made for r in lane) == whole


def test_the_trails_hold_every_possible_sequence_once() -> None:
    assert sorted(TRAIL) == sorted(POSSIBLE_TRIPLES) and len(TRAIL) == len(set(TRAIL))
    assert sorted(PAIR_TRAIL) == sorted(POSSIBLE_PAIRS)
    assert all(possible(t) for t in TRAIL)


@pytest.mark.parametrize("weights", [[6, 6, 4, 4], [4, 4, 2, 2, 2, 2, 2, 2], [3, 2], [2] * 10])
def test_the_lanes_shares_divide_every_pair_and_triple_between_them(weights: list[int]) -> None:
    found = shares(weights)
    assert len(found) == len(weights)
    for kind, every in ((0, POSSIBLE_PAIRS), (1, POSSIBLE_TRIPLES)):
        assert sorted(s for share in found for s in share[kind]) == sorted(every)
    for share, weight in zip(found, weights, strict=True):  # as long as the lane's examples
        assert abs(len(share[1]) - len(TRAIL) * weight / sum(weights)) <= 1


def test_a_whole_run_wants_every_sequence_and_a_lane_its_share_first() -> None:
    assert shares([20]) == [EVERYTHING]
    whole, lane = Steering(), Steering()
    whole.aim(Coverage())
    assert (whole.pairs, whole.triples) == EVERYTHING
    own = shares([2, 2])[1]
    lane.aim(Coverage(), own)
    assert (lane.pairs, lane.triples) == own
    done = Coverage()
    done.pairs |= own[0]
    done.triples |= own[1]
    lane.aim(done, own)  # its share applied: what of every sequence is not
    assert (lane.pairs, lane.triples) == (EVERYTHING[0] - own[0], EVERYTHING[1] - own[1])


def test_a_payment_state_follows_its_actions() -> None:
    state = after(after((("create",), False), "refund"), "GET")
    assert state == (("refund", "GET"), True)

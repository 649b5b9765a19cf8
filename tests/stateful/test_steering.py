"""The steering's planning, unit by unit: the value of an action is the wanted sequences its
path applies, discounted by the actions they wait for; a round's later examples want what its
first example left; a changed body is always another body, however simple the draw."""

from __future__ import annotations

from conformance.strategies.bodies import a_cent_off
from conformance.suite.stateful.coverage import CREATE, POSSIBLE_PAIRS, Coverage
from conformance.suite.stateful.steering import DISCOUNT, Steering

REFUND, REPLAY_REFUND, NEW_KEY, GET = "refund", "refund replay", "refund with a new key", "GET"


def every_pair_but(*left: tuple[str, str]) -> Coverage:
    coverage = Coverage()
    coverage.pairs.update(pair for pair in POSSIBLE_PAIRS if pair not in left)
    return coverage


def test_an_action_is_worth_the_wanted_sequences_its_path_applies_discounted_by_the_wait() -> None:
    steering = Steering()
    steering.aim(every_pair_but((REPLAY_REFUND, GET)))
    assert steering.values(((REFUND, REPLAY_REFUND), True))[GET] == 1  # at once
    keyed = steering.values(((REFUND, REFUND), True))
    assert keyed[REPLAY_REFUND] == DISCOUNT  # refund replay, then GET
    assert keyed[GET] == DISCOUNT**2  # GET, refund replay, GET
    assert keyed["replay"] == DISCOUNT**2 and keyed[NEW_KEY] == DISCOUNT**2
    fresh = steering.values(((CREATE,), False))
    assert fresh[REFUND] == DISCOUNT**2  # refund, refund replay, GET
    assert REPLAY_REFUND not in fresh and NEW_KEY not in fresh  # no refund key yet
    assert steering.values(((CREATE,), False), length=2)[REFUND] == 0  # beyond the lookahead


def test_a_sequence_counts_once_on_a_path_and_not_once_its_example_applied_it() -> None:
    steering = Steering()
    steering.aim(every_pair_but((GET, GET)))
    assert steering.values(((CREATE, GET), False))[GET] == 1  # not 1 + more GETs
    steering.note([CREATE, GET, GET])  # the last pair: now triples count, but not that one
    after = steering.values(((CREATE, GET), False))
    assert after[GET] == min(after.values()) and after[GET] < after["replay"]


def test_a_rounds_later_examples_want_what_its_first_example_left() -> None:
    steering, coverage = Steering(), Coverage()
    steering.aim(coverage)
    steering.new_example()
    steering.take_turn(later=False)
    coverage.pairs.update(POSSIBLE_PAIRS[:10])  # what the first example applied
    steering.end_example(later=False, coverage=coverage)
    steering.new_example()
    steering.take_turn(later=True)
    assert steering.pairs == frozenset(POSSIBLE_PAIRS[10:])
    steering.new_example()
    steering.take_turn(later=False)  # a first example again (Hypothesis replays its choices)
    assert steering.pairs == frozenset(POSSIBLE_PAIRS)


def test_a_later_example_that_starts_first_wants_what_the_round_wants() -> None:
    steering, coverage = Steering(), Coverage()
    steering.aim(coverage)
    steering.new_example()
    steering.take_turn(later=True)
    assert steering.pairs == frozenset(POSSIBLE_PAIRS)
    coverage.pairs.update(POSSIBLE_PAIRS[:10])
    steering.end_example(later=False, coverage=coverage)  # too late to fix anything
    steering.new_example()
    steering.take_turn(later=True)
    assert steering.pairs == frozenset(POSSIBLE_PAIRS)


def test_a_cent_off_is_another_amount_within_the_plain_range() -> None:
    assert a_cent_off(12.5) == 12.51
    assert a_cent_off(1000.0) == 999.99
    assert a_cent_off(1e308) == 1.0  # a double that loses the cent

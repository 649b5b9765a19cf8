"""The state machine's sequence coverage, unit by unit: the vocabulary covers every rule once,
"possible" is what some history of the rules can make, the counting of pairs and triples, the
merge of parts, the rounds, and the steering's distances to a wanted sequence."""

from __future__ import annotations

from itertools import product

import pytest

from conformance.merge import Part, sequence_coverage
from conformance.results import SequenceCoverage, Tally
from conformance.suite.stateful.coverage import (
    CREATE,
    FLOW,
    LEFT_OUT,
    MAKES_A_REFUND_KEY,
    NEEDS_A_REFUND,
    POSSIBLE_PAIRS,
    POSSIBLE_TRIPLES,
    RULE_ACTIONS,
    Coverage,
    possible,
)
from conformance.suite.stateful.machine import PaymentsModel
from conformance.suite.stateful.runner import rounds
from conformance.suite.stateful.steering import FREE_EVERY, LEFT_OUT_EVERY, Steering

REFUND, REPLAY_REFUND, NEW_KEY = "refund", "refund replay", "refund with a new key"
RULES = PaymentsModel.setup_state().rules


def test_every_rule_of_the_machine_is_one_action_or_left_out_and_steered() -> None:
    names = [rule.function.__name__ for rule in RULES]
    assert sorted(names) == sorted([*RULE_ACTIONS, *LEFT_OUT])
    assert not set(RULE_ACTIONS) & LEFT_OUT
    assert set(RULE_ACTIONS.values()) == set(FLOW)
    for rule in RULES:
        assert "allowed" in [p.__name__ for p in rule.preconditions], rule.function.__name__


def test_which_actions_need_or_make_a_refund_key_is_what_the_rules_draw_and_return() -> None:
    """Read from the rules themselves: an action needs a refund key when every rule of it draws
    one, and makes one when some rule of it returns one."""
    by_action: dict[str, list[object]] = {}
    for rule in RULES:
        if rule.function.__name__ in RULE_ACTIONS:
            by_action.setdefault(RULE_ACTIONS[rule.function.__name__], []).append(rule)

    def draws(rule: object) -> bool:
        return "refund_keys" in [b.name for b in rule.bundles]  # type: ignore[attr-defined]

    def returns(rule: object) -> bool:
        return "refund_keys" in rule.targets  # type: ignore[attr-defined]

    needs = {a for a, rules in by_action.items() if all(draws(r) for r in rules)}
    makes = {a for a, rules in by_action.items() if any(returns(r) for r in rules)}
    assert needs == NEEDS_A_REFUND == {REPLAY_REFUND, NEW_KEY}
    assert makes == MAKES_A_REFUND_KEY == {REFUND, NEW_KEY}


def histories(length: int) -> list[tuple[str, ...]]:
    """Every history of `length` actions the rules can apply to one payment: create first and
    once, a refund key's action only after an action that made one."""
    made: list[tuple[str, ...]] = [(CREATE,)]
    for _ in range(length - 1):
        made = [
            (*h, a)
            for h in made
            for a in FLOW
            if a != CREATE and (a not in NEEDS_A_REFUND or set(h) & MAKES_A_REFUND_KEY)
        ]
    return made


def test_possible_sequences_are_the_windows_of_some_history_and_no_other() -> None:
    windows = {n: set() for n in (2, 3)}  # type: dict[int, set[tuple[str, ...]]]
    for h in histories(6):
        for n in (2, 3):
            windows[n].update(h[i : i + n] for i in range(len(h) - n + 1))
    assert set(POSSIBLE_PAIRS) == windows[2] and len(POSSIBLE_PAIRS) == 40
    assert set(POSSIBLE_TRIPLES) == windows[3] and len(POSSIBLE_TRIPLES) == 234
    assert len(list(product(FLOW, repeat=3))) == 343
    assert not possible(("GET", CREATE))
    assert not possible((CREATE, REPLAY_REFUND))
    assert not possible((CREATE, "GET", NEW_KEY))
    assert possible((CREATE, REFUND, REPLAY_REFUND)) and possible(("GET", NEW_KEY, "replay"))


def test_coverage_counts_the_adjacent_pairs_and_triples_of_each_history_once() -> None:
    coverage = Coverage()
    first: list[str] = []
    applied = [coverage.apply(first, a) for a in (CREATE, REFUND, REPLAY_REFUND, REPLAY_REFUND)]
    assert applied == [0, 1, 2, 2]  # new sequences each action applied first
    second: list[str] = []
    assert [coverage.apply(second, a) for a in (CREATE, REFUND, "GET")] == [0, 0, 2]
    assert first == [CREATE, REFUND, REPLAY_REFUND, REPLAY_REFUND]
    assert coverage.pairs == {
        (CREATE, REFUND),
        (REFUND, REPLAY_REFUND),
        (REPLAY_REFUND, REPLAY_REFUND),
        (REFUND, "GET"),
    }
    assert coverage.triples == {
        (CREATE, REFUND, REPLAY_REFUND),
        (REFUND, REPLAY_REFUND, REPLAY_REFUND),
        (CREATE, REFUND, "GET"),
    }
    figures = coverage.figures()
    assert (figures.pairs.exercised, figures.pairs.possible) == (4, 40)
    assert (figures.triples.exercised, figures.triples.possible) == (3, 234)
    assert figures.actions == 7
    assert len(figures.pairs.unseen) == 36 and "create > refund" not in figures.pairs.unseen
    assert figures.pairs.unseen[0] == "create > replay"  # in the vocabulary's order
    assert "refund replay > refund replay > refund replay" in figures.triples.unseen
    assert figures.line().startswith("state machine sequences: pairs 4/40, triples 3/234 ")


def test_an_action_outside_the_vocabulary_is_refused() -> None:
    with pytest.raises(ValueError, match="'refused'"):
        Coverage().apply([CREATE], "refused")


def test_merged_parts_keep_unseen_only_what_no_part_applied() -> None:
    one = SequenceCoverage(Tally(2, 4, ("a > b", "b > a")), Tally(0, 1, ("a > b > a",)), 5)
    other = SequenceCoverage(Tally(3, 4, ("b > a",)), Tally(1, 1, ()), 7)
    assert SequenceCoverage.merged([one]) is one
    merged = SequenceCoverage.merged([one, other])
    assert merged.pairs == Tally(3, 4, ("b > a",))
    assert merged.triples == Tally(1, 1, ())
    assert merged.actions == 12
    assert SequenceCoverage.of(merged.as_dict()) == merged


def test_merge_takes_the_coverage_of_the_part_that_ran_the_state_machine(tmp_path: object) -> None:
    ran = Coverage()
    history: list[str] = []
    for action in (CREATE, REFUND, REPLAY_REFUND):
        ran.apply(history, action)
    shard = {"max_requests": None, "budget_spent": False, "interrupted_by": ""}
    parts = [
        Part(tmp_path, {"shard": {"index": 1, "total": 2, **shard}, "sequence_coverage": None}),  # type: ignore[arg-type]
        Part(
            tmp_path,  # type: ignore[arg-type]
            {
                "shard": {"index": 2, "total": 2, **shard},
                "sequence_coverage": ran.figures().as_dict(),
            },
        ),
    ]
    assert sequence_coverage(parts) == ran.figures()
    assert sequence_coverage(parts[:1]) is None


def test_the_examples_run_in_rounds_of_two() -> None:
    assert rounds(10) == [2, 2, 2, 2, 2]
    assert rounds(25) == [3] + [2] * 11
    assert rounds(4) == [2, 2] and rounds(1) == [1] and rounds(3) == [3]


def test_the_steering_counts_the_actions_to_the_soonest_wanted_sequence() -> None:
    coverage = Coverage()
    for pair in POSSIBLE_PAIRS:  # every pair applied but one
        if pair != (REPLAY_REFUND, "GET"):
            coverage.pairs.add(pair)
    steering = Steering()
    steering.aim(coverage)
    fresh = steering.distances(((CREATE,), False))
    assert min(fresh.values()) == 3 and fresh[REFUND] == 3  # refund, refund replay, GET
    assert NEW_KEY not in fresh and REPLAY_REFUND not in fresh  # no refund key yet
    keyed = steering.distances(((REFUND, REFUND), True))
    assert keyed[REPLAY_REFUND] == 2 and keyed["GET"] == 3  # GET, refund replay, GET
    assert steering.distances(((REFUND, REPLAY_REFUND), True))["GET"] == 1
    steering.note([CREATE, REFUND, REPLAY_REFUND, "GET"])  # this example applied it
    after = steering.distances(((REFUND, REPLAY_REFUND), True))  # so now triples count
    assert after["replay"] == 1 and after["GET"] == 2  # its triple too was applied
    coverage.pairs.add((REPLAY_REFUND, "GET"))
    steering.aim(coverage)  # the next round: no pair left, every triple wanted
    assert steering.pairs == frozenset() and len(steering.triples) == 234
    coverage.triples.update(POSSIBLE_TRIPLES)
    steering.aim(coverage)  # everything applied: everything is wanted again
    assert len(steering.pairs) == 40 and len(steering.triples) == 234


def test_free_and_left_out_steps_come_at_once_and_then_by_share_of_steered_steps() -> None:
    steering = Steering()
    assert steering.free_step() and not steering.left_out_step()  # pairs are still wanted
    steering.free, steering.steered = 1, FREE_EVERY - 2
    assert not steering.free_step()
    steering.steered = FREE_EVERY - 1
    assert steering.free_step()
    every_pair = Coverage()
    every_pair.pairs.update(POSSIBLE_PAIRS)
    steering.aim(every_pair)
    steering.new_example()
    assert steering.left_out_step()  # once every pair was applied: one at once
    steering.left_out, steering.steered = 1, LEFT_OUT_EVERY - 2
    assert not steering.left_out_step()
    steering.steered = LEFT_OUT_EVERY - 1
    assert steering.left_out_step()

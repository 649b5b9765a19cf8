"""Steering: the state machine prefers the rules whose action soonest applies an unseen sequence.

Every rule gets one more precondition (`steer`). A steered step allows only the rules whose
action, on some payment of the example, starts the shortest way to a wanted sequence: a pair
no earlier round of the run applied and this example has not yet applied, or, once no pair is
wanted, such a triple (breadth first over a payment's last two actions and whether it holds a
refund key, at most HORIZON actions ahead; create counts as a new payment's first action).
When nothing wanted is in reach, every rule is allowed. An example may also take free steps,
of any rule: one at once, and one more after every FREE_EVERY - 1 steered steps. Once the run
applied every pair, the rules left out of the sequences (unknown ids, invalid bodies, keys and
credentials, the other client) get a share of their own: one step at once, and one more after
every LEFT_OUT_EVERY - 1 steered steps. Both can come first, so a failing step need not wait
long for its turn; still, a failure shrinks less far than without steering (the shortest
sequence has to keep to the steering too).

What a round wants is fixed when it starts (`aim`) and changes only between rounds (runner.py):
Hypothesis replays the choices of earlier examples, and a precondition that answered otherwise
for the same choices would make its record of them inconsistent. Within a round the steering
depends on that example's own steps only, so the run stays what its seed makes it, and a
failure shrinks and replays as before. Steering only chooses among the rules; it never judges.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from hypothesis.stateful import precondition

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
)

__all__ = ["FREE_EVERY", "HORIZON", "LEFT_OUT_EVERY", "Steering", "steer"]

FREE_EVERY = 6
"""One step in FREE_EVERY may be of any rule (measured: 5 left one of seeds 1..5 at 39 pairs)."""
LEFT_OUT_EVERY = 3
"""Once every pair was applied, one step in LEFT_OUT_EVERY may be of a rule left out (without
it the state machine missed three faults of the catalog it used to catch, all found by those
rules)."""
HORIZON = 4
"""Actions ahead the steering looks for a wanted sequence (enough for every one of them)."""

Sequence_ = tuple[str, ...]
State = tuple[Sequence_, bool]
"""A payment as the steering sees it: its last two actions, and whether it holds a refund key."""


class Steered(Protocol):
    """What the steering reads of the state machine: its steps, bundles and shared state."""

    step: int
    shared: Any
    names_to_values: dict[str, Any]

    def bundle(self, name: str) -> Any: ...


def _after(state: State, action: str) -> State:
    last, has_key = state
    return (*last, action)[-2:], has_key or action in MAKES_A_REFUND_KEY


def _next_actions(has_key: bool) -> list[str]:
    return [a for a in FLOW if a != CREATE and (has_key or a not in NEEDS_A_REFUND)]


class Steering:
    """The sequences a round wants, less what the current example already applied."""

    def __init__(self) -> None:
        self.pairs: frozenset[Sequence_] = frozenset(POSSIBLE_PAIRS)
        self.triples: frozenset[Sequence_] = frozenset(POSSIBLE_TRIPLES)
        self.done_pairs: set[Sequence_] = set()
        self.done_triples: set[Sequence_] = set()
        self._allowed: tuple[int, set[str]] = (-1, set())
        """The actions wanted at one step of the current example, kept for its other rules."""
        self.steered = self.free = self.left_out = 0
        """The current example's steps of a wanted rule, and of any other."""

    def aim(self, coverage: Coverage) -> None:
        """Before a round: want what no earlier round applied (everything again once the run
        applied every pair and every triple)."""
        self.pairs = frozenset(POSSIBLE_PAIRS) - coverage.pairs
        self.triples = frozenset(POSSIBLE_TRIPLES) - coverage.triples
        if not self.pairs and not self.triples:
            self.pairs, self.triples = frozenset(POSSIBLE_PAIRS), frozenset(POSSIBLE_TRIPLES)

    def new_example(self) -> None:
        self.done_pairs, self.done_triples = set(), set()
        self._allowed = (-1, set())
        self.steered = self.free = self.left_out = 0

    def note(self, history: list[str]) -> None:
        """After an action was appended to a payment's history."""
        if len(history) >= 2:
            self.done_pairs.add(tuple(history[-2:]))
        if len(history) >= 3:
            self.done_triples.add(tuple(history[-3:]))

    # -- where the wanted sequences are ------------------------------------------------------
    def _completes(self, last: Sequence_, action: str, pairs_left: bool) -> bool:
        """`action` after a history ending in `last` applies a wanted sequence (while a pair is
        wanted, only a pair counts)."""
        pair = (last[-1], action)
        if pair in self.pairs and pair not in self.done_pairs:
            return True
        if pairs_left:
            return False
        triple = (*last, action)
        return len(triple) == 3 and triple in self.triples and triple not in self.done_triples

    def distances(self, state: State) -> dict[str, int]:
        """For each action possible in `state`, how many actions (it first) apply a wanted
        sequence at the soonest; absent when none does within HORIZON."""
        pairs_left = bool(self.pairs - self.done_pairs)
        found: dict[str, int] = {}
        for first in _next_actions(state[1]):
            frontier, seen = [(state, first)], {state}
            for depth in range(1, HORIZON + 1):
                if any(self._completes(s[0], a, pairs_left) for s, a in frontier):
                    found[first] = depth
                    break
                following = []
                for s, a in frontier:
                    after = _after(s, a)
                    if after not in seen:
                        seen.add(after)
                        following += [(after, n) for n in _next_actions(after[1])]
                frontier = following
        return found

    def wanted_actions(self, machine: Steered) -> set[str]:
        """The actions that apply a wanted sequence soonest, to some payment of the example or
        (create) to a new one; empty when none is in reach."""
        values = machine.names_to_values
        payments = [values[ref.name] for ref in machine.bundle("payments")]
        if not payments:
            return {CREATE}
        keyed = {id(values[ref.name].payment) for ref in machine.bundle("refund_keys")}
        best: dict[str, int] = {}
        for payment in payments:
            state = (tuple(payment.history[-2:]), id(payment) in keyed)
            for action, depth in self.distances(state).items():
                best[action] = min(depth, best.get(action, depth))
        fresh = self.distances(((CREATE,), False))
        if fresh:
            best[CREATE] = 1 + min(fresh.values())
        soonest = min(best.values(), default=0)
        return {action for action, depth in best.items() if depth == soonest}

    # -- the precondition --------------------------------------------------------------------
    def _wanted_now(self, machine: Steered) -> set[str]:
        if self._allowed[0] != machine.step:
            self._allowed = (machine.step, self.wanted_actions(machine))
        return self._allowed[1]

    def _is_wanted(self, machine: Steered, rule: str) -> bool:
        wanted = self._wanted_now(machine)
        return not wanted or (rule not in LEFT_OUT and RULE_ACTIONS[rule] in wanted)

    def free_step(self) -> bool:
        """Whether the example may take a step of any rule now: one at once, then one more
        after each FREE_EVERY - 1 steered steps."""
        return self.free < 1 + self.steered // (FREE_EVERY - 1)

    def left_out_step(self) -> bool:
        """Whether the example may take a step of a rule left out of the sequences now: once
        the run applied every pair, one at once, then one more after each LEFT_OUT_EVERY - 1
        steered steps."""
        return not self.pairs and self.left_out < 1 + self.steered // (LEFT_OUT_EVERY - 1)

    def allows(self, machine: Steered, rule: str) -> bool:
        if rule in LEFT_OUT and self.left_out_step():
            return True
        return self.free_step() or self._is_wanted(machine, rule)

    def took(self, machine: Steered, rule: str) -> None:
        """The example took a step of `rule` (before it runs): steered, left out, or free."""
        if self._is_wanted(machine, rule):
            self.steered += 1
        elif rule in LEFT_OUT and self.left_out_step():
            self.left_out += 1
        else:
            self.free += 1


M = TypeVar("M")


def steer(machine: type[M]) -> type[M]:
    """Give every rule of `machine` (those of coverage's tables) the steering's precondition."""
    for name in (*RULE_ACTIONS, *LEFT_OUT):

        def allowed(self: Steered, rule: str = name) -> bool:
            return bool(self.shared.steering.allows(self, rule))

        setattr(machine, name, precondition(allowed)(getattr(machine, name)))
    return machine

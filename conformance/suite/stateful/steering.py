"""Steering: the state machine prefers the rules whose action best leads to unseen sequences.

Every rule gets one more precondition (`steer`), and every rule that acts on a payment draws it
through `model.acting_on`. Once a step, before its rule is drawn, the steering values each
action on each payment of the example (create: on a new payment): the most wanted sequences a
path of LOOKAHEAD actions, that action first, applies, each counted once and discounted by
DISCOUNT for every action it waits for. Wanted is a pair no earlier round of the run applied and
this example has not, or, once no pair is wanted, such a triple; a path runs over a payment's
last two actions and whether it holds a refund key. A steered step allows only the rules of the
best actions, on the payments they are best for. When no such path applies anything, the
soonest wanted sequence within HORIZON actions decides (breadth first), and when nothing is in
reach, every rule is allowed, on any payment.

An example may also take free steps, of any rule on any payment: one at once, and one more
after every FREE_EVERY - 1 steered steps. Once the run applied every pair, the rules left out
of the sequences (unknown ids, invalid bodies, keys and credentials, the other client) get a
share of their own: one step at once, and one more after every LEFT_OUT_EVERY - 1 steered
steps. Both can come first, so a failing step need not wait long for its turn; still, a
failure shrinks less far and more slowly than without steering (the shortest sequence has to
keep to the steering too).

What a round wants is fixed when it starts (`aim`) and changes only between rounds (runner.py):
Hypothesis replays the choices of earlier examples, and a precondition that answered otherwise
for the same choices would make its record of them inconsistent. An example's first step (the
machine's initialize rule) draws `later`: an example that draws False wants what the round
wants; one that draws True wants what was still wanted when the round's first example ended,
fixed once for the round (`take_turn`, `end_example`). Hypothesis makes the first example of a
round from the simplest choices (False) and the next one different at its first free choice
(True), so the two examples of a round do not chase the same sequences. Within a round the
steering depends on that fixed aim and on the example's own steps only, so the run stays what
its seed makes it, and a failure shrinks and replays as before. Steering only chooses among the
rules; it never judges.

A lane of a run in parts (runner.py) wants its own share of the sequences first (lanes.py), as
the lanes side by side cannot see each other's coverage.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from hypothesis.stateful import precondition

from conformance.suite.stateful.coverage import (
    CREATE,
    LEFT_OUT,
    POSSIBLE_PAIRS,
    POSSIBLE_TRIPLES,
    RULE_ACTIONS,
    Coverage,
    State,
    after,
    next_actions,
)

__all__ = [
    "DISCOUNT",
    "EVERYTHING",
    "FREE_EVERY",
    "HORIZON",
    "LEFT_OUT_EVERY",
    "LOOKAHEAD",
    "Steering",
    "Wanted",
    "steer",
]

FREE_EVERY = 10
"""One step in FREE_EVERY may be of any rule (measured, fast profile: 6 left 6 to 10 triples
fewer than 10 do in the same number of steps; the catalog's faults were caught as often)."""
LEFT_OUT_EVERY = 5
"""Once every pair was applied, one step in LEFT_OUT_EVERY may be of a rule left out (without
that share the state machine missed faults of the catalog that only those rules find)."""
HORIZON = 4
"""Actions ahead the steering looks for a wanted sequence (enough for every one of them)."""
LOOKAHEAD = 3
"""Actions of the paths the steering values (measured, fast profile: 1, the soonest wanted
sequence only, left about 10 triples more unseen in the same number of steps; 4 about none
fewer than 3)."""
DISCOUNT = 0.75
"""What a wanted sequence is worth for each action it waits for."""

Sequence_ = tuple[str, ...]
Wanted = tuple[frozenset[Sequence_], frozenset[Sequence_]]
"""Pairs and triples wanted."""


class Steered(Protocol):
    """What the steering reads of the state machine: its steps, bundles and shared state."""

    step: int
    shared: Any
    names_to_values: dict[str, Any]

    def bundle(self, name: str) -> Any: ...


EVERYTHING: Wanted = (frozenset(POSSIBLE_PAIRS), frozenset(POSSIBLE_TRIPLES))
"""Every possible pair and triple."""


def _left(first: Wanted, coverage: Coverage) -> Wanted | None:
    """What of `first` the run has not applied; None when nothing."""
    left = (first[0] - coverage.pairs, first[1] - coverage.triples)
    return left if left[0] or left[1] else None


def _unapplied(first: Wanted, coverage: Coverage) -> Wanted:
    """What of `first` the run has not applied; when nothing, what of every sequence; when
    nothing either, every sequence again."""
    return _left(first, coverage) or _left(EVERYTHING, coverage) or EVERYTHING


class Steering:
    """The sequences a round wants, less what the current example already applied."""

    def __init__(self) -> None:
        self.round: Wanted = EVERYTHING
        """What the round wants (`aim`)."""
        self.left: Wanted | None = None
        """What was still wanted when the round's first example ended: what its later examples
        want (None: they want what the round wants)."""
        self.fixed = False
        """Whether what later examples want is settled for the round."""
        self.pairs, self.triples = self.round
        """What the current example wants."""
        self.done_pairs: set[Sequence_] = set()
        self.done_triples: set[Sequence_] = set()
        self._allowed: tuple[int, set[str]] = (-1, set())
        """The actions wanted at one step of the current example, kept for its other rules."""
        self._free = False
        """Whether that step may be of any rule, on any payment."""
        self.steered = self.free = self.left_out = 0
        """The current example's steps of a wanted rule, and of any other."""

    def aim(self, coverage: Coverage, first: Wanted = EVERYTHING) -> None:
        """Before a round: want what no earlier round applied of `first` (a lane's own share,
        lanes.py; every sequence in a whole run), once it applied all of that, of every
        sequence; everything again once the run applied every pair and every triple."""
        self.round = _unapplied(first, coverage)
        self.pairs, self.triples = self.round
        self.left, self.fixed = None, False

    def new_example(self) -> None:
        self.pairs, self.triples = self.round
        self.done_pairs, self.done_triples = set(), set()
        self._allowed, self._free = (-1, set()), False
        self.steered = self.free = self.left_out = 0

    def take_turn(self, later: bool) -> None:
        """At an example's first step: a later example wants what the round's first one left
        (what the round wants if none ended before the first later example started)."""
        if not later:
            return
        self.fixed = True
        if self.left is not None:
            self.pairs, self.triples = self.left

    def end_example(self, later: bool, coverage: Coverage) -> None:
        """After an example: the round's first (not later) one to end fixes what later ones
        want, unless a later one started before it."""
        if later or self.fixed:
            return
        self.fixed = True
        self.left = _unapplied(self.round, coverage)

    def note(self, history: list[str]) -> None:
        """After an action was appended to a payment's history."""
        if len(history) >= 2:
            self.done_pairs.add(tuple(history[-2:]))
        if len(history) >= 3:
            self.done_triples.add(tuple(history[-3:]))

    # -- where the wanted sequences are ------------------------------------------------------
    def _applies(self, last: Sequence_, action: str, pairs_left: bool) -> list[Sequence_]:
        """The wanted sequences `action` applies after a history ending in `last` (while a
        pair is wanted, only pairs count)."""
        found: list[Sequence_] = []
        pair = (last[-1], action)
        if pair in self.pairs and pair not in self.done_pairs:
            found.append(pair)
        triple = (*last, action)
        if (
            not pairs_left
            and len(triple) == 3
            and triple in self.triples
            and triple not in self.done_triples
        ):
            found.append(triple)
        return found

    def values(self, state: State, length: int = LOOKAHEAD) -> dict[str, float]:
        """For each action possible in `state`: the most wanted sequences a path of `length`
        actions, it first, applies (each counted once, discounted by DISCOUNT per action
        waited for)."""
        pairs_left = bool(self.pairs - self.done_pairs)

        def gain(state: State, action: str, length: int, counted: frozenset[Sequence_]) -> float:
            new = [s for s in self._applies(state[0], action, pairs_left) if s not in counted]
            if length == 1:
                return len(new)
            then, more = after(state, action), counted.union(new)
            return len(new) + DISCOUNT * max(
                gain(then, a, length - 1, more) for a in next_actions(then[1])
            )

        return {a: gain(state, a, length, frozenset()) for a in next_actions(state[1])}

    def distances(self, state: State) -> dict[str, int]:
        """For each action possible in `state`, how many actions (it first) apply a wanted
        sequence at the soonest; absent when none does within HORIZON."""
        pairs_left = bool(self.pairs - self.done_pairs)
        found: dict[str, int] = {}
        for first in next_actions(state[1]):
            frontier, seen = [(state, first)], {state}
            for depth in range(1, HORIZON + 1):
                if any(self._applies(s[0], a, pairs_left) for s, a in frontier):
                    found[first] = depth
                    break
                following = []
                for s, a in frontier:
                    then = after(s, a)
                    if then not in seen:
                        seen.add(then)
                        following += [(then, n) for n in next_actions(then[1])]
                frontier = following
        return found

    def wanted_actions(self, machine: Steered) -> tuple[set[str], dict[int, frozenset[str]]]:
        """The best actions (`values`; the soonest, `distances`, when no path of LOOKAHEAD
        actions applies anything wanted), on some payment of the example or (create) on a new
        one, and for each payment (by id()) the actions it is best for; both empty when
        nothing wanted is in reach."""
        values = machine.names_to_values
        payments = {id(p): p for p in (values[ref.name] for ref in machine.bundle("payments"))}
        keyed = {id(values[ref.name].payment) for ref in machine.bundle("refund_keys")}
        states = {key: (tuple(p.history[-2:]), key in keyed) for key, p in payments.items()}
        fresh: State = ((CREATE,), False)
        known = {*states.values(), fresh}
        worth = {s: {a: v for a, v in self.values(s).items() if v > 0} for s in known}
        create = DISCOUNT * max(worth[fresh].values()) if worth[fresh] else None
        found = _best(states, worth, create, max)
        if found is not None:
            return found
        near = {s: {a: float(d) for a, d in self.distances(s).items()} for s in known}
        create = 1 + min(near[fresh].values()) if near[fresh] else None
        return _best(states, near, create, min) or (set(), {})

    # -- the precondition --------------------------------------------------------------------
    def _prepare(self, machine: Steered) -> None:
        """Once a step, before its rule is drawn: what it wants, whether it is free, and on
        which payments a rule of a wanted action may act (each payment's `open_to`, which
        `model.acting_on` reads)."""
        if self._allowed[0] == machine.step:
            return
        wanted, per_payment = self.wanted_actions(machine)
        self._allowed = (machine.step, wanted)
        self._free = self.free_step() or not wanted
        values = machine.names_to_values
        for ref in machine.bundle("payments"):
            payment = values[ref.name]
            payment.open_to = None if self._free else per_payment.get(id(payment), frozenset())

    def _is_wanted(self, machine: Steered, rule: str) -> bool:
        self._prepare(machine)
        wanted = self._allowed[1]
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
        self._prepare(machine)
        if rule in LEFT_OUT and self.left_out_step():
            return True
        return self._free or self._is_wanted(machine, rule)

    def took(self, machine: Steered, rule: str) -> None:
        """The example took a step of `rule` (before it runs): steered, left out, or free."""
        if self._is_wanted(machine, rule):
            self.steered += 1
        elif rule in LEFT_OUT and self.left_out_step():
            self.left_out += 1
        else:
            self.free += 1


def _best(
    states: dict[int, State],
    measured: dict[State, dict[str, float]],
    create: float | None,
    prefer: Callable[[list[float]], float],
) -> tuple[set[str], dict[int, frozenset[str]]] | None:
    """The actions whose measure `prefer` picks (the highest value, or the fewest actions), on
    some payment or (create, measured `create`) on a new one, and for each payment (by id())
    the actions it is best for; None when nothing was measured."""
    every = [v for state in states.values() for v in measured[state].values()]
    if create is not None:
        every.append(create)
    if not every:
        return None
    best = prefer(every)
    per_payment = {
        key: frozenset(a for a, v in measured[state].items() if abs(v - best) < 1e-9)
        for key, state in states.items()
    }
    wanted = {a for actions in per_payment.values() for a in actions}
    if create is not None and abs(create - best) < 1e-9:
        wanted.add(CREATE)
    return wanted, per_payment


M = TypeVar("M")


def steer(machine: type[M]) -> type[M]:
    """Give every rule of `machine` (those of coverage's tables) the steering's precondition."""
    for name in (*RULE_ACTIONS, *LEFT_OUT):

        def allowed(self: Steered, rule: str = name) -> bool:
            return bool(self.shared.steering.allows(self, rule))

        setattr(machine, name, precondition(allowed)(getattr(machine, name)))
    return machine

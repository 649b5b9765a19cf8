"""The sequences each lane of the state machine wants first, in a run in parts (runner.py).

Lanes side by side cannot see each other's coverage, so each wants its own share of the pairs
and triples first. A share is a stretch of TRAIL, every possible triple in the order walks along
payments apply them one after the other (and of PAIR_TRAIL, the pairs in the order TRAIL first
applies them), so a lane applies its share along a few payments, as a whole run applies all of
them, instead of walking to scattered sequences. The shares are as long as the lanes' examples
are many; a whole run's one share is everything. The lanes' coverage, merged, is less than a
whole run's of the same examples (measured, fast profile, seeds 1 to 3: every pair, and 216 to
228 of the 234 triples with 4 lanes, 217 to 222 with 8, where a whole run applies all 234).
"""

from __future__ import annotations

from collections.abc import Sequence

from conformance.suite.stateful.coverage import (
    CREATE,
    POSSIBLE_PAIRS,
    POSSIBLE_TRIPLES,
    State,
    after,
    next_actions,
)

__all__ = ["PAIR_TRAIL", "TRAIL", "shares"]

Triple = tuple[str, ...]
Share = tuple[frozenset[Triple], frozenset[Triple]]
"""The pairs and the triples a lane wants."""


def _nearest(state: State, left: set[Triple]) -> list[str] | None:
    """The fewest actions from `state` whose last applies a triple of `left` (breadth first,
    in vocabulary order); None when none does."""
    frontier: list[tuple[State, list[str]]] = [(state, [])]
    seen = {state}
    while frontier:
        following = []
        for here, path in frontier:
            for action in next_actions(here[1]):
                if (*here[0], action) in left:
                    return [*path, action]
                there = after(here, action)
                if there not in seen:
                    seen.add(there)
                    following.append((there, [*path, action]))
        frontier = following
    return None


def _walks() -> list[Triple | None]:
    """Walks that apply every possible triple: each one payment from its create, on to the
    nearest triple not yet applied, until none is in reach. Each action of them in order: the
    triple it applied first, or None (a create, or a step on the way)."""
    left, steps = set(POSSIBLE_TRIPLES), list[Triple | None]()
    while left:
        state: State = ((CREATE,), False)
        steps.append(None)
        while (path := _nearest(state, left)) is not None:
            for action in path:
                triple = (*state[0], action)
                steps.append(triple if triple in left else None)
                left.discard(triple)
                state = after(state, action)
    return steps


TRAIL = tuple(t for t in _walks() if t is not None)
"""Every possible triple, in the order walks along payments apply them (`_walks`)."""
PAIR_TRAIL = tuple(dict.fromkeys([p for t in TRAIL for p in (t[:2], t[1:])] + [*POSSIBLE_PAIRS]))
"""Every possible pair, in the order TRAIL first applies it."""


def _stretches(trail: Sequence[Triple], weights: Sequence[int]) -> list[frozenset[Triple]]:
    """`trail` cut into consecutive stretches as long as `weights` are large."""
    total, before, found = sum(weights), 0, []
    for weight in weights:
        start, before = len(trail) * before // total, before + weight
        found.append(frozenset(trail[start : len(trail) * before // total]))
    return found


def shares(weights: Sequence[int]) -> list[Share]:
    """The pairs and triples each lane wants first: stretches of PAIR_TRAIL and of TRAIL, as
    long as the lane's `weight` (its examples) is large (measured, fast profile, 4 lanes:
    stretches as many actions of the walks long, every fourth pair, or the other lanes' shares
    once a lane applied its own, each left more triples unseen)."""
    return list(zip(_stretches(PAIR_TRAIL, weights), _stretches(TRAIL, weights), strict=True))

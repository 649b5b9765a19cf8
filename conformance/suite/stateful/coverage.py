"""Which orders of actions the state machine applied to one payment: its sequence coverage.

The vocabulary: seven actions of a payment's refund flow. Every rule that acts on one payment
(its id in the URL, or its create key, by the client that made it) is one of them:

- create: the step that made it (`create_payment`, a new key for the same body, a key one
  character off, simultaneous creates, a key first refused with 401, a refund key reused for a
  create, the other client reusing a key, and a body with one odd value when the target
  accepts it; a create the target refused made no payment, so it is no action);
- replay: the create request again under its key (`replay_create`, also re-encoded or with the
  header name in lower case; `replay_after_a_short_pause`);
- changed retry: its key with a changed body (`retry_with_a_changed_body`);
- GET: `get_payment`;
- refund: a refund with a key not yet used for its refunds (`refund_payment`, both simultaneous
  refund rules, a create key or another payment's refund key sent to its refund);
- refund replay: a refund key of its own again (`replay_refund`);
- refund with a new key: another refund after a refund attempt (`refund_again_with_a_new_key`).

Left out (LEFT_OUT): unknown ids and creates with an invalid body, key or credentials, which are
about no payment; and the requests about a payment that must be refused before they touch it
(wrong or missing credentials, a refund without a key or with an invalid one, the other client's
GET or refund): a refusal changes nothing, so it is no step of the payment's sequence. The
machine still runs those rules; they just count towards no pair or triple.

A payment's history is the actions on it in the order they were sent (each example makes its
payments afresh). A pair is two adjacent actions of one history, a triple three.

What is possible, by construction of the rules: create is a payment's first action and comes only
once, so nothing comes before it (no pair or triple has create but first); refund replay and
refund with a new key draw a refund key of the payment, which only a refund or a refund with a
new key made, so in a sequence that starts with create one of those comes before either of them.
Every other sequence can follow some history. That leaves 40 of the 49 pairs and 234 of the 343
triples.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import product

from conformance.results.coverage import SequenceCoverage, Tally, joined

__all__ = [
    "CREATE",
    "FLOW",
    "LEFT_OUT",
    "MAKES_A_REFUND_KEY",
    "NEEDS_A_REFUND",
    "POSSIBLE_PAIRS",
    "POSSIBLE_TRIPLES",
    "RULE_ACTIONS",
    "Coverage",
    "State",
    "after",
    "next_actions",
    "possible",
]

CREATE, REPLAY, GET, CHANGED_RETRY = "create", "replay", "GET", "changed retry"
REFUND, REFUND_REPLAY, NEW_KEY_REFUND = "refund", "refund replay", "refund with a new key"
FLOW = (CREATE, REPLAY, REFUND, REFUND_REPLAY, NEW_KEY_REFUND, GET, CHANGED_RETRY)
"""The actions, in the order the reports list sequences."""
NEEDS_A_REFUND = frozenset({REFUND_REPLAY, NEW_KEY_REFUND})
MAKES_A_REFUND_KEY = frozenset({REFUND, NEW_KEY_REFUND})

RULE_ACTIONS: dict[str, str] = {
    "create_payment": CREATE,
    "create_with_an_odd_value": CREATE,
    "create_the_same_body_with_a_new_key": CREATE,
    "create_with_a_key_one_character_off": CREATE,
    "simultaneous_creates_with_one_key": CREATE,
    "create_with_a_key_refused_with_401": CREATE,
    "create_with_a_refund_key": CREATE,
    "another_client_reuses_the_key": CREATE,
    "replay_create": REPLAY,
    "replay_after_a_short_pause": REPLAY,
    "retry_with_a_changed_body": CHANGED_RETRY,
    "get_payment": GET,
    "refund_payment": REFUND,
    "simultaneous_refunds_with_new_keys": REFUND,
    "simultaneous_refunds_with_one_key": REFUND,
    "refund_with_a_create_key": REFUND,
    "refund_with_another_payments_refund_key": REFUND,
    "replay_refund": REFUND_REPLAY,
    "refund_again_with_a_new_key": NEW_KEY_REFUND,
}
"""The action of each rule on the payment it acts on."""
LEFT_OUT = frozenset(
    {
        "get_an_unknown_payment",
        "refund_an_unknown_payment",
        "create_with_an_invalid_body",
        "create_with_wrong_credentials",
        "send_without_a_key",
        "send_an_invalid_key",
        "send_with_wrong_credentials",
        "another_client_reaches_the_payment",
    }
)
"""Rules that act on no payment, or only send it a request it must refuse."""


State = tuple[tuple[str, ...], bool]
"""A payment as the steering sees it: its last two actions, and whether it holds a refund key."""


def after(state: State, action: str) -> State:
    """A payment's state once `action` was applied to it."""
    last, has_key = state
    return (*last, action)[-2:], has_key or action in MAKES_A_REFUND_KEY


def next_actions(has_key: bool) -> list[str]:
    """The actions a payment can take next (but create, its first), in vocabulary order."""
    return [a for a in FLOW if a != CREATE and (has_key or a not in NEEDS_A_REFUND)]


def possible(sequence: Sequence[str]) -> bool:
    """Whether some run of the rules can apply `sequence` to one payment (see the docstring)."""
    if CREATE in sequence[1:]:
        return False
    if sequence[0] != CREATE:
        return True
    refunded = False
    for action in sequence[1:]:
        if action in NEEDS_A_REFUND and not refunded:
            return False
        refunded = refunded or action in MAKES_A_REFUND_KEY
    return True


def _possible(actions: Sequence[str], length: int) -> tuple[tuple[str, ...], ...]:
    return tuple(s for s in product(actions, repeat=length) if possible(s))


POSSIBLE_PAIRS = _possible(FLOW, 2)
POSSIBLE_TRIPLES = _possible(FLOW, 3)


class Coverage:
    """The pairs and triples a run applied, from every history of every example."""

    def __init__(self) -> None:
        self.pairs: set[tuple[str, ...]] = set()
        self.triples: set[tuple[str, ...]] = set()
        self.actions = 0

    def apply(self, history: list[str], action: str) -> int:
        """Append `action` to a payment's `history`; how many sequences it applied first."""
        if action not in FLOW:
            raise ValueError(f"{action!r} is not an action of the state machine's vocabulary")
        history.append(action)
        self.actions += 1
        new = 0
        if len(history) >= 2:
            new += self._add(self.pairs, tuple(history[-2:]))
        if len(history) >= 3:
            new += self._add(self.triples, tuple(history[-3:]))
        return new

    def _add(self, seen: set[tuple[str, ...]], sequence: tuple[str, ...]) -> int:
        if sequence in seen:
            return 0
        seen.add(sequence)
        return 1

    def figures(self) -> SequenceCoverage:
        """What a report shows: exercised of possible, and the unseen in vocabulary order."""
        return SequenceCoverage(
            _tally(self.pairs, POSSIBLE_PAIRS), _tally(self.triples, POSSIBLE_TRIPLES), self.actions
        )


def _tally(seen: set[tuple[str, ...]], possible: Iterable[tuple[str, ...]]) -> Tally:
    everything = tuple(possible)
    unseen = tuple(joined(s) for s in everything if s not in seen)
    return Tally(len(everything) - len(unseen), len(everything), unseen)

"""Which recorded exchanges a reproduction sends again, from a failure's evidence.

The evidence is the failing example's exchanges (`Journal.current`) and the answers the check
judged (`Violation.answers`, journal positions). An answer the check judged from outside the
example (a payment made before the test, as REPLAY-DELAYED's) is sent too. A run-wide check
judged answers from anywhere in the run: its reproduction sends the answers that fail the
check on their own (the check itself, applied to each, says which), each after the earlier
requests it depends on (the create that returned a payment id it uses,
the earlier requests on that payment or with its key). 429 answers the suite waited out are
left out: the reproduction waits out its own, and sends the request again as the suite did.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from conformance.checks import Answer, Violation, registry
from conformance.checks.protocol import SHOWN
from conformance.transport.records import Exchange

__all__ = [
    "JUDGES_THE_429",
    "RUN_WIDE",
    "Evidence",
    "cut",
    "gather",
    "is_key",
    "key_values",
    "offenders",
]

RUN_WIDE = frozenset(
    {
        "every_client_error_has_the_error_shape",
        "no_answer_is_a_server_error",
        "every_answer_matches_the_spec",
        "rate_limits_carry_retry_after",
    }
)
"""Checks that judge answers gathered from the whole run, not one example's."""
JUDGES_THE_429 = frozenset({"rate_limits_carry_retry_after"})
"""Checks that judge a 429 itself, not the answer the retries got in the end."""
DEPENDENCIES = 40
"""The most earlier exchanges sent for the answers a run-wide check cited."""
KEY = re.compile(r"[A-Za-z0-9_-]{6,64}")
ID_FIELDS = ("id", "paymentId")


def is_key(value: str) -> bool:
    """A valid idempotency key (6 to 64 letters, digits, `_` or `-`): made fresh at run time."""
    return KEY.fullmatch(value) is not None


def key_values(exchange: Exchange) -> list[str]:
    """The values of the request's Idempotency-Key lines (any spelling of the name)."""
    return [v for name, v in exchange.request_lines if name.lower() == "idempotency-key"]


def returned_ids(exchange: Exchange) -> list[tuple[str, str]]:
    """The ids the answer returned (its top-level `id` and `paymentId`): (value as a string,
    field)."""
    if exchange.status is None:
        return []
    answer = Answer.of(exchange)
    found = []
    for name in ID_FIELDS:
        value = answer.get(name)
        if isinstance(value, str | int) and not isinstance(value, bool):
            found.append((str(value), name))
    return found


def path_segments(url: str) -> list[str]:
    return [unquote(s) for s in urlsplit(url).path.split("/") if s]


@dataclass
class Evidence:
    exchanges: list[Exchange]
    """In the order they were sent."""
    judged: list[int] = field(default_factory=list)
    """Journal positions of the answers the reproduction's check judges, in the check's order."""
    kept: list[int] = field(default_factory=list)
    """Which of the violation's answers those are (indices into `Violation.answers`)."""
    retried: list[Exchange] = field(default_factory=list)
    """The 429 answers left out: the gap before the retry that followed is not a pause."""
    run_wide: bool = False
    notes: list[str] = field(default_factory=list)


def gather(
    current: list[Exchange], everything: list[Exchange], violation: Violation | None
) -> Evidence:
    by_seq = {e.seq: e for e in everything}
    by_seq.update({e.seq: e for e in current})
    cited = list(violation.answers) if violation is not None else []
    recorded = {i: by_seq[seq] for i, seq in enumerate(cited) if seq is not None and seq in by_seq}
    """The cited answers the journal holds, by their index in the violation's answers."""
    run_wide = violation is not None and violation.check in RUN_WIDE
    evidence = Evidence([])
    if run_wide and violation is not None:
        kept = offenders(violation, by_seq) or list(range(min(len(cited), SHOWN)))
        base = [recorded[i] for i in kept if i in recorded]
        evidence.notes.append(
            f"The check judged {len(cited)} answers of the whole run; this reproduction sends "
            f"the {len(base)} that fail it on their own (at most {SHOWN}), each after the "
            "earlier requests it depends on."
        )
    else:
        kept = list(range(len(cited)))
        base = list(current)
    missing = [cited[i] for i in kept if i not in recorded]
    if missing:
        evidence.notes.append(f"Answers {missing} were not recorded; the check cannot run.")
    targets = [recorded[i] for i in kept if i in recorded]
    chosen = {e.seq: e for e in base}
    for exchange in targets:
        chosen[exchange.seq] = exchange
    if run_wide or any(e.seq not in {c.seq for c in current} for e in targets):
        for exchange in _depended_on(targets, everything):
            chosen.setdefault(exchange.seq, exchange)
    judged_seqs = {cited[i] for i in kept}
    evidence.run_wide = run_wide
    evidence.exchanges = [
        e for seq, e in sorted(chosen.items()) if e.status != 429 or seq in judged_seqs
    ]
    evidence.retried = [e for e in current if e.status == 429 and e.seq not in judged_seqs]
    evidence.kept = [i for i in kept if i in recorded]
    evidence.judged = [recorded[i].seq for i in evidence.kept]
    return evidence


def cut(params: dict[str, Any], count: int, kept: list[int]) -> dict[str, Any]:
    """A run-wide check's parameters for some of its answers: a list parameter that runs along
    the `count` answers (an operation per answer) keeps the items at `kept`."""
    return {
        name: [value[i] for i in kept] if isinstance(value, list) and len(value) == count else value
        for name, value in params.items()
    }


def offenders(violation: Violation, by_seq: dict[int, Exchange]) -> list[int]:
    """Which answers a run-wide check fails on their own (indices into its answers, at most
    SHOWN): the same check, applied to each answer alone, says so."""
    found: list[int] = []
    count = len(violation.answers)
    for index, seq in enumerate(violation.answers):
        exchange = by_seq.get(seq) if seq is not None else None
        if exchange is None or exchange.status is None:
            continue
        params = cut(violation.params, count, [index])
        try:
            registry.apply(violation.check, [Answer.of(exchange)], params, violation.requirement)
        except Violation:
            found.append(index)
            if len(found) == SHOWN:
                break
    return found


def _depended_on(targets: Iterable[Exchange], everything: list[Exchange]) -> list[Exchange]:
    """Earlier exchanges the targets depend on: sharing a valid key or a payment id with one of
    them, or with an exchange already found (transitively); at most DEPENDENCIES."""
    returned: set[str] = {value for e in everything for value, _ in returned_ids(e)}
    links = {e.seq: _links(e, returned) for e in everything}
    found: dict[int, Exchange] = {}
    pending = list(targets)
    while pending and len(found) < DEPENDENCIES:
        exchange = pending.pop()
        keys, ids = links.get(exchange.seq) or _links(exchange, returned)
        for earlier in everything:
            if earlier.seq >= exchange.seq or earlier.seq in found:
                continue
            other_keys, other_ids = links[earlier.seq]
            if keys & other_keys or ids & other_ids:
                found[earlier.seq] = earlier
                pending.append(earlier)
                if len(found) >= DEPENDENCIES:
                    break
    return list(found.values())


def _links(exchange: Exchange, returned: set[str]) -> tuple[set[str], set[str]]:
    keys = {k for k in key_values(exchange) if is_key(k)}
    ids = {s for s in path_segments(exchange.url) if s in returned}
    ids |= {value for value, _ in returned_ids(exchange)}
    return keys, ids

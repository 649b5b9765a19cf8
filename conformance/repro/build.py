"""From a failure's evidence to a Plan: positions, fresh keys, ids read at run time, waits,
simultaneous groups, and the violated check with its parameters.

Valid keys become the round's fresh keys (one bijection keeps their relations); invalid ones
stay literal. A path segment that an earlier answer returned as its `id` (or `paymentId`)
becomes a variable read from that answer at run time, and so does a check parameter equal to
one. A gap of a second or more between two requests (not a 429's wait) is waited again.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from conformance.checks import Violation
from conformance.repro.evidence import JUDGES_THE_429, Evidence, cut, is_key, returned_ids
from conformance.repro.plan import Group, IdSource, Judgement, Plan, Request, Segment, Step, Wait
from conformance.transport.records import Exchange

__all__ = ["MAX_WAIT", "PAUSE", "build", "rounds_for", "segments"]

PAUSE = 1.0
"""Seconds: a longer gap between two requests of the evidence is waited again."""
MAX_WAIT = 120.0
"""The longest single wait a reproduction makes."""
RACE_ROUNDS = 20
"""Rounds of a reproduction with simultaneous requests: a race shows in some rounds only."""
RATE_REQUESTS = 110
"""Requests the rounds of a rate-limit reproduction add up to: a limit shows only after many."""
RATE_CHECKS = frozenset({"rate_limits_carry_retry_after", "a_429_is_not_stored"})
ROUNDS_WAITING = 120.0
"""Seconds of waits that the rounds of one reproduction may add up to."""
IMPLIED = frozenset({"content-length", "user-agent", "accept-encoding", "connection", "host"})
"""Headers the HTTP client adds by itself (a bodyless POST keeps its `Content-Length: 0`)."""
SECRET = re.compile(r"\$(DEVDRAFT_(?:SECOND_)?(?:API_KEY|SECRET))")


def segments(text: str) -> list[Segment]:
    """Literal text, with the redactor's `$DEVDRAFT_*` placeholders as environment variables."""
    found: list[Segment] = []
    last = 0
    for match in SECRET.finditer(text):
        if match.start() > last:
            found.append(("text", text[last : match.start()]))
        found.append(("env", match.group(1)))
        last = match.end()
    if last < len(text):
        found.append(("text", text[last:]))
    return found


class _Positions:
    """The evidence's exchanges by 1-based position, with their bursts and returned ids."""

    def __init__(self, exchanges: list[Exchange]) -> None:
        self.exchanges = exchanges
        self.of_seq = {e.seq: i for i, e in enumerate(exchanges, start=1)}
        self.returned: dict[str, tuple[int, str]] = {}
        """Each id value an answer returned: the first position that returned it, and the field."""
        for number, exchange in enumerate(exchanges, start=1):
            for value, field in returned_ids(exchange):
                self.returned.setdefault(value, (number, field))

    def group(self, position: int) -> list[int]:
        """The positions of the burst of `position` (empty when it was sent alone)."""
        mine = self.exchanges[position - 1].group
        if not mine:
            return []
        return [i for i, e in enumerate(self.exchanges, start=1) if e.group == mine]

    def source(self, value: str, before: int) -> tuple[int, str] | None:
        """Where an id a request at `before` uses came from: an earlier answer not of its burst."""
        found = self.returned.get(value)
        if found is None or found[0] >= before or found[0] in self.group(before):
            return None
        return found


def build(
    evidence: Evidence,
    violation: Violation | None,
    *,
    test: str,
    requirement: str,
    failure: tuple[str, str, str],
    base_url: str,
    prefix: str,
) -> Plan:
    """`failure` is the report's title, Expected and Received."""
    api_root = base_url.rstrip("/") + prefix
    positions = _Positions(evidence.exchanges)
    keys = _keys(evidence.exchanges)
    ids: list[IdSource] = []
    requests = [
        _request(number, exchange, api_root, keys, positions, ids)
        for number, exchange in enumerate(evidence.exchanges, start=1)
    ]
    plan = Plan(
        requirement=violation.requirement if violation and violation.requirement else requirement,
        test=test,
        title=failure[0],
        expected=failure[1],
        received=failure[2],
        base_url=base_url,
        prefix=prefix,
        steps=_steps(evidence, requests, waits=not (violation and violation.check in RATE_CHECKS)),
        keys=keys,
        ids=ids,
        judgement=_judgement(evidence, violation, requirement, positions, keys),
        notes=list(evidence.notes),
    )
    plan.rounds = rounds_for(plan)
    return plan


def rounds_for(plan: Plan) -> int:
    """1; more for a race (simultaneous requests) or a rate limit, within a bound of waiting."""
    if plan.judgement.check in RATE_CHECKS:
        rounds = -(-RATE_REQUESTS // max(1, len(plan.requests())))
    elif any(isinstance(step, Group) for step in plan.steps):
        rounds = RACE_ROUNDS
    else:
        return 1
    waiting = sum(step.seconds for step in plan.steps if isinstance(step, Wait))
    return max(1, min(rounds, int(ROUNDS_WAITING // waiting))) if waiting else rounds


def _keys(exchanges: list[Exchange]) -> list[str]:
    found: list[str] = []
    for exchange in exchanges:
        for name, value in exchange.request_lines:
            if name.lower() == "idempotency-key" and is_key(value) and value not in found:
                found.append(value)
    return found


def _request(
    number: int,
    exchange: Exchange,
    api_root: str,
    keys: list[str],
    positions: _Positions,
    ids: list[IdSource],
) -> Request:
    absolute = not exchange.url.startswith(api_root)
    rest = exchange.url if absolute else exchange.url[len(api_root) :]
    path: list[Segment] = []
    for piece in re.split(r"([/?])", rest):
        source = positions.source(unquote(piece), number) if piece not in ("", "/") else None
        if source is None:
            path.extend(segments(piece))
        else:
            path.append(("id", _id_name(source, ids, positions)))
    body = exchange.request_body or None
    headers: list[tuple[str, list[Segment]]] = []
    for name, value in exchange.request_lines:
        lower = name.lower()
        if lower == "content-length" and body is None and value == "0":
            headers.append((name, [("text", "0")]))
        elif lower in IMPLIED:
            continue
        elif lower == "idempotency-key" and value in keys:
            headers.append((name, [("key", str(keys.index(value) + 1))]))
        else:
            headers.append((name, segments(value)))
    recorded = str(exchange.status) if exchange.status is not None else "no answer"
    return Request(number, exchange.method, _merged(path), headers, body, absolute, recorded)


def _merged(path: list[Segment]) -> list[Segment]:
    merged: list[Segment] = []
    for kind, value in path:
        if merged and kind == "text" and merged[-1][0] == "text":
            merged[-1] = ("text", merged[-1][1] + value)
        else:
            merged.append((kind, value))
    return merged


def _id_name(source: tuple[int, str], ids: list[IdSource], positions: _Positions) -> str:
    for known in ids:
        if (known.position, known.field) == source:
            return known.name
    position, field = source
    group = [p for p in positions.group(position) if p != position]
    ids.append(IdSource(f"P{len(ids) + 1}", position, field, group))
    return ids[-1].name


def _steps(evidence: Evidence, requests: list[Request], *, waits: bool) -> list[Step]:
    """Requests in order; a burst's requests as one Group; a Wait where the run paused, unless
    not `waits`: a rate limit's reproduction shows the limit by sending its rounds in a row,
    and a pause of the run there (on a loaded machine, or the suite's own wait for a 429) would
    only slow every round and ease the limit it needs to reach."""
    steps: list[Step] = []
    end: float | None = None
    previous_group = 0
    for exchange, request in zip(evidence.exchanges, requests, strict=True):
        last = steps[-1] if steps else None
        if exchange.group and exchange.group == previous_group and isinstance(last, Group):
            last.requests.append(request)
        else:
            if waits and end is not None and not evidence.run_wide:
                gap = exchange.started - end
                rate_limited = any(end <= e.started <= exchange.started for e in evidence.retried)
                if gap >= PAUSE and not rate_limited:
                    steps.append(Wait(min(round(gap + 0.05, 1), MAX_WAIT), gap))
            steps.append(Group([request]) if exchange.group else request)
        previous_group = exchange.group
        finished = exchange.started + exchange.elapsed
        end = finished if end is None else max(end, finished)
    return [s.requests[0] if isinstance(s, Group) and len(s.requests) == 1 else s for s in steps]


def _judgement(
    evidence: Evidence,
    violation: Violation | None,
    requirement: str,
    positions: _Positions,
    keys: list[str],
) -> Judgement:
    if violation is None or not violation.check:
        why = "the failure was not a check's: the requests are sent and their answers shown"
        return Judgement(None, requirement, why=why)
    if not evidence.run_wide and len(evidence.judged) < len(violation.answers):
        return Judgement(None, requirement, why="an answer the check judged was not recorded")
    params = dict(violation.params)
    if evidence.run_wide:
        params = cut(params, len(violation.answers), evidence.kept)
    answers = [positions.of_seq[seq] for seq in evidence.judged]
    the_429: list[int] = []
    if violation.check in JUDGES_THE_429:  # every 429 of the round, as the run judged every one
        answers = the_429 = list(range(1, len(positions.exchanges) + 1))
    refs = {
        value: [number, field, positions.group(number)]
        for value, (number, field) in positions.returned.items()
    }
    races = [
        [number, positions.exchanges[number - 1].status, positions.group(number)]
        for number in ([] if the_429 else answers)
        if positions.group(number)
    ]
    return Judgement(
        violation.check,
        violation.requirement or requirement,
        answers,
        _mapped(params, keys, refs),
        the_429,
        races,
    )


def _mapped(value: Any, keys: list[str], ids: dict[str, list[Any]], in_list: bool = False) -> Any:
    """Check parameters with the run's keys and ids as references to the round's own: a string
    equal to a key or an id, or a number in a list equal to an id (a numeric payment id)."""
    if isinstance(value, dict):
        return {k: _mapped(v, keys, ids) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mapped(v, keys, ids, in_list=True) for v in value]
    if isinstance(value, str) and value in keys:
        return {"$key": keys.index(value) + 1}
    numeric = in_list and isinstance(value, int) and not isinstance(value, bool)
    if (isinstance(value, str) or numeric) and str(value) in ids:
        return {"$id": ids[str(value)]}
    return value

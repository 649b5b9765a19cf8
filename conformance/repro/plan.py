"""A reproduction as plain data: its requests in order, where it waits, which keys and ids it
makes at run time, and the check it ends with. The shell and pytest writers render one Plan.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Group", "IdSource", "Judgement", "Plan", "Request", "Segment", "Step", "Wait"]

Segment = tuple[str, str]
"""A piece of a header value or path: ("text", literal), ("env", VARIABLE) for a secret,
("key", "3") for the round's third fresh key, ("id", "P1") for an id read at run time."""


@dataclass
class Request:
    position: int
    """1-based; the check names its answers by position."""
    method: str
    path: list[Segment]
    """Under the API root (the target's base URL and path prefix, both from the environment)."""
    headers: list[tuple[str, list[Segment]]]
    """Header lines in order; a repeated name stays on lines of its own."""
    body: str | None = None
    """Sent exactly as recorded; nothing in it is ever expanded."""
    absolute: bool = False
    """The path is a whole URL (the run sent it outside the API root)."""
    recorded: str = ""
    """What the run got, for a comment: `201`, `no answer`."""


@dataclass
class Group:
    """Requests the run sent simultaneously (one burst): sent together again."""

    requests: list[Request]


@dataclass
class Wait:
    seconds: float
    recorded: float
    """The gap the run had; `seconds` is cut to a bound when it was longer."""


Step = Request | Group | Wait


@dataclass
class IdSource:
    """An id a later request needs, read at run time from the answer that returned it."""

    name: str
    position: int
    field: str
    group: list[int] = dataclasses.field(default_factory=list)  # `field` is a name here
    """The positions of the answer's burst: if this one has no id, the first that has."""


@dataclass
class Judgement:
    check: str | None
    """The registered check's name; None when the failure was not a check's (replay only)."""
    requirement: str
    answers: list[int] = field(default_factory=list)
    params: Any = field(default_factory=dict)
    """JSON values; {"$key": n} and {"$id": [position, field, group]} are resolved per round."""
    first_429: list[int] = field(default_factory=list)
    """Positions judged by their first 429 answer rather than the answer after the retries."""
    races: list[list[Any]] = field(default_factory=list)
    """[position, status, burst positions] of each judged answer sent in a burst: the status it
    got in the run, which the runtime looks for among the burst when the race went otherwise."""
    why: str = ""

    def spec(self) -> dict[str, Any]:
        """What the runtime's `judge` reads."""
        found: dict[str, Any] = {"check": self.check, "requirement": self.requirement}
        if self.check is None:
            found["why"] = self.why
        else:
            found.update(answers=self.answers, params=self.params, first_429=self.first_429)
            if self.races:
                found["races"] = self.races
        return found


@dataclass
class Plan:
    requirement: str
    test: str
    title: str
    expected: str
    received: str
    base_url: str
    prefix: str
    steps: list[Step]
    keys: list[str]
    """The run's valid keys in first-use order; each round maps them to fresh ones."""
    ids: list[IdSource]
    judgement: Judgement
    rounds: int = 1
    notes: list[str] = field(default_factory=list)
    """What the reproduction leaves out or changes, in sentences."""

    def requests(self) -> list[Request]:
        found: list[Request] = []
        for step in self.steps:
            if isinstance(step, Request):
                found.append(step)
            elif isinstance(step, Group):
                found.extend(step.requests)
        return found

    def secrets(self) -> list[str]:
        """The environment variables the requests read, in first-use order."""
        names: list[str] = []
        for request in self.requests():
            for _, value in request.headers:
                names += [v for kind, v in value if kind == "env" and v not in names]
            names += [v for kind, v in request.path if kind == "env" and v not in names]
        return names

    def ids_after(self, step: Step) -> list[IdSource]:
        """The ids that become readable once `step` is done."""
        if isinstance(step, Wait):
            return []
        done = {r.position for r in (step.requests if isinstance(step, Group) else [step])}
        return [source for source in self.ids if source.position in done]

"""The registry of checks: one named function per property, under the requirements it serves.

A check is a plain function: its positional arguments are answers (anything `Answer.of`
takes), its keyword arguments plain JSON values. Registered with `@check("REQ-ID", ...)`, it is
called with the requirement it judges for (`requirement=`, default the first it serves) and an
optional context `title=`; when it fails, the Violation carries the requirement, the check's
name, the answers' journal positions and the keyword values, so a reproduction can judge its
own answers with the same check by name.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from .answer import Answer
from .failure import Violation

__all__ = ["CHECKS", "Check", "Judged", "apply", "check", "checks_for"]


class Judged(Protocol):
    """A registered check as callers see it: answers of any kind `Answer.of` takes, the
    requirement it judges for, a context title, and its own keyword values."""

    def __call__(
        self, *answers: Any, requirement: str | None = None, title: str | None = None, **params: Any
    ) -> None: ...


@dataclass(frozen=True)
class Check:
    name: str
    serves: tuple[str, ...]
    accepts: str
    """What the check accepts, in a sentence (its docstring's first paragraph)."""
    function: Judged


CHECKS: dict[str, Check] = {}


def check(*serves: str) -> Callable[[Callable[..., None]], Judged]:
    if not serves:
        raise ValueError("a check serves at least one requirement")

    def register(function: Callable[..., None]) -> Judged:
        name = function.__name__
        if name in CHECKS:
            raise ValueError(f"duplicate check name {name!r}")
        accepts = " ".join((function.__doc__ or "").strip().split("\n\n")[0].split())
        if not accepts:
            raise ValueError(f"check {name!r} has no docstring saying what it accepts")

        @functools.wraps(function)
        def judged(
            *answers: Any, requirement: str | None = None, title: str | None = None, **params: Any
        ) -> None:
            serving = requirement or serves[0]
            if serving not in serves:
                raise ValueError(f"check {name} does not serve {serving} (it serves {serves})")
            seen = [Answer.of(a) for a in answers]
            try:
                function(*seen, **params)
            except Violation as violation:
                violation.requirement, violation.check = serving, name
                violation.answers, violation.params = _named(seen, params, violation.culprits)
                if title:
                    violation.title = title
                raise

        CHECKS[name] = Check(name, tuple(serves), accepts, judged)
        return judged

    return register


def _named(
    seen: list[Answer], params: dict[str, Any], culprits: list[Any] | None
) -> tuple[list[int | None], dict[str, Any]]:
    """The journal positions of the answers a violation names, and the keyword values to apply
    the check to them again: a list given one value per answer follows the answers named."""
    if culprits is None:
        return [a.seq for a in seen], params
    positions = [next(i for i, a in enumerate(seen) if a is c) for c in culprits]
    aligned = {
        name: [value[i] for i in positions]
        if isinstance(value, list) and len(value) == len(seen)
        else value
        for name, value in params.items()
    }
    return [seen[i].seq for i in positions], aligned


def apply(name: str, answers: list[Answer], params: dict[str, Any], requirement: str) -> None:
    """Apply the registered check `name` again (a reproduction judging its own answers)."""
    CHECKS[name].function(*answers, requirement=requirement, **params)


def checks_for(requirement: str) -> list[Check]:
    return [c for c in CHECKS.values() if requirement in c.serves]

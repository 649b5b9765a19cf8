"""Why a check failed, as data: the requirement, the check, a title, Expected and Received.

Standard library only (a reproduction carries it).
"""

from __future__ import annotations

from typing import Any

__all__ = ["ConformanceFailure", "Violation", "fail"]


class ConformanceFailure(AssertionError):
    """A requirement was violated. Rendered as `title / Expected: ... / Received: ...`."""

    def __init__(self, title: str, *, expected: str, received: str) -> None:
        self.title = title
        self.expected = expected
        self.received = received
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return f"{self.title}\nExpected: {self.expected}\nReceived: {self.received}"

    def __str__(self) -> str:
        return self.message


class Violation(ConformanceFailure):
    """A named check failed for a requirement. `answers` are the journal positions of the
    answers the check judged and `params` the other values it was given, so that a reproduction
    can apply the same check to its own answers."""

    def __init__(
        self,
        title: str,
        *,
        expected: str,
        received: str,
        requirement: str = "",
        check: str = "",
    ) -> None:
        super().__init__(title, expected=expected, received=received)
        self.requirement = requirement
        self.check = check
        self.answers: list[int | None] = []
        self.params: dict[str, Any] = {}
        self.culprits: list[Any] | None = None
        """The answers that broke the rule, when a check judged many (a run-wide scan)."""


def fail(
    title: str, *, expected: str, received: str, culprits: list[Any] | None = None
) -> Violation:
    """Raise a Violation; the check that calls it fills in the requirement and itself.
    `culprits`: the offending answers among many (else every answer the check was given)."""
    violation = Violation(title, expected=expected, received=received)
    violation.culprits = culprits
    raise violation

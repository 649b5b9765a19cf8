"""Why a check failed, as data: a short title and what was expected versus what came back."""

from __future__ import annotations


class ConformanceFailure(AssertionError):
    """A requirement was violated. Rendered as `title / Expected: ... / Received: ...`."""

    def __init__(self, title: str, *, expected: str, received: str) -> None:
        self.title = title
        self.expected = expected
        self.received = received
        super().__init__(f"{title}\nExpected: {expected}\nReceived: {received}")

"""Each Hypothesis test of a run: seeded, each example with new evidence and its arguments kept."""

from __future__ import annotations

import functools
from typing import Any

import hypothesis
import pytest

from conformance.not_judged import NotJudgedSkip
from conformance.transport.errors import NotJudged
from conformance.transport.records import Journal

__all__ = ["ExampleArguments"]


class ExampleArguments:
    """The arguments of each Hypothesis test's latest example (the minimal one on failure)."""

    def __init__(self, journal: Journal, seed: int) -> None:
        self.journal = journal
        self.seed = seed
        self.current_test = ""
        """The node id of the test in progress, whose examples are being drawn."""
        self._by_test: dict[str, dict[str, Any]] = {}

    def of(self, test: str) -> dict[str, Any] | None:
        """The latest example's arguments of `test` (its node id), None if it drew none."""
        return self._by_test.get(test)

    def wrap(self, item: pytest.Item) -> None:
        """Seed the test and wrap its inner test once (parametrized items share the function):
        each example starts a new evidence list and records its arguments; NotJudged becomes
        a skip, which Hypothesis re-raises without shrinking."""
        test = getattr(item, "obj", None)
        handle = getattr(test, "hypothesis", None)
        if test is None or handle is None or getattr(handle, "conformance_wrapped", False):
            return
        hypothesis.seed(self.seed)(test)
        inner = handle.inner_test
        fixtures = set(getattr(item, "fixturenames", ()))

        @functools.wraps(inner)
        def each_example(*args: Any, **kwargs: Any) -> Any:
            self.journal.new_example()
            self._by_test[self.current_test] = {
                k: v for k, v in kwargs.items() if k not in fixtures
            }
            try:
                return inner(*args, **kwargs)
            except NotJudged as error:
                raise NotJudgedSkip(str(error)) from None

        handle.inner_test = each_example
        handle.conformance_wrapped = True

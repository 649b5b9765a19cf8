"""What the suite's fixtures take from the run and hand back to it, and the pytest stash key the
run is kept under."""

from __future__ import annotations

from typing import Protocol

import pytest

from conformance.results import SequenceCoverage
from conformance.target import Target
from conformance.transport.client import ApiClient

__all__ = ["RUN_CONTEXT_KEY", "RunContext"]


class RunContext(Protocol):
    """The run as the suite sees it (the runner's ConformanceRun is one): the target it judges,
    the one recording client every request of the run goes through, and where the state machine
    leaves what it observed of its own coverage."""

    @property
    def target(self) -> Target: ...

    @property
    def api(self) -> ApiClient: ...

    def record_sequence_coverage(self, coverage: SequenceCoverage) -> None: ...


RUN_CONTEXT_KEY = pytest.StashKey[RunContext]()
"""Where the plugin puts the session's run in `config.stash`, for the suite's fixtures."""

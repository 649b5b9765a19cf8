"""What the suite's fixtures take from the run, and the pytest stash key the run is kept under."""

from __future__ import annotations

from typing import Protocol

import pytest

from conformance.target import Target
from conformance.transport.client import ApiClient

__all__ = ["RUN_CONTEXT_KEY", "RunContext"]


class RunContext(Protocol):
    """The run as the suite sees it (the runner's ConformanceRun is one): the target it judges
    and the one recording client every request of the run goes through."""

    @property
    def target(self) -> Target: ...

    @property
    def api(self) -> ApiClient: ...


RUN_CONTEXT_KEY = pytest.StashKey[RunContext]()
"""Where the plugin puts the session's run in `config.stash`, for the suite's fixtures."""

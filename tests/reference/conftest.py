"""Fixtures for the reference server's own tests: one shared server, one helper per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from reference_support import OTHER_CLIENT, Api

from conformance.reference import (
    DEFAULT_CLIENT_KEY,
    DEFAULT_CLIENT_SECRET,
    RunningServer,
    running_reference_server,
)


@pytest.fixture(scope="session")
def server() -> Iterator[RunningServer]:
    extra = ":".join(OTHER_CLIENT)
    with running_reference_server(
        "--client", f"{DEFAULT_CLIENT_KEY}:{DEFAULT_CLIENT_SECRET}", "--client", extra
    ) as running:
        yield running


@pytest.fixture
def api(server: RunningServer) -> Api:
    return Api(server.base_url)

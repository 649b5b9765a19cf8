"""Fixtures of the conformance suite: the target, clients, and payments made for a test."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conformance.results import SequenceCoverage
from conformance.run_context import RUN_CONTEXT_KEY, RunContext
from conformance.target import Target
from conformance.transport.client import ApiClient


def _run(request: pytest.FixtureRequest) -> RunContext:
    return request.config.stash[RUN_CONTEXT_KEY]


@pytest.fixture(scope="session")
def target(request: pytest.FixtureRequest) -> Target:
    return _run(request).target


@pytest.fixture(scope="session")
def api(request: pytest.FixtureRequest) -> ApiClient:
    """The client acting as the configured client; every request is recorded and budgeted."""
    return _run(request).api


@pytest.fixture(scope="session")
def second_api(api: ApiClient, target: Target) -> ApiClient:
    if target.second_credentials is None:
        pytest.skip("needs a second client: --second-client-key and --second-client-secret")
    return api.as_client(target.second_credentials)


@pytest.fixture
def observe(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """Record an observation for an INFO requirement (shown in the report, never judged)."""
    notes: list[str] = []
    request.node.conformance_observations = notes
    return notes.append


@pytest.fixture
def record_sequence_coverage(request: pytest.FixtureRequest) -> Callable[[SequenceCoverage], None]:
    """Hand the run the state machine's sequence coverage (shown in the reports, never judged)."""
    return _run(request).record_sequence_coverage


@pytest.fixture(scope="session")
def run_id(target: Target) -> str:
    return target.run_id

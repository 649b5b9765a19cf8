"""Project-wide pytest configuration: Hypothesis profiles for the project's own tests."""

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("dev", deadline=None, max_examples=25)
settings.register_profile(
    "ci", deadline=None, max_examples=50, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """Under pytest-xdist (`make test`), the tests that share a run go to one worker."""
    from tests.scheduling import scheduler

    return scheduler(config, log)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest work units first (tests/scheduling.py), each rank in its order: under
    pytest-xdist, a long unit handed out last would leave the other workers idle at the end."""
    from tests.scheduling import expected_length

    def length(item: pytest.Item) -> int:
        return expected_length(item.nodeid, item.get_closest_marker("slow") is not None)

    items.sort(key=length, reverse=True)

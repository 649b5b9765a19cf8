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
    """The long tests first, in their order (those marked slow, and those sharing a run: see
    tests/scheduling.py): under pytest-xdist, a long work unit handed out last would leave the
    other workers idle at the end."""
    from tests.scheduling import scope_of

    def long(item: pytest.Item) -> bool:
        return item.get_closest_marker("slow") is not None or scope_of(item.nodeid) != item.nodeid

    items.sort(key=lambda item: not long(item))

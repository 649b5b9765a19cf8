"""Hypothesis for a run: its settings by profile, its storage out of the working directory."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, Phase, settings

from conformance.profiles import PROFILES

__all__ = ["hypothesis_settings", "keep_hypothesis_out_of_the_working_directory", "load_profile"]


def hypothesis_settings(profile: str) -> settings:
    return settings(
        max_examples=PROFILES[profile].examples,
        stateful_step_count=PROFILES[profile].stateful_steps,
        deadline=None,
        database=None,
        derandomize=False,
        print_blob=False,
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )


def load_profile(profile: str) -> None:
    settings.register_profile(f"conformance-{profile}", hypothesis_settings(profile))
    settings.load_profile(f"conformance-{profile}")


def keep_hypothesis_out_of_the_working_directory() -> None:
    """Hypothesis caches data (unicode tables, constants) under ./.hypothesis even without an
    example database; a run of the suite points it at the user's cache instead, unless
    HYPOTHESIS_STORAGE_DIRECTORY says where."""
    if os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
        return
    from hypothesis.configuration import set_hypothesis_home_dir

    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    for folder in (
        Path(cache) / "devdraft-conformance" / "hypothesis",
        Path(tempfile.gettempdir()) / f"devdraft-conformance-{os.getuid()}" / "hypothesis",
    ):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        set_hypothesis_home_dir(folder)
        return

"""The run profiles and every per-profile setting: examples, state-machine steps, race rounds."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT", "FAST", "PROFILES", "SMOKE", "THOROUGH", "Profile"]


@dataclass(frozen=True)
class Profile:
    """How much one run of the suite tries, by `--profile` name."""

    name: str
    examples: int
    """Examples Hypothesis tries for each property test."""
    stateful_steps: int
    """Steps of each example of the state machine."""
    race_rounds: int
    """Rounds of simultaneous requests each concurrency test sends."""


SMOKE = "smoke"
FAST = "fast"
DEFAULT = "default"
THOROUGH = "thorough"

PROFILES: dict[str, Profile] = {
    profile.name: profile
    for profile in (
        Profile(SMOKE, examples=4, stateful_steps=8, race_rounds=3),
        Profile(FAST, examples=10, stateful_steps=10, race_rounds=10),
        Profile(DEFAULT, examples=25, stateful_steps=25, race_rounds=50),
        Profile(THOROUGH, examples=100, stateful_steps=60, race_rounds=150),
    )
}
"""Every profile by name, smallest first."""

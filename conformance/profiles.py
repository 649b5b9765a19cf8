"""The run profiles and every per-profile setting: examples, state-machine steps, race rounds."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DEFAULT",
    "EXAMPLES_PER_ROUND",
    "FAST",
    "PROFILES",
    "SMOKE",
    "THOROUGH",
    "Profile",
    "rounds",
]

EXAMPLES_PER_ROUND = 2
"""Examples of one Hypothesis run of the state machine: its steering learns what the run
covered between rounds (conformance.suite.stateful.runner)."""


def rounds(examples: int) -> list[int]:
    """`examples` of the state machine as rounds of EXAMPLES_PER_ROUND (the first a little
    larger when they do not divide evenly)."""
    count = max(1, examples // EXAMPLES_PER_ROUND)
    return [examples // count + (1 if n < examples % count else 0) for n in range(count)]


@dataclass(frozen=True)
class Profile:
    """How much one run of the suite tries, by `--profile` name."""

    name: str
    examples: int
    """Examples Hypothesis tries for each property test."""
    stateful_examples: int
    """Examples of the state machine (run in rounds of two, see its runner)."""
    stateful_steps: int
    """Steps of each example of the state machine. Examples times steps is about the requests
    it sends against a conformant target (a burst sends two). The fast profile's 20 examples of
    24 steps are what its steering needs to apply every pair and every triple of actions on one
    payment (its sequence coverage): measured on seeds 1 to 40, where 20 of 23 steps left one
    triple unseen on one seed of ten."""
    race_rounds: int
    """Rounds of simultaneous requests each concurrency test sends."""

    @property
    def stateful_rounds(self) -> list[int]:
        """The state machine's examples as its rounds (`rounds`)."""
        return rounds(self.stateful_examples)


SMOKE = "smoke"
FAST = "fast"
DEFAULT = "default"
THOROUGH = "thorough"

PROFILES: dict[str, Profile] = {
    profile.name: profile
    for profile in (
        Profile(SMOKE, examples=4, stateful_examples=4, stateful_steps=8, race_rounds=3),
        Profile(FAST, examples=10, stateful_examples=20, stateful_steps=24, race_rounds=10),
        Profile(DEFAULT, examples=25, stateful_examples=25, stateful_steps=25, race_rounds=50),
        Profile(THOROUGH, examples=100, stateful_examples=100, stateful_steps=60, race_rounds=150),
    )
}
"""Every profile by name, smallest first."""

"""The state machine's sequence coverage as plain data: orders of actions tried, of those possible.

Observation only: nothing here is a verdict, and no figure ever changes a run's exit code. The
suite's state machine (conformance.suite.stateful.coverage) counts; the reports show these.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["SEPARATOR", "SequenceCoverage", "Tally", "joined"]

SEPARATOR = " > "
"""Between the actions of a sequence as the reports spell it: 'create > refund > GET'."""


def joined(sequence: Sequence[str]) -> str:
    return SEPARATOR.join(sequence)


@dataclass(frozen=True)
class Tally:
    """One length of sequence: how many of the possible ones a run exercised, and the rest."""

    exercised: int
    possible: int
    unseen: tuple[str, ...]
    """Every possible sequence the run never applied, each spelled with SEPARATOR."""

    def as_dict(self) -> dict[str, Any]:
        return {"exercised": self.exercised, "possible": self.possible, "unseen": list(self.unseen)}

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Tally:
        return cls(int(data["exercised"]), int(data["possible"]), tuple(data["unseen"]))


@dataclass(frozen=True)
class SequenceCoverage:
    """Ordered pairs and triples of actions the state machine applied to one payment."""

    pairs: Tally
    triples: Tally
    actions: int
    """Actions the run applied to payments (the steps that count towards the sequences)."""

    def line(self) -> str:
        """The console's one line."""
        return (
            f"state machine sequences: pairs {self.pairs.exercised}/{self.pairs.possible}, "
            f"triples {self.triples.exercised}/{self.triples.possible} "
            f"({self.actions} actions on payments; observed, never judged)"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "pairs": self.pairs.as_dict(),
            "triples": self.triples.as_dict(),
            "actions": self.actions,
        }

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> SequenceCoverage:
        """Back from `as_dict` (a part's conformance.json)."""
        return cls(Tally.of(data["pairs"]), Tally.of(data["triples"]), int(data["actions"]))

    @classmethod
    def merged(cls, parts: Sequence[SequenceCoverage]) -> SequenceCoverage:
        """Several runs' coverage of the same sequences as one: what none of them applied stays
        unseen. One part's figures stand as they are."""
        if not parts:
            raise ValueError("no coverage to merge")

        def tally(tallies: list[Tally]) -> Tally:
            unseen = [s for s in tallies[0].unseen if all(s in t.unseen for t in tallies[1:])]
            possible = tallies[0].possible
            return Tally(possible - len(unseen), possible, tuple(unseen))

        if len(parts) == 1:
            return parts[0]
        return cls(
            tally([p.pairs for p in parts]),
            tally([p.triples for p in parts]),
            sum(p.actions for p in parts),
        )

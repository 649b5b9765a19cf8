"""The fault registry: every fault is a Behaviour subclass registered here by its name."""

from __future__ import annotations

from typing import TypeVar

from ..behaviour import Behaviour

__all__ = ["FAULTS", "F", "Fault", "fault"]


class Fault(Behaviour):
    """A deliberately faulty server: one overridden step, breaking the requirement `breaks`.

    `also_breaks` lists the ids that necessarily fail with it (kept minimal; each entry is
    justified by a comment where it is set). The self-test (conformance.selftest) proves the
    suite fails `breaks` and no other MUST id outside `also_breaks`.
    """

    breaks = ""
    also_breaks: tuple[str, ...] = ()


FAULTS: dict[str, type[Fault]] = {}

F = TypeVar("F", bound=type[Fault])


def fault(cls: F) -> F:
    if not cls.breaks:
        raise ValueError(f"fault {cls.name!r} names no requirement in `breaks`")
    if cls.name in FAULTS:
        raise ValueError(f"duplicate fault name {cls.name!r}")
    FAULTS[cls.name] = cls
    return cls

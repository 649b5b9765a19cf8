"""Deliberately faulty servers, each breaking exactly one requirement (catalog to come).

A fault is a Behaviour subclass overriding one step, with a one-line comment naming the bug
and the requirement id it breaks; ``--fault list`` prints the catalog.
"""

from __future__ import annotations

from .behaviour import Behaviour

FAULTS: dict[str, type[Behaviour]] = {}


def fault(cls: type[Behaviour]) -> type[Behaviour]:
    if cls.name in FAULTS:
        raise ValueError(f"duplicate fault name {cls.name!r}")
    FAULTS[cls.name] = cls
    return cls

"""Deliberately faulty servers, each breaking one requirement id of REQUIREMENTS.md.

A fault is a small Behaviour subclass overriding one step, with a one-line comment naming the
bug and the requirement id it breaks; ``--fault list`` prints the catalog. The modules group
them by area; importing this package registers them all in ``FAULTS``.
"""

from __future__ import annotations

from . import auth, concurrency, keys, payments, protocol, refund, replay
from .registry import FAULTS, Fault, fault

__all__ = [
    "FAULTS",
    "Fault",
    "auth",
    "concurrency",
    "fault",
    "keys",
    "payments",
    "protocol",
    "refund",
    "replay",
]

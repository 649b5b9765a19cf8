"""Conformant variants: servers that make another allowed choice, one choice each.

Each is correct on every MUST and SHOULD of REQUIREMENTS.md (a SHOULD its choice gives up is
listed in its `warns`); the suite must pass them all: a suite that fails one of them mistakes
our reference server's choices for the contract. ``--variant list`` prints the catalog. The
modules group them by kind; importing this package registers them all in ``VARIANTS``, the
reference behaviour first.
"""

from __future__ import annotations

from . import (
    bodies,
    business_rules,
    error_bodies,
    idempotency,
    ids_and_times,
    rate_limits,
    statuses,
    transport,
)
from .registry import VARIANTS, Variant, suite_args, variant, warns_of

__all__ = [
    "VARIANTS",
    "Variant",
    "bodies",
    "business_rules",
    "error_bodies",
    "idempotency",
    "ids_and_times",
    "rate_limits",
    "statuses",
    "suite_args",
    "transport",
    "variant",
    "warns_of",
]

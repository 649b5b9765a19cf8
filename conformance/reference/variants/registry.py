"""The variant registry: every conformant variant is a Behaviour subclass registered by name.

A variant makes one choice that REQUIREMENTS.md allows and the reference server does not make;
its one-line `summary` states the choice and cites the requirement id or clause allowing it.
The self-test (conformance.selftest) runs the whole suite against each one and accepts no
failure, and no warning except on the SHOULD ids the variant lists in `warns`.
"""

from __future__ import annotations

from typing import TypeVar

from ..behaviour import Behaviour

__all__ = ["VARIANTS", "V", "Variant", "suite_args", "variant", "warns_of"]


class Variant(Behaviour):
    """A conformant server that makes one other allowed choice."""

    warns: tuple[str, ...] = ()
    """SHOULD ids the choice is allowed to fail: the self-test accepts a warning on these."""
    suite_options: tuple[str, ...] = ()
    """Suite options a user would give for a target like this one that no attribute of the
    server states (e.g. a larger --max-rate-limit-wait for a limiter the run cannot pace)."""
    runs_alone = False
    """True where the choice is about time (a rate limiter, a latency): such a variant is not
    combined with others (see combined.py)."""


VARIANTS: dict[str, type[Behaviour]] = {Behaviour.name: Behaviour}

V = TypeVar("V", bound=type[Variant])


def variant(cls: V) -> V:
    if cls.name in VARIANTS:
        raise ValueError(f"duplicate variant name {cls.name!r}")
    if not cls.summary or cls.summary == Behaviour.summary:
        raise ValueError(f"variant {cls.name!r} states no choice in `summary`")
    VARIANTS[cls.name] = cls
    return cls


def warns_of(cls: type[Behaviour]) -> tuple[str, ...]:
    """The SHOULD ids a variant may warn on (none for the reference behaviour)."""
    return cls.warns if issubclass(cls, Variant) else ()


def suite_args(cls: type[Behaviour]) -> tuple[str, ...]:
    """The suite options a user would give for a target like this one: the server's own path
    prefix, auth header names and conflict status, read from the attributes that set them, and
    the variant's own `suite_options`."""
    args: list[str] = []
    if cls.api_prefix != Behaviour.api_prefix:
        args += ["--path-prefix", cls.api_prefix]
    if cls.key_header != Behaviour.key_header:
        args += ["--key-header", cls.key_header]
    if cls.secret_header != Behaviour.secret_header:
        args += ["--secret-header", cls.secret_header]
    if cls.conflict_status != Behaviour.conflict_status:
        args += ["--conflict-status", str(cls.conflict_status)]
    if issubclass(cls, Variant):
        args += cls.suite_options
    return tuple(args)

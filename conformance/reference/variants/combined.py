"""Servers that make several allowed choices at once, named by joining the variants' names
with '+' (``--variant uuid-ids+nestjs-404``).

A real server combines choices: its framework's 404 body, its own id format, its own statuses.
Variants combine when they are of different kinds (the module that holds them: two of one kind
make rival choices for the same answers, and one would hide the other, as a second refund
answered 200 hides the 422 of another) and each changes a different part of the behaviour (no
attribute or method is defined by two of them). The combined class inherits from all of them,
so each change applies. A variant whose choice is about time (a rate limiter, a latency) runs
alone: its waits would make every run it joins slow and harder to read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache

from ..behaviour import Behaviour
from .registry import VARIANTS, Variant

__all__ = [
    "SEPARATOR",
    "combination_of",
    "combine",
    "combined_groups",
    "overrides",
    "variant_named",
]

SEPARATOR = "+"
_DESCRIPTIVE = frozenset({"name", "summary", "warns", "suite_options", "runs_alone"})
"""Attributes that describe a variant rather than change its behaviour."""


def overrides(cls: type[Behaviour]) -> frozenset[str]:
    """The attributes and methods a variant's own classes define over Behaviour's."""
    defined: set[str] = set()
    for klass in cls.__mro__:
        if klass in (Variant, Behaviour):
            break
        defined.update(n for n in vars(klass) if n == "__init__" or not n.startswith("__"))
    return frozenset(defined - _DESCRIPTIVE)


def _combines(cls: type[Behaviour]) -> bool:
    return issubclass(cls, Variant) and not cls.runs_alone


def _rivals(first: type[Behaviour], second: type[Behaviour]) -> str:
    """Why two variants do not combine, or "" when they do."""
    if first.__module__ == second.__module__:
        return "are of one kind"
    shared = overrides(first) & overrides(second)
    return "both change " + ", ".join(sorted(shared)) if shared else ""


def combine(names: Sequence[str]) -> type[Variant]:
    """The server making every named variant's choice; ValueError when two of them are rivals
    or one of them runs alone."""
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        raise ValueError(f"unknown variant {unknown[0]!r}")
    if len(set(names)) != len(names) or len(names) < 2:
        raise ValueError(f"a combination names two or more different variants: {names!r}")
    classes = [VARIANTS[n] for n in names]
    for cls in classes:
        if not _combines(cls):
            raise ValueError(f"variant {cls.name!r} runs alone")
    for i, first in enumerate(classes):
        for second in classes[i + 1 :]:
            why = _rivals(first, second)
            if why:
                raise ValueError(f"variants {first.name!r} and {second.name!r} {why}")
    namespace = {
        "name": SEPARATOR.join(names),
        "summary": "; ".join(cls.summary for cls in classes),
        "warns": tuple(dict.fromkeys(w for cls in classes for w in getattr(cls, "warns", ()))),
        "suite_options": tuple(o for cls in classes for o in getattr(cls, "suite_options", ())),
        "__module__": __name__,
    }
    return type(SEPARATOR.join(names), tuple(classes), namespace)


def variant_named(name: str) -> type[Behaviour]:
    """A variant of the catalog, or a combination of them; ValueError for anything else."""
    if name in VARIANTS:
        return VARIANTS[name]
    if SEPARATOR in name:
        return combine(name.split(SEPARATOR))
    raise ValueError(f"unknown variant {name!r}")


def combined_groups(names: Iterable[str]) -> list[tuple[str, ...]]:
    """The named variants in groups that combine, in the order given: each variant joins the
    first group it combines with; one that runs alone (and the reference behaviour) is a group
    of its own."""
    groups: list[list[str]] = []
    for name in names:
        home = next((g for g in groups if _joins(VARIANTS[name], g)), None)
        if home is None:
            groups.append([name])
        else:
            home.append(name)
    return [tuple(group) for group in groups]


def _joins(cls: type[Behaviour], group: list[str]) -> bool:
    """Whether `cls` combines with every variant of `group`."""
    return _combines(cls) and all(
        _combines(VARIANTS[other]) and not _rivals(cls, VARIANTS[other]) for other in group
    )


@cache
def combination_of() -> dict[str, str]:
    """The combination each variant of the catalog joins, by the variant's name (a variant that
    combines with none maps to its own name)."""
    return {n: SEPARATOR.join(group) for group in combined_groups(VARIANTS) for n in group}

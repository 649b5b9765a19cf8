"""The run's one seeded source of fresh values outside Hypothesis (keys, ids), and the letters and
digits their random cores are made of."""

from __future__ import annotations

import random
import string
import uuid

__all__ = ["ALNUM", "fresh_hex", "fresh_uuid", "rng", "seed_values"]

ALNUM = string.ascii_letters + string.digits
rng = random.Random()
"""The suite's one source of fresh values outside Hypothesis (keys, ids): seeded by the run's
seed (`seed_values`), so that `--seed` sends the same requests again."""


def seed_values(seed: int, part: str = "") -> None:
    """Seed the fresh values; each part of a sharded run (`part`, 'K/N') draws its own."""
    rng.seed(f"{seed}:{part}" if part else seed)


def fresh_hex(length: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(length))


def fresh_uuid() -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))

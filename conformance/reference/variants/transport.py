"""The same answers on the wire in other allowed forms."""

from __future__ import annotations

import asyncio

from .registry import Variant, variant


@variant
class Slow(Variant):
    name = "slow"
    summary = (
        "every request takes about 20 ms longer (no requirement bounds latency: PAY-CREATE "
        "and the rest judge answers, not their speed)"
    )
    latency = 0.02

    async def on_request(self) -> None:
        await asyncio.sleep(self.latency)

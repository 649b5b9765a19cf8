"""The slots of the `--rate` cap: when the next request may leave under it, for one process
(RateSlots) or for every part of a `--workers` run (SharedRateSlots).

A run in parts used to give each part its share of the cap (--rate divided by the parts). The
parts do not finish together, so once one had finished the others went on at their own share
only, and the run stayed under what the user allowed. Shared slots are a small file that every
part maps and locks (flock) when it books: the parts together keep to the run's cap, whichever
of them are still sending.

Only the cap is shared. What the pacer learns of the target (a Retry-After pause, a rate
halved after a 429) stays each part's own: against a count-based limiter (every 7th request
answered 429 with Retry-After: 1), pausing every part for each 429 made the fast profile with
4 parts take 304 s instead of 50 s, since no pacing makes such a limiter answer fewer 429s.

The times are the monotonic clock's, which is the machine's own on Linux and macOS (the parts
run on the machine that started them).
"""

from __future__ import annotations

import mmap
import os
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no flock; each part there keeps to its share of the cap
    fcntl = None  # type: ignore[assignment]

__all__ = ["RateSlots", "SharedRateSlots", "slots_for"]

_SLOT = struct.Struct("<d")


class RateSlots:
    """One process's slots. Read and book them inside `locked()`, under the pacer's lock."""

    def __init__(self) -> None:
        self.next_slot = 0.0
        """The next request leaves no earlier than this under the cap."""

    @contextmanager
    def locked(self) -> Iterator[None]:
        yield  # the pacer's own lock covers the threads of one process


class SharedRateSlots(RateSlots):
    """The slots of every part of a run, in the file `path` (made by `create`)."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self._fd = os.open(path, os.O_RDWR)
        self._map = mmap.mmap(self._fd, _SLOT.size)

    @staticmethod
    def supported() -> bool:
        return fcntl is not None

    @staticmethod
    def create(path: Path) -> None:
        """Fresh slots: none booked yet."""
        path.write_bytes(_SLOT.pack(0.0))

    @contextmanager
    def locked(self) -> Iterator[None]:
        fcntl.flock(self._fd, fcntl.LOCK_EX)  # the other parts' pacers wait here
        try:
            (self.next_slot,) = _SLOT.unpack_from(self._map)
            yield
            _SLOT.pack_into(self._map, 0, self.next_slot)
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)


def slots_for(shared: Path | None) -> RateSlots:
    """The cap's slots of a run: the parts' shared ones when the run is a part of a
    `--workers` run (`shared`, the file its parent made), else its own."""
    return SharedRateSlots(shared) if shared is not None else RateSlots()

"""When the run's next request may leave, and the run's allowance for waiting.

One Pacer is shared by every session of a run (the primary and second client, the burst
clients), so the whole run stays under the target's rate. The parts of a `--workers` run share
the slots of the `--rate` cap as well (conformance.transport.rate_slots), not the rest.

It learns from 429s: with Retry-After (seconds or an HTTP-date) every new request waits until
then; without it the allowed rate is halved, and it recovers additively while answers come
back without 429 (AIMD). `--rate N` caps the rate for shared targets. A burst of simultaneous
requests is admitted as one unit before its barrier (`wait_turn(n)` then `admitted()` in each
of its threads), so pacing never spreads a burst out.

Waiting is charged to the run's WaitAllowance (`--max-rate-limit-wait`): what the target
imposes (the pauses after 429s and the pace learned from them) is charged, counted once for
the time simultaneous waits overlap; the spacing of the user's own `--rate` is counted as time
waited but not charged, since a run at `--rate N` takes requests / N by design.

The clock and the sleep are injected: unit tests drive the pacer with a fake clock.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from conformance.transport.rate_slots import RateSlots

__all__ = [
    "MIN_RATE",
    "RATE_WINDOW",
    "RECOVERY_PER_SECOND",
    "UNLIMITED_ABOVE",
    "Pacer",
    "WaitAllowance",
]

MIN_RATE = 1.0
"""Requests per second the backoff never goes below."""
RECOVERY_PER_SECOND = 5.0
"""Requests per second the learned rate regains per second of answers without 429."""
UNLIMITED_ABOVE = 1000.0
"""A learned rate recovered beyond this is dropped: the target is no longer limiting."""
RATE_WINDOW = 2.0
"""Seconds of recent sends the observed rate is measured over (the base of a halving)."""


class WaitAllowance:
    """The run's total time for waiting, shared by every session of the run.

    What is charged is the time the run spends waiting, not the sum of every request's wait:
    simultaneous requests that wait out the same rate limit together (a burst answered 429)
    are charged once for the time they overlap. `waited` counts every wait the same way,
    charged or not (the --rate spacing is not charged).
    """

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.total = seconds
        self.left = seconds
        self.waited = 0.0
        self._clock = clock
        self._charged_until = 0.0
        self._waited_until = 0.0
        self._lock = threading.Lock()

    def take(self, seconds: float, *, charge: bool = True) -> bool:
        """Book a wait of `seconds` from now; False (and nothing booked) when a charged wait
        does not fit in what is left."""
        with self._lock:
            now = self._clock()
            end = now + seconds
            if charge:
                charged = max(0.0, end - max(now, self._charged_until))
                if charged > self.left:
                    return False
                self.left -= charged
                self._charged_until = max(self._charged_until, end)
            self.waited += max(0.0, end - max(now, self._waited_until))
            self._waited_until = max(self._waited_until, end)
            return True


_admitted = threading.local()


class Pacer:
    def __init__(
        self,
        allowance: WaitAllowance,
        *,
        rate: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        slots: RateSlots | None = None,
    ) -> None:
        """`slots` are the --rate cap's: the parts of a --workers run share theirs
        (rate_slots.SharedRateSlots); by default they are this process's own."""
        self.allowance = allowance
        self.cap = rate
        """--rate: requests per second the run never exceeds (None: no cap)."""
        self.learned: float | None = None
        """The rate learned from 429s without Retry-After (None: the target set no limit)."""
        self._clock = clock
        self._sleep = sleep
        self._paused_until = 0.0
        self._next_slot = 0.0
        """When the next request may leave at the learned rate (the cap's is in _slots)."""
        self._slots = slots or RateSlots()
        self._recent: deque[float] = deque()
        self._lock = threading.Lock()

    @property
    def rate(self) -> float | None:
        """The rate requests leave at now: the lower of the cap and the learned rate."""
        rates = [r for r in (self.cap, self.learned) if r is not None]
        return min(rates) if rates else None

    def wait_turn(self, count: int = 1) -> bool:
        """Wait until `count` requests may leave together, and book them. False when the wait
        the target imposes no longer fits in the run's allowance (nothing is booked)."""
        if getattr(_admitted, "pending", False):
            _admitted.pending = False  # the first request of a thread of an admitted burst
            return True
        while True:
            with self._lock, self._slots.locked():
                now = self._clock()
                ready = max(self._paused_until, self._next_slot, self._slots.next_slot)
                if ready <= now:
                    self._book(now, count)
                    return True
                wait = ready - now
                if not self.allowance.take(wait, charge=self._imposed()):
                    return False
            self._sleep(wait)  # then look again: a 429 meanwhile may have paused the run

    @contextmanager
    def admitted(self) -> Iterator[None]:
        """In a thread of a burst booked with `wait_turn(n)`: its first request leaves at
        once (at the barrier's release), its retries are paced as any request."""
        _admitted.pending = True
        try:
            yield
        finally:
            _admitted.pending = False

    def rate_limited(self, delay: float, *, retry_after: bool) -> bool:
        """A 429 came: pause new requests for `delay` seconds (Retry-After, or the caller's
        backoff); without Retry-After also halve the rate. False when the pause does not fit
        in the run's allowance (then nothing is paused: the request is given up)."""
        with self._lock:
            if not self.allowance.take(delay):
                return False
            now = self._clock()
            self._paused_until = max(self._paused_until, now + delay)
            if not retry_after:
                base = self.learned if self.learned is not None else self._observed_rate(now)
                self.learned = max(MIN_RATE, base / 2)
            return True

    def answered(self) -> None:
        """An answer other than 429: the learned rate recovers additively."""
        with self._lock:
            if self.learned is None:
                return
            self.learned += RECOVERY_PER_SECOND / self.learned
            if self.learned > UNLIMITED_ABOVE:
                self.learned = None

    def _book(self, now: float, count: int) -> None:
        self._next_slot = now + count / self.learned if self.learned else now
        if self.cap:
            self._slots.next_slot = now + count / self.cap
        self._recent.extend([now] * count)
        while self._recent and self._recent[0] < now - RATE_WINDOW:
            self._recent.popleft()

    def _imposed(self) -> bool:
        """Whether the current wait is the target's doing (charged), not the --rate cap's."""
        return max(self._paused_until, self._next_slot) >= self._slots.next_slot

    def _observed_rate(self, now: float) -> float:
        """Requests per second sent over the last RATE_WINDOW seconds (at least MIN_RATE)."""
        recent = [t for t in self._recent if t >= now - RATE_WINDOW]
        return max(MIN_RATE, len(recent) / RATE_WINDOW)

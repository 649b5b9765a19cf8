"""The pacer with a fake clock: its sleeps advance the clock, so nothing really waits."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from conformance.target import build_target
from conformance.transport.budget import Budget
from conformance.transport.client import ApiClient
from conformance.transport.errors import NotJudged
from conformance.transport.pacing import MIN_RATE, UNLIMITED_ABOVE, Pacer, WaitAllowance
from conformance.transport.rate_slots import SharedRateSlots
from conformance.transport.records import Journal
from conformance.transport.redaction import Redactor
from conformance.transport.session import RecordingSession
from tests.hostile import servers
from tests.hostile.servers import hostile_server


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


def pacer(clock: FakeClock, allowance: float = 60.0, rate: float | None = None) -> Pacer:
    return Pacer(WaitAllowance(allowance, clock=clock), rate=rate, clock=clock, sleep=clock.sleep)


def test_without_a_cap_or_a_429_requests_leave_at_once() -> None:
    clock = FakeClock()
    paced = pacer(clock)
    assert all(paced.wait_turn() for _ in range(100))
    assert clock.sleeps == []
    assert paced.allowance.waited == 0.0


def test_a_rate_cap_spaces_requests_and_is_not_charged_to_the_allowance() -> None:
    clock = FakeClock()
    paced = pacer(clock, allowance=0.0, rate=10.0)
    for _ in range(5):
        assert paced.wait_turn()
    assert clock.sleeps == [0.1] * 4
    assert paced.allowance.left == 0.0  # nothing charged: a wait allowance of 0 is enough
    assert paced.allowance.waited == pytest.approx(0.4)


def test_retry_after_pauses_every_new_request_until_it_ends() -> None:
    clock = FakeClock()
    paced = pacer(clock)
    assert paced.rate_limited(2.0, retry_after=True)
    clock.now += 0.5  # another request comes along half a second later
    assert paced.wait_turn()
    assert clock.sleeps == [1.5]
    assert paced.learned is None  # Retry-After says when; the rate is not guessed
    assert paced.allowance.left == pytest.approx(58.0)
    assert paced.allowance.waited == pytest.approx(2.0)


def test_simultaneous_429s_of_a_burst_are_charged_once() -> None:
    clock = FakeClock()
    paced = pacer(clock, allowance=10.0)
    assert all(paced.rate_limited(1.0, retry_after=True) for _ in range(8))
    for _ in range(8):
        assert paced.wait_turn()
    assert paced.allowance.left == pytest.approx(9.0)


def test_without_retry_after_the_rate_is_halved_then_recovers_additively() -> None:
    clock = FakeClock()
    paced = pacer(clock)
    for _ in range(40):  # 40 requests in one second: 20 per second over the 2 s window
        paced.wait_turn()
        clock.now += 0.025
    assert paced.rate_limited(0.25, retry_after=False)
    assert paced.learned == pytest.approx(10.0)
    assert paced.rate_limited(0.25, retry_after=False)
    assert paced.learned == pytest.approx(5.0)
    paced.answered()
    assert paced.learned == pytest.approx(6.0)  # +5 per second at 5 per second: +1 an answer
    clock.now += 10
    assert paced.wait_turn()
    assert paced.wait_turn()
    assert clock.sleeps[-1] == pytest.approx(1 / 6.0, abs=1e-6)
    assert paced.allowance.left < 60.0  # the learned pace is the target's doing: charged


def test_the_backoff_never_goes_below_the_floor_and_ends_when_the_rate_recovers() -> None:
    clock = FakeClock()
    paced = pacer(clock)
    for _ in range(10):
        paced.rate_limited(0.0, retry_after=False)
    assert paced.learned == MIN_RATE
    paced.learned = UNLIMITED_ABOVE
    paced.answered()
    assert paced.learned is None and paced.rate is None


def test_a_pause_that_does_not_fit_the_allowance_is_refused_and_not_applied() -> None:
    clock = FakeClock()
    paced = pacer(clock, allowance=1.5)
    assert paced.rate_limited(1.0, retry_after=True)
    clock.now += 1.0
    assert not paced.rate_limited(1.0, retry_after=True)
    assert paced.wait_turn()
    assert clock.sleeps == []


def test_a_learned_pace_that_no_longer_fits_the_allowance_gives_the_request_up() -> None:
    clock = FakeClock()
    paced = pacer(clock, allowance=0.5)
    paced.learned = MIN_RATE
    assert paced.wait_turn()
    assert not paced.wait_turn()  # one second to the next slot; half a second left


def test_a_pause_that_begins_while_a_request_waits_for_its_slot_is_honoured() -> None:
    clock = FakeClock()
    paced = Pacer(WaitAllowance(60.0, clock=clock), rate=10.0, clock=clock, sleep=clock.sleep)
    paced.wait_turn()

    def sleep_through_a_429(seconds: float) -> None:
        clock.sleep(seconds)
        if len(clock.sleeps) == 1:
            paced.rate_limited(1.0, retry_after=True)  # another session's request got a 429

    paced._sleep = sleep_through_a_429
    paced.wait_turn()
    assert clock.sleeps == [0.1, 1.0]


def test_a_burst_is_admitted_as_one_unit_and_its_requests_are_not_spaced() -> None:
    clock = FakeClock()
    paced = pacer(clock, rate=10.0)
    assert paced.wait_turn()
    assert paced.wait_turn(8)  # the burst waits for its turn once, before its barrier
    assert clock.sleeps == [0.1]
    for _ in range(8):
        with paced.admitted():
            assert paced.wait_turn()  # each thread's request leaves at the barrier's release
    assert clock.sleeps == [0.1]
    assert paced.wait_turn()
    assert clock.sleeps == [0.1, 0.8]  # the next request after the burst's eight slots


def test_a_429_to_one_session_pauses_the_other_sessions_of_the_run() -> None:
    """Over loopback: the forked client's 429 makes the primary client wait (on the fake
    clock) before its next request, and both requests are recorded as sent."""
    clock = FakeClock()
    answered: list[str] = []
    lock = threading.Lock()

    def first_request_limited(request: servers.Request, conn: servers.Connection) -> bytes:
        with lock:
            answered.append(request.path)
            first = len(answered) == 1
        if first:
            return servers.response(429, b"{}", Retry_After="3")
        return servers.response(200, b'{"ok": true}')

    journal, budget = Journal(), Budget(None)
    paced = pacer(clock)
    with hostile_server(first_request_limited) as server:
        session = RecordingSession(
            journal=journal, budget=budget, redactor=Redactor({}), timeout=10, pacer=paced
        )
        other = RecordingSession(
            journal=journal, budget=budget, redactor=Redactor({}), timeout=10, pacer=paced
        )
        assert other.get(server.base_url + "/a").status_code == 200  # 429, waited, retried
        assert session.get(server.base_url + "/b").status_code == 200
    assert clock.sleeps == [3.0]  # the retry waited; /b came after the pause: no wait left
    assert [e.status for e in journal.all] == [429, 200, 200]
    assert budget.used == 3
    assert paced.allowance.waited == pytest.approx(3.0)


def test_clients_forked_for_a_burst_share_the_run_pacer_capped_by_conformance_rate() -> None:
    target = build_target(
        {
            "conformance_base_url": "http://127.0.0.1:1",
            "conformance_client_key": "k-123456",
            "conformance_client_secret": "s-abcdef",
        },
        environ={"CONFORMANCE_RATE": "25"},
    )
    api = ApiClient.for_target(target)
    assert api.fork().session.pacer is api.session.pacer
    assert api.as_client(None).session.pacer is api.session.pacer
    assert api.session.pacer.cap == 25.0


def test_a_spent_allowance_gives_the_429_up_as_not_judged() -> None:
    with hostile_server(servers.rate_limits) as server:
        session = RecordingSession(
            journal=Journal(),
            budget=Budget(None),
            redactor=Redactor({}),
            timeout=10,
            max_rate_limit_wait=0.0,
        )
        with pytest.raises(NotJudged, match="bounded wait"):
            session.get(server.base_url + "/x")


def parts_pacers(clock: FakeClock, path: Path, rate: float) -> list[Pacer]:
    """The pacers of two parts of a --workers run at `rate`: each its own slots on one file."""
    SharedRateSlots.create(path)
    return [
        Pacer(
            WaitAllowance(60.0, clock=clock),
            rate=rate,
            clock=clock,
            sleep=clock.sleep,
            slots=SharedRateSlots(path),
        )
        for _ in range(2)
    ]


def test_parts_sharing_the_rate_slots_keep_together_to_one_cap(tmp_path: Path) -> None:
    clock = FakeClock()
    first, second = parts_pacers(clock, tmp_path / "slots", rate=10.0)
    assert first.wait_turn() and second.wait_turn() and first.wait_turn()
    assert clock.sleeps == [0.1, 0.1]  # one run at 10 a second, not two
    assert first.allowance.left == second.allowance.left == 60.0  # the cap is not charged


def test_what_a_part_learns_from_a_429_stays_its_own(tmp_path: Path) -> None:
    """Against a count-based limiter a pause for every part at each 429 made the run take
    six times as long (conformance.transport.rate_slots)."""
    clock = FakeClock()
    first, second = parts_pacers(clock, tmp_path / "slots", rate=1000.0)
    assert first.rate_limited(2.0, retry_after=True)
    assert first.rate_limited(0.25, retry_after=False)
    assert second.wait_turn()
    assert clock.sleeps == [] and second.learned is None

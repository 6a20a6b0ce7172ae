"""The outbox's delivery loop on the in-memory outbox: due messages read page by page and sent by
a bounded pool as workers free up, a thread's messages one after another in due order, nothing
claimed once the run's time is up (it waits, unclaimed, for the next run), and each message sent
once across runs."""
from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import timedelta

import pytest

from chalicelib.domain import outbox as messages
from chalicelib.domain.outbox import SMS
from chalicelib.services import outbox
from chalicelib.services.stores import stores
from tests.fakes.outbox import FakeOutboxStore
from tests.unit.services.network import NOW


class SlowCourier:
    """Takes `seconds` per message; records each message handed over, how many were in flight at
    once, and whether two messages of one thread ever overlapped or went out of due order."""

    def __init__(self, seconds: float = 0.0, fail: type[BaseException] | None = None):
        self.seconds, self.fail = seconds, fail
        self.calls: Counter[str] = Counter()
        self.order: dict[str, list] = {}
        self.in_flight, self.most_in_flight, self.overlapped = 0, 0, False
        self._threads: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, message, now):
        with self._lock:
            self.overlapped |= message.thread in self._threads
            self._threads.add(message.thread)
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            self.calls[message.message_id] += 1
            self.order.setdefault(message.thread, []).append(message.due)
        try:
            if self.fail is not None:
                raise self.fail("the gateway went away")
            time.sleep(self.seconds)
        finally:
            with self._lock:
                self.in_flight -= 1
                self._threads.discard(message.thread)
        return outbox.Outcome("sent")


def queue(store: FakeOutboxStore, bookings: int, per_booking: int = 1) -> list[messages.OutboxMessage]:
    queued = [messages.sms("booking_reminder", f"+98912{b:07d}", NOW - timedelta(seconds=b * per_booking + k),
                           booking_id=f"BK{b}") for b in range(bookings) for k in range(per_booking)]
    store.put(queued)
    return queued


def test_a_backlog_deeper_than_a_page_is_sent_once_by_a_bounded_pool_thread_by_thread():
    store = FakeOutboxStore()
    queued = queue(store, 60, per_booking=3)  # 180 messages, three per booking
    courier = SlowCourier(0.005)
    with stores.use(outbox=store):
        report = outbox.deliver(SMS, courier, NOW, workers=8, batch=25)
    assert report.counts == Counter({"sent": 180}) and report.claimed_elsewhere == 0
    assert set(courier.calls) == {m.message_id for m in queued} and set(courier.calls.values()) == {1}
    assert 1 < courier.most_in_flight <= 8  # concurrent, never beyond the pool
    assert not courier.overlapped  # a booking's messages one after another...
    assert all(dues == sorted(dues) for dues in courier.order.values())  # ...in due order
    assert store.pending(SMS) == []


def test_once_the_time_is_up_nothing_more_is_claimed_and_the_next_run_sends_the_rest():
    store = FakeOutboxStore()
    queued = queue(store, 400)
    courier = SlowCourier(0.01)
    with stores.use(outbox=store):
        started = time.monotonic()
        first = outbox.deliver(SMS, courier, NOW, workers=4, batch=50, budget_s=0.15)
        took = time.monotonic() - started
        left = store.pending(SMS)
        assert 0 < first.counts["sent"] < 400 and len(left) == 400 - first.counts["sent"]
        assert took < 1.0  # the run ends about one send after its budget
        assert all(m.lease is None for m in left)  # what it did not reach is not held by it
        second = outbox.deliver(SMS, courier, NOW + timedelta(minutes=1), workers=4, batch=50)
    assert first.counts["sent"] + second.counts["sent"] == 400
    assert set(courier.calls) == {m.message_id for m in queued} and set(courier.calls.values()) == {1}


def test_a_failing_run_stops_reading_and_raises_instead_of_hanging():
    store = FakeOutboxStore()
    queue(store, 200)
    courier = SlowCourier(fail=ConnectionError)
    with stores.use(outbox=store), pytest.raises(ConnectionError):
        outbox.deliver(SMS, courier, NOW, workers=4, batch=20)
    assert len(courier.calls) < 200  # it stopped reading once a worker failed

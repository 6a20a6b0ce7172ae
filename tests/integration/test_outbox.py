"""One outbox for SMS and partner callbacks, on DynamoDB Local: each message is claimed (a lease
with expiry, a conditional write) before it is sent, so delivery runs that overlap send every
message exactly once, and a message whose run died is sent by a later run once its lease has
expired."""
from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

from chalicelib.dal import outbox_store
from chalicelib.domain import calendar
from chalicelib.domain import outbox as messages
from chalicelib.domain.outbox import CALLBACK, KINDS, SMS
from chalicelib.services import outbox
from chalicelib.services.outbox import Outcome
from chalicelib.services.stores import stores

RETRY_IN = 600


class CountingCourier:
    """A fake sender: counts every message it is handed (from any thread); the ones named in
    `failing` fail and are to be tried again later."""

    def __init__(self, failing: frozenset[str] = frozenset(), wait_for: threading.Event | None = None):
        self.calls: Counter[str] = Counter()
        self.failing = failing
        self.wait_for = wait_for
        self._lock = threading.Lock()

    def __call__(self, message, now):
        if self.wait_for is not None:
            assert self.wait_for.wait(timeout=120), "the other run never read its due messages"
        with self._lock:
            self.calls[message.message_id] += 1
        return Outcome("failed", RETRY_IN) if message.message_id in self.failing else Outcome("sent")


class BothRunsRead:
    """The real outbox store, except that each kind's sends wait until both runs have read that
    kind's due messages: the runs then overlap for certain, however busy the machine is (a
    barrier before the runs alone cannot stop one run from finishing before the other reads)."""

    def __init__(self, runs: int):
        self._reads = Counter()
        self._lock = threading.Lock()
        self.read_by_all = {kind: threading.Event() for kind in KINDS}
        self.runs = runs

    def __getattr__(self, name):
        return getattr(outbox_store, name)

    def due_pages(self, kind, now, page=100):
        for number, found in enumerate(outbox_store.due_pages(kind, now, page)):
            if number == 0:
                with self._lock:
                    self._reads[kind] += 1
                    if self._reads[kind] == self.runs:
                        self.read_by_all[kind].set()
            yield found


def _queue(now, sms: int, callbacks: int) -> list[messages.OutboxMessage]:
    queued = [messages.sms("remote_received", f"+9891{n:08d}", now - timedelta(seconds=n % 90),
                           params={"tracking_code": f"RQ{n:010d}"}) for n in range(sms)]
    # Several callbacks per request (one thread), from a few partners.
    queued += [messages.status_callback(f"partner-{n % 3}", f"RQ{n // 3:010d}", "ASSIGNED", now - timedelta(seconds=n % 90))
               for n in range(callbacks)]
    outbox_store.put(queued)
    return queued


def test_two_runs_released_together_send_each_message_exactly_once(empty_outbox):
    now = calendar.now_tehran()
    queued = _queue(now, 250, 250)
    ids = {m.message_id for m in queued}
    failing = frozenset(m.message_id for m in queued[::10])  # 50 of them fail and wait for a retry
    store = BothRunsRead(runs=2)
    couriers = {kind: CountingCourier(failing, wait_for=store.read_by_all[kind]) for kind in KINDS}
    barrier = threading.Barrier(2)
    reports: list[dict[str, outbox.Report]] = []
    errors: list[BaseException] = []

    def run():
        try:
            barrier.wait()
            # Each run delivers both kinds, as overlapping (or retried) schedules would.
            reports.append({kind: outbox.deliver(kind, couriers[kind], now, batch=1000) for kind in KINDS})
        except BaseException as exc:  # noqa: BLE001 - failed below
            errors.append(exc)

    runs = [threading.Thread(target=run) for _ in range(2)]
    with stores.use(outbox=store):
        for t in runs:
            t.start()
        for t in runs:
            t.join(timeout=300)
    assert not errors and len(reports) == 2, errors

    # At the senders: every message handed over, each exactly once.
    calls = couriers[SMS].calls + couriers[CALLBACK].calls
    assert len(ids) == 500 and set(calls) == ids
    assert set(calls.values()) == {1}
    # In the runs' own accounts: 450 sent and 50 failed between them, both runs did some of the
    # work, and they overlapped (claims were lost to the other run). A run sees fewer than 500 when
    # the other had claimed some before its read; every message it saw and did not deliver, it
    # found claimed by the other.
    sent = [sum(r[k].counts["sent"] for k in KINDS) for r in reports]
    failed = [sum(r[k].counts["failed"] for k in KINDS) for r in reports]
    lost = [sum(r[k].claimed_elsewhere for k in KINDS) for r in reports]
    assert sum(sent) == 450 and sum(failed) == 50
    assert sum(lost) > 0 and all(s + f > 0 and s + f + x <= 500 for s, f, x in zip(sent, failed, lost, strict=True))
    assert sum(r[k].lease_lost for r in reports for k in KINDS) == 0
    print(f"\nrun A sent {sent[0]} failed {failed[0]} found claimed {lost[0]}; "
          f"run B sent {sent[1]} failed {failed[1]} found claimed {lost[1]}")

    # In the database: the delivered ones are gone; the failed ones wait for their next attempt,
    # released by the run (not leased), one attempt counted, due no earlier than the backoff.
    left = outbox_store.pending(SMS) + outbox_store.pending(CALLBACK)
    assert {m.message_id for m in left} == failing
    assert all(m.lease is None and m.attempts == 1 and m.due >= now + timedelta(seconds=RETRY_IN) for m in left)
    assert outbox_store.pending_count() == 50
    # Nothing is due now: a third run finds no work.
    assert outbox_store.due(SMS, now) == [] and outbox_store.due(CALLBACK, now) == []


def test_a_message_whose_run_died_is_sent_by_a_later_run_after_the_lease(empty_outbox):
    now = calendar.now_tehran()
    [message] = _queue(now, 1, 0)
    # A run claims the message and dies before sending it.
    assert outbox_store.claim(message, now, outbox.LEASE_SECONDS) is not None
    assert outbox_store.claim(message, now, outbox.LEASE_SECONDS) is None  # held: nobody else gets it
    courier = CountingCourier()
    assert outbox.deliver(SMS, courier, now + timedelta(seconds=outbox.LEASE_SECONDS - 1)).counts["sent"] == 0
    assert not courier.calls
    [held] = outbox_store.leased(SMS)
    assert held.message_id == message.message_id
    # Once the lease has expired, the next run claims and sends it, once.
    later = now + timedelta(seconds=outbox.LEASE_SECONDS + 1)
    assert outbox.deliver(SMS, courier, later).counts["sent"] == 1
    assert courier.calls == Counter({message.message_id: 1})
    assert outbox_store.pending(SMS) == []
    # The dead run's lease is gone with it: had it woken up, it could not finish the message.
    assert outbox_store.done(held) is False

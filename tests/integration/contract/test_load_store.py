"""The network load store's contract, on the in-memory fake and on DynamoDB Local: live counters
read in batches for any number of offices, the national queue's length, and the snapshot."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

import pytest

from chalicelib.domain import calendar
from chalicelib.domain.load import NO_SNAPSHOT, LiveLoad, LoadSnapshot, OfficeLoad, QueueSample
from tests.fakes.load import FakeLoadStore

DAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 9, 30, tzinfo=calendar.TEHRAN)


class FakeBackend:
    """Writes what the booking and request transactions would have counted."""

    def __init__(self):
        self.store = FakeLoadStore()

    def count(self, office_id: str, day: date, open: int | None = None, busy: int = 0, waiting: int = 0,
              remote_claimed: int = 0) -> None:
        self.store.count(office_id, day, open=open, busy=busy, waiting=waiting, remote_claimed=remote_claimed)

    def enqueue(self, n: int) -> None:
        self.store.queue_remote += n

    def forget_snapshot(self) -> None:
        self.store.saved = NO_SNAPSHOT


class DynamoBackend:
    """Writes the counter items as the transactions do (the data layer's own keys and models)."""

    def __init__(self):
        from chalicelib.dal import load_store
        self.store = load_store
        self.queued: list = []

    def count(self, office_id: str, day: date, open: int | None = None, busy: int = 0, waiting: int = 0,
              remote_claimed: int = 0) -> None:
        from chalicelib.dal import load_store
        from chalicelib.dal.db import Tx
        from chalicelib.dal.models import OfficeCounterItem
        if open is not None:
            OfficeCounterItem(load_store.office_pk(office_id), load_store.COUNTER_SK, open=open, busy=busy).save()
        if waiting or remote_claimed:
            tx = Tx()
            load_store.count_day(tx, office_id, day, NOW, waiting=waiting, remote_claimed=remote_claimed)
            tx.commit()

    def enqueue(self, n: int) -> None:
        from chalicelib.dal import queue_keys
        from chalicelib.dal.models import QueueItem
        for k in range(n):
            item = QueueItem(queue_keys.NATIONAL[k % queue_keys.QUEUE_SHARDS], f"000000000000#{uuid.uuid4().hex}", request_id="T",
                             service_id="S0001", category="petitions")
            item.save()
            self.queued.append(item)

    def forget_snapshot(self) -> None:
        from chalicelib.dal.models import NetworkItem
        NetworkItem("LOAD", "SNAPSHOT").delete()

    def clean(self) -> None:
        for item in self.queued:
            item.delete()


@pytest.fixture(params=["fake", "dynamodb"])
def backend(request):
    if request.param == "fake":
        yield FakeBackend()
        return
    request.getfixturevalue("tables")
    dynamo = DynamoBackend()
    yield dynamo
    dynamo.clean()


def offices(n: int) -> list[str]:
    tag = uuid.uuid4().hex[:6]  # offices of its own: the table is shared with other tests
    return [f"OF-{tag}-{k:03d}" for k in range(n)]


def test_an_office_never_counted_has_no_load(backend):
    [office] = offices(1)
    assert backend.store.office_loads([office], DAY) == {office: LiveLoad()}
    assert backend.store.office_loads([office], DAY)[office].open is None  # its installed counters apply


def test_loads_of_many_offices_come_back_whole_in_one_call(backend):
    ids = offices(250)  # more than one batch of keys (100)
    for k, office in enumerate(ids[::10]):
        backend.count(office, DAY, open=2, busy=1 + k % 2, waiting=k, remote_claimed=1)
    backend.count(ids[1], DAY - timedelta(days=1), waiting=5)  # yesterday's visitors are not today's
    loads = backend.store.office_loads(ids, DAY)
    assert set(loads) == set(ids)
    for k, office in enumerate(ids[::10]):
        assert loads[office] == LiveLoad(open=2, busy=1 + k % 2, waiting=k, remote_claimed=1)
    assert loads[ids[1]] == LiveLoad()
    assert backend.store.office_loads([ids[1]], DAY - timedelta(days=1))[ids[1]].waiting == 5


def test_visitors_and_claims_add_up(backend):
    [office] = offices(1)
    backend.count(office, DAY, waiting=2)
    backend.count(office, DAY, waiting=-1, remote_claimed=1)
    backend.count(office, DAY, remote_claimed=1)
    assert backend.store.office_loads([office], DAY)[office] == LiveLoad(waiting=1, remote_claimed=2)


def test_the_national_queue_length_counts_what_waits(backend):
    before = backend.store.national_queue_length()
    backend.enqueue(5)
    assert backend.store.national_queue_length() == before + 5


def test_the_snapshot_reads_back_as_saved(backend):
    backend.forget_snapshot()
    assert backend.store.snapshot() == NO_SNAPSHOT
    assert NO_SNAPSHOT.loads_on(DAY) == {}
    a, b = offices(2)
    snap = LoadSnapshot(day=DAY, at=NOW, queue_remote=3, offices={
        a: OfficeLoad(open=2, busy=1, waiting=4, remote_claimed=1, booked=7, capacity=20, ratio=0.35, open_today=True),
        b: OfficeLoad(booked=0, capacity=0, ratio=None, open_today=False)})
    backend.store.save_snapshot(snap)
    assert backend.store.snapshot() == snap
    assert backend.store.snapshot().loads_on(DAY)[a].ratio == 0.35
    assert backend.store.snapshot().loads_on(DAY + timedelta(days=1)) == {}


def test_the_queue_lengths_of_a_day_come_back_in_order_once_each(backend):
    day = DAY + timedelta(days=400 + uuid.uuid4().int % 10_000)  # a day of its own: the table is shared
    start = datetime.combine(day, NOW.timetz())
    assert backend.store.queue_lengths(day) == []
    minutes = [2, 0, 1, 3]  # written out of order, as two overlapping runs could
    for m in minutes:
        backend.store.record_queue_length(QueueSample(at=start + timedelta(minutes=m), length=10 * m))
    backend.store.record_queue_length(QueueSample(at=start + timedelta(minutes=1), length=99))  # a retried minute
    # 23:59 Tehran is still that day; 00:00 is the next one's.
    late = datetime.combine(day, datetime.min.time(), tzinfo=calendar.TEHRAN) + timedelta(hours=23, minutes=59)
    backend.store.record_queue_length(QueueSample(at=late, length=7))
    backend.store.record_queue_length(QueueSample(at=late + timedelta(minutes=1), length=8))
    got = backend.store.queue_lengths(day)
    assert [(s.at, s.length) for s in got] == [(start + timedelta(minutes=m), 10 * m) for m in range(4)] + [(late, 7)]
    assert [s.length for s in backend.store.queue_lengths(day + timedelta(days=1))] == [8]


def test_the_table_is_read_a_hundred_keys_a_call(tables):
    """What the fake cannot show: 250 offices cost three batch reads of counters and three of
    day items, whatever their traffic (a snapshot a minute stays O(offices))."""
    from chalicelib.dal import load_store
    from chalicelib.dal.db import shared_client
    calls: list[str] = []

    def count(model, **kwargs):
        calls.append(model.name)
    ids = offices(250)
    DynamoBackend().count(ids[0], DAY, open=1, waiting=2)
    shared_client().meta.events.register("before-call.dynamodb.*", count)
    try:
        loads = load_store.office_loads(ids, DAY)
    finally:
        shared_client().meta.events.unregister("before-call.dynamodb.*", count)
    assert len(loads) == 250 and loads[ids[0]] == LiveLoad(open=1, waiting=2)
    assert calls == ["BatchGetItem"] * 6

"""The network load store's contract, on the in-memory fake and on DynamoDB Local: live counters
read in batches for any number of offices, the national queue's length, and the snapshot (whole,
or only some offices' lines)."""
from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from chalicelib.domain import calendar
from chalicelib.domain.catalogue import Office
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
        from chalicelib.dal import catalogue_store, queue_keys
        from chalicelib.dal.models import QueueItem
        from tests.integration import fixtures
        if not catalogue_store.all_services():  # the queue's partitions are the catalogue's categories
            catalogue_store.save_all(fixtures.items())
            catalogue_store.clear_cache()
        categories = sorted({s.category for s in catalogue_store.all_services().values()})
        for k in range(n):
            category = categories[k % len(categories)]
            item = QueueItem(queue_keys.national_queue(category), f"000000000000#{uuid.uuid4().hex}", request_id="T",
                             service_id="S0001", category=category)
            item.save()
            self.queued.append(item)

    def forget_snapshot(self) -> None:
        from chalicelib.dal.models import NetworkItem
        NetworkItem(self.store.HEAD_PK, self.store.HEAD_SK).delete()
        self.store.forget_snapshot()  # and a cold container

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
    backend.store.save_snapshot(snap, {a: "Tehran", b: "Fars"})
    assert backend.store.snapshot() == snap
    assert backend.store.snapshot().loads_on(DAY)[a].ratio == 0.35
    assert backend.store.snapshot().loads_on(DAY + timedelta(days=1)) == {}


def office_in(province: str, office_id: str) -> Office:
    return Office(office_id, f"Office {office_id}", f"دفتر {office_id}", province, province, province, province,
                  35.7, 51.4, 2, {})


def line(k: int) -> OfficeLoad:
    return OfficeLoad(open=k % 3 or None, busy=k % 2, waiting=k % 7, remote_claimed=k % 5, booked=k, capacity=200,
                      ratio=round(k / 200, 3), open_today=True, desk_counters=k % 4, pace_min=11.5, wait_min=k / 10)


def network_of(sizes: dict[str, int]) -> dict[str, Office]:
    """Offices in provinces of their own (`sizes`: province -> how many), keyed by id."""
    tag = uuid.uuid4().hex[:6]
    return {o.office_id: o for province, n in sizes.items()
            for o in (office_in(f"{province}-{tag}", f"OF-{province[:3].upper()}{tag}-{k:04d}") for k in range(n))}


def snapshot_of(offices_: dict[str, Office], at: datetime = NOW, bump: str | None = None) -> LoadSnapshot:
    lines = {o: line(k) for k, o in enumerate(sorted(offices_))}
    if bump is not None:
        lines[bump] = replace(lines[bump], waiting=lines[bump].waiting + 1)
    return LoadSnapshot(day=at.date(), at=at, queue_remote=4, offices=lines)


def provinces_of(offices_: dict[str, Office]) -> dict[str, str]:
    return {o.office_id: o.province for o in offices_.values()}


def test_a_snapshot_of_several_provinces_reads_back_whole_and_in_part(backend):
    backend.forget_snapshot()
    net = network_of({"Tehran": 250, "Fars": 120, "Ilam": 9})  # Tehran and Fars over one shard's 100 offices
    snap = snapshot_of(net)
    backend.store.save_snapshot(snap, provinces_of(net))
    assert backend.store.snapshot() == snap
    some = [net[o] for o in sorted(net)[::37]]
    part = backend.store.snapshot(some)
    assert part == replace(snap, offices={o.office_id: snap.offices[o.office_id] for o in some})
    # [] reads the minute and the national queue alone; an office the snapshot lacks is left out
    assert backend.store.snapshot([]) == replace(snap, offices={})
    stranger = office_in("Tehran", "OF-NOWHERE")
    assert backend.store.snapshot([stranger, some[0]]).offices == {some[0].office_id: snap.offices[some[0].office_id]}


def test_a_new_minute_replaces_the_snapshot_whole(backend):
    backend.forget_snapshot()
    net = network_of({"Tehran": 150, "Yazd": 30})
    backend.store.save_snapshot(snapshot_of(net), provinces_of(net))
    gone = sorted(net)[-1]  # an office closed for good: its line must not linger
    smaller = {o: office for o, office in net.items() if o != gone}
    later = snapshot_of(smaller, at=NOW + timedelta(minutes=1), bump=sorted(smaller)[3])
    backend.store.save_snapshot(later, provinces_of(smaller))
    assert backend.store.snapshot() == later
    assert backend.store.snapshot([net[gone]]).offices == {}


def test_an_office_without_a_province_cannot_be_placed(backend):
    net = network_of({"Qom": 2})
    with pytest.raises(KeyError):
        backend.store.save_snapshot(snapshot_of(net), {})


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


class Calls:
    """The DynamoDB calls made while in use: operation names, and the keys of each BatchGetItem."""

    def __init__(self):
        self.names: list[str] = []
        self.batch_keys: list[int] = []
        self.written: list[int] = []

    def __call__(self, model, params, **kwargs):
        self.names.append(model.name)
        if model.name == "BatchGetItem":
            self.batch_keys.append(sum(len(r["Keys"]) for r in params["RequestItems"].values()))
        if model.name == "BatchWriteItem":
            self.written.append(sum(1 for rs in params["RequestItems"].values() for r in rs if "PutRequest" in r))

    def __enter__(self):
        from chalicelib.dal.db import shared_client
        shared_client().meta.events.register("before-parameter-build.dynamodb.*", self)
        return self

    def __exit__(self, *exc):
        from chalicelib.dal.db import shared_client
        shared_client().meta.events.unregister("before-parameter-build.dynamodb.*", self)


def test_a_warm_container_rereads_the_head_and_only_the_shard_that_changed(tables):
    """What the fake cannot show: a new minute costs a warm container one read of the head and
    one of each shard whose lines changed; a minute that changed nothing, the head alone."""
    from chalicelib.dal import load_store
    DynamoBackend().forget_snapshot()
    net = network_of({"Tehran": 450, "Fars": 150})  # 5 + 2 shards
    load_store.save_snapshot(snapshot_of(net), provinces_of(net))
    with Calls() as cold:
        assert len(load_store.snapshot().offices) == 600
    assert cold.names == ["GetItem", "BatchGetItem"] and cold.batch_keys == [7]

    changed = sorted(net)[123]
    later = snapshot_of(net, at=NOW + timedelta(minutes=1), bump=changed)
    with Calls() as writer:
        load_store.save_snapshot(later, provinces_of(net))
    assert writer.names == ["GetItem", "BatchWriteItem", "PutItem"] and writer.written == [1]
    with Calls() as warm:
        got = load_store.snapshot()
    assert got == later and got.offices[changed].waiting == later.offices[changed].waiting
    assert warm.names == ["GetItem", "BatchGetItem"] and warm.batch_keys == [1]

    quiet = snapshot_of(net, at=NOW + timedelta(minutes=2), bump=changed)  # same lines, a new minute
    with Calls() as writer:
        load_store.save_snapshot(quiet, provinces_of(net))
    assert writer.names == ["GetItem", "PutItem"]
    with Calls() as warm:
        assert load_store.snapshot() == quiet
    assert warm.names == ["GetItem"]

    with Calls() as page:  # an office's page: the head and its own shard, in a cold container
        load_store.forget_snapshot()
        assert load_store.snapshot([net[changed]]).offices == {changed: quiet.offices[changed]}
    assert page.names == ["GetItem", "BatchGetItem"] and page.batch_keys == [1]


def test_a_reader_a_minute_behind_reads_its_own_minute_and_two_behind_the_latest(tables, monkeypatch):
    """A container holds a head for its cache period; shards it fetches meanwhile are those that
    head names, so the lines it assembles are all of one minute. Two minutes on, the writer has
    deleted the versions that head named of the shards changed since: the reader rereads the
    head and gets the newest minute."""
    from chalicelib.dal import load_store
    DynamoBackend().forget_snapshot()
    net = network_of({"Tehran": 300})  # 3 shards
    provinces = provinces_of(net)
    buckets = {}
    for o in sorted(net):
        buckets.setdefault(load_store.shard_of(net[o].province, o, 3), []).append(o)
    held, x, y = (ids[0] for ids in buckets.values())  # one office in each shard
    minute0 = snapshot_of(net)
    load_store.save_snapshot(minute0, provinces)
    load_store.snapshot([net[held]])  # the container reads minute 0's head and one shard
    monkeypatch.setattr(load_store, "_check_interval", lambda: 3600.0)  # and keeps that head
    minute1 = replace(snapshot_of(net, at=NOW + timedelta(minutes=1), bump=x), offices={
        **minute0.offices, x: replace(minute0.offices[x], waiting=50), y: replace(minute0.offices[y], waiting=60)})
    load_store.save_snapshot(minute1, provinces)
    one = load_store.snapshot([net[x]])
    assert one.at == NOW and one.offices == {x: minute0.offices[x]}  # minute 0's line, as its head says

    minute2 = replace(minute1, at=NOW + timedelta(minutes=2),
                      offices={**minute1.offices, y: replace(minute0.offices[y], waiting=70)})
    load_store.save_snapshot(minute2, provinces)  # y's shard of minute 0 is deleted now
    two = load_store.snapshot([net[y], net[x]])
    assert two.at == minute2.at and two.offices == {y: minute2.offices[y], x: minute2.offices[x]}


def test_overlapping_writers_leave_one_of_their_snapshots_whole(tables):
    """Eight runs of the job released together, each with lines of its own: readers then see
    exactly one run's snapshot, and every shard version the head names is in the table."""
    import threading

    from chalicelib.dal import load_store
    from chalicelib.dal.models import NetworkItem
    DynamoBackend().forget_snapshot()
    net = network_of({"Tehran": 260, "Kerman": 90})
    runs = [LoadSnapshot(day=DAY, at=NOW, queue_remote=k, offices={o: replace(line(j), booked=1000 * k + j)
                                                                  for j, o in enumerate(sorted(net))})
            for k in range(8)]
    barrier, errors = threading.Barrier(len(runs)), []

    def run(snap):
        barrier.wait()
        try:
            load_store.save_snapshot(snap, provinces_of(net))
        except Exception as exc:  # noqa: BLE001 - counted below
            errors.append(exc)
    threads = [threading.Thread(target=run, args=(snap,)) for snap in runs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    load_store.forget_snapshot()
    got = load_store.snapshot()
    assert got == runs[got.queue_remote]
    head = NetworkItem.get(load_store.HEAD_PK, load_store.HEAD_SK, consistent_read=True).data
    for shard, (version, _previous) in head["shards"].items():
        assert NetworkItem.get(load_store.shard_pk(shard), version, consistent_read=True).text

"""Live load of the offices, read by the load snapshot and written inside the transactions that
change it (so the numbers never drift from the events they count):

  requests table  OC#{office} / COUNTERS     open remote-work counters, `busy` of them: a claim
                                             needs busy < open, a release busy > 0
                  OC#{office} / DAY#{date}   `waiting` in-person visitors, `remote_claimed` today
  network table   LOAD / HEAD, LOAD#{shard}  every office's load at the last minute, in shards (below)
                  LOAD / QUEUE#{date}        that day's national queue length, one sample a minute
"""
from __future__ import annotations

import hashlib
import json
import math
import random
import threading
import time
import uuid
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from chalicelib.dal import catalogue_store, queue_keys
from chalicelib.dal.db import Tx, unavailable_guard
from chalicelib.dal.models import NetworkItem, OfficeCounterItem, OfficeDayLoadItem, QueueItem
from chalicelib.domain import calendar
from chalicelib.domain.catalogue import Office
from chalicelib.domain.load import NO_SNAPSHOT, LiveLoad, LoadSnapshot, OfficeLoad, QueueSample
from chalicelib.domain.remote import OfficeCounters
from chalicelib.errors import ServiceUnavailable
from chalicelib.settings import get_settings

COUNTER_SK = "COUNTERS"
KEEP_DAYS = 3  # day items expire after this (TTL): a snapshot reads today's only


def office_pk(office_id: str) -> str:
    return f"OC#{office_id}"


def day_sk(day: date | str) -> str:
    return f"DAY#{day if isinstance(day, str) else day.isoformat()}"


def count_day(tx: Tx, office_id: str, day: date | str, now: datetime, *, waiting: int = 0,
              remote_claimed: int = 0, only_if_no_visitor: bool = False) -> None:
    """Add to an office's day load inside `tx`. With `only_if_no_visitor` the transaction fails
    (label `visitors`) when someone is waiting in person: remote work must not jump that queue."""
    actions = [OfficeDayLoadItem.ttl.set(now + timedelta(days=KEEP_DAYS))]
    if waiting:
        actions.append(OfficeDayLoadItem.waiting.add(waiting))
    if remote_claimed:
        actions.append(OfficeDayLoadItem.remote_claimed.add(remote_claimed))
    condition = None
    if only_if_no_visitor:
        condition = OfficeDayLoadItem.waiting.does_not_exist() | (OfficeDayLoadItem.waiting <= 0)
    tx.update("visitors", OfficeDayLoadItem(office_pk(office_id), day_sk(day)), actions, condition=condition,
              versioned=False)


@unavailable_guard
def office_loads(office_ids: list[str], day: date) -> dict[str, LiveLoad]:
    """Each office's live counters of one day, in batches of 100 keys: a snapshot reads
    O(offices) items whatever the traffic. `open` is None for an office that never opened remote
    counters (its installed counters apply)."""
    loads = {o: {"open": None, "busy": 0, "waiting": 0, "remote_claimed": 0} for o in office_ids}
    for item in OfficeCounterItem.batch_get([(office_pk(o), COUNTER_SK) for o in office_ids]):
        loads[item.pk[3:]].update(open=int(item.open), busy=max(0, int(item.busy or 0)))
    for item in OfficeDayLoadItem.batch_get([(office_pk(o), day_sk(day)) for o in office_ids]):
        loads[item.pk[3:]].update(waiting=max(0, int(item.waiting or 0)),
                                  remote_claimed=int(item.remote_claimed or 0))
    return {o: LiveLoad(**counts) for o, counts in loads.items()}


@unavailable_guard
def national_queue_length() -> int:
    """Remote requests waiting in the national queue: one COUNT query per category of the
    catalogue's services (the queue's partitions)."""
    categories = {s.category for s in catalogue_store.all_services().values()}
    return sum(QueueItem.count(partition) for partition in queue_keys.national(categories))


# --- remote-work counters -------------------------------------------------------------------

def _stamp(now: datetime) -> str:
    return now.isoformat(timespec="seconds")


def _conditional_failed(exc: Exception) -> bool:
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


def take_counter(tx: Tx, office_id: str, now: datetime) -> None:
    """One more busy counter inside `tx`, only while busy < open (label `counter`)."""
    tx.update("counter", OfficeCounterItem(office_pk(office_id), COUNTER_SK),
              [OfficeCounterItem.busy.add(1), OfficeCounterItem.updated_at.set(_stamp(now))],
              condition=OfficeCounterItem.pk.exists() & (OfficeCounterItem.busy < OfficeCounterItem.open),
              versioned=False)


def free_counter(tx: Tx, office_id: str, now: datetime) -> None:
    """One busy counter fewer inside `tx`, never below zero (label `counter`)."""
    tx.update("counter", OfficeCounterItem(office_pk(office_id), COUNTER_SK),
              [OfficeCounterItem.busy.add(-1), OfficeCounterItem.updated_at.set(_stamp(now))],
              condition=OfficeCounterItem.busy > 0, versioned=False)


def _counters(item: OfficeCounterItem) -> OfficeCounters:
    return OfficeCounters(item.pk.removeprefix("OC#"), int(item.open), int(item.busy or 0),
                          datetime.fromisoformat(item.updated_at) if item.updated_at else None)


@unavailable_guard
def counter(office_id: str) -> OfficeCounters | None:
    try:
        return _counters(OfficeCounterItem.get(office_pk(office_id), COUNTER_SK, consistent_read=True))
    except DoesNotExist:
        return None


@unavailable_guard
def ensure_counter(office_id: str, open_counters: int, now: datetime) -> OfficeCounters:
    """The office's counters, created with `open_counters` open if they do not exist yet."""
    found = counter(office_id)
    if found is not None:
        return found
    item = OfficeCounterItem(office_pk(office_id), COUNTER_SK, open=open_counters, busy=0, updated_at=_stamp(now))
    try:
        item.save(condition=OfficeCounterItem.pk.does_not_exist())
    except PutError as exc:
        if not _conditional_failed(exc):
            raise
        return counter(office_id) or _counters(item)
    return _counters(item)


@unavailable_guard
def set_open(office_id: str, open_counters: int, now: datetime) -> OfficeCounters:
    """Open (or close) remote-work counters. Requests in hand stay; new claims need busy < open."""
    item = OfficeCounterItem(office_pk(office_id), COUNTER_SK)
    item.update(actions=[OfficeCounterItem.open.set(open_counters),
                         OfficeCounterItem.busy.set(OfficeCounterItem.busy | 0),
                         OfficeCounterItem.updated_at.set(_stamp(now))])
    return _counters(item)


@unavailable_guard
def counters_of(office_ids: list[str]) -> list[OfficeCounters]:
    """The remote-work counters of these offices (those that have any), consistently read in
    batches of 100 keys: O(offices), never a scan of the requests table."""
    return [_counters(item) for item in OfficeCounterItem.batch_get(
        [(office_pk(o), COUNTER_SK) for o in office_ids], consistent_read=True)]
@unavailable_guard
def correct_busy(office_id: str, seen: int, actual: int, now: datetime) -> bool:
    """Set busy to `actual` only if it is still `seen` (no claim or release since it was read)."""
    item = OfficeCounterItem(office_pk(office_id), COUNTER_SK)
    try:
        item.update(actions=[OfficeCounterItem.busy.set(actual), OfficeCounterItem.updated_at.set(_stamp(now))],
                    condition=OfficeCounterItem.busy == seen)
    except UpdateError as exc:
        if _conditional_failed(exc):
            return False
        raise
    return True


# --- the load snapshot: a head and its shards, rewritten every minute ----------------------------
#
# Why shards, and which: one item for the whole network was ~180 KB at 1,300 offices and cannot
# hold 4,700 (DynamoDB's item limit is 400 KB); every warm container reread it whole each minute,
# on one key. The shards are the offices of one province, split into hash buckets of about
# SHARD_OFFICES offices (crc32 of the office id, so an office stays in its bucket while its
# province's office count keeps the bucket count): a province's page of the office list and an
# office's own page read only their shards, and a bucket of ~100 compact lines is ~7 KB, far under
# 64 KB whatever the province (Tehran alone has ~900 offices at 4,700). Province alone would not
# bound the size; buckets alone would scatter a province's list over every shard.
#
#   network  LOAD / HEAD               day, minute, national queue, and per shard [version, previous]
#            LOAD#{province}#{k} / {v} one shard's lines, immutable: its sort key is its content's
#                                      hash, so an unchanged shard is neither rewritten nor reread
#
# The writer puts the changed shards under new keys first, then the head (one item, so it moves
# atomically from one minute to the next), then deletes the versions two heads old. A reader reads
# the head and fetches exactly the versions it names: whatever it assembles, whole or in part, is
# one minute's snapshot, never two minutes' shards mixed. A version the writer deleted meanwhile
# (a reader more than a minute behind) is missing, never wrong: the reader rereads the head.
# Each shard has its own partition key, so a synchronised refresh of many containers spreads over
# the shards' partitions; only the small head is read by all.

HEAD_PK, HEAD_SK = "LOAD", "HEAD"
SHARD_OFFICES = 100  # target offices per shard (~7 KB of lines)
_LINE = tuple(f.name for f in fields(OfficeLoad))


def shard_pk(shard: str) -> str:
    return f"LOAD#{shard}"


def _buckets(count: int) -> int:
    return max(1, math.ceil(count / SHARD_OFFICES))


def shard_of(province: str, office_id: str, buckets: int) -> str:
    return f"{province}#{zlib.crc32(office_id.encode()) % buckets}"


def _encode(lines: dict[str, OfficeLoad]) -> str:
    """A shard's lines as compact JSON: the field names once, then one array per office."""
    body = {"fields": _LINE, "lines": {o: [getattr(line, f) for f in _LINE] for o, line in sorted(lines.items())}}
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def _decode(text: str) -> dict[str, OfficeLoad]:
    body = json.loads(text)
    names = body["fields"]
    return {o: OfficeLoad(**{k: v for k, v in zip(names, values, strict=True) if k in _LINE})
            for o, values in body["lines"].items()}


def _version(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class _Head:
    day: date
    at: datetime
    queue_remote: int
    shards: dict[str, list]  # shard -> [version, previous version or None]
    buckets: dict[str, int]  # province -> its bucket count
    stamp: str  # the head item's updated_at: what the next writer's condition names

    def version(self, shard: str) -> str:
        return self.shards[shard][0]


def _read_head(consistent: bool = False) -> _Head | None:
    try:
        item = NetworkItem.get(HEAD_PK, HEAD_SK, consistent_read=consistent)
    except DoesNotExist:
        return None
    data = item.data
    return _Head(date.fromisoformat(data["day"]), datetime.fromisoformat(data["at"]), int(data.get("queue_remote", 0)),
                 data["shards"], {p: int(n) for p, n in data["buckets"].items()}, item.updated_at)


class _Held:
    """What this container holds of the snapshot: the last head read and the shards it fetched,
    each at the version it has. Lines are kept by version, so they are never stale, only old."""

    def __init__(self) -> None:
        self.head: _Head | None = None
        self.checked = -math.inf  # monotonic time of the last head read
        self.shards: dict[str, tuple[str, dict[str, OfficeLoad]]] = {}
        self.whole: LoadSnapshot | None = None  # assembled for `head`
        self.lock = threading.RLock()


_held = _Held()


def forget_snapshot() -> None:
    """Forget what this container holds (a cold container)."""
    with _held.lock:
        _held.head, _held.checked, _held.shards, _held.whole = None, -math.inf, {}, None


def _check_interval() -> float:
    # Jittered, so the containers a rush started together do not reread the head, and the shards
    # that changed, in the same second: at most the cache period, at least three quarters of it.
    return get_settings().catalogue_cache_seconds * (1 - random.random() / 4)


def _take_head(head: _Head | None) -> None:
    if head != _held.head:
        _held.whole = None
        names = set(head.shards) if head else set()
        _held.shards = {s: held for s, held in _held.shards.items() if s in names}
    _held.head = head
    _held.checked = time.monotonic()


def _fetch(wanted: Callable[[_Head], set[str]]) -> _Head | None:
    """Bring the held shards `wanted(head)` to the head's versions, reading only those whose
    version changed. A version gone (the reader fell two minutes behind) rereads the head."""
    if time.monotonic() - _held.checked >= _check_interval():
        _take_head(_read_head())
    for _attempt in range(3):
        head = _held.head
        if head is None:
            return None
        stale = sorted(s for s in wanted(head) if s in head.shards and _held.shards.get(s, ("",))[0] != head.version(s))
        if not stale:
            return head
        for item in NetworkItem.batch_get([(shard_pk(s), head.version(s)) for s in stale]):
            _held.shards[item.pk.removeprefix("LOAD#")] = (item.sk, _decode(item.text))
        if all(_held.shards.get(s, ("",))[0] == head.version(s) for s in stale):
            return head
        _take_head(_read_head(consistent=True))
    raise ServiceUnavailable()


def _snapshot(head: _Head, offices: dict[str, OfficeLoad]) -> LoadSnapshot:
    return LoadSnapshot(day=head.day, at=head.at, offices=offices, queue_remote=head.queue_remote)


@unavailable_guard
def snapshot(offices: Iterable[Office] | None = None) -> LoadSnapshot:
    """The last snapshot: whole, or with only the lines of `offices` (their shards alone are read;
    none: the head alone). A warm container rereads the head at most every cache period and then
    only the shards whose version moved."""
    with _held.lock:
        if offices is None:
            head = _fetch(lambda h: set(h.shards))
            if head is None:
                return NO_SNAPSHOT
            if _held.whole is None:
                merged: dict[str, OfficeLoad] = {}
                for shard in sorted(head.shards):
                    merged.update(_held.shards[shard][1])
                _held.whole = _snapshot(head, dict(sorted(merged.items())))
            return _held.whole
        chosen = [(o.office_id, o.province) for o in offices]

        def where(h: _Head) -> set[str]:
            return {shard_of(p, o, h.buckets[p]) for o, p in chosen if p in h.buckets}
        head = _fetch(where)
        if head is None:
            return NO_SNAPSHOT
        lines = {}
        for office_id, province in chosen:
            held = _held.shards.get(shard_of(province, office_id, head.buckets[province])) \
                if province in head.buckets else None
            line = held[1].get(office_id) if held else None
            if line is not None:
                lines[office_id] = line
        return _snapshot(head, lines)


@unavailable_guard
def save_snapshot(snapshot: LoadSnapshot, provinces: Mapping[str, str]) -> None:
    """Write the minute's snapshot: the shards whose lines changed, then the head, then delete the
    versions two heads old. O(offices) to encode, O(changed shards) to write. `provinces` names
    each office's province (the shards follow it). The head is written on the condition that it
    is still the one read: of two overlapping runs one wins, the other changes nothing readers see
    (its shard versions stay unnamed)."""
    counts = Counter(provinces[o] for o in snapshot.offices)
    buckets = {p: _buckets(n) for p, n in counts.items()}
    grouped: dict[str, dict[str, OfficeLoad]] = {}
    for office_id, line in snapshot.offices.items():
        grouped.setdefault(shard_of(provinces[office_id], office_id, buckets[provinces[office_id]]), {})[office_id] = line
    before = _read_head(consistent=True)
    kept = before.shards if before else {}
    shards, writes, drops = {}, [], []
    for shard, lines in sorted(grouped.items()):
        text = _encode(lines)
        version = _version(text)
        was = kept.get(shard)
        if was is not None and was[0] == version:
            shards[shard] = was
            continue
        shards[shard] = [version, was[0] if was else None]
        writes.append(NetworkItem(shard_pk(shard), version, text=text))
        if was is not None and was[1] not in (None, version):
            drops.append(NetworkItem(shard_pk(shard), was[1]))
    drops += [NetworkItem(shard_pk(s), v) for s, pair in kept.items() if s not in shards for v in pair if v]
    if writes:
        with NetworkItem.batch_write() as batch:
            for item in writes:
                batch.save(item)
    stamp = snapshot.at.isoformat(timespec="seconds")
    head = NetworkItem(HEAD_PK, HEAD_SK, updated_at=f"{stamp}#{uuid.uuid4().hex[:8]}", data={
        "day": snapshot.day.isoformat(), "at": stamp, "queue_remote": snapshot.queue_remote,
        "shards": shards, "buckets": buckets})
    condition = (NetworkItem.updated_at.does_not_exist() if before is None
                 else NetworkItem.updated_at == before.stamp)
    try:
        head.save(condition=condition)
    except PutError as exc:
        if _conditional_failed(exc):
            return  # another run wrote this minute's head first: its shards are the ones named
        raise
    if drops:
        with NetworkItem.batch_write() as batch:
            for item in drops:
                batch.delete(item)


# --- the national queue's length through the day (one item a day, a sample a minute) ------------

def _queue_sk(day: date) -> str:
    return f"QUEUE#{day.isoformat()}"


@unavailable_guard
def record_queue_length(sample: QueueSample) -> None:
    """Append the sample to its day's item: read, add, write back on the condition that nobody
    wrote in between (a day holds 1,440 samples at most, ~40 KB). A retried minute adds nothing."""
    day = sample.at.astimezone(calendar.TEHRAN).date()
    stamp = sample.at.isoformat(timespec="seconds")
    for _ in range(3):
        try:
            item = NetworkItem.get("LOAD", _queue_sk(day))
            seen = item.updated_at
        except DoesNotExist:
            item, seen = NetworkItem("LOAD", _queue_sk(day), data={"samples": []}), None
        samples = list(item.data.get("samples", []))
        if any(at == stamp for at, _n in samples):
            return
        samples.append([stamp, int(sample.length)])
        fresh = NetworkItem("LOAD", _queue_sk(day), data={"samples": samples},
                            updated_at=f"{stamp}#{len(samples)}")
        condition = NetworkItem.updated_at.does_not_exist() if seen is None else NetworkItem.updated_at == seen
        try:
            fresh.save(condition=condition)
            return
        except PutError as exc:
            if not _conditional_failed(exc):
                raise


@unavailable_guard
def queue_lengths(day: date) -> list[QueueSample]:
    try:
        samples = NetworkItem.get("LOAD", _queue_sk(day)).data.get("samples", [])
    except DoesNotExist:
        return []
    return sorted((QueueSample(at=datetime.fromisoformat(at), length=int(n)) for at, n in samples),
                  key=lambda s: s.at)

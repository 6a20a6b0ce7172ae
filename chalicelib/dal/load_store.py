"""Live load of the offices, read by the load snapshot and written inside the transactions that
change it (so the numbers never drift from the events they count):

  requests table  OC#{office} / COUNTERS     open remote-work counters, `busy` of them: a claim
                                             needs busy < open, a release busy > 0
                  OC#{office} / DAY#{date}   `waiting` in-person visitors, `remote_claimed` today
  network table   LOAD / SNAPSHOT            every office's load at the last minute (the router reads it)
                  LOAD / QUEUE#{date}        that day's national queue length, one sample a minute
"""
from __future__ import annotations

from dataclasses import asdict, fields
from datetime import date, datetime, timedelta

from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from chalicelib.dal import catalogue_store, queue_keys
from chalicelib.dal.db import Tx, unavailable_guard
from chalicelib.dal.models import NetworkItem, OfficeCounterItem, OfficeDayLoadItem, QueueItem
from chalicelib.domain import calendar
from chalicelib.domain.load import NO_SNAPSHOT, LiveLoad, LoadSnapshot, OfficeLoad, QueueSample
from chalicelib.domain.remote import OfficeCounters

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
    """Remote requests waiting in the national queue (one COUNT query per shard)."""
    return sum(QueueItem.count(partition) for partition in queue_keys.NATIONAL)


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


# --- the load snapshot (one item, rewritten every minute) ---------------------------------------

_LINE = {f.name for f in fields(OfficeLoad)}


def _snapshot_from(data: dict) -> LoadSnapshot:
    if not data:
        return NO_SNAPSHOT
    return LoadSnapshot(day=date.fromisoformat(data["day"]), at=datetime.fromisoformat(data["at"]),
                        offices={o: OfficeLoad(**{k: v for k, v in line.items() if k in _LINE})
                                 for o, line in data.get("offices", {}).items()},
                        queue_remote=int(data.get("queue_remote", 0)))


@unavailable_guard
def snapshot() -> LoadSnapshot:
    """The last snapshot, kept per container like the catalogue (it changes once a minute)."""
    def read():
        try:
            return _snapshot_from(NetworkItem.get("LOAD", "SNAPSHOT").data)
        except DoesNotExist:
            return NO_SNAPSHOT
    return catalogue_store.cached("load", read)


@unavailable_guard
def save_snapshot(snapshot: LoadSnapshot) -> None:
    stamp = snapshot.at.isoformat(timespec="seconds")
    data = {"day": snapshot.day.isoformat(), "at": stamp, "queue_remote": snapshot.queue_remote,
            "offices": {o: asdict(line) for o, line in snapshot.offices.items()}}
    NetworkItem("LOAD", "SNAPSHOT", data=data, updated_at=stamp).save()


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

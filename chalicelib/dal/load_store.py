"""Live load of the offices, read by the load snapshot and written inside the transactions that
change it (so the numbers never drift from the events they count):

  requests table  OC#{office} / COUNTERS     open remote-work counters, `busy` of them (request_store)
                  OC#{office} / DAY#{date}   `waiting` in-person visitors, `remote_claimed` today
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from chalicelib.dal.db import Tx, unavailable_guard
from chalicelib.dal.models import OfficeCounterItem, OfficeDayLoadItem, QueueItem
from chalicelib.domain import remote

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
def office_loads(office_ids: list[str], day: date) -> dict[str, dict]:
    """office -> {open, busy, waiting, remote_claimed} for one day, in batches of 100 keys: a
    snapshot reads O(offices) items whatever the traffic. `open` is None for an office that never
    opened remote counters (its installed counters apply)."""
    loads = {o: {"open": None, "busy": 0, "waiting": 0, "remote_claimed": 0} for o in office_ids}
    for item in OfficeCounterItem.batch_get([(office_pk(o), COUNTER_SK) for o in office_ids]):
        loads[item.pk[3:]].update(open=int(item.open), busy=max(0, int(item.busy or 0)))
    for item in OfficeDayLoadItem.batch_get([(office_pk(o), day_sk(day)) for o in office_ids]):
        loads[item.pk[3:]].update(waiting=max(0, int(item.waiting or 0)),
                                  remote_claimed=int(item.remote_claimed or 0))
    return loads


@unavailable_guard
def national_queue_length() -> int:
    """Remote requests waiting in the national queue (one COUNT query per shard)."""
    return sum(QueueItem.count(f"Q#{n}") for n in range(remote.QUEUE_SHARDS))

"""Remote requests on DynamoDB. Every change of a request is one conditional transaction, so a
request is never claimed twice, an office never holds more requests than its open counters, and
a partner delivery replayed by `webhook-id` creates one request.

Item layout (table `requests`):
  RQ#{tracking_code}          / REQUEST    the request (status, office, audit history)
  Q#{shard}                   / {deadline}#{tracking_code}   national queue, EDF, 8 shards
  QO#{office}                 / {deadline}#{tracking_code}   a citizen's preferred office's own queue
  OC#{office}                 / COUNTERS   remote-work counters: open, busy
  WH#{partner}#{webhook_id}   / SEEN       a partner delivery already processed (TTL >= 76 h)
  RL#{partner}#{minute}       / RATE       deliveries of a partner in one minute (quota)
  AS#{shard}                  / {accept_by}#{tracking_code}  assigned, to be started by accept_by
  SB#{office}                 / DAY#{date} requests the office did not accept in time
  CB#{shard}                  / {due}#{message_id}  status callbacks to partners (outbox)
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from chalicelib.dal import load_store
from chalicelib.dal.db import Tx, unavailable_guard
from chalicelib.dal.models import (
    AcceptLeaseItem,
    CallbackItem,
    InHandItem,
    OfficeCounterItem,
    OutboxItem,
    QueueItem,
    RateWindowItem,
    RemoteRequestItem,
    SlaBreachItem,
    WebhookSeenItem,
)
from chalicelib.domain import remote
from chalicelib.domain.remote import ASSIGNED, RECEIVED

REQUEST_SK, SEEN_SK, RATE_SK = "REQUEST", "SEEN", "RATE"
# The office's counters item (OC#office / COUNTERS) is part of its live load: keys in load_store.
COUNTER_SK, counter_pk = load_store.COUNTER_SK, load_store.office_pk


def request_pk(tracking_code: str) -> str:
    return f"RQ#{tracking_code}"




def in_hand_pk(office_id: str) -> str:
    return f"OH#{office_id}"


def seen_pk(partner_id: str, webhook_id: str) -> str:
    return f"WH#{partner_id}#{webhook_id}"


def _stamp(now: datetime) -> str:
    return now.isoformat(timespec="seconds")


def _audit(now: datetime, actor: str, before: str | None, after: str, **extra) -> dict:
    return {"at": _stamp(now), "actor": actor, "from": before, "to": after,
            **{k: v for k, v in extra.items() if v is not None}}


def _append_history(entry: dict):
    return RemoteRequestItem.history.set(RemoteRequestItem.history.append([entry]))


def _conditional_failed(exc: Exception) -> bool:
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


# --- requests -----------------------------------------------------------------------------

@unavailable_guard
def create(item: RemoteRequestItem, category: str, now: datetime, *, seen: WebhookSeenItem | None = None,
           messages: Sequence[OutboxItem] = ()) -> None:
    """The request, its queue entry, the citizen's SMS (and, for a partner delivery, the dedupe
    record) at once. Failing labels: request, queue, webhook (the delivery was already processed)."""
    tx = Tx()
    for message in messages:
        tx.put("outbox", message)
    tx.put("request", item, condition=RemoteRequestItem.pk.does_not_exist())
    tracking = item.pk.removeprefix("RQ#")
    tx.put("queue", QueueItem(item.queue, item.queue_sk, request_id=tracking, service_id=item.service_id,
                              category=category, partner_id=item.partner_id), condition=QueueItem.pk.does_not_exist())
    if seen is not None:
        # TTL deletes lazily: an expired record no longer counts.
        tx.put("webhook", seen, condition=WebhookSeenItem.pk.does_not_exist() | (WebhookSeenItem.ttl < now))
    tx.commit()


@unavailable_guard
def get(tracking_code: str, *, consistent: bool = True) -> RemoteRequestItem | None:
    try:
        return RemoteRequestItem.get(request_pk(tracking_code), REQUEST_SK, consistent_read=consistent)
    except DoesNotExist:
        return None


@unavailable_guard
def in_hand(office_id: str) -> list[RemoteRequestItem]:
    """The requests an office holds a counter for (its work list), read consistently."""
    codes = [i.sk for i in InHandItem.query(in_hand_pk(office_id), consistent_read=True)]
    return list(RemoteRequestItem.batch_get([(request_pk(c), REQUEST_SK) for c in codes], consistent_read=True))


@unavailable_guard
def queue_heads(partitions: list[str], per_partition: int) -> list[QueueItem]:
    """The first entries (earliest deadline) of each queue partition, consistently read."""
    found: list[QueueItem] = []
    for pk in partitions:
        found.extend(QueueItem.query(pk, limit=per_partition, consistent_read=True))
    return found


@unavailable_guard
def queued(partitions: list[str]) -> list[QueueItem]:
    found: list[QueueItem] = []
    for pk in partitions:
        found.extend(QueueItem.query(pk, consistent_read=True))
    return found


@unavailable_guard
def claim(entry: QueueItem, office_id: str, actor: str, now: datetime, accept_by: datetime,
          callback: CallbackItem | None = None, *, only_if_no_visitor: bool = False) -> None:
    """Take a queued request for an office in one transaction: the queue entry must still be
    there, the office must have a free open counter (busy < open), the request must still be
    RECEIVED. With it, the lease the SLA sweep watches, the partner's callback and the office's
    count of remote work today. The router (not an operator asking for work) also requires that
    nobody waits at the office in person. Failing labels: queue, counter, request, visitors."""
    tx = Tx(client_request_token=None)
    load_store.count_day(tx, office_id, now.date(), now, remote_claimed=1, only_if_no_visitor=only_if_no_visitor)
    tx.put("in_hand", InHandItem(in_hand_pk(office_id), entry.request_id, assigned_at=_stamp(now)))
    tx.put("lease", lease(entry.request_id, office_id, accept_by))
    if callback is not None:
        tx.put("callback", callback)
    tx.delete("queue", QueueItem(entry.pk, entry.sk), condition=QueueItem.pk.exists(), versioned=False)
    tx.update("counter", OfficeCounterItem(counter_pk(office_id), COUNTER_SK),
              [OfficeCounterItem.busy.add(1), OfficeCounterItem.updated_at.set(_stamp(now))],
              condition=OfficeCounterItem.pk.exists() & (OfficeCounterItem.busy < OfficeCounterItem.open),
              versioned=False)
    tx.update("request", RemoteRequestItem(request_pk(entry.request_id), REQUEST_SK), [
        RemoteRequestItem.status.set(ASSIGNED),
        RemoteRequestItem.office_id.set(office_id),
        RemoteRequestItem.accept_by.set(_stamp(accept_by)),
        RemoteRequestItem.updated_at.set(_stamp(now)),
        _append_history(_audit(now, actor, RECEIVED, ASSIGNED, office=office_id)),
    ], condition=RemoteRequestItem.status == RECEIVED, versioned=False)
    tx.commit()


@unavailable_guard
def transition(item: RemoteRequestItem, to: str, actor: str, now: datetime, *, release_counter: bool,
               reason: str | None = None, callback: CallbackItem | None = None,
               offer: list[dict] | None = None, rating_token: str | None = None,
               messages: Sequence[OutboxItem] = ()) -> None:
    """Move a request from the status it was read in to `to`, only if nobody moved it meanwhile,
    freeing the office's counter when the request stops holding it, and ending the acceptance
    lease when it leaves ASSIGNED. Labels: request, counter."""
    office_id = item.office_id
    tx = Tx()
    if item.status == ASSIGNED and item.accept_by:
        tx.delete("lease", AcceptLeaseItem(*_lease_key(_code(item), datetime.fromisoformat(item.accept_by))),
                  versioned=False)
    if callback is not None:
        tx.put("callback", callback)
    for message in messages:
        tx.put("outbox", message)
    actions = [RemoteRequestItem.status.set(to), RemoteRequestItem.updated_at.set(_stamp(now)),
               _append_history(_audit(now, actor, item.status, to, office=office_id, reason=reason))]
    if reason is not None:
        actions.append(RemoteRequestItem.reason.set(reason))
    if offer is not None:
        actions.append(RemoteRequestItem.in_person_offer.set(offer))
    if rating_token is not None:
        actions.append(RemoteRequestItem.rating_token.set(rating_token))
    tx.update("request", RemoteRequestItem(item.pk, REQUEST_SK), actions,
              condition=(RemoteRequestItem.status == item.status) & (RemoteRequestItem.office_id == office_id),
              versioned=False)
    if release_counter:
        tx.delete("in_hand", InHandItem(in_hand_pk(office_id), _code(item)), versioned=False)
        tx.update("counter", OfficeCounterItem(counter_pk(office_id), COUNTER_SK),
                  [OfficeCounterItem.busy.add(-1), OfficeCounterItem.updated_at.set(_stamp(now))],
                  condition=OfficeCounterItem.busy > 0, versioned=False)
    tx.commit()


def _code(item: RemoteRequestItem) -> str:
    return item.pk.removeprefix("RQ#")


@unavailable_guard
def rate(tracking_code: str, token: str, rating: dict) -> bool:
    """Record the one rating of a request, spending its one-time invitation; False when the
    invitation does not match (or was spent meanwhile)."""
    item = RemoteRequestItem(request_pk(tracking_code), REQUEST_SK)
    try:
        item.update(actions=[RemoteRequestItem.rating.set(rating), RemoteRequestItem.rating_token.remove()],
                    condition=(RemoteRequestItem.rating_token == token)
                    & RemoteRequestItem.rating.does_not_exist() & (RemoteRequestItem.status == "COMPLETED"))
    except UpdateError as exc:
        if _conditional_failed(exc):
            return False
        raise
    return True


# --- the SLA sweep ---------------------------------------------------------------------------

def _lease_key(tracking_code: str, accept_by: datetime) -> tuple[str, str]:
    return f"AS#{remote.queue_shard(tracking_code)}", f"{remote.epoch(accept_by):012d}#{tracking_code}"


def lease(tracking_code: str, office_id: str, accept_by: datetime) -> AcceptLeaseItem:
    return AcceptLeaseItem(*_lease_key(tracking_code, accept_by), request_id=tracking_code, office_id=office_id)


@unavailable_guard
def overdue_leases(now: datetime, limit: int = 100) -> list[AcceptLeaseItem]:
    upper = f"{remote.epoch(now):012d}#~"
    found: list[AcceptLeaseItem] = []
    for n in range(remote.QUEUE_SHARDS):
        found.extend(AcceptLeaseItem.query(f"AS#{n}", AcceptLeaseItem.sk < upper, limit=limit, consistent_read=True))
    return found


@unavailable_guard
def drop_lease(item: AcceptLeaseItem) -> None:
    item.delete()


@unavailable_guard
def requeue(item: RemoteRequestItem, category: str, now: datetime, callback: CallbackItem | None = None) -> None:
    """Not accepted in time: back to the national queue with its deadline, the office's counter
    freed and a breach recorded for the office, in one transaction. Labels: request, counter."""
    tracking, office_id = _code(item), item.office_id
    queue = remote.national_queue(tracking)
    tx = Tx()
    tx.delete("lease", AcceptLeaseItem(*_lease_key(tracking, datetime.fromisoformat(item.accept_by))), versioned=False)
    tx.delete("in_hand", InHandItem(in_hand_pk(office_id), tracking), versioned=False)
    tx.put("queue", QueueItem(queue, item.queue_sk, request_id=tracking, service_id=item.service_id,
                              category=category, partner_id=item.partner_id))
    tx.update("request", RemoteRequestItem(item.pk, REQUEST_SK), [
        RemoteRequestItem.status.set(RECEIVED), RemoteRequestItem.office_id.remove(),
        RemoteRequestItem.accept_by.remove(), RemoteRequestItem.queue.set(queue),
        RemoteRequestItem.updated_at.set(_stamp(now)),
        _append_history(_audit(now, "sla-sweep", ASSIGNED, RECEIVED, office=office_id, reason="not accepted in time")),
    ], condition=(RemoteRequestItem.status == ASSIGNED) & (RemoteRequestItem.office_id == office_id), versioned=False)
    tx.update("counter", OfficeCounterItem(counter_pk(office_id), COUNTER_SK),
              [OfficeCounterItem.busy.add(-1), OfficeCounterItem.updated_at.set(_stamp(now))],
              condition=OfficeCounterItem.busy > 0, versioned=False)
    tx.update("breach", SlaBreachItem(f"SB#{office_id}", f"DAY#{now.date().isoformat()}"),
              [SlaBreachItem.breaches.add(1)], versioned=False)
    if callback is not None:
        tx.put("callback", callback)
    tx.commit()


@unavailable_guard
def breaches(office_id: str, day: str) -> int:
    try:
        return int(SlaBreachItem.get(f"SB#{office_id}", f"DAY#{day}", consistent_read=True).breaches)
    except DoesNotExist:
        return 0


# --- partner callbacks (outbox) -----------------------------------------------------------------

CALLBACK_SHARDS = 4


def callback(partner_id: str, tracking_code: str, payload: dict, due: datetime, webhook_id: str) -> CallbackItem:
    shard = remote.queue_shard(tracking_code) % CALLBACK_SHARDS
    return CallbackItem(f"CB#{shard}", f"{remote.epoch(due):012d}#{webhook_id}", partner_id=partner_id,
                        request_id=tracking_code, webhook_id=webhook_id, payload=payload, attempts=0)


@unavailable_guard
def due_callbacks(now: datetime, limit: int = 100) -> list[CallbackItem]:
    upper = f"{remote.epoch(now):012d}#~"
    found: list[CallbackItem] = []
    for n in range(CALLBACK_SHARDS):
        found.extend(CallbackItem.query(f"CB#{n}", CallbackItem.sk <= upper, limit=limit, consistent_read=True))
    return found


@unavailable_guard
def pending_callbacks() -> list[CallbackItem]:
    return [c for n in range(CALLBACK_SHARDS) for c in CallbackItem.query(f"CB#{n}", consistent_read=True)]


@unavailable_guard
def callback_done(item: CallbackItem) -> None:
    item.delete()


@unavailable_guard
def callback_later(item: CallbackItem, due: datetime) -> None:
    """Move a callback to a later due time (delete + put, atomically), one more attempt counted."""
    tx = Tx()
    tx.delete("old", item, versioned=False)
    tx.put("new", CallbackItem(item.pk, f"{remote.epoch(due):012d}#{item.webhook_id}", partner_id=item.partner_id,
                               request_id=item.request_id, webhook_id=item.webhook_id, payload=item.payload,
                               attempts=int(item.attempts or 0) + 1))
    tx.commit()


# --- office counters ------------------------------------------------------------------------

@unavailable_guard
def counter(office_id: str) -> OfficeCounterItem | None:
    try:
        return OfficeCounterItem.get(counter_pk(office_id), COUNTER_SK, consistent_read=True)
    except DoesNotExist:
        return None


@unavailable_guard
def ensure_counter(office_id: str, open_counters: int, now: datetime) -> OfficeCounterItem:
    """The office's counter item, created with `open_counters` open if it does not exist yet."""
    found = counter(office_id)
    if found is not None:
        return found
    item = OfficeCounterItem(counter_pk(office_id), COUNTER_SK, open=open_counters, busy=0, updated_at=_stamp(now))
    try:
        item.save(condition=OfficeCounterItem.pk.does_not_exist())
    except PutError as exc:
        if not _conditional_failed(exc):
            raise
        return counter(office_id) or item
    return item


@unavailable_guard
def set_open(office_id: str, open_counters: int, now: datetime) -> OfficeCounterItem:
    """Open (or close) remote-work counters. Requests in hand stay; new claims need busy < open."""
    item = OfficeCounterItem(counter_pk(office_id), COUNTER_SK)
    item.update(actions=[OfficeCounterItem.open.set(open_counters),
                         OfficeCounterItem.busy.set(OfficeCounterItem.busy | 0),
                         OfficeCounterItem.updated_at.set(_stamp(now))])
    return item


@unavailable_guard
def all_counters() -> list[OfficeCounterItem]:
    return [c for c in OfficeCounterItem.scan(OfficeCounterItem.pk.startswith("OC#"), consistent_read=True)
            if c.sk == COUNTER_SK]


@unavailable_guard
def held_per_office() -> dict[str, int]:
    """Requests holding a counter (ASSIGNED or IN_PROGRESS), per office, read consistently.
    A full scan: fine for the reconciliation job at today's volume; a sparse index later."""
    held: dict[str, int] = {}
    condition = (RemoteRequestItem.sk == REQUEST_SK) & RemoteRequestItem.status.is_in(*remote.HOLDS_COUNTER)
    for item in RemoteRequestItem.scan(condition, consistent_read=True,
                                       attributes_to_get=["pk", "sk", "office_id", "status"]):
        if item.office_id:
            held[item.office_id] = held.get(item.office_id, 0) + 1
    return held


@unavailable_guard
def correct_busy(office_id: str, seen: int, actual: int, now: datetime) -> bool:
    """Set busy to `actual` only if it is still `seen` (no claim or release since it was read)."""
    item = OfficeCounterItem(counter_pk(office_id), COUNTER_SK)
    try:
        item.update(actions=[OfficeCounterItem.busy.set(actual), OfficeCounterItem.updated_at.set(_stamp(now))],
                    condition=OfficeCounterItem.busy == seen)
    except UpdateError as exc:
        if _conditional_failed(exc):
            return False
        raise
    return True


# --- partner deliveries ---------------------------------------------------------------------

def seen_item(partner_id: str, webhook_id: str, tracking_code: str, now: datetime, keep_hours: int) -> WebhookSeenItem:
    return WebhookSeenItem(seen_pk(partner_id, webhook_id), SEEN_SK, request_id=tracking_code,
                           ttl=now + timedelta(hours=keep_hours))


@unavailable_guard
def seen_request(partner_id: str, webhook_id: str, now: datetime) -> str | None:
    """The request a delivery created, if it was processed and not yet expired (TTL is lazy)."""
    try:
        item = WebhookSeenItem.get(seen_pk(partner_id, webhook_id), SEEN_SK, consistent_read=True)
    except DoesNotExist:
        return None
    if item.ttl is not None and item.ttl < now:
        return None
    return item.request_id


@unavailable_guard
def count_delivery(partner_id: str, now: datetime, quota: int) -> bool:
    """Count one delivery in the partner's current minute; False when the quota is spent."""
    minute = int(now.timestamp()) // 60
    item = RateWindowItem(f"RL#{partner_id}#{minute}", RATE_SK)
    try:
        item.update(actions=[RateWindowItem.count.add(1), RateWindowItem.ttl.set(now + timedelta(minutes=10))],
                    condition=RateWindowItem.count.does_not_exist() | (RateWindowItem.count < quota))
    except UpdateError as exc:
        if _conditional_failed(exc):
            return False
        raise
    return True

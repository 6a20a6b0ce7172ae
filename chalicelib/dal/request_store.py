"""Remote requests on DynamoDB. Every change of a request is one conditional transaction, so a
request is never claimed twice, an office never holds more requests than its open counters, and
a partner delivery replayed by `webhook-id` creates one request.

Item layout (table `requests`):
  RQ#{tracking_code}          / REQUEST    the request (status, office, audit history)
  Q#{shard}                   / {deadline}#{tracking_code}   national queue, EDF, 8 shards
  QO#{office}                 / {deadline}#{tracking_code}   a citizen's preferred office's own queue
  OH#{office}                 / {tracking_code}              the office's work list
  AS#{shard}                  / {accept_by}#{tracking_code}  assigned, to be started by accept_by
  SB#{office}                 / DAY#{date} requests the office did not accept in time
The same transactions write rows other stores own: the office's counters and day load
(load_store), the partner delivery's dedupe record (partner_store) and the SMS and partner
callbacks announcing the change (outbox_store).
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pynamodb.exceptions import DoesNotExist, UpdateError

from chalicelib.dal import load_store, outbox_store, partner_store
from chalicelib.dal.db import Tx, unavailable_guard
from chalicelib.dal.models import (
    AcceptLeaseItem,
    InHandItem,
    QueueItem,
    RemoteRequestItem,
    SlaBreachItem,
)
from chalicelib.domain import remote
from chalicelib.domain.outbox import OutboxMessage
from chalicelib.domain.partner import WebhookDelivery
from chalicelib.domain.remote import ASSIGNED, RECEIVED

REQUEST_SK = "REQUEST"


def request_pk(tracking_code: str) -> str:
    return f"RQ#{tracking_code}"


def in_hand_pk(office_id: str) -> str:
    return f"OH#{office_id}"


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
def create(item: RemoteRequestItem, category: str, now: datetime, *, delivery: WebhookDelivery | None = None,
           messages: Sequence[OutboxMessage] = ()) -> None:
    """The request, its queue entry, the citizen's SMS (and, for a partner delivery, the dedupe
    record) at once. Failing labels: request, queue, webhook (the delivery was already processed)."""
    tx = Tx()
    outbox_store.add(tx, messages)
    tx.put("request", item, condition=RemoteRequestItem.pk.does_not_exist())
    tracking = item.pk.removeprefix("RQ#")
    tx.put("queue", QueueItem(item.queue, item.queue_sk, request_id=tracking, service_id=item.service_id,
                              category=category, partner_id=item.partner_id), condition=QueueItem.pk.does_not_exist())
    if delivery is not None:
        partner_store.remember_delivery(tx, delivery, tracking, now)
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
          messages: Sequence[OutboxMessage] = (), *, only_if_no_visitor: bool = False) -> None:
    """Take a queued request for an office in one transaction: the queue entry must still be
    there, the office must have a free open counter (busy < open), the request must still be
    RECEIVED. With it, the lease the SLA sweep watches, the partner's callback and the office's
    count of remote work today. The router (not an operator asking for work) also requires that
    nobody waits at the office in person. Failing labels: queue, counter, request, visitors."""
    tx = Tx(client_request_token=None)
    load_store.count_day(tx, office_id, now.date(), now, remote_claimed=1, only_if_no_visitor=only_if_no_visitor)
    tx.put("in_hand", InHandItem(in_hand_pk(office_id), entry.request_id, assigned_at=_stamp(now)))
    tx.put("lease", lease(entry.request_id, office_id, accept_by))
    outbox_store.add(tx, messages)
    tx.delete("queue", QueueItem(entry.pk, entry.sk), condition=QueueItem.pk.exists(), versioned=False)
    load_store.take_counter(tx, office_id, now)
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
               reason: str | None = None, offer: list[dict] | None = None, rating_token: str | None = None,
               messages: Sequence[OutboxMessage] = ()) -> None:
    """Move a request from the status it was read in to `to`, only if nobody moved it meanwhile,
    freeing the office's counter when the request stops holding it, and ending the acceptance
    lease when it leaves ASSIGNED. Labels: request, counter."""
    office_id = item.office_id
    tx = Tx()
    if item.status == ASSIGNED and item.accept_by:
        tx.delete("lease", AcceptLeaseItem(*_lease_key(_code(item), datetime.fromisoformat(item.accept_by))),
                  versioned=False)
    outbox_store.add(tx, messages)
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
        load_store.free_counter(tx, office_id, now)
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
def requeue(item: RemoteRequestItem, category: str, now: datetime, messages: Sequence[OutboxMessage] = ()) -> None:
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
    load_store.free_counter(tx, office_id, now)
    tx.update("breach", SlaBreachItem(f"SB#{office_id}", f"DAY#{now.date().isoformat()}"),
              [SlaBreachItem.breaches.add(1)], versioned=False)
    outbox_store.add(tx, messages)
    tx.commit()


@unavailable_guard
def breaches(office_id: str, day: str) -> int:
    try:
        return int(SlaBreachItem.get(f"SB#{office_id}", f"DAY#{day}", consistent_read=True).breaches)
    except DoesNotExist:
        return 0


# --- counter reconciliation --------------------------------------------------------------------

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

"""Remote requests on DynamoDB. Every change of a request is one conditional transaction, so a
request is never claimed twice, an office never holds more requests than its open counters, and
a partner delivery replayed by `webhook-id` creates one request. Takes and returns the domain's
`RemoteRequest`, `QueueEntry` and `AcceptLease`.

Item layout (table `requests`):
  RQ#{tracking_code}          / REQUEST    the request (status, office, audit history)
  QC#{category}, QO#{office}  / {deadline}#{tracking_code}   the queues (dal/queue_keys.py)
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

from chalicelib.dal import accounts_store, load_store, outbox_store, partner_store, queue_keys
from chalicelib.dal.db import Tx, unavailable_guard
from chalicelib.dal.models import (
    AcceptLeaseItem,
    InHandItem,
    QueueItem,
    RemoteRequestItem,
    SlaBreachItem,
)
from chalicelib.domain import calendar
from chalicelib.domain.outbox import OutboxMessage
from chalicelib.domain.partner import WebhookDelivery
from chalicelib.domain.remote import (
    ASSIGNED,
    HOLDS_COUNTER,
    RECEIVED,
    AcceptLease,
    QueueEntry,
    RemoteRequest,
    WorkScope,
)
from chalicelib.domain.tariffs import FeeRecord

REQUEST_SK = "REQUEST"


def _request_pk(tracking_code: str) -> str:
    return f"RQ#{tracking_code}"


def _in_hand_pk(office_id: str) -> str:
    return f"OH#{office_id}"


def _stamp(now: datetime) -> str:
    return now.isoformat(timespec="seconds")


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _audit(now: datetime, actor: str, before: str | None, after: str, **extra) -> dict:
    return {"at": _stamp(now), "actor": actor, "from": before, "to": after,
            **{k: v for k, v in extra.items() if v is not None}}


def _append_history(entry: dict):
    return RemoteRequestItem.history.set(RemoteRequestItem.history.append([entry]))


def _conditional_failed(exc: Exception) -> bool:
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


# --- mapping ------------------------------------------------------------------------------------

def _request(item: RemoteRequestItem) -> RemoteRequest:
    return RemoteRequest(
        tracking_code=item.pk.removeprefix("RQ#"), service_id=item.service_id, status=item.status,
        source=item.source, citizen_key=item.citizen_key, national_id_masked=item.national_id_masked,
        mobile=item.mobile, country=item.country, time_zone=item.time_zone,
        sla_deadline=datetime.fromisoformat(item.sla_deadline), created_at=datetime.fromisoformat(item.created_at),
        updated_at=datetime.fromisoformat(item.updated_at), partner_id=item.partner_id,
        partner_ref=item.partner_ref, description=item.description, documents=list(item.documents or []),
        preferred_office_id=item.preferred_office_id, queue_office_id=queue_keys.office_of(item.queue),
        office_id=item.office_id, access_code_hash=item.access_code_hash, accept_by=_instant(item.accept_by),
        reason=item.reason, in_person_offer=item.in_person_offer, rating_token=item.rating_token,
        rating=item.rating, history=list(item.history or []),
        tariff_version=int(item.tariff_version) if item.tariff_version is not None else None,
        fee_rials=int(item.fee_rials) if item.fee_rials is not None else None)


def _request_item(request: RemoteRequest, category: str) -> RemoteRequestItem:
    tracking = request.tracking_code
    return RemoteRequestItem(
        _request_pk(tracking), REQUEST_SK, service_id=request.service_id, status=request.status,
        source=request.source, partner_id=request.partner_id, partner_ref=request.partner_ref,
        citizen_key=request.citizen_key, national_id_masked=request.national_id_masked, mobile=request.mobile,
        country=request.country, time_zone=request.time_zone, description=request.description,
        documents=list(request.documents), preferred_office_id=request.preferred_office_id,
        queue=queue_keys.queue(category, request.queue_office_id),
        queue_sk=queue_keys.sort_key(request.sla_deadline, tracking), office_id=request.office_id,
        held_by=request.office_id if request.status in HOLDS_COUNTER else None,
        access_code_hash=request.access_code_hash, sla_deadline=_stamp(request.sla_deadline),
        accept_by=_stamp(request.accept_by) if request.accept_by else None, reason=request.reason,
        in_person_offer=request.in_person_offer, rating_token=request.rating_token, rating=request.rating,
        created_at=_stamp(request.created_at), updated_at=_stamp(request.updated_at), history=list(request.history),
        tariff_version=request.tariff_version, fee_rials=request.fee_rials)


def _entry(item: QueueItem) -> QueueEntry:
    deadline = datetime.fromtimestamp(int(item.sk.split("#", 1)[0]), calendar.TEHRAN)
    return QueueEntry(item.request_id, item.service_id, item.category, deadline,
                      office_id=queue_keys.office_of(item.pk), partner_id=item.partner_id)


def _entry_item(entry: QueueEntry) -> QueueItem:
    return QueueItem(queue_keys.queue(entry.category, entry.office_id),
                     queue_keys.sort_key(entry.deadline, entry.tracking_code), request_id=entry.tracking_code,
                     service_id=entry.service_id, category=entry.category, partner_id=entry.partner_id)


def _lease_item(tracking_code: str, office_id: str, accept_by: datetime) -> AcceptLeaseItem:
    return AcceptLeaseItem(*queue_keys.lease_key(tracking_code, accept_by), request_id=tracking_code,
                           office_id=office_id)


# --- requests -----------------------------------------------------------------------------

@unavailable_guard
def create(request: RemoteRequest, category: str, now: datetime, *, delivery: WebhookDelivery | None = None,
           messages: Sequence[OutboxMessage] = ()) -> None:
    """The request, its queue entry, the citizen's SMS (and, for a partner delivery, the dedupe
    record) at once. Failing labels: request, queue, webhook (the delivery was already processed)."""
    tx = Tx()
    outbox_store.add(tx, messages)
    tx.put("request", _request_item(request, category), condition=RemoteRequestItem.pk.does_not_exist())
    tx.put("queue", _entry_item(request.queue_entry(category)), condition=QueueItem.pk.does_not_exist())
    if delivery is not None:
        partner_store.remember_delivery(tx, delivery, request.tracking_code, now)
    tx.commit()


@unavailable_guard
def get(tracking_code: str, *, consistent: bool = True) -> RemoteRequest | None:
    try:
        return _request(RemoteRequestItem.get(_request_pk(tracking_code), REQUEST_SK, consistent_read=consistent))
    except DoesNotExist:
        return None


@unavailable_guard
def of_citizen(citizen_key: str, since: datetime) -> list[RemoteRequest]:
    """The citizen's requests filed since `since`, newest first (the index lags writes a moment)."""
    found = RemoteRequestItem.citizen_index.query(citizen_key, RemoteRequestItem.created_at >= _stamp(since),
                                                  scan_index_forward=False)
    return [_request(item) for item in found]


@unavailable_guard
def in_hand(office_id: str) -> list[RemoteRequest]:
    """The requests an office holds a counter for (its work list), read consistently."""
    codes = [i.sk for i in InHandItem.query(_in_hand_pk(office_id), consistent_read=True)]
    return [_request(item) for item in RemoteRequestItem.batch_get([(_request_pk(c), REQUEST_SK) for c in codes],
                                                                     consistent_read=True)]


QUEUE_PAGE = 25  # entries per read of a queue partition: ~5 KB, 2 RCU consistently read


def _admitted(partition: str, scope: WorkScope, wanted: int) -> list[QueueEntry]:
    """The first `wanted` entries of one partition the scope admits, reading on past those it
    does not (services the office withdrew or does in person only), a page at a time."""
    found = []
    for item in QueueItem.query(partition, consistent_read=True, page_size=QUEUE_PAGE):
        entry = _entry(item)
        if scope.admits(entry):
            found.append(entry)
            if len(found) == wanted:
                break
    return found


@unavailable_guard
def eligible_heads(scope: WorkScope, per_partition: int) -> list[QueueEntry]:
    """The first entries (earliest deadline) the office may take from its own queue and from the
    national queue's partitions of its categories, consistently read, earliest first. Reads one
    query per partition (more only past entries of services it excluded), however much work of
    other categories waits."""
    partitions = (queue_keys.office_queue(scope.office_id), *queue_keys.national(scope.national))
    found = [entry for partition in partitions for entry in _admitted(partition, scope, per_partition)]
    return sorted(found, key=lambda e: e.order)


@unavailable_guard
def claim(entry: QueueEntry, office_id: str, actor: str, now: datetime, accept_by: datetime,
          messages: Sequence[OutboxMessage] = (), *, only_if_no_visitor: bool = False) -> None:
    """Take a queued request for an office in one transaction: the queue entry must still be
    there, the office must have a free open counter (busy < open), the request must still be
    RECEIVED. With it, the lease the SLA sweep watches, the partner's callback and the office's
    count of remote work today. The router (not an operator asking for work) also requires that
    nobody waits at the office in person. Failing labels: queue, counter, request, visitors."""
    tracking = entry.tracking_code
    tx = Tx(client_request_token=None)
    load_store.count_day(tx, office_id, now.date(), now, remote_claimed=1, only_if_no_visitor=only_if_no_visitor)
    tx.put("in_hand", InHandItem(_in_hand_pk(office_id), tracking, assigned_at=_stamp(now)))
    tx.put("lease", _lease_item(tracking, office_id, accept_by))
    outbox_store.add(tx, messages)
    queued = _entry_item(entry)
    tx.delete("queue", QueueItem(queued.pk, queued.sk), condition=QueueItem.pk.exists(), versioned=False)
    load_store.take_counter(tx, office_id, now)
    tx.update("request", RemoteRequestItem(_request_pk(tracking), REQUEST_SK), [
        RemoteRequestItem.status.set(ASSIGNED),
        RemoteRequestItem.office_id.set(office_id),
        RemoteRequestItem.held_by.set(office_id),
        RemoteRequestItem.accept_by.set(_stamp(accept_by)),
        RemoteRequestItem.updated_at.set(_stamp(now)),
        _append_history(_audit(now, actor, RECEIVED, ASSIGNED, office=office_id)),
    ], condition=RemoteRequestItem.status == RECEIVED, versioned=False)
    tx.commit()


@unavailable_guard
def transition(request: RemoteRequest, to: str, actor: str, now: datetime, *, release_counter: bool,
               reason: str | None = None, offer: list[dict] | None = None, rating_token: str | None = None,
               messages: Sequence[OutboxMessage] = (), fee: FeeRecord | None = None) -> None:
    """Move a request from the status it was read in to `to`, only if nobody moved it meanwhile,
    freeing the office's counter when the request stops holding it, and ending the acceptance
    lease when it leaves ASSIGNED; a completion writes its `fee` in the same transaction.
    Labels: request, counter, fee."""
    office_id, tracking = request.office_id, request.tracking_code
    tx = Tx()
    if request.status == ASSIGNED and request.accept_by:
        lease = _lease_item(tracking, office_id, request.accept_by)
        tx.delete("lease", AcceptLeaseItem(lease.pk, lease.sk), versioned=False)
    outbox_store.add(tx, messages)
    actions = [RemoteRequestItem.status.set(to), RemoteRequestItem.updated_at.set(_stamp(now)),
               _append_history(_audit(now, actor, request.status, to, office=office_id, reason=reason))]
    if to not in HOLDS_COUNTER:
        actions.append(RemoteRequestItem.held_by.remove())
    if reason is not None:
        actions.append(RemoteRequestItem.reason.set(reason))
    if offer is not None:
        actions.append(RemoteRequestItem.in_person_offer.set(offer))
    if rating_token is not None:
        actions.append(RemoteRequestItem.rating_token.set(rating_token))
    tx.update("request", RemoteRequestItem(_request_pk(tracking), REQUEST_SK), actions,
              condition=(RemoteRequestItem.status == request.status) & (RemoteRequestItem.office_id == office_id),
              versioned=False)
    if release_counter:
        tx.delete("in_hand", InHandItem(_in_hand_pk(office_id), tracking), versioned=False)
        load_store.free_counter(tx, office_id, now)
    if fee is not None:
        accounts_store.add_fee(tx, fee, access_code_hash=request.access_code_hash, citizen_key=request.citizen_key)
    tx.commit()


@unavailable_guard
def rate(tracking_code: str, token: str, rating: dict) -> bool:
    """Record the one rating of a request, spending its one-time invitation; False when the
    invitation does not match (or was spent meanwhile)."""
    item = RemoteRequestItem(_request_pk(tracking_code), REQUEST_SK)
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

@unavailable_guard
def overdue_leases(now: datetime, limit: int = 100) -> list[AcceptLease]:
    upper = f"{int(now.timestamp()):012d}#~"
    return [AcceptLease(item.request_id, item.office_id,
                        datetime.fromtimestamp(int(item.sk.split("#", 1)[0]), calendar.TEHRAN))
            for n in range(queue_keys.LEASE_SHARDS)
            for item in AcceptLeaseItem.query(f"AS#{n}", AcceptLeaseItem.sk < upper, limit=limit,
                                              consistent_read=True)]


@unavailable_guard
def drop_lease(lease: AcceptLease) -> None:
    _lease_item(lease.tracking_code, lease.office_id, lease.accept_by).delete()


@unavailable_guard
def requeue(request: RemoteRequest, category: str, now: datetime, messages: Sequence[OutboxMessage] = ()) -> None:
    """Not accepted in time: back to the national queue with its deadline, the office's counter
    freed and a breach recorded for the office, in one transaction. Labels: request, counter."""
    tracking, office_id = request.tracking_code, request.office_id
    back = _entry_item(QueueEntry(tracking, request.service_id, category, request.sla_deadline,
                                  partner_id=request.partner_id))
    lease = _lease_item(tracking, office_id, request.accept_by)
    tx = Tx()
    tx.delete("lease", AcceptLeaseItem(lease.pk, lease.sk), versioned=False)
    tx.delete("in_hand", InHandItem(_in_hand_pk(office_id), tracking), versioned=False)
    tx.put("queue", back)
    tx.update("request", RemoteRequestItem(_request_pk(tracking), REQUEST_SK), [
        RemoteRequestItem.status.set(RECEIVED), RemoteRequestItem.office_id.remove(),
        RemoteRequestItem.held_by.remove(),
        RemoteRequestItem.accept_by.remove(), RemoteRequestItem.queue.set(back.pk),
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
    """Requests holding a counter (ASSIGNED or IN_PROGRESS), per office: a scan of the sparse
    `held-requests` index, which holds live work only, so the read is O(requests in hand) however
    many have finished. The index is eventually consistent: the caller trusts it only for offices
    whose counters have not changed for a while (every change of `held_by` changes the counter)."""
    held: dict[str, int] = {}
    for item in RemoteRequestItem.held_index.scan():
        held[item.held_by] = held.get(item.held_by, 0) + 1
    return held

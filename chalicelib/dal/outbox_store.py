"""The outbox (table `outbox`): SMS to citizens and status callbacks to partners, one due-time
queue for both. A message is written in the same transaction as the change it announces
(`add`), read when due, and CLAIMED before it is sent: the claim is a conditional write of a
lease (`leased_until`, `lease_id`) that succeeds only when no other run holds a live lease, so
two overlapping or retried delivery runs never send the same message twice. A run that dies
while holding a lease leaves the message to be claimed again once the lease has expired.

Item layout:  OB#{kind}#{shard} / {due epoch ms:015d}#{message_id}
              DL#{kind}         / {given up epoch ms:015d}#{message_id}  (dead letters, kept 30 days)
Each kind has its own partitions (sharded so no partition is hot), so a delivery run reads
only the kinds it sends."""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from itertools import islice

from pynamodb.exceptions import DeleteError, UpdateError

from chalicelib.dal.db import Shape, Tx, TxConditionFailed, TxConflict, unavailable_guard
from chalicelib.dal.models import OutboxItem
from chalicelib.domain import calendar
from chalicelib.domain.outbox import (
    CALLBACK,
    DEAD_LETTER_DAYS,
    KINDS,
    SMS,
    DeadLetter,
    OutboxMessage,
    PartnerCallback,
    Sms,
)

SHARDS = {SMS: 8, CALLBACK: 4}


def _partition(message: OutboxMessage) -> str:
    # A booking's (or a request's) messages share a partition, so they come back in due order.
    thread = message.thread.encode()
    return f"OB#{message.kind}#{int(hashlib.sha256(thread).hexdigest(), 16) % SHARDS[message.kind]}"


def _epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _due_key(due: datetime, message_id: str) -> str:
    return f"{_epoch_ms(due):015d}#{message_id}"


def _values(message: OutboxMessage) -> dict:
    content = message.content
    values = {"shard": _partition(message), "due": _due_key(message.due, message.message_id), "kind": message.kind,
              "attempts": message.attempts}
    if isinstance(content, Sms):
        values.update(template=content.template, recipient=content.recipient, booking_id=content.booking_id,
                      params=dict(content.params))
    else:
        values.update(partner_id=content.partner_id, request_id=content.tracking_code, webhook_id=content.webhook_id,
                      payload=dict(content.payload))
    return values


def _item(message: OutboxMessage) -> OutboxItem:
    return OutboxItem(**_values(message))


MESSAGES = Shape(OutboxItem)  # messages put in another store's transaction, built without a model


def _message(item: OutboxItem) -> OutboxMessage:
    epoch_ms, message_id = item.due.split("#", 1)
    due = datetime.fromtimestamp(int(epoch_ms) / 1000, calendar.TEHRAN)
    if item.kind == SMS:
        content: Sms | PartnerCallback = Sms(item.template, item.recipient, item.booking_id, item.params or {})
    else:
        content = PartnerCallback(item.partner_id, item.request_id, item.webhook_id, item.payload or {})
    return OutboxMessage(message_id, due, content, int(item.attempts or 0), lease=item.lease_id)


def _key(message: OutboxMessage) -> OutboxItem:
    return OutboxItem(_partition(message), _due_key(message.due, message.message_id))


def _conditional_failed(exc: Exception) -> bool:
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


# --- writing ------------------------------------------------------------------------------------

def add(tx: Tx, messages: Iterable[OutboxMessage]) -> None:
    """Put messages into a transaction of another store: sent only if that change commits."""
    for message in messages:
        tx.put_item("outbox", MESSAGES, MESSAGES.item(**_values(message)))


@unavailable_guard
def put(messages: Iterable[OutboxMessage]) -> None:
    """Queue messages on their own (no change to announce with them)."""
    for message in messages:
        _item(message).save()


# --- delivering ---------------------------------------------------------------------------------

@unavailable_guard
def due(kind: str, now: datetime, limit: int = 100) -> list[OutboxMessage]:
    """Messages of `kind` due at `now` that no run holds (never leased, or the lease expired),
    earliest first, at most `limit` per partition: the first of `due_pages`."""
    return next(due_pages(kind, now, limit), [])


def due_pages(kind: str, now: datetime, page: int = 100) -> Iterator[list[OutboxMessage]]:
    """The messages of `kind` due at `now` that no run holds, a page at a time: each page has up
    to `page` from every partition, read on from where that partition's last page ended (so a
    backlog is read once, however deep, and messages leased by another run are read past), earliest
    first within the page. Pages are read as they are asked for; a message claimed meanwhile may
    still be in one (its claim then fails), never one held when its partition's page was read."""
    upper = f"{_epoch_ms(now):015d}#~"
    free = OutboxItem.leased_until.does_not_exist() | (OutboxItem.leased_until < _epoch_ms(now))
    shards = [_guarded_iter(OutboxItem.query(f"OB#{kind}#{n}", OutboxItem.due <= upper, filter_condition=free,
                                             page_size=page, consistent_read=True))
              for n in range(SHARDS[kind])]
    while shards:
        found, open_shards = [], []
        for shard in shards:
            taken = list(islice(shard, page))
            found += taken
            if len(taken) == page:
                open_shards.append(shard)
        shards = open_shards
        if found:
            yield sorted(found, key=lambda m: (m.due, m.message_id))


def _guarded_iter(items) -> Iterator[OutboxMessage]:
    """The query's items as messages, each page fetched when needed (a database outage mid-way
    is a ServiceUnavailable, as for any read)."""
    fetch = unavailable_guard(lambda: next(items, None))
    while (item := fetch()) is not None:
        yield _message(item)


@unavailable_guard
def claim(message: OutboxMessage, now: datetime, lease_seconds: float) -> OutboxMessage | None:
    """Lease the message for `lease_seconds`, only if it is still queued and no other run holds
    a live lease on it; the leased message, or None when another run has it (or finished it)."""
    token = secrets.token_hex(8)
    item = _key(message)
    try:
        item.update(actions=[OutboxItem.leased_until.set(_epoch_ms(now) + int(lease_seconds * 1000)),
                             OutboxItem.lease_id.set(token)],
                    condition=OutboxItem.shard.exists() & (
                        OutboxItem.leased_until.does_not_exist() | (OutboxItem.leased_until < _epoch_ms(now))))
    except UpdateError as exc:
        if _conditional_failed(exc):
            return None
        raise
    return message.claimed(token)


@unavailable_guard
def done(message: OutboxMessage) -> bool:
    """Remove a message its run has finished (sent, dropped, given up); False when the run's
    lease was lost meanwhile (it expired and another run claimed the message)."""
    try:
        _key(message).delete(condition=OutboxItem.lease_id == message.lease)
    except DeleteError as exc:
        if _conditional_failed(exc):
            return False
        raise
    return True


@unavailable_guard
def retry_later(message: OutboxMessage, due_at: datetime) -> bool:
    """Move a failed message to `due_at`, one more attempt counted, lease released (delete +
    put, atomically); False when the run's lease was lost meanwhile."""
    return _replace_leased(message, message.lease,
                           _item(OutboxMessage(message.message_id, due_at, message.content, message.attempts + 1)))


@unavailable_guard
def bury(dead: DeadLetter, lease: str | None) -> bool:
    """Finish a claimed message as a dead letter (delete + put, atomically); False when the run's
    lease was lost meanwhile."""
    message = dead.message
    item = _item(message)
    item.shard, item.due = f"DL#{message.kind}", _due_key(dead.dead_at, message.message_id)
    item.reason, item.code, item.dead_at = dead.reason, dead.code, dead.dead_at.isoformat(timespec="seconds")
    item.ttl = dead.dead_at + timedelta(days=DEAD_LETTER_DAYS)
    return _replace_leased(message, lease, item)


def _replace_leased(message: OutboxMessage, lease: str | None, new: OutboxItem) -> bool:
    """Delete the claimed message and put `new` in one transaction, only while this run's lease
    holds (the key changes with the due time, so it cannot be an update); False when it was lost."""
    tx = Tx()
    tx.delete("old", _key(message), condition=OutboxItem.lease_id == lease)
    tx.put("new", new)
    try:
        tx.commit()
    except (TxConditionFailed, TxConflict):
        return False
    return True


@unavailable_guard
def dead_letters(kind: str, limit: int = 100) -> list[DeadLetter]:
    """The latest dead letters of `kind`, newest first."""
    found = []
    for item in OutboxItem.query(f"DL#{kind}", scan_index_forward=False, limit=limit, consistent_read=True):
        found.append(DeadLetter(_message(item), item.reason or "", item.code,
                                datetime.fromisoformat(item.dead_at)))
    return found


# --- reading (operations and tests) -----------------------------------------------------------

@unavailable_guard
def pending(kind: str) -> list[OutboxMessage]:
    """Every queued message of `kind`, due or not, earliest first."""
    found = [_message(item) for n in range(SHARDS[kind])
             for item in OutboxItem.query(f"OB#{kind}#{n}", consistent_read=True)]
    return sorted(found, key=lambda m: (m.due, m.message_id))


@unavailable_guard
def leased(kind: str) -> list[OutboxMessage]:
    """Queued messages of `kind` a run has claimed (whether or not the lease is still live)."""
    return [m for m in pending(kind) if m.lease is not None]


@unavailable_guard
def pending_count() -> int:
    return sum(OutboxItem.count(f"OB#{kind}#{n}") for kind in KINDS for n in range(SHARDS[kind]))

"""The outbox: messages written in the same transaction as the change they announce, and
delivered later by a schedule. Sharded by key so no partition is hot."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from chalicelib.dal.db import Tx, unavailable_guard
from chalicelib.dal.models import OutboxItem

SHARDS = 8


def _shard(key: str) -> str:
    return f"OB#{int(hashlib.sha256(key.encode()).hexdigest(), 16) % SHARDS}"


def _due_key(due: datetime, message_id: str) -> str:
    return f"{int(due.timestamp()):012d}#{message_id}"


def sms(template: str, recipient: str, due: datetime, *, booking_id: str | None, params: dict) -> OutboxItem:
    message_id = secrets.token_hex(8)
    return OutboxItem(_shard(booking_id or message_id), _due_key(due, message_id), kind="sms", template=template,
                      booking_id=booking_id, recipient=recipient, params=params, attempts=0)


@unavailable_guard
def due_messages(now: datetime, limit: int = 100) -> list[OutboxItem]:
    upper = f"{int(now.timestamp()):012d}#~"
    found: list[OutboxItem] = []
    for n in range(SHARDS):
        found.extend(OutboxItem.query(f"OB#{n}", OutboxItem.due <= upper, limit=limit))
    return found


@unavailable_guard
def done(item: OutboxItem) -> None:
    item.delete()


@unavailable_guard
def retry_later(item: OutboxItem, due: datetime) -> None:
    """Move a message to a later due time (delete + put, atomically)."""
    tx = Tx()
    tx.delete("old", item)
    tx.put("new", OutboxItem(item.shard, _due_key(due, item.due.split("#", 1)[1]), kind=item.kind,
                             template=item.template, booking_id=item.booking_id, recipient=item.recipient,
                             params=item.params, attempts=int(item.attempts or 0) + 1))
    tx.commit()


@unavailable_guard
def pending_count() -> int:
    return sum(OutboxItem.count(f"OB#{n}") for n in range(SHARDS))

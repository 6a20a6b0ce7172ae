"""No-show appeals on DynamoDB, in the bookings table (an accepted appeal changes the booking and
lifts the citizen's block in the same transaction as the decision).

Item layout (table `bookings`):
  AP#{appeal_id} / APPEAL                          the appeal, its decision and audit trail
  APQ            / {office}#{filed_at}#{appeal_id} a pending appeal (the offices' and the association's lists)
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pynamodb.exceptions import DoesNotExist

from chalicelib.dal import outbox_store
from chalicelib.dal.booking_store import add_excuse
from chalicelib.dal.db import Tx, unavailable_guard
from chalicelib.dal.models import AppealItem, PendingAppealItem
from chalicelib.domain.appeals import PENDING, Appeal, Decision
from chalicelib.domain.booking import Booking
from chalicelib.domain.outbox import OutboxMessage

PENDING_PK = "APQ"


def _pk(appeal_id: str) -> str:
    return f"AP#{appeal_id}"


def _pending_sk(appeal: Appeal) -> str:
    return f"{appeal.office_id}#{appeal.filed_at.isoformat()}#{appeal.appeal_id}"


def _entry(at: datetime, actor: str, before: str | None, to: str, reason: str | None) -> dict:
    return {"at": at.isoformat(timespec="seconds"), "actor": actor, "from": before, "to": to, "reason": reason}


def _appeal_from(item: AppealItem) -> Appeal:
    decision = None
    if item.decided_at:
        decision = Decision(datetime.fromisoformat(item.decided_at), item.decided_by, item.status,
                            item.decision_reason)
    return Appeal(item.pk.removeprefix("AP#"), item.booking_id, item.office_id, item.citizen_key, item.mobile,
                  item.reason, datetime.fromisoformat(item.filed_at), datetime.fromisoformat(item.no_show_at),
                  item.status, decision)


@unavailable_guard
def file(appeal: Appeal, messages: Iterable[OutboxMessage]) -> None:
    """Write a new appeal (PENDING) and its place in the pending list, with `messages`.
    Label: duplicate (the booking was appealed already)."""
    tx = Tx()
    tx.put("duplicate", AppealItem(_pk(appeal.appeal_id), "APPEAL", booking_id=appeal.booking_id,
                                   office_id=appeal.office_id, citizen_key=appeal.citizen_key, mobile=appeal.mobile,
                                   reason=appeal.reason, status=PENDING, filed_at=appeal.filed_at.isoformat(),
                                   no_show_at=appeal.no_show_at.isoformat(),
                                   history=[_entry(appeal.filed_at, "citizen", None, PENDING, appeal.reason)]),
           condition=AppealItem.pk.does_not_exist())
    tx.put("pending", PendingAppealItem(PENDING_PK, _pending_sk(appeal)))
    outbox_store.add(tx, messages)
    tx.commit()


@unavailable_guard
def get(appeal_id: str) -> Appeal | None:
    try:
        return _appeal_from(AppealItem.get(_pk(appeal_id), "APPEAL", consistent_read=True))
    except DoesNotExist:
        return None


@unavailable_guard
def history(appeal_id: str) -> list[dict]:
    """The appeal's audit trail: [{at, actor, from, to, reason}]."""
    try:
        return list(AppealItem.get(_pk(appeal_id), "APPEAL", consistent_read=True).history or [])
    except DoesNotExist:
        return []


@unavailable_guard
def pending(office_id: str | None = None) -> list[Appeal]:
    """Pending appeals (of one office, or all), oldest first within an office."""
    condition = PendingAppealItem.sk.startswith(f"{office_id}#") if office_id else None
    ids = [i.sk.rsplit("#", 1)[1] for i in PendingAppealItem.query(PENDING_PK, condition, consistent_read=True)]
    found = {i.pk: _appeal_from(i) for i in AppealItem.batch_get([(_pk(a), "APPEAL") for a in ids])} if ids else {}
    return sorted((a for a in found.values() if a.status == PENDING), key=lambda a: (a.filed_at, a.appeal_id))


@unavailable_guard
def decide(appeal: Appeal, decision: Decision, messages: Iterable[OutboxMessage], *,
           excuse: tuple[Booking, Booking] | None = None, lift_block: bool = False) -> Appeal:
    """Record the decision on a PENDING appeal (its audit line with it) and take it off the pending
    list; an acceptance also writes `excuse` (the no-show as read, and EXCUSED) and, with
    `lift_block`, deletes the block that no-show set. Labels: appeal (decided already), booking, block."""
    tx = Tx()
    line = _entry(decision.at, decision.actor, PENDING, decision.to, decision.reason)
    actions = [AppealItem.status.set(decision.to),
               AppealItem.decided_at.set(decision.at.isoformat(timespec="seconds")),
               AppealItem.decided_by.set(decision.actor), AppealItem.history.set(AppealItem.history.append([line]))]
    if decision.reason:
        actions.append(AppealItem.decision_reason.set(decision.reason))
    tx.update("appeal", AppealItem(_pk(appeal.appeal_id), "APPEAL"), actions, condition=AppealItem.status == PENDING)
    tx.delete("pending", PendingAppealItem(PENDING_PK, _pending_sk(appeal)))
    if excuse is not None:
        add_excuse(tx, *excuse, lift_block=lift_block)
    outbox_store.add(tx, messages)
    tx.commit()
    return appeal.decided(decision)

"""Bookings on DynamoDB: every change is one TransactWriteItems, so a slot can never be
double-booked and nothing is ever half-written.

Item layout (table `bookings`):
  OD#{office}#{day} / SEAT#{HH:MM}#{k}   one counter in one grid cell (HELD until expiry, or BOOKED)
  OD#{office}#{day} / COUNT               live bookings of the office day
  BK#{booking_id}   / BOOKING             the booking (GSIs: office-day list, citizen list)
  HD#{hold_id}      / HOLD                a short hold while the citizen fills the form
  CZ#{citizen}      / DAY#{day}           live bookings of the citizen that day (cap)
  CZ#{citizen}      / DAY#{day}#SVC#{s}   one live booking per citizen, day and service
  CZ#{citizen}      / BLOCK               no new bookings before blocked_until (after a no-show)
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pynamodb.exceptions import DoesNotExist

from chalicelib.dal import load_store, outbox_store
from chalicelib.dal.db import Tx, unavailable_guard
from chalicelib.dal.models import (
    BookingItem,
    CitizenBlockItem,
    CitizenDayItem,
    CitizenGuardItem,
    HoldItem,
    OfficeDayItem,
    SeatItem,
)
from chalicelib.domain.booking import BOOKED, CANCELLED, NO_SHOW, BookingDraft, visitors_delta
from chalicelib.domain.outbox import OutboxMessage

HELD = "HELD"


def office_day_pk(office_id: str, day: date | str) -> str:
    return f"OD#{office_id}#{day if isinstance(day, str) else day.isoformat()}"


def seat_sk(cell: str, counter: int) -> str:
    return f"SEAT#{cell}#{counter}"


def citizen_pk(citizen_key: str) -> str:
    return f"CZ#{citizen_key}"


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


@dataclass(frozen=True)
class Hold:
    hold_id: str
    office_id: str
    service_id: str
    day: str
    start: str
    cells: tuple[str, ...]
    counter: int
    expires_at: int


@dataclass(frozen=True)
class Move:
    """Where a rescheduled booking goes."""
    day: date
    start: datetime
    cells: tuple[str, ...]
    counter: int


def _free_seat(now: int):
    # Free = no item, or a hold that has expired (TTL deletes lazily, so expiry is checked here).
    return SeatItem.pk.does_not_exist() | ((SeatItem.status == HELD) & (SeatItem.expires_at < now))


def _seat(pk: str, cell: str, counter: int, **attrs) -> SeatItem:
    return SeatItem(pk, seat_sk(cell, counter), **attrs)


@unavailable_guard
def taken_seats(office_id: str, day: date, now: datetime, *, consistent: bool = False) -> dict[str, set[int]]:
    """Cell -> counters in use (booked, or held and not yet expired)."""
    taken: dict[str, set[int]] = {}
    cutoff = _epoch(now)
    for seat in SeatItem.query(office_day_pk(office_id, day), SeatItem.sk.startswith("SEAT#"), consistent_read=consistent):
        if seat.status == HELD and (seat.expires_at or 0) < cutoff:
            continue
        _, cell, counter = seat.sk.split("#")
        taken.setdefault(cell, set()).add(int(counter))
    return taken


@unavailable_guard
def create_hold(hold: Hold, now: datetime) -> None:
    tx = Tx()
    pk = office_day_pk(hold.office_id, hold.day)
    for cell in hold.cells:
        seat = _seat(pk, cell, hold.counter, status=HELD, hold_id=hold.hold_id, expires_at=hold.expires_at,
                     ttl=datetime.fromtimestamp(hold.expires_at + 3600).astimezone())
        tx.put("seat", seat, condition=_free_seat(_epoch(now)))
    tx.put("hold", HoldItem(f"HD#{hold.hold_id}", "HOLD", office_id=hold.office_id, service_id=hold.service_id,
                            day=hold.day, start=hold.start, cells=list(hold.cells), counter=hold.counter,
                            expires_at=hold.expires_at,
                            ttl=datetime.fromtimestamp(hold.expires_at + 3600).astimezone()),
           condition=HoldItem.pk.does_not_exist())
    tx.commit()


@unavailable_guard
def get_hold(hold_id: str) -> Hold | None:
    try:
        item = HoldItem.get(f"HD#{hold_id}", "HOLD", consistent_read=True)
    except DoesNotExist:
        return None
    return Hold(hold_id, item.office_id, item.service_id, item.day, item.start, tuple(item.cells), int(item.counter),
                int(item.expires_at))


def _claim_citizen_day(tx: Tx, citizen: str, day: str, service_id: str, booking_id: str, cap: int) -> None:
    pk = citizen_pk(citizen)
    tx.update("cap", CitizenDayItem(pk, f"DAY#{day}"), [CitizenDayItem.active.add(1)],
              condition=CitizenDayItem.active.does_not_exist() | (CitizenDayItem.active < cap))
    tx.put("duplicate", CitizenGuardItem(pk, f"DAY#{day}#SVC#{service_id}", booking_id=booking_id),
           condition=CitizenGuardItem.pk.does_not_exist())


def _release_citizen_day(tx: Tx, citizen: str, day: str, service_id: str, booking_id: str) -> None:
    pk = citizen_pk(citizen)
    tx.update("cap", CitizenDayItem(pk, f"DAY#{day}"), [CitizenDayItem.active.add(-1)])
    tx.delete("duplicate", CitizenGuardItem(pk, f"DAY#{day}#SVC#{service_id}"),
              condition=CitizenGuardItem.booking_id == booking_id)


@unavailable_guard
def book(draft: BookingDraft, now: datetime, *, max_per_day: int, hold_id: str | None,
         messages: list[OutboxMessage], client_token: str | None = None) -> BookingItem:
    """Write a booking, its seats, counters, guards and its SMS in one transaction.
    Failing labels: seat, hold, cap, duplicate, blocked."""
    stamp = now.isoformat(timespec="seconds")
    day = draft.day.isoformat()
    pk = office_day_pk(draft.office_id, day)
    tx = Tx(client_token)
    now_s = _epoch(now)
    for cell in draft.cells:
        seat = _seat(pk, cell, draft.counter, status=BOOKED, booking_id=draft.booking_id)
        if hold_id:
            tx.put("hold", seat, condition=(SeatItem.status == HELD) & (SeatItem.hold_id == hold_id)
                   & (SeatItem.expires_at >= now_s))
        else:
            tx.put("seat", seat, condition=_free_seat(now_s))
    if hold_id:
        tx.delete("hold", HoldItem(f"HD#{hold_id}", "HOLD"), condition=HoldItem.expires_at >= now_s)
    tx.update("office_day", OfficeDayItem(pk, "COUNT"), [OfficeDayItem.booked.add(1)])
    _claim_citizen_day(tx, draft.citizen_key, day, draft.service_id, draft.booking_id, max_per_day)
    tx.check("blocked", CitizenBlockItem, citizen_pk(draft.citizen_key), "BLOCK",
             CitizenBlockItem.pk.does_not_exist() | (CitizenBlockItem.blocked_until < now_s))
    item = BookingItem(
        f"BK#{draft.booking_id}", "BOOKING", office_id=draft.office_id, service_id=draft.service_id, day=day,
        start=draft.start.isoformat(), cells=list(draft.cells), counter=draft.counter, status=BOOKED,
        citizen_key=draft.citizen_key, national_id_masked=draft.national_id_masked, mobile=draft.mobile,
        name=draft.name, access_code_hash=draft.access_code_hash, created_at=stamp, updated_at=stamp,
        history=[{"at": stamp, "actor": "citizen", "from": None, "to": BOOKED}],
        gsi1pk=pk, gsi1sk=f"{draft.cells[0]}#{draft.booking_id}",
        gsi2pk=citizen_pk(draft.citizen_key), gsi2sk=draft.start.isoformat(),
    )
    tx.put("booking", item, condition=BookingItem.pk.does_not_exist())
    outbox_store.add(tx, messages)
    tx.commit()
    return item


@unavailable_guard
def get_booking(booking_id: str, *, consistent: bool = True) -> BookingItem | None:
    try:
        return BookingItem.get(f"BK#{booking_id}", "BOOKING", consistent_read=consistent)
    except DoesNotExist:
        return None


def _audit(item: BookingItem, actor: str, to: str, now: datetime, **extra) -> list:
    entry = {"at": now.isoformat(timespec="seconds"), "actor": actor, "from": item.status, "to": to, **extra}
    return [*(item.history or []), entry]


def _release_seats(tx: Tx, item: BookingItem, keep: set[str] = frozenset()) -> None:
    pk = office_day_pk(item.office_id, item.day)
    for cell in item.cells:
        sk = seat_sk(cell, int(item.counter))
        if sk not in keep:
            tx.delete("seat_release", SeatItem(pk, sk), condition=SeatItem.booking_id == item.booking_id_value)


@unavailable_guard
def cancel(item: BookingItem, now: datetime, actor: str, messages: list[OutboxMessage]) -> None:
    """Cancel: free the seats and the citizen's day, in one transaction guarded by the version."""
    tx = Tx()
    tx.update("booking", item, [BookingItem.status.set(CANCELLED), BookingItem.updated_at.set(now.isoformat()),
                                 BookingItem.history.set(_audit(item, actor, CANCELLED, now))],
              condition=BookingItem.status == BOOKED)
    _release_seats(tx, item)
    tx.update("office_day", OfficeDayItem(office_day_pk(item.office_id, item.day), "COUNT"),
              [OfficeDayItem.booked.add(-1)])
    _release_citizen_day(tx, item.citizen_key, item.day, item.service_id, item.booking_id_value)
    outbox_store.add(tx, messages)
    tx.commit()


@unavailable_guard
def reschedule(item: BookingItem, move: Move, now: datetime, *, max_per_day: int, messages: list[OutboxMessage]) -> None:
    """Move a booking to another slot of the same office atomically: release the old seats,
    claim the new ones, and move the day counters when the day changes."""
    tx = Tx()
    old_pk = office_day_pk(item.office_id, item.day)
    new_day = move.day.isoformat()
    new_pk = office_day_pk(item.office_id, new_day)
    old_keys = {(old_pk, seat_sk(c, int(item.counter))) for c in item.cells}
    new_keys = {(new_pk, seat_sk(c, move.counter)) for c in move.cells}
    # DynamoDB allows one action per item in a transaction: seats in both sets stay as they are.
    shared = old_keys & new_keys
    _release_seats(tx, item, keep={sk for pk, sk in shared})
    now_s = _epoch(now)
    for cell in move.cells:
        if (new_pk, seat_sk(cell, move.counter)) in shared:
            continue
        tx.put("seat", _seat(new_pk, cell, move.counter, status=BOOKED, booking_id=item.booking_id_value),
               condition=_free_seat(now_s))
    if new_day != item.day:
        tx.update("office_day", OfficeDayItem(old_pk, "COUNT"), [OfficeDayItem.booked.add(-1)])
        tx.update("office_day", OfficeDayItem(new_pk, "COUNT"), [OfficeDayItem.booked.add(1)])
        _release_citizen_day(tx, item.citizen_key, item.day, item.service_id, item.booking_id_value)
        _claim_citizen_day(tx, item.citizen_key, new_day, item.service_id, item.booking_id_value, max_per_day)
    tx.update("booking", item, [
        BookingItem.day.set(new_day), BookingItem.start.set(move.start.isoformat()),
        BookingItem.cells.set(list(move.cells)), BookingItem.counter.set(move.counter),
        BookingItem.gsi1pk.set(new_pk), BookingItem.gsi1sk.set(f"{move.cells[0]}#{item.booking_id_value}"),
        BookingItem.gsi2sk.set(move.start.isoformat()), BookingItem.updated_at.set(now.isoformat()),
        BookingItem.history.set(_audit(item, "citizen", BOOKED, now, moved_from=item.start)),
    ], condition=BookingItem.status == BOOKED)
    outbox_store.add(tx, messages)
    tx.commit()


@unavailable_guard
def transition(item: BookingItem, to: str, now: datetime, actor: str, *, block_until: int | None = None) -> None:
    """An operator's step on the day (check-in, complete, no-show); a no-show also blocks the citizen."""
    tx = Tx()
    tx.update("booking", item, [BookingItem.status.set(to), BookingItem.updated_at.set(now.isoformat()),
                                BookingItem.history.set(_audit(item, actor, to, now))],
              condition=BookingItem.status == item.status)
    if to == NO_SHOW and block_until is not None:
        tx.put("block", CitizenBlockItem(citizen_pk(item.citizen_key), "BLOCK", blocked_until=block_until))
    if delta := visitors_delta(item.status, to):
        load_store.count_day(tx, item.office_id, item.day, now, waiting=delta)
    tx.commit()


@unavailable_guard
def office_day_bookings(office_id: str, day: date) -> list[BookingItem]:
    return list(BookingItem.office_day_index.query(office_day_pk(office_id, day)))


@unavailable_guard
def office_day_counts(office_ids: list[str], day: date) -> dict[str, int]:
    """Live bookings per office for one day, in batches (a ranking/load run reads O(offices))."""
    keys = [(office_day_pk(o, day), "COUNT") for o in office_ids]
    counts = {o: 0 for o in office_ids}
    for item in OfficeDayItem.batch_get(keys):
        counts[item.pk.split("#")[1]] = int(item.booked or 0)
    return counts

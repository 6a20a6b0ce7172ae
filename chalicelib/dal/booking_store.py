"""Bookings on DynamoDB: every change is one TransactWriteItems, so a slot can never be
double-booked and nothing is ever half-written. A transaction writes only items of its own
seats, its own booking and its own citizen (and a channel's count while partners hold a
reserve): no item that every booking of an office-day writes, so bookings of different seats
never conflict, however many arrive together. An office-day's count of live bookings is read
from its booked seats (`office_day_counts`), not kept in an item of its own.

Item layout (table `bookings`):
  OD#{office}#{day} / SEAT#{HH:MM}#{k}   one counter in one grid cell (HELD until expiry, or BOOKED)
  OD#{office}#{day} / SHARE#{key}         seats a channel's live bookings hold that day (a partner
                                          channel; a part of the web's while partners hold a reserve)
  BK#{booking_id}   / BOOKING             the booking (GSIs: office-day list, citizen list)
  HD#{hold_id}      / HOLD                a short hold while the citizen fills the form
  CZ#{citizen}      / HOLD                the citizen's one live hold
  CZ#{citizen}      / HOLDS#{day}         holds the citizen made that day (capped: no endless renewal)
  CZ#{citizen}      / DAY#{day}           live bookings of the citizen that day, and until when their
                                          hold on that day lives (both count against the cap)
  CZ#{citizen}      / DAY#{day}#SVC#{s}   one live booking per citizen, day and service
  CZ#{citizen}      / BLOCK               no new bookings before blocked_until (after a no-show)

and in table `idempotency`, `booking#{sha256 of the key}`: the first answer of a booking made
under an Idempotency-Key, written in the booking's transaction (no round trip of its own).
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date, datetime, timedelta

from pynamodb.exceptions import DoesNotExist

from chalicelib.dal import accounts_store, load_store, outbox_store, partner_store
from chalicelib.dal.db import Expr, Shape, Tx, TxConditionFailed, unavailable_guard
from chalicelib.dal.models import (
    BookingItem,
    CitizenBlockItem,
    CitizenDayItem,
    CitizenGuardItem,
    CitizenHoldCountItem,
    CitizenHoldItem,
    HoldItem,
    IdempotencyItem,
    SeatItem,
    ShareItem,
)
from chalicelib.domain.booking import (
    BOOKED,
    CANCELLED,
    NO_SHOW,
    Booking,
    BookingDraft,
    FirstAnswer,
    Hold,
    Move,
    StatusChange,
    TakenSeats,
    visitors_delta,
)
from chalicelib.domain.calendar import TEHRAN
from chalicelib.domain.channels import ShareClaim
from chalicelib.domain.outbox import OutboxMessage
from chalicelib.domain.partner import WebhookDelivery
from chalicelib.domain.sessions import KIND as SESSION
from chalicelib.domain.sessions import SessionDetails
from chalicelib.domain.tariffs import FeeRecord

HELD = "HELD"



# A booking's new items, built without model instances (db.Shape: the request path's hottest write).
SEATS, BOOKINGS, GUARDS, ANSWERS = Shape(SeatItem), Shape(BookingItem), Shape(CitizenGuardItem), Shape(IdempotencyItem)
DAYS, BLOCKS = Shape(CitizenDayItem), Shape(CitizenBlockItem)

def office_day_pk(office_id: str, day: date | str) -> str:
    return f"OD#{office_id}#{day if isinstance(day, str) else day.isoformat()}"


def seat_sk(cell: str, counter: int) -> str:
    return f"SEAT#{cell}#{counter}"


def citizen_pk(citizen_key: str) -> str:
    return f"CZ#{citizen_key}"


def _booking_pk(booking_id: str) -> str:
    return f"BK#{booking_id}"


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


# --- items <-> domain ----------------------------------------------------------------------

def _change_out(change: StatusChange) -> dict:
    entry = {"at": change.at.isoformat(timespec="seconds"), "actor": change.actor, "from": change.from_status,
             "to": change.to_status}
    if change.moved_from is not None:
        entry["moved_from"] = change.moved_from.isoformat()
    return entry


def _change_in(entry: dict) -> StatusChange:
    moved = entry.get("moved_from")
    return StatusChange(datetime.fromisoformat(entry["at"]), entry["actor"], entry.get("from"), entry["to"],
                        datetime.fromisoformat(moved) if moved else None)


def _session_out(details: SessionDetails) -> dict:
    return {"contact": details.contact, "time_zone": details.time_zone, "ends": details.ends.isoformat(),
            "join": details.join, "note": details.note,
            "confirmed_at": details.confirmed_at.isoformat() if details.confirmed_at else None}


def _session_in(data: dict | None) -> SessionDetails | None:
    if not data:
        return None
    confirmed = data.get("confirmed_at")
    return SessionDetails(data["contact"], data["time_zone"], datetime.fromisoformat(data["ends"]), data.get("join"),
                          datetime.fromisoformat(confirmed) if confirmed else None, data.get("note"))


def booking_from(item: BookingItem) -> Booking:
    return Booking(
        item.pk.removeprefix("BK#"), item.office_id, item.service_id, date.fromisoformat(item.day),
        datetime.fromisoformat(item.start), tuple(item.cells), int(item.counter), item.status, item.citizen_key,
        item.national_id_masked, item.mobile, item.name, item.access_code_hash,
        created_at=datetime.fromisoformat(item.created_at), updated_at=datetime.fromisoformat(item.updated_at),
        history=tuple(_change_in(e) for e in item.history or ()), version=item.version,
        session=_session_in(item.session) if item.kind == SESSION else None,
        channel=item.channel or "web", share=_share_in(item.share), partner_id=item.partner_id,
        partner_ref=item.partner_ref, fingerprint=item.fingerprint,
        tariff_version=int(item.tariff_version) if item.tariff_version is not None else None,
        fee_rials=int(item.fee_rials) if item.fee_rials is not None else None)


def _share_in(stored: list[str] | None) -> tuple[tuple[str, int], ...]:
    return tuple((key, int(seats)) for key, seats in (entry.rsplit("=", 1) for entry in stored or ()))


def _share_out(share: Iterable[tuple[str, int]]) -> list[str] | None:
    return [f"{key}={seats}" for key, seats in share] or None


# --- channel counts ------------------------------------------------------------------------

def _share_sk(key: str) -> str:
    return f"SHARE#{key}"


def _take_share(tx: Tx, pk: str, claims: Iterable[ShareClaim]) -> None:
    """Each claim's seats added to its count, under its cap (label `share`)."""
    for claim in claims:
        condition = None
        if claim.cap is not None:
            if claim.seats > claim.cap:
                raise TxConditionFailed({"share"})
            condition = ShareItem.used.does_not_exist() | (ShareItem.used <= claim.cap - claim.seats)
        tx.update("share", ShareItem(pk, _share_sk(claim.key)), [ShareItem.used.add(claim.seats)], condition=condition)


def _return_share(tx: Tx, pk: str, share: Iterable[tuple[str, int]]) -> None:
    for key, seats in share:
        tx.update("share", ShareItem(pk, _share_sk(key)), [ShareItem.used.add(-seats)])


@unavailable_guard
def share_counts(office_id: str, day: date, *, consistent: bool = False) -> dict[str, int]:
    """Seats held per channel count of the office day (key -> seats; absent keys hold none)."""
    found = ShareItem.query(office_day_pk(office_id, day), ShareItem.sk.startswith("SHARE#"), consistent_read=consistent)
    return {item.sk.removeprefix("SHARE#"): int(item.used or 0) for item in found}


def _current(booking: Booking) -> BookingItem:
    """The stored booking as it was read: updates on it are conditional on its version."""
    return BookingItem(_booking_pk(booking.booking_id), "BOOKING", version=booking.version)


# --- seats and holds -----------------------------------------------------------------------

_SEAT_NAMES = {"#pk": "pk", "#status": "status", "#expires": "expires_at", "#hold": "hold_id"}


def _free_seat(now_s: int) -> Expr:
    # Free = no item, or a hold that has expired (TTL deletes lazily, so expiry is checked here).
    return Expr("attribute_not_exists(#pk) OR (#status = :held AND #expires < :now)",
                {k: _SEAT_NAMES[k] for k in ("#pk", "#status", "#expires")},
                {":held": {"S": HELD}, ":now": {"N": str(now_s)}})


def _held_seat(hold_id: str, now_s: int) -> Expr:
    """The seat is held by `hold_id`, and the hold lives."""
    return Expr("#status = :held AND #hold = :hold AND #expires >= :now",
                {k: _SEAT_NAMES[k] for k in ("#status", "#hold", "#expires")},
                {":held": {"S": HELD}, ":hold": {"S": hold_id}, ":now": {"N": str(now_s)}})


def _put_seat(tx: Tx, label: str, pk: str, cell: str, counter: int, condition: Expr, **attrs) -> None:
    tx.put_item(label, SEATS, SEATS.item(pk=pk, sk=seat_sk(cell, counter), **attrs), condition)


@unavailable_guard
def taken_seats(office_id: str, day: date, now: datetime, *, consistent: bool = False) -> TakenSeats:
    """Cell -> counters in use (booked, or held and not yet expired)."""
    taken: TakenSeats = {}
    cutoff = _epoch(now)
    for seat in SeatItem.query(office_day_pk(office_id, day), SeatItem.sk.startswith("SEAT#"), consistent_read=consistent):
        if seat.status == HELD and (seat.expires_at or 0) < cutoff:
            continue
        _, cell, counter = seat.sk.split("#")
        taken.setdefault(cell, set()).add(int(counter))
    return taken


@unavailable_guard
def create_hold(hold: Hold, now: datetime, *, max_per_day: int | None = None,
                holds_per_day: int | None = None) -> None:
    """Hold the seats of `hold` until it expires. A citizen's hold (`hold.citizen_key`) is also
    their one live hold, counts against their cap of the day while it lives, and counts in their
    holds of today. Failing labels: seat; for a citizen's hold also live_hold, cap, hold_quota, blocked."""
    tx = Tx()
    add_hold(tx, hold, now, max_per_day=max_per_day, holds_per_day=holds_per_day)
    tx.commit()


def add_hold(tx: Tx, hold: Hold, now: datetime, *, max_per_day: int | None, holds_per_day: int | None) -> None:
    """The actions of a hold, added to `tx` (the waitlist's offers are holds written with their
    waiter's place). Without `holds_per_day` a citizen's hold is not counted in their holds of today."""
    pk = office_day_pk(hold.office_id, hold.day)
    expires, now_s = _epoch(hold.expires_at), _epoch(now)
    ttl = datetime.fromtimestamp(expires + 3600).astimezone()
    for cell in hold.cells:
        _put_seat(tx, "seat", pk, cell, hold.counter, _free_seat(now_s), status=HELD, hold_id=hold.hold_id,
                  expires_at=expires, ttl=ttl)
    tx.put("hold", HoldItem(f"HD#{hold.hold_id}", "HOLD", office_id=hold.office_id, service_id=hold.service_id,
                            day=hold.day.isoformat(), start=hold.start.isoformat(), cells=list(hold.cells),
                            counter=hold.counter, expires_at=expires, citizen_key=hold.citizen_key, ttl=ttl),
           condition=HoldItem.pk.does_not_exist())
    if hold.citizen_key:
        citizen = citizen_pk(hold.citizen_key)
        tx.put("live_hold", CitizenHoldItem(citizen, "HOLD", hold_id=hold.hold_id, expires_at=expires, ttl=ttl),
               condition=CitizenHoldItem.pk.does_not_exist() | (CitizenHoldItem.expires_at < now_s))
        tx.update("cap", CitizenDayItem(citizen, f"DAY#{hold.day.isoformat()}"), [CitizenDayItem.held_until.set(expires)],
                  condition=CitizenDayItem.active.does_not_exist() | (CitizenDayItem.active < max_per_day))
        if holds_per_day is not None:
            today = now.astimezone(TEHRAN).date().isoformat()
            tx.update("hold_quota", CitizenHoldCountItem(citizen, f"HOLDS#{today}"),
                      [CitizenHoldCountItem.made.add(1), CitizenHoldCountItem.ttl.set(now + timedelta(days=2))],
                      condition=CitizenHoldCountItem.made.does_not_exist()
                      | (CitizenHoldCountItem.made < holds_per_day))
        tx.check("blocked", CitizenBlockItem, citizen, "BLOCK",
                 CitizenBlockItem.pk.does_not_exist() | (CitizenBlockItem.blocked_until < now_s))


@unavailable_guard
def get_hold(hold_id: str) -> Hold | None:
    """The hold, expired or not (the booking's transaction checks expiry)."""
    try:
        item = HoldItem.get(f"HD#{hold_id}", "HOLD", consistent_read=True)
    except DoesNotExist:
        return None
    return Hold(hold_id, item.office_id, item.service_id, date.fromisoformat(item.day),
                datetime.fromisoformat(item.start), tuple(item.cells), int(item.counter),
                datetime.fromtimestamp(int(item.expires_at), TEHRAN), item.citizen_key)


# --- bookings ------------------------------------------------------------------------------

def _claim_citizen_day(tx: Tx, citizen: str, day: str, service_id: str, booking_id: str, cap: int, now_s: int, *,
                       hold_id: str | None = None) -> None:
    """One more live booking of the citizen that day, under the cap. Booked on the citizen's own
    hold, the hold's place under the cap becomes the booking's; otherwise a live hold of theirs on
    that day takes a place too."""
    pk = citizen_pk(citizen)
    key = DAYS.key(pk, f"DAY#{day}")
    names = {"#active": "active", "#held": "held_until"}
    under_cap = "(attribute_not_exists(#active) OR #active < :cap)"
    if hold_id:
        tx.update_item("cap", DAYS, key, Expr("ADD #active :one REMOVE #held", names, {":one": {"N": "1"}}),
                       Expr(under_cap, {"#active": "active"}, {":cap": DAYS.wire("active", cap)}))
        tx.delete("hold", CitizenHoldItem(pk, "HOLD"),
                  condition=CitizenHoldItem.pk.does_not_exist() | (CitizenHoldItem.hold_id == hold_id))
    else:
        # Under the cap, and either no live hold of theirs that day or room for it beside this booking.
        room_beside_it = "#active < :beside" + (" OR attribute_not_exists(#active)" if cap > 1 else "")
        tx.update_item("cap", DAYS, key, Expr("ADD #active :one", {"#active": "active"}, {":one": {"N": "1"}}),
                       Expr(f"{under_cap} AND (attribute_not_exists(#held) OR #held < :now OR {room_beside_it})",
                            names, {":cap": DAYS.wire("active", cap), ":beside": DAYS.wire("active", cap - 1),
                                    ":now": DAYS.wire("held_until", now_s)}))
    tx.put_item("duplicate", GUARDS, GUARDS.item(pk=pk, sk=f"DAY#{day}#SVC#{service_id}", booking_id=booking_id),
                Expr("attribute_not_exists(#pk)", {"#pk": "pk"}))


def _release_citizen_day(tx: Tx, citizen: str, day: str, service_id: str, booking_id: str) -> None:
    pk = citizen_pk(citizen)
    tx.update("cap", CitizenDayItem(pk, f"DAY#{day}"), [CitizenDayItem.active.add(-1)])
    tx.delete("duplicate", CitizenGuardItem(pk, f"DAY#{day}#SVC#{service_id}"),
              condition=CitizenGuardItem.booking_id == booking_id)


# --- first answers under an Idempotency-Key -------------------------------------------------

def _answer_id(key: str) -> str:
    return "booking#" + hashlib.sha256(key.encode()).hexdigest()


def _add_answer(tx: Tx, once: FirstAnswer, now: datetime) -> None:
    """The first answer under its key, unless one lives (label once); an expired one is replaced."""
    tx.put_item("once", ANSWERS, ANSWERS.item(id=_answer_id(once.key), expiration=once.expires_at,
                                              fingerprint=once.fingerprint, answer=once.answer),
                Expr("attribute_not_exists(#id) OR #expiration < :now", {"#id": "id", "#expiration": "expiration"},
                     {":now": ANSWERS.wire("expiration", now)}))


@unavailable_guard
def first_answer(key: str, now: datetime) -> FirstAnswer | None:
    """The first answer of a booking made under `key`, while it is kept (consistent read)."""
    try:
        item = IdempotencyItem.get(_answer_id(key), consistent_read=True)
    except DoesNotExist:
        return None
    if item.fingerprint is None or item.expiration is None or _epoch(item.expiration) < _epoch(now):
        return None
    return FirstAnswer(key, item.fingerprint, item.answer, item.expiration)


@unavailable_guard
def book(draft: BookingDraft, now: datetime, *, max_per_day: int, hold_id: str | None,
         messages: Iterable[OutboxMessage], client_token: str | None = None,
         delivery: WebhookDelivery | None = None, once: FirstAnswer | None = None) -> Booking:
    """Write a booking, its seats, counters (its channel's under their caps), guards and its SMS
    in one transaction; with `delivery`, the partner delivery it answers, once; with `once`, its
    first answer under the client's Idempotency-Key.
    Failing labels: seat, hold, cap, duplicate, blocked, share, webhook, once (the key answered)."""
    booking = Booking.new(draft, now)
    day = draft.day.isoformat()
    pk = office_day_pk(draft.office_id, day)
    tx = Tx(client_token)
    now_s = _epoch(now)
    # On the citizen's own live hold, or on free seats.
    label, condition = ("hold", _held_seat(hold_id, now_s)) if hold_id else ("seat", _free_seat(now_s))
    for cell in draft.cells:
        _put_seat(tx, label, pk, cell, draft.counter, condition, status=BOOKED, booking_id=draft.booking_id)
    if hold_id:
        tx.delete("hold", HoldItem(f"HD#{hold_id}", "HOLD"), condition=HoldItem.expires_at >= now_s)
    _take_share(tx, pk, draft.share)
    _claim_citizen_day(tx, draft.citizen_key, day, draft.service_id, draft.booking_id, max_per_day, now_s,
                       hold_id=hold_id)
    tx.check_item("blocked", BLOCKS, BLOCKS.key(citizen_pk(draft.citizen_key), "BLOCK"),
                  Expr("attribute_not_exists(#pk) OR #until < :now", {"#pk": "pk", "#until": "blocked_until"},
                       {":now": BLOCKS.wire("blocked_until", now_s)}))
    stamp = booking.created_at.isoformat()
    session = draft.session is not None
    item = BOOKINGS.item(
        pk=_booking_pk(draft.booking_id), sk="BOOKING", office_id=draft.office_id, service_id=draft.service_id, day=day,
        start=draft.start.isoformat(), cells=list(draft.cells), counter=draft.counter, status=BOOKED,
        citizen_key=draft.citizen_key, national_id_masked=draft.national_id_masked, mobile=draft.mobile,
        name=draft.name, access_code_hash=draft.access_code_hash, created_at=stamp, updated_at=stamp,
        history=[_change_out(c) for c in booking.history],
        channel=None if draft.channel == "web" else draft.channel, share=_share_out(booking.share),
        partner_id=draft.partner_id, partner_ref=draft.partner_ref, fingerprint=draft.fingerprint,
        tariff_version=draft.tariff_version, fee_rials=draft.fee_rials,
        gsi1pk=pk, gsi1sk=f"{draft.cells[0]}#{draft.booking_id}",
        gsi2pk=citizen_pk(draft.citizen_key), gsi2sk=draft.start.isoformat(),
        kind=SESSION if session else None, session=_session_out(draft.session) if session else None,
    )
    tx.put_item("booking", BOOKINGS, item, Expr("attribute_not_exists(#pk) AND attribute_not_exists(#version)",
                                                {"#pk": "pk", "#version": "version"}))
    if delivery is not None:
        partner_store.remember_delivery(tx, delivery, draft.booking_id, now)
    if once is not None:
        _add_answer(tx, once, now)
    outbox_store.add(tx, messages)
    tx.commit()
    return booking


@unavailable_guard
def get_booking(booking_id: str, *, consistent: bool = True) -> Booking | None:
    try:
        return booking_from(BookingItem.get(_booking_pk(booking_id), "BOOKING", consistent_read=consistent))
    except DoesNotExist:
        return None


def _release_seats(tx: Tx, booking: Booking, keep: set[str] = frozenset()) -> None:
    pk = office_day_pk(booking.office_id, booking.day)
    for cell in booking.cells:
        sk = seat_sk(cell, booking.counter)
        if sk not in keep:
            tx.delete("seat_release", SeatItem(pk, sk), condition=SeatItem.booking_id == booking.booking_id)


def _status_written(after: Booking) -> list:
    return [BookingItem.status.set(after.status), BookingItem.updated_at.set(after.updated_at.isoformat()),
            BookingItem.history.set([_change_out(c) for c in after.history])]


@unavailable_guard
def cancel(booking: Booking, now: datetime, actor: str, messages: Iterable[OutboxMessage]) -> Booking:
    """Cancel: free the seats and the citizen's day, in one transaction guarded by the version
    read. Failing label: booking (it changed since it was read, or is no longer BOOKED)."""
    after = booking.changed(CANCELLED, actor, now)
    tx = Tx()
    tx.update("booking", _current(booking), _status_written(after), condition=BookingItem.status == BOOKED)
    _release_seats(tx, booking)
    day = booking.day.isoformat()
    _return_share(tx, office_day_pk(booking.office_id, day), booking.share)
    _release_citizen_day(tx, booking.citizen_key, day, booking.service_id, booking.booking_id)
    outbox_store.add(tx, messages)
    tx.commit()
    return after


@unavailable_guard
def reschedule(booking: Booking, move: Move, now: datetime, *, max_per_day: int,
               messages: Iterable[OutboxMessage], actor: str = "citizen") -> Booking:
    """Move a booking to another slot of the same office atomically: release the old seats,
    claim the new ones, and move the day counters when the day changes.
    Failing labels: seat, cap, duplicate, booking, share (to another day, the channel's counts
    there move with it: under their caps when `move.share` is given)."""
    after = booking.moved(move, now, actor)
    tx = Tx()
    old_day, new_day = booking.day.isoformat(), move.day.isoformat()
    old_pk, new_pk = office_day_pk(booking.office_id, old_day), office_day_pk(booking.office_id, new_day)
    old_keys = {(old_pk, seat_sk(c, booking.counter)) for c in booking.cells}
    new_keys = {(new_pk, seat_sk(c, move.counter)) for c in move.cells}
    # DynamoDB allows one action per item in a transaction: seats in both sets stay as they are.
    shared = old_keys & new_keys
    _release_seats(tx, booking, keep={sk for pk, sk in shared})
    now_s = _epoch(now)
    for cell in move.cells:
        if (new_pk, seat_sk(cell, move.counter)) in shared:
            continue
        _put_seat(tx, "seat", new_pk, cell, move.counter, _free_seat(now_s), status=BOOKED,
                  booking_id=booking.booking_id)
    if new_day != old_day:
        _return_share(tx, old_pk, booking.share)
        if move.share is None:
            _take_share(tx, new_pk, (ShareClaim(key, seats) for key, seats in booking.share))
        else:
            _take_share(tx, new_pk, move.share)
        _release_citizen_day(tx, booking.citizen_key, old_day, booking.service_id, booking.booking_id)
        _claim_citizen_day(tx, booking.citizen_key, new_day, booking.service_id, booking.booking_id, max_per_day,
                           now_s)
    tx.update("booking", _current(booking), [
        BookingItem.day.set(new_day), BookingItem.start.set(move.start.isoformat()),
        BookingItem.cells.set(list(move.cells)), BookingItem.counter.set(move.counter),
        BookingItem.gsi1pk.set(new_pk), BookingItem.gsi1sk.set(f"{move.cells[0]}#{booking.booking_id}"),
        BookingItem.gsi2sk.set(move.start.isoformat()), BookingItem.updated_at.set(after.updated_at.isoformat()),
        BookingItem.history.set([_change_out(c) for c in after.history]),
        BookingItem.share.set(_share_out(after.share)) if after.share else BookingItem.share.remove(),
    ], condition=BookingItem.status == BOOKED)
    outbox_store.add(tx, messages)
    tx.commit()
    return after


@unavailable_guard
def transition(booking: Booking, to: str, now: datetime, actor: str, *, block_until: datetime | None = None,
               session: SessionDetails | None = None, fee: FeeRecord | None = None,
               messages: Iterable[OutboxMessage] = ()) -> Booking:
    """An operator's step on the day (check-in, complete, no-show); a no-show also blocks the
    citizen until `block_until`; `session` replaces a session's details (its outcome note) in the
    same write; a completion writes its `fee` (record, receipt, totals) and `messages` in the same
    transaction. Failing labels: booking (changed since it was read), fee (already recorded)."""
    after = booking.changed(to, actor, now)
    written = _status_written(after)
    if session is not None:
        after = replace(after, session=session)
        written.append(BookingItem.session.set(_session_out(session)))
    tx = Tx()
    add_transition(tx, booking, after, now, written)
    if to == NO_SHOW and block_until is not None:
        tx.put("block", CitizenBlockItem(citizen_pk(booking.citizen_key), "BLOCK", blocked_until=_epoch(block_until),
                                         booking_id=booking.booking_id))
    if fee is not None:
        accounts_store.add_fee(tx, fee, access_code_hash=booking.access_code_hash, citizen_key=booking.citizen_key)
    outbox_store.add(tx, messages)
    tx.commit()
    return after


def add_transition(tx: Tx, booking: Booking, after: Booking, now: datetime, written: list | None = None) -> None:
    """Write `booking` -> `after` (a status step; `written`, its attributes when more than the
    status) inside `tx`, conditional on the version and state read (label booking), with the
    office's count of visitors (the front desk's transactions use it for the check-in and the
    completion of an appointment)."""
    tx.update("booking", _current(booking), written or _status_written(after),
              condition=BookingItem.status == booking.status)
    if delta := visitors_delta(booking.status, after.status):
        load_store.count_day(tx, booking.office_id, booking.day, now, waiting=delta)


def add_excuse(tx: Tx, booking: Booking, after: Booking, *, lift_block: bool) -> None:
    """The actions of an accepted appeal, added to `tx`: the no-show becomes `after` (EXCUSED) if
    unchanged since read, and the citizen's block goes if this no-show set it (labels: booking, block)."""
    tx.update("booking", _current(booking), _status_written(after), condition=BookingItem.status == booking.status)
    if lift_block:
        tx.delete("block", CitizenBlockItem(citizen_pk(booking.citizen_key), "BLOCK"),
                  condition=CitizenBlockItem.booking_id == booking.booking_id)


@unavailable_guard
def blocked_by(citizen_key: str, now: datetime) -> str | None:
    """The no-show (booking id) whose block stops the citizen's new bookings now, if any ("" for a
    block that does not name one)."""
    try:
        item = CitizenBlockItem.get(citizen_pk(citizen_key), "BLOCK", consistent_read=True)
    except DoesNotExist:
        return None
    return (item.booking_id or "") if int(item.blocked_until) >= _epoch(now) else None


@unavailable_guard
def confirm_session(booking: Booking, details: SessionDetails, now: datetime, actor: str,
                    messages: Iterable[OutboxMessage]) -> Booking:
    """The office confirms a session with its join details, and the SMS that carries them goes
    into the outbox in the same transaction. Failing label: booking (changed since it was read,
    or no longer BOOKED)."""
    after = booking.with_session(details, actor, now)
    tx = Tx()
    tx.update("booking", _current(booking), [
        BookingItem.session.set(_session_out(details)), BookingItem.updated_at.set(after.updated_at.isoformat()),
        BookingItem.history.set([_change_out(c) for c in after.history])],
        condition=(BookingItem.status == BOOKED) & (BookingItem.kind == SESSION))
    outbox_store.add(tx, messages)
    tx.commit()
    return after


@unavailable_guard
def office_day_bookings(office_id: str, day: date) -> list[Booking]:
    """The office's bookings of the day, in any state."""
    return [booking_from(i) for i in BookingItem.office_day_index.query(office_day_pk(office_id, day))]


@unavailable_guard
def of_citizen(citizen_key: str, since: date) -> list[Booking]:
    """The citizen's bookings from `since` on, in any state, soonest first (the index lags writes a moment)."""
    found = BookingItem.citizen_index.query(citizen_pk(citizen_key), BookingItem.gsi2sk >= since.isoformat())
    return [booking_from(item) for item in found]


COUNT_WORKERS = 16  # concurrent queries of one office_day_counts call (a job reads every office)


def _booked_on(office_id: str, day: date, consistent: bool) -> int:
    """Distinct bookings holding booked seats of the office-day: every live booking (booked,
    checked in, completed, no-show) keeps its seats; a cancelled or moved one has released them."""
    seats = SeatItem.query(office_day_pk(office_id, day), SeatItem.sk.startswith("SEAT#"),
                           filter_condition=SeatItem.status == BOOKED, consistent_read=consistent,
                           attributes_to_get=["booking_id"])
    return len({seat.booking_id for seat in seats})


@unavailable_guard
def office_day_counts(office_ids: list[str], day: date, *, consistent: bool = False) -> dict[str, int]:
    """Live bookings per office for one day, counted from each office-day's booked seats (one
    query per office, run side by side): no booking writes a shared counter for it."""
    if len(office_ids) <= 1:
        return {o: _booked_on(o, day, consistent) for o in office_ids}
    with ThreadPoolExecutor(max_workers=min(COUNT_WORKERS, len(office_ids)), thread_name_prefix="counts") as pool:
        counts = pool.map(lambda o: _booked_on(o, day, consistent), office_ids)
        return dict(zip(office_ids, counts, strict=True))

"""The waitlist on DynamoDB, in the bookings table (an offer is a hold: its seats, the waiter's
place and the SMS are written in one transaction with it).

Item layout (table `bookings`):
  CZ#{citizen} / WAIT#{office}#{service}             the citizen's entry (one per office and service)
  CZ#{citizen} / WAITS                               revision of the citizen's entries (the cap's guard)
  WL#{office}#{service}#{day} / {joined ms}#{entry}  a place in that day's line, WAITING or OFFERED
  WO / {expires s}#{hold_id}                         an outstanding offer, read by the sweep when due
One partition holds every outstanding offer: offers are few (one per freed seat with someone
waiting), far below a partition's write rate.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from pynamodb.exceptions import DoesNotExist

from chalicelib.dal import outbox_store
from chalicelib.dal.booking_store import add_hold, citizen_pk
from chalicelib.dal.db import Tx, unavailable_guard
from chalicelib.dal.models import (
    CitizenGuardItem,
    HoldItem,
    OfferItem,
    WaitEntryItem,
    WaiterItem,
    WaitRevisionItem,
)
from chalicelib.domain.booking import Hold
from chalicelib.domain.calendar import TEHRAN
from chalicelib.domain.outbox import OutboxMessage
from chalicelib.domain.waitlist import OFFERED, WAITING, Offer, Waiter, WaitlistEntry

OFFERS_PK = "WO"


def _entry_sk(office_id: str, service_id: str) -> str:
    return f"WAIT#{office_id}#{service_id}"


def _line_pk(office_id: str, service_id: str, day: date) -> str:
    return f"WL#{office_id}#{service_id}#{day.isoformat()}"


def _ms(moment: datetime) -> int:
    return round(moment.timestamp() * 1000)


def _line_sk(joined_at: datetime, entry_id: str) -> str:
    return f"{_ms(joined_at):015d}#{entry_id}"


def _offer_sk(expires: datetime, hold_id: str) -> str:
    return f"{int(expires.timestamp()):012d}#{hold_id}"


def _ttl(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=2), datetime.min.time(), TEHRAN)


def _entry_from(item: WaitEntryItem, citizen_key: str) -> WaitlistEntry:
    return WaitlistEntry(item.entry_id, citizen_key, item.office_id, item.service_id,
                         tuple(date.fromisoformat(d) for d in item.days), item.mobile,
                         datetime.fromisoformat(item.joined_at))


def _waiter_from(item: WaiterItem) -> Waiter:
    _, office_id, service_id, day = item.pk.split("#")
    joined_ms = int(item.sk.split("#")[0])
    return Waiter(office_id, service_id, date.fromisoformat(day), item.entry_id, item.citizen_key, item.mobile,
                  datetime.fromtimestamp(joined_ms / 1000, TEHRAN), item.status, item.hold_id,
                  datetime.fromtimestamp(int(item.offer_expires), TEHRAN) if item.offer_expires else None,
                  datetime.fromisoformat(item.offer_start) if item.offer_start else None)


# --- the citizen's entries -------------------------------------------------------------------

@unavailable_guard
def entries_of(citizen_key: str) -> tuple[list[WaitlistEntry], int]:
    """The citizen's entries (any, past days included) and the revision they were read at."""
    pk = citizen_pk(citizen_key)
    entries = [_entry_from(i, citizen_key) for i in WaitEntryItem.query(pk, WaitEntryItem.sk.startswith("WAIT#"),
                                                                       consistent_read=True)]
    try:
        rev = int(WaitRevisionItem.get(pk, "WAITS", consistent_read=True).rev or 0)
    except DoesNotExist:
        rev = 0
    return entries, rev


@unavailable_guard
def join(entry: WaitlistEntry, revision: int, drop: Iterable[WaitlistEntry] = ()) -> None:
    """Write the entry and its places in the lines, if the citizen's entries are still as read at
    `revision` (so a cap counted on them holds); `drop` entries (past, no longer live) go in the same
    transaction. Labels: duplicate (an entry for this office and service exists), revision, entry."""
    pk = citizen_pk(entry.citizen_key)
    tx = Tx()
    replaced = None
    for old in drop:
        if (old.office_id, old.service_id) == (entry.office_id, entry.service_id):
            replaced = old  # the same item: the put below takes its place (one action per item)
            _delete_places(tx, old)
        else:
            _delete_entry(tx, old)
    vacant = WaitEntryItem.pk.does_not_exist()
    if replaced is not None:
        vacant = vacant | (WaitEntryItem.entry_id == replaced.entry_id)
    tx.put("duplicate", WaitEntryItem(pk, _entry_sk(entry.office_id, entry.service_id), entry_id=entry.entry_id,
                                      office_id=entry.office_id, service_id=entry.service_id,
                                      days=[d.isoformat() for d in entry.days], mobile=entry.mobile,
                                      joined_at=entry.joined_at.isoformat(), ttl=_ttl(max(entry.days))),
           condition=vacant)
    for day in entry.days:
        tx.put("line", WaiterItem(_line_pk(entry.office_id, entry.service_id, day),
                                  _line_sk(entry.joined_at, entry.entry_id), entry_id=entry.entry_id,
                                  citizen_key=entry.citizen_key, mobile=entry.mobile, status=WAITING, ttl=_ttl(day)))
    tx.update("revision", WaitRevisionItem(pk, "WAITS"), [WaitRevisionItem.rev.set(revision + 1)],
              condition=(WaitRevisionItem.rev == revision) if revision
              else (WaitRevisionItem.pk.does_not_exist() | (WaitRevisionItem.rev == 0)))
    tx.commit()


def _delete_places(tx: Tx, entry: WaitlistEntry) -> None:
    for day in entry.days:
        # A place with an outstanding offer goes too: the offer's hold lives until it expires, and
        # the sweep then passes the seat on.
        tx.delete("line", WaiterItem(_line_pk(entry.office_id, entry.service_id, day),
                                     _line_sk(entry.joined_at, entry.entry_id)))


def _delete_entry(tx: Tx, entry: WaitlistEntry) -> None:
    tx.delete("entry", WaitEntryItem(citizen_pk(entry.citizen_key), _entry_sk(entry.office_id, entry.service_id)),
              condition=WaitEntryItem.entry_id == entry.entry_id)
    _delete_places(tx, entry)


@unavailable_guard
def leave(entry: WaitlistEntry) -> None:
    """Delete the entry and its places. Label: entry (it is gone or was replaced)."""
    tx = Tx()
    _delete_entry(tx, entry)
    tx.update("revision", WaitRevisionItem(citizen_pk(entry.citizen_key), "WAITS"), [WaitRevisionItem.rev.add(1)])
    tx.commit()


@unavailable_guard
def places_of(entry: WaitlistEntry) -> list[Waiter]:
    """The entry's places still in the lines (a place leaves its line when its offer is settled)."""
    keys = [(_line_pk(entry.office_id, entry.service_id, d), _line_sk(entry.joined_at, entry.entry_id))
            for d in entry.days]
    return sorted((_waiter_from(i) for i in WaiterItem.batch_get(keys)), key=lambda w: w.day)


# --- lines and offers ------------------------------------------------------------------------

@unavailable_guard
def line(office_id: str, service_id: str, day: date, *, limit: int = 200) -> list[Waiter]:
    """The day's line in join order (waiting and offered), read consistently."""
    items = WaiterItem.query(_line_pk(office_id, service_id, day), consistent_read=True, limit=limit)
    return [_waiter_from(i) for i in items]


@unavailable_guard
def offer(waiter: Waiter, hold: Hold, now: datetime, *, max_per_day: int,
          messages: Iterable[OutboxMessage]) -> Offer:
    """Offer `hold` (for the waiter's citizen) to the waiter: the hold's seats, the citizen's one
    live hold and place under the day's cap, the waiter's place turned OFFERED, the outstanding
    offer and its SMS, all or nothing. Labels: seat (a seat is taken), waiter (the place is no longer
    WAITING), and the citizen's own: live_hold, cap, blocked, duplicate (a live booking of this
    service that day)."""
    tx = Tx()
    add_hold(tx, hold, now, max_per_day=max_per_day, holds_per_day=None)
    tx.check("duplicate", CitizenGuardItem, citizen_pk(waiter.citizen_key),
             f"DAY#{hold.day.isoformat()}#SVC#{hold.service_id}", CitizenGuardItem.pk.does_not_exist())
    line_pk, line_sk = _line_pk(waiter.office_id, waiter.service_id, waiter.day), _line_sk(waiter.joined_at,
                                                                                         waiter.entry_id)
    expires = int(hold.expires_at.timestamp())
    tx.update("waiter", WaiterItem(line_pk, line_sk),
              [WaiterItem.status.set(OFFERED), WaiterItem.hold_id.set(hold.hold_id),
               WaiterItem.offer_expires.set(expires), WaiterItem.offer_start.set(hold.start.isoformat())],
              condition=WaiterItem.status == WAITING)
    tx.put("offer", OfferItem(OFFERS_PK, _offer_sk(hold.expires_at, hold.hold_id), office_id=hold.office_id,
                              service_id=hold.service_id, day=hold.day.isoformat(), start=hold.start.isoformat(),
                              cells=list(hold.cells), counter=hold.counter, citizen_key=waiter.citizen_key,
                              mobile=waiter.mobile, entry_id=waiter.entry_id, line_sk=line_sk,
                              ttl=_ttl(hold.day)))
    outbox_store.add(tx, messages)
    tx.commit()
    offered = Waiter(waiter.office_id, waiter.service_id, waiter.day, waiter.entry_id, waiter.citizen_key,
                     waiter.mobile, waiter.joined_at, OFFERED, hold.hold_id, hold.expires_at, hold.start)
    return Offer(hold, offered)


def _offer_from(item: OfferItem) -> Offer:
    expires_s, hold_id = item.sk.split("#")
    expires = datetime.fromtimestamp(int(expires_s), TEHRAN)
    day, start = date.fromisoformat(item.day), datetime.fromisoformat(item.start)
    joined_ms = int(item.line_sk.split("#")[0])
    hold = Hold(hold_id, item.office_id, item.service_id, day, start, tuple(item.cells), int(item.counter), expires,
                item.citizen_key)
    waiter = Waiter(item.office_id, item.service_id, day, item.entry_id, item.citizen_key, item.mobile,
                    datetime.fromtimestamp(joined_ms / 1000, TEHRAN), OFFERED, hold_id, expires, start)
    return Offer(hold, waiter)


@unavailable_guard
def due_offers(now: datetime, *, limit: int = 100) -> list[Offer]:
    """Outstanding offers whose time is up (expired before `now`), earliest first."""
    items = OfferItem.query(OFFERS_PK, OfferItem.sk < f"{int(now.timestamp()):012d}", consistent_read=True,
                            limit=limit)
    return [_offer_from(i) for i in items]


@unavailable_guard
def settle(offer: Offer, now: datetime) -> None:
    """An offer whose time is up leaves the books: its place leaves the line (taken or not) and the
    hold, if it was not booked, is deleted (its seats are free again: an expired hold does not hold).
    Label: offer (another sweep settled it)."""
    hold = offer.hold
    tx = Tx()
    tx.delete("offer", OfferItem(OFFERS_PK, _offer_sk(hold.expires_at, hold.hold_id)),
              condition=OfferItem.pk.exists())
    tx.delete("hold", HoldItem(f"HD#{hold.hold_id}", "HOLD"),
              condition=HoldItem.pk.does_not_exist() | (HoldItem.expires_at < int(now.timestamp())))
    w = offer.waiter
    tx.delete("waiter", WaiterItem(_line_pk(w.office_id, w.service_id, w.day), _line_sk(w.joined_at, w.entry_id)),
              condition=WaiterItem.pk.does_not_exist() | (WaiterItem.hold_id == hold.hold_id))
    tx.commit()

"""In-memory waitlist store: the conditions of `chalicelib/dal/waitlist_store.py`, checked all
together before anything is written, with the same failure labels. An offer is a hold: it shares
the seats, holds and citizens' counters of the fake booking store it is given."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime

from chalicelib.domain.booking import Hold
from chalicelib.domain.outbox import OutboxMessage
from chalicelib.domain.waitlist import OFFERED, WAITING, Offer, Waiter, WaitlistEntry
from chalicelib.errors import TxConditionFailed
from tests.fakes.booking import HELD, FakeBookingStore, _epoch, _Seat


def _ms(moment: datetime) -> int:
    return round(moment.timestamp() * 1000)


class FakeWaitlistStore:
    def __init__(self, bookings: FakeBookingStore | None = None) -> None:
        self.bookings = bookings or FakeBookingStore()
        self.entries: dict[tuple[str, str, str], WaitlistEntry] = {}  # citizen, office, service
        self.revisions: dict[str, int] = {}
        self.places: dict[tuple[str, str, date], dict[tuple[int, str], Waiter]] = {}  # line -> (ms, entry) -> place
        self.offers: dict[tuple[int, str], Offer] = {}  # (expires s, hold id) -> offer

    # --- entries ------------------------------------------------------------------------------

    def entries_of(self, citizen_key: str) -> tuple[list[WaitlistEntry], int]:
        found = [e for (c, _, _), e in self.entries.items() if c == citizen_key]
        return found, self.revisions.get(citizen_key, 0)

    def join(self, entry: WaitlistEntry, revision: int, drop: Iterable[WaitlistEntry] = ()) -> None:
        drop = list(drop)
        failed = set()
        key = (entry.citizen_key, entry.office_id, entry.service_id)
        if key in self.entries and not any(d.entry_id == self.entries[key].entry_id for d in drop):
            failed.add("duplicate")
        if self.revisions.get(entry.citizen_key, 0) != revision:
            failed.add("revision")
        if any(self.entries.get((d.citizen_key, d.office_id, d.service_id), d).entry_id != d.entry_id for d in drop):
            failed.add("entry")
        if failed:
            raise TxConditionFailed(failed)
        for old in drop:
            self._delete(old)
        self.entries[key] = entry
        for day in entry.days:
            place = Waiter(entry.office_id, entry.service_id, day, entry.entry_id, entry.citizen_key, entry.mobile,
                           entry.joined_at)
            self.places.setdefault((entry.office_id, entry.service_id, day), {})[(_ms(entry.joined_at),
                                                                                   entry.entry_id)] = place
        self.revisions[entry.citizen_key] = revision + 1

    def _delete(self, entry: WaitlistEntry) -> None:
        del self.entries[(entry.citizen_key, entry.office_id, entry.service_id)]
        for day in entry.days:
            self.places.get((entry.office_id, entry.service_id, day), {}).pop((_ms(entry.joined_at), entry.entry_id),
                                                                             None)

    def leave(self, entry: WaitlistEntry) -> None:
        stored = self.entries.get((entry.citizen_key, entry.office_id, entry.service_id))
        if stored is None or stored.entry_id != entry.entry_id:
            raise TxConditionFailed({"entry"})
        self._delete(entry)
        self.revisions[entry.citizen_key] = self.revisions.get(entry.citizen_key, 0) + 1

    def places_of(self, entry: WaitlistEntry) -> list[Waiter]:
        found = [self.places.get((entry.office_id, entry.service_id, d), {}).get((_ms(entry.joined_at),
                                                                                   entry.entry_id))
                 for d in entry.days]
        return [p for p in found if p is not None]

    # --- lines and offers ---------------------------------------------------------------------

    def line(self, office_id: str, service_id: str, day: date, *, limit: int = 200) -> list[Waiter]:
        places = self.places.get((office_id, service_id, day), {})
        return [places[k] for k in sorted(places)][:limit]

    def offer(self, waiter: Waiter, hold: Hold, now: datetime, *, max_per_day: int,
              messages: Iterable[OutboxMessage]) -> Offer:
        b, now_s = self.bookings, _epoch(now)
        keys = b._keys(hold.office_id, hold.day, hold.cells, hold.counter)
        failed = set() if all(b._free(k, now_s) for k in keys) else {"seat"}
        citizen = hold.citizen_key
        if b.live_holds.get(citizen, ("", -1))[1] >= now_s:
            failed.add("live_hold")
        if b.citizen_day.get((citizen, hold.day), 0) >= max_per_day:
            failed.add("cap")
        if b.blocks.get(citizen, -1) >= now_s:
            failed.add("blocked")
        if (citizen, hold.day, hold.service_id) in b.guards:
            failed.add("duplicate")
        line = self.places.get((waiter.office_id, waiter.service_id, waiter.day), {})
        place = line.get((_ms(waiter.joined_at), waiter.entry_id))
        if place is None or place.status != WAITING:
            failed.add("waiter")
        if failed:
            raise TxConditionFailed(failed)
        for key in keys:
            b.seats[key] = _Seat(HELD, hold_id=hold.hold_id, expires_at=_epoch(hold.expires_at))
        b.holds[hold.hold_id] = hold
        b.live_holds[citizen] = (hold.hold_id, _epoch(hold.expires_at))
        b.held_until[(citizen, hold.day)] = _epoch(hold.expires_at)
        offered = replace(place, status=OFFERED, hold_id=hold.hold_id, offer_expires=hold.expires_at,
                          offered_start=hold.start)
        line[(_ms(waiter.joined_at), waiter.entry_id)] = offered
        made = Offer(hold, offered)
        self.offers[(_epoch(hold.expires_at), hold.hold_id)] = made
        b.outbox.extend(messages)
        return made

    def due_offers(self, now: datetime, *, limit: int = 100) -> list[Offer]:
        now_s = _epoch(now)
        return [self.offers[k] for k in sorted(self.offers) if k[0] < now_s][:limit]

    def settle(self, offer: Offer, now: datetime) -> None:
        key = (_epoch(offer.hold.expires_at), offer.hold.hold_id)
        failed = set() if key in self.offers else {"offer"}
        held = self.bookings.holds.get(offer.hold.hold_id)
        if held is not None and _epoch(held.expires_at) >= _epoch(now):
            failed.add("hold")
        w = offer.waiter
        line = self.places.get((w.office_id, w.service_id, w.day), {})
        place = line.get((_ms(w.joined_at), w.entry_id))
        if place is not None and place.hold_id != offer.hold.hold_id:
            failed.add("waiter")
        if failed:
            raise TxConditionFailed(failed)
        del self.offers[key]
        self.bookings.holds.pop(offer.hold.hold_id, None)
        line.pop((_ms(w.joined_at), w.entry_id), None)

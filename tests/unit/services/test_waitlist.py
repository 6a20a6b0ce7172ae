"""Waitlist use cases on the fakes: join (one entry per office and service, the cap, the days),
leave, and offers: a freed seat to the first waiting citizen as a hold with an SMS, never for a
taken seat or a closed slot, passed on when not booked in time."""
from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from chalicelib.domain import validators
from chalicelib.domain import waitlist as wl
from chalicelib.domain.booking import citizen_key
from chalicelib.domain.citizen import mobile_key, new_session
from chalicelib.errors import AlreadyWaiting, InvalidInput, NotFound, SessionMismatch, WaitlistFull
from chalicelib.schemas import BookingIn
from chalicelib.services import bookings, waitlist
from chalicelib.services.stores import stores
from chalicelib.settings import get_settings
from tests.fakes.waitlist import FakeWaitlistStore
from tests.unit.services.conftest import NOW, at, mobile, national_id, open_day

DAY = open_day(skip=1)
_TICKS = itertools.count()  # each join a millisecond after the one before: the lines' order
OTHER = open_day(skip=2)


@pytest.fixture()
def wait_store(fakes) -> FakeWaitlistStore:
    store = FakeWaitlistStore(fakes["bookings"])
    with stores.use(waitlist=store):
        yield store


def session(n: int):
    pepper = get_settings().citizen_pepper
    return new_session(citizen_key(national_id(n), pepper), mobile_key(pepper, validators.mobile(mobile(n))), NOW, 30)


def join(n: int, days=(DAY,), office: str = "OF-A", service: str = "S0001", *, now=None):
    return waitlist.join(office, service, list(days), national_id(n), validators.mobile(mobile(n)), session(n),
                         now=now or NOW + timedelta(milliseconds=next(_TICKS)))


def book(n: int, start: str = "09:00", day=DAY, hold_id: str | None = None, now=NOW):
    req = BookingIn(office_id="OF-A", service_id="S0001", start=at(day, start), national_id=national_id(n),
                    mobile=mobile(n), hold_id=hold_id)
    return bookings.book(req, now=now)


def freed(start: str = "09:00", counter: int = 1, day=DAY) -> wl.FreedSeat:
    return wl.FreedSeat("OF-A", "S0001", day, at(day, start), (start,), counter)


def test_join_lists_and_leaves(wait_store):
    entry = join(1, days=(OTHER, DAY))
    assert [d["date"] for d in entry["days"]] == [DAY.isoformat(), OTHER.isoformat()]
    assert [p["status"] for p in entry["places"]] == ["WAITING", "WAITING"]
    mine = waitlist.of_citizen(session(1).citizen_key, NOW)["items"]
    assert [e["entry_id"] for e in mine] == [entry["entry_id"]]
    with pytest.raises(AlreadyWaiting):
        join(1, days=(OTHER,))
    with pytest.raises(NotFound):
        waitlist.leave(entry["entry_id"], session(2))  # another citizen's entry is none of theirs
    waitlist.leave(entry["entry_id"], session(1))
    assert waitlist.of_citizen(session(1).citizen_key, NOW)["items"] == []
    assert wait_store.line("OF-A", "S0001", DAY) == []
    join(1, days=(OTHER,))  # may join again after leaving


def test_a_citizen_keeps_at_most_the_cap_of_live_entries(wait_store, monkeypatch):
    monkeypatch.setattr(get_settings(), "waitlist_max_entries", 2)
    # Joined two days ago for yesterday: its days have passed, so it does not count and goes.
    join(1, office="OF-B", service="S0001", days=(NOW.date() - timedelta(days=1),), now=NOW - timedelta(days=2))
    join(1, service="S0001")
    join(1, service="S0002")
    with pytest.raises(WaitlistFull):
        join(1, service="S0004")
    assert sorted(e.service_id + e.office_id for e in wait_store.entries_of(session(1).citizen_key)[0]) == [
        "S0001OF-A", "S0002OF-A"]



def test_days_must_be_in_the_window_and_few(wait_store):
    for days in ([NOW.date()], [NOW.date() + timedelta(days=400)],
                 [DAY + timedelta(days=i) for i in range(wl.MAX_DAYS + 1)]):
        with pytest.raises(InvalidInput):
            join(1, days=days)


def test_the_body_must_be_the_sessions_citizen(wait_store):
    with pytest.raises(SessionMismatch):
        waitlist.join("OF-A", "S0001", [DAY], national_id(2), validators.mobile(mobile(2)), session(1), now=NOW)


def test_a_freed_seat_goes_to_the_first_in_line_as_a_hold_with_an_sms(wait_store, book_store):
    for n in (5, 3, 4):  # joined in this order
        join(n)
    offer = waitlist.offer_freed(freed(), NOW)
    assert offer is not None and offer.waiter.citizen_key == session(5).citizen_key
    assert offer.hold.expires_at == NOW + timedelta(minutes=get_settings().waitlist_offer_minutes)
    sms = [m for m in book_store.outbox if m.content.template == "waitlist_offer"]
    assert len(sms) == 1 and sms[0].content.recipient == validators.mobile(mobile(5))
    assert f"/offer/{offer.hold.hold_id}" in sms[0].content.params["link"]
    # The same seat again (a redelivered change): it is held now, so no second offer.
    assert waitlist.offer_freed(freed(), NOW) is None
    assert len(wait_store.offers) == 1
    # The citizen books the held seat through the ordinary booking path.
    booked = book(5, hold_id=offer.hold.hold_id, now=NOW + timedelta(minutes=1))
    assert booked["status"] == "BOOKED"
    view = waitlist.of_citizen(session(5).citizen_key, NOW)["items"][0]["places"][0]
    assert view["status"] == "OFFERED" and view["offer"]["hold_id"] == offer.hold.hold_id


def test_no_offer_for_a_seat_taken_meanwhile(wait_store):
    join(5)
    taken = book(7)["counter"]  # someone booked the freed seat directly before the offer was made
    assert waitlist.offer_freed(freed(counter=taken), NOW) is None
    assert wait_store.offers == {} and [w.status for w in wait_store.line("OF-A", "S0001", DAY)] == ["WAITING"]


def test_no_offer_on_a_closed_or_past_slot(wait_store):
    join(5)
    assert waitlist.offer_freed(freed("07:00"), NOW) is None  # before opening
    assert waitlist.offer_freed(freed(counter=9), NOW) is None  # no such counter
    assert waitlist.offer_freed(freed(day=NOW.date()), NOW) is None  # same day: not bookable
    assert wait_store.offers == {}


def test_a_citizen_who_cannot_take_it_is_passed_over(wait_store):
    join(5)
    join(6)
    book(5, "10:00")  # citizen 5 already has this service that day
    offer = waitlist.offer_freed(freed(), NOW)
    assert offer.waiter.citizen_key == session(6).citizen_key


def test_an_offer_not_booked_in_time_passes_to_the_next(wait_store, book_store):
    for n in (1, 2, 3):
        join(n)
    first = waitlist.offer_freed(freed(), NOW)
    later = first.hold.expires_at + timedelta(seconds=1)
    assert waitlist.roll_offers(later) == {"settled": 1, "passed_on": 1}
    line = wait_store.line("OF-A", "S0001", DAY)
    assert [(w.citizen_key, w.status) for w in line] == [(session(2).citizen_key, "OFFERED"),
                                                          (session(3).citizen_key, "WAITING")]
    assert first.hold.hold_id not in book_store.holds  # the expired offer's hold is gone
    with pytest.raises(Exception):  # noqa: B017 - the first citizen's hold is no longer theirs to book
        book(1, hold_id=first.hold.hold_id, now=later)


def test_a_booked_offer_is_settled_and_not_passed_on(wait_store):
    join(1)
    join(2)
    offer = waitlist.offer_freed(freed(), NOW)
    book(1, hold_id=offer.hold.hold_id, now=NOW + timedelta(minutes=1))
    assert waitlist.roll_offers(offer.hold.expires_at + timedelta(seconds=1)) == {"settled": 1, "passed_on": 0}
    assert [w.status for w in wait_store.line("OF-A", "S0001", DAY)] == ["WAITING"]


def test_a_cancellation_on_the_stream_offers_its_seat(wait_store):
    join(5)
    booking = book(7)
    old = {"pk": f"BK#{booking['booking_id']}", "status": "BOOKED", "office_id": "OF-A", "service_id": "S0001",
           "day": DAY.isoformat(), "start": at(DAY, "09:00").isoformat(), "cells": ["09:00"],
           "counter": booking["counter"]}
    bookings.cancel(booking["booking_id"], booking["access_code"], now=NOW)
    offer = waitlist.on_booking_change({**old, "status": "CANCELLED"}, old, NOW)
    assert offer is not None and offer.hold.counter == booking["counter"]
    assert waitlist.on_booking_change({**old, "status": "CHECKED_IN"}, old, NOW) is None

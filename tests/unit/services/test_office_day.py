"""An operator's day on the fakes: the list, check-in, complete, no-show and its block."""
from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.booking import CHECKED_IN, COMPLETED, NO_SHOW
from chalicelib.errors import InvalidInput, InvalidTransition, NoShowBlocked, NotFound
from chalicelib.schemas import BookingIn
from chalicelib.services import bookings, office_day
from tests.unit.services.conftest import NOW, at, mobile, national_id, open_day

DAY = open_day()


def book(n: int, start: str = "09:00", *, office: str = "OF-A", service: str = "S0001", day=DAY) -> dict:
    return bookings.book(BookingIn(office_id=office, service_id=service, start=at(day, start),
                                        national_id=national_id(n), mobile=mobile(n)), now=NOW)


def on_the_day(hhmm: str):
    return at(DAY, hhmm)


def test_the_day_list_is_in_time_order_without_cancelled(book_store):
    late, early = book(1, "10:00"), book(2, "08:30")
    gone = book(3, "09:00")
    bookings.cancel(gone["booking_id"], gone["access_code"], NOW)
    book(4, "09:00", office="OF-B")
    listed = office_day.day_list("OF-A", DAY, NOW)
    assert [b["booking_id"] for b in listed["items"]] == [early["booking_id"], late["booking_id"]]


def test_check_in_then_complete(book_store):
    created = book(1)
    checked = office_day.act("OF-A", "op1", created["booking_id"], "check_in", national_id=national_id(1),
                             now=on_the_day("08:55"))
    assert checked["status"] == CHECKED_IN
    assert book_store.waiting == {("OF-A", DAY): 1}
    done = office_day.act("OF-A", "op1", created["booking_id"], "complete", now=on_the_day("09:20"))
    assert done["status"] == COMPLETED and book_store.waiting == {("OF-A", DAY): 0}
    history = book_store.get_booking(created["booking_id"]).history
    assert [(c.actor, c.to_status) for c in history][1:] == [("operator:op1", CHECKED_IN), ("operator:op1", COMPLETED)]
    with pytest.raises(InvalidTransition):
        office_day.act("OF-A", "op1", created["booking_id"], "check_in", now=on_the_day("09:30"))


def test_check_in_only_on_the_day_and_for_the_right_citizen(book_store):
    created = book(1)
    with pytest.raises(InvalidTransition):
        office_day.act("OF-A", "op1", created["booking_id"], "check_in", now=NOW)
    with pytest.raises(InvalidInput):
        office_day.act("OF-A", "op1", created["booking_id"], "check_in", national_id=national_id(2),
                       now=on_the_day("08:55"))
    assert book_store.get_booking(created["booking_id"]).status == "BOOKED"


def test_an_operator_sees_only_their_office(book_store):
    created = book(1)
    with pytest.raises(NotFound):
        office_day.act("OF-B", "op9", created["booking_id"], "complete", now=on_the_day("09:20"))
    with pytest.raises(NotFound):
        office_day.act("OF-A", "op1", "BKNOSUCHBOOKING", "complete", now=on_the_day("09:20"))


def test_a_no_show_after_the_grace_time_blocks_the_citizen(book_store):
    created = book(1)
    with pytest.raises(InvalidTransition):
        office_day.act("OF-A", "op1", created["booking_id"], "no_show", now=on_the_day("09:10"))
    assert office_day.act("OF-A", "op1", created["booking_id"], "no_show", now=on_the_day("09:15"))["status"] == NO_SHOW
    with pytest.raises(NoShowBlocked):
        bookings.book(BookingIn(office_id="OF-A", service_id="S0002", start=at(open_day(skip=3), "09:00"),
                                     national_id=national_id(1), mobile=mobile(1)), now=on_the_day("10:00"))
    # 14 days later (the setting) the block is over.
    later = on_the_day("10:00") + timedelta(days=15)
    again = BookingIn(office_id="OF-A", service_id="S0002", start=at(open_day(after=later.date()), "09:00"),
                           national_id=national_id(1), mobile=mobile(1))
    assert bookings.book(again, now=later)["status"] == "BOOKED"


def test_a_booking_ahead_of_its_day_cannot_be_completed_or_marked_no_show(book_store):
    created = book(1)
    for action, moment in (("complete", NOW), ("no_show", NOW), ("no_show", on_the_day("09:20") - timedelta(days=1))):
        with pytest.raises(InvalidTransition, match="only on the day"):
            office_day.act("OF-A", "op1", created["booking_id"], action, now=moment)
    assert book_store.get_booking(created["booking_id"]).status == "BOOKED"


def test_complete_only_after_check_in_and_not_on_a_later_day(book_store):
    created = book(1)
    with pytest.raises(InvalidTransition, match="Check the citizen in"):
        office_day.act("OF-A", "op1", created["booking_id"], "complete", now=on_the_day("09:20"))
    assert book_store.get_booking(created["booking_id"]).status == "BOOKED"
    office_day.act("OF-A", "op1", created["booking_id"], "check_in", national_id=national_id(1),
                   now=on_the_day("08:55"))
    with pytest.raises(InvalidTransition, match="only on the day"):
        office_day.act("OF-A", "op1", created["booking_id"], "complete", now=on_the_day("09:20") + timedelta(days=1))
    assert book_store.get_booking(created["booking_id"]).status == CHECKED_IN


def test_check_in_needs_the_national_id_unless_the_setting_relaxes_it(book_store, monkeypatch):
    created = book(1)
    with pytest.raises(InvalidInput, match="Enter the citizen's national ID") as refused:
        office_day.act("OF-A", "op1", created["booking_id"], "check_in", now=on_the_day("08:55"))
    assert refused.value.detail_fa and refused.value.status == 422
    assert book_store.get_booking(created["booking_id"]).status == "BOOKED"
    relaxed = office_day.get_settings().model_copy(update={"check_in_national_id_required": False})
    monkeypatch.setattr(office_day, "get_settings", lambda: relaxed)
    assert office_day.act("OF-A", "op1", created["booking_id"], "check_in", now=on_the_day("08:55"))["status"] \
        == CHECKED_IN


def test_the_no_show_grace_is_a_setting(book_store, monkeypatch):
    created = book(1)
    longer = office_day.get_settings().model_copy(update={"no_show_grace_minutes": 30})
    monkeypatch.setattr(office_day, "get_settings", lambda: longer)
    with pytest.raises(InvalidTransition, match="after the appointment time"):
        office_day.act("OF-A", "op1", created["booking_id"], "no_show", now=on_the_day("09:20"))
    assert office_day.act("OF-A", "op1", created["booking_id"], "no_show", now=on_the_day("09:30"))["status"] == NO_SHOW


def test_a_change_meanwhile_is_reported(book_store, monkeypatch):
    created = book(1)
    stale = book_store.get_booking(created["booking_id"])
    office_day.act("OF-A", "op1", created["booking_id"], "check_in", national_id=national_id(1),
                   now=on_the_day("08:55"))
    monkeypatch.setattr(book_store, "get_booking", lambda booking_id, consistent=True: stale)
    with pytest.raises(InvalidTransition, match="changed meanwhile"):
        office_day.act("OF-A", "op2", created["booking_id"], "no_show", now=on_the_day("09:30"))

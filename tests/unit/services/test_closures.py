"""Closed days on the fakes: an office's closure, the association's network closure and an office
short of licensed counters cancel what can no longer be served, each with one SMS linking to the
office's days; a second pass changes nothing."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from chalicelib.domain.booking import CANCELLED, CHECKED_IN
from chalicelib.domain.ranking_live import OperatorRecord
from chalicelib.errors import InvalidInput, NotFound
from chalicelib.schemas import BookingIn
from chalicelib.services import bookings, catalogue, closures, office_day, operators
from chalicelib.services.stores import stores
from tests.fakes.operators import FakeOperatorStore
from tests.unit.services.conftest import NOW, at, mobile, national_id, open_day

DAY = open_day()
SLOTS = ["08:00", "08:15", "08:30", "08:45", "09:00"]


def book(n: int, hhmm: str, office: str = "OF-A", day: date = DAY, now=NOW) -> dict:
    return bookings.book(BookingIn(office_id=office, service_id="S0001", start=at(day, hhmm),
                                   national_id=national_id(n), mobile=mobile(n)), now=now)


def closure_sms(book_store) -> list:
    return [m for m in book_store.outbox if m.content.template == "booking_cancelled_closure"]


def test_an_office_closure_cancels_the_day_once_and_frees_its_seats(book_store):
    made = [book(n, SLOTS[n % 5]) for n in range(1, 13)]  # 12 bookings, 3 counters x 5 slots
    other_day = book(20, "09:00", day=open_day(skip=1))
    elsewhere = book(21, "09:00", office="OF-B")
    result = closures.close_office("OF-A", DAY, "تعمیرات ساختمان", None, "manager:m1", now=NOW)
    assert (result["bookings_cancelled"], result["cancellation_pending"]) == (12, False)
    assert (result["name_en"], result["name_fa"]) == ("Office closed", "تعمیرات ساختمان")
    assert {book_store.get_booking(b["booking_id"]).status for b in made} == {CANCELLED}
    assert book_store.get_booking(other_day["booking_id"]).status == "BOOKED"
    assert book_store.get_booking(elsewhere["booking_id"]).status == "BOOKED"
    sent = closure_sms(book_store)
    assert sorted(m.content.booking_id for m in sent) == sorted(b["booking_id"] for b in made)
    for message in sent:
        link = message.content.params["link"]
        assert link.endswith("/offices/OF-A/services/S0001/days")
        assert message.content.recipient not in link and message.content.booking_id not in link
        assert message.content.params["reason_fa"] == "تعمیرات ساختمان"
    assert book_store.taken_seats("OF-A", DAY, NOW) == {}
    # Applied again (a retried request): nothing cancelled twice, no second SMS.
    again = closures.close_office("OF-A", DAY, "تعمیرات ساختمان", "Repairs", "manager:m1", now=NOW)
    assert again["bookings_cancelled"] == 0 and len(closure_sms(book_store)) == 12
    assert again["name_en"] == "Repairs"  # a second close renames
    assert closures.sweep_office_days(NOW)["bookings_cancelled"] == 0 and len(closure_sms(book_store)) == 12


def test_the_closed_day_shows_its_names_and_reopens(book_store):
    closures.close_office("OF-A", DAY, "سوگواری", "Mourning", "manager:m1", now=NOW)
    slots = catalogue.free_slots("OF-A", "S0001", DAY, NOW)
    assert not slots["open"] and slots["slots"] == []
    assert slots["closed_for"] == [{"date": DAY.isoformat(), "jalali": slots["jalali"], "name_en": "Mourning",
                                    "name_fa": "سوگواری"}]
    detail = catalogue.office_view(catalogue.get_office("OF-A"), detail=True)
    assert detail["closures"][0]["name_fa"] == "سوگواری"
    closures.reopen_office("OF-A", DAY, now=NOW)
    assert catalogue.free_slots("OF-A", "S0001", DAY, NOW)["open"]
    with pytest.raises(NotFound):
        closures.reopen_office("OF-A", DAY, now=NOW)
    with pytest.raises(InvalidInput):
        closures.close_office("OF-A", NOW.date() - timedelta(days=1), "دیروز", None, "manager:m1", now=NOW)
    with pytest.raises(NotFound):
        closures.close_office("OF-NOPE", DAY, "نیست", None, "association:a", now=NOW)


def test_checked_in_citizens_are_served_when_the_office_closes_that_day(book_store):
    served, waiting = book(1, "08:00"), book(2, "08:00")
    on_the_day = at(DAY, "07:50")
    office_day.act("OF-A", "op1", served["booking_id"], "check_in", national_id=national_id(1), now=on_the_day)
    result = closures.close_office("OF-A", DAY, "قطع برق", "Power cut", "manager:m1", now=on_the_day)
    assert result["bookings_cancelled"] == 1
    assert book_store.get_booking(served["booking_id"]).status == CHECKED_IN
    assert book_store.get_booking(waiting["booking_id"]).status == CANCELLED


def test_a_closure_during_the_day_leaves_the_bookings_whose_time_has_passed(book_store):
    past, coming = book(1, "08:00"), book(2, "09:00")
    result = closures.close_office("OF-A", DAY, "قطع برق", "Power cut", "manager:m1", now=at(DAY, "08:20"))
    assert result["bookings_cancelled"] == 1
    assert book_store.get_booking(past["booking_id"]).status == "BOOKED"  # the office records a no-show or a visit
    assert book_store.get_booking(coming["booking_id"]).status == CANCELLED
    assert [m.content.booking_id for m in closure_sms(book_store)] == [coming["booking_id"]]


def test_a_network_closure_cancels_every_office_and_a_budget_leaves_the_rest_to_the_sweep(book_store, monkeypatch):
    made = [book(n, SLOTS[n % 5]) for n in range(1, 7)] + [book(n, SLOTS[n % 5], office="OF-B") for n in (7, 8)]
    short = closures.get_settings().model_copy(update={"closure_inline_seconds": 0})
    monkeypatch.setattr(closures, "get_settings", lambda: short)
    view = closures.correct_network_day(DAY, True, "", "عزای عمومی", "admin-1", now=NOW)
    assert view["name_en"] == "Closed by the association" and view["name_fa"] == "عزای عمومی"
    assert view["cancellation_pending"] and view["bookings_cancelled"] == 0
    swept = closures.sweep_office_days(NOW)
    assert swept["bookings_cancelled"] == 8 and not swept["cancellation_pending"]
    assert {book_store.get_booking(b["booking_id"]).status for b in made} == {CANCELLED}
    assert len(closure_sms(book_store)) == 8
    assert closures.sweep_office_days(NOW)["bookings_cancelled"] == 0 and len(closure_sms(book_store)) == 8


def record(op: str, expiry: date) -> OperatorRecord:
    return OperatorRecord(op, "OF-A", f"L-{op}", expiry, 60, True)


def test_an_office_short_of_licensed_counters_cancels_the_latest_booked(fakes, book_store):
    registry = FakeOperatorStore([record("op1", DAY + timedelta(days=90)), record("op2", DAY + timedelta(days=90)),
                                  record("op3", DAY + timedelta(days=90))])
    with stores.use(operators=registry):
        first, second, third, alone = (book(n, hhmm, now=NOW + timedelta(minutes=n))
                                       for n, hhmm in ((1, "09:00"), (2, "09:00"), (3, "09:00"), (4, "10:00")))
        # op2's licence ends the day before: two counters that day; then op3 leaves the office.
        registry.save(record("op2", DAY - timedelta(days=1)))
        swept = closures.sweep_office_days(NOW)
        assert swept["bookings_cancelled"] == 1
        assert book_store.get_booking(third["booking_id"]).status == CANCELLED
        operators.remove("OF-A", "op3")
        kept = [book_store.get_booking(b["booking_id"]) for b in (first, second, third, alone)]
        assert [b.status for b in kept] == ["BOOKED", CANCELLED, CANCELLED, "BOOKED"]
        assert kept[0].counter == 1 and kept[3].counter == 1  # on the one counter left
        assert len(closure_sms(book_store)) == 2
        assert closures.fit_office("OF-A", NOW)["bookings_cancelled"] == 0 and len(closure_sms(book_store)) == 2
        # The freed seats are bookable again, on the counters that remain.
        assert catalogue.free_slots("OF-A", "S0001", DAY, NOW)["slots"][0]["free"] == 1


def test_a_database_outage_mid_closure_leaves_the_rest_to_the_sweep(book_store, monkeypatch):
    from chalicelib.errors import ServiceUnavailable
    made = [book(n, SLOTS[n % 5]) for n in range(1, 6)]
    real_cancel, calls = book_store.cancel, []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise ServiceUnavailable()
        return real_cancel(*args, **kwargs)

    monkeypatch.setattr(book_store, "cancel", flaky)
    result = closures.close_office("OF-A", DAY, "قطع برق", None, "manager:m1", now=NOW)
    assert (result["bookings_cancelled"], result["cancellation_pending"]) == (2, True)
    assert closures.sweep_office_days(NOW)["bookings_cancelled"] == 3
    assert {book_store.get_booking(b["booking_id"]).status for b in made} == {CANCELLED}
    assert len(closure_sms(book_store)) == 5

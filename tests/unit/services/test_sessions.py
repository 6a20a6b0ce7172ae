"""Remote sessions on the fakes: slots on the remote counters only, booking, the office's steps
(confirm with join details, complete with a note, no-show) and the citizen's cancel."""
from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.booking import CANCELLED, COMPLETED, NO_SHOW
from chalicelib.errors import InvalidInput, InvalidTransition, NotFound, SlotFull
from chalicelib.schemas import BookingIn, SessionIn
from chalicelib.services import bookings, office_day, sessions
from chalicelib.services.stores import stores
from tests.fakes.remote import FakeCounterStore
from tests.unit.services.conftest import NOW, at, mobile, national_id, open_day

DAY = open_day()
LINK = "https://meet.example.ir/r/7K3M9QX2"


@pytest.fixture()
def counters(fakes):
    found = FakeCounterStore()
    with stores.use(load=found):
        yield found


def book(n: int, start: str = "09:00", *, office: str = "OF-A", contact: str = "video", tz: str = "Europe/Berlin",
         day=DAY) -> dict:
    return sessions.book(SessionIn(office_id=office, service_id="S0003", start=at(day, start), contact=contact,
                                   time_zone=tz, national_id=national_id(n), mobile=mobile(n)), now=NOW)


def test_slots_are_on_the_counters_open_for_remote_work_only(book_store, counters):
    counters.set_open("OF-A", 1, NOW)  # OF-A has 3 counters: only counter 3 holds sessions
    first = sessions.session_slots("OF-A", "S0003", DAY, "Europe/Berlin", NOW)
    at_nine = next(s for s in first["slots"] if s["start"]["at"].endswith("09:00+03:30"))
    assert at_nine["free"] == 1 and at_nine["local"]["zone"] == "Europe/Berlin"
    assert first["contact_modes"] == ["phone", "video"]
    # Three in-person bookings at 09:00 fill the three counters, the remote one included.
    for n in (1, 2, 3):
        bookings.book(BookingIn(office_id="OF-A", service_id="S0001", start=at(DAY, "09:00"),
                                national_id=national_id(n), mobile=mobile(n)), now=NOW)
    after = sessions.session_slots("OF-A", "S0003", DAY, None, NOW)
    assert not any(s["start"]["at"].endswith("09:00+03:30") for s in after["slots"])
    assert after["time_zone"] == "Asia/Tehran"


def test_a_session_takes_a_remote_seat_and_the_next_citizen_finds_it_full(book_store, counters):
    counters.set_open("OF-B", 1, NOW)
    created = book(1, office="OF-B")
    assert created["kind"] == "session" and created["status"] == "BOOKED" and not created["confirmed"]
    assert created["join"] is None and created["local"]["at"].startswith(DAY.isoformat())
    assert created["local"]["at"][11:16] in ("05:30", "06:30")  # 09:00 Tehran in Berlin (winter or summer)
    assert book_store.get_booking(created["booking_id"]).counter == 1
    with pytest.raises(SlotFull):
        book(2, office="OF-B")
    # ...and an in-person booking cannot take that seat either.
    with pytest.raises(SlotFull):
        bookings.book(BookingIn(office_id="OF-B", service_id="S0001", start=at(DAY, "09:00"),
                                national_id=national_id(3), mobile=mobile(3)), now=NOW)
    [sms] = [m.content for m in book_store.outbox if m.content.template == "session_booked"]
    assert sms.params["access_code"] == created["access_code"] and "Europe/Berlin" in sms.params["when_local"]


def test_no_remote_counter_open_no_session(book_store, counters):
    counters.set_open("OF-A", 0, NOW)
    assert sessions.session_slots("OF-A", "S0003", DAY, None, NOW)["slots"] == []
    with pytest.raises(SlotFull):
        book(1)


def test_only_session_services_in_their_modes(book_store, counters):
    with pytest.raises(InvalidInput):
        sessions.session_slots("OF-A", "S0001", DAY, None, NOW)  # petitions: not a session service
    with pytest.raises(NotFound):
        sessions.session_slots("OF-B", "S0004", DAY, None, NOW)  # not offered at OF-B
    with pytest.raises(InvalidInput):
        sessions.session_slots("OF-A", "S0003", DAY, "Mars/Olympus", NOW)


def test_confirm_sends_the_join_details_once_in_the_citizens_time(book_store, counters):
    created = book(1, "10:00")
    done = sessions.confirm("OF-A", "op1", created["booking_id"], LINK, NOW)
    assert done["confirmed"] and done["join"] == LINK and done["status"] == "BOOKED"
    [sms] = [m.content for m in book_store.outbox if m.content.template == "session_confirmed_video"]
    assert sms.params["join"] == LINK and sms.recipient == "+98" + mobile(1)[1:]
    assert sms.params["when_local"].endswith("(تهران ۱۰:۰۰)") and "Europe/Berlin" in sms.params["when_local"]
    assert sessions.read(created["booking_id"], created["access_code"])["join"] == LINK
    with pytest.raises(InvalidInput):
        sessions.confirm("OF-A", "op1", created["booking_id"], "http://meet.example.ir/x", NOW)
    with pytest.raises(NotFound):
        sessions.confirm("OF-B", "op9", created["booking_id"], LINK, NOW)  # another office's session


def test_phone_sessions_confirm_with_the_number_the_office_calls_from(book_store, counters):
    created = book(1, contact="phone", tz="Asia/Tehran")
    done = sessions.confirm("OF-A", "op1", created["booking_id"], "021 8877 6655", NOW)
    assert done["join"] == "+982188776655"
    [sms] = [m.content for m in book_store.outbox if m.content.template == "session_confirmed_phone"]
    assert "تهران" not in sms.params["when_local"]  # the citizen is in Tehran: one time only


def test_complete_needs_confirmation_and_keeps_the_note(book_store, counters):
    created = book(1)
    start = at(DAY, "09:00")
    with pytest.raises(InvalidTransition):
        sessions.complete("OF-A", "op1", created["booking_id"], "done", start + timedelta(minutes=20))
    sessions.confirm("OF-A", "op1", created["booking_id"], LINK, NOW)
    with pytest.raises(InvalidTransition):
        sessions.complete("OF-A", "op1", created["booking_id"], "done", start - timedelta(minutes=5))
    done = sessions.complete("OF-A", "op1", created["booking_id"], "مشاوره انجام شد", start + timedelta(minutes=30))
    assert done["status"] == COMPLETED and done["note"] == "مشاوره انجام شد"
    assert book_store.get_booking(created["booking_id"]).session.note == "مشاوره انجام شد"
    with pytest.raises(InvalidTransition):
        sessions.no_show("OF-A", "op1", created["booking_id"], start + timedelta(minutes=40))


def test_no_show_blocks_like_a_missed_visit(book_store, counters):
    created = book(1)
    start = at(DAY, "09:00")
    done = sessions.no_show("OF-A", "op1", created["booking_id"], start + timedelta(minutes=20))
    assert done["status"] == NO_SHOW
    assert book_store.blocks[book_store.get_booking(created["booking_id"]).citizen_key] > 0


def test_the_citizen_cancels_and_the_seat_is_free_again(book_store, counters):
    counters.set_open("OF-B", 1, NOW)
    created = book(1, office="OF-B")
    cancelled = sessions.cancel(created["booking_id"], created["access_code"], NOW)
    assert cancelled["status"] == CANCELLED
    assert book(2, office="OF-B")["status"] == "BOOKED"
    with pytest.raises(NotFound):
        sessions.cancel(created["booking_id"], "WRONGCOD", NOW)


def test_a_session_is_not_moved_or_checked_in_as_a_visit(book_store, counters):
    created = book(1)
    from chalicelib.schemas import RescheduleIn
    with pytest.raises(InvalidTransition):
        bookings.reschedule(created["booking_id"], created["access_code"], RescheduleIn(start=at(DAY, "10:00")), NOW)
    with pytest.raises(InvalidTransition):
        office_day.act("OF-A", "op1", created["booking_id"], "check_in", now=at(DAY, "08:55"))


def test_the_office_lists_its_sessions_not_its_visits(book_store, counters):
    late, early = book(1, "10:00"), book(2, "08:30")
    bookings.book(BookingIn(office_id="OF-A", service_id="S0001", start=at(DAY, "09:00"),
                            national_id=national_id(3), mobile=mobile(3)), now=NOW)
    listed = sessions.office_day("OF-A", DAY, NOW)
    assert [s["booking_id"] for s in listed["items"]] == [early["booking_id"], late["booking_id"]]
